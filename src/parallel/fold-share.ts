/**
 * The worker side of a parallel pass: one worker's contiguous share of a fit's rows, resident in
 * that worker, folded into a (p+1)×(p+1) triangle per evaluation.
 *
 * A share is opened once per fit ({@link openShare}): the model's IR (the same `Program` the main
 * thread would compile, see `model/ir.ts`) is compiled to WebAssembly on the worker's own wasm
 * backend (`backends/wasm/wasm-model-kernel.ts`), the share's columns are copied into wasm memory
 * once, and the data walk is the one every strategy uses (`evaluate/block-problem.ts` over
 * `BlockEvaluator`: fused evaluate-and-fold, Householder TSQR). Each evaluation then receives only
 * θ and returns the share's cost ½Σρ(r²), its point count and its triangle T_w; the main thread
 * merges the triangles in worker order (`parallel-problem.ts`). Nothing here touches a worker API,
 * so the same functions run in-thread in the tests.
 *
 * @module
 */
import type { Backend } from '../backends/backend.ts';
import { createWasmBackend, wasmModelKernelModule } from '../backends/backend-factories.ts';
import { NlsqRangeError } from '../errors.ts';
import { createBlockProblem, type BlockProblem } from '../evaluate/block-problem.ts';
import type { Program } from '../model/ir.ts';
import type { DataColumns } from '../model/model-kernel.ts';
import { resolveLoss, type LossName } from '../optim/loss.ts';
import { blockedSum, weightedResidualSums, type ResidualSums } from '../stats/residual-sums.ts';

/** What crosses to a worker once per fit. */
export interface ShareSetup {
  /** The fit's key (unique per process and fit). */
  readonly id: string;
  /** The model's IR (f and its gradient). */
  readonly program: Program;
  /** This worker's rows: k x-columns, y, and w = 1/σ or null; each of the share's length. */
  readonly data: { readonly x: readonly Float64Array[]; readonly y: Float64Array; readonly w: Float64Array | null };
  /** A built-in robust loss and its scale, or null for the linear loss. */
  readonly loss: { readonly name: LossName; readonly fScale: number } | null;
  /** Rows per block of the walk. */
  readonly blockRows: number | undefined;
  /** The wasm build the main thread runs (`true`: wasm-simd), so every worker runs the same one. */
  readonly simd: boolean;
}

/** One share's evaluation, as it crosses back: cost, point count and T (null when not finite or not asked). */
export interface ShareEvaluation {
  readonly cost: number;
  readonly m: number;
  readonly T: Float64Array | null;
}

/** What {@link openShare} answers: the backend the share runs on and Σ y_i over its rows (for ȳ). */
export interface ShareOpened {
  /** The backend's name (e.g. `'wasm-simd'`). */
  readonly backend: string;
  /** Σ y_i over the share's rows (blocked and compensated, `stats/residual-sums.ts`). */
  readonly ySum: number;
}

/** A share's weighted residuals at θ and their statistics sums, as they cross back. */
export interface ShareResiduals {
  /** The residuals (null when they were written into the main thread's shared memory). */
  readonly r: Float64Array | null;
  /** The share's residual sums about the fit's mean ȳ. */
  readonly sums: ResidualSums;
}

interface Share {
  readonly backend: Backend;
  readonly data: DataColumns;
  readonly problem: BlockProblem;
  readonly dispose: () => void;
}

const shares = new Map<string, Share>();

/**
 * This worker's wasm backends, one per build, kept across fits: instantiating the engine costs
 * more than a small fit's passes, and each share frees its own memory when it closes.
 */
const backends = new Map<boolean, Promise<Backend>>();

/**
 * This worker's wasm backend of one build, created on first use and kept (also for the chunk
 * folders of `fold-chunk.ts`).
 *
 * @param simd - the SIMD build.
 * @returns the backend.
 */
export function wasmBackendFor(simd: boolean): Promise<Backend> {
  let backend = backends.get(simd);
  if (backend === undefined) {
    backend = createWasmBackend({ simd });
    backends.set(simd, backend);
    backend.catch(() => backends.delete(simd));
  }
  return backend;
}

