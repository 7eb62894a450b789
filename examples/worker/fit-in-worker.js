/**
 * Main-thread side of a fit off the main thread: send an expression model and data to a worker
 * running `fit-worker.js` and await the result.
 *
 * ```js
 * import { model } from 'nlsq';
 * import { fitInWorker } from './fit-in-worker.js';
 * const worker = new Worker(new URL('./fit-worker.js', import.meta.url), { type: 'module' });
 * const r = await fitInWorker(worker, model('a*exp(-b*x)+c'), x, y, { p0: [1, 1, 0], backend: 'wasm' });
 * r.popt; // [3.0000…, 1.2000…, 0.5000…]
 * ```
 *
 * Several fits may be in flight on one worker (answers are matched by id) or on several workers
 * at once (each worker fits independently — nlsq keeps no state shared between fits). To cancel,
 * `worker.terminate()`. The arrays are copied before transfer, so the caller keeps its own.
 */

let nextId = 0;

/** Error carrying the worker-side error's name and code (e.g. `ERR_BACKEND_UNAVAILABLE`). */
export class WorkerFitError extends Error {
  constructor(remote) {
    super(remote.message);
    this.name = remote.name;
    this.code = remote.code;
  }
}

/**
 * Fit in a worker.
 * @param {Worker} worker - a module worker running fit-worker.js.
 * @param {{ toJSON(): unknown }} model - an expression model (nlsq `model(...)`).
 * @param {ArrayLike<number>} x - independent variable.
 * @param {ArrayLike<number>} y - observations.
 * @param {object} options - structured-cloneable curveFit options (no signal or callbacks).
 * @returns {Promise<{ popt: number[], perr: number[], pcov: number[][], success: boolean,
 *   status: string, message: string, cost: number, nfev: number, backend: string }>}
 */
export function fitInWorker(worker, model, x, y, options = {}) {
  const id = nextId++;
  const xs = Float64Array.from(x);
  const ys = Float64Array.from(y);
  return new Promise((resolve, reject) => {
    const onMessage = (event) => {
      if (event.data?.id !== id) return;
      worker.removeEventListener('message', onMessage);
      worker.removeEventListener('error', onError);
      if (event.data.ok) resolve(event.data.result);
      else reject(new WorkerFitError(event.data.error));
    };
    const onError = (event) => {
      worker.removeEventListener('message', onMessage);
      worker.removeEventListener('error', onError);
      reject(new Error(`fitInWorker: the worker failed: ${event.message ?? event}`));
    };
    worker.addEventListener('message', onMessage);
    worker.addEventListener('error', onError);
    worker.postMessage({ id, model: model.toJSON(), x: xs, y: ys, options }, [xs.buffer, ys.buffer]);
  });
}
