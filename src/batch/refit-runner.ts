/**
 * The refits of a fitted result — the profile likelihood's held-parameter fits and the
 * bootstrap's resampled fits — as batches on `fitBatch`'s engine: {@link provideBatchRefits}
 * gives a `CurveFitResult` fitted on resident data its `RefitSource` (`result/refit-source.ts`),
 * whose runner calls `runBatch` (`run-batch.ts`) with the fit's own model (over its free parameters),
 * bounds, method, tolerances, loss and `absoluteSigma`.
 *
 * @module
 */
import { LOSS_NAMES, type LossName } from '../optim/loss.ts';
import type { ResolvedCurveFit } from '../options/resolve-curve-fit.ts';
import type { CurveFitResult } from '../result/curve-fit-result.ts';
import { provideRefits, type RefitReply, type RefitRequest } from '../result/refit-source.ts';
import type { BatchModel, FitBatchData, FitBatchOptions } from './batch-options.ts';

/** `runBatch`'s signature (passed in: `run-batch.ts` itself hands results of `get(i)` their refits). */
export type BatchRun = (caller: string, model: BatchModel, data: FitBatchData, options: FitBatchOptions) => Promise<RefitReply>;

/**
 * Give `result` the batch refits of its fit, when the fit can be refitted: resident data with no
 * or a 1-D sigma and a named loss (a 2-D sigma or a loss function leave the result without
 * refits, and its `profile`/`bootstrap` say so).
 *
 * @param result - the result of `resolved`'s fit.
 * @param resolved - the resolved fit (its data must be the whole data, not a first chunk).
 * @param runBatch - `batch/run-batch.ts`'s `runBatch`.
 * @returns the same result.
 */
export function provideBatchRefits<R extends CurveFitResult>(result: R, resolved: ResolvedCurveFit, runBatch: BatchRun): R {
  const { settings, data } = resolved;
  if (resolved.sigma.kind === '2d' || !(LOSS_NAMES as readonly string[]).includes(settings.lossName)) return result;
  const { solver } = settings;
  const names = resolved.paramNames;
  const free = resolved.paramLayout === undefined ? result.popt : Array.from(resolved.paramLayout.free, (j) => result.popt[j]!);
  const common: FitBatchOptions = {
    bounds: [solver.lb, solver.ub], method: solver.method, ftol: solver.ftol, xtol: solver.xtol, gtol: solver.gtol,
    maxNfev: solver.maxNfev, loss: settings.lossName as LossName, fScale: settings.fScale,
    absoluteSigma: resolved.absoluteSigma,
  };
  const run = async (caller: string, request: RefitRequest): Promise<RefitReply> => {
    const { x, y, offsets, p0, vary, signal, onProgress } = request;
    const out = await runBatch(caller, resolved.model, { x, y, offsets }, {
      ...common, p0,
      ...(request.sigma === null ? {} : { sigma: request.sigma }),
      ...(vary === undefined ? {} : { vary }),
      // xScale is over the solver's parameters: with a hold mask, over the ones that still vary.
      xScale: typeof solver.xScale === 'string' || vary === undefined ? solver.xScale : solver.xScale.filter((_, j) => vary[j]),
      ...(signal === undefined ? {} : { signal }),
      ...(onProgress === undefined ? {} : { onProgress: (s: { done: number; total: number }) => onProgress(s.done, s.total) }),
    });
    return { popt: out.popt, cost: out.cost, status: out.status };
  };
  provideRefits(result, {
    names, popt: Float64Array.from(free), lb: solver.lb, ub: solver.ub, x: data.x, y: data.y, w: data.w, loss: settings.lossName, kernel: resolved.kernel, run,
  });
  return result;
}
