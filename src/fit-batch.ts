/**
 * `fitBatch`: many independent fits of one model at once — every pixel of an image stack, every
 * spectrum of a map, every compound of a dose-response screen (the workload of Gpufit, Przybylski
 * et al., Sci. Rep. 7:15722, 2017; astropy's `parallel_fit_dask`; xarray's `curvefit`).
 *
 * @module
 */
import type { BatchModel, FitBatchData, FitBatchOptions } from './batch/batch-options.ts';
import type { BatchResult } from './batch/batch-result.ts';
import { runBatch } from './batch/run-batch.ts';

/**
 * Fit one model to many data sets. Each fit is SciPy's `curve_fit` on its own data — the same
 * solver, tolerances, covariance and status codes as {@link curveFit}, which it agrees with fit
 * by fit — but the batch is validated once, and the fits run on a preallocated engine without a
 * backend, an option object or a result object per fit.
 *
 * Data shapes: `x` shared by every fit (n values, or k arrays of n) or per fit (nFits·n values,
 * k arrays of nFits·n, or nFits·n·k interleaved); `y` nFits·n row-major (Float64Array) or one
 * array per fit; `offsets` (Int32Array, nFits + 1) for fits of different lengths. Options:
 * `p0` (one for all, nFits × p, or `'auto'`), `bounds` (shared or nFits × p each), `sigma` (the
 * shape of y), `vary` (hold mask), `params`, `method` (`'lm'`, `'trf'`), `ftol`, `xtol`, `gtol`,
 * `maxNfev`, `loss`, `fScale`, `engine` (`'auto'`, `'cpu'`, `'wasm'`), `workers` (a range of fits
 * per worker of the process-wide pool; the same rows bit for bit), `signal`, `onProgress`.
 *
 * Engines: by default the WASM engine runs every fit's whole Levenberg–Marquardt loop inside
 * WebAssembly (expression models, method `'lm'`, linear loss; `docs/batch.md`); the rest runs on
 * the plain-TypeScript CPU engine, and `r.summary().reason` says which ran and why.
 *
 * A fit that fails never stops the batch: it gets its status (SciPy's codes; −1 when it could not
 * start — too few points, non-finite data, an infeasible p0) and a message (`r.message(i)`).
 *
 * @param model - an expression model (`model('…')`, `models.*`), or a closure `f(x, ...params)`
 *   (run on the JS path with finite differences).
 * @param data - `{ x, y, offsets?, nPoints? }`.
 * @param options - {@link FitBatchOptions}.
 * @returns popt, perr, status, chiSquare, cost, nfev, nit per fit; `get(i)` for fit i's full
 *   `CurveFitResult`; `summary()` and `report()` for the plan and the counts.
 * @throws NlsqTypeError / NlsqRangeError naming the argument for malformed input (ragged y
 *   without offsets, offsets that decrease, p0/bounds/sigma of the wrong shape); AbortError when
 *   `signal` aborts; WorkerError when a worker dies (the batch has no result; the pool recovers).
 * @example
 * ```ts
 * import { fitBatch, models } from 'nlsq';
 * const r = await fitBatch(models.gaussian2d(), { x: [gx, gy], y: Y }, { p0: 'auto' });
 * r.popt;            // Float64Array nFits × 6
 * r.summary().counts; // { gtol: …, ftol: … }
 * r.get(0).report();
 * ```
 */
export function fitBatch(model: BatchModel, data: FitBatchData, options: FitBatchOptions = {}): Promise<BatchResult> {
  return runBatch('fitBatch', model, data, options);
}
