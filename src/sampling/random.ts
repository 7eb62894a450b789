/**
 * A seeded pseudo-random generator: xoshiro128** (D. Blackman and S. Vigna, "Scrambled linear
 * pseudorandom number generators", ACM Trans. Math. Softw. 47(4):36, 2021), seeded by
 * splitmix32 so that every 32-bit seed gives a well-mixed, never all-zero state.
 *
 * Why this generator: the global search, the bootstrap and the Latin hypercube must give the same
 * draws for the same seed in every runtime, on every backend and for every worker count, so they
 * cannot use `Math.random` (unseeded, engine-specific). xoshiro128** works on 32-bit words, which
 * JavaScript's `Math.imul` and `>>> 0` compute exactly; its period is 2^128 − 1 and it passes
 * BigCrush. Floats take 53 bits from two draws (hi = the top 27 bits of one, lo = the top 26 of
 * the next: `(hi·2^26 + lo) / 2^53`), so every double of the
 * form k·2^-53 in [0, 1) can come out.
 *
 * Reference vector: from the state {1, 2, 3, 4} the reference C code (`xoshiro128starstar.c`
 * v1.1) gives 11520, 0, 5927040, 70819200, 2031721883, … (also the test vector of Rust's
 * `rand_xoshiro`); `test/sampling/random.test.ts` checks it.
 *
 * @module
 */
import { NlsqRangeError } from '../errors.ts';

/** A seeded stream of pseudo-random numbers. */
export interface Random {
  /** The next 32-bit unsigned integer. */
  nextUint32(): number;
  /** The next double, uniform on [0, 1), with 53 random bits. */
  next(): number;
  /** The next standard normal deviate (Marsaglia's polar method). */
  normal(): number;
  /** A uniform integer in [0, n) without modulo bias (rejection on the top of the 32-bit range). */
  below(n: number): number;
  /** An independent copy that continues from the same state. */
  clone(): Random;
}

const rotl = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;

/** The xoshiro128** generator over an explicit 4-word state (not all zero). */
class Xoshiro128 implements Random {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare = Number.NaN;

  constructor(state: readonly [number, number, number, number]) {
    [this.s0, this.s1, this.s2, this.s3] = state.map((w) => w >>> 0) as [number, number, number, number];
  }

  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  next(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const z = this.spare;
      this.spare = Number.NaN;
      return z;
    }
    for (;;) {
      const u = 2 * this.next() - 1;
      const v = 2 * this.next() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const f = Math.sqrt((-2 * Math.log(s)) / s);
        this.spare = v * f;
        return u * f;
      }
    }
  }

  below(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 2 ** 32) {
      throw new NlsqRangeError(`random: n must be an integer in [1, 2^32], got ${n}`, 'n');
    }
    const limit = 2 ** 32 - (2 ** 32 % n); // accept draws below the largest multiple of n
    for (;;) {
      const r = this.nextUint32();
      if (r < limit) return r % n;
    }
  }

  clone(): Random {
    const c = new Xoshiro128([this.s0, this.s1, this.s2, this.s3]);
    c.spare = this.spare;
    return c;
  }
}

/**
 * splitmix32 (the 32-bit variant of Steele, Lea and Flood's SplitMix, "Fast splittable
 * pseudorandom number generators", OOPSLA 2014), used only to expand a seed into a state.
 */
function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * A generator from a seed: a non-negative integer below 2^32 (the same seed gives the same
 * stream everywhere).
 *
 * @param seed - the seed.
 * @param caller - the public function name for error messages.
 * @throws {NlsqRangeError} `seed` is not an integer in [0, 2^32).
 * @example
 * ```ts
 * const rng = createRandom(1);
 * rng.next(); // the same double on every runtime
 * ```
 */
export function createRandom(seed: number, caller = 'random'): Random {
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) {
    throw new NlsqRangeError(`${caller}: seed must be an integer in [0, 2^32), got ${String(seed)}`, 'seed');
  }
  const mix = splitmix32(seed);
  const state: [number, number, number, number] = [mix(), mix(), mix(), mix()];
  return new Xoshiro128(state);
}

/**
 * A generator from an explicit xoshiro128** state (for the reference test vector and for
 * reproducing a stream recorded elsewhere).
 *
 * @param state - four 32-bit words, not all zero.
 * @throws {NlsqRangeError} the state is all zero or has a word outside [0, 2^32).
 */
export function randomFromState(state: readonly [number, number, number, number]): Random {
  if (state.some((w) => !Number.isInteger(w) || w < 0 || w >= 2 ** 32) || state.every((w) => w === 0)) {
    throw new NlsqRangeError(`random: state must be four integers in [0, 2^32), not all zero, got [${state.join(', ')}]`, 'state');
  }
  return new Xoshiro128(state);
}
