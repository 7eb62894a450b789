import { describe, expect, it } from 'vitest';
import { ModelEvaluationError, NlsqError } from '../src/errors.ts';
import { leastSquares } from '../src/least-squares.ts';

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
