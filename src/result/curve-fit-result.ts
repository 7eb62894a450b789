/**
 * The result of `curveFit`: SciPy's `popt`/`pcov` (plus `perr = √diag(pcov)`), the solver's
 * `least_squares`-style diagnostics, goodness-of-fit statistics, confidence intervals, bands and
 * reports. Built by {@link buildCurveFitResult} from the solver outcome.
 *
 * Differences from SciPy, by design: a fit that ends on `maxNfev` returns `success: false` with
 * its status and message instead of raising `RuntimeError("Optimal parameters not found")`, and
 * SciPy's `OptimizeWarning`s are entries of `warnings`.
 *
 * @module
 */
import type { ResolvedBackend } from '../backends/registry.ts';
import { describeValue, NlsqRangeError } from '../errors.ts';
import { STATUS_CODE, type IterationRecord, type SolverOutcome, type SolverStatus } from '../optim/evaluation.ts';
import type { ResolvedCurveFit } from '../options/resolve-curve-fit.ts';
import { isFittableModel } from '../model/model-kernel.ts';
import type { FitWarning } from '../options/solver-settings.ts';
import { estimateCovariance } from '../stats/covariance.ts';
import { twoSidedTCritical } from '../stats/student-t.ts';
import { computeBand, parseNewX, predictValues, type Band, type BandContext, type NewX } from './bands.ts';
import { evaluateComponents } from './components.ts';
import type { GlobalSummary } from './global-summary.ts';
import { type Choice, type FitChoices, modelChoice, walkChoices } from './choice.ts';
import { correlationLines, expandParams, namedParams, uncertaintyNotes, type ExpandedParams, type NamedParams } from './named-params.ts';
import { type DerivedUncertainty, propagateUncertainty } from './propagate-uncertainty.ts';
import { renderReport } from './report.ts';
import { formatNumber } from '../util/format.ts';
import { computeStatistics, statisticsFromWeightedResiduals, type FitStatistics } from './statistics.ts';

/** Confidence intervals of the parameters. */
export interface ConfidenceIntervals {
  /** Confidence level. */
  readonly level: number;
  /** The t multiplier used. */
  readonly t: number;
  /** Lower ends popt − t·perr. */
  readonly lower: number[];
  /** Upper ends popt + t·perr. */
  readonly upper: number[];
}

/** Where the solve ran: needed to build the result. */
export interface CurveFitContext {
  /** The backend used and why. */
  readonly backend: ResolvedBackend;
  /** Strategy decision (default: standard, in memory). */
  readonly strategy?: Choice;
  /** Block-size decision (default: `resolved.blockRows` or the cache-sized default). */
  readonly blockSize?: Choice;
  /** Where the arithmetic ran (default: the backend's own precision). */
  readonly precision?: Choice;
  /** The worker decision, when the `workers` option was given. */
  readonly workers?: Choice;
  /** Weighted residuals at popt (`result.fun`), or null when the data is not resident. */
  readonly fun: Float64Array | null;
  /**
   * Statistics computed by the caller (e.g. the streaming workflow, in one more pass over its
   * source); when absent they are computed from `resolved.data`, which must then be resident.
   */
  readonly statistics?: FitStatistics;
}

/** Everything a {@link CurveFitResult} holds. */
interface CurveFitFields extends FitStatistics {
  readonly params: NamedParams;
  readonly popt: number[];
  readonly pcov: number[][];
  readonly perr: number[];
  readonly paramNames: readonly string[];
  readonly success: boolean;
  readonly status: SolverStatus;
  readonly statusCode: number;
  readonly message: string;
  readonly nfev: number;
  readonly njev: number;
  readonly nit: number;
  readonly cost: number;
  readonly grad: number[];
  readonly optimality: number;
  readonly activeMask: number[];
  readonly fun: Float64Array | null;
  readonly backend: string;
  readonly strategy: string;
  readonly method: string;
  readonly reason: string;
  readonly warnings: FitWarning[];
  readonly choices: FitChoices;
  readonly history: readonly IterationRecord[];
  readonly variables: readonly string[];
}

