/**
 * The parallel pass: one fit's rows split into contiguous shares, one per worker, each folded in
 * its worker into a (p+1)×(p+1) triangle; the main thread merges the triangles in share order.
 *
 * ```
 *   open (once per fit): program + share w's rows ──▶ worker w (resident in its wasm memory)
 *   evaluate(θ):         θ ──▶ every worker ──▶ (cost_w, m_w, T_w) ──▶ T = T_0 ⊕ T_1 ⊕ … ⊕ T_{N−1}
 * ```
 *
 * The merge ⊕ is the TSQR merge step (`Backend.mergeTriangles`: Householder on the stacked
 * triangles; Demmel, Grigori, Hoemmen & Langou, SIAM J. Sci. Comput. 34(1), 2012), applied in the
 * fixed order 0, 1, …, N−1 on the main thread's backend, and the costs are summed in that order
 * with Neumaier compensation — so for a given worker count the result is bitwise the same on
 * every run, whatever order the workers finish in. Different worker counts give the R factor of
 * the same stacked rows by different reflection orders: equal to rounding (O(p·ε·κ) relative).
 *
 * The data cross once per fit: where `SharedArrayBuffer` is usable (Node, Deno, Bun; a browser
 * page only when cross-origin isolated) the columns are put in shared memory once (or used as they
 * are when already shared) and every worker gets views on its rows; otherwise each worker's rows
 * are copied once and transferred. Each evaluation sends only θ (p doubles) and receives
 * (p+1)² + 2 numbers per worker.
 *
 * A worker that dies, or any task that fails, fails the evaluation with a `WorkerError` (`worker-tasks.ts`)
 * (after every other worker's task has settled: never a partial triangle). An aborted signal
 * cancels the tasks in flight — workerpool terminates those workers; their lanes restart on the
 * next task — and the evaluation rejects with the fit's `AbortError`.
 *
 * @module
 */
import type { Backend } from '../backends/backend.ts';
import type { DataColumns, ModelKernel } from '../model/model-kernel.ts';
import type { Program } from '../model/ir.ts';
import type { Evaluation, ResidualProblem } from '../optim/evaluation.ts';
import type { LossName } from '../optim/loss.ts';
import { CompensatedSum, type ResidualSums } from '../stats/residual-sums.ts';
import type { ShareEvaluation, ShareOpened, ShareResiduals, ShareSetup } from './fold-share.ts';
import { onEveryWorker, type WorkerTaskContext } from './worker-tasks.ts';
import type { WorkerPool, WorkerTask } from './worker-pool.ts';

/** Options of {@link createParallelProblem}. */
export interface ParallelProblemOptions {
  /** Public function name for messages. */
  readonly caller: string;
  /** The pool, held by the caller for the problem's life (released by `dispose`). */
  readonly pool: WorkerPool;
  /** Number of workers (shares); at most `pool.size`. */
  readonly workers: number;
  /** The model's IR. */
  readonly program: Program;
  /** The fit's kernel on the main thread (only for the synchronous `residualVector`). */
  readonly kernel: ModelKernel;
  /** The fit's resident data. */
  readonly data: DataColumns;
  /** A built-in loss and its scale, or null for the linear loss. */
  readonly loss: { readonly name: LossName; readonly fScale: number } | null;
  /** Rows per block of each worker's walk. */
  readonly blockRows: number | undefined;
  /** The main thread's backend: merges the triangles; its wasm build is the workers'. */
  readonly backend: Backend;
  /** Cancellation. */
  readonly signal: AbortSignal | undefined;
  /** Force the transfer path even where SharedArrayBuffer is usable (tests). */
  readonly transferOnly?: boolean;
}

/** A residual problem whose passes run on workers. */
export interface ParallelProblem extends ResidualProblem {
  /** Number of residuals. */
  readonly m: number;
  /** How the data crossed: `'shared'` (SharedArrayBuffer) or `'transfer'` (one copy per worker). */
  readonly crossing: 'shared' | 'transfer';
  /** The backend each worker runs (e.g. `'wasm-simd'`). */
  readonly workerBackend: string;
  evaluate(x: Float64Array, jacobian: boolean): Promise<Evaluation>;
  /**
   * Residuals at x from the workers (bitwise those of the single-thread wasm walk) and their
   * statistics sums, each worker summing its own rows about the fit's mean ȳ (the statistics
   * pass runs on the workers); the shares' sums are added in share order with compensation.
   */
  residualVectorAsync(x: Float64Array): Promise<{ readonly fun: Float64Array; readonly sums: ResidualSums }>;
  /** Residuals at x on the main thread with the fit's own kernel (the start check on failure). */
  residualVector(x: Float64Array): Float64Array;
  /** Close every share and release the pool. */
  dispose(): void;
}

let nextFit = 0;

/**
 * Row ranges of `workers` contiguous shares of n rows, sizes differing by at most one.
 *
 * @param n - rows. @param workers - shares (≥ 1).
 * @returns `workers + 1` boundaries, 0 … n.
 */
export function shareBounds(n: number, workers: number): number[] {
  const base = Math.floor(n / workers);
  const extra = n % workers;
  const bounds = [0];
  for (let w = 0; w < workers; w++) bounds.push(bounds[w]! + base + (w < extra ? 1 : 0));
  return bounds;
}

/** True where a SharedArrayBuffer can be created and posted to a worker. */
export function sharedMemoryUsable(): boolean {
  const g = globalThis as { SharedArrayBuffer?: unknown; crossOriginIsolated?: boolean };
  return typeof g.SharedArrayBuffer === 'function' && g.crossOriginIsolated !== false;
}

