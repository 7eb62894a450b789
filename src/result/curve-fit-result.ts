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
import { describeValue, NlsqRangeError, NlsqTypeError } from '../errors.ts';
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
import { resolveBootstrapOptions, runBootstrap, type BootstrapOptions, type BootstrapResult } from './bootstrap.ts';
import { diagnoseFit, diagnosticLines, type Diagnostics, type DiagnosticsOptions, type HealthInput } from './diagnostics.ts';
import { profileParameter, resolveProfileOptions, type ProfileOptions, type ProfileResult } from './profile.ts';
import { refitSourceOf, type RefitSource } from './refit-source.ts';

/** Confidence intervals of the parameters. */
export interface ConfidenceIntervals {
  /** Confidence level. */
  readonly level: number;
  /** The t multiplier used (for the profile: √F_c, the same number). */
  readonly t: number;
  /** Lower ends: popt − t·perr (covariance), or where the profile crosses (profile). */
  readonly lower: number[];
  /** Upper ends: popt + t·perr (covariance), or where the profile crosses (profile). */
  readonly upper: number[];
}

/** Options of `confidenceIntervals(level, { method: 'profile' })`: the method and the profile's options. */
export interface ProfileIntervalOptions extends Omit<ProfileOptions, 'level'> {
  /** `'profile'`: lmfit's `conf_interval` (the F-test profile likelihood) instead of popt ± t·perr. */
  readonly method: 'profile';
}

