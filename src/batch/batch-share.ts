/**
 * One range (chunk) of a batch on a worker: what crosses to the worker once ({@link batchShare}, on the main
 * thread) and what the worker does with it ({@link runBatchShare}, in the worker).
 *
 * ```
 *   main thread                                           worker w
 *   fits a … b−1: their points (y, σ, x when per fit),    modelFromProgram(IR) ─▶ kernel
 *   their p0/bounds rows, the model's IR, the options ──▶  resolveBatchSettings(options)
 *                                                          createLocalEngine(range) ─▶ run, sub-batch
 *   progress (fits done in this range)            ◀──────  after sub-batch (workerEmit)
 *   rows a … b−1 of popt, perr, status, …, messages ◀────  at the end (transferred)
 * ```
 *
 * The range is a batch of its own (offsets rebased to 0), so the worker runs exactly the engine
 * the main thread would run (`createLocalEngine`) on exactly the same numbers: every fit's row is
 * bitwise the one the single-thread engine writes, whichever worker runs it. Only the fit indices
 * in the messages are shifted back to the whole batch's. Every array that crosses is a fresh copy
 * of the range (transferred, not copied again), never the caller's own buffer.
 *
 * Nothing here touches a worker API, so the tests run both halves in one thread.
 *
 * @module
 */
import { wasmBackendModule } from '../backends/backend-factories.ts';
import type { WasmBackend } from '../backends/wasm/wasm-backend.ts';
import type { FittableModel, ModelKernel } from '../model/model-kernel.ts';
import type { ParamLayout } from '../model/tie-params.ts';
import { modelFromProgram, type ModelProgram } from '../model/program-model.ts';
import { wasmBackendFor } from '../parallel/fold-share.ts';
import { allocateOutput, type BatchOutput, type BatchProblem } from './batch-engine.ts';
import type { EngineChoice } from './batch-options.ts';
import type { BatchData, BatchX } from './batch-data.ts';
import type { BatchParams, ParamRows } from './batch-params.ts';
import { resolveBatchSettings, type BatchSolverOptions } from './batch-settings.ts';
import { heldKernel } from './held-kernel.ts';
import { createLocalEngine, wasmEngineGap } from './local-engine.ts';

/** What crosses to a worker for its range of fits. */
export interface BatchShareSetup {
  /** Public function name for messages. */
  readonly caller: string;
  /** Index of the range's first fit in the whole batch. */
  readonly first: number;
  /** The model's IR. */
  readonly model: ModelProgram;
  /** The range's data, offsets rebased to 0. */
  readonly data: BatchData;
  /** Parameters of the model (columns of p0 and the bounds). */
  readonly p: number;
  /** Positions of the free parameters. */
  readonly free: Int32Array;
  /** Names of the p columns. */
  readonly names: readonly string[];
  /** The range's starting values (already estimated for `p0: 'auto'`), or null for SciPy's default. */
  readonly p0: ParamRows | null;
  /** The range's lower bounds. */
  readonly lb: ParamRows;
  /** The range's upper bounds. */
  readonly ub: ParamRows;
  /** True when some bound of the whole batch is finite (the method rule). */
  readonly bounded: boolean;
  /** The `params` layout, or null. */
  readonly layout: ParamLayout | null;
  /** The solver options as given (resolved again in the worker). */
  readonly solver: BatchSolverOptions;
  /** SciPy `absolute_sigma`. */
  readonly absoluteSigma: boolean;
  /** The engine asked for (`fitBatch`'s `engine`): each worker makes the same choice as one thread. */
  readonly engine: EngineChoice;
  /** Fits between two progress reports. */
  readonly progressEvery: number;
}

/**
 * A worker's rows of the outputs, as they cross back: {@link BatchOutput}'s per-fit arrays, with
 * the messages as entries keyed by their index in the whole batch.
 */
export type BatchShareOutput = Omit<BatchOutput, 'P' | 'messages'> & {
  /** The messages of the range's fits, keyed by their index in the whole batch. */
  readonly messages: readonly (readonly [number, string])[];
};

