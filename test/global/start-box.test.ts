/** The sampling box (`global/start-box.ts`) and the clustering of minima (`global/distinct-minima.ts`). */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { distinctMinima, sameMinimum } from '../../src/global/distinct-minima.ts';
import { fromUnit, startBox, toUnit } from '../../src/global/start-box.ts';

describe('startBox', () => {
  it('follows the documented rules, in words', () => {
    const box = startBox([5, 2, 0, 3, -4, 1], [0, 1e-3, 0, 0, -Infinity, -Infinity], [10, 10, Infinity, Infinity, Infinity, 2]);
    expect(box[0]).toMatchObject({ lo: 0, hi: 10, log: false });
    expect(box[0]!.how).toContain('finite bounds');
    expect(box[1]).toMatchObject({ lo: 1e-3, hi: 10, log: true });
    expect(box[2]).toMatchObject({ lo: 1e-3, hi: 1e3, log: true });
    expect(box[2]!.how).toContain('p0 = 0, so 1');
    expect(box[3]!.lo).toBeCloseTo(3e-3, 15);
    expect(box[3]!.hi).toBeCloseTo(3e3, 9);
    expect(box[3]!.log).toBe(true);
    expect(box[4]).toMatchObject({ lo: -44, hi: 36, log: false });
    expect(box[4]!.how).toContain('no bounds');
    expect(box[5]).toMatchObject({ lo: -9, hi: 2, log: false });
  });

  it('a half-line with a positive lower bound is clipped to it; a p0 whose 10⁻³ underflows is drawn uniformly from 0', () => {
    expect(startBox([1], [0.01], [Infinity])[0]).toMatchObject({ lo: 0.01, hi: 1000, log: true });
    expect(startBox([5e-324], [0], [Infinity])[0]).toMatchObject({ lo: 0, log: false });
  });

  test.prop([fc.array(fc.record({ x0: fc.double({ min: -1e3, max: 1e3, noNaN: true }), w: fc.double({ min: 0, max: 1, noNaN: true }), kind: fc.integer({ min: 0, max: 3 }) }), { minLength: 1, maxLength: 6 })])(
    'fromUnit lands in [lo, hi] ∩ bounds and toUnit inverts it',
    (coords) => {
      // A subnormal p0 gives a box of subnormal width where w·(hi − lo) underflows and cannot be
      // inverted; the example above covers that case, so such p0 are taken as 0 here.
      const x0 = coords.map((c) => (Math.abs(c.x0) < 1e-300 ? 0 : c.kind === 2 ? Math.abs(c.x0) : c.x0));
      const lb = coords.map((c, i) => (c.kind === 0 ? x0[i]! - 5 : c.kind === 2 ? 0 : -Infinity));
      const ub = coords.map((c, i) => (c.kind === 0 ? x0[i]! + 5 : c.kind === 3 ? x0[i]! + 1 : Infinity));
      const box = startBox(x0, lb, ub);
      const u = coords.map((c) => c.w);
      const x = fromUnit(box, u);
      for (let i = 0; i < x.length; i++) {
        expect(x[i]).toBeGreaterThanOrEqual(Math.max(box[i]!.lo, lb[i]!));
        expect(x[i]).toBeLessThanOrEqual(Math.min(box[i]!.hi, ub[i]!));
      }
      expect(Array.from(toUnit(box, x))).toBeAllclose(u, { atol: 1e-9 });
    },
  );
});

describe('distinctMinima', () => {
  it('clusters by 1e-6 relative cost and 1e-3 relative parameters, best first, counting starts', () => {
    const m = distinctMinima([
      { start: 0, cost: 2, x: [1, 1] },
      { start: 1, cost: 1, x: [5, 5] },
      { start: 2, cost: 1 * (1 + 5e-7), x: [5 * (1 + 5e-4), 5] },
      { start: 3, cost: 1, x: [-5, 5] },
      { start: 4, cost: Number.NaN, x: [0, 0] },
      { start: 5, cost: 2 * (1 + 2e-6), x: [1, 1] },
    ]);
    expect(m.map((c) => [c.cost, c.count, c.firstStart])).toEqual([[1, 2, 1], [1, 1, 3], [2, 1, 0], [2 * (1 + 2e-6), 1, 5]]);
    expect(m[0]!.x).toEqual([5, 5]);
  });

  test.prop([fc.double({ min: 1e-3, max: 1e3, noNaN: true }), fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 5 })])(
    'sameMinimum is reflexive and symmetric; a move of 1 % (of max(|x|, 1)) in one parameter is another minimum',
    (cost, x) => {
      const a = { cost, x };
      expect(sameMinimum(a, a)).toBe(true);
      const b = { cost, x: x.map((v, i) => (i === 0 ? v + 0.01 * Math.max(Math.abs(v), 1) : v)) };
      expect(sameMinimum(a, b)).toBe(false);
      expect(sameMinimum(b, a)).toBe(false);
    },
  );
});