/** Profile-likelihood intervals of every parameter, over `paramNames` like popt. */
export interface ProfileIntervals extends ConfidenceIntervals {
  /** Always `'profile'`. */
  readonly method: 'profile';
  /** The profile of each free parameter, by name (fixed and tied parameters have none). */
  readonly profiles: Readonly<Record<string, ProfileResult>>;
  /** Every profile's notes, and why a parameter has no profile. */
  readonly notes: readonly string[];
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
  /**
   * The iteration history computed on first read (the small-fit fast path, whose engine records
   * none), instead of `outcome.history`.
   */
  readonly history?: () => readonly IterationRecord[];
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

/** What `buildCurveFitResult` hands the constructor beside the statistics (history: absent when lazy). */
type CurveFitResultFields = Omit<CurveFitFields, keyof FitStatistics | 'history' | 'params'> & { readonly history?: readonly IterationRecord[] };

/** The result of a curve fit. */
export class CurveFitResult {
  /**
   * The parameters by name: value, stderr, relativeError, correl, initial, min, max, vary, kind,
   * expr, atBound (lmfit's `result.params`). Built on first read (a getter on the prototype; the
   * same frozen object on every read) from the solution the result keeps, which nothing changes.
   */
  get params(): NamedParams {
    let named = this.#params;
    if (named === null) {
      named = namedParams(this.#expanded);
      this.#params = named;
    }
    return named;
  }
  /**
   * The result as JSON sees it (`JSON.stringify(r)`): `params` first (a getter on the prototype,
   * which JSON would skip), then every own field.
   *
   * @returns a plain object of the result's data.
   */
  toJSON(): Record<string, unknown> {
    return Object.assign({ params: this.params } as Record<string, unknown>, this);
  }
  /**
   * Optimal parameters, over every model parameter in model order. With the `params` option this
   * includes fixed parameters (their held value), tied ones (their expression at the fit) and then
   * any auxiliary parameters of the set; `p` and `dof` count only the free ones.
   */
  readonly popt: number[];
  /**
   * Parameter covariance (SciPy's pcov; all +∞ when it could not be estimated), p×p over the same
   * names as popt: zero rows and columns for fixed parameters, the delta method G·C·Gᵀ for tied ones.
   */
  readonly pcov: number[][];
  /** Standard errors √diag(pcov) (0 for a fixed parameter). */ readonly perr: number[];
  /** Parameter names, as popt. */ readonly paramNames: readonly string[];
  /** True when a convergence test was met. */ readonly success: boolean;
  /** Termination reason. */ readonly status: SolverStatus;
  /** SciPy's numeric status. */ readonly statusCode: number;
  /** Termination message with numbers. */ readonly message: string;
  /** Function evaluations. */ readonly nfev: number;
  /** Jacobian evaluations. */ readonly njev: number;
  /** Iterations. */ readonly nit: number;
  /** Final cost ½Σρ(r²). */ readonly cost: number;
  /** Gradient of the cost at popt, as popt (0 for fixed and tied parameters). */ readonly grad: number[];
  /** First-order optimality. */ readonly optimality: number;
  /** 0 free, −1 lower bound, 1 upper bound, as popt (0 for fixed and tied parameters). */ readonly activeMask: number[];
  /** Weighted residuals at popt (null when the data was not resident). */ readonly fun: Float64Array | null;
  /** Backend name. */ readonly backend: string;
  /** Strategy: 'standard' | 'chunked' | 'streaming'. */ readonly strategy: string;
  /** Method used. */ readonly method: string;
  /** Why this backend and strategy ran. */ readonly reason: string;
  /** SciPy's warnings, as entries. */ readonly warnings: FitWarning[];
  /** Every decision, given / used / reason. */ readonly choices: FitChoices;
  /**
   * Cost, step norm ‖Δx‖ and gradient norm of each iteration the solver reported, in order
   * (`onIteration`'s records without the parameters); empty where no iterative solver ran (the
   * one-pass streaming estimate). `plotConvergence` of `nlsq/plot` draws it. (A fit of the
   * small-fit fast path, whose engine records no iterations, computes it on first read by the
   * ordinary path on the same backend: the same records.)
   */
  // `declare`: an own property the constructor adds (a plain value, or the fast path's lazy getter).
  declare readonly history: readonly IterationRecord[];
  /** Names of the independent variables, in xdata's row order (the model's, else x or x0, x1, …). */
  readonly variables: readonly string[];
  /** With the `global` option: what the search did (absent otherwise). */ declare readonly global?: GlobalSummary;
  /** Points n. */ readonly n: number;
  /** Parameters p. */ readonly p: number;
  /** n − p. */ readonly dof: number;
  /** Σ weighted residual². */ readonly chiSquare: number;
  /** χ²/dof. */ readonly reducedChiSquare: number;
  /** Σ (y − ŷ)². */ readonly rss: number;
  /** R². */ readonly rSquared: number;
  /** Adjusted R². */ readonly adjRSquared: number;
  /** √(RSS/n). */ readonly rmse: number;
  /** Mean |y − ŷ|. */ readonly mae: number;
  /** Akaike information criterion. */ readonly aic: number;
  /** Bayesian information criterion. */ readonly bic: number;
  /** The solution over every name, from which {@link CurveFitResult.params} is built. */
  readonly #expanded: ExpandedParams;
  #params: NamedParams | null = null;
  readonly #band: BandContext;
  readonly #caller: string;
  readonly #model: unknown;
  readonly #health: HealthInput | undefined;
  #history: (() => readonly IterationRecord[]) | readonly IterationRecord[] | undefined;

  /**
   * The lazy `history` of a fast-path result: one shared getter, so that every such result keeps
   * the same (fast-mode) shape; the records are computed once, on first read.
   */
  static readonly #LAZY_HISTORY: PropertyDescriptor = {
    configurable: true,
    enumerable: true,
    get(this: CurveFitResult): readonly IterationRecord[] {
      const h = this.#history;
      if (typeof h !== 'function') return h!;
      const records = h();
      this.#history = records;
      return records;
    },
  };

