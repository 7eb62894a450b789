/**
 * The resolved options every solver sees, and SciPy's default evaluation limits.
 *
 * The public layer (`curveFit`, `leastSquares`) validates and defaults the user's options once,
 * from its table, into a {@link SolverOptions}; the solvers never re-decide anything.
 *
 * @module
 */
import { NlsqRangeError } from '../errors.ts';

/** The three trust-region methods, SciPy's names. */
export type SolverMethod = 'trf' | 'dogbox' | 'lm';

/** Fully resolved solver options (everything defaulted and validated). */
export interface SolverOptions {
  /** Algorithm. */
  readonly method: SolverMethod;
  /** Starting point (length p). `trf` moves it strictly inside the bounds itself, as SciPy does. */
  readonly x0: Float64Array;
  /** Lower bounds (−∞ where absent; all −∞ for `lm`). */
  readonly lb: Float64Array;
  /** Upper bounds (+∞ where absent; all +∞ for `lm`). */
  readonly ub: Float64Array;
  /** Relative cost-reduction tolerance (SciPy `ftol`; 0 disables it for trf/dogbox). */
  readonly ftol: number;
  /** Relative step tolerance (SciPy `xtol`). */
  readonly xtol: number;
  /** Gradient tolerance (SciPy `gtol`). */
  readonly gtol: number;
  /**
   * Evaluation limit (SciPy `max_nfev`); counted as the method counts (see {@link defaultMaxNfev}).
   */
  readonly maxNfev: number;
  /**
   * Characteristic variable scales (SciPy `x_scale`), or `'jac'` for Moré's running column-norm
   * scaling. For `lm`: `'jac'` ⇒ MINPACK mode 1, an array ⇒ mode 2 with diag = 1/xScale.
   */
  readonly xScale: Float64Array | 'jac';
  /**
   * Extra evaluations counted in nfev per Jacobian evaluation. 0 except for `lm` with a
   * finite-difference Jacobian on the `curveFit` (`leastsq`/`lmdif`) path, where MINPACK counts the
   * p forward-difference calls: then p.
   */
  readonly jacobianCostsNfev: number;
  /** Public function name used in error messages (default `'leastSquares'`). */
  readonly caller?: string;
}

/** Which SciPy entry point's counting and limits to reproduce. */
export type NfevConvention = 'least_squares' | 'leastsq';

/**
 * SciPy's default evaluation limit.
 *
 * - `least_squares` (SciPy ≥ 1.16), every method: 100·p. The count excludes the
 *   finite-difference evaluations for all methods (lm goes through `lmder` with the Jacobian
 *   from `VectorFunction`).
 * - `leastsq` (what `curve_fit(method='lm')` calls): `lmdif` with a finite-difference Jacobian
 *   counts those evaluations too and defaults to 200·(p+1); `lmder` with an analytic Jacobian
 *   defaults to 100·(p+1).
 *
 * `curveFit` with trf/dogbox goes through `least_squares` (100·p); with lm through `leastsq`.
 *
 * @param method - the algorithm.
 * @param p - number of parameters.
 * @param jacIsFiniteDifference - whether the Jacobian is approximated by differences.
 * @param convention - which SciPy entry point to follow (default `'least_squares'`; only affects lm).
 * @returns the default `maxNfev`.
 * @example
 * ```ts
 * defaultMaxNfev('trf', 3, true);            // 300
 * defaultMaxNfev('lm', 3, true, 'leastsq');  // 800
 * defaultMaxNfev('lm', 3, false, 'leastsq'); // 400
 * ```
 */
export function defaultMaxNfev(
  method: SolverMethod,
  p: number,
  jacIsFiniteDifference: boolean,
  convention: NfevConvention = 'least_squares',
): number {
  if (method === 'lm' && convention === 'leastsq') return (jacIsFiniteDifference ? 200 : 100) * (p + 1);
  return 100 * p;
}

/**
 * Check resolved options the way SciPy's `least_squares` (or `leastsq`) checks its arguments,
 * so that a solver never starts on input SciPy would refuse.
 *
 * - lengths of lb, ub, xScale equal to x0's; x0 finite; lb < ub; lb ≤ x0 ≤ ub;
 * - `lm`: no finite bound ("Method 'lm' doesn't support bounds");
 * - tolerances: `least_squares` lm needs ftol, xtol, gtol ≥ ε; trf/dogbox need at least one ≥ ε;
 *   `leastsq` only needs them ≥ 0 (its gtol defaults to 0);
 * - maxNfev a positive integer, xScale `'jac'` or positive finite, jacobianCostsNfev a
 *   non-negative integer.
 *
 * @param o - the options to check.
 * @param convention - which SciPy entry point's rules apply (default `'least_squares'`).
 * @throws NlsqRangeError naming the argument, what was expected and what came.
 */
