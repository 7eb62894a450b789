/**
 * A streaming pass on workers: each chunk, as the source yields it, is copied once and handed to
 * the least busy worker, which folds it from zero into its own triangle (`fold-chunk.ts`); the
 * main thread merges the chunks' triangles **in chunk order**.
 *
 * ```
 *   source ─▶ chunk 0 ─▶ worker 0 ─▶ (cost₀, m₀, T₀) ─┐
 *          ─▶ chunk 1 ─▶ worker 1 ─▶ (cost₁, m₁, T₁) ─┼─▶ T = T₀ ⊕ T₁ ⊕ T₂ ⊕ …   (chunk order)
 *          ─▶ chunk 2 ─▶ worker 0 ─▶ …               ─┘
 * ```
 *
 * - **Bounded queue, back-pressure.** At most `queueDepth` chunks (default three per worker) are
 *   in flight; `add` waits for a free slot before the next chunk is read, so memory is
 *   O(queueDepth · chunk) whatever the size of the source. A result that arrives before its
 *   predecessors waits (at most queueDepth of them) until it can be merged.
 * - **No idle worker while the main thread reads.** A worker runs one task at a time
 *   (`worker-pool.ts`), and the next task can only be posted once the main thread has seen the
 *   previous answer — which waits while the main thread validates and copies the next chunk. So
 *   the chunks that arrive for a busy worker wait on its lane and go over together, as one task,
 *   the moment it is free: that hand-over delay is paid once per task, not once per chunk.
 * - **No allocation per chunk.** Each chunk is copied once (the source may reuse its arrays) into a
 *   buffer used before, at most (queueDepth + workers) chunks' worth kept: shared buffers where
 *   `SharedArrayBuffer` is usable (free again once the chunk's task has settled: nothing detached),
 *   else buffers transferred to the worker and handed back with its answer (`fold-chunk.ts`). After
 *   the first chunks a pass allocates nothing, so neither the collector nor the first touch of
 *   fresh pages runs per chunk.
 * - **The single-thread answer, bitwise stable.** Every chunk is folded from zero by the same walk
 *   and merged in chunk order with `Backend.mergeTriangles` (TSQR; Demmel, Grigori, Hoemmen &
 *   Langou, SIAM J. Sci. Comput. 34(1), 2012), costs summed in chunk order with Neumaier
 *   compensation: the evaluation depends on the chunks only — not on the worker count, nor on
 *   which worker finished first — and equals the single-thread pass to rounding (another order of
 *   the same Householder reflections).
 * - **Failures** (`worker-tasks.ts`): a chunk whose worker dies or fails stops the pass; every
 *   chunk in flight settles first, then the pass rejects with a `WorkerError`. An aborted signal
 *   cancels the chunks in flight and the pass rejects with its `AbortError`.
 *
 * @module
 */
import type { Backend } from '../backends/backend.ts';
import { throwIfAborted } from '../errors.ts';
import type { ChunkFold } from '../evaluate/streaming-problem.ts';
import type { Program } from '../model/ir.ts';
import type { DataColumns } from '../model/model-kernel.ts';
import type { Evaluation } from '../optim/evaluation.ts';
import type { LossName } from '../optim/loss.ts';
import type { ChunkEvaluation, ChunkFolderSetup } from './fold-chunk.ts';
import type { ShareEvaluation } from './fold-share.ts';
import type { WorkerPool, WorkerTask } from './worker-pool.ts';
import { onEveryWorker, workerFailure, type WorkerTaskContext } from './worker-tasks.ts';
import { sharedMemoryUsable } from './parallel-problem.ts';

/** Options of {@link createParallelChunkFold}. */
export interface ParallelChunkFoldOptions {
  /** Public function name for messages. */
  readonly caller: string;
  /** The pool, held by the caller for the fold's life (released by `dispose`). */
  readonly pool: WorkerPool;
  /** Number of workers; at most `pool.size`. */
  readonly workers: number;
  /** The model's IR. */
  readonly program: Program;
  /** A built-in loss and its scale, or null for the linear loss. */
  readonly loss: { readonly name: LossName; readonly fScale: number } | null;
  /** Rows per block of each worker's walk. */
  readonly blockRows: number;
  /** The main thread's backend: merges the triangles; its wasm build is the workers'. */
  readonly backend: Backend;
  /** Cancellation. */
  readonly signal: AbortSignal | undefined;
  /** Force transferred chunk buffers even where SharedArrayBuffer is usable (tests). */
  readonly transferOnly?: boolean;
  /** Chunks in flight at most (default 3 × workers). */
  readonly queueDepth?: number;
}

