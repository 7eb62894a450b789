/**
 * What a fitted result keeps so that it can be fitted again — on a grid of held values (the
 * profile likelihood, `profile.ts`) or on resampled data (the bootstrap, `bootstrap.ts`) — and
 * the batch runner those refits go through.
 *
 * The refits are many fits of one model. The result does not import the layers that run them:
 * the public entry points hand the result its {@link RefitSource} ({@link provideRefits}):
 * - resident data with no or a 1-D sigma (`curveFit`, `curveFitSync`, `fit` on arrays,
 *   `fitBatch`'s `get(i)`): the refits run as batches on `fitBatch`'s engine
 *   (`batch/refit-runner.ts`);
 * - a covariance (2-D) sigma and `leastSquares`: the refits of a residual vector r(θ) = g(θ) − y
 *   that no pointwise batch can walk (L⁻¹ couples every row; a residual function is a closure),
 *   solved one after another by `leastSquares`' solver (`batch/vector-refits.ts`);
 * - a streamed source (`fit(model, source)` with a re-readable source): the refits run in
 *   lockstep, one pass over the source per round serving all of them (`batch/source-refits.ts`);
 * - a database fit (`fitSql` on one table): the fit's own Gram queries with the held columns
 *   dropped (`batch/sql-refits.ts`).
 * The last two are not resident ({@link RefitSource.resident}): they can be profiled, not
 * resampled. A one-pass source, a `groupBy` database fit and a loss function get none, and their
 * `profile`/`bootstrap` say why.
 *
 * The data model every source shares: observations y and a model g(θ) with weighted residuals
 * r_i = w_i (g_i(θ) − y_i). For a curve fit g is f(x; θ) at the points; for a covariance sigma
 * y and g are whitened by L⁻¹ (and w = 1); for `leastSquares`, whose residual function has no
 * observations, y = 0 and g = r — so y* = ŷ + e* of the residual bootstrap refits
 * r(θ) − r(θ̂) − e*, the residual bootstrap of any r that is a weighted regression residual.
 *
 * Everything here is in the solver's parameter space: the free parameters of a `params` set
 * (fixed ones are constants of `model`, tied ones are substituted), in the order of
 * `names`.
 *
 * @module
 */
import { NlsqRangeError } from '../errors.ts';

