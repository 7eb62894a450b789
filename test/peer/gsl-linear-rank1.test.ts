/**
 * GSL's rank-deficient linear problem `linear_rank1` (multifit_nlinear/test_lin2.c) on every
 * backend that loads here, against its certified solution and SciPy's evaluation counts
 * (scripts/fixtures/gsl-linear-rank1.py). Issue 21's peer finding: with an analytic Jacobian, trf
 * on wasm-simd stopped at 1.4e-9 relative after 50 evaluations where cpu and SciPy converge —
 * the wasm fold cancelled the dependent columns to exact zeros (see `assembly/fold.ts`).
 */
import { describe, expect, it } from 'vitest';
import { leastSquaresSync } from '../../src/least-squares.ts';
import { loadBackendsUnderTest } from '../backends/backends-under-test.ts';

const N = 20;
const P = 5;
/** f_i(x) = (i+1)·S(x) − 1 with S(x) = Σ_j (j+1)·x_j. */
const fun = (x: Float64Array) => {
  let s = 0;
  for (let j = 0; j < P; j++) s += (j + 1) * x[j]!;
  return Array.from({ length: N }, (_, i) => (i + 1) * s - 1);
};
/** J_ij = (i+1)(j+1): rank 1. */
const jac = () => Array.from({ length: N }, (_, i) => Array.from({ length: P }, (_, j) => (i + 1) * (j + 1)));
const x0 = [1, 1, 1, 1, 1];

/** GSL's checksol: S = 3/(2N+1) and Σ f² = N(N−1)/(2(2N+1)), to epsrel 1e-10. */
const S_EXACT = 3 / (2 * N + 1);
const COST_EXACT = (N * (N - 1)) / (4 * (2 * N + 1));
const EPSREL = 1e-10;
/** SciPy 1.17 least_squares(jac=analytic), default tolerances: nfev per method. */
const SCIPY_NFEV = { trf: 3, dogbox: 3, lm: 2 } as const;

const coefficientSum = (x: Float64Array) => x.reduce((s, v, j) => s + (j + 1) * v, 0);

const loaded = await loadBackendsUnderTest();

describe.each(loaded)('GSL linear_rank1 on $name', ({ backend, skipReason }) => {
  it.skipIf(backend === null).each(['trf', 'dogbox', 'lm'] as const)(`%s reaches the certified solution in SciPy’s evaluations${skipReason === null ? '' : ` (skipped: ${skipReason})`}`, (method) => {
    const r = leastSquaresSync(fun, x0, { jac, method, backend: backend! });
    expect(r.success).toBe(true);
    expect(Math.abs(coefficientSum(r.x) / S_EXACT - 1)).toBeLessThan(EPSREL);
    expect(Math.abs(r.cost / COST_EXACT - 1)).toBeLessThan(EPSREL);
    expect(r.nfev).toBe(SCIPY_NFEV[method]);
  });

  it.skipIf(backend === null)('trf at tolerances 1e-15 (the issue’s run) reaches 1e-12 within the cpu backend’s evaluations', () => {
    const tight = { jac, method: 'trf', xtol: 1e-15, ftol: 1e-15, gtol: 1e-15 } as const;
    const r = leastSquaresSync(fun, x0, { ...tight, backend: backend! });
    const ref = leastSquaresSync(fun, x0, { ...tight, backend: 'cpu' });
    expect(Math.abs(coefficientSum(r.x) / S_EXACT - 1)).toBeLessThan(1e-12);
    expect(r.nfev).toBeLessThanOrEqual(ref.nfev);
  });
});