/** The result of a curve fit. */
export class CurveFitResult {
  /**
   * The parameters by name: value, stderr, relativeError, correl, initial, min, max, vary, kind,
   * expr, atBound (lmfit's `result.params`).
   */
  readonly params!: NamedParams;
  /**
   * Optimal parameters, over every model parameter in model order. With the `params` option this
   * includes fixed parameters (their held value), tied ones (their expression at the fit) and then
   * any auxiliary parameters of the set; `p` and `dof` count only the free ones.
   */
  readonly popt!: number[];
  /**
   * Parameter covariance (SciPy's pcov; all +∞ when it could not be estimated), p×p over the same
   * names as popt: zero rows and columns for fixed parameters, the delta method G·C·Gᵀ for tied ones.
   */
  readonly pcov!: number[][];
  /** Standard errors √diag(pcov) (0 for a fixed parameter). */ readonly perr!: number[];
  /** Parameter names, as popt. */ readonly paramNames!: readonly string[];
  /** True when a convergence test was met. */ readonly success!: boolean;
  /** Termination reason. */ readonly status!: SolverStatus;
  /** SciPy's numeric status. */ readonly statusCode!: number;
  /** Termination message with numbers. */ readonly message!: string;
  /** Function evaluations. */ readonly nfev!: number;
  /** Jacobian evaluations. */ readonly njev!: number;
  /** Iterations. */ readonly nit!: number;
  /** Final cost ½Σρ(r²). */ readonly cost!: number;
  /** Gradient of the cost at popt, as popt (0 for fixed and tied parameters). */ readonly grad!: number[];
  /** First-order optimality. */ readonly optimality!: number;
  /** 0 free, −1 lower bound, 1 upper bound, as popt (0 for fixed and tied parameters). */ readonly activeMask!: number[];
  /** Weighted residuals at popt (null when the data was not resident). */ readonly fun!: Float64Array | null;
  /** Backend name. */ readonly backend!: string;
  /** Strategy: 'standard' | 'chunked' | 'streaming'. */ readonly strategy!: string;
  /** Method used. */ readonly method!: string;
  /** Why this backend and strategy ran. */ readonly reason!: string;
  /** SciPy's warnings, as entries. */ readonly warnings!: FitWarning[];
  /** Every decision, given / used / reason. */ readonly choices!: FitChoices;
  /**
   * Cost, step norm ‖Δx‖ and gradient norm of each iteration the solver reported, in order
   * (`onIteration`'s records without the parameters); empty where no iterative solver ran (the
   * one-pass streaming estimate). `plotConvergence` of `nlsq/plot` draws it.
   */
  readonly history!: readonly IterationRecord[];
  /** Names of the independent variables, in xdata's row order (the model's, else x or x0, x1, …). */
  readonly variables!: readonly string[];
  /** With the `global` option: what the search did (absent otherwise). */ declare readonly global?: GlobalSummary;
  /** Points n. */ readonly n!: number;
  /** Parameters p. */ readonly p!: number;
  /** n − p. */ readonly dof!: number;
  /** Σ weighted residual². */ readonly chiSquare!: number;
  /** χ²/dof. */ readonly reducedChiSquare!: number;
  /** Σ (y − ŷ)². */ readonly rss!: number;
  /** R². */ readonly rSquared!: number;
  /** Adjusted R². */ readonly adjRSquared!: number;
  /** √(RSS/n). */ readonly rmse!: number;
  /** Mean |y − ŷ|. */ readonly mae!: number;
  /** Akaike information criterion. */ readonly aic!: number;
  /** Bayesian information criterion. */ readonly bic!: number;
  readonly #band: BandContext;
  readonly #caller: string;
  readonly #model: unknown;

  /** @internal use {@link buildCurveFitResult}. */
  constructor(fields: CurveFitFields, band: BandContext, caller: string, model?: unknown) {
    Object.assign(this, fields);
    this.#band = band;
    this.#caller = caller;
    this.#model = model;
  }

