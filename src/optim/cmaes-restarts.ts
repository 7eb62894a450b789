/**
 * CMA-ES with restarts for rugged landscapes — IPOP (A. Auger and N. Hansen, "A restart CMA
 * evolution strategy with increasing population size", CEC 2005) and BIPOP (N. Hansen,
 * "Benchmarking a BI-population CMA-ES on the BBOB-2009 function testbed", GECCO 2009) — over a
 * box handled by the linear–quadratic transformation (`box-transform.ts`), in coordinates scaled
 * per parameter, with one seeded random stream, and the population evaluated by the caller.
 *
 * ## Scaling and the first run
 * Coordinate i is searched as v_i = x_i / s_i with s_i = u_i − l_i when both bounds are finite,
 * else max(|x0_i|, 1); σ0 (default 0.3, in those units: about a third of the box, Hansen's advice
 * of ¼–½ of the search range) is the same in every coordinate. The first run starts at x0 with
 * the default population λ_def = 4 + ⌊3 ln n⌋.
 *
 * ## Restarts
 * - `'ipop'`: each restart doubles λ and keeps σ0.
 * - `'bipop'` (default): after the first run, two regimes share the budget. The large regime
 *   doubles λ each time it runs (λ_def·2^k, σ0); the small regime draws
 *   λ_s = ⌊λ_def·(½λ_large/λ_def)^(U₁²)⌋ and σ_s = σ0·10^(−2U₂) with U₁, U₂ uniform on [0, 1).
 *   The regime that has spent fewer evaluations runs next (the first run counts as large).
 * - Restarts begin at a uniform point of the box where both bounds of a coordinate are finite,
 *   and at x0 elsewhere.
 * The search stops at `maxEvaluations`, when a cost ≤ `ftarget` is found, or when the large
 * regime would start restart `maxRestarts` + 1 (Hansen's BIPOP counts only the large regime's
 * restarts, at most 9 on BBOB; the small runs interleave within the budget the large ones spent).
 *
 * @module
 */
import { NlsqRangeError, NlsqTypeError, throwIfAborted } from '../errors.ts';
import { createRandom, type Random } from '../sampling/random.ts';
import { createYielder } from '../util/yield-control.ts';
import { createBoxTransform, type BoxTransform } from './box-transform.ts';
import { type CmaesRunResult, type CmaesStop, cmaesRun, defaultPopsize } from './cmaes.ts';

/** The restart strategies. */
export type CmaesRestarts = 'none' | 'ipop' | 'bipop';

/** Options of a CMA-ES search. */
export interface CmaesOptions {
  /** Starting point, length n ≥ 1 (inside the bounds). */
  readonly x0: ArrayLike<number>;
  /** Lower bounds (−Infinity for none). */
  readonly lb?: ArrayLike<number>;
  /** Upper bounds (Infinity for none). */
  readonly ub?: ArrayLike<number>;
  /** Initial step size in scaled units (see the module header). Default 0.3. */
  readonly sigma0?: number;
  /** Population of the first run. Default 4 + ⌊3 ln n⌋. */
  readonly popsize?: number;
  /** Restart strategy. Default `'bipop'`. */
  readonly restarts?: CmaesRestarts;
  /** Most restarts of the large-population regime (IPOP: of all runs) after the first run. Default 9. */
  readonly maxRestarts?: number;
  /** Evaluation budget of the whole search. Default 20000·n. */
  readonly maxEvaluations?: number;
  /** Seed of the random stream, an integer in [0, 2^32). Default 0. */
  readonly seed?: number;
  /** Stop as soon as a cost ≤ ftarget is seen. Default −Infinity. */
  readonly ftarget?: number;
  /** Relative tolerance on the spread of costs of a run. Default 1e-12. */
  readonly tolFun?: number;
  /** Tolerance on the search spread in scaled units. Default 1e-11. */
  readonly tolX?: number;
  /** Cancels the search between generations (async driver). */
  readonly signal?: AbortSignal;
}

/** One run of the search. */
export interface CmaesRunRecord {
  /** `'default'` for the first run, then the regime of each restart. */
  readonly regime: 'default' | 'large' | 'small';
  /** Population size λ. */
  readonly popsize: number;
  /** Initial step size (scaled units). */
  readonly sigma0: number;
  /** Evaluations spent. */
  readonly evaluations: number;
  /** Generations run. */
  readonly generations: number;
  /** Best cost of the run. */
  readonly f: number;
  /** Why it stopped. */
  readonly stop: CmaesStop;
}

/** The outcome of a search. */
export interface CmaesResult {
  /** The best point found (inside the bounds). */
  readonly x: Float64Array;
  /** Its cost. */
  readonly f: number;
  /** Evaluations spent in all runs. */
  readonly evaluations: number;
  /** Every run, in order. */
  readonly runs: readonly CmaesRunRecord[];
}

/** The candidate points of one generation: `count` rows of n, row-major. */
export interface CmaesRequest {
  /** λ×n points, inside the bounds. */
  readonly points: Float64Array;
  /** λ. */
  readonly count: number;
  /** n. */
  readonly dimension: number;
}

