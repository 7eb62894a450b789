/**
 * Every evaluation counted, none wasted (issue 13): SciPy's `test_nfev`
 * (`scipy/optimize/tests/test_least_squares.py`, for trf, dogbox and lm) with a counting residual
 * function, extended to `'2-point'` differences, no limit, bounds and `curveFit`.
 *
 * The expected numbers were measured with SciPy 1.17.1 (`python3`) on the same problem: Rosenbrock
 * residuals [10(x₂ − x₁²), 1 − x₁] from x0 = `rng.uniform(size=2) * 10` with
 * `np.random.default_rng(128908)`, counting the calls of `fun` made by `least_squares`:
 *
 * ```
 *   method  jac       max_nfev  nfev  njev  calls
 *   trf     analytic  1 / 2 / ∞  1/2/4 1/2/4 1/2/4
 *   trf     2-point   1 / 2 / ∞  1/2/4 1/2/4 3/6/12
 *   dogbox  (as trf)
 *   lm      analytic  1 / 2      2/2   1/1   2/2
 *   lm      2-point   1 / 2 / ∞  2/2/6  –    7/7/16
 * ```
 */
import { describe, expect, it } from 'vitest';
import { curveFitSync, leastSquares, leastSquaresSync } from '../../src/index.ts';

const x0 = [3.7961023608402398, 6.63704636306878];
const rosenbrockJac = (x: Float64Array) => [[-20 * x[0]!, 10], [-1, 0]];

function counted(): { fun: (x: Float64Array) => number[]; calls: () => number } {
  let n = 0;
  return {
    fun: (x) => {
      n += 1;
      return [10 * (x[1]! - x[0]! ** 2), 1 - x[0]!];
    },
    calls: () => n,
  };
}

describe('leastSquares calls fun exactly as often as nfev says (SciPy test_nfev)', () => {
  it.each(['trf', 'dogbox', 'lm'] as const)('%s with an analytic Jacobian at maxNfev 1 and 2: calls = nfev', (method) => {
    for (const maxNfev of [1, 2]) {
      const { fun, calls } = counted();
      const r = leastSquaresSync(fun, x0, { jac: rosenbrockJac, method, maxNfev });
      expect(r.nfev).toBe(calls());
      expect([r.nfev, r.njev]).toEqual(method === 'lm' ? [2, 1] : [maxNfev, maxNfev]);
    }
  });

  it.each([
    ['trf', 4],
    ['dogbox', 4],
  ] as const)('%s to convergence with an analytic Jacobian: nfev = njev = calls = %i as in SciPy', (method, expected) => {
    const { fun, calls } = counted();
    const r = leastSquaresSync(fun, x0, { jac: rosenbrockJac, method });
    expect(r.status).toBe('gtol');
    expect([r.nfev, r.njev, calls()]).toEqual([expected, expected, expected]);
  });

  it('lm to convergence with an analytic Jacobian: calls = nfev (MINPACK lmder counts every call of fun)', () => {
    const { fun, calls } = counted();
    const r = leastSquaresSync(fun, x0, { jac: rosenbrockJac, method: 'lm' });
    expect(calls()).toBe(r.nfev);
  });

  it.each([
    ['trf', 1, 3],
    ['trf', 2, 6],
    ['trf', undefined, 12],
    ['dogbox', 1, 3],
    ['dogbox', 2, 6],
    ['dogbox', undefined, 12],
  ] as const)("%s '2-point' at maxNfev %s: nfev as SciPy and %i calls (nfev + p per Jacobian), as SciPy", (method, maxNfev, expected) => {
    const { fun, calls } = counted();
    const r = leastSquaresSync(fun, x0, { method, ...(maxNfev === undefined ? {} : { maxNfev }) });
    expect(calls()).toBe(expected);
    expect(calls()).toBe(r.nfev + 2 * r.njev);
    if (maxNfev !== undefined) expect(r.nfev).toBe(maxNfev);
  });

  it.each([
    [1, 7],
    [2, 7],
    [undefined, 16],
  ] as const)("lm '2-point' at maxNfev %s: nfev as SciPy, no more calls than SciPy's %i", (maxNfev, scipyCalls) => {
    const { fun, calls } = counted();
    const r = leastSquaresSync(fun, x0, { method: 'lm', ...(maxNfev === undefined ? {} : { maxNfev }) });
    if (maxNfev !== undefined) expect(r.nfev).toBe(2);
    expect(calls()).toBeLessThanOrEqual(scipyCalls);
  });

  it('the asynchronous leastSquares counts the same', async () => {
    const { fun, calls } = counted();
    const r = await leastSquares(fun, x0, { method: 'trf', maxNfev: 2 });
    expect([r.nfev, calls()]).toEqual([2, 6]);
  });

  it('trf from x0 on a bound calls fun once at the strictly feasible start, not again at x0', () => {
    const { fun, calls } = counted();
    const r = leastSquaresSync(fun, [0, 0], { jac: rosenbrockJac, bounds: [[0, 0], [2, 2]] });
    expect(calls()).toBe(r.nfev);
    expect(r.x).toBeAllclose([1, 1], { rtol: 1e-6 });
  });

  it('result.fun and result.jac are the residuals and Jacobian at x without further calls', () => {
    const { fun, calls } = counted();
    const r = leastSquaresSync(fun, x0, { method: 'trf', maxNfev: 3 });
    const before = calls();
    expect(Array.from(r.fun)).toEqual(fun(Float64Array.from(r.x)));
    expect(before).toBe(r.nfev + 2 * r.njev);
  });
});

describe('curveFit counts the calls of a closure model (SciPy curve_fit)', () => {
  const xs = Array.from({ length: 50 }, (_, i) => (4 * i) / 49);
  const ys = xs.map((x) => 2.5 * Math.exp(-1.3 * x) + 0.5);

  // SciPy 1.17.1 on this problem: trf/dogbox nfev 6 with 24 calls per point (6 + 3 differences × 6
  // Jacobians); lm (leastsq) nfev 25 = calls. nlsq's lm, like leastsq, ends on the accepted step
  // without a Jacobian there and makes the covariance from the last Jacobian (leastsq's fjac).
  it.each([
    ['trf', 6, 24],
    ['dogbox', 6, 24],
    ['lm', 25, 25],
  ] as const)('%s: nfev %i, %i calls per point', (method, nfev, perPoint) => {
    let n = 0;
    const model = (x: number, a: number, b: number, c: number): number => {
      n += 1;
      return a * Math.exp(-b * x) + c;
    };
    const r = curveFitSync(model, xs, ys, { p0: [1, 1, 1], method, lift: false });
    expect(r.nfev).toBe(nfev);
    expect(n / xs.length).toBe(perPoint);
  });
});