/**
 * Open a share: compile the model on this worker's wasm backend and copy the rows into its memory.
 *
 * @param setup - see {@link ShareSetup}.
 * @returns the backend the share runs on (e.g. `'wasm-simd'`) and Σ y_i over the share's rows.
 * @throws NlsqRangeError when the id is already open; BackendUnavailableError when this worker
 *   cannot load WebAssembly or compile the model.
 */
export async function openShare(setup: ShareSetup): Promise<ShareOpened> {
  if (shares.has(setup.id)) throw new NlsqRangeError(`fold worker: share ${setup.id} is already open`, 'id');
  const backend = await wasmBackendFor(setup.simd);
  const module = await wasmModelKernelModule();
  const data: DataColumns = { x: setup.data.x, y: setup.data.y, w: setup.data.w };
  const kernel = module.createWasmModelKernel(setup.program, backend, { resident: data });
  if (kernel === null) {
    throw new NlsqRangeError(`fold worker: the model (${setup.program.instructions.length} IR instructions) cannot be compiled to WebAssembly in this worker`, 'model');
  }
  const loss = setup.loss === null ? null : resolveLoss(setup.loss.name, setup.loss.fScale, 'fold worker');
  const problem = createBlockProblem({
    backend, kernel, data, n: data.y.length, loss, scheme: { kind: 'analytic' },
    ...(setup.blockRows === undefined ? {} : { blockRows: setup.blockRows }),
    cacheResiduals: false,
  });
  shares.set(setup.id, { backend, data, problem, dispose: () => { problem.dispose(); kernel.dispose(); } });
  return { backend: backend.info.name, ySum: blockedSum(data.y) };
}

function shareOf(id: string): Share {
  const share = shares.get(id);
  if (share === undefined) throw new NlsqRangeError(`fold worker: share ${id} is not open in this worker (was the worker restarted?)`, 'id');
  return share;
}

/**
 * Evaluate the share at θ: the cost ½Σρ(r_i²) over its rows and, when `jacobian`, its folded
 * triangle T_w (R factor of the share's rows [J | r], Householder TSQR).
 *
 * @param id - the share.
 * @param x - θ.
 * @param jacobian - also fold the Jacobian rows.
 * @returns cost, m and T (a fresh array, safe to transfer).
 */
export function evaluateShare(id: string, x: Float64Array, jacobian: boolean): ShareEvaluation {
  const ev = shareOf(id).problem.evaluate(Float64Array.from(x), jacobian) as ShareEvaluation;
  return { cost: ev.cost, m: ev.m, T: ev.T };
}

/**
 * The share's weighted residuals r_i = w_i (f(x_i; θ) − y_i), in row order, and their statistics
 * sums (`weightedResidualSums`: χ², RSS, Σ(y_i − ȳ)², Σ|y_i − ŷ_i| over the share's rows), so the
 * final statistics pass of a fit runs on the workers and the main thread only adds the sums.
 *
 * @param id - the share. @param x - θ.
 * @param out - where to write the residuals (a view on the main thread's shared memory), or null.
 * @param mean - ȳ of the whole fit (the main thread's merge of every share's {@link ShareOpened.ySum}).
 * @returns the residuals (null when written into `out`) and the sums.
 */
export function shareResiduals(id: string, x: Float64Array, out: Float64Array | null, mean: number): ShareResiduals {
  const share = shareOf(id);
  // With out: the kernel copies each chunk of residuals from wasm memory straight into the main
  // thread's shared memory (one copy, no array of the share's length in between).
  const r = share.problem.residualVector(Float64Array.from(x), out ?? undefined);
  const sums = weightedResidualSums(share.data.y, r, share.data.w, mean);
  return { r: out === null ? r : null, sums };
}

/**
 * Close a share and free its wasm memory (a no-op for an unknown id).
 *
 * @param id - the share.
 * @returns true when a share was closed.
 */
export function closeShare(id: string): boolean {
  const share = shares.get(id);
  if (share === undefined) return false;
  shares.delete(id);
  share.dispose();
  return true;
}

/** The number of shares open in this worker (tests, diagnostics). */
export function openShareCount(): number {
  return shares.size;
}
