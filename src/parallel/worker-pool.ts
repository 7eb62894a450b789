/**
 * The process-wide worker pool: "run this task on a worker", for every parallel piece of the
 * library (the parallel pass of one big fit, the ranges of a `fitBatch`, the chunks of a streaming
 * pass; the global search later). The workers run `src/pool-worker.ts` (see `worker-script.ts`).
 *
 * Built on workerpool (Node `worker_threads`, Deno, Bun, browser Web Workers; it replaces a
 * worker that dies and rejects that worker's task). A parallel pass needs *affinity* — each
 * worker keeps its share of the data resident, so evaluation k of share w must run on the worker
 * that holds share w — which a single workerpool pool (first free worker) does not give. The pool
 * is therefore a row of *lanes*, each a workerpool pool of exactly one worker:
 * {@link WorkerPool.exec} targets a lane, {@link WorkerPool.run} takes the least busy one.
 *
 * Life cycle: created lazily by the first {@link acquireWorkerPool}, grown to the largest lane
 * count asked for (the plan sizes it), torn down {@link WORKER_POOL_IDLE_MS} after the last
 * holder releases it and no task is running (worker threads would otherwise keep a Node process
 * alive), or at once by {@link terminateWorkers}. A lane whose worker died starts a fresh worker
 * on its next task.
 *
 * workerpool is imported lazily (`await import`): a program that never asks for workers never
 * loads it, and the core never imports `node:*`.
 *
 * @module
 */
import { NlsqError, NlsqRangeError } from '../errors.ts';
import { poolWorkerScript, type WorkerScript } from './worker-script.ts';

/**
 * Idle time after which the pool's workers are terminated, in ms. While idle, the worker threads
 * are unreferenced (Node, Deno, Bun), so an idle pool never keeps a process from exiting.
 */
export const WORKER_POOL_IDLE_MS = 10_000;

/** The most lanes a pool may have (a guard against a runaway `workers` count). */
export const MAX_WORKERS = 256;

/** Options of one task. */
export interface TaskOptions {
  /** Buffers to transfer (not copy) to the worker with the arguments. */
  readonly transfer?: readonly Transferable[];
  /** Receives what the task sends while it runs (`workerpool.workerEmit` in the worker: progress). */
  readonly on?: (payload: unknown) => void;
}

/** A task on a worker, cancellable (cancelling terminates that worker; its lane restarts). */
export interface WorkerTask<T> extends Promise<T> {
  /** Cancel: the worker running the task is terminated and the promise rejects. */
  cancel(): void;
}

/** The shared pool (see the module documentation). */
export interface WorkerPool {
  /** Number of lanes (one worker each). */
  readonly size: number;
  /** The entry the workers run, and how they are created here. */
  readonly script: WorkerScript;
  /**
   * Run `method(...args)` on lane `lane`'s worker.
   * @throws NlsqRangeError when `lane` is not a lane of the pool.
   */
  exec<T>(lane: number, method: string, args: readonly unknown[], options?: TaskOptions): WorkerTask<T>;
  /** Run `method(...args)` on the least busy lane. */
  run<T>(method: string, args: readonly unknown[], options?: TaskOptions): WorkerTask<T>;
  /** Give the hold back (see {@link acquireWorkerPool}); the pool goes idle when no one holds it. */
  release(): void;
}

interface WorkerpoolPromise<T> extends Promise<T> {
  cancel(): unknown;
}

interface WorkerpoolPool {
  /** workerpool's handlers; `worker` is the Node `Worker` (or Web Worker) of each. */
  readonly workers?: readonly { readonly worker?: { ref?(): void; unref?(): void } }[];
  exec<T>(method: string, params: readonly unknown[] | null, options?: { transfer?: readonly Transferable[]; on?: (payload: unknown) => void }): WorkerpoolPromise<T>;
  terminate(force?: boolean): Promise<void>;
}

interface WorkerpoolModule {
  pool(script: string, options: Record<string, unknown>): WorkerpoolPool;
  readonly cpus: number;
}

