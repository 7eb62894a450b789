/**
 * How many workers a fit or a batch uses (the `workers` option): pure planning, from the size of
 * the work, the cores the runtime offers and whether the model can cross to a worker
 * ({@link planWorkers} for one fit, resident or streamed; {@link planBatchWorkers} for `fitBatch`).
 *
 * - `workers` omitted or `0`: the main thread (no pool).
 * - `workers: n ≥ 1`: n workers, each folding a contiguous share of the rows (more workers than
 *   cores is allowed: correct, only slower) — unless the fit cannot cross, in which case it runs
 *   on the main thread and the choice says why.
 * - `workers: 'auto'`: one worker per core, but only as many as have at least
 *   {@link MIN_POINTS_PER_WORKER} points each (scaled by the fold's per-point work (p+1)² against
 *   that of p = 3), and no pool at all below two: a pass over fewer points costs less than the
 *   round trip of θ and the triangles to the workers and back.
 *
 * The threshold comes from what a worker fit adds, measured on the 2-core development machine
 * (Node 20, wasm-simd, `a*exp(-b*x)+c`, p = 3; `docs/parallel.md` has the table): ~20–30 ms per
 * fit (opening the shares: the data into shared memory and each worker's wasm memory, the model
 * compiled in each worker) and ~1 ms per evaluation (θ out, triangles back, the merge), against
 * ~5 ns per point and pass on the main thread at p = 3 (1M points, ~10 passes: ~55 ms). Below 100 000 points the 2-worker fit was
 * 4–6× slower than the main thread, at 400 000 about even (medians of 7 round-robin runs, the
 * machine shared with other jobs: load average ~10); so `'auto'` adds a worker only per
 * 500 000 points at p = 3.
 *
 * @module
 */

/** Points per worker below which `'auto'` does not add a worker, for p = 3 (see the module documentation). */
export const MIN_POINTS_PER_WORKER = 500_000;

/** What {@link planWorkers} weighs. */
export interface WorkerRequest {
  /** The `workers` option as given. */
  readonly given: 'auto' | number | undefined;
  /** Points in the fit; null when unknown before the first pass (a streaming source: `'auto'` then takes every core). */
  readonly nPoints: number | null;
  /**
   * How the workers share the work: `'shares'` (default: each a contiguous share of resident
   * rows) or `'chunks'` (a streaming pass: chunks handed out as they are read).
   */
  readonly split?: 'shares' | 'chunks';
  /** Parameters. */
  readonly nParams: number;
  /** Logical cores offered to workers. */
  readonly cores: number;
  /** Why the fit cannot run on workers, or null when it can. */
  readonly blocked: string | null;
  /** The backend each worker runs (e.g. `'wasm-simd'`). */
  readonly backend: string;
}

/** The decision: worker count (0: the main thread) and the report row. */
export interface WorkerPlan {
  /** Workers that run (0: the main thread). */
  readonly workers: number;
  /** The `workers` option as given (`'default'` when omitted). */
  readonly given: string;
  /** What runs: `'main thread'` or `'N workers × engine'`. */
  readonly used: string;
  /** Why, with the numbers. */
  readonly reason: string;
}

/**
 * Points per worker below which `'auto'` adds no worker, for a fit of p parameters: the
 * p = 3 threshold scaled by 16 / (p+1)² (the per-point fold work), at least 10 000.
 *
 * @param nParams - p.
 * @returns the threshold in points.
 */
export function minPointsPerWorker(nParams: number): number {
  return Math.max(10_000, Math.round((MIN_POINTS_PER_WORKER * 16) / ((nParams + 1) * (nParams + 1))));
}

/**
 * Decide the worker count of a fit (see the module documentation).
 *
 * @param request - see {@link WorkerRequest}.
 * @returns the count and the `choices.workers` row ("2 workers × wasm-simd, because …").
 */
export function planWorkers(request: WorkerRequest): WorkerPlan {
  const { given, nPoints, cores, blocked, backend } = request;
  const givenText = given === undefined ? 'default' : String(given);
  const main = (reason: string): WorkerPlan => ({ workers: 0, given: givenText, used: 'main thread', reason });
  if (given === undefined || given === 0) return main(given === 0 ? 'workers: 0 asks for the main thread' : 'workers not asked for (pass workers: \'auto\' or a count)');
  if (blocked !== null) return main(`the fit cannot run on workers: ${blocked}`);
  const used = (n: number, why: string): WorkerPlan => ({ workers: n, given: givenText, used: `${n} worker${n === 1 ? '' : 's'} × ${backend}`, reason: why });
  const how =
    request.split === 'chunks'
      ? `each folds the chunks of a pass as they are read (bounded queue), merged in chunk order`
      : `each folds a contiguous share of the ${nPoints} points, merged in a fixed order`;
  if (given !== 'auto') {
    const over = given > cores ? ` (more than the ${cores} cores here: correct, but they share cores)` : '';
    return used(given, `workers: ${given} was asked for${over}; ${how}`);
  }
  if (nPoints === null) {
    if (cores < 2) return main(`only ${cores} core is available here`);
    return used(cores, `one worker per core (${cores} here): a streaming source's size is unknown before its first pass, and streaming is for data too large for one core; ${how}`);
  }
  const threshold = minPointsPerWorker(request.nParams);
  const bySize = Math.floor(nPoints / threshold);
  const n = Math.min(cores, bySize);
  if (n < 2) {
    return main(
      cores < 2
        ? `only ${cores} core is available here`
        : `${nPoints} points are too few to gain from workers (at least ${threshold} per worker for ${request.nParams} parameters, measured on 2 cores)`,
    );
  }
  return used(n, `one worker per core (${cores} here) with at least ${threshold} points each: ${nPoints} points, ${request.nParams} parameters`);
}

