/**
 * The Halton sequence (J. H. Halton, "On the efficiency of certain quasi-random sequences of
 * points in evaluating multi-dimensional integrals", Numer. Math. 2, 1960): coordinate j of point
 * n is the radical inverse φ_b(n) = Σ_k d_k(n) b^(−k−1) of n's base-b digits d_k(n), b the
 * (j+1)-th prime. Unscrambled it starts at the origin and equals SciPy's
 * `qmc.Halton(d, scramble=False)` point for point (checked in `test/sampling/halton.test.ts`).
 *
 * High bases correlate neighbouring coordinates badly; `scramble: true` applies random digit
 * permutations (one permutation of {0…b−1} per coordinate and digit position, seeded), the
 * Owen-type scramble SciPy uses by default (A. B. Owen, "A randomized Halton algorithm in R",
 * arXiv:1706.02808, 2017). Scrambled, the trailing zero digits are permuted too, up to the digits
 * a double can hold (⌈53 / log2 b⌉), so points fill (0, 1) without sticking to the origin.
 *
 * No dimension limit: primes are generated as needed.
 *
 * @module
 */
import { NlsqRangeError } from '../errors.ts';
import { createRandom } from './random.ts';
import type { Sampler, SamplerOptions } from './sampler.ts';

/** The first `count` primes (trial division by the primes found so far). */
export function firstPrimes(count: number): number[] {
  const primes: number[] = [];
  for (let n = 2; primes.length < count; n++) {
    let prime = true;
    for (const p of primes) {
      if (p * p > n) break;
      if (n % p === 0) {
        prime = false;
        break;
      }
    }
    if (prime) primes.push(n);
  }
  return primes;
}

/**
 * A Halton sampler on [0, 1)^d.
 *
 * @param dimension - d ≥ 1.
 * @param options - `scramble` (random digit permutations) and its `seed`.
 * @throws {NlsqRangeError} d is not a positive integer.
 */
export function createHalton(dimension: number, options: SamplerOptions = {}): Sampler {
  if (!Number.isInteger(dimension) || dimension < 1 || dimension > 100_000) {
    throw new NlsqRangeError(`halton: dimension must be an integer in [1, 100000], got ${String(dimension)}`, 'dimension');
  }
  const bases = firstPrimes(dimension);
  // permutations[j][k * b + digit]: the scrambled digit at position k of coordinate j
  const permutations: Uint16Array[] | null = options.scramble ? [] : null;
  const digits = bases.map((b) => Math.ceil(53 / Math.log2(b)));
  if (permutations) {
    const rng = createRandom(options.seed ?? 0, 'halton');
    for (let j = 0; j < dimension; j++) {
      const b = bases[j] as number;
      const table = new Uint16Array((digits[j] as number) * b);
      for (let k = 0; k < (digits[j] as number); k++) {
        const row = table.subarray(k * b, (k + 1) * b);
        for (let i = 0; i < b; i++) row[i] = i;
        for (let i = b - 1; i > 0; i--) {
          const r = rng.below(i + 1);
          const t = row[i] as number;
          row[i] = row[r] as number;
          row[r] = t;
        }
      }
      permutations.push(table);
    }
  }
  let index = 0;
  return {
    kind: 'halton',
    dimension,
    next(out = new Float64Array(dimension)): Float64Array {
      for (let j = 0; j < dimension; j++) {
        const b = bases[j] as number;
        let n = index;
        let scale = 1 / b;
        let x = 0;
        if (permutations) {
          const table = permutations[j] as Uint16Array;
          for (let k = 0; k < (digits[j] as number); k++) {
            const d = n % b;
            n = (n - d) / b;
            x += (table[k * b + d] as number) * scale;
            scale /= b;
          }
        } else {
          while (n > 0) {
            const d = n % b;
            n = (n - d) / b;
            x += d * scale;
            scale /= b;
          }
        }
        out[j] = x < 1 ? x : 1 - Number.EPSILON / 2; // a full permuted expansion can round up to 1
      }
      index++;
      return out;
    },
  };
}