  /** @internal use {@link buildCurveFitResult}. */
  constructor(fields: CurveFitResultFields, stats: FitStatistics, expanded: ExpandedParams, band: BandContext, caller: string, model?: unknown, health?: HealthInput, history?: () => readonly IterationRecord[]) {
    if (history !== undefined) {
      this.#history = history;
      Object.defineProperty(this, 'history', CurveFitResult.#LAZY_HISTORY);
    }
    // Each field by name (the compiler checks that every one is assigned): stores V8 compiles to
    // fixed offsets, where Object.assign of ~40 keys takes its generic path (measured, Node 20).
    this.popt = fields.popt;
    this.pcov = fields.pcov;
    this.perr = fields.perr;
    this.paramNames = fields.paramNames;
    this.success = fields.success;
    this.status = fields.status;
    this.statusCode = fields.statusCode;
    this.message = fields.message;
    this.nfev = fields.nfev;
    this.njev = fields.njev;
    this.nit = fields.nit;
    this.cost = fields.cost;
    this.grad = fields.grad;
    this.optimality = fields.optimality;
    this.activeMask = fields.activeMask;
    this.fun = fields.fun;
    this.backend = fields.backend;
    this.strategy = fields.strategy;
    this.method = fields.method;
    this.reason = fields.reason;
    this.warnings = fields.warnings;
    this.choices = fields.choices;
    this.variables = fields.variables;
    if (history === undefined) (this as { history: readonly IterationRecord[] }).history = fields.history ?? [];
    this.n = stats.n;
    this.p = stats.p;
    this.dof = stats.dof;
    this.chiSquare = stats.chiSquare;
    this.reducedChiSquare = stats.reducedChiSquare;
    this.rss = stats.rss;
    this.rSquared = stats.rSquared;
    this.adjRSquared = stats.adjRSquared;
    this.rmse = stats.rmse;
    this.mae = stats.mae;
    this.aic = stats.aic;
    this.bic = stats.bic;
    this.#expanded = expanded;
    this.#band = band;
    this.#caller = caller;
    this.#model = model;
    this.#health = health;
  }

  /**
   * Two-sided confidence intervals popt ± t_{(1+level)/2, dof}·perr (Student t with dof = n − p).
   * @param level - confidence level in (0, 1), default 0.95.
   * @throws NlsqRangeError for a level outside (0, 1) or dof ≤ 0.
   */
  confidenceIntervals(level?: number): ConfidenceIntervals;
  /**
   * The profile-likelihood intervals of every free parameter (lmfit's `conf_interval`, see
   * {@link CurveFitResult.profile}), asynchronously: fixed parameters get [value, value], tied
   * ones NaN (a note says so).
   * @param level - confidence level in (0, 1).
   * @param options - `{ method: 'profile', …profile options }`.
   * @returns a promise of the intervals, each parameter's profile and the notes; it rejects with
   *   NlsqRangeError for a level outside (0, 1), dof ≤ 0 or another method.
   * @example
   * ```ts
   * const ci = await r.confidenceIntervals(0.95, { method: 'profile' });
   * ci.lower; ci.upper;              // asymmetric for a nonlinear parameter
   * ci.profiles['b'].trace;          // for plotProfile
   * ```
   */
  confidenceIntervals(level: number, options: ProfileIntervalOptions): Promise<ProfileIntervals>;
  confidenceIntervals(level = 0.95, options?: ProfileIntervalOptions): ConfidenceIntervals | Promise<ProfileIntervals> {
    const caller = `${this.#caller}.confidenceIntervals`;
    // The profile path is asynchronous: its errors are rejections, never synchronous throws.
    if (options !== undefined) return this.#profileIntervals(caller, level, options);
    this.#checkLevel(caller, level);
    const t = twoSidedTCritical(level, this.dof);
    return {
      level,
      t,
      lower: this.popt.map((v, j) => v - t * this.perr[j]!),
      upper: this.popt.map((v, j) => v + t * this.perr[j]!),
    };
  }

  #checkLevel(caller: string, level: unknown): void {
    if (!(typeof level === 'number' && level > 0 && level < 1)) throw new NlsqRangeError(`${caller}: level must be in (0, 1), got ${describeValue(level)}`, 'level');
    if (!(this.dof > 0)) throw new NlsqRangeError(`${caller}: intervals need dof = n − p > 0, got ${this.dof}`, 'level');
  }

