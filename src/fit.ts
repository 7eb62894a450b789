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
 * This file resolves the options and dispatches; the run path is `run/fit-arrays.ts` (arrays)
 * and `run/source-fit.ts` (a source).
 *
 * @module
 */
import { NlsqRangeError } from './errors.ts';
import type { FittableModel } from './model/model-kernel.ts';
import type { ModelFunction } from './model/closure-kernel.ts';
import { prepareCurveFitModel, resolveCurveFitOptions } from './options/resolve-curve-fit.ts';
import type { XData } from './curve-fit.ts';
import type { DataSource } from './sources/data-source.ts';
import { FIT_KEYS, splitFitOptions, type FitOptions } from './run/fit-options.ts';
import { fitArrays } from './run/fit-arrays.ts';
import { provideBatchRefits } from './batch/refit-runner.ts';
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
  const given = (isYData(yOrOptions) ? maybeOptions : yOrOptions) as { readonly global?: unknown } | undefined;
  if (given?.global !== undefined) throw new NlsqRangeError("fit: the option 'global' is not supported by fit() yet; use curveFit or leastSquares", 'global');
  await prepareCurveFitModel(model, isYData(yOrOptions) ? maybeOptions : (yOrOptions as FitOptions | undefined));
  if (isYData(yOrOptions)) {
    const options = maybeOptions ?? {};
    const resolved = resolveCurveFitOptions('fit', model, xOrSource as XData, yOrOptions, splitFitOptions(options, yOrOptions.length), FIT_KEYS);
    return provideBatchRefits(await fitArrays(resolved, options), resolved, runBatch);
  }
  return fitSource(model, xOrSource as DataSource, (yOrOptions as FitOptions | undefined) ?? {});
}

function isYData(v: unknown): v is ArrayLike<number> {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}