/**
 * workerpool's specifier, held in a variable so that bundlers leave the import alone: its browser
 * build still names `worker_threads`, `os` and `child_process`, which esbuild and webpack refuse to
 * bundle for a browser — a page that never asks for workers must still bundle nlsq.
 */
const WORKERPOOL: string = 'workerpool';

let loaded: Promise<WorkerpoolModule> | null = null;

/** Load workerpool (CommonJS: its functions are on the default export under Node's interop). */
function loadWorkerpool(): Promise<WorkerpoolModule> {
  loaded ??= (import(/* @vite-ignore */ /* webpackIgnore: true */ WORKERPOOL) as Promise<WorkerpoolModule & { default?: WorkerpoolModule }>).then(
    (module) => (typeof module.pool === 'function' ? module : module.default!),
    (error: unknown) => {
      loaded = null;
      throw new NlsqRangeError(`workers: the worker pool library (workerpool) cannot be loaded here (${error instanceof Error ? error.message : String(error)})`, 'workers', 'ERR_RANGE', { cause: error });
    },
  );
  return loaded;
}

/**
 * Why this runtime cannot run workers, or null when it can (workerpool loads).
 *
 * @returns the reason, or null.
 */
export async function workersUnavailable(): Promise<string | null> {
  try {
    await loadWorkerpool();
    return null;
  } catch (error) {
    return (error as Error).message.replace(/^workers: /, '');
  }
}

/** The rejection of a task cancelled before it reached its worker. */
class WorkerCancelled extends NlsqError {
  constructor() {
    super('workers: the task was cancelled before it started', 'ERR_ABORTED', 'signal');
  }
}

class Lane {
  busy = 0;
  /** Settles when the lane's last queued task has settled. */
  tail: Promise<void> = Promise.resolve();
  constructor(readonly pool: WorkerpoolPool) {}
}

class SharedPool implements WorkerPool {
  readonly lanes: Lane[] = [];
  holders = 0;
  running = 0;
  timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    readonly wp: WorkerpoolModule,
    readonly script: WorkerScript,
  ) {}

  get size(): number {
    return this.lanes.length;
  }

  grow(lanes: number): void {
    while (this.lanes.length < lanes) {
      const options: Record<string, unknown> = { maxWorkers: 1, minWorkers: 0, workerType: this.script.type };
      if (this.script.type === 'web') options['workerOpts'] = { type: 'module' };
      this.lanes.push(new Lane(this.wp.pool(this.script.script, options)));
    }
  }

  exec<T>(lane: number, method: string, args: readonly unknown[], options: TaskOptions = {}): WorkerTask<T> {
    const target = this.lanes[lane];
    if (target === undefined) throw new NlsqRangeError(`workers: lane must be an integer in [0, ${this.lanes.length}), got ${lane}`, 'lane');
    this.cancelIdle();
    target.busy++;
    this.running++;
    this.setRef(true);
    // One task at a time per lane: a task queued inside workerpool behind one whose worker dies
    // is never run (workerpool 10), so the lane queues here and hands workerpool one task at a time.
    let inFlight: WorkerpoolPromise<T> | null = null;
    let cancelled = false;
    const task = target.tail.then(() => {
      if (cancelled) throw new WorkerCancelled();
      const execOptions = { ...(options.transfer === undefined ? {} : { transfer: options.transfer }), ...(options.on === undefined ? {} : { on: options.on }) };
      inFlight = target.pool.exec<T>(method, [...args], execOptions);
      return inFlight;
    });
    target.tail = task.then(
      () => undefined,
      () => undefined,
    );
    const settled = task.then(
      (value) => this.settle(target, value),
      (error: unknown) => {
        this.settle(target, undefined);
        throw error;
      },
    ) as WorkerTask<T>;
    settled.cancel = () => {
      cancelled = true;
      (inFlight as WorkerpoolPromise<T> | null)?.cancel();
    };
    return settled;
  }

  run<T>(method: string, args: readonly unknown[], options?: TaskOptions): WorkerTask<T> {
    let best = 0;
    for (let i = 1; i < this.lanes.length; i++) if (this.lanes[i]!.busy < this.lanes[best]!.busy) best = i;
    return this.exec<T>(best, method, args, options);
  }

  release(): void {
    this.holders = Math.max(0, this.holders - 1);
    this.scheduleIdle();
  }

  private settle<T>(lane: Lane, value: T): T {
    lane.busy--;
    this.running--;
    this.scheduleIdle();
    return value;
  }

  /**
   * Reference the worker threads while tasks run, unreference them when none does: an idle pool
   * must not keep a Node process alive until its timer fires (Web Workers have no such notion).
   */
  private setRef(on: boolean): void {
    for (const lane of this.lanes) for (const handler of lane.pool.workers ?? []) (on ? handler.worker?.ref : handler.worker?.unref)?.call(handler.worker);
  }

  private scheduleIdle(): void {
    if (this.running === 0) this.setRef(false);
    if (this.holders > 0 || this.running > 0 || this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.holders === 0 && this.running === 0 && current === this) void terminateWorkers();
    }, idleMs);
    (this.timer as { unref?: () => void }).unref?.();
  }

  cancelIdle(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  async terminate(): Promise<void> {
    this.cancelIdle();
    await Promise.all(this.lanes.map((lane) => lane.pool.terminate(true).catch(() => undefined)));
  }
}

