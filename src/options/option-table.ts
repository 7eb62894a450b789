/**
 * The option table: every public option, the SciPy keyword it maps to, and which functions
 * accept it. Resolution rejects unknown keys (a SciPy spelling gets a pointer to ours) so that a
 * misspelt option is never silently ignored.
 *
 * @module
 */
import { NlsqRangeError } from '../errors.ts';

/** One row of the compatibility table. */
export interface OptionRow {
  /** Our name. */
  readonly name: string;
  /** SciPy's keyword (`curve_fit` / `least_squares`), or `'—'` when SciPy has none. */
  readonly scipy: string;
  /** Accepted by `curveFit` / `curveFitSync`. */
  readonly curveFit: boolean;
  /** Accepted by `leastSquares`. */
  readonly leastSquares: boolean;
  /** One-line meaning and default. */
  readonly doc: string;
}

const row = (name: string, scipy: string, curveFit: boolean, leastSquares: boolean, doc: string): OptionRow =>
  Object.freeze({ name, scipy, curveFit, leastSquares, doc });

/** Every public option of curveFit and leastSquares. */
export const OPTION_TABLE: readonly OptionRow[] = Object.freeze([
  row('p0', 'p0', true, false, 'initial parameters; default ones (or inside finite bounds), or "auto" for a model'),
  row('params', '—', true, false, 'named parameters (params({ … })): values, min/max, vary, expr ties; instead of p0/bounds'),
  row('sigma', 'sigma', true, false, '1-D σ per point (residuals (f−y)/σ) or an n×n covariance matrix'),
  row('absoluteSigma', 'absolute_sigma', true, false, 'do not scale pcov by the reduced χ²; default false'),
  row('checkFinite', 'check_finite', true, false, 'reject NaN/±Infinity in the data; default true unless nanPolicy'),
  row('nanPolicy', 'nan_policy', true, false, "'raise' or 'omit' ('propagate' unsupported)"),
  row('bounds', 'bounds', true, true, '[lb, ub], scalars or arrays, ±Infinity for none'),
  row('method', 'method', true, true, "'trf' | 'dogbox' | 'lm'"),
  row('jac', 'jac', true, true, "'2-point' | '3-point' | function"),
  row('loss', 'loss', true, true, "'linear' | 'soft_l1' | 'huber' | 'cauchy' | 'arctan' | function"),
  row('fScale', 'f_scale', true, true, 'soft margin of the robust loss; default 1'),
  row('xScale', 'x_scale', true, true, "'jac' or positive scales; default 'jac' for lm, 1 otherwise"),
  row('ftol', 'ftol', true, true, 'relative cost-change tolerance; default 1e-8'),
  row('xtol', 'xtol', true, true, 'relative step tolerance; default 1e-8'),
  row('gtol', 'gtol', true, true, 'gradient tolerance; default 1e-8'),
  row('maxNfev', 'max_nfev / maxfev', true, true, 'evaluation limit; default as SciPy'),
  row('diffStep', 'diff_step / epsfcn', true, true, 'relative finite-difference step'),
  row('verbose', 'verbose', true, true, '0, 1 or 2; lines go to log'),
  row('log', '—', true, true, 'receives verbose lines'),
  row('backend', '—', true, true, 'backend name, instance or list'),
  row('signal', '—', true, true, 'AbortSignal that cancels the fit'),
  row('global', '—', true, true, "multi-start ('sobol' | 'halton' | 'lhs' | 'random', true) or 'cmaes' search for the global minimum; off by default"),
  row('onIteration', 'callback', true, true, 'per-iteration callback; false stops the fit'),
  row('blockRows', '—', true, false, 'rows per block of the data walk'),
  row('workers', '—', true, true, "'auto' or a count: fold shares of the rows on that many workers (0 or omitted: the main thread); leastSquares's fun is a closure and stays on the main thread"),
  row('polish', '—', true, false, 'WebGPU: finish on an f64 backend; default true'),
  row('lift', '—', true, false, 'lift a plain function to an expression model when its source allows; default true'),
  row('constants', '—', true, false, "values of a plain function's free identifiers, for lifting"),
]);

/** SciPy spellings (snake_case or old names) → ours, for helpful messages. */
const SCIPY_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  absolute_sigma: 'absoluteSigma',
  check_finite: 'checkFinite',
  nan_policy: 'nanPolicy',
  f_scale: 'fScale',
  x_scale: 'xScale',
  max_nfev: 'maxNfev',
  maxfev: 'maxNfev',
  maxNfEv: 'maxNfev',
  diff_step: 'diffStep',
  epsfcn: 'diffStep',
  callback: 'onIteration',
  x0: 'p0',
});

/** The keys of {@link OPTION_TABLE} for the curve-fit or the least-squares entry points, built once each. */
const TABLE_KEYS = new Map<boolean, ReadonlySet<string>>();

function tableKeys(forCurveFit: boolean): ReadonlySet<string> {
  let keys = TABLE_KEYS.get(forCurveFit);
  if (keys === undefined) {
    keys = new Set(OPTION_TABLE.filter((r) => (forCurveFit ? r.curveFit : r.leastSquares)).map((r) => r.name));
    TABLE_KEYS.set(forCurveFit, keys);
  }
  return keys;
}

/**
 * Reject option keys that the function does not accept.
 *
 * @param caller - `'curveFit'`, `'curveFitSync'`, `'leastSquares'` or `'leastSquaresSync'` (the
 *   option table of leastSquares for the last two).
 * @param options - the caller's option object.
 * @param extraKeys - further keys a wrapping function (e.g. the workflow's `fit`) accepts.
 * @throws NlsqRangeError naming the unknown key, with the right spelling when it is a SciPy one.
 */
export function checkOptionKeys(caller: string, options: object, extraKeys: readonly string[] = []): void {
  const forCurveFit = !caller.startsWith('leastSquares');
  const allowed = extraKeys.length === 0 ? tableKeys(forCurveFit) : new Set<string>([...tableKeys(forCurveFit), ...extraKeys]);
  for (const key of Object.keys(options)) {
    if (allowed.has(key)) continue;
    const alias = SCIPY_ALIASES[key];
    const hint = alias !== undefined && allowed.has(alias) ? `; did you mean '${alias}'?` : '';
    throw new NlsqRangeError(
      `${caller}: unknown option '${key}'${hint} (accepted: ${[...allowed].sort().join(', ')})`,
      key,
    );
  }
}