  async #profileIntervals(caller: string, level: number, options: ProfileIntervalOptions): Promise<ProfileIntervals> {
    this.#checkLevel(caller, level);
    if (typeof options !== 'object' || options === null || options.method !== 'profile') {
      throw new NlsqRangeError(`${caller}: options.method must be 'profile' (omit options for the covariance intervals), got ${describeValue((options as { method?: unknown } | null)?.method ?? options)}`, 'method');
    }
    const { method: _method, ...profileOptions } = options;
    const source = refitSourceOf(caller, this);
    const resolved = resolveProfileOptions(caller, { ...profileOptions, level });
    const fit = this.#profileFit(source);
    const profiles: Record<string, ProfileResult> = {};
    const notes: string[] = [];
    const lower = [...this.popt];
    const upper = [...this.popt];
    for (let i = 0; i < this.paramNames.length; i++) {
      const name = this.paramNames[i]!;
      const j = source.names.indexOf(name);
      if (j < 0) {
        const kind = this.params[name]?.kind;
        if (kind === 'tied') {
          lower[i] = NaN;
          upper[i] = NaN;
          notes.push(`${name}: tied (= ${this.params[name]!.expr}), so it has no profile of its own`);
        }
        continue;
      }
      const prof = await profileParameter(caller, source, fit, j, resolved);
      profiles[name] = prof;
      lower[i] = prof.lower;
      upper[i] = prof.upper;
      notes.push(...prof.notes);
    }
    const t = twoSidedTCritical(level, this.dof);
    return { level, t, lower, upper, method: 'profile', profiles, notes };
  }