/** A column in shared memory: itself when already shared, else one copy. */
function shared(column: Float64Array): Float64Array {
  if (column.buffer instanceof SharedArrayBuffer) return column;
  const copy = new Float64Array(new SharedArrayBuffer(column.length * 8));
  copy.set(column);
  return copy;
}

/** Neumaier-compensated sum, in the given order. */
function compensatedSum(values: readonly number[]): number {
  let sum = 0;
  let c = 0;
  for (const v of values) {
    const t = sum + v;
    c += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
    sum = t;
  }
  return sum + c;
}

/**
 * Open a share on each of `workers` workers (the data cross here, once) and return the problem.
 *
 * @param options - see {@link ParallelProblemOptions}.
 * @returns the problem; `dispose()` it when the fit ends.
 * @throws WorkerError when a worker cannot open its share; AbortError when the signal aborts.
 */
export async function createParallelProblem(options: ParallelProblemOptions): Promise<ParallelProblem> {
  const { caller, pool, workers, data, backend } = options;
  const n = data.y.length;
  const p = options.program.params.length;
  const cols = p + 1;
  const id = `fit-${nextFit++}-${Math.random().toString(36).slice(2, 10)}`;
  const bounds = shareBounds(n, workers);
  const crossing: 'shared' | 'transfer' = options.transferOnly !== true && sharedMemoryUsable() ? 'shared' : 'transfer';
  const simd = backend.info.name === 'wasm-simd';
  const opened = new Set<number>();

  const tasks: WorkerTaskContext = { caller, workers, subject: 'fit', signal: options.signal };
  const onAll = <T>(start: (w: number) => WorkerTask<T>): Promise<T[]> => onEveryWorker(tasks, start);

  const columns = crossing === 'shared' ? { x: data.x.map(shared), y: shared(data.y), w: data.w === null ? null : shared(data.w) } : null;
  const setupFor = (w: number): { setup: ShareSetup; transfer: Transferable[] } => {
    const [s, e] = [bounds[w]!, bounds[w + 1]!];
    const pick = (c: Float64Array): Float64Array => (columns !== null ? c.subarray(s, e) : c.slice(s, e));
    const src = columns ?? data;
    const share = { x: src.x.map(pick), y: pick(src.y), w: src.w === null ? null : pick(src.w) };
    const transfer = columns !== null ? [] : [...share.x, share.y, ...(share.w === null ? [] : [share.w])].map((c) => c.buffer as ArrayBuffer);
    return { setup: { id, program: options.program, data: share, loss: options.loss, blockRows: options.blockRows, simd }, transfer };
  };

  const close = (): void => {
    for (const w of opened) void pool.exec(w, 'close', [id]).catch(() => undefined);
    opened.clear();
  };

  let names: ShareOpened[];
  try {
    names = await onAll((w) => {
      const { setup, transfer } = setupFor(w);
      opened.add(w);
      return pool.exec<ShareOpened>(w, 'open', [setup], { transfer });
    });
  } catch (error) {
    close();
    pool.release();
    throw error;
  }

  const ySum = new CompensatedSum();
  for (const opened of names) ySum.add(opened.ySum);
  const mean = ySum.value() / n;
  const addSums = (parts: readonly ShareResiduals[]): ResidualSums => {
    const total = { chiSquare: new CompensatedSum(), rss: new CompensatedSum(), tss: new CompensatedSum(), absSum: new CompensatedSum() };
    for (const { sums } of parts) for (const key of ['chiSquare', 'rss', 'tss', 'absSum'] as const) total[key].add(sums[key]);
    return { chiSquare: total.chiSquare.value(), rss: total.rss.value(), tss: total.tss.value(), absSum: total.absSum.value() };
  };
  let disposed = false;
  return {
    p,
    m: n,
    jacobianIsCheap: true,
    crossing,
    workerBackend: names[0]?.backend ?? backend.info.name,
    async evaluate(x: Float64Array, jacobian: boolean): Promise<Evaluation> {
      const theta = Float64Array.from(x);
      const parts = await onAll((w) => pool.exec<ShareEvaluation>(w, 'evaluate', [id, theta, jacobian]));
      const cost = compensatedSum(parts.map((e) => e.cost));
      const m = parts.reduce((s, e) => s + e.m, 0);
      if (!jacobian || !Number.isFinite(cost) || parts.some((e) => e.T === null)) return { cost, m, T: null };
      const T = Float64Array.from(parts[0]!.T!);
      for (let w = 1; w < workers; w++) backend.mergeTriangles(T, parts[w]!.T!, cols);
      return { cost, m, T: T.every(Number.isFinite) ? T : null };
    },
    async residualVectorAsync(x: Float64Array) {
      const theta = Float64Array.from(x);
      if (crossing === 'shared') {
        // Each worker writes its rows straight into shared memory: nothing to copy back.
        const out = new Float64Array(new SharedArrayBuffer(n * 8));
        const parts = await onAll((w) => pool.exec<ShareResiduals>(w, 'residuals', [id, theta, out.subarray(bounds[w]!, bounds[w + 1]!), mean]));
        return { fun: out, sums: addSums(parts) };
      }
      const parts = await onAll((w) => pool.exec<ShareResiduals>(w, 'residuals', [id, theta, null, mean]));
      const out = new Float64Array(n);
      parts.forEach((part, w) => out.set(part.r!, bounds[w]!));
      return { fun: out, sums: addSums(parts) };
    },
    residualVector(x: Float64Array): Float64Array {
      const out = new Float64Array(n);
      options.kernel.residuals(x, data, 0, n, out, 0, 1);
      return out;
    },
    dispose(): void {
      if (disposed) return;
      disposed = true;
      close();
      pool.release();
    },
  };
}