/**
 * Work per worker below which `fitBatch`'s `'auto'` adds no worker, in point·(p+1)² units (a fit
 * of n points and p free parameters costs about n·(p+1)² per evaluation): see
 * {@link planBatchWorkers} for the measurement behind it.
 */
export const MIN_BATCH_WORK_PER_WORKER = 2_000_000;

/**
 * The same threshold when the workers run the WASM whole-loop engine, about 11× faster per fit than
 * the CPU engine: the pool's fixed cost per batch (ranges transferred, the model compiled in each
 * worker) is then worth paying only for about 4× more work. Measured on the 2-core development
 * machine, quiet (Node 20, Gpufit's 2-D Gaussian, warm pool, medians of 5 alternating runs, main
 * thread vs 2 workers): 1 000 fits 0.20×, 4 000 fits 0.71×, 20 000 fits 1.15×, 100 000 fits 1.45×;
 * 8·10⁶ units is about 8 900 such fits per worker.
 */
export const MIN_WASM_BATCH_WORK_PER_WORKER = 8_000_000;

/** What {@link planBatchWorkers} weighs. */
export interface BatchWorkerRequest {
  /** The `workers` option as given. */
  readonly given: 'auto' | number | undefined;
  /** Fits in the batch. */
  readonly nFits: number;
  /** Points over every fit. */
  readonly nPoints: number;
  /** Free parameters per fit. */
  readonly nParams: number;
  /** Logical cores offered to workers. */
  readonly cores: number;
  /** Why the batch cannot run on workers, or null when it can. */
  readonly blocked: string | null;
  /** The engine each worker runs (e.g. `'cpu'`). */
  readonly engine: string;
}

/**
 * Decide the worker count of a batch (`fitBatch`'s `workers`).
 *
 * - omitted or `0`: the main thread; `n ≥ 1`: n workers (at most one per fit), each running a
 *   contiguous range of fits with the single-thread engine.
 * - `'auto'`: one worker per core, but only as many as get at least
 *   {@link MIN_BATCH_WORK_PER_WORKER} units of work (Σ points × (p+1)²) — {@link MIN_WASM_BATCH_WORK_PER_WORKER}
 *   when the workers run the WASM engine — and no pool below two.
 *
 * The threshold comes from what the pool adds to a batch, measured on the 2-core development
 * machine (Node 20, CPU engine, Gpufit's 2-D Gaussian: 25 points, p = 5, i.e. 900 units a fit;
 * `docs/parallel.md` has the table): starting the workers of a cold pool and loading the library
 * in them, then per batch the ranges copied and transferred, the model compiled in each worker.
 *
 * @param request - see {@link BatchWorkerRequest}.
 * @returns the count (0: the main thread) and the plan row ("2 workers × cpu engine, because …").
 */
export function planBatchWorkers(request: BatchWorkerRequest): WorkerPlan {
  const { given, nFits, nPoints, nParams, cores, blocked, engine } = request;
  const givenText = given === undefined ? 'default' : String(given);
  const main = (reason: string): WorkerPlan => ({ workers: 0, given: givenText, used: 'main thread', reason });
  if (given === undefined || given === 0) return main(given === 0 ? 'workers: 0 asks for the main thread' : 'workers not asked for (pass workers: \'auto\' or a count)');
  if (blocked !== null) return main(`the batch cannot run on workers: ${blocked}`);
  const used = (n: number, why: string): WorkerPlan => ({ workers: n, given: givenText, used: `${n} worker${n === 1 ? '' : 's'} × ${engine} engine`, reason: why });
  const how = 'each runs a contiguous range of fits with the single-thread engine (its data sent once)';
  if (given !== 'auto') {
    const n = Math.min(given, Math.max(1, nFits));
    const over = n > cores ? ` (more than the ${cores} cores here: correct, but they share cores)` : '';
    const capped = n < given ? ` (capped at one worker per fit: ${nFits} fits)` : '';
    return used(n, `workers: ${given} was asked for${capped}${over}; ${how}`);
  }
  const work = nPoints * (nParams + 1) * (nParams + 1);
  const threshold = engine === 'wasm' ? MIN_WASM_BATCH_WORK_PER_WORKER : MIN_BATCH_WORK_PER_WORKER;
  const n = Math.min(cores, nFits, Math.floor(work / threshold));
  if (n < 2) {
    return main(
      cores < 2
        ? `only ${cores} core is available here`
        : `${nFits} fits (${nPoints} points, ${nParams} free parameters) are too few to gain from workers (at least ${threshold} points·(p+1)² per worker for the ${engine} engine, measured on 2 cores)`,
    );
  }
  return used(n, `one worker per core (${cores} here) with at least ${threshold} points·(p+1)² each (${engine} engine): ${nFits} fits, ${nPoints} points, ${nParams} free parameters; ${how}`);
}
