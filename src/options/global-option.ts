/**
 * The `global` option of `curveFit`, `curveFitSync`, `leastSquares`, `leastSquaresSync` and `fit`
 * (issue 15): a search for the global minimum instead of the one nearest p0 (docs/global-search.md).
 *
 * | given | means |
 * |---|---|
 * | `true` | multi-start: {@link DEFAULT_GLOBAL_STARTS} starts from a scrambled Sobol design |
 * | `'sobol'`, `'halton'`, `'lhs'`, `'random'` | multi-start from that design |
 * | `'cmaes'` | CMA-ES with BIPOP restarts, then a local polish with the caller's method |
 * | `{ method, starts, sampler, seed, scramble, popsize, restarts, maxEvaluations }` | the same, spelled out |
 * | `false` / absent | no search: the local fit from p0 |
 *
 * Multi-start (NLSQ's `MultiStartOrchestrator`; SciPy users write the loop by hand): p0 is
 * always the first start, the other starts are drawn in the sampling box (`global/start-box.ts`),
 * every start is fitted with the caller's method and options — as one batch on `fitBatch`'s engine
 * for expression models (`global/batch-starts.ts`), one call after another otherwise — and the
 * best start's fit by the caller's own path is the result: its pcov and statistics are `curveFit`'s
 * own for that start. The distinct minima found and the engine are reported (`result.global`).
 * Over a streaming source `fit()` runs a tournament instead (`global/tournament.ts`).
 *
 * @module
 */
import { NlsqRangeError, NlsqTypeError, describeValue } from '../errors.ts';
import type { CmaesRestarts } from '../optim/cmaes-restarts.ts';
import type { SamplerKind } from '../sampling/sampler.ts';

/** How many starts `global: true` or a sampler name uses. */
export const DEFAULT_GLOBAL_STARTS = 16;

/** The global search, spelled out. */
export interface GlobalSearchOptions {
  /** `'multistart'` (default) or `'cmaes'`. */
  readonly method?: 'multistart' | 'cmaes';
  /** Multi-start: the number of starts, p0 included (default {@link DEFAULT_GLOBAL_STARTS}). */
  readonly starts?: number;
  /** Multi-start: the design of the starts (default `'sobol'`). */
  readonly sampler?: SamplerKind;
  /** Seed of the design or of CMA-ES (default 0): the same seed gives the same search. */
  readonly seed?: number;
  /** Scramble the Sobol/Halton design (default true; the unscrambled first point is a corner). */
  readonly scramble?: boolean;
  /** CMA-ES: the first population size (default 4 + ⌊3 ln p⌋). */
  readonly popsize?: number;
  /** CMA-ES: the restart strategy (default `'bipop'`). */
  readonly restarts?: CmaesRestarts;
  /** CMA-ES: the cost-evaluation budget (default 2000·p, at least 10 000). */
  readonly maxEvaluations?: number;
}

/** The `global` option. */
export type GlobalOption = boolean | SamplerKind | 'cmaes' | GlobalSearchOptions;

/** A validated global search. */
export interface ResolvedGlobal {
  readonly method: 'multistart' | 'cmaes';
  readonly starts: number;
  readonly sampler: SamplerKind;
  readonly seed: number;
  readonly scramble: boolean;
  readonly popsize: number | undefined;
  readonly restarts: CmaesRestarts;
  readonly maxEvaluations: number | undefined;
  /** The option as the caller gave it, for the report. */
  readonly given: string;
}

const SAMPLERS: readonly string[] = ['sobol', 'halton', 'lhs', 'random'];
const KEYS = ['method', 'starts', 'sampler', 'seed', 'scramble', 'popsize', 'restarts', 'maxEvaluations'];

/**
 * Validate the `global` option.
 *
 * @param option - the caller's value.
 * @param caller - the public function name.
 * @returns the search, or null for none.
 * @throws {NlsqTypeError} an unknown name, key or method. @throws {NlsqRangeError} a count or seed out of range.
 */
export function resolveGlobal(option: unknown, caller: string): ResolvedGlobal | null {
  if (option === undefined || option === false) return null;
  let spec: GlobalSearchOptions;
  if (option === true) spec = {};
  else if (option === 'cmaes') spec = { method: 'cmaes' };
  else if (typeof option === 'string' && SAMPLERS.includes(option)) spec = { sampler: option as SamplerKind };
  else if (typeof option === 'object' && option !== null && !Array.isArray(option)) {
    spec = option as GlobalSearchOptions;
    const unknown = Object.keys(spec).filter((k) => !KEYS.includes(k));
    if (unknown.length > 0) throw new NlsqTypeError(`${caller}: global has no option ${JSON.stringify(unknown[0])}; it takes ${KEYS.join(', ')}`, 'global');
  } else {
    throw new NlsqTypeError(`${caller}: global must be true, 'sobol', 'halton', 'lhs', 'random', 'cmaes' or an options object, got ${describeValue(option)}`, 'global');
  }
  const method = spec.method ?? 'multistart';
  if (method !== 'multistart' && method !== 'cmaes') throw new NlsqTypeError(`${caller}: global.method must be 'multistart' or 'cmaes', got ${describeValue(method)}`, 'global.method');
  const sampler = spec.sampler ?? 'sobol';
  if (!SAMPLERS.includes(sampler)) throw new NlsqTypeError(`${caller}: global.sampler must be one of 'sobol', 'halton', 'lhs', 'random', got ${describeValue(sampler)}`, 'global.sampler');
  const starts = spec.starts ?? DEFAULT_GLOBAL_STARTS;
  if (!Number.isInteger(starts) || starts < 1 || starts > 1_000_000) throw new NlsqRangeError(`${caller}: global.starts must be an integer in [1, 1000000], got ${describeValue(starts)}`, 'global.starts');
  const seed = spec.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) throw new NlsqRangeError(`${caller}: global.seed must be an integer in [0, 2^32), got ${describeValue(seed)}`, 'global.seed');
  if (spec.scramble !== undefined && typeof spec.scramble !== 'boolean') throw new NlsqTypeError(`${caller}: global.scramble must be a boolean, got ${describeValue(spec.scramble)}`, 'global.scramble');
  if (spec.restarts !== undefined && !['none', 'ipop', 'bipop'].includes(spec.restarts)) {
    throw new NlsqTypeError(`${caller}: global.restarts must be 'none', 'ipop' or 'bipop', got ${describeValue(spec.restarts)}`, 'global.restarts');
  }
  if (spec.popsize !== undefined && (!Number.isInteger(spec.popsize) || spec.popsize < 2)) throw new NlsqRangeError(`${caller}: global.popsize must be an integer ≥ 2, got ${describeValue(spec.popsize)}`, 'global.popsize');
  if (spec.maxEvaluations !== undefined && (!Number.isInteger(spec.maxEvaluations) || spec.maxEvaluations < 1)) {
    throw new NlsqRangeError(`${caller}: global.maxEvaluations must be a positive integer, got ${describeValue(spec.maxEvaluations)}`, 'global.maxEvaluations');
  }
  return {
    method, starts, sampler, seed, scramble: spec.scramble ?? true, popsize: spec.popsize, restarts: spec.restarts ?? 'bipop',
    maxEvaluations: spec.maxEvaluations, given: typeof option === 'object' ? JSON.stringify(option) : String(option),
  };
}
