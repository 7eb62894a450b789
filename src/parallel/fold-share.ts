/**
 * The worker side of a parallel pass: one worker's contiguous share of a fit's rows, resident in
 * that worker, folded into a (p+1)×(p+1) triangle per evaluation.
 *
 * A share is opened once per fit ({@link openShare}): the model's IR (the same `Program` the main
 * thread would compile, see `model/ir.ts`) is compiled to WebAssembly on the worker's own wasm
 * backend (`backends/wasm/wasm-model-kernel.ts`) and the share's rows get their block of wasm
 * memory; the rows are copied in once — from views on the main thread's shared memory given at
 * open, or in chunks as the main thread sends them ({@link loadShare}: the main thread copies
 * chunk c + 1 while this worker copies chunk c) — and {@link sealShare} builds the data walk, the
 * one every strategy uses (`evaluate/block-problem.ts` over `BlockEvaluator`: fused
 * evaluate-and-fold, Householder TSQR). Each evaluation then receives only
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
import type { WasmModelKernel } from '../backends/wasm/wasm-model-kernel.ts';
import { resolveLoss, type LossName } from '../optim/loss.ts';
import { BLOCK, blockedSum, CompensatedSum, weightedResidualSums, type ResidualSums } from '../stats/residual-sums.ts';

/** What crosses to a worker once per fit. */
export interface ShareSetup {
  /** The fit's key (unique per process and fit). */
  readonly id: string;
  /** The model's IR (f and its gradient). */
  readonly program: Program;
  /**
   * This worker's rows, as views the worker may keep (shared memory): k x-columns, y, and w = 1/σ
   * or null, each of the share's length; or null when the rows follow in chunks ({@link loadShare}).
   */
  readonly data: { readonly x: readonly Float64Array[]; readonly y: Float64Array; readonly w: Float64Array | null } | null;
  /** The share's row count (the length of its columns). */
  readonly rows: number;
  /** Whether the share has a w column (a 1-D sigma). */
  readonly weighted: boolean;
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
  readonly setup: ShareSetup;
  readonly kernel: WasmModelKernel;
  /** The columns every call passes (the kernel reads them in wasm memory: by identity). */
  readonly data: DataColumns;
  /** y and w now (views on the current wasm memory for chunked rows: taken fresh at each use). */
  readonly observed: () => { readonly y: Float64Array; readonly w: Float64Array | null };
  /** The data walk, from {@link sealShare} on. */
  problem: BlockProblem | null;
  /** Σ y over the rows loaded so far, in {@link blockedSum}'s order (chunks arrive in row order). */
  readonly ySum: RunningBlockedSum;
}

/**
 * {@link blockedSum} taken value by value as the rows arrive: the same plain sums within blocks of
 * {@link BLOCK} rows (counted from the share's first row, across chunk boundaries) and the same
 * compensated sum of the block totals, so the result is bitwise `blockedSum` of the whole column —
 * summed while each chunk is in cache instead of in a pass over the column at seal.
 */
class RunningBlockedSum {
  private readonly total = new CompensatedSum();
  private block = 0;
  private filled = 0;
  /** Rows summed so far (the next chunk must start here). */
  rows = 0;
  add(values: Float64Array): void {
    let { block, filled } = this;
    for (let i = 0; i < values.length; i++) {
      block += values[i]!;
      if (++filled === BLOCK) {
        this.total.add(block);
        block = 0;
        filled = 0;
      }
    }
    this.block = block;
    this.filled = filled;
    this.rows += values.length;
  }
  /** The sum of every row added (the last, partial block joins the total here). */
  value(): number {
    if (this.filled > 0) {
      this.total.add(this.block);
      this.block = 0;
      this.filled = 0;
    }
    return this.total.value();
  }
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
 * The programs this worker has compiled, by a lossless key of their content, at most
 * {@link PROGRAMS_KEPT} (least recently used dropped). A fit's program arrives as a fresh
 * structured clone each time, so the compile cache by program object (`compileWasmModel`) would
 * miss and generate the module's code again (≈ 10–40 ms per fit in a worker's CPU profile); the
 * first object of an equal program is used instead.
 */
const programs = new Map<string, Program>();
const PROGRAMS_KEPT = 16;

/**
 * The program this worker already holds that equals `program`, or `program` itself (then kept).
 * Equal: the same JSON with every number written exactly (its shortest round-trip form, −0 and
 * NaN included) and strings and numbers kept apart.
 */
function internProgram(program: Program): Program {
  const key = JSON.stringify(program, (_, v: unknown) => (typeof v === 'number' ? `#${Object.is(v, -0) ? '-0' : String(v)}` : typeof v === 'string' ? `$${v}` : v));
  const known = programs.get(key);
  programs.delete(key);
  if (known === undefined && programs.size >= PROGRAMS_KEPT) programs.delete(programs.keys().next().value!);
  programs.set(key, known ?? program);
  return known ?? program;
}

/**
 * Open a share: compile the model on this worker's wasm backend and give the share's rows their
 * block of wasm memory — filled here from `setup.data` when given, else by {@link loadShare}.
 *
 * @param setup - see {@link ShareSetup}.
 * @returns the backend the share runs on (e.g. `'wasm-simd'`).
 * @throws NlsqRangeError when the id is already open, or when this worker's wasm memory cannot
 *   hold the rows; BackendUnavailableError when this worker cannot load WebAssembly or compile
 *   the model.
 */
