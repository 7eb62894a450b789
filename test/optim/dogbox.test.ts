import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { doglegStep } from '../../src/optim/dogbox.ts';

const F = (a: number[]) => Float64Array.from(a);

describe('doglegStep', () => {
  it('returns the Newton step when it fits in the box', () => {
    const newton = F([0.1, -0.2]);
    const out = doglegStep(F([0, 0]), newton, F([1, 1]), 1, -2, F([1, 1]), F([-5, -5]), F([5, 5]));
    expect(out.step).toBe(newton);
    expect(out.trHit).toBe(false);
    expect(Array.from(out.boundHits)).toEqual([0, 0]);
  });

  it('flags the original bound it lands on', () => {
    // Newton step crosses the upper bound of x₀ (0.5 away) inside a large trust region.
    const out = doglegStep(F([0.5, 0]), F([2, 0]), F([-1, 0]), 0.5, -1, F([10, 10]), F([-5, -5]), F([1, 5]));
    expect(out.step[0]).toBeCloseTo(0.5, 14);
    expect(Array.from(out.boundHits)).toEqual([1, 0]);
    expect(out.trHit).toBe(false);
  });

  test.prop(
    [
      fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 3, maxLength: 3 }),
      fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 3, maxLength: 3 }),
      fc.double({ min: 0.05, max: 2, noNaN: true }),
    ],
    { numRuns: 60 },
  )('always stays in the intersection of the trust box and the bounds', (newtonArr, gArr, Delta) => {
    const x = F([0.2, -0.3, 0]);
    const lb = F([-1, -1, -Infinity]);
    const ub = F([1, 0.5, Infinity]);
    const g = F(gArr);
    // A gradient of subnormal size overflows the step to the box in SciPy too (NaN Cauchy point);
    // the solver stops on gtol long before that.
    fc.pre(g.some((v) => Math.abs(v) > 1e-6));
    const a = 0.5 * gArr.reduce((s, v) => s + v * v, 0) * 2;
    const b = -gArr.reduce((s, v) => s + v * v, 0);
    const tr = F([Delta, Delta, Delta]);
    const { step } = doglegStep(x, F(newtonArr), g, a, b, tr, lb, ub);
    for (let i = 0; i < 3; i++) {
      const tol = 1e-12;
      expect(step[i]!).toBeLessThanOrEqual(Math.min(ub[i]! - x[i]!, Delta) + tol);
      expect(step[i]!).toBeGreaterThanOrEqual(Math.max(lb[i]! - x[i]!, -Delta) - tol);
    }
  });
});
