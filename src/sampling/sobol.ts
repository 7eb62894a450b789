/**
 * The Sobol low-discrepancy sequence (I. M. Sobol', "On the distribution of points in a cube and
 * the approximate evaluation of integrals", USSR Comput. Math. Math. Phys. 7(4), 1967) with the
 * direction numbers of Joe and Kuo (2008; `sobol-directions.ts`, 1024 dimensions — NLSQ's
 * Python sampler stops at 21), generated in Gray-code order (Antonov and Saleev, 1979) as
 * Bratley and Fox's Algorithm 659 and SciPy's `scipy.stats.qmc.Sobol` do.
 *
 * ## The construction
 * Coordinate j of point n is X_n / 2^32 with X_0 = 0 and X_{n+1} = X_n ⊕ V_j[c(n)], c(n) the
 * index of the lowest zero bit of n. For j = 0, V[k] = 2^(31−k) (the van der Corput sequence).
 * For j ≥ 1, with the primitive polynomial x^s + a_1 x^(s−1) + … + a_(s−1) x + 1 and the initial
 * numbers m_1…m_s: V[k] = m_(k+1) · 2^(31−k) for k < s, and for k ≥ s
 * V[k] = V[k−s] ⊕ (V[k−s] ≫ s) ⊕ a_1 V[k−1] ⊕ … ⊕ a_(s−1) V[k−s+1].
 * The first 2^m points of every coordinate are then a permutation of {i/2^m}; any two
 * coordinates form a (t, m, 2)-net — the property `test/sampling/sobol.test.ts` checks beside the
 * points SciPy gives.
 *
 * ## Scrambling (`scramble: true`, seeded)
 * Matoušek's linear matrix scramble plus a digital shift ("On the L2-discrepancy for anchored
 * boxes", J. Complexity 14, 1998; Owen, "Scrambling Sobol' and Niederreiter–Xing points", ibid.),
 * as SciPy's default: each coordinate's direction numbers are multiplied (over GF(2)) by a random
 * lower-triangular binary matrix with a unit diagonal, and every output is XORed with a random
 * 32-bit word. The net property survives; the first point is no longer the origin (a corner of
 * the bounds is a poor start for a fit).
 *
 * @module
 */
import { NlsqRangeError } from '../errors.ts';
import { createRandom } from './random.ts';
import { JOE_KUO_DIRECTIONS, SOBOL_MAX_DIMENSION } from './sobol-directions.ts';
import type { Sampler, SamplerOptions } from './sampler.ts';

const BITS = 32;
const SCALE = 2 ** -32;
/** The most points one Sobol stream gives (the 32-bit Gray-code counter). */
export const SOBOL_MAX_POINTS = 2 ** 32;

let parsedRows: number[][] | null = null;

/** The vendored rows `s a m_1 … m_s`, parsed once. */
function directionRows(): number[][] {
  parsedRows ??= JOE_KUO_DIRECTIONS.split('\n').map((line) => line.split(' ').map(Number));
  return parsedRows;
}

/** The 32 direction numbers of coordinate `j` (0-based). */
export function sobolDirections(j: number): Uint32Array {
  const v = new Uint32Array(BITS);
  if (j === 0) {
    for (let k = 0; k < BITS; k++) v[k] = 2 ** (BITS - 1 - k);
    return v;
  }
  const row = directionRows()[j - 1] as number[];
  const s = row[0] as number;
  const a = row[1] as number;
  for (let k = 0; k < s && k < BITS; k++) v[k] = ((row[2 + k] as number) * 2 ** (BITS - 1 - k)) >>> 0;
  for (let k = s; k < BITS; k++) {
    let x = ((v[k - s] as number) ^ ((v[k - s] as number) >>> s)) >>> 0;
    for (let i = 1; i < s; i++) if ((a >>> (s - 1 - i)) & 1) x = (x ^ (v[k - i] as number)) >>> 0;
    v[k] = x;
  }
  return v;
}

/** Multiply each direction number (as 32 binary digits, the top bit first) by a random unit lower-triangular matrix. */
function scrambleDirections(v: Uint32Array, rows: Uint32Array): void {
  for (let k = 0; k < BITS; k++) {
    const x = v[k] as number;
    let y = 0;
    for (let i = 0; i < BITS; i++) {
      // digit i of the result (bit 31 − i) is the parity of row i ∧ x
      let t = ((rows[i] as number) & x) >>> 0;
      t ^= t >>> 16;
      t ^= t >>> 8;
      t ^= t >>> 4;
      t ^= t >>> 2;
      t ^= t >>> 1;
      if (t & 1) y |= 1 << (BITS - 1 - i);
    }
    v[k] = y >>> 0;
  }
}

/**
 * A Sobol sampler on [0, 1)^d.
 *
 * @param dimension - d, 1 ≤ d ≤ {@link SOBOL_MAX_DIMENSION}.
 * @param options - `scramble` (default false here; the global search scrambles) and its `seed`.
 * @throws {NlsqRangeError} d outside [1, 1024].
 * @example
 * ```ts
 * const s = createSobol(2);
 * s.next(); // [0, 0]
 * s.next(); // [0.5, 0.5]
 * ```
 */
export function createSobol(dimension: number, options: SamplerOptions = {}): Sampler {
  if (!Number.isInteger(dimension) || dimension < 1 || dimension > SOBOL_MAX_DIMENSION) {
    throw new NlsqRangeError(
      `sobol: dimension must be an integer in [1, ${SOBOL_MAX_DIMENSION}] (the vendored Joe–Kuo table), got ${String(dimension)}; use 'halton' or 'lhs' beyond it`,
      'dimension',
    );
  }
  const directions = Array.from({ length: dimension }, (_, j) => sobolDirections(j));
  const shift = new Uint32Array(dimension);
  if (options.scramble) {
    const rng = createRandom(options.seed ?? 0, 'sobol');
    const rows = new Uint32Array(BITS);
    for (let j = 0; j < dimension; j++) {
      for (let i = 0; i < BITS; i++) {
        // row i: random digits left of the diagonal, 1 on it, 0 right of it (bit 31 − c is column c)
        const left = i === 0 ? 0 : (rng.nextUint32() >>> (BITS - i)) << (BITS - i);
        rows[i] = (left | (1 << (BITS - 1 - i))) >>> 0;
      }
      scrambleDirections(directions[j] as Uint32Array, rows);
      shift[j] = rng.nextUint32();
    }
  }
  const x = Uint32Array.from(shift);
  let index = 0;
  return {
    kind: 'sobol',
    dimension,
    next(out = new Float64Array(dimension)): Float64Array {
      if (index >= SOBOL_MAX_POINTS) throw new NlsqRangeError(`sobol: the stream has given its 2^32 points`, 'count');
      for (let j = 0; j < dimension; j++) out[j] = (x[j] as number) * SCALE;
      // advance: flip direction number c, the lowest zero bit of the current index
      let c = 0;
      for (let n = index; n & 1; n >>>= 1) c++;
      if (c < BITS) for (let j = 0; j < dimension; j++) x[j] = ((x[j] as number) ^ ((directions[j] as Uint32Array)[c] as number)) >>> 0;
      index++;
      return out;
    },
  };
}
