import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { NlsqRangeError } from '../../src/errors.ts';
import { createRandom, randomFromState } from '../../src/sampling/random.ts';

describe('xoshiro128** (sampling/random.ts)', () => {
  it('gives the reference C code’s outputs from the state {1, 2, 3, 4} (Blackman–Vigna v1.1; rand_xoshiro’s test vector)', () => {
    const r = randomFromState([1, 2, 3, 4]);
    const got = Array.from({ length: 10 }, () => r.nextUint32());
    expect(got).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849, 3729100597, 4258142804]);
  });

  test.prop([fc.integer({ min: 0, max: 2 ** 32 - 1 })])('the same seed gives the same stream; a clone continues it', (seed) => {
    const a = createRandom(seed);
    const b = createRandom(seed);
    for (let i = 0; i < 5; i++) expect(a.next()).toBe(b.next());
    const c = a.clone();
    expect(c.nextUint32()).toBe(a.nextUint32());
  });

  it('draws uniforms on [0, 1) with the right mean and variance, normals with mean 0 and variance 1, unbiased integers', () => {
    const r = createRandom(7);
    const n = 200_000;
    let s = 0;
    let s2 = 0;
    let z1 = 0;
    let z2 = 0;
    const counts = new Array(6).fill(0);
    let inRange = true;
    for (let i = 0; i < n; i++) {
      const u = r.next();
      inRange &&= u >= 0 && u < 1;
      s += u;
      s2 += u * u;
      const z = r.normal();
      z1 += z;
      z2 += z * z;
      counts[r.below(6)]++;
    }
    expect(inRange).toBe(true);
    // 5-sigma bands: sd(mean of U) = sqrt(1/12/n), sd(mean of U²) ≈ sqrt(4/45/n), sd(mean of Z) = 1/sqrt(n), sd(mean Z²) = sqrt(2/n)
    expect(Math.abs(s / n - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(s2 / n - 1 / 3)).toBeLessThan(5 * Math.sqrt(4 / 45 / n));
    expect(Math.abs(z1 / n)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(z2 / n - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    const chi2 = counts.reduce((acc, c) => acc + (c - n / 6) ** 2 / (n / 6), 0);
    expect(chi2).toBeLessThan(20.5); // χ²(5) 0.999 quantile
  });

  it('rejects a seed outside [0, 2^32), an all-zero state and a bad range with the argument named', () => {
    for (const bad of [-1, 1.5, 2 ** 32, Number.NaN]) {
      expect(() => createRandom(bad, 'curveFit')).toThrow(NlsqRangeError);
      expect(() => createRandom(bad, 'curveFit')).toThrow(/^curveFit: seed must be an integer in \[0, 2\^32\), got/);
    }
    expect(() => randomFromState([0, 0, 0, 0])).toThrow(/not all zero/);
    expect(() => createRandom(1).below(0)).toThrow(NlsqRangeError);
  });
});