interface Problem {
  readonly n: number;
  readonly scale: Float64Array;
  readonly x0: Float64Array;
  readonly box: BoxTransform;
  readonly lbScaled: Float64Array;
  readonly ubScaled: Float64Array;
}

function validate(options: CmaesOptions, caller: string): Problem {
  const x0 = Float64Array.from(options.x0 ?? []);
  const n = x0.length;
  if (n < 1) throw new NlsqRangeError(`${caller}: x0 must have at least one coordinate, got ${n}`, 'x0', 'ERR_SHAPE');
  const bound = (b: ArrayLike<number> | undefined, fill: number, name: 'lb' | 'ub'): Float64Array => {
    if (b === undefined) return new Float64Array(n).fill(fill);
    if (b.length !== n) throw new NlsqRangeError(`${caller}: ${name} must have length ${n} (one per coordinate of x0), got ${b.length}`, name, 'ERR_SHAPE');
    return Float64Array.from(b);
  };
  const lb = bound(options.lb, Number.NEGATIVE_INFINITY, 'lb');
  const ub = bound(options.ub, Number.POSITIVE_INFINITY, 'ub');
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(x0[i] as number)) throw new NlsqRangeError(`${caller}: x0 must be finite, got ${x0[i]} at index ${i}`, 'x0', 'ERR_NON_FINITE');
    if (!((lb[i] as number) < (ub[i] as number))) throw new NlsqRangeError(`${caller}: lb must be below ub in every coordinate, got [${lb[i]}, ${ub[i]}] at index ${i}`, 'bounds', 'ERR_INFEASIBLE');
    if ((x0[i] as number) < (lb[i] as number) || (x0[i] as number) > (ub[i] as number)) {
      throw new NlsqRangeError(`${caller}: x0 must lie inside the bounds, got ${x0[i]} outside [${lb[i]}, ${ub[i]}] at index ${i}`, 'x0', 'ERR_INFEASIBLE');
    }
  }
  const positive = (v: number | undefined, name: string, integer = false): void => {
    if (v !== undefined && (!(v > 0) || !Number.isFinite(v) || (integer && !Number.isInteger(v)))) {
      throw new NlsqRangeError(`${caller}: ${name} must be a positive ${integer ? 'integer' : 'finite number'}, got ${String(v)}`, name);
    }
  };
  positive(options.sigma0, 'sigma0');
  positive(options.maxEvaluations, 'maxEvaluations', true);
  positive(options.tolFun, 'tolFun');
  positive(options.tolX, 'tolX');
  if (options.popsize !== undefined && (!Number.isInteger(options.popsize) || options.popsize < 2)) {
    throw new NlsqRangeError(`${caller}: popsize must be an integer ≥ 2, got ${String(options.popsize)}`, 'popsize');
  }
  if (options.maxRestarts !== undefined && (!Number.isInteger(options.maxRestarts) || options.maxRestarts < 0)) {
    throw new NlsqRangeError(`${caller}: maxRestarts must be a non-negative integer, got ${String(options.maxRestarts)}`, 'maxRestarts');
  }
  if (options.restarts !== undefined && !['none', 'ipop', 'bipop'].includes(options.restarts)) {
    throw new NlsqTypeError(`${caller}: restarts must be 'none', 'ipop' or 'bipop', got ${JSON.stringify(options.restarts)}`, 'restarts');
  }
  const scale = new Float64Array(n);
  const lbScaled = new Float64Array(n);
  const ubScaled = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const l = lb[i] as number;
    const u = ub[i] as number;
    scale[i] = Number.isFinite(l) && Number.isFinite(u) ? u - l : Math.max(Math.abs(x0[i] as number), 1);
    lbScaled[i] = l / (scale[i] as number);
    ubScaled[i] = u / (scale[i] as number);
  }
  return { n, scale, x0, box: createBoxTransform(lbScaled, ubScaled), lbScaled, ubScaled };
}

/**
 * The search as a generator: yields each generation's candidates, receives their costs.
 *
 * @param options - the search options.
 * @param caller - the public function name for error messages.
 * @returns the best point over all runs, with the record of every run.
 * @throws {NlsqRangeError} x0, bounds or a numeric option out of range.
 */
