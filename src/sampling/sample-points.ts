/**
 * The samplers' common shape and the one entry point the global search calls: `samplePoints`
 * draws n points of a named design in [0, 1)^d, row-major.
 *
 * | kind | what | reference |
 * |---|---|---|
 * | `'sobol'` | Joe–Kuo Sobol, Gray-code order, optional LMS + digital-shift scramble | `sobol.ts` |
 * | `'halton'` | radical inverses in the first d primes, optional digit-permutation scramble | `halton.ts` |
 * | `'lhs'` | Latin hypercube, one point per stratum and coordinate | `latin-hypercube.ts` |
 * | `'random'` | independent uniforms from the seeded xoshiro128** | `random.ts` |
 *
 * The same seed gives the same points in every runtime (no `Math.random`).
 *
 * @module
 */
import { NlsqRangeError, NlsqTypeError } from '../errors.ts';
import { createHalton } from './halton.ts';
import { createLatinHypercube } from './latin-hypercube.ts';
import { createRandom } from './random.ts';
import { createSobol } from './sobol.ts';
import type { SamplerKind, SamplerOptions } from './sampler.ts';

/** The sampler names, for validation and listings. */
export const SAMPLER_KINDS: readonly SamplerKind[] = Object.freeze(['sobol', 'halton', 'lhs', 'random']);

/**
 * Draw `count` points of a design in [0, 1)^d.
 *
 * @param kind - the design.
 * @param count - n ≥ 1.
 * @param dimension - d ≥ 1.
 * @param options - `scramble`, `seed`.
 * @returns n·d numbers, point i at [i·d, (i+1)·d).
 * @throws {NlsqTypeError} unknown kind. @throws {NlsqRangeError} n or d out of range.
 * @example
 * ```ts
 * samplePoints('sobol', 4, 2); // [0, 0, 0.5, 0.5, 0.75, 0.25, 0.25, 0.75]
 * ```
 */
export function samplePoints(kind: SamplerKind, count: number, dimension: number, options: SamplerOptions = {}): Float64Array {
  if (!SAMPLER_KINDS.includes(kind)) {
    throw new NlsqTypeError(`sampler: kind must be one of ${SAMPLER_KINDS.map((k) => `'${k}'`).join(', ')}, got ${JSON.stringify(kind)}`, 'sampler');
  }
  if (!Number.isInteger(count) || count < 1) throw new NlsqRangeError(`sampler: count must be a positive integer, got ${String(count)}`, 'count');
  const out = new Float64Array(count * dimension);
  if (kind === 'random') {
    if (!Number.isInteger(dimension) || dimension < 1) throw new NlsqRangeError(`sampler: dimension must be a positive integer, got ${String(dimension)}`, 'dimension');
    const rng = createRandom(options.seed ?? 0, 'sampler');
    for (let i = 0; i < out.length; i++) out[i] = rng.next();
    return out;
  }
  const sampler = kind === 'sobol' ? createSobol(dimension, options) : kind === 'halton' ? createHalton(dimension, options) : createLatinHypercube(dimension, count, options);
  for (let i = 0; i < count; i++) sampler.next(out.subarray(i * dimension, (i + 1) * dimension));
  return out;
}
