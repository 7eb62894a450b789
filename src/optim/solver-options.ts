/**
 * The resolved options every solver sees (types only).
 *
 * The options layer (`options/solver-settings.ts`) validates and defaults the user's options
 * once, from its table, into a {@link SolverOptions}; the solvers never check or re-decide
 * anything.
 *
 * @module
 */

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
   * Evaluation limit (SciPy `max_nfev`); counted as the method counts (default: `defaultMaxNfev` of the options layer).
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
