/**
 * `fit()`: NLSQ's `fit(model, x, y, workflow='auto')` — plan, then run the chosen strategy.
 *
 * ```
 *   resolve options ─▶ buildPlan (memory budget × available backends) ─▶ strategy ─▶ result
 *                                                                       │
 *          standard: the data walk over resident arrays, cache-sized blocks
 *          chunked:  the same walk with chunk-sized blocks (working memory O(chunk·p))
 *          streaming: passes over the data as a source (warm-up, then exact passes)
 * ```
 *
 * All three fold the same Jacobian rows into the same triangle (TSQR), so they reach the same
 * popt and pcov to rounding — unlike NLSQ, whose chunked strategy merges per-chunk fits.
 * With a data source (`fit(model, source, options)`) the fit is always streaming.
 *
 * The `global` option (or `goal: 'global'`, which turns it on with its defaults: 16 scrambled
 * Sobol starts, seed 0) searches for the global minimum around the plan: over arrays the starts
 * run as one batch (`global/batch-starts.ts`) and the winning start is fitted by the planned
 * strategy; over a streaming source the starts race in a tournament on the source's first chunks
 * and only the finalists stream the whole source (`global/tournament.ts`). `result.global` and
 * `result.choices.global` report what ran.
 *
 * This file resolves the options and dispatches; the run path is `run/fit-arrays.ts` (arrays)
 * and `run/source-fit.ts` (a source).
 *
 * @module
 */
import type { FittableModel } from './model/model-kernel.ts';
import type { ModelFunction } from './model/closure-kernel.ts';
import { prepareCurveFitModel, resolveCurveFitOptions } from './options/resolve-curve-fit.ts';
import type { XData } from './curve-fit.ts';
import type { DataSource } from './sources/data-source.ts';
import { FIT_KEYS, fitGlobalSearch, splitFitOptions, type FitOptions } from './run/fit-options.ts';
import { searchCurveFit } from './global/global-fit.ts';
import { tournament } from './global/tournament.ts';
import { fitArrays } from './run/fit-arrays.ts';
import { provideBatchRefits, provideSourceRefits } from './batch/refit-runner.ts';
import { runBatch } from './batch/run-batch.ts';
import { fitSource } from './run/source-fit.ts';
import type { FitResult } from './result/fit-result.ts';

export type { FitOptions } from './run/fit-options.ts';
export type { FitResult } from './result/fit-result.ts';

/**
 * Fit a model with a memory-aware strategy (NLSQ's `fit(..., workflow='auto')`).
 *
 * @param model - a per-point function `f(x, ...params)` or an expression model.
 * @param xdata - n numbers or k arrays of n numbers — or, instead of x and y, a data source
 *   (a re-readable (async) iterable of `{ x, y, sigma? }` chunks, or a function returning one).
 * @param ydata - n observations (omitted with a source).
 * @param options - every `curveFit` option plus `workflow`, `memoryLimitGb`, `chunkSize`, `goal`
 *   and the streaming options ({@link FitOptions}).
 * @returns the result; `strategy`, `backend` and `reason` say what ran and why.
 * @remarks `Float64Array` data are read in place, not copied: leave them unchanged until the
 *   promise settles.
 * @throws as `curveFit`, plus NlsqRangeError for workflow options that cannot be honoured (e.g. a
 *   covariance sigma with a chunked or streaming workflow) and DataSourceError for a bad source.
 * @example
 * ```ts
 * const r = await fit(model('a*exp(-b*x) + c'), x, y, { p0: [1, 1, 0], workflow: 'auto' });
 * r.strategy; // 'standard'
 * r.reason;   // 'peak 0.10 GB is within 90% of the 17.2 GB threshold …: standard, … on wasm-simd (…)'
 * ```
 */
export function fit(model: ModelFunction | FittableModel, xdata: XData, ydata: ArrayLike<number>, options?: FitOptions): Promise<FitResult>;
export function fit(model: ModelFunction | FittableModel, source: DataSource, options?: FitOptions): Promise<FitResult>;
export async function fit(
  model: ModelFunction | FittableModel,
  xOrSource: XData | DataSource,
  yOrOptions?: ArrayLike<number> | FitOptions,
  maybeOptions?: FitOptions,
): Promise<FitResult> {
  await prepareCurveFitModel(model, isYData(yOrOptions) ? maybeOptions : (yOrOptions as FitOptions | undefined));
  if (isYData(yOrOptions)) {
    const options = maybeOptions ?? {};
    const resolved = resolveCurveFitOptions('fit', model, xOrSource as XData, yOrOptions, splitFitOptions(options, yOrOptions.length), FIT_KEYS);
    const search = fitGlobalSearch(options);
    return provideBatchRefits(await fitArrays(resolved, options, search === null ? undefined : (r, run) => searchCurveFit(r, search, run)), resolved, runBatch);
  }
  const options = (yOrOptions as FitOptions | undefined) ?? {};
  const search = fitGlobalSearch(options);
  return fitSource(model, xOrSource as DataSource, options, search === null ? undefined : (r, source, run) => tournament(r, search, source, run, options), provideSourceRefits);
}

function isYData(v: unknown): v is ArrayLike<number> {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}
