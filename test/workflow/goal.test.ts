import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { NlsqRangeError } from '../../src/errors.ts';
import { goalTolerances, SIZE_TIERS, sizeTierIndex } from '../../src/workflow/goal.ts';
import type { Goal } from '../../src/workflow/goal.ts';

describe('goalTolerances', () => {
  it('follows NLSQ’s examples for 5M points: 1e-7, quality 1e-8, fast 1e-6', () => {
    expect(goalTolerances(5_000_000)).toMatchObject({ ftol: 1e-7, xtol: 1e-7, gtol: 1e-7, sizeTier: 'very_large', goal: 'robust' });
    expect(goalTolerances(5_000_000, 'quality')).toMatchObject({ gtol: 1e-8, usedTier: 'large' });
    expect(goalTolerances(5_000_000, 'fast')).toMatchObject({ gtol: 1e-6, usedTier: 'huge' });
  });

  it.each([
    [1, 1e-12, 'tiny'],
    [999, 1e-12, 'tiny'],
    [1_000, 1e-10, 'small'],
    [9_999, 1e-10, 'small'],
    [10_000, 1e-9, 'medium'],
    [100_000, 1e-8, 'large'],
    [1_000_000, 1e-7, 'very_large'],
    [10_000_000, 1e-6, 'huge'],
    [99_999_999, 1e-6, 'huge'],
    [100_000_000, 1e-5, 'massive'],
    [5_000_000_000, 1e-5, 'massive'],
  ])('puts %i points in tier with tolerance %d (%s), upper bounds exclusive', (n, tol, tier) => {
    expect(goalTolerances(n)).toMatchObject({ gtol: tol, sizeTier: tier, usedTier: tier });
  });

  it('stops shifting at the ends of the table', () => {
    expect(goalTolerances(10, 'quality').gtol).toBe(1e-12);
    expect(goalTolerances(1e9, 'fast').gtol).toBe(1e-5);
  });

  it('rejects an unknown goal and a non-positive or fractional size', () => {
    expect(() => goalTolerances(100, 'thorough' as Goal)).toThrow(/^goalTolerances: goal must be one of 'fast', 'robust', 'quality', 'global', got "thorough"$/);
    // 'global' takes the robust tier's tolerances (fit() adds the search).
    expect(goalTolerances(5_000_000, 'global').gtol).toBe(goalTolerances(5_000_000, 'robust').gtol);
    expect(() => goalTolerances(0)).toThrow(NlsqRangeError);
    expect(() => goalTolerances(1.5)).toThrow(/nPoints must be a positive integer, got 1.5/);
    expect(() => sizeTierIndex(-1)).toThrow(NlsqRangeError);
  });

  test.prop([fc.integer({ min: 1, max: 1e10 }), fc.integer({ min: 1, max: 1e10 })])(
    'never tightens with more points, and orders quality ≤ robust ≤ fast',
    (a, b) => {
      const [lo, hi] = a <= b ? [a, b] : [b, a];
      for (const goal of ['fast', 'robust', 'quality'] as const) {
        expect(goalTolerances(hi, goal).gtol).toBeGreaterThanOrEqual(goalTolerances(lo, goal).gtol);
      }
      expect(goalTolerances(lo, 'quality').gtol).toBeLessThanOrEqual(goalTolerances(lo, 'robust').gtol);
      expect(goalTolerances(lo, 'robust').gtol).toBeLessThanOrEqual(goalTolerances(lo, 'fast').gtol);
      expect(SIZE_TIERS.map((t) => t.tolerance)).toContain(goalTolerances(lo).gtol);
    },
  );
});