export function* cmaesSearch(options: CmaesOptions, caller = 'cmaes'): Generator<CmaesRequest, CmaesResult, Float64Array> {
  const problem = validate(options, caller);
  const { n, scale } = problem;
  const random: Random = createRandom(options.seed ?? 0, caller);
  const sigma0 = options.sigma0 ?? 0.3;
  const lambdaDefault = options.popsize ?? defaultPopsize(n);
  const restarts = options.restarts ?? 'bipop';
  const maxRestarts = restarts === 'none' ? 0 : (options.maxRestarts ?? 9);
  const maxEvaluations = options.maxEvaluations ?? 20000 * n;
  const runs: CmaesRunRecord[] = [];
  const best = { x: Float64Array.from(problem.x0), f: Number.POSITIVE_INFINITY };
  let spent = 0;
  let spentLarge = 0;
  let spentSmall = 0;
  let largeRuns = 0;

  const start = (fromX0: boolean): Float64Array => {
    const m = new Float64Array(n);
    const genotype = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const l = problem.lbScaled[i] as number;
      const u = problem.ubScaled[i] as number;
      m[i] = !fromX0 && Number.isFinite(l) && Number.isFinite(u) ? l + random.next() * (u - l) : (problem.x0[i] as number) / (scale[i] as number);
    }
    return problem.box.fromBox(m, genotype);
  };

  for (let r = 0; spent < maxEvaluations; r++) {
    let regime: CmaesRunRecord['regime'] = 'default';
    let popsize = lambdaDefault;
    let sigma = sigma0;
    if (r > 0) {
      if (restarts === 'none') break;
      const large = restarts === 'ipop' || spentLarge <= spentSmall;
      if (large && largeRuns >= maxRestarts) break;
      if (large) {
        regime = 'large';
        largeRuns++;
        popsize = lambdaDefault * 2 ** largeRuns;
      } else {
        regime = 'small';
        const u1 = random.next();
        const u2 = random.next();
        popsize = Math.max(2, Math.floor(lambdaDefault * (0.5 * 2 ** largeRuns) ** (u1 * u1)));
        sigma = sigma0 * 10 ** (-2 * u2);
      }
    }
    const run = cmaesRun({
      mean: start(r === 0),
      sigma,
      popsize,
      box: problem.box,
      random,
      budget: maxEvaluations - spent,
      ftarget: options.ftarget ?? Number.NEGATIVE_INFINITY,
      tolFun: options.tolFun ?? 1e-12,
      tolX: options.tolX ?? 1e-11,
    });
    const points = new Float64Array(popsize * n);
    let step = run.next();
    while (!step.done) {
      const v = step.value;
      for (let k = 0; k < popsize; k++) for (let i = 0; i < n; i++) points[k * n + i] = (v[k * n + i] as number) * (scale[i] as number);
      const costs = yield { points, count: popsize, dimension: n };
      if (!(costs instanceof Float64Array) || costs.length !== popsize) {
        throw new NlsqTypeError(`${caller}: the objective must return a Float64Array of ${popsize} costs (one per candidate), got ${costs?.length ?? String(costs)}`, 'objective');
      }
      step = run.next(costs);
    }
    const result: CmaesRunResult = step.value;
    spent += result.evaluations;
    if (regime === 'small') spentSmall += result.evaluations;
    else spentLarge += result.evaluations;
    runs.push({ regime, popsize, sigma0: sigma, evaluations: result.evaluations, generations: result.generations, f: result.f, stop: result.stop });
    if (result.f < best.f) {
      best.f = result.f;
      for (let i = 0; i < n; i++) best.x[i] = (result.x[i] as number) * (scale[i] as number);
    }
    if (result.stop === 'ftarget' || result.stop === 'budget') break;
  }
  return { x: best.x, f: best.f, evaluations: spent, runs };
}

/** A population objective: costs of `count` points (rows of `dimension`), NaN/∞ allowed (rank last). */
export type PopulationObjective = (points: Float64Array, count: number, dimension: number) => Float64Array;

/**
 * Minimise with CMA-ES, evaluating each generation synchronously.
 *
 * @param objective - the population objective.
 * @param options - the search options.
 * @example
 * ```ts
 * const r = minimizeCmaesSync((X, k, n) => Float64Array.from({ length: k }, (_, i) => (X[i * n] - 1) ** 2), { x0: [0] });
 * ```
 */
export function minimizeCmaesSync(objective: PopulationObjective, options: CmaesOptions): CmaesResult {
  const search = cmaesSearch(options, 'minimizeCmaesSync');
  let step = search.next();
  while (!step.done) step = search.next(objective(step.value.points, step.value.count, step.value.dimension));
  return step.value;
}

/**
 * Minimise with CMA-ES, awaiting each generation's costs (a batch on a backend or on workers),
 * yielding to the event loop on a time budget and honouring `options.signal` between generations.
 *
 * @param objective - the population objective, possibly asynchronous.
 * @param options - the search options.
 * @throws {AbortError} when the signal fires.
 */
export async function minimizeCmaes(
  objective: (points: Float64Array, count: number, dimension: number) => Float64Array | Promise<Float64Array>,
  options: CmaesOptions,
): Promise<CmaesResult> {
  const search = cmaesSearch(options, 'minimizeCmaes');
  const yielder = createYielder();
  let step = search.next();
  while (!step.done) {
    throwIfAborted(options.signal, 'minimizeCmaes');
    const costs = await objective(step.value.points, step.value.count, step.value.dimension);
    const turn = yielder();
    if (turn) await turn;
    throwIfAborted(options.signal, 'minimizeCmaes');
    step = search.next(costs);
  }
  return step.value;
}
