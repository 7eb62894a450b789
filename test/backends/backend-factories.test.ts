import { describe, expect, it } from 'vitest';
import { createWasmBackend, createWebGPUBackend } from '../../src/backends/backend-factories.ts';
import { curveFit, curveFitSync } from '../../src/curve-fit.ts';
import { BackendUnavailableError } from '../../src/errors.ts';
import { leastSquaresSync } from '../../src/least-squares.ts';
import { model } from '../../src/model/model.ts';
import { takeIdleWasmBackend } from '../../src/backends/wasm/wasm-pool.ts';

const x = Float64Array.from({ length: 200 }, (_, i) => i / 40);
const y = Float64Array.from(x, (t) => 2 * Math.exp(-0.7 * t) + 0.1);
const expr = model('a*exp(-b*x) + c');

describe('createWasmBackend (main entry)', () => {
  it('creates either build, which then serves the synchronous functions exactly as the asynchronous ones', async () => {
    for (const simd of [true, false]) {
      const wasm = await createWasmBackend({ simd });
      expect(wasm.info.name).toBe(simd ? 'wasm-simd' : 'wasm-scalar');
      const sync = curveFitSync(expr, x, y, { p0: [1, 1, 0], backend: wasm });
      const async_ = await curveFit(expr, x, y, { p0: [1, 1, 0], backend: wasm });
      expect(sync.backend).toBe(wasm.info.name);
      // The instance comes with the WASM model compiler loaded, so the synchronous fit runs the same WASM kernel: bit for bit.
      expect(sync.popt).toEqual(async_.popt);
      expect(sync.pcov).toEqual(async_.pcov);
      expect([sync.nfev, sync.njev]).toEqual([async_.nfev, async_.njev]);
      expect(leastSquaresSync((p) => [p[0]! - 3, 2 * (p[1]! + 1)], [0, 0], { backend: wasm }).x).toEqual([3, -1]);
    }
  });

  it('hands out an instance of the caller’s own, which a fit never puts in the pool', async () => {
    const wasm = await createWasmBackend();
    await curveFit(expr, x, y, { p0: [1, 1, 0], backend: wasm });
    for (let b = takeIdleWasmBackend(true); b !== undefined; b = takeIdleWasmBackend(true)) expect(b).not.toBe(wasm);
  });

  it('rejects a malformed option with a message naming it', async () => {
    await expect(createWasmBackend({ simd: 'yes' as unknown as boolean })).rejects.toThrow(/createWasmBackend: simd must be a boolean or omitted, got "yes"/);
  });
});

describe('createWebGPUBackend (main entry)', () => {
  it.skipIf(typeof navigator !== 'undefined' && 'gpu' in navigator)('says where to get a GPU from when the runtime has none', async () => {
    const error = await createWebGPUBackend().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as Error).message).toMatch(/createWebGPUBackend: WebGPU is not available in this runtime .*in Node pass \{ gpu \} from the 'webgpu' package/);
  });
});
