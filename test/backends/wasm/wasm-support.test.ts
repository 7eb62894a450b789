import { afterEach, describe, expect, it, vi } from 'vitest';
import { BackendUnavailableError } from '../../../src/errors.ts';
import { createWasmBackend, wasmSupport } from '../../../src/backends/wasm/wasm-backend.ts';
import { kernelBytes } from '../../../src/backends/wasm/wasm-module.ts';
import { loadBackendsUnderTest } from '../backends-under-test.ts';

/** Pretend to be an engine without SIMD: only the scalar kernel module validates. */
function withoutSimd(): void {
  const scalar = kernelBytes('scalar');
  const real = WebAssembly.validate.bind(WebAssembly);
  vi.spyOn(WebAssembly, 'validate').mockImplementation((bytes) => {
    const b = new Uint8Array(ArrayBuffer.isView(bytes) ? bytes.buffer : bytes);
    return b.length === scalar.length && b.every((x, i) => x === scalar[i]) ? real(bytes) : false;
  });
}

afterEach(() => vi.restoreAllMocks());

describe('wasmSupport without SIMD', () => {
  it('reports the scalar build only, with a reason', async () => {
    withoutSimd();
    const s = await wasmSupport();
    expect(s.simd).toBe(false);
    expect(s.scalar).toBe(true);
    expect(s.reason).toMatch(/SIMD/);
  });

  it('makes createWasmBackend fall back to the scalar build, and refuse simd: true', async () => {
    withoutSimd();
    expect((await createWasmBackend()).info.name).toBe('wasm-scalar');
    await expect(createWasmBackend({ simd: true })).rejects.toThrow(BackendUnavailableError);
    await expect(createWasmBackend({ simd: true })).rejects.toThrow(/createWasmBackend: the SIMD build was asked \(simd: true\)/);
  });

  it('makes the conformance list skip wasm-simd with the reason', async () => {
    withoutSimd();
    const loaded = await loadBackendsUnderTest();
    const simd = loaded.find((b) => b.name === 'wasm-simd')!;
    expect(simd.backend).toBeNull();
    expect(simd.skipReason).toMatch(/SIMD/);
    expect(loaded.find((b) => b.name === 'wasm-scalar')!.backend?.info.name).toBe('wasm-scalar');
  });
});

describe('loadBackendsUnderTest', () => {
  it('reports a factory that throws as skipped with its message', async () => {
    const loaded = await loadBackendsUnderTest([{ name: 'broken', create: () => Promise.reject(new Error('no device')) }]);
    expect(loaded).toEqual([{ name: 'broken', backend: null, skipReason: 'failed to load: no device' }]);
  });
});