/** Rows a … b−1 of per-fit rows (a copy), or the shared row (a copy). */
function rowsOf(rows: ParamRows, p: number, a: number, b: number): ParamRows {
  return { perFit: rows.perFit, values: rows.perFit ? rows.values.slice(a * p, b * p) : rows.values.slice() };
}

function xOf(x: BatchX, k: number, o0: number, o1: number): BatchX {
  if (x.kind === 'shared') return { kind: 'shared', columns: x.columns.map((c) => c.slice()) };
  if (x.kind === 'columns') return { kind: 'columns', columns: x.columns.map((c) => c.slice(o0, o1)) };
  return { kind: 'interleaved', values: x.values.slice(o0 * k, o1 * k) };
}

/**
 * Cut fits a … b−1 out of a batch for a worker.
 *
 * @param problem - the whole batch (validated).
 * @param model - the model's IR (the caller checked that it can cross).
 * @param solver - the solver options as given.
 * @param p0 - the starting values to send (the estimates for `p0: 'auto'`), or null.
 * @param a - first fit. @param b - one past the last fit.
 * @param progressEvery - fits between two progress reports.
 * @returns the setup and the buffers to transfer with it (fresh copies only).
 */
export function batchShare(problem: BatchProblem, model: ModelProgram, solver: BatchSolverOptions, p0: ParamRows | null, a: number, b: number, progressEvery: number): { setup: BatchShareSetup; transfer: ArrayBuffer[] } {
  const { data, params } = problem;
  const o0 = data.offsets[a]!;
  const o1 = data.offsets[b]!;
  const offsets = Int32Array.from(data.offsets.subarray(a, b + 1), (o) => o - o0);
  let maxPoints = 0;
  for (let i = 1; i < offsets.length; i++) maxPoints = Math.max(maxPoints, offsets[i]! - offsets[i - 1]!);
  const range: BatchData = {
    nFits: b - a,
    k: data.k,
    offsets,
    maxPoints,
    y: data.y.slice(o0, o1),
    sigma: data.sigma === null ? null : data.sigma.slice(o0, o1),
    x: xOf(data.x, data.k, o0, o1),
  };
  const p = params.p;
  const setup: BatchShareSetup = {
    caller: problem.caller,
    first: a,
    model,
    data: range,
    p,
    free: params.free.slice(),
    names: params.names,
    p0: p0 === null ? null : rowsOf(p0, p, a, b),
    lb: rowsOf(params.lb, p, a, b),
    ub: rowsOf(params.ub, p, a, b),
    bounded: params.bounded,
    layout: params.layout,
    solver,
    absoluteSigma: problem.absoluteSigma,
    engine: problem.engine ?? 'auto',
    progressEvery,
  };
  const x = range.x.kind === 'interleaved' ? [range.x.values] : range.x.columns;
  const arrays = [offsets, range.y, ...(range.sigma === null ? [] : [range.sigma]), ...x, setup.free, setup.lb.values, setup.ub.values, ...(setup.p0 === null ? [] : [setup.p0.values])];
  return { setup, transfer: arrays.map((c) => c.buffer as ArrayBuffer) };
}

/** The model of the last range this thread ran, keyed by its IR's JSON: a batch's chunks share it. */
let lastModel: { readonly key: string; readonly model: FittableModel; readonly fullKernel: ModelKernel } | null = null;

/** The model and its kernel for an IR: the last range's when the IR is the same, else rebuilt. */
function modelOf(ir: ModelProgram): { readonly model: FittableModel; readonly fullKernel: ModelKernel } {
  const key = JSON.stringify(ir);
  if (lastModel === null || lastModel.key !== key) {
    const model = modelFromProgram(ir);
    lastModel = { key, model, fullKernel: model.createKernel() };
  }
  return lastModel;
}

/**
 * Run a range in this thread (the worker's side): rebuild the model from its IR (or take the
 * previous range's, when a batch comes in several chunks) and the settings from the options,
 * create the single-thread engine — the WASM engine on the wasm backend this thread keeps
 * (`wasmBackendFor`, instantiated once per worker) — and fit every fit of the range.
 *
 * @param setup - from {@link batchShare}.
 * @param progress - called with the range's fits done after every `progressEvery` fits.
 * @returns the range's rows of the outputs.
 */
