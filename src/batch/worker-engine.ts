/**
 * The worker-pool engine of `fitBatch` (the `workers` option): the fits spread over the workers of
 * the process-wide pool (`parallel/worker-pool.ts`), each worker running the single-thread engine
 * (`createLocalEngine`) on its fits. Two ways to get the fits there:
 *
 * - **Shared memory** (where `SharedArrayBuffer` is usable: Node, Deno, Bun, a cross-origin
 *   isolated page; `shared-batch.ts`): the batch in rounds of up to `ROUND_FITS` fits; each round's
 *   inputs copied once into shared memory, one task per worker per round (posted once the first
 *   eighth is copied, so the workers set up while the main thread copies the rest), the workers claiming small chunks of fits
 *   from a shared counter and writing their rows into shared outputs; the next round is copied while
 *   the workers run this one. The main thread's work is the bytes copied in and out, nothing per
 *   fit or per chunk; no worker waits for a hand-over, and they finish within a small chunk of each
 *   other.
 * - **A queue of transferred chunks** (elsewhere; `batch-share.ts`): the batch cut into contiguous
 *   chunks ({@link batchChunks}: eight per worker for a large batch) that the workers take from a
 *   queue (`onWorkerQueue`: a free worker takes the next chunk). A chunk's data are cut (a fresh
 *   copy, transferred) when a worker takes it, so the first worker starts while the main thread
 *   cuts the next chunk; its rows come back transferred.
 *
 * - **What crosses.** The model as its IR (expression models; a closure cannot cross and keeps the
 *   batch on the main thread — `batchWorkerBlock` says why), the data and the p0 and bounds rows,
 *   the options as plain data. `p0: 'auto'` runs the model's estimator (a function: it does not
 *   cross) on the main thread first, with the same `fitStart` the engine uses, and sends the
 *   estimates.
 * - **Same answer on any number of workers.** Fits are independent and each worker runs the same
 *   engine on the same numbers, so every row is bitwise the single-thread engine's row, and each
 *   chunk's rows land at the chunk's place whichever worker ran it.
 * - **Progress** from every worker: each reports the fits it has done about every `progressEvery`
 *   fits; `onProgress` receives the sum over the workers.
 * - **Failure and cancellation** follow `parallel/worker-tasks.ts`: a worker that dies fails the
 *   batch with a `WorkerError` after the other workers have settled (no partial result), the pool
 *   replaces it; the signal cancels every worker's task and the batch rejects with its `AbortError`.
 *
 * @module
 */
import { throwIfAborted } from '../errors.ts';
import { ExpressionKernel } from '../model/expression-kernel.ts';
import { Model } from '../model/model.ts';
import type { DataColumns } from '../model/model-kernel.ts';
import type { ModelProgram } from '../model/program-model.ts';
import { trustedProgram } from '../model/trusted-program.ts';
import { shareBounds, sharedMemoryUsable } from '../parallel/parallel-problem.ts';
import { acquireWorkerPool } from '../parallel/worker-pool.ts';
import { onEveryWorker, onWorkerQueue } from '../parallel/worker-tasks.ts';
import { allocateOutput, placeRows, type BatchOutput, type BatchProblem } from './batch-engine.ts';
import type { BatchProgress } from './batch-options.ts';
import type { ParamRows } from './batch-params.ts';
import type { BatchSolverOptions } from './batch-settings.ts';
import { batchShare, type BatchShareOutput } from './batch-share.ts';
import { fitStart } from './fit-start.ts';
import { prepareSharedRound, roundEnd, type SharedRound, type SharedRoundResult } from './shared-batch.ts';

/**
 * The model's IR when it can cross to a worker, or why not.
 *
 * @param problem - the batch.
 * @param lossIsFunction - whether the loss is a caller's function.
 * @returns `{ ir }` or `{ blocked }` (a sentence).
 */
export function batchWorkerModel(problem: BatchProblem, lossIsFunction: boolean): { readonly ir: ModelProgram } | { readonly blocked: string } {
  const { model, fullKernel } = problem.params;
  if (typeof model === 'function') return { blocked: 'the model is a closure, which cannot cross to a worker; it runs on the main thread (an expression model — model(\'…\'), models.* — crosses as its IR)' };
  const program = trustedProgram(model);
  if (program === undefined || !(model instanceof Model) || !(fullKernel instanceof ExpressionKernel)) {
    return { blocked: 'the model is not one nlsq built (model(), Model.fromJSON or the model library), so its kernel cannot cross to a worker' };
  }
  if (lossIsFunction) return { blocked: 'a loss function cannot cross to a worker' };
  return { ir: { program, valueProgram: model.valueProgram, compiled: fullKernel.mode === 'compiled' } };
}

