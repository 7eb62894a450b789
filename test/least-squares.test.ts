import { describe, expect, it } from 'vitest';
import { ModelEvaluationError, NlsqError } from '../src/errors.ts';
import { leastSquares, leastSquaresSync } from '../src/least-squares.ts';
import { createWasmBackend } from '../src/backends/wasm/wasm-backend.ts';

const rosen = (x: Float64Array) => [10 * (x[1]! - x[0]! ** 2), 1 - x[0]!];

describe('leastSquares', () => {
  it('solves the Rosenbrock problem with the default trf and reports in SciPy’s shape', async () => {
    const r = await leastSquares(rosen, [-1.2, 1]);
    expect(r.method).toBe('trf');
    expect(r.x[0]).toBeCloseTo(1, 8);
    expect(r.x[1]).toBeCloseTo(1, 8);
    expect(r.cost).toBeLessThan(1e-20);
    expect(r.success).toBe(true);
    expect(r.jac).toHaveLength(2);
    expect(r.grad).toHaveLength(2);
    expect(r.report({ full: true })).toMatch(/leastSquares: success/);
  });

  it('gives each argument error SciPy gives, naming the argument', async () => {
    await expect(leastSquares(rosen, [2, 2], { bounds: [[0, 0], [1, 1]] })).rejects.toThrow(/leastSquares: x0 is infeasible: x0\[0\] = 2 is outside the bounds \[0, 1\]/);
    await expect(leastSquares(rosen, [2, 2], { method: 'lm', bounds: [0, 10] })).rejects.toThrow(/method 'lm' only works for unconstrained problems/);
    await expect(leastSquares(rosen, [2, 2], { method: 'lm', loss: 'huber' })).rejects.toThrow(/'lm' supports only the 'linear' loss/);
    await expect(leastSquares(rosen, [2, 2], { method: 'lm', gtol: 1e-20 })).rejects.toThrow(/all tolerances must be ≥ machine epsilon .* for method 'lm'/);
    await expect(leastSquares((x) => [x[0]!], [2, 2], { method: 'lm' })).rejects.toThrow(/method 'lm' does not work when the number of residuals \(1\) is less than the number of variables \(2\)/);
    await expect(leastSquares(rosen, [2, 2], { xScale: [1] })).rejects.toThrow(/xScale must have length 2 \(one per parameter\), got 1/);
    await expect(leastSquares(rosen, [2, 2], { p0: [1, 1] } as never)).rejects.toThrow(/unknown option 'p0'/);
    await expect(leastSquares(rosen, [NaN, 2])).rejects.toThrow(/x0 must be finite, got NaN at index 0/);
  });

  it('rejects residuals that are not finite at x0 and passes on errors thrown by fun', async () => {
    await expect(leastSquares(() => [1, NaN], [0])).rejects.toThrow(/residuals must be finite at x0 = \[0\], got NaN at index 1/);
    const boom = new Error('boom');
    const error = await leastSquares(() => { throw boom; }, [0]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelEvaluationError);
    expect((error as Error).cause).toBe(boom);
  });

  it('allows fewer residuals than variables with trf, as SciPy does', async () => {
    const r = await leastSquares((x) => [x[0]! + x[1]! - 2], [0, 0]);
    expect(r.x[0]! + r.x[1]!).toBeCloseTo(2, 8);
  });

  it('honours onIteration returning false and an aborted signal', async () => {
    const stopped = await leastSquares(rosen, [-1.2, 1], { onIteration: () => false });
    expect(stopped.status).toBe('stopped');
    expect(stopped.success).toBe(false);
    const controller = new AbortController();
    controller.abort();
    const error = await leastSquares(rosen, [-1.2, 1], { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NlsqError);
    expect((error as NlsqError).code).toBe('ERR_ABORTED');
  });
});

describe('leastSquaresSync', () => {
  it('returns what leastSquares returns, for each method, with bounds and a robust loss', async () => {
    const cases: Parameters<typeof leastSquares>[2][] = [{}, { method: 'lm' }, { method: 'dogbox', bounds: [[-2, -2], [0.9, 2]] }, { loss: 'soft_l1', fScale: 0.1, bounds: [[-2, 0], [2, 1.5]] }];
    for (const options of cases) {
      const a = await leastSquares(rosen, [-1.2, 1], options);
      const b = leastSquaresSync(rosen, [-1.2, 1], options);
      expect(b.x).toEqual(a.x);
      expect([b.cost, b.nfev, b.njev, b.status, b.method]).toEqual([a.cost, a.nfev, a.njev, a.status, a.method]);
      expect(b.fun).toEqual(a.fun);
      expect(b.jac).toEqual(a.jac);
    }
  });

  it('checks its arguments under its own name, refuses an asynchronous backend, and honours onIteration', async () => {
    expect(() => leastSquaresSync(rosen, [2, 2], { p0: [1, 1] } as never)).toThrow(/leastSquaresSync: unknown option 'p0'/);
    expect(() => leastSquaresSync(rosen, [NaN, 2])).toThrow(/leastSquaresSync: x0 must be finite, got NaN at index 0/);
    expect(() => leastSquaresSync(() => [1, NaN], [0])).toThrow(/leastSquaresSync: the residuals must be finite at x0 = \[0\], got NaN at index 1/);
    expect(() => leastSquaresSync(rosen, [-1.2, 1], { backend: 'webgpu' })).toThrow(/leastSquaresSync: backend webgpu is not usable here[\s\S]*a WebGPU device is created asynchronously/);
    const wasm = await createWasmBackend();
    expect(leastSquaresSync(rosen, [-1.2, 1], { backend: wasm }).backend).toBe('wasm-simd');
    const stopped = leastSquaresSync(rosen, [-1.2, 1], { onIteration: () => false });
    expect(stopped.status).toBe('stopped');
    const controller = new AbortController();
    controller.abort();
    expect(() => leastSquaresSync(rosen, [-1.2, 1], { signal: controller.signal })).toThrow('leastSquaresSync: the fit was aborted by its AbortSignal');
  });
});
