/**
 * The public argument types of `fitBatch`: the data of many fits, and the options that apply to
 * every fit of the batch (SciPy `curve_fit`'s keywords, per fit where a shape allows it).
 *
 * Shapes (row-major throughout, as Gpufit and NumPy lay them out):
 *
 * | argument | shared by every fit            | one per fit                                                  |
 * |----------|--------------------------------|--------------------------------------------------------------|
 * | `x`      | n values, or k arrays of n     | nFits·n values (k = 1), k arrays of nFits·n, or nFits·n·k interleaved |
 * | `y`      | —                              | nFits·n values (Float64Array) or nFits arrays of n (`number[][]`) |
 * | `p0`     | p values                       | nFits·p values, or nFits arrays of p; `'auto'`: the model's estimator per fit |
 * | `bounds` | `[lb, ub]` of p values (or numbers) | `[lb, ub]` of nFits·p values each                         |
 * | `sigma`  | —                              | same shape as `y`                                            |
 * | `vary`   | p booleans                     | —                                                            |
 *
 * With `offsets` (Int32Array of nFits + 1 increasing indices, `offsets[0] = 0`) fit i owns the
 * points `offsets[i] … offsets[i+1] − 1` of a flat `y` (and of a per-fit `x` and `sigma`), so
 * fits may have different lengths.
 *
 * @module
 */
import type { BackendOption } from '../backends/registry.ts';
import type { ModelFunction } from '../model/closure-kernel.ts';
import type { ParamInput, ParameterSet } from '../model/params.ts';
import type { LossFunction, LossName } from '../optim/loss.ts';
import type { SolverMethod } from '../optim/solver-options.ts';
import type { FittableModel } from '../model/model-kernel.ts';

/** A model `fitBatch` accepts: an expression model (the fast path) or a closure `f(x, ...params)` (the JS path). */
export type BatchModel = FittableModel | ModelFunction;

/** The data of a batch (see the module's table for the shapes). */
export interface FitBatchData {
  /** The independent variable(s): shared (n values or k arrays of n) or one set per fit. */
  readonly x: ArrayLike<number> | ArrayLike<ArrayLike<number>>;
  /** Observations, nFits × n row-major, or one array per fit (equal lengths unless `offsets` is given). */
  readonly y: ArrayLike<number> | ArrayLike<ArrayLike<number>>;
  /** Variable lengths: fit i owns points offsets[i] … offsets[i+1] − 1 (nFits + 1 entries, offsets[0] = 0). */
  readonly offsets?: Int32Array | ArrayLike<number>;
  /** Points per fit, needed only when both `x` and `y` are flat per-fit arrays (nothing else tells n). */
  readonly nPoints?: number;
}

/** Which single-thread engine runs a batch: `'auto'` (WASM where it covers the batch, else CPU), or one forced. */
export type EngineChoice = 'auto' | 'cpu' | 'wasm';

/** Progress of a batch: fits finished out of the total. */
export interface BatchProgress {
  /** Fits finished. */
  readonly done: number;
  /** Fits in the batch. */
  readonly total: number;
}

/** A parameter array for every fit: one for all (p values) or one per fit (nFits·p flat, or nFits arrays). */
export type BatchParamArray = ArrayLike<number> | ArrayLike<ArrayLike<number>>;

