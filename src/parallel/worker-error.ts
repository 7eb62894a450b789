/**
 * The error of a fit whose worker failed: it died (terminated, killed, out of memory), its share
 * could not be opened, or a task on it threw. The fit reports this error — never a partial
 * answer — and the pool replaces the worker for the next task.
 *
 * @module
 */
import { NlsqError } from '../errors.ts';

/** A worker of the parallel pass failed; `code` `'ERR_WORKER'`, argument `'workers'`. */
export class WorkerError extends NlsqError {
  /** Index of the worker (pool lane) that failed. */
  readonly worker: number;
  /**
   * @param message - full message (`caller: worker 1 of 4 died …`).
   * @param worker - the lane index.
   * @param options - `cause`: what the worker or the pool reported.
   */
  constructor(message: string, worker: number, options?: ErrorOptions) {
    super(message, 'ERR_WORKER', 'workers', options);
    this.worker = worker;
  }
}