/**
 * `p0: 'auto'` on the main thread: each fit's estimate (the model's estimator is a function and
 * does not cross), through the engine's own `fitStart`, so that the worker starts where the
 * single-thread engine would; a fit that cannot start keeps its message.
 *
 * @param problem - the batch (its `params.p0` is `'auto'`).
 * @returns per-fit p0 rows (NaN for a fit that cannot start) and the messages of those fits.
 */
function estimateStarts(problem: BatchProblem): { rows: ParamRows; failed: Map<number, string> } {
  const { data, params } = problem;
  const { p } = params;
  const pf = params.free.length;
  const maxN = Math.max(1, data.maxPoints);
  const columns: DataColumns = {
    x: data.x.kind === 'shared' ? data.x.columns : Array.from({ length: data.k }, () => new Float64Array(maxN)),
    y: new Float64Array(maxN),
    w: data.sigma === null ? null : new Float64Array(maxN),
  };
  const values = new Float64Array(data.nFits * p);
  const full = new Float64Array(p);
  const [x0, lb, ub] = [new Float64Array(pf), new Float64Array(pf), new Float64Array(pf)];
  const failed = new Map<number, string>();
  for (let i = 0; i < data.nFits; i++) {
    const why = fitStart(problem, i, columns, full, x0, lb, ub);
    if (why === null) values.set(full, i * p);
    else {
      values.fill(NaN, i * p, (i + 1) * p);
      failed.set(i, why);
    }
  }
  return { rows: { perFit: true, values }, failed };
}

/** What {@link runBatchOnWorkers} needs besides the batch. */
export interface WorkerRun {
  /** Workers (≥ 1, ≤ the number of fits). */
  readonly workers: number;
  /** The model's IR (from {@link batchWorkerModel}). */
  readonly ir: ModelProgram;
  /** The solver options as given. */
  readonly solver: BatchSolverOptions;
  /** Fits between two progress reports of a worker. */
  readonly progressEvery: number;
  /** Cancellation. */
  readonly signal: AbortSignal | undefined;
  /** Progress over every worker. */
  readonly onProgress: ((progress: BatchProgress) => void) | undefined;
  /** False: the queue of transferred chunks even where shared memory is usable (tests). */
  readonly sharedMemory?: boolean;
  /** The most fits of a round in shared memory (default `ROUND_FITS`; tests make it small). */
  readonly roundFits?: number;
}

/**
 * Run every fit of a batch on `run.workers` workers: in shared memory where it is usable
 * ({@link runSharedRounds}), else on a queue of transferred chunks ({@link runQueue}).
 *
 * @param problem - the batch.
 * @param run - workers, IR, options, progress and cancellation.
 * @param P - output parameters per fit.
 * @returns the outputs of the whole batch (allocated once the workers run, so that the page faults
 *   of fresh memory overlap their work).
 * @throws WorkerError when a worker dies or fails; AbortError when the signal aborts.
 */
export async function runBatchOnWorkers(problem: BatchProblem, run: WorkerRun, P: number): Promise<BatchOutput> {
  const { caller, params } = problem;
  throwIfAborted(run.signal, caller);
  const starts = params.p0 === 'auto' ? estimateStarts(problem) : null;
  const p0 = starts !== null ? starts.rows : (params.p0 as ParamRows | null);
  const out = sharedMemoryUsable() && run.sharedMemory !== false ? await runSharedRounds(problem, run, p0, P) : await runQueue(problem, run, p0, allocateOutput(problem.data.nFits, P));
  for (const [i, why] of starts?.failed ?? []) out.messages.set(i, `${caller}: fit ${i}: ${why}`);
  return out;
}

/**
 * The batch in shared memory (`shared-batch.ts`), round after round: the first round's first
 * segment copied, its tasks posted (one per worker), the rest copied while the workers set up; the
 * next round's inputs copied while the workers run this one, the rows copied in when every worker
 * has settled.
 */
