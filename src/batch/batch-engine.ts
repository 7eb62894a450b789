/**
 * The contract between `fitBatch` and the engines that run its fits.
 *
 * An engine receives the whole problem once — the validated data ({@link BatchData}), the
 * parameters ({@link BatchParams}) and the solver settings shared by every fit — and is then asked
 * to run ranges of fits, writing each fit's row of the {@link BatchOutput}. The outputs are
 * preallocated by the caller for the whole batch, so an engine allocates nothing that grows with
 * the number of fits: its working set is its own (a few blocks of one fit's points for the CPU
 * engine). The plain-TypeScript CPU engine (`cpu-engine.ts`) is the reference; a WebAssembly
 * whole-loop engine, a worker-pool engine (each worker running a range) and the device engine
 * (`device-engine.ts`: WebGPU, one workgroup per fit, asynchronous through `runAsync`) plug in
 * behind the same interface.
 *
 * @module
 */
import type { Backend } from '../backends/backend.ts';
import type { SolverSettings } from '../options/solver-settings.ts';
import type { BatchData } from './batch-data.ts';
import type { EngineChoice } from './batch-options.ts';
import type { BatchParams } from './batch-params.ts';

/** Everything an engine needs to run the fits of a batch. */
export interface BatchProblem {
  /** Public function name for messages. */
  readonly caller: string;
  /** The data. */
  readonly data: BatchData;
  /** Kernel, free parameters, p0 and bounds. */
  readonly params: BatchParams;
  /** Solver settings shared by every fit (x0, lb and ub are placeholders, replaced per fit). */
  readonly settings: SolverSettings;
  /** SciPy `absolute_sigma`: perr is not rescaled by the reduced χ². */
  readonly absoluteSigma: boolean;
  /** The engine asked for (`fitBatch`'s `engine` option): `'auto'` (default), `'cpu'` or `'wasm'`; see `createLocalEngine`. */
  readonly engine?: EngineChoice;
}

/**
 * Per-fit results, nFits rows each, preallocated for the whole batch. Columns of popt and perr
 * are the P output parameters (`BatchParams.names`, or every name of a `params` layout).
 */
export interface BatchOutput {
  /** Output parameters per fit (P). */
  readonly P: number;
  /** nFits × P fitted values. */
  readonly popt: Float64Array;
  /** nFits × P standard errors √diag(pcov) (0 for held parameters, +∞ when pcov is indeterminate). */
  readonly perr: Float64Array;
  /** SciPy's status codes (`STATUS_CODE`); −1 for a fit that could not start. */
  readonly status: Int8Array;
  /** ½Σρ(r²) at popt. */
  readonly cost: Float64Array;
  /** Σ r_i² of the weighted residuals at popt. */
  readonly chiSquare: Float64Array;
  /** Function evaluations per fit. */
  readonly nfev: Int32Array;
  /** Iterations per fit. */
  readonly nit: Int32Array;
  /** The termination message of each fit that did not converge (status ≤ 0), by fit index. */
  readonly messages: Map<number, string>;
}

/**
 * Copy the rows of consecutive fits — a worker's range or round, starting at fit `a` — into the
 * batch's output at their place (popt and perr P per fit; the per-fit columns one each).
 *
 * @param into - the batch's output. @param rows - the range's rows (messages by batch index, or none).
 * @param a - the range's first fit.
 */
export function placeRows(into: BatchOutput, rows: Omit<BatchOutput, 'P' | 'messages'> & { readonly messages?: Iterable<readonly [number, string]> }, a: number): void {
  into.popt.set(rows.popt, a * into.P);
  into.perr.set(rows.perr, a * into.P);
  into.status.set(rows.status, a);
  into.cost.set(rows.cost, a);
  into.chiSquare.set(rows.chiSquare, a);
  into.nfev.set(rows.nfev, a);
  into.nit.set(rows.nit, a);
  if (rows.messages !== undefined) for (const [i, text] of rows.messages) into.messages.set(i, text);
}

/** An engine that runs the fits of a batch. */
export interface BatchEngine {
  /** Short name for the plan (`'cpu'`, `'wasm'`, …). */
  readonly name: string;
  /** Why this engine runs the batch, for the plan (`r.summary().reason`). */
  readonly reason: string;
  /**
   * The backend `r.get(i)` re-runs fit i on (`curveFitSync`), so that its result is the engine's
   * row: the WASM engine's own wasm backend (the same model kernel and fold) while its memory is at
   * most 64 MiB; absent: the CPU backend.
   */
  readonly backend?: Backend;
  /**
   * Run fits `from … to − 1`, writing their rows of `out`. Synchronous: the caller slices the
   * batch and yields to the event loop between calls.
   */
  run(from: number, to: number, out: BatchOutput): void;
  /**
   * Run fits `from … to − 1` asynchronously (a device engine: the fits go to the device, the host
   * polishes them, yielding to the event loop as it goes). When present `fitBatch` calls it, once
   * per sub-batch in order, instead of `run`.
   */
  runAsync?(from: number, to: number, out: BatchOutput, signal?: AbortSignal): Promise<void>;
  /** Fits per sub-batch this engine works best with, when the caller gives no `subBatchSize`. */
  readonly subBatchSize?: number;
  /** Release what the engine holds. */
  dispose(): void;
}

/**
 * Allocate the outputs of a batch.
 *
 * @param nFits - the number of fits.
 * @param P - output parameters per fit.
 * @returns zeroed arrays (popt and perr NaN until a fit writes them).
 */
export function allocateOutput(nFits: number, P: number): BatchOutput {
  return {
    P,
    popt: new Float64Array(nFits * P).fill(NaN),
    perr: new Float64Array(nFits * P).fill(NaN),
    status: new Int8Array(nFits),
    cost: new Float64Array(nFits).fill(NaN),
    chiSquare: new Float64Array(nFits).fill(NaN),
    nfev: new Int32Array(nFits),
    nit: new Int32Array(nFits),
    messages: new Map(),
  };
}
