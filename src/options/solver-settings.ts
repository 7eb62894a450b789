/**
 * Resolution of the options `curveFit` and `leastSquares` share (SciPy `least_squares`'s
 * keywords): method, tolerances, x_scale, max_nfev, diff_step, loss — into a {@link SolverOptions}
 * plus the loss and the finite-difference scheme, with SciPy's checks and messages:
 * `check_tolerance`, `check_x_scale`, "Method 'lm' only works for unconstrained problems",
 * "method='lm' supports only 'linear' loss function".
 *
 * @module
 */
import { NlsqRangeError, NlsqTypeError, describeValue } from '../errors.ts';
import type { JacobianScheme } from '../optim/finite-difference.ts';
import { resolveLoss, type Loss } from '../optim/loss.ts';
import type { SolverMethod, SolverOptions } from '../optim/solver-options.ts';
import type { CommonFitOptions } from './types.ts';
import { requireNumber, requireOneOf, toFloat64 } from './validate.ts';
import { formatExponent } from '../util/format.ts';

const EPS = 2 ** -52;

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

/** The allowed methods. */
export const METHODS: readonly SolverMethod[] = ['trf', 'dogbox', 'lm'];

/** A warning entry that SciPy would have issued with `warnings.warn`. */
export interface FitWarning {
  /** Machine-readable code, e.g. `'covariance-not-estimated'`, `'tolerance-below-eps'`. */
  readonly code: string;
  /** The message. */
  readonly message: string;
}

/** Everything the solver layer needs besides the problem. */
export interface SolverSettings {
  /** The solver options (x0, bounds, tolerances, limits). */
  readonly solver: SolverOptions;
  /** The resolved, scaled loss, or null for linear. */
  readonly loss: Loss | null;
  /** The loss as given (for reports). */
  readonly lossName: string;
  /** The fScale used. */
  readonly fScale: number;
  /** How Jacobians are computed. */
  readonly scheme: JacobianScheme;
  /** Given vs used for the method, and why. */
  readonly methodChoice: { readonly given: string; readonly used: SolverMethod; readonly reason: string };
  /** Warnings raised while resolving. */
  readonly warnings: FitWarning[];
}

/** Inputs of {@link resolveSolverSettings} that the caller has already settled. */
export interface SolverSettingsInput {
  /** Public function name for messages. */
  readonly caller: string;
  /** The caller's options. */
  readonly options: CommonFitOptions;
  /** Validated starting point. */
  readonly x0: Float64Array;
  /** Lower bounds. */
  readonly lb: Float64Array;
  /** Upper bounds. */
  readonly ub: Float64Array;
  /** Default method when none is given: curveFit picks by bounds, leastSquares `'trf'`. */
  readonly defaultMethod: 'by-bounds' | SolverMethod;
  /** True when the Jacobian is analytic (a jac function). */
  readonly analyticJacobian: boolean;
  /** `'leastsq'` for curveFit (lm goes through MINPACK lmdif), `'least_squares'` for leastSquares. */
  readonly convention: NfevConvention;
}

function chooseMethod(input: SolverSettingsInput, bounded: boolean): SolverSettings['methodChoice'] {
  const { caller, options } = input;
  if (options.method !== undefined) {
    const used = requireOneOf(caller, 'method', options.method, METHODS);
    if (used === 'lm' && bounded) {
      throw new NlsqRangeError(
        `${caller}: method 'lm' only works for unconstrained problems; use 'trf' or 'dogbox' with bounds`,
        'method',
      );
    }
    return { given: used, used, reason: 'method given by the caller' };
  }
  if (input.defaultMethod !== 'by-bounds') {
    return { given: 'default', used: input.defaultMethod, reason: `SciPy's default for ${caller}` };
  }
  return bounded
    ? { given: 'default', used: 'trf', reason: "bounds are given, so 'trf' (SciPy's rule)" }
    : { given: 'default', used: 'lm', reason: "no bounds, so 'lm' (SciPy's rule)" };
}

/** SciPy `leastsq`'s defaults (what `curve_fit(method='lm')` calls): ftol = xtol = 1.49012e-8, gtol = 0. */
const LEASTSQ_DEFAULTS = { ftol: 1.49012e-8, xtol: 1.49012e-8, gtol: 0 } as const;

/**
 * SciPy's `check_tolerance` (least_squares): below-eps values warn; lm needs all three ≥ eps,
 * the others one. On the `leastsq` path (curveFit with lm) MINPACK only needs them ≥ 0.
 */
/** One tolerance: the given value (≥ 0) or the convention's default, with SciPy's warning below ε. */
function tolerance(caller: string, options: CommonFitOptions, name: 'ftol' | 'xtol' | 'gtol', leastsq: boolean, warnings: FitWarning[]): number {
  const value = options[name] === undefined ? (leastsq ? LEASTSQ_DEFAULTS[name] : 1e-8) : requireNumber(caller, name, options[name], { min: 0 });
  if (value < EPS && !leastsq) {
    warnings.push({
      code: 'tolerance-below-eps',
      message: `${caller}: setting ${name} = ${value} below the machine epsilon (${formatExponent(EPS, 2)}) effectively disables the corresponding termination condition`,
    });
  }
  return value;
}

