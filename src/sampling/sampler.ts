/**
 * The samplers' common shape: a stream of points in [0, 1)^d (`Sampler`), the options every
 * sampler takes, and the names of the designs. The designs are in `sobol.ts`, `halton.ts`,
 * `latin-hypercube.ts`; `sample-points.ts` draws n points of a named one.
 *
 * @module
 */

/** The sampler names. */
export type SamplerKind = 'sobol' | 'halton' | 'lhs' | 'random';

/** Options common to every sampler. */
export interface SamplerOptions {
  /** Randomise the design (Sobol: LMS + digital shift; Halton: digit permutations). Default false. */
  readonly scramble?: boolean;
  /** Seed of the scramble or of the random design, an integer in [0, 2^32). Default 0. */
  readonly seed?: number;
}

/** A stream of points in [0, 1)^d. */
export interface Sampler {
  /** Which design. */
  readonly kind: SamplerKind;
  /** d, the number of coordinates. */
  readonly dimension: number;
  /** The next point, written into `out` (a new array when omitted) and returned. */
  next(out?: Float64Array): Float64Array;
}