/** Options of `fitBatch`, applied to every fit (SciPy `curve_fit` keywords in camelCase). */
export interface FitBatchOptions {
  /** Starting values: one p0 for all fits, one per fit, or `'auto'` (the model's `estimateP0` per fit). Default: SciPy's (1, or the middle of finite bounds). */
  readonly p0?: BatchParamArray | 'auto';
  /** `[lb, ub]`, each a number, p values (shared) or nFits·p values (per fit). Default: the model's `defaultBounds`, else none. */
  readonly bounds?: readonly [number | BatchParamArray, number | BatchParamArray];
  /** Standard deviations of y, the same shape as y (residuals are (f − y)/σ). */
  readonly sigma?: ArrayLike<number> | ArrayLike<ArrayLike<number>>;
  /** Treat sigma as absolute (pcov and perr are not rescaled by the reduced χ²); default false. */
  readonly absoluteSigma?: boolean;
  /** Hold mask: `vary[j] = false` keeps parameter j at its p0 in every fit (Gpufit's `parameters_to_fit`). */
  readonly vary?: ArrayLike<boolean>;
  /** Named parameters (`params({ … })`): values, bounds, fixed and tied parameters shared by every fit, instead of p0/bounds/vary. */
  readonly params?: ParameterSet | Readonly<Record<string, ParamInput>>;
  /** `'lm'` or `'trf'` (`'dogbox'` too); default as `curveFit`: `'lm'` without bounds, `'trf'` with. */
  readonly method?: SolverMethod;
  /** Relative cost-change tolerance (SciPy `ftol`). */
  readonly ftol?: number;
  /** Relative step tolerance (SciPy `xtol`). */
  readonly xtol?: number;
  /** Gradient tolerance (SciPy `gtol`). */
  readonly gtol?: number;
  /** Evaluation limit per fit (SciPy `max_nfev`). */
  readonly maxNfev?: number;
  /** Characteristic parameter scales or `'jac'` (SciPy `x_scale`). */
  readonly xScale?: 'jac' | number | ArrayLike<number>;
  /** Relative finite-difference step for closure models (SciPy `diff_step`). */
  readonly diffStep?: number | ArrayLike<number>;
  /** Robust loss (trf and dogbox; lm takes only `'linear'`, as in SciPy). */
  readonly loss?: LossName | LossFunction;
  /** Soft margin of the robust loss (SciPy `f_scale`); default 1. */
  readonly fScale?: number;
  /**
   * Where the batch runs: `'auto'` (default), `'cpu'` (the plain-TypeScript engine, as
   * `engine: 'cpu'`), `'webgpu'` or a WebGPU backend instance (the device engine: every fit's
   * whole loop on the GPU, then the f64 polish). `'auto'` takes a hardware GPU for batches of
   * 16384 fits or more, never a software adapter. Other names are accepted and reported; the
   * single-thread engines run them.
   */
  readonly backend?: BackendOption;
  /**
   * Device engines (`backend: 'webgpu'`): polish each device answer in f64 on the host engine
   * (default true: popt and perr agree with `curveFit`); false returns the device's f32 results and
   * the summary says so.
   */
  readonly polish?: boolean;
  /**
   * The single-thread engine: `'auto'` (default: the WASM engine — the whole `lm` loop inside
   * WebAssembly — where it covers the batch, else the CPU engine, and `r.summary().reason` says
   * why), `'cpu'` (the plain-TypeScript reference) or `'wasm'` (throws when the batch needs what
   * the WASM engine lacks: `trf`/`dogbox`, a robust loss, a closure, named parameters). With
   * `workers`, each worker runs this engine.
   */
  readonly engine?: EngineChoice;
  /**
   * Workers of the process-wide pool: a count n (at most one per fit) cuts the batch into chunks of
   * fits that n workers take from a queue, each chunk run by the single-thread engine in its worker — every row bitwise
   * the one-thread row; `'auto'` uses one per core when the batch is large enough to gain (at
   * least `MIN_BATCH_WORK_PER_WORKER` points·(p+1)² per worker, `MIN_WASM_BATCH_WORK_PER_WORKER`
   * when the workers run the WASM engine), else the main thread; omitted or
   * 0: the main thread. Expression models cross as their IR; a closure or a loss function keeps
   * the batch on the main thread. `r.plan` says how many ran and why.
   */
  readonly workers?: 'auto' | number;
  /** Fits per sub-batch: the unit of progress reports and of the engine's working set (default 4096). */
  readonly subBatchSize?: number;
  /** Cancels the batch between fits (the batch yields to the event loop every ~10 ms of work). */
  readonly signal?: AbortSignal;
  /** Called after every sub-batch with the fits done so far (on workers: the sum over the workers, each reporting ~8 times). */
  readonly onProgress?: (progress: BatchProgress) => void;
}
