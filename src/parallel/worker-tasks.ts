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

/**
 * Run `items` independent tasks on `ctx.workers` workers as a queue: each worker takes the next
 * item as soon as its previous one is done (dynamic scheduling, so a worker slowed by other load
 * on the machine takes fewer items and no worker waits long for the slowest), and `take` receives
 * each value with its item. The answer does not depend on which worker ran an item — the caller
 * places each value by its item, never by arrival — so the result is the same on every run.
 *
 * The failure rule is {@link onEveryWorker}'s: after the first failure no new item starts, every
 * task in flight settles, then the first failure by worker order is thrown (never a partial
 * answer); an aborted signal cancels every task in flight and rejects with the caller's
 * `AbortError`.
 *
 * @param ctx - caller, worker count, subject, signal.
 * @param items - number of items (0 … items − 1, started in that order).
 * @param start - starts item `item` on worker w (the item's data is prepared here, just in time).
 * @param take - receives each item's value as it arrives.
 * @throws the {@link workerFailure} of the first failed worker by worker order; AbortError when
 *   the signal is aborted before or while the tasks run.
 */
export async function onWorkerQueue<T>(ctx: WorkerTaskContext, items: number, start: (w: number, item: number) => WorkerTask<T>, take: (item: number, value: T) => void): Promise<void> {
  throwIfAborted(ctx.signal, ctx.caller);
  const inFlight: (WorkerTask<T> | null)[] = new Array<WorkerTask<T> | null>(ctx.workers).fill(null);
  const failures: (unknown[] | undefined)[] = new Array<unknown[] | undefined>(ctx.workers);
  let next = 0;
  let stopped = false;
  const abort = (): void => {
    stopped = true;
    inFlight.forEach((t) => t?.cancel());
  };
  const lane = async (w: number): Promise<void> => {
    while (!stopped && next < items) {
      const item = next++;
      try {
        const task = start(w, item);
        inFlight[w] = task;
        take(item, await task);
      } catch (error) {
        failures[w] = [error];
        stopped = true;
      } finally {
        inFlight[w] = null;
      }
    }
  };
  ctx.signal?.addEventListener('abort', abort);
  try {
    await Promise.all(Array.from({ length: ctx.workers }, (_, w) => lane(w)));
    const failed = failures.findIndex((f) => f !== undefined);
    if (failed >= 0) throw workerFailure(ctx, failed, failures[failed]![0]);
    if (ctx.signal?.aborted === true) throw new AbortError(`${ctx.caller}: the ${ctx.subject} was aborted by its AbortSignal`, { cause: ctx.signal.reason });
  } finally {
    ctx.signal?.removeEventListener('abort', abort);
  }
}