async function runSharedRounds(problem: BatchProblem, run: WorkerRun, p0: ParamRows | null, P: number): Promise<BatchOutput> {
  const { caller, data } = problem;
  const { workers, signal, onProgress } = run;
  const prepare = (a: number): SharedRound => prepareSharedRound(problem, run.ir, run.solver, p0, a, roundEnd(data.offsets, data.nFits, a, run.roundFits), workers, run.progressEvery);
  let reported = 0;
  let out: BatchOutput | null = null;
  const pool = await acquireWorkerPool(workers);
  try {
    let round: SharedRound | null = prepare(0);
    let filled = false;
    while (round !== null) {
      const current: SharedRound = round;
      const done = new Array<number>(workers).fill(0);
      const on = (w: number) => (payload: unknown): void => {
        done[w] = payload as number;
        const total = current.a + done.reduce((s, d) => s + d, 0);
        if (total > reported && onProgress !== undefined) {
          reported = total;
          onProgress({ done: total, total: data.nFits });
        }
      };
      if (!filled) current.fill(1); // the first segment before the tasks: the workers start on it at once
      const running = onEveryWorker({ caller, workers, subject: 'batch', signal }, (w) => {
        const task = pool.exec<SharedRoundResult>(w, 'sharedBatch', [current.setup], { on: on(w) });
        task.then(undefined, () => current.stop());
        return task;
      });
      void running.catch(() => undefined); // awaited below; handled now, while the inputs are copied
      if (!filled) {
        await Promise.resolve(); // the lanes post the tasks in a microtask: let them, then copy the rest while the workers set up
        current.fill();
      }
      out ??= allocateOutput(data.nFits, P);
      const next = current.b < data.nFits ? prepare(current.b) : null;
      next?.fill();
      filled = true;
      current.take(out, await running);
      round = next;
    }
  } finally {
    pool.release();
  }
  return out!;
}

/**
 * The batch on a queue of chunks (`batch-share.ts`), where shared memory is not usable: each chunk
 * cut when a worker is free for it, transferred, its rows copied in when they come back.
 */
async function runQueue(problem: BatchProblem, run: WorkerRun, p0: ParamRows | null, out: BatchOutput): Promise<BatchOutput> {
  const { caller, data } = problem;
  const { workers, signal, onProgress } = run;
  const chunks = batchChunks(data.nFits, data.offsets[data.nFits]!, workers);
  const bounds = shareBounds(data.nFits, chunks);
  const done = new Array<number>(chunks).fill(0);
  let reported = 0;
  const take = (c: number, part: BatchShareOutput): void => placeRows(out, part, bounds[c]!);
  const pool = await acquireWorkerPool(workers);
  try {
    await onWorkerQueue({ caller, workers, subject: 'batch', signal }, chunks, (w, c) => {
      // The chunk's data are cut here, when a worker is free for it: the first worker starts
      // while the main thread cuts the next chunk.
      const { setup, transfer } = batchShare(problem, run.ir, run.solver, p0, bounds[c]!, bounds[c + 1]!, run.progressEvery);
      const on = (payload: unknown): void => {
        done[c] = payload as number;
        const total = done.reduce((s, d) => s + d, 0);
        if (total > reported && onProgress !== undefined) {
          reported = total;
          onProgress({ done: total, total: data.nFits });
        }
      };
      return pool.exec<BatchShareOutput>(w, 'batchShare', [setup], { transfer, on });
    }, take);
  } finally {
    pool.release();
  }
  return out;
}

/** Chunks per worker of a large batch (the queue's granularity, see {@link batchChunks}). */
export const CHUNKS_PER_WORKER = 8;

/** The fewest points a chunk carries (below it, a chunk's hand-over outweighs its balance). */
export const MIN_CHUNK_POINTS = 16_384;

/**
 * How many chunks a batch is cut into for `workers` workers: {@link CHUNKS_PER_WORKER} per
 * worker, fewer when a chunk would carry under {@link MIN_CHUNK_POINTS} points, at least one per
 * worker and at most one per fit. Chunks go to whichever worker is free (`onWorkerQueue`), so a
 * worker slowed by other load takes fewer, and the first worker starts on the first chunk while
 * the main thread cuts the next; each chunk costs one message each way and one engine set-up on
 * the worker's kept backend.
 *
 * @param nFits - fits. @param nPoints - points of the whole batch. @param workers - workers (≥ 1).
 * @returns the chunk count.
 */
export function batchChunks(nFits: number, nPoints: number, workers: number): number {
  const bySize = Math.floor(nPoints / MIN_CHUNK_POINTS);
  return Math.max(1, Math.min(nFits, Math.max(workers, Math.min(workers * CHUNKS_PER_WORKER, bySize))));
}