  /** χ²_min, dof and the covariance over the refit source's names. */
  #profileFit(source: RefitSource): { chiSquareMin: number; dof: number; pcov: Float64Array } {
    const idx = source.names.map((name) => this.paramNames.indexOf(name));
    const q = idx.length;
    const pcov = new Float64Array(q * q);
    for (let a = 0; a < q; a++) for (let b = 0; b < q; b++) pcov[a * q + b] = this.pcov[idx[a]!]![idx[b]!]!;
    return { chiSquareMin: 2 * this.cost, dof: this.dof, pcov };
  }

  /**
   * The profile likelihood of one parameter (lmfit's `conf_interval`, F-test form; Venzon &
   * Moolgavkar 1988): hold it on a grid of values, refit the others — each grid a batch on
   * `fitBatch`'s engine with a hold mask and a start per fit — and find on each side where
   *
   * ```
   *   F(t) = (χ²(t) − χ²_min)/χ²_min · (n − p)
   * ```
   *
   * crosses F_c = F⁻¹_{1,n−p}(level) (`profile.ts` says what matches lmfit and what differs).
   * The interval is asymmetric where χ² is; on a linear model it equals the covariance interval.
   * Bounds are honoured (an end may be the bound); fixed and tied parameters stay as they are.
   *
   * @param param - the parameter's name, or its index in `paramNames`.
   * @param options - level (0.95), points per side (10), span, maxExpansions, tolerance, signal, onProgress.
   * @returns the interval, how each end was found, the threshold and the trace (for `plotProfile`).
   * @throws NlsqRangeError naming `param` for an unknown, fixed or tied parameter; naming `result`
   *   when the fit's data is not in memory; naming an option when it is invalid; AbortError on abort.
   * @example
   * ```ts
   * const pr = await r.profile('b', { level: 0.95 });
   * [pr.lower, pr.upper];   // asymmetric around pr.value
   * ```
   */
  async profile(param: string | number, options: ProfileOptions = {}): Promise<ProfileResult> {
    const caller = `${this.#caller}.profile`;
    const resolved = resolveProfileOptions(caller, options);
    let name: string;
    if (typeof param === 'number') {
      if (!(Number.isInteger(param) && param >= 0 && param < this.paramNames.length)) {
        throw new NlsqRangeError(`${caller}: param must be a name or an index in [0, ${this.paramNames.length - 1}], got ${describeValue(param)}`, 'param');
      }
      name = this.paramNames[param]!;
    } else if (typeof param === 'string') {
      if (!this.paramNames.includes(param)) throw new NlsqRangeError(`${caller}: param must be one of ${this.paramNames.join(', ')}, got '${param}'`, 'param');
      name = param;
    } else throw new NlsqTypeError(`${caller}: param must be a parameter name or index, got ${describeValue(param)}`, 'param');
    const source = refitSourceOf(caller, this);
    const j = source.names.indexOf(name);
    if (j < 0) {
      const kind = this.params[name]?.kind ?? 'not free';
      throw new NlsqRangeError(`${caller}: param must be a free parameter, got '${name}', which is ${kind} (it has no profile of its own)`, 'param');
    }
    if (!(this.dof > 0)) throw new NlsqRangeError(`${caller}: a profile needs dof = n − p > 0, got ${this.dof}`, 'result');
    return profileParameter(caller, source, this.#profileFit(source), j, resolved);
  }

  /**
   * The bootstrap: `resamples` data sets drawn from the fit (`'residual'`: ŷ plus resampled
   * residuals at the same x; `'pairs'`: the points drawn with replacement), all refitted as one
   * batch on `fitBatch`'s engine from popt; percentile and BCa intervals (Efron 1987), the
   * bootstrap covariance and each parameter's distribution. Seeded and deterministic.
   *
   * @param options - resamples (1000), seed (0), kind (`'residual'`), level (0.95), jackknife
   *   (200: BCa's acceleration refits), signal, onProgress.
   * @returns the bootstrap (over the solver's parameters: the free ones with `params`).
   * @throws NlsqRangeError naming the option (resamples < 2, level outside (0, 1), …) or `result`
   *   (data not in memory, n ≤ p, fewer than 2 refits converged); AbortError on abort.
   * @example
   * ```ts
   * const b = await r.bootstrap({ resamples: 1000, seed: 1 });
   * b.bca.lower; b.bca.upper; b.covariance; b.distributions['k'];
   * ```
   */
  async bootstrap(options: BootstrapOptions = {}): Promise<BootstrapResult> {
    const caller = `${this.#caller}.bootstrap`;
    const resolved = resolveBootstrapOptions(caller, options);
    return runBootstrap(caller, refitSourceOf(caller, this), resolved);
  }

  /**
   * Health diagnostics (`diagnostics.ts`): the condition number and numerical rank of the
   * equilibrated Jacobian (from the solver's R), parameters the data cannot see, sloppy
   * directions (eigenpairs of the scaled JᵀJ and the parameters they mix), pairs with
   * |correlation| above a threshold, parameters at a bound or never moved from p0, a stop with
   * the gradient still large — each finding with a stable code, its numbers and advice.
   *
   * @param options - thresholds: correlation (0.95), condition (1e8), sloppy (1e-8), gradient (1e-4).
   * @returns the diagnostics (over the solver's parameters).
   * @throws NlsqRangeError naming a bad threshold.
   */
  diagnostics(options: DiagnosticsOptions = {}): Diagnostics {
    const caller = `${this.#caller}.diagnostics`;
    if (this.#health === undefined) throw new NlsqRangeError(`${caller}: this result carries no solver state to diagnose`, 'result');
    return diagnoseFit(caller, this.#health, options);
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
   * `minCorrelation` (default 0.1, lmfit's `min_correl`) are listed. The full report adds the
   * health section of {@link CurveFitResult.diagnostics}.
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
        ...(options.full === true && this.#health !== undefined ? { health: diagnosticLines(diagnoseFit(`${this.#caller}.report`, this.#health)) } : {}),
      },
      options.full === true,
    );
  }
}

/** A typed array's values as a plain array (`Array.from` walks the iterator protocol). */
function numberArray(a: Float64Array | Int8Array): number[] {
  const out = new Array<number>(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]!;
  return out;
}

function toMatrix(a: Float64Array, p: number): number[][] {
  const rows = new Array<number[]>(p);
  for (let i = 0; i < p; i++) {
    const row = new Array<number>(p);
    for (let j = 0; j < p; j++) row[j] = a[i * p + j]!;
    rows[i] = row;
  }
  return rows;
}

function choicesFor(resolved: ResolvedCurveFit, context: CurveFitContext): FitChoices {
  const { settings } = resolved;
  const b = context.backend;
  const info = b.backend.info;
  const scheme = settings.scheme.kind;
  const walk = walkChoices({ kind: resolved.sigma.kind === '2d' ? 'covariance' : 'blocks', n: resolved.n, blockRows: resolved.blockRows });
  const choices: { -readonly [K in keyof FitChoices]: FitChoices[K] } = {
    backend: { given: b.given, used: info.name, reason: b.reason },
    strategy: context.strategy ?? walk.strategy,
    method: settings.methodChoice,
    blockSize: context.blockSize ?? walk.blockSize,
    precision: context.precision ?? { given: 'default', used: info.precision, reason: `the ${info.name} backend computes in ${info.precision}` },
    jacobian: { given: scheme === 'analytic' ? 'analytic' : 'default', used: scheme, reason: scheme === 'analytic' ? 'the model supplies derivatives' : scheme === 'minpack' ? "MINPACK lmdif forward differences (SciPy leastsq)" : "SciPy approx_derivative steps" },
    loss: { given: settings.lossName, used: settings.lossName, reason: `fScale = ${settings.fScale}` },
  };
  // Added after the literal (in this order), not spread into it: V8 builds a literal with spreads through a slow path.
  if (resolved.lift !== undefined) choices.model = modelChoice(resolved.lift, scheme, info.name);
  if (context.workers !== undefined) choices.workers = context.workers;
  return choices;
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
    names: resolved.paramNames, kinds: resolved.paramNames.map(() => 'free'), values: outcome.x.slice(), pcov,
    activeMask: outcome.activeMask.slice(), grad: outcome.grad.slice(), initial: x0, min: lb, max: ub,
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
  if (outcome.message.includes('too small')) {
    warnings.push({ code: 'tolerance-too-small', message: `${resolved.caller}: ${outcome.message} (SciPy's curve_fit raises "Optimal parameters not found" here; the result is at machine precision)` });
  }
  if (cov.indeterminate) warnings.push({ code: 'covariance-not-estimated', message: `${resolved.caller}: covariance of the parameters could not be estimated` });
  const stats = context.statistics ?? residentStatistics(resolved, outcome.x, context.fun);
  const all = expandSolution(resolved, outcome, cov.pcov);
  const P = all.names.length;
  const perr = new Array<number>(P);
  for (let j = 0; j < P; j++) perr[j] = Math.sqrt(all.pcov[j * P + j]!);
  const choices = choicesFor(resolved, context);
  const popt = Float64Array.from(outcome.x); // the bands' and the diagnostics' copy (both only read it)
  const band: BandContext = {
    caller: resolved.caller, kernel: resolved.kernel, popt, pcov: cov.pcov,
    lb: settings.solver.lb, ub: settings.solver.ub, dof: stats.dof,
    residualVariance: stats.dof > 0 ? stats.rss / stats.dof : NaN,
    sigmaScale: resolved.absoluteSigma ? 1 : stats.reducedChiSquare,
  };
  // The statistics go to the constructor as their own object, not merged into this literal: V8
  // builds `{ ...stats, … }` (a spread, then 26 more keys) through a slow path, ~0.1 ms per
  // result, and even a merge by Object.assign is a sizeable part of a small fit (measured, Node 20).
  const fields: CurveFitResultFields = {
    popt: numberArray(all.values), pcov: toMatrix(all.pcov, P), perr, paramNames: all.names,
    success: outcome.status !== 'max-nfev' && outcome.status !== 'improper-input' && outcome.status !== 'stopped',
    status: outcome.status, statusCode: STATUS_CODE[outcome.status], message: outcome.message,
    nfev: outcome.nfev, njev: outcome.njev, nit: outcome.nit, cost: outcome.cost, grad: numberArray(all.grad),
    optimality: outcome.optimality, activeMask: numberArray(all.activeMask), fun: context.fun,
    backend: choices.backend.used, strategy: choices.strategy.used, method: settings.solver.method,
    reason: `${choices.backend.reason}; ${choices.strategy.reason}`, warnings, choices,
    variables: variableNames(resolved),
  };
  if (context.history === undefined) (fields as { history?: readonly IterationRecord[] }).history = outcome.history ?? [];
  const health: HealthInput = {
    names: resolved.paramNames, T: outcome.T, n, popt, x0: settings.solver.x0, lb: settings.solver.lb, ub: settings.solver.ub,
    activeMask: outcome.activeMask, grad: outcome.grad, cost: outcome.cost, pcov: cov.pcov, status: outcome.status,
  };
  const result = new CurveFitResult(fields, stats, all, band, resolved.caller, resolved.model, health, context.history);
  result satisfies CurveFitFields; // the class declares (and documents) every field it is given
  return result;
}