/** A chunk fold on workers. */
export interface ParallelChunkFold extends ChunkFold {
  /** Number of workers. */
  readonly workers: number;
  /** Chunks in flight at most. */
  readonly queueDepth: number;
  /** The backend each worker runs (e.g. `'wasm-simd'`). */
  readonly workerBackend: string;
  /** The most chunks that were in flight at once (diagnostics, tests). */
  readonly peakInFlight: number;
  /** Tasks posted to the workers so far, each carrying one or more chunks (diagnostics, tests). */
  readonly tasks: number;
  /** Close every worker's folder and release the pool. */
  dispose(): void;
}

let nextFit = 0;

/**
 * Open a chunk folder on each of `workers` workers (the model crosses here, once) and return the fold.
 *
 * @param options - see {@link ParallelChunkFoldOptions}.
 * @returns the fold; `dispose()` it when the fit ends.
 * @throws WorkerError when a worker cannot open its folder; AbortError when the signal aborts.
 */
export async function createParallelChunkFold(options: ParallelChunkFoldOptions): Promise<ParallelChunkFold> {
  const { caller, pool, workers, backend, signal } = options;
  const cols = options.program.params.length + 1;
  const depth = options.queueDepth ?? 3 * workers;
  const id = `stream-${nextFit++}-${Math.random().toString(36).slice(2, 10)}`;
  const ctx: WorkerTaskContext = { caller, workers, subject: 'fit', signal };
  const setup: ChunkFolderSetup = { id, program: options.program, loss: options.loss, blockRows: options.blockRows, simd: backend.info.name === 'wasm-simd' };
  let names: string[];
  try {
    names = await onEveryWorker(ctx, (w) => pool.exec<string>(w, 'chunkOpen', [setup]));
  } catch (error) {
    for (let w = 0; w < workers; w++) void pool.exec(w, 'chunkClose', [id]).catch(() => undefined);
    pool.release();
    throw error;
  }

  // The state of the pass in progress.
  let theta = new Float64Array(0);
  let jacobian = false;
  let dispatched = 0;
  let merged = 0;
  let cost = 0;
  let compensation = 0;
  let m = 0;
  let T: Float64Array | null = null;
  let finite = true;
  let failure: { lane: number; error: unknown } | null = null;
  const waiting = new Map<number, ShareEvaluation>();
  const inFlight = new Set<WorkerTask<ChunkEvaluation[]>>();
  // Buffers handed back by the workers, reused for later chunks (at most (depth + 1) chunks' worth).
  const spare: ArrayBufferLike[] = [];
  // Shared chunk buffers where SharedArrayBuffer is usable: nothing is detached or handed back, a
  // buffer is free again once its task has settled; else transferred there and back.
  const sharedChunks = options.transferOnly !== true && sharedMemoryUsable();
  const spareLimit = (depth + workers) * (options.program.variables.length + 2);
  const copyOf = (c: Float64Array, n: number): Float64Array => {
    let out: Float64Array | null = null;
    for (let i = spare.length - 1; i >= 0 && out === null; i--) {
      if (spare[i]!.byteLength >= n * 8) out = new Float64Array(spare.splice(i, 1)[0]!, 0, n);
    }
    out ??= new Float64Array(sharedChunks ? new SharedArrayBuffer(n * 8) : new ArrayBuffer(n * 8));
    out.set(c.length === n ? c : c.subarray(0, n));
    return out;
  };
  // Per lane: the chunks waiting for the lane's worker (handed over together when it is free) and whether a task runs.
  const lanes = Array.from({ length: workers }, () => ({ pending: [] as { index: number; chunk: DataColumns }[], busy: false, load: 0 }));
  let queued = 0;
  let tasks = 0;
  let wake: (() => void) | null = null;
  let peak = 0;

  const settled = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };
  const nextSettled = (): Promise<void> => new Promise((resolve) => (wake = resolve));
  const cancelAll = (): void => inFlight.forEach((t) => t.cancel());

  const add = (v: number): void => {
    const t = cost + v;
    compensation += Math.abs(cost) >= Math.abs(v) ? cost - t + v : v - t + cost;
    cost = t;
  };
  const mergeReady = (): void => {
    for (let r = waiting.get(merged); r !== undefined; r = waiting.get(merged)) {
      waiting.delete(merged);
      merged++;
      add(r.cost);
      m += r.m;
      if (!jacobian) continue;
      if (r.T === null) finite = false;
      else if (T === null) T = Float64Array.from(r.T);
      else backend.mergeTriangles(T, r.T, cols);
    }
  };
  const drain = async (): Promise<void> => {
    while (inFlight.size > 0) await nextSettled();
  };
  /** Hand every chunk waiting for `lane` to its worker as one task (the lane is free). */
  const dispatch = (lane: number): void => {
    const state = lanes[lane]!;
    const batch = state.pending.splice(0);
    state.busy = true;
    const chunks = batch.map((b) => b.chunk);
    const buffers = chunks.flatMap((c) => [...c.x, c.y, ...(c.w === null ? [] : [c.w])].map((col) => col.buffer));
    const transfer = sharedChunks ? [] : (buffers as ArrayBuffer[]);
    const task = pool.exec<ChunkEvaluation[]>(lane, 'chunkFold', [id, theta, jacobian, chunks], { transfer });
    tasks++;
    inFlight.add(task);
    task.then(
      (results) => {
        if (sharedChunks) for (const buffer of buffers) if (spare.length < spareLimit) spare.push(buffer);
        results.forEach((r, i) => {
          for (const buffer of r.buffers) if (spare.length < spareLimit) spare.push(buffer);
          waiting.set(batch[i]!.index, r);
        });
        mergeReady();
      },
      (error: unknown) => {
        failure ??= { lane, error };
      },
    ).finally(() => {
      inFlight.delete(task);
      state.busy = false;
      state.load -= batch.length;
      queued -= batch.length;
      if (state.pending.length > 0) {
        if (failure === null) dispatch(lane);
        else {
          state.load -= state.pending.length;
          queued -= state.pending.length;
          state.pending.length = 0;
        }
      }
      settled();
    });
  };

  return {
    workers,
    queueDepth: depth,
    workerBackend: names[0] ?? backend.info.name,
    get peakInFlight() {
      return peak;
    },
    get tasks() {
      return tasks;
    },
    begin(x: Float64Array, jac: boolean): void {
      theta = Float64Array.from(x);
      jacobian = jac;
      dispatched = merged = m = 0;
      cost = compensation = 0;
      T = null;
      finite = true;
      failure = null;
      waiting.clear();
      signal?.addEventListener('abort', cancelAll);
    },
    async add(data: DataColumns, n: number): Promise<void> {
      while (failure === null && queued >= depth) await nextSettled();
      throwIfAborted(signal, caller);
      if (failure !== null) throw workerFailure(ctx, failure.lane, failure.error);
      // one copy of the chunk (the source may reuse its arrays), transferred to the worker
      const chunk: DataColumns = { x: data.x.map((c) => copyOf(c, n)), y: copyOf(data.y, n), w: data.w === null ? null : copyOf(data.w, n) };
      let lane = 0;
      for (let w = 1; w < workers; w++) if (lanes[w]!.load < lanes[lane]!.load) lane = w;
      const state = lanes[lane]!;
      state.pending.push({ index: dispatched++, chunk });
      state.load++;
      queued++;
      peak = Math.max(peak, queued);
      if (!state.busy) dispatch(lane);
    },
    async finish(): Promise<Evaluation> {
      try {
        await drain();
      } finally {
        signal?.removeEventListener('abort', cancelAll);
      }
      throwIfAborted(signal, caller);
      if (failure !== null) throw workerFailure(ctx, failure.lane, failure.error);
      const total = cost + compensation;
      const t = T as Float64Array | null;
      const ok = jacobian && finite && Number.isFinite(total) && (t === null || t.every(Number.isFinite));
      return { cost: total, m, T: ok ? (t ?? new Float64Array(cols * cols)) : null };
    },
    async abandon(): Promise<void> {
      if (signal?.aborted === true) cancelAll();
      try {
        await drain();
      } finally {
        signal?.removeEventListener('abort', cancelAll);
      }
    },
    dispose(): void {
      for (let w = 0; w < workers; w++) void pool.exec(w, 'chunkClose', [id]).catch(() => undefined);
      pool.release();
    },
  };
}