export function checkSolverOptions(o: SolverOptions, convention: NfevConvention = 'least_squares'): void {
  const caller = o.caller ?? 'leastSquares';
  const p = o.x0.length;
  const fail = (argument: string, text: string, code: 'ERR_RANGE' | 'ERR_SHAPE' | 'ERR_NON_FINITE' | 'ERR_INFEASIBLE' = 'ERR_RANGE'): never => {
    throw new NlsqRangeError(`${caller}: ${text}`, argument, code);
  };
  if (!o.x0.every(Number.isFinite)) fail('p0', `p0 must be finite, got ${Array.from(o.x0).join(', ')}`, 'ERR_NON_FINITE');
  if (o.lb.length !== p) fail('bounds', `the lower bounds must have length ${p} (one per parameter), got ${o.lb.length}`, 'ERR_SHAPE');
  if (o.ub.length !== p) fail('bounds', `the upper bounds must have length ${p} (one per parameter), got ${o.ub.length}`, 'ERR_SHAPE');
  for (let i = 0; i < p; i++) {
    if (!(o.lb[i]! < o.ub[i]!)) fail('bounds', `each lower bound must be strictly less than its upper bound, got lb[${i}] = ${o.lb[i]} ≥ ub[${i}] = ${o.ub[i]}`, 'ERR_INFEASIBLE');
    if (!(o.x0[i]! >= o.lb[i]! && o.x0[i]! <= o.ub[i]!)) {
      fail('p0', `the initial guess must lie within the bounds, got p0[${i}] = ${o.x0[i]} outside [${o.lb[i]}, ${o.ub[i]}]`, 'ERR_INFEASIBLE');
    }
  }
  if (o.method === 'lm' && (o.lb.some((v) => v !== -Infinity) || o.ub.some((v) => v !== Infinity))) {
    fail('bounds', "method 'lm' does not support bounds; use 'trf' or 'dogbox'");
  }
  checkTolerances(o, convention, fail);
  if (!(Number.isInteger(o.maxNfev) && o.maxNfev > 0)) fail('maxNfev', `maxNfev must be a positive integer, got ${o.maxNfev}`);
  if (o.xScale !== 'jac') {
    if (o.xScale.length !== p) fail('xScale', `xScale must be 'jac' or have length ${p} (one per parameter), got ${o.xScale.length}`, 'ERR_SHAPE');
    if (!o.xScale.every((s) => Number.isFinite(s) && s > 0)) fail('xScale', `xScale must be 'jac' or positive finite numbers, got ${Array.from(o.xScale).join(', ')}`);
  }
  if (!(Number.isInteger(o.jacobianCostsNfev) && o.jacobianCostsNfev >= 0)) {
    fail('jacobianCostsNfev', `jacobianCostsNfev must be a non-negative integer, got ${o.jacobianCostsNfev}`);
  }
}

function checkTolerances(o: SolverOptions, convention: NfevConvention, fail: (argument: string, text: string) => never): void {
  const eps = 2 ** -52;
  const tols = { ftol: o.ftol, xtol: o.xtol, gtol: o.gtol };
  for (const [name, v] of Object.entries(tols)) {
    if (!(v >= 0 && Number.isFinite(v))) fail(name, `${name} must be a finite number ≥ 0, got ${v}`);
  }
  const listed = `ftol = ${o.ftol}, xtol = ${o.xtol}, gtol = ${o.gtol}`;
  if (o.method === 'lm' && convention === 'least_squares' && (o.ftol < eps || o.xtol < eps || o.gtol < eps)) {
    fail('ftol', `all tolerances must be at least machine epsilon (2.2e-16) for method 'lm', got ${listed}`);
  }
  if (o.method !== 'lm' && o.ftol < eps && o.xtol < eps && o.gtol < eps) {
    fail('ftol', `at least one of ftol, xtol, gtol must be at least machine epsilon (2.2e-16), got ${listed}`);
  }
}
