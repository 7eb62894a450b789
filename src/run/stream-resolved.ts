/**
 * The streaming run of a resolved fit, shared by resident arrays sent to the streaming strategy
 * and by data sources: the model compiled for the backend, the solver, loss, Jacobian scheme,
 * warm-up, callbacks and checkpoints, handed to `streamingFit`.
 *
 * @module
 */
import type { Backend } from '../backends/backend.ts';
import type { ChunkFold } from '../evaluate/streaming-problem.ts';
import { kernelForBackend } from './backend-kernel.ts';
import type { BackendLease } from './backend-lease.ts';
import type { ResolvedCurveFit } from '../options/resolve-curve-fit.ts';
import type { DataSource } from '../sources/data-source.ts';
import type { FitOptions } from './fit-options.ts';
import { streamingFit, type StreamingFitResult } from '../streaming/streaming-fit.ts';

/**
 * Run the streaming strategy of a resolved fit over `source` on `backend`: the options every
 * streaming fit shares (model, solver, loss, Jacobian scheme, warm-up, callbacks, checkpoints).
 * The model kernel compiled for the backend (windows copied per call: O(chunk) memory) is held
 * by `lease` and freed when the run ends. With `statistics`, one more checked pass at popt gives
 * the goodness-of-fit statistics (for a source, whose data are not resident), with that same
 * kernel (on a wasm backend the compiled model: the residuals of an in-memory fit on it). With `fold`, the
 * exact passes fold their chunks there (on workers: `parallel-fit.ts` `streamFoldFor`).
 */
export async function streamResolved(
  resolved: ResolvedCurveFit,
  source: DataSource,
  backend: Backend,
  options: FitOptions,
  lease: BackendLease,
  statistics = false,
  fold?: ChunkFold,
): Promise<StreamingFitResult> {
  const { settings } = resolved;
  const compiled = lease.hold(await kernelForBackend(resolved, backend, { resident: false }));
  return streamingFit({
    source,
    kernel: compiled.resolved.kernel,
    backend,
    solver: settings.solver,
    loss: settings.loss,
    scheme: settings.scheme,
    warmup: options.warmup,
    onProgress: options.onProgress,
    onIteration: resolved.onIteration,
    onCheckpoint: options.onCheckpoint,
    checkpointEvery: options.checkpointEvery,
    resumeFrom: options.resumeFrom,
    signal: resolved.signal,
    caller: 'fit',
    statisticsKernel: statistics ? compiled.resolved.kernel : undefined,
    fold,
  });
}