  /**
   * Two-sided confidence intervals popt ± t_{(1+level)/2, dof}·perr (Student t with dof = n − p).
   * @param level - confidence level in (0, 1), default 0.95.
   * @throws NlsqRangeError for a level outside (0, 1) or dof ≤ 0.
   */
  confidenceIntervals(level = 0.95): ConfidenceIntervals {
    const caller = `${this.#caller}.confidenceIntervals`;
    if (!(typeof level === 'number' && level > 0 && level < 1)) throw new NlsqRangeError(`${caller}: level must be in (0, 1), got ${describeValue(level)}`, 'level');
    if (!(this.dof > 0)) throw new NlsqRangeError(`${caller}: intervals need dof = n − p > 0, got ${this.dof}`, 'level');
    const t = twoSidedTCritical(level, this.dof);
    return {
      level,
      t,
      lower: this.popt.map((v, j) => v - t * this.perr[j]!),
      upper: this.popt.map((v, j) => v + t * this.perr[j]!),
    };
  }

  /**
   * Each component of a composite model (`a.plus(b)`, see `model/compose.ts`) evaluated at the
   * fitted parameters, keyed by its prefix (or its name when it has none) — lmfit's
   * `eval_components`, for plotting. A model that is not a composite is its own single component.
   * @param x - the points (an array, or one array per variable).
   * @returns prefix → values at x.
   * @throws NlsqRangeError when the fitted model is not an expression model (a plain function has no components).
   */
  components(x: NewX): Record<string, Float64Array> {
    return evaluateComponents(`${this.#caller}.components`, this.#model, this.params, x);
  }

  /** The model at popt for new x (a number, an array, or k arrays). */
  predict(x: NewX): Float64Array {
    return predictValues(this.#band.kernel, this.#band.popt, parseNewX(`${this.#caller}.predict`, x, this.#band.kernel.nVariables));
  }

  /** Band of the fitted curve: ŷ ± t·√(gᵀ pcov g) (delta method). */
  confidenceBand(x: NewX, level = 0.95): Band {
    return computeBand({ ...this.#band, caller: `${this.#caller}.confidenceBand` }, x, level, false);
  }

  /**
   * Band of a new observation: ŷ ± t·√(gᵀ pcov g + s²), s² = σ_new²·χ²_ν (σ_new² with
   * absoluteSigma) when `sigma` is given at the new points, else the residual variance RSS/dof.
   */
  predictionBand(x: NewX, level = 0.95, sigma?: number | ArrayLike<number>): Band {
    return computeBand({ ...this.#band, caller: `${this.#caller}.predictionBand` }, x, level, true, sigma);
  }

  /**
   * The value and standard error of a quantity derived from the parameters, by the delta method
   * with the exact (symbolic) gradient: Var g ≈ ∇gᵀ pcov ∇g (`propagate-uncertainty.ts`; lmfit's
   * `uvars`, with exact derivatives).
   *
   * @param expression - g over the parameter names, e.g. `'A*s*sqrt(2*pi)'` (a Gaussian's area).
   * @example
   * ```ts
   * const r = await curveFit(model('a*exp(-b*x)'), x, y);
   * const { value, stderr } = r.uncertainty('log(2)/b'); // the half-life
   * ```
   */
  uncertainty(expression: string): DerivedUncertainty {
    return propagateUncertainty('CurveFitResult.uncertainty', expression, this.paramNames, this.popt, this.pcov);
  }

  /**
   * A text report: brief by default, with every decision and warning when `full`. Fixed and tied
   * parameters are marked; parameters whose error could not be estimated are named with the reason
   * (at the initial value, at a bound — lmfit PR #537); correlations with |r| above
   * `minCorrelation` (default 0.1, lmfit's `min_correl`) are listed.
   */
  report(options: { readonly full?: boolean; readonly minCorrelation?: number } = {}): string {
    const tags = Object.values(this.params).map((q) => (q.kind === 'fixed' ? '(fixed)' : q.kind === 'tied' ? `(= ${q.expr})` : ''));
    return renderReport(
      {
        caller: this.#caller, success: this.success, status: this.status, message: this.message, nfev: this.nfev,
        njev: this.njev, nit: this.nit, cost: this.cost, optimality: this.optimality, names: this.paramNames,
        values: this.popt, errors: this.perr, activeMask: this.activeMask, choices: this.choices, warnings: this.warnings, tags,
        uncertaintyNotes: uncertaintyNotes(this.params), correlations: correlationLines(this.params, options.minCorrelation),
        statistics: [`R² = ${formatNumber(this.rSquared)}`, `χ²ν = ${formatNumber(this.reducedChiSquare)}`, `dof = ${this.dof}`, `RMSE = ${formatNumber(this.rmse)}`],
      },
      options.full === true,
    );
  }
}

function toMatrix(a: Float64Array, p: number): number[][] {
  return Array.from({ length: p }, (_, i) => Array.from(a.subarray(i * p, (i + 1) * p)));
}

function choicesFor(resolved: ResolvedCurveFit, context: CurveFitContext): FitChoices {
  const { settings } = resolved;
  const b = context.backend;
  const info = b.backend.info;
  const scheme = settings.scheme.kind;
  const walk = walkChoices({ kind: resolved.sigma.kind === '2d' ? 'covariance' : 'blocks', n: resolved.n, blockRows: resolved.blockRows });
  return {
    backend: { given: b.given, used: info.name, reason: b.reason },
    strategy: context.strategy ?? walk.strategy,
    method: settings.methodChoice,
    blockSize: context.blockSize ?? walk.blockSize,
    precision: context.precision ?? { given: 'default', used: info.precision, reason: `the ${info.name} backend computes in ${info.precision}` },
    jacobian: { given: scheme === 'analytic' ? 'analytic' : 'default', used: scheme, reason: scheme === 'analytic' ? 'the model supplies derivatives' : scheme === 'minpack' ? "MINPACK lmdif forward differences (SciPy leastsq)" : "SciPy approx_derivative steps" },
    loss: { given: settings.lossName, used: settings.lossName, reason: `fScale = ${settings.fScale}` },
    ...(resolved.lift === undefined ? {} : { model: modelChoice(resolved.lift, scheme, info.name) }),
    ...(context.workers === undefined ? {} : { workers: context.workers }),
  };
}

/** Statistics from the resident data: ŷ by the kernel, the weighted residuals from `fun` when given. */
function residentStatistics(resolved: ResolvedCurveFit, popt: Float64Array, fun: Float64Array | null): FitStatistics {
  const { data, p } = resolved;
  // With no sigma or a 1-D sigma the fitted values follow from the weighted residuals
  // r_i = w_i(ŷ_i − y_i) without another pass of the model: y_i − ŷ_i = −r_i / w_i.
  if (fun !== null && resolved.sigma.kind !== '2d') return statisticsFromWeightedResiduals(data.y, fun, data.w, p);
  const yhat = predictValues(resolved.kernel, popt, data.x);
  const weighted = fun ?? yhat.map((v, i) => (v - data.y[i]!) * (data.w === null ? 1 : data.w[i]!));
  return computeStatistics(data.y, yhat, weighted, p);
}

/** The model's variable names, else `x` (one variable) or `x0, x1, …`. */
function variableNames(resolved: ResolvedCurveFit): readonly string[] {
  if (isFittableModel(resolved.model)) return [...resolved.model.variables];
  return resolved.k === 1 ? ['x'] : Array.from({ length: resolved.k }, (_, i) => `x${i}`);
}

/** The solution over every name: the `params` layout's expansion, or the solver's own arrays. */
function expandSolution(resolved: ResolvedCurveFit, outcome: SolverOutcome, pcov: Float64Array): ExpandedParams {
  const free = { x: outcome.x, pcov, activeMask: outcome.activeMask, grad: outcome.grad };
  if (resolved.paramLayout !== undefined) return expandParams(resolved.paramLayout, free);
  const { x0, lb, ub } = resolved.settings.solver;
  return {
    names: resolved.paramNames, kinds: resolved.paramNames.map(() => 'free'), values: Float64Array.from(outcome.x), pcov,
    activeMask: Int8Array.from(outcome.activeMask), grad: Float64Array.from(outcome.grad), initial: x0, min: lb, max: ub,
    exprs: resolved.paramNames.map(() => undefined),
  };
}

/**
 * Assemble the result of a curve fit from the solver outcome (SciPy `curve_fit`'s post-processing:
 * covariance by the method's recipe, scaling by s² unless absoluteSigma, the warning when it
 * cannot be estimated).
 *
 * @param outcome - what the solver returned.
 * @param resolved - the resolved fit.
 * @param context - backend, strategy and the residuals at popt.
 * @returns the result.
 */
export function buildCurveFitResult(outcome: SolverOutcome, resolved: ResolvedCurveFit, context: CurveFitContext): CurveFitResult {
  const { p, n, settings } = resolved;
  const warnings: FitWarning[] = [...settings.warnings];
  if (resolved.omitted > 0) warnings.push({ code: 'points-omitted', message: `${resolved.caller}: nanPolicy 'omit' dropped ${resolved.omitted} point(s) with a non-finite x or y` });
  const recipe = settings.solver.method === 'lm' ? 'triangular-inverse' : 'svd';
  const cov = estimateCovariance(outcome.T, p, n, 2 * outcome.cost, resolved.absoluteSigma, recipe);
  if (/too small/.test(outcome.message)) {
    warnings.push({ code: 'tolerance-too-small', message: `${resolved.caller}: ${outcome.message} (SciPy's curve_fit raises "Optimal parameters not found" here; the result is at machine precision)` });
  }
  if (cov.indeterminate) warnings.push({ code: 'covariance-not-estimated', message: `${resolved.caller}: covariance of the parameters could not be estimated` });
  const stats = context.statistics ?? residentStatistics(resolved, outcome.x, context.fun);
  const all = expandSolution(resolved, outcome, cov.pcov);
  const P = all.names.length;
  const perr = Array.from({ length: P }, (_, j) => Math.sqrt(all.pcov[j * P + j]!));
  const choices = choicesFor(resolved, context);
  const band: BandContext = {
    caller: resolved.caller, kernel: resolved.kernel, popt: Float64Array.from(outcome.x), pcov: cov.pcov,
    lb: settings.solver.lb, ub: settings.solver.ub, dof: stats.dof,
    residualVariance: stats.dof > 0 ? stats.rss / stats.dof : NaN,
    sigmaScale: resolved.absoluteSigma ? 1 : stats.reducedChiSquare,
  };
  // Object.assign, not `{ ...stats, … }`: V8 builds that literal (a spread, then 26 more keys)
  // through a slow path, ~0.1 ms per result — most of a 100-point fit (measured, Node 20).
  const fields: CurveFitFields = Object.assign({}, stats, {
    params: namedParams(all), popt: Array.from(all.values), pcov: toMatrix(all.pcov, P), perr, paramNames: all.names,
    success: outcome.status !== 'max-nfev' && outcome.status !== 'improper-input' && outcome.status !== 'stopped',
    status: outcome.status, statusCode: STATUS_CODE[outcome.status], message: outcome.message,
    nfev: outcome.nfev, njev: outcome.njev, nit: outcome.nit, cost: outcome.cost, grad: Array.from(all.grad),
    optimality: outcome.optimality, activeMask: Array.from(all.activeMask), fun: context.fun,
    backend: choices.backend.used, strategy: choices.strategy.used, method: settings.solver.method,
    reason: `${choices.backend.reason}; ${choices.strategy.reason}`, warnings, choices,
    history: outcome.history ?? [], variables: variableNames(resolved),
  });
  const result = new CurveFitResult(fields, band, resolved.caller, resolved.model);
  result satisfies CurveFitFields; // the class declares (and documents) every field it is given
  return result;
}