let current: SharedPool | null = null;
let idleMs = WORKER_POOL_IDLE_MS;

/**
 * Set how long an idle pool waits before terminating its workers (default
 * {@link WORKER_POOL_IDLE_MS}); applies from the next time the pool goes idle.
 *
 * @param ms - milliseconds, ≥ 0.
 * @returns the previous value.
 * @throws NlsqRangeError for a negative or non-finite value.
 */
export function setWorkerPoolIdleMs(ms: number): number {
  if (!(ms >= 0) || !Number.isFinite(ms)) throw new NlsqRangeError(`setWorkerPoolIdleMs: ms must be a finite number ≥ 0, got ${ms}`, 'ms');
  const previous = idleMs;
  idleMs = ms;
  return previous;
}

/**
 * Hold the process's pool with at least `lanes` lanes (creating or growing it); call
 * `release()` on the result when done. Workers start on their lane's first task.
 *
 * @param lanes - lanes needed (1 … {@link MAX_WORKERS}).
 * @returns the pool, held until released.
 * @throws NlsqRangeError for a lane count out of range.
 */
export async function acquireWorkerPool(lanes: number): Promise<WorkerPool> {
  if (!Number.isInteger(lanes) || lanes < 1 || lanes > MAX_WORKERS) throw new NlsqRangeError(`workers: the lane count must be an integer in [1, ${MAX_WORKERS}], got ${lanes}`, 'workers');
  if (current === null) {
    const wp = await loadWorkerpool();
    current ??= new SharedPool(wp, poolWorkerScript());
  }
  const pool = current;
  pool.cancelIdle();
  pool.holders++;
  pool.grow(lanes);
  return pool;
}

/**
 * Terminate every worker of the pool now (tasks in flight reject); the next
 * `acquireWorkerPool` creates a fresh pool.
 */
export async function terminateWorkers(): Promise<void> {
  const pool = current;
  current = null;
  if (pool !== null) await pool.terminate();
}

/**
 * Logical cores this runtime offers to workers: `navigator.hardwareConcurrency` (browsers, Deno,
 * Bun, Node ≥ 21), else workerpool's count (Node's `os.cpus()`), at least 1.
 *
 * @returns the core count.
 */
export async function availableCores(): Promise<number> {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  if (typeof nav?.hardwareConcurrency === 'number' && nav.hardwareConcurrency > 0) return nav.hardwareConcurrency;
  const wp = await loadWorkerpool();
  return Math.max(1, wp.cpus);
}