/** One batch of refits: data for every fit, starts, and which parameters are held. */
export interface RefitRequest {
  /**
   * The independent variables, k columns: shared by every fit (n values each), or per fit
   * (the fits' points one after another, as `y`).
   */
  readonly x: readonly Float64Array[];
  /** True when `x` holds one set of columns per fit. */
  readonly perFitX: boolean;
  /**
   * The source row (0 … n − 1) of every point of every fit (the shape of y), when the fits are
   * made of chosen rows (the bootstrap's pairs and jackknife); absent: every fit is all n rows in
   * order. Sources whose model is a residual vector (`batch/vector-refits.ts`) read it; the batch
   * engine reads `x`.
   */
  readonly rows?: Int32Array;
  /** Observations of every fit, one after another. */
  readonly y: Float64Array;
  /** σ of every observation (the shape of y), or null for unit weights. */
  readonly sigma: Float64Array | null;
  /** Fit i owns points offsets[i] … offsets[i+1] − 1 (nFits + 1 entries). */
  readonly offsets: Int32Array;
  /**
   * True when every fit is the fit's own data (the profile's refits): `x`, `y`, `sigma` and
   * `offsets` then need not be read, and a streamed source (which has no resident copy to send)
   * sends them empty.
   */
  readonly sameData?: boolean;
  /** Starting values, nFits × p row-major (held parameters keep theirs). */
  readonly p0: Float64Array;
  /** Hold mask over the p parameters (absent: all vary). */
  readonly vary?: readonly boolean[];
  /** Cancels the batch between fits. */
  readonly signal?: AbortSignal;
  /** Fits done so far, after every sub-batch. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** What the refits answered: one row per fit. */
export interface RefitReply {
  /** nFits × p fitted parameters. */
  readonly popt: Float64Array;
  /** ½Σρ(r²) at popt per fit (the objective; ½χ² for the linear loss). */
  readonly cost: Float64Array;
  /** SciPy's status code per fit (1–4 converged, 0 max-nfev, −1 could not start). */
  readonly status: Int8Array;
}

/** Runs one batch of refits on `fitBatch`'s engine with the fit's own method, tolerances and loss. */
export type RefitRunner = (caller: string, request: RefitRequest) => Promise<RefitReply>;

/** The fit's data and solver space, and the runner that refits it. */
export interface RefitSource {
  /** The solver's parameter names (the free ones with `params`). */
  readonly names: readonly string[];
  /** The solution over `names`. */
  readonly popt: Float64Array;
  /** Lower bounds over `names`. */
  readonly lb: Float64Array;
  /** Upper bounds over `names`. */
  readonly ub: Float64Array;
  /** The independent variables, k columns of n. */
  readonly x: readonly Float64Array[];
  /** The observations, n. */
  readonly y: Float64Array;
  /** Weights 1/σ, or null. */
  readonly w: Float64Array | null;
  /** The fit's loss by name (`'linear'`, `'huber'`, …). */
  readonly loss: string;
  /**
   * True when x, y, w and {@link RefitSource.values} hold the data; false for a streamed source,
   * whose x and y are empty (its refits read the source; it can be profiled, not resampled).
   */
  readonly resident: boolean;
  /** Model values g(θ) at the n points for θ over `names` (resampling; resident sources only). */
  readonly values: (theta: Float64Array) => Float64Array;
  /** χ² = Σ(w(g(θ_k) − y))² of `count` points (rows of p in `thetas`), with the fit's loss as 2·cost for a streamed source. */
  readonly chiSquares: (caller: string, thetas: Float64Array, count: number, signal?: AbortSignal) => Promise<Float64Array>;
  /** Σ(w·y)² of the data (the scale an exact fit's χ²_min is judged against). */
  readonly dataSumSquares: (caller: string, signal?: AbortSignal) => Promise<number>;
  /**
   * Why the rows cannot be resampled as pairs (no rows, or rows coupled by a covariance sigma),
   * or null when they can.
   */
  readonly pairs: string | null;
  /** Runs a batch of refits. */
  readonly run: RefitRunner;
}

/**
 * Where a result keeps its source, or the function that builds it on first use (then replaced by
 * what it built): a non-enumerable own property under this symbol. Not a `WeakMap` keyed by the
 * result: V8's young-generation GC keeps a WeakMap's values alive while their keys are young, so
 * every result's source — and through it the fit's data and model — survived it and was
 * promoted (measured, Node 20, 1,000 small fits: 5–8 MB promoted per scavenge, each ~20 ms
 * instead of ~2 ms); an own property dies with its result.
 */
const REFITS: unique symbol = Symbol('nlsq.refits');

/** A result as {@link provideRefits} leaves it. */
interface WithRefits {
  [REFITS]?: RefitSource | (() => RefitSource);
}

/**
 * Give a result what it needs to be refitted (called by `batch/refit-runner.ts`).
 *
 * @param result - the result.
 * @param source - its data, solver space and runner; or a function that builds them, called once,
 *   on the first {@link refitSourceOf} (most results are never refitted: a small fit then pays
 *   for none of the source's closures).
 */
export function provideRefits(result: object, source: RefitSource | (() => RefitSource)): void {
  Object.defineProperty(result, REFITS, { value: source, writable: true, configurable: true, enumerable: false });
}

/** The resident members of a {@link RefitSource}: χ² and Σ(w·y)² from `values`, `y` and `w`. */
export function residentMembers(values: (theta: Float64Array) => Float64Array, y: Float64Array, w: Float64Array | null): Pick<RefitSource, 'resident' | 'values' | 'chiSquares' | 'dataSumSquares'> {
  const chi2 = (theta: Float64Array): number => {
    const f = values(theta);
    let s = 0;
    for (let i = 0; i < f.length; i++) {
      const r = (f[i]! - y[i]!) * (w === null ? 1 : w[i]!);
      s += r * r;
    }
    return s;
  };
  return {
    resident: true,
    values,
    chiSquares: async (_caller, thetas, count) => {
      const p = thetas.length / Math.max(count, 1);
      return Float64Array.from({ length: count }, (_, k) => chi2(thetas.subarray(k * p, (k + 1) * p)));
    },
    dataSumSquares: async () => {
      let s = 0;
      for (let i = 0; i < y.length; i++) s += (y[i]! * (w === null ? 1 : w[i]!)) ** 2;
      return s;
    },
  };
}

/**
 * The refit source of a result.
 *
 * @param caller - the public method name for the message.
 * @param result - the result.
 * @returns its source.
 * @throws NlsqRangeError (argument `result`) when the result was not fitted on resident data.
 */
export function refitSourceOf(caller: string, result: object): RefitSource {
  const holder = result as WithRefits;
  let source = holder[REFITS];
  if (typeof source === 'function') {
    source = source();
    holder[REFITS] = source;
  }
  if (source === undefined) {
    throw new NlsqRangeError(
      `${caller}: needs a fit that can be refitted, got a result without its refits (a groupBy database fit, a one-pass source, or a custom loss function); fit the data as arrays with curveFit or fit(model, x, y), or a re-readable source with fit(model, source)`,
      'result',
    );
  }
  return source;
}
