/**
 * The public option objects of `curveFit`, `curveFitSync` and `leastSquares`.
 *
 * Names are SciPy's in camelCase (`max_nfev` → `maxNfev`, `absolute_sigma` → `absoluteSigma`), so
 * the compatibility table is one-to-one; see `OPTION_TABLE` in `option-table.ts`.
 *
 * @module
 */
import type { GlobalOption } from './global-option.ts';
import type { BackendOption } from '../backends/registry.ts';
import type { IterationInfo } from '../optim/evaluation.ts';
import type { LossFunction, LossName } from '../optim/loss.ts';
import type { SolverMethod } from '../optim/solver-options.ts';
import type { PointJacobian } from '../model/closure-kernel.ts';
import type { ParamInput, ParameterSet } from '../model/params.ts';

/** A bound: one number for every parameter, or one per parameter (±Infinity for none). */
export type BoundSide = number | ArrayLike<number>;

/** Options shared by `curveFit` and `leastSquares` (SciPy's `least_squares` keywords). */
export interface CommonFitOptions {
  /** `[lb, ub]` (SciPy `bounds`); default unbounded. */
  readonly bounds?: readonly [BoundSide, BoundSide];
  /** `'trf'`, `'dogbox'` or `'lm'`. Default: curveFit `'lm'` without bounds, `'trf'` with; leastSquares `'trf'`. */
  readonly method?: SolverMethod;
  /** Robust loss name or ρ(z) function returning [ρ, ρ', ρ''] (SciPy `loss`); default `'linear'`. */
  readonly loss?: LossName | LossFunction;
  /** Soft margin between inlier and outlier residuals (SciPy `f_scale`); default 1. */
  readonly fScale?: number;
  /** Characteristic parameter scales or `'jac'` (SciPy `x_scale`); default `'jac'` for lm, 1 otherwise. */
  readonly xScale?: 'jac' | number | ArrayLike<number>;
  /** Relative cost-change tolerance (SciPy `ftol`, default 1e-8). */
  readonly ftol?: number;
  /** Relative step tolerance (SciPy `xtol`, default 1e-8). */
  readonly xtol?: number;
  /** Gradient tolerance (SciPy `gtol`, default 1e-8). */
  readonly gtol?: number;
  /** Evaluation limit (SciPy `max_nfev` / `maxfev`); default as SciPy (see `defaultMaxNfev`). */
  readonly maxNfev?: number;
  /** Relative finite-difference step (SciPy `diff_step`); for lm, SciPy's `epsfcn = diffStep²`. */
  readonly diffStep?: number | ArrayLike<number>;
  /** Backend name, instance, or ordered list to try (default: the registry's choice). */
  readonly backend?: BackendOption;
  /**
   * Cancels the fit between evaluations. The asynchronous API yields to the event loop every
   * ~10 ms of work, so a timer (`AbortSignal.timeout`, `setTimeout(() => ac.abort())`) is seen
   * during an in-memory fit too; the synchronous API checks it only before it starts.
   */
  readonly signal?: AbortSignal;
  /** Called after every iteration; returning `false` stops the fit (status `'stopped'`). */
  readonly onIteration?: (info: IterationInfo) => boolean | void;
  /** 0 (silent, default), 1 (a line at the end) or 2 (a line per iteration), sent to {@link CommonFitOptions.log}. */
  readonly verbose?: 0 | 1 | 2 | boolean;
  /** Where verbose lines go. Default: the runtime console's `log` when verbose, otherwise nowhere. */
  readonly log?: (line: string) => void;
  /**
   * Search for the global minimum instead of the one nearest the start: multi-start from a
   * Sobol/Halton/LHS/random design (p0 always the first start) or CMA-ES then a local polish.
   * `true`, a sampler name, `'cmaes'` or `{ method, starts, sampler, seed, … }` (see `GlobalOption`);
   * `result.global` says what it did. Default: off.
   */
  readonly global?: GlobalOption;
}

