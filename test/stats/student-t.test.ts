import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { normalQuantile, studentTQuantile, twoSidedTCritical } from '../../src/stats/student-t.ts';

// Reference values: scipy.stats.t.ppf / norm.ppf (SciPy 1.17).
const T_PPF: readonly [number, number, number][] = [
  [0.975, 1, 12.706204736174694],
  [0.975, 2, 4.302652729749462],
  [0.975, 10, 2.228138851986274],
  [0.975, 30, 2.0422724563012378],
  [0.975, 3.5, 2.9400886379827282],
  [0.995, 1, 63.656741162871526],
  [0.9999999, 1, 3183098.8635132452],
  [0.9999999, 3, 222.57159098625124],
  [0.6, 5, 0.2671808657041451],
  [0.51, 2, 0.028289929799333573],
  [0.975, 1000, 1.9623390808264083],
  [0.975, 1e5, 1.9599877075346095],
  [0.975, 1e7, 1.959964221767205],
  [0.999, 0.5, 102849.11563017538],
  [0.7, 0.2, 3.0721699761118324],
  [0.95, 250, 1.650971489812858],
];

describe('studentTQuantile', () => {
  it.each(T_PPF)('t_%s(%s) matches SciPy to 1e-9 relative', (p, dof, expected) => {
    expect(Math.abs(studentTQuantile(p, dof) - expected) / expected).toBeLessThan(1e-9);
  });

  it('gives the textbook two-sided 95% critical values', () => {
    expect(twoSidedTCritical(0.95, 1)).toBeCloseTo(12.706204736, 9);
    expect(twoSidedTCritical(0.95, 2)).toBeCloseTo(4.30265273, 9);
    expect(twoSidedTCritical(0.95, 10)).toBeCloseTo(2.228138852, 9);
    expect(twoSidedTCritical(0.95, 30)).toBeCloseTo(2.042272456, 9);
    expect(twoSidedTCritical(0.95, Infinity)).toBeCloseTo(1.959963985, 9);
  });

  it('is antisymmetric about p = 1/2 and infinite at 0 and 1', () => {
    expect(studentTQuantile(0.025, 7)).toBe(-studentTQuantile(0.975, 7));
    expect(studentTQuantile(0.5, 7)).toBe(0);
    expect(studentTQuantile(1, 7)).toBe(Infinity);
    expect(studentTQuantile(0, 7)).toBe(-Infinity);
  });

  it('rejects a probability outside [0, 1] and a non-positive dof', () => {
    expect(() => studentTQuantile(1.5, 3)).toThrow(/p must be in \[0, 1\], got 1.5/);
    expect(() => studentTQuantile(0.9, 0)).toThrow(/dof must be positive, got 0/);
    expect(() => twoSidedTCritical(1, 3)).toThrow(/level must be in \(0, 1\)/);
  });

  test.prop([fc.double({ min: 0.5, max: 0.999, noNaN: true }), fc.double({ min: 0.5, max: 0.999, noNaN: true }), fc.double({ min: 0.3, max: 5000, noNaN: true })], { numRuns: 60 })(
    'is increasing in the probability',
    (a, b, dof) => {
      fc.pre(Math.abs(a - b) > 1e-6);
      const [lo, hi] = a < b ? [a, b] : [b, a];
      expect(studentTQuantile(lo, dof)).toBeLessThan(studentTQuantile(hi, dof));
    },
  );

  test.prop([fc.double({ min: 0.55, max: 0.999, noNaN: true }), fc.double({ min: 0.3, max: 2000, noNaN: true }), fc.double({ min: 1.01, max: 10, noNaN: true })], { numRuns: 60 })(
    'decreases toward the normal quantile as dof grows',
    (p, dof, factor) => {
      const z = normalQuantile(p);
      const t1 = studentTQuantile(p, dof);
      const t2 = studentTQuantile(p, dof * factor);
      expect(t2).toBeLessThanOrEqual(t1 * (1 + 1e-12));
      expect(t2).toBeGreaterThanOrEqual(z * (1 - 1e-12));
    },
  );
});

describe('normalQuantile', () => {
  it('matches SciPy norm.ppf', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 14);
    expect(Math.abs(normalQuantile(1e-10) + 6.361340902404056) / 6.361340902404056).toBeLessThan(1e-13);
    expect(normalQuantile(0.3)).toBeCloseTo(-0.5244005127080409, 14);
  });
});