export async function openShare(setup: ShareSetup): Promise<string> {
  if (shares.has(setup.id)) throw new NlsqRangeError(`fold worker: share ${setup.id} is already open`, 'id');
  const backend = await wasmBackendFor(setup.simd);
  const module = await wasmModelKernelModule();
  const given = setup.data === null ? undefined : { x: setup.data.x, y: setup.data.y, w: setup.data.w };
  const kernel = module.createWasmModelKernel(internProgram(setup.program), backend, given === undefined ? {} : { resident: given });
  if (kernel === null) {
    throw new NlsqRangeError(`fold worker: the model (${setup.program.instructions.length} IR instructions) cannot be compiled to WebAssembly in this worker`, 'model');
  }
  try {
    const k = setup.program.variables.length;
    const data = given ?? reserveRows(kernel, setup);
    const observed = given !== undefined ? () => given : () => ({ y: kernel.residentColumn(k)!, w: setup.weighted ? kernel.residentColumn(k + 1)! : null });
    shares.set(setup.id, { backend, setup, kernel, data, observed, problem: null, ySum: new RunningBlockedSum() });
  } catch (error) {
    kernel.dispose();
    throw error;
  }
  return backend.info.name;
}

/** The share's block of wasm memory, or an error that says how big the share is and what to do. */
function reserveRows(kernel: WasmModelKernel, setup: ShareSetup): DataColumns {
  try {
    return kernel.reserveResident(setup.rows, setup.weighted);
  } catch (error) {
    if (!(error instanceof NlsqRangeError)) throw error;
    const columns = setup.program.variables.length + 1 + (setup.weighted ? 1 : 0);
    throw new NlsqRangeError(
      `fold worker: a share of ${setup.rows} rows (${columns} columns, ${columns * setup.rows * 8} bytes) does not fit in this worker's wasm memory (${error.message}); more workers give smaller shares`,
      'workers', 'ERR_RANGE', { cause: error },
    );
  }
}

/**
 * Copy rows offset … offset+count−1 of an open share into its wasm memory, from `chunk` (the
 * columns one after the other: x_0's `count` values, …, y's, then w's). Chunks come in row order
 * (the main thread sends them so, and a lane runs its tasks in order); y is summed on the way.
 *
 * @param id - the share. @param offset - first row of the share. @param count - rows.
 * @param chunk - the values.
 * @returns `chunk` (its buffer goes back to the main thread, which fills it again).
 * @throws NlsqRangeError when the share is not open, is sealed, the chunk does not start where
 *   the previous one ended, or the rows do not fit.
 */
export function loadShare(id: string, offset: number, count: number, chunk: Float64Array): Float64Array {
  const share = shareOf(id);
  if (share.problem !== null) throw new NlsqRangeError(`fold worker: share ${id} is already sealed`, 'id');
  if (offset !== share.ySum.rows) throw new NlsqRangeError(`fold worker: share ${id} expects rows from ${share.ySum.rows} on, got a chunk from ${offset}`, 'offset');
  share.kernel.loadResident(offset, count, chunk);
  const k = share.setup.program.variables.length;
  share.ySum.add(chunk.subarray(k * count, (k + 1) * count));
  return chunk;
}

/**
 * Seal a share whose rows are all in: build its data walk and sum its y.
 *
 * @param id - the share.
 * @returns the backend's name and Σ y_i over the share's rows (`blockedSum`, bitwise, whether the
 *   rows came at open or in chunks).
 * @throws NlsqRangeError when the share is not open, or some of its rows have not come.
 */
export function sealShare(id: string): ShareOpened {
  const share = shareOf(id);
  const { setup, backend, kernel, data } = share;
  if (setup.data === null && share.ySum.rows !== setup.rows) {
    throw new NlsqRangeError(`fold worker: share ${id} has ${share.ySum.rows} of its ${setup.rows} rows; it cannot be sealed`, 'id');
  }
  const loss = setup.loss === null ? null : resolveLoss(setup.loss.name, setup.loss.fScale, 'fold worker');
  share.problem ??= createBlockProblem({
    backend, kernel, data, n: setup.rows, loss, scheme: { kind: 'analytic' },
    ...(setup.blockRows === undefined ? {} : { blockRows: setup.blockRows }),
    cacheResiduals: false,
  });
  return { backend: backend.info.name, ySum: setup.data === null ? share.ySum.value() : blockedSum(setup.data.y) };
}

function shareOf(id: string): Share {
  const share = shares.get(id);
  if (share === undefined) throw new NlsqRangeError(`fold worker: share ${id} is not open in this worker (was the worker restarted?)`, 'id');
  return share;
}

function problemOf(id: string): BlockProblem {
  const problem = shareOf(id).problem;
  if (problem === null) throw new NlsqRangeError(`fold worker: share ${id} is not sealed (its rows are not all in)`, 'id');
  return problem;
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
  const ev = problemOf(id).evaluate(Float64Array.from(x), jacobian) as ShareEvaluation;
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
  // With out: the kernel copies each chunk of residuals from wasm memory straight into the main
  // thread's shared memory (one copy, no array of the share's length in between).
  const r = problemOf(id).residualVector(Float64Array.from(x), out ?? undefined);
  const { y, w } = shareOf(id).observed();
  const sums = weightedResidualSums(y, r, w, mean);
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
  share.problem?.dispose();
  share.kernel.dispose();
  return true;
}

/** The number of shares open in this worker (tests, diagnostics). */
export function openShareCount(): number {
  return shares.size;
}
