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
 * The data cross once per fit, into each worker's wasm memory, where they stay: each worker
 * compiles the model and reserves memory for its rows while the main thread copies the rows into
 * chunks ({@link CROSSING_CHUNK_ROWS}), a few in flight per worker, each buffer filled again once
 * its worker has copied it — shared buffers where `SharedArrayBuffer` is usable, else buffers
 * transferred there and back — so the main thread's serial part is one copy into memory already
 * mapped, overlapped with the workers' own copies, and no copy of the whole data outlives the
 * crossing. Columns already in shared memory (`SharedArrayBuffer`: Node, Deno, Bun;
 * a browser page only when cross-origin isolated) are not copied on the main thread at all: each
 * worker gets views on its rows. Each evaluation sends only θ (p doubles) and receives
 * (p+1)² + 2 numbers per worker; the final residuals are written by the workers straight into
 * shared memory where it is usable (`crossing: 'shared'`), else transferred back.
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
import { AbortError } from '../errors.ts';
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
  /** Rows per chunk of the crossing (default {@link CROSSING_CHUNK_ROWS}; tests use small ones). */
  readonly crossingChunkRows?: number;
}

/** A residual problem whose passes run on workers. */
export interface ParallelProblem extends ResidualProblem {
  /** Number of residuals. */
  readonly m: number;
  /**
   * Whether shared memory is used: `'shared'` (SharedArrayBuffer: columns already shared are read
   * in place, the final residuals are written into shared memory) or `'transfer'` (everything
   * crosses by transfer). The rows cross in chunks either way, unless read in place.
   */
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

/**
 * Rows per chunk of the data crossing: 2^18 rows, 2 MiB per column. A chunk costs one transfer
 * each way (≈ 0.3 ms of main-thread time per round trip in a CPU profile under load), so 10M rows
 * cross in ≈ 40 of them; its buffer is filled again when it comes back, so the main thread copies
 * into memory already mapped.
 */
export const CROSSING_CHUNK_ROWS = 1 << 18;

/** Chunks in flight per worker (their buffers are recycled): the main thread's memory for the crossing is ≤ this many chunks per worker. */
const CHUNKS_IN_FLIGHT = 3;

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

  const columns = [...data.x, data.y, ...(data.w === null ? [] : [data.w])];
  const inPlace = crossing === 'shared' && columns.every((c) => c.buffer instanceof SharedArrayBuffer);
  const chunkRows = Math.max(1, Math.floor(options.crossingChunkRows ?? CROSSING_CHUNK_ROWS));

  /**
   * Worker w's share, as one cancellable task: `open` (compile the model, reserve the rows'
   * wasm memory), then — unless the columns are already shared and read in place — the rows in
   * chunks, each copied here while the worker copies the one before into its wasm memory, then
   * `seal` (the data walk and Σ y). The lane runs them in order.
   */
  const crossShare = (w: number): WorkerTask<ShareOpened> => {
    const [s, e] = [bounds[w]!, bounds[w + 1]!];
    const view = (c: Float64Array): Float64Array => c.subarray(s, e);
    const setup: ShareSetup = {
      id, program: options.program, rows: e - s, weighted: data.w !== null, loss: options.loss, blockRows: options.blockRows, simd,
      data: inPlace ? { x: data.x.map(view), y: view(data.y), w: data.w === null ? null : view(data.w) } : null,
    };
    const live = new Set<WorkerTask<unknown>>();
    let cancelled = false;
    const exec = <T>(method: string, args: readonly unknown[], transfer?: Transferable[]): WorkerTask<T> => {
      const task = pool.exec<T>(w, method, args, transfer === undefined ? {} : { transfer });
      live.add(task);
      task.then(() => live.delete(task), () => live.delete(task));
      return task;
    };
    const run = async (): Promise<ShareOpened> => {
      opened.add(w);
      const open = exec<string>('open', [setup]);
      try {
        // In flight: each chunk's task and the buffer to fill again once it is done (a shared
        // buffer is this thread's own; a transferred one comes back with the task's answer).
        const pending: { task: WorkerTask<Float64Array | null>; buffer: ArrayBufferLike }[] = [];
        const free: ArrayBufferLike[] = [];
        const bytes = chunkRows * columns.length * 8;
        for (let from = s; !inPlace && from < e && !cancelled; from += chunkRows) {
          if (pending.length >= CHUNKS_IN_FLIGHT) {
            const done = pending.shift()!;
            free.push((await done.task)?.buffer ?? done.buffer);
          }
          const count = Math.min(chunkRows, e - from);
          const chunk = new Float64Array(free.pop() ?? (crossing === 'shared' ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes)), 0, count * columns.length);
          columns.forEach((c, j) => chunk.set(c.subarray(from, from + count), j * count));
          const shared = chunk.buffer instanceof SharedArrayBuffer;
          pending.push({ task: exec<Float64Array | null>('load', [id, from - s, count, chunk], shared ? undefined : [chunk.buffer]), buffer: chunk.buffer });
        }
        await Promise.all(pending.map((c) => c.task));
        await open;
      } catch (error) {
        // A failed open (the model cannot compile there, no memory for the rows) is why its loads failed.
        throw await open.then(() => error, (why: unknown) => why);
      }
      if (cancelled) throw new AbortError(`${caller}: the fit was aborted by its AbortSignal`, { cause: options.signal?.reason });
      return exec<ShareOpened>('seal', [id]);
    };
    const task = run() as WorkerTask<ShareOpened>;
    task.cancel = () => {
      cancelled = true;
      for (const t of live) t.cancel();
    };
    return task;
  };

  const close = (): void => {
    for (const w of opened) void pool.exec(w, 'close', [id]).catch(() => undefined);
    opened.clear();
  };

  let names: ShareOpened[];
  try {
    names = await onAll(crossShare);
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
