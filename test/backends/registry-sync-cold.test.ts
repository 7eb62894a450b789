/**
 * Synchronous resolution before and after WebAssembly is loaded in a process (issue 13: the
 * default backend of `curveFitSync` is the fastest one it can have synchronously). This file
 * must not load wasm before its first test: vitest gives each file its own module graph, so the
 * lazily imported wasm modules start unloaded here.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resolveBackendSync, type BackendNeeds } from '../../src/backends/registry.ts';
import { wasmBackendModule, wasmPoolModule } from '../../src/backends/backend-factories.ts';
import { BackendUnavailableError } from '../../src/errors.ts';
import { createWasmBackend, curveFit, curveFitSync, model } from '../../src/index.ts';
import { outstandingBackendLoads } from '../../src/backends/list-backends.ts';

const closureSync: BackendNeeds = { closures: true, synchronous: true };
const noEnv = { env: (): undefined => undefined };
const envWith = (value: string) => ({ env: (name: string) => (name === 'NLSQ_BACKEND' ? value : undefined) });

const expo = model('a*exp(-b*x) + c');
const x = Float64Array.from({ length: 60 }, (_, i) => (5 * i) / 59);
const y = Float64Array.from(x, (t, i) => 3 * Math.exp(-1.2 * t) + 0.5 + 0.01 * Math.sin(7.3 * i));

afterEach(() => {
  vi.restoreAllMocks();
});

describe('before WebAssembly is loaded in this process', () => {
  it('the automatic choice is the CPU backend, and its reason says why wasm was skipped', () => {
    expect(wasmBackendModule.loaded).toBeUndefined();
    const r = resolveBackendSync(undefined, closureSync, noEnv);
    expect(r.backend.info.name).toBe('cpu');
    expect(r.reason).toMatch(/skipped wasm-simd: wasm-simd cannot be loaded by a synchronous call before WebAssembly is loaded .*an asynchronous call in this process \(curveFit, fit, createWasmBackend\) loads it/);
    r.release?.();
    expect(curveFitSync(expo, x, y, { p0: [1, 1, 0] }).backend).toBe('cpu');
  });

  it('a named wasm backend is an error that says why and what to do; a list falls back as asked', () => {
    expect(() => resolveBackendSync('wasm', closureSync, noEnv)).toThrow(BackendUnavailableError);
    expect(() => resolveBackendSync('wasm', closureSync, noEnv)).toThrow(
      /^curveFitSync: backend wasm is not usable here; available: 'cpu'\n {2}wasm-simd: wasm-simd cannot be loaded by a synchronous call before WebAssembly is loaded/,
    );
    expect(() => resolveBackendSync(undefined, closureSync, envWith('wasm'))).toThrow(/NLSQ_BACKEND=wasm is not usable here/);
    const r = resolveBackendSync(undefined, closureSync, envWith('wasm,cpu'));
    expect(r.backend.info.name).toBe('cpu');
    expect(r.reason).toMatch(/skipped wasm-simd: .*before WebAssembly is loaded/);
    r.release?.();
  });
});

describe('once an asynchronous call has loaded WebAssembly', () => {
  it('curveFitSync runs on wasm by default, with the same answer as on a caller’s wasm instance', async () => {
    const first = await curveFit(expo, x, y, { p0: [1, 1, 0] });
    expect(first.backend).toBe('wasm-simd');
    const r = curveFitSync(expo, x, y, { p0: [1, 1, 0] });
    expect(r.backend).toBe('wasm-simd');
    expect(r.choices.backend!.reason).toMatch(/automatic choice: wasm-simd/);
    const mine = await createWasmBackend();
    const own = curveFitSync(expo, x, y, { p0: [1, 1, 0], backend: mine });
    expect(r.popt).toEqual(own.popt);
    expect(r.pcov).toEqual(own.pcov);
    expect([r.nfev, r.njev, r.nit, r.status]).toEqual([own.nfev, own.njev, own.nit, own.status]);
    expect(r.popt).toEqual(first.popt);
  });

  it('a named wasm backend loads synchronously, and is released like any other', () => {
    const before = outstandingBackendLoads();
    const r = resolveBackendSync('wasm', closureSync, noEnv);
    expect(r.backend.info.name).toBe('wasm-simd');
    expect(outstandingBackendLoads()).toBe(before + 1);
    r.release!();
    expect(outstandingBackendLoads()).toBe(before);
  });

  it('with no idle instance it instantiates one synchronously; where that is refused it falls back to the CPU backend', () => {
    const pool = wasmPoolModule.loaded!;
    pool.takeIdleWasmBackend(true); // no idle SIMD instance left
    const fresh = resolveBackendSync(undefined, closureSync, noEnv);
    expect(fresh.backend.info.name).toBe('wasm-simd');
    expect(fresh.reason).toMatch(/instantiated synchronously/);
    // A browser's main thread refuses synchronous instantiation of modules over 4 KB.
    pool.takeIdleWasmBackend(true);
    pool.takeIdleWasmBackend(false);
    vi.spyOn(WebAssembly, 'Instance').mockImplementation(function refused() {
      throw new RangeError('WebAssembly.Instance is disallowed on the main thread, if the buffer size is larger than 4KB');
    });
    const r = resolveBackendSync(undefined, closureSync, noEnv);
    expect(r.backend.info.name).toBe('cpu');
    expect(r.reason).toMatch(/skipped wasm-simd: the WebAssembly SIMD build cannot be instantiated synchronously here: .*disallowed on the main thread/);
    fresh.release?.();
    r.release?.();
  });
});
