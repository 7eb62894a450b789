/**
 * Latin hypercube sampling (M. D. McKay, R. J. Beckman and W. J. Conover, "A comparison of three
 * methods for selecting values of input variables in the analysis of output from a computer
 * code", Technometrics 21(2), 1979): n points in [0, 1)^d such that in every coordinate each of
 * the n strata [i/n, (i+1)/n) holds exactly one point. Coordinate j of point i is
 * (π_j(i) + u_ij) / n with π_j a random permutation (Fisher–Yates on the seeded generator) and
 * u_ij uniform on [0, 1) — or ½ with `centered: true` (the cell centres, as SciPy's
 * `LatinHypercube(scramble=False)`).
 *
 * Unlike Sobol and Halton the design is made for a given n at once, so the sampler draws the
 * whole design when it is created and hands out its rows.
 *
 * @module
 */
import { NlsqRangeError } from '../errors.ts';
import { createRandom } from './random.ts';
import type { Sampler, SamplerOptions } from './sampler.ts';

/** Options of a Latin hypercube beyond the common ones. */
export interface LatinHypercubeOptions extends SamplerOptions {
  /** Put each point at the centre of its cell instead of a uniform place in it (default false). */
  readonly centered?: boolean;
}

/**
 * A Latin hypercube design of `count` points in [0, 1)^d.
 *
 * @param dimension - d ≥ 1.
 * @param count - n ≥ 1, the number of points (and strata per coordinate).
 * @param options - `seed`, `centered`.
 * @throws {NlsqRangeError} d or n is not a positive integer; asking for more than n points.
 */
export function createLatinHypercube(dimension: number, count: number, options: LatinHypercubeOptions = {}): Sampler {
  if (!Number.isInteger(dimension) || dimension < 1) {
    throw new NlsqRangeError(`lhs: dimension must be a positive integer, got ${String(dimension)}`, 'dimension');
  }
  if (!Number.isInteger(count) || count < 1 || count > 2 ** 31) {
    throw new NlsqRangeError(`lhs: count must be an integer in [1, 2^31], got ${String(count)}`, 'count');
  }
  const rng = createRandom(options.seed ?? 0, 'lhs');
  const design = new Float64Array(count * dimension);
  const perm = new Int32Array(count);
  for (let j = 0; j < dimension; j++) {
    for (let i = 0; i < count; i++) perm[i] = i;
    for (let i = count - 1; i > 0; i--) {
      const r = rng.below(i + 1);
      const t = perm[i] as number;
      perm[i] = perm[r] as number;
      perm[r] = t;
    }
    for (let i = 0; i < count; i++) design[i * dimension + j] = ((perm[i] as number) + (options.centered ? 0.5 : rng.next())) / count;
  }
  let index = 0;
  return {
    kind: 'lhs',
    dimension,
    next(out = new Float64Array(dimension)): Float64Array {
      if (index >= count) throw new NlsqRangeError(`lhs: the design has ${count} points; asked for point ${index + 1}`, 'count');
      out.set(design.subarray(index * dimension, (index + 1) * dimension));
      index++;
      return out;
    },
  };
}
