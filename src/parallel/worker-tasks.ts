/**
 * Tasks on several workers at once, with the failure rule every parallel piece shares: all tasks
 * settle before anything is reported (never a partial answer), the first failure by worker order
 * becomes a {@link WorkerError} naming that worker, and an aborted signal cancels every task in
 * flight (workerpool terminates those workers; their lanes restart on the next task) and rejects
 * with the caller's `AbortError`.
 *
 * @module
 */
import { AbortError, throwIfAborted } from '../errors.ts';
import { WorkerError } from './worker-error.ts';
import type { WorkerTask } from './worker-pool.ts';

/** Who runs the tasks, for messages and cancellation. */
export interface WorkerTaskContext {
  /** Public function name for messages. */
  readonly caller: string;
  /** Number of workers taking part. */
  readonly workers: number;
  /** What fails when a worker fails (`'fit'`, `'batch'`), for the message. */
  readonly subject: string;
  /** Cancellation. */
  readonly signal: AbortSignal | undefined;
}

/**
 * The error a failed task becomes: the caller's `AbortError` when the signal aborted (or the task
 * threw one), else a {@link WorkerError} naming worker `w`.
 *
 * @param ctx - caller, worker count, subject, signal.
 * @param w - the worker (pool lane) whose task failed.
 * @param error - what the task rejected with.
 * @returns the error to throw.
 */
export function workerFailure(ctx: WorkerTaskContext, w: number, error: unknown): Error {
  if (error instanceof AbortError) return error;
  if (ctx.signal?.aborted === true) return new AbortError(`${ctx.caller}: the ${ctx.subject} was aborted by its AbortSignal`, { cause: ctx.signal.reason });
  // workerpool's message for a dead worker continues with a dump of its spawn state: keep the first line
  const why = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim();
  return new WorkerError(
    `${ctx.caller}: worker ${w + 1} of ${ctx.workers} failed (${why}); the ${ctx.subject} has no result, and the pool replaces the worker for the next ${ctx.subject}`,
    w,
    { cause: error },
  );
}

/**
 * Start one task per worker, let them all settle, and return their values in worker order.
 *
 * @param ctx - caller, worker count, subject, signal.
 * @param start - starts worker w's task.
 * @returns the values, worker 0 first.
 * @throws the {@link workerFailure} of the first failed task by worker order; AbortError when the
 *   signal is aborted before or while the tasks run.
 */
export async function onEveryWorker<T>(ctx: WorkerTaskContext, start: (w: number) => WorkerTask<T>): Promise<T[]> {
  throwIfAborted(ctx.signal, ctx.caller);
  const tasks: WorkerTask<T>[] = [];
  for (let w = 0; w < ctx.workers; w++) tasks.push(start(w));
  const abort = (): void => tasks.forEach((t) => t.cancel());
  ctx.signal?.addEventListener('abort', abort);
  try {
    const settled = await Promise.allSettled(tasks);
    const failed = settled.findIndex((s) => s.status === 'rejected');
    if (failed >= 0) throw workerFailure(ctx, failed, (settled[failed] as PromiseRejectedResult).reason);
    return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
  } finally {
    ctx.signal?.removeEventListener('abort', abort);
  }
}
