import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { scaledNorm } from '../../src/linalg/scaled-norm.ts';
import { enorm, norm2 } from '../../src/linalg/small-linalg.ts';

/** Entries 0 or of magnitude in [1e-100, 1e6]: squares and ratios stay in the normal range. */
const entry = fc.oneof(fc.constant(0), fc.double({ min: 1e-100, max: 1e6, noNaN: true }), fc.double({ min: -1e6, max: -1e-100, noNaN: true }));
const moderate = fc.array(entry, { minLength: 1, maxLength: 40 });

describe('scaledNorm', () => {
  test.prop([moderate], { numRuns: 200 })('equals the plain √Σaᵢ² and MINPACK’s enorm where squares are safe', (a) => {
    const v = scaledNorm(a, 0, a.length);
    const ref = norm2(a);
    expect(Math.abs(v - ref)).toBeLessThanOrEqual(4e-16 * a.length * ref);
    expect(Math.abs(v - enorm(a))).toBeLessThanOrEqual(4e-16 * a.length * ref);
  });

  test.prop([moderate, fc.integer({ min: -1000, max: 1000 })], { numRuns: 200 })(
    'is exactly homogeneous under powers of two, down to 1e-300 and up to 1e300 (where √Σaᵢ² gives 0 or ∞)',
    (a, k) => {
      const s = 2 ** k;
      const scaled = a.map((v) => v * s);
      fc.pre(scaled.every((v) => v === 0 || (Math.abs(v) >= 2 ** -1022 && Number.isFinite(v))));
      fc.pre(a.every((v, i) => scaled[i]! / s === v));
      expect(scaledNorm(scaled, 0, a.length)).toBe(scaledNorm(a, 0, a.length) * s);
    },
  );

  it('reads a strided column of row-major storage', () => {
    // 3 × 4 row-major; column 2 is [3e-300, 4e-300, 12e-300]
    const A = new Float64Array([1, 2, 3e-300, 9, 5, 6, 4e-300, 9, 7, 8, 12e-300, 9]);
    expect(scaledNorm(A, 2, 3, 4)).toBeCloseTo(13e-300, 313);
    expect(Math.abs(scaledNorm(A, 2, 3, 4) / 13e-300 - 1)).toBeLessThan(1e-15);
    expect(norm2([3e-300, 4e-300, 12e-300])).toBe(0);
    expect(scaledNorm([3e200, 4e200], 0, 2)).toBeCloseTo(5e200, -186);
    expect(norm2([3e200, 4e200])).toBe(Infinity);
  });

  it('returns 0 for nothing or zeros, NaN for a NaN entry, ∞ for an infinite one', () => {
    expect(scaledNorm([], 0, 0)).toBe(0);
    expect(scaledNorm([0, -0, 0], 0, 3)).toBe(0);
    expect(scaledNorm([1, NaN, 2], 0, 3)).toBeNaN();
    expect(scaledNorm([NaN, 1], 0, 2)).toBeNaN();
    expect(scaledNorm([1, -Infinity, 2], 0, 3)).toBe(Infinity);
  });
});