function resolveTolerances(caller: string, options: CommonFitOptions, method: SolverMethod, convention: NfevConvention, warnings: FitWarning[]) {
  const leastsq = method === 'lm' && convention === 'leastsq';
  const ftol = tolerance(caller, options, 'ftol', leastsq, warnings);
  const xtol = tolerance(caller, options, 'xtol', leastsq, warnings);
  const gtol = tolerance(caller, options, 'gtol', leastsq, warnings);
  if (leastsq) return { ftol, xtol, gtol };
  if (method === 'lm' && (ftol < EPS || xtol < EPS || gtol < EPS)) {
    throw new NlsqRangeError(`${caller}: all tolerances must be ≥ machine epsilon (${formatExponent(EPS, 2)}) for method 'lm', got ftol = ${ftol}, xtol = ${xtol}, gtol = ${gtol}`, 'ftol');
  }
  if (ftol < EPS && xtol < EPS && gtol < EPS) {
    throw new NlsqRangeError(`${caller}: at least one of ftol, xtol, gtol must be ≥ machine epsilon (${formatExponent(EPS, 2)}), got ${ftol}, ${xtol}, ${gtol}`, 'ftol');
  }
  return { ftol, xtol, gtol };
}

/** SciPy's `check_x_scale`. */
function resolveXScale(caller: string, value: CommonFitOptions['xScale'], p: number, method: SolverMethod): Float64Array | 'jac' {
  if (value === undefined) return method === 'lm' ? 'jac' : new Float64Array(p).fill(1);
  if (value === 'jac') return 'jac';
  const scale = typeof value === 'number' ? new Float64Array(p).fill(value) : toFloat64(caller, 'xScale', value, p, '(one per parameter)');
  for (let j = 0; j < p; j++) {
    if (!(scale[j]! > 0 && Number.isFinite(scale[j]!))) {
      throw new NlsqRangeError(`${caller}: xScale must be 'jac' or positive finite numbers, got ${describeValue(value)}`, 'xScale');
    }
  }
  return scale;
}

function resolveScheme(input: SolverSettingsInput, method: SolverMethod, p: number): JacobianScheme {
  const { caller, options } = input;
  if (input.analyticJacobian) return { kind: 'analytic' };
  const jac = (options as { jac?: unknown }).jac;
  const kind = jac === undefined ? '2-point' : requireOneOf(caller, 'jac', jac, ['2-point', '3-point'] as const);
  const step = options.diffStep;
  if (method === 'lm' && input.convention === 'leastsq') {
    // curve_fit → leastsq → lmdif: forward differences with epsfcn (diffStep² when given).
    if (step === undefined) return { kind: 'minpack', epsfcn: EPS };
    if (typeof step !== 'number') {
      throw new NlsqTypeError(`${caller}: diffStep must be a number for method 'lm' (MINPACK epsfcn = diffStep²), got ${describeValue(step)}`, 'diffStep');
    }
    return { kind: 'minpack', epsfcn: requireNumber(caller, 'diffStep', step, { exclusiveMin: 0 }) ** 2 };
  }
  let relStep: Float64Array | null = null;
  if (step !== undefined) {
    relStep = typeof step === 'number' ? new Float64Array(p).fill(step) : toFloat64(caller, 'diffStep', step, p, '(one per parameter)');
    for (let j = 0; j < p; j++) requireNumber(caller, `diffStep[${j}]`, relStep[j], {});
  }
  const lb = method === 'lm' ? new Float64Array(p).fill(-Infinity) : input.lb;
  const ub = method === 'lm' ? new Float64Array(p).fill(Infinity) : input.ub;
  return { kind: kind === '3-point' ? '3-point' : '2-point', relStep, lb, ub };
}

/**
 * Resolve the shared solver options with SciPy's rules.
 *
 * @param input - the caller, its options, the start and the bounds (already validated).
 * @returns the solver options, loss, Jacobian scheme, method choice and warnings.
 * @throws NlsqRangeError / NlsqTypeError for an invalid method, tolerance, xScale, maxNfev,
 *   diffStep, loss or fScale, and for lm with bounds or a robust loss.
 */
export function resolveSolverSettings(input: SolverSettingsInput): SolverSettings {
  const { caller, options, x0, lb, ub } = input;
  const p = x0.length;
  const warnings: FitWarning[] = [];
  let bounded = false;
  for (let j = 0; j < p; j++) if (lb[j] !== -Infinity || ub[j] !== Infinity) bounded = true;
  const methodChoice = chooseMethod(input, bounded);
  const method = methodChoice.used;
  const lossGiven = options.loss ?? 'linear';
  const fScale = options.fScale === undefined ? 1 : requireNumber(caller, 'fScale', options.fScale, { exclusiveMin: 0 });
  const loss = resolveLoss(lossGiven, fScale, caller);
  if (method === 'lm' && loss !== null) {
    throw new NlsqRangeError(`${caller}: method 'lm' supports only the 'linear' loss, got loss = ${describeValue(lossGiven)}`, 'loss');
  }
  const { ftol, xtol, gtol } = resolveTolerances(caller, options, method, input.convention, warnings);
  const xScale = resolveXScale(caller, options.xScale, p, method);
  const scheme = resolveScheme(input, method, p);
  const finiteDifference = scheme.kind !== 'analytic';
  const maxNfev =
    options.maxNfev === undefined
      ? defaultMaxNfev(method, p, finiteDifference, input.convention)
      : requireNumber(caller, 'maxNfev', options.maxNfev, { integer: true, min: 1 });
  const jacobianCostsNfev = scheme.kind === 'minpack' ? p : 0;
  const solver: SolverOptions = { method, x0, lb, ub, ftol, xtol, gtol, maxNfev, xScale, jacobianCostsNfev, caller };
  const lossName = typeof lossGiven === 'function' ? 'custom' : lossGiven;
  return { solver, loss, lossName, fScale, scheme, methodChoice, warnings };
}
