/**
 * The per-call caches that keep a small fit free of fixed cost (issue 13): `wasmSupport` is
 * answered once per engine, the exp table is parsed once, and kernels of one model on one
 * backend share a module instance — which must not couple them: each kernel keeps its own
 * scratch and resident data.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createWasmBackend, wasmSupport } from '../../../src/backends/wasm/wasm-backend.ts';
import { createWasmModelKernel } from '../../../src/backends/wasm/wasm-model-kernel.ts';
import { model } from '../../../src/model/model.ts';

afterEach(() => vi.restoreAllMocks());

describe('wasmSupport', () => {
  it('validates the builds once, and again only when WebAssembly.validate is replaced', async () => {
    const first = await wasmSupport();
    const spy = vi.spyOn(WebAssembly, 'validate');
    const again = await wasmSupport();
    expect(again).toEqual(first);
    expect(spy).toHaveBeenCalled(); // the spy replaced validate: a new answer was computed
    spy.mockClear();
    await wasmSupport();
    expect(spy).not.toHaveBeenCalled(); // same (spied) validate: the kept answer
    vi.restoreAllMocks();
    expect(await wasmSupport()).toEqual(first);
  });
});

describe('kernels of one model on one backend', () => {
  it.each([true, false])('share an instance but not their data or scratch (simd %s)', async (simd) => {
    const backend = await createWasmBackend({ simd });
    const m = model('a*exp(-b*x) + c');
    const n = 37;
    const x1 = Float64Array.from({ length: n }, (_, i) => i / 7);
    const x2 = Float64Array.from({ length: n }, (_, i) => 2 - i / 11);
    const y1 = x1.map((v) => 3 * Math.exp(-1.2 * v) + 0.5);
    const y2 = x2.map((v) => Math.exp(-0.3 * v) - 1);
    const d1 = { x: [x1], y: y1, w: null };
    const d2 = { x: [x2], y: y2, w: null };
    const k1 = createWasmModelKernel(m.program, backend, { resident: d1 })!;
    const k2 = createWasmModelKernel(m.program, backend, { resident: d2 })!;
    const js = m.createKernel();
    const theta = Float64Array.of(2.5, 0.9, 0.1);
    const run = (k: typeof js, d: typeof d1): Float64Array => {
      const rows = new Float64Array(n * 4);
      k.residualRows!(theta, d, 0, n, rows, 0);
      return rows;
    };
    const a1 = run(k1, d1);
    const a2 = run(k2, d2);
    const b1 = run(k1, d1);
    expect(Array.from(b1)).toEqual(Array.from(a1));
    expect(a1).toBeAllclose(run(js, d1), { rtol: 1e-13, atol: 1e-15 });
    expect(a2).toBeAllclose(run(js, d2), { rtol: 1e-13, atol: 1e-15 });
    k1.dispose();
    expect(run(k2, d2)).toEqual(a2);
    k2.dispose();
  });
});
