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
 * @module
 */
import type { ResolvedBackend } from './backends/registry.ts';
import { NlsqRangeError } from './errors.ts';
import { createCurveFitProblem, explainStart } from './evaluate/curve-fit-problem.ts';
import { runCurveFit } from './curve-fit.ts';
import type { FittableModel } from './model/model-kernel.ts';
import type { ModelFunction } from './model/closure-kernel.ts';
import { walkChoices } from './result/choice.ts';
import { resolveCurveFitOptions, type ResolvedCurveFit } from './options/resolve-curve-fit.ts';
import { buildCurveFitResult, type CurveFitContext, type CurveFitResult } from './result/curve-fit-result.ts';
import type { XData } from './curve-fit.ts';
import { arraySource, type DataSource } from './sources/data-source.ts';
import { FIT_KEYS, splitFitOptions, type FitOptions } from './run/fit-options.ts';
import { hostBackendFor, planFit } from './run/plan-fit.ts';
import { streamResolved } from './run/stream-resolved.ts';
import type { Plan } from './workflow/plan.ts';
import { fitSource } from './run/source-fit.ts';

export type { FitOptions } from './run/fit-options.ts';
export type { FitResult } from './result/fit-result.ts';
import type { FitResult } from './result/fit-result.ts';

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
  if (isYData(yOrOptions)) return fitResident(model, xOrSource as XData, yOrOptions, maybeOptions ?? {});
  return fitSource(model, xOrSource as DataSource, (yOrOptions as FitOptions | undefined) ?? {});
}

function isYData(v: unknown): v is ArrayLike<number> {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

async function fitResident(model: ModelFunction | FittableModel, xdata: XData, ydata: ArrayLike<number>, options: FitOptions): Promise<FitResult> {
  const resolved = resolveCurveFitOptions('fit', model, xdata, ydata, splitFitOptions(options, ydata.length), FIT_KEYS);
  const workflow = resolved.sigma.kind === '2d' ? requireStandard(options) : options.workflow;
  const { plan, backend } = await planFit(resolved, options, workflow);
  const context = walkChoices({ kind: 'planned', plan, workflow: options.workflow, chunkSize: options.chunkSize });
  try {
    const result = plan.strategy === 'streaming' ? await streamResident(resolved, plan, backend, options, context) : await runCurveFit(resolved, backend, context, { blockRows: plan.blockRows, cacheResiduals: plan.strategy !== 'chunked' });
    return Object.assign(result, { plan }) as FitResult;
  } finally {
    backend.release?.();
  }
}

/** A covariance sigma couples every residual: only the standard strategy can honour it. */
function requireStandard(options: FitOptions): 'standard' {
  if (options.workflow !== undefined && options.workflow !== 'auto' && options.workflow !== 'standard') {
    throw new NlsqRangeError(
      `fit: a covariance (2-D) sigma couples all points, so workflow must be 'standard' or 'auto', got '${options.workflow}'`,
      'workflow',
    );
  }
  return 'standard';
}

/** The streaming strategy over resident arrays (served as a chunked source; never on the device). */
async function streamResident(
  resolved: ResolvedCurveFit,
  plan: Plan,
  given: ResolvedBackend,
  options: FitOptions,
  context: Pick<CurveFitContext, 'strategy' | 'blockSize'>,
): Promise<CurveFitResult> {
  const backend = await hostBackendFor(given);
  const problem = createCurveFitProblem(resolved, backend.backend);
  const { data } = resolved;
  const sigma = resolved.sigma.kind === '1d' ? resolved.sigma.sigma : null;
  const source = arraySource({ x: data.x.length === 1 ? data.x[0]! : data.x, y: data.y, sigma }, plan.batchSize ?? plan.chunkSize);
  const streamed = await streamResolved(resolved, source, backend.backend, options).catch((error: unknown) => {
    throw explainStart(resolved, problem, error);
  });
  return buildCurveFitResult(streamed.outcome, resolved, { ...context, backend, fun: problem.residualVector(streamed.outcome.x) });
}