export async function runBatchShare(setup: BatchShareSetup, progress?: (done: number) => void): Promise<BatchShareOutput> {
  const problem = rangeProblem(setup);
  const out: BatchOutput = allocateOutput(problem.data.nFits, outputWidth(setup));
  const engine = await createLocalEngine(problem, await keptBackend(problem));
  try {
    for (let a = 0; a < problem.data.nFits; a += setup.progressEvery) {
      const b = Math.min(problem.data.nFits, a + setup.progressEvery);
      engine.run(a, b, out);
      progress?.(b);
    }
  } finally {
    engine.dispose();
  }
  const { popt, perr, status, cost, chiSquare, nfev, nit } = out;
  return { popt, perr, status, cost, chiSquare, nfev, nit, messages: rangeMessages(setup, out.messages) };
}

/**
 * The range as a batch of its own, in this thread: the model rebuilt from its IR (or the previous
 * range's, when a batch comes in several ranges), the free-parameter kernel, the settings resolved
 * from the options as given.
 *
 * @param setup - the range (from {@link batchShare}, or a shared-memory range: `shared-batch.ts`).
 * @returns the problem the single-thread engine runs.
 */
export function rangeProblem(setup: BatchShareSetup): BatchProblem {
  const { caller, data, p, free } = setup;
  const { model, fullKernel } = modelOf(setup.model);
  const held = free.length < p ? heldKernel(fullKernel, free) : null;
  const kernel = held ?? fullKernel;
  const params: BatchParams = {
    model, kernel, fullKernel, held, p, free, names: setup.names, p0: setup.p0, lb: setup.lb, ub: setup.ub, bounded: setup.bounded, layout: setup.layout,
  };
  const settings = resolveBatchSettings(caller, setup.solver, free.length, setup.bounded, kernel.analyticJacobian);
  return { caller, data, params, settings, absoluteSigma: setup.absoluteSigma, engine: setup.engine };
}

/** Output parameters per fit (P): the layout's names with `params`, else the model's. */
export function outputWidth(setup: BatchShareSetup): number {
  return setup.layout !== null ? setup.layout.names.length : setup.names.length;
}

/**
 * A range's messages keyed and worded for the whole batch (fit i of the range is fit first + i).
 *
 * @param setup - the range.
 * @param messages - the engine's messages, by index in the range.
 * @returns `[index in the batch, message]` entries.
 */
export function rangeMessages(setup: BatchShareSetup, messages: ReadonlyMap<number, string>): [number, string][] {
  const { caller, first } = setup;
  const entries: [number, string][] = [];
  for (const [i, text] of messages) {
    const local = `${caller}: fit ${i}: `;
    entries.push([first + i, text.startsWith(local) ? `${caller}: fit ${first + i}: ${text.slice(local.length)}` : text]);
  }
  return entries;
}

/**
 * This thread's kept wasm backend (the build the WASM engine would pick) when the WASM engine will
 * run the range, else undefined.
 *
 * @param problem - the range's problem.
 * @returns the backend, or undefined (the engine then tries a fresh instance and says why it cannot).
 */
export async function keptBackend(problem: BatchProblem): Promise<WasmBackend | undefined> {
  if (problem.engine === 'cpu' || wasmEngineGap(problem) !== null) return undefined;
  try {
    const { simd } = await (await wasmBackendModule()).wasmSupport();
    return (await wasmBackendFor(simd)) as WasmBackend;
  } catch {
    return undefined; // createLocalEngine tries a fresh instance and says why it cannot
  }
}

/**
 * The buffers of a range's outputs (what the worker transfers back).
 *
 * @param out - the output.
 * @returns its array buffers.
 */
export function outputBuffers(out: BatchShareOutput): ArrayBuffer[] {
  return [out.popt, out.perr, out.status, out.cost, out.chiSquare, out.nfev, out.nit].map((a) => a.buffer as ArrayBuffer);
}