/** Options of `curveFit` / `curveFitSync` (SciPy `curve_fit`). */
export interface CurveFitOptions extends CommonFitOptions {
  /** Initial parameters; default ones (SciPy), or `'auto'` for a model's `estimateP0`. */
  readonly p0?: ArrayLike<number> | 'auto';
  /**
   * Named parameters (`params({ … })` or its plain-object argument): values, bounds, fixed
   * parameters and ties in one place, instead of `p0`/`bounds` (giving both is an error). See `params`.
   * The solver moves the free parameters only, so per-parameter `xScale` / `diffStep` arrays have
   * one entry per free parameter; the result reports every name (`result.params`, `popt`).
   */
  readonly params?: ParameterSet | Readonly<Record<string, ParamInput>>;
  /**
   * Uncertainty of ydata: a scalar or one σ per point (residuals (f − y)/σ), or an n×n covariance
   * matrix (residuals L⁻¹(f − y) with C = LLᵀ; dense, in memory only).
   */
  readonly sigma?: number | ArrayLike<number> | ArrayLike<ArrayLike<number>>;
  /** Treat sigma as absolute (no rescaling of pcov by the reduced χ²); default false. */
  readonly absoluteSigma?: boolean;
  /** `'2-point'` / `'3-point'` finite differences or a per-point Jacobian `jac(x, ...params)`. */
  readonly jac?: '2-point' | '3-point' | PointJacobian;
  /** Check xdata / ydata for NaN and ±Infinity (default true unless `nanPolicy` is given). */
  readonly checkFinite?: boolean;
  /**
   * `'raise'` or `'omit'` (drop points with a non-finite x or y; for a data source, chunk by
   * chunk as it is read). `'propagate'` is not supported (a NaN would make every residual NaN).
   */
  readonly nanPolicy?: 'raise' | 'omit';
  /**
   * WebGPU only: after the f32 device iterations converge, finish on an f64 backend so popt and
   * pcov carry f64 accuracy (default true); `false` returns the f32 answer and says so.
   */
  readonly polish?: boolean;
  /** Rows per block of the data walk (default 2048, `DEFAULT_BLOCK_ROWS`: cache-sized; memory O(blockRows·p); 4096, `VECTOR_BLOCK_ROWS`, with a covariance sigma). */
  readonly blockRows?: number;
  /**
   * Fold the data on workers (`curveFit`, and the three strategies of `fit`: shares of the rows
   * for standard and chunked, the chunks of each pass for streaming):
   * `'auto'` uses one worker per core when the fit is large enough to gain (`choices.workers`
   * says how many and why), a count n uses n workers, `0` or omitted the main thread. Each worker
   * holds a contiguous share of the rows (sent once per fit) and folds it into a small triangle
   * per evaluation; the triangles merge in a fixed order, so a given count gives the same result
   * on every run, and any count agrees with the main thread to rounding. Expression models and
   * lifted closures cross; a closure that cannot, a covariance sigma, finite differences, a user
   * loss or a non-wasm backend keep the fit on the main thread, and `choices.workers` says why.
   */
  readonly workers?: 'auto' | number;
  /**
   * Lift a plain function model to an expression model when its source is the pure arithmetic
   * subset (exact Jacobian, compiled kernels on every backend); default true. `false` always
   * evaluates the function per point with finite differences. `choices.model` says what happened.
   */
  readonly lift?: boolean;
  /**
   * Values of a plain function's free identifiers (constants of the enclosing scope, which its
   * source cannot show), e.g. `{ k: 2.5 }`, so that it can be lifted. Finite numbers only.
   */
  readonly constants?: Readonly<Record<string, number>>;
}

/** A residual-vector function for `leastSquares`: r(x) of length m. */
export type ResidualFunction = (x: Float64Array) => ArrayLike<number>;

/** Its Jacobian: m rows of p numbers, or one row-major Float64Array of length m·p. */
export type ResidualJacobian = (x: Float64Array) => ArrayLike<ArrayLike<number>> | Float64Array;

/** Options of `leastSquares` (SciPy `least_squares`). */
export interface LeastSquaresOptions extends CommonFitOptions {
  /** `'2-point'` (default), `'3-point'` or a Jacobian function. */
  readonly jac?: '2-point' | '3-point' | ResidualJacobian;
  /**
   * Accepted for symmetry with `curveFit`: `fun` is a closure, which cannot cross to a worker, so
   * the solve runs on the main thread and `choices.workers` says why (fold an expression model on
   * workers with `curveFit` or `fit`). Validated as there: `'auto'` or an integer in [0, 256].
   */
  readonly workers?: 'auto' | number;
}

/** r(x) → m residuals. */
export type VectorFunction = (x: Float64Array) => ArrayLike<number>;
/** J(x) → m rows of p, or a row-major m·p Float64Array. */
export type VectorJacobian = (x: Float64Array) => ArrayLike<ArrayLike<number>> | Float64Array;
