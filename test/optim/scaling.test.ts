import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  clOptimality,
  clScalingVector,
  computeJacScale,
  fixedScale,
  hatScalingVector,
  initialScale,
  updateScale,
} from '../../src/optim/scaling.ts';
import { boxAndPoint } from './box-arbitrary.ts';

const F = (a: number[]) => Float64Array.from(a);

/** An m×p Jacobian (rows) with entries on a 0.01 grid, some of its columns zero. */
const jacobian = fc.integer({ min: 1, max: 4 }).chain((p) =>
  fc
    .tuple(
      fc.array(fc.array(fc.integer({ min: -1000, max: 1000 }).map((k) => k / 100), { minLength: p, maxLength: p }), { minLength: 1, maxLength: 6 }),
      fc.array(fc.boolean(), { minLength: p, maxLength: p }),
    )
    .map(([rows, zero]) => ({ p, rows: rows.map((r) => r.map((v, j) => (zero[j] ? 0 : v))) })),
);

/** Column norms of a dense J, written out independently of the solver's R. */
function columnNorms(rows: number[][], p: number): Float64Array {
  return Float64Array.from({ length: p }, (_, j) => Math.hypot(...rows.map((r) => r[j]!)));
}

describe('fixedScale', () => {
  it('copies x_scale and inverts it', () => {
    const xScale = F([2, 0.5, 1e-3]);
    const s = fixedScale(xScale);
    xScale[0] = 7;
    expect(Array.from(s.scale)).toEqual([2, 0.5, 1e-3]);
    expect(Array.from(s.scaleInv)).toEqual([0.5, 2, 1000]);
  });
});

describe('computeJacScale', () => {
  it('replaces zero norms by 1 first, then keeps the running maximum (SciPy values)', () => {
    const first = computeJacScale(F([0, 5]));
    expect(Array.from(first.scale)).toEqual([1, 0.2]);
    expect(Array.from(first.scaleInv)).toEqual([1, 5]);
    const next = computeJacScale(F([1, 1]), F([2, 0.5]));
    expect(Array.from(next.scale)).toEqual([0.5, 1]);
    expect(Array.from(next.scaleInv)).toEqual([2, 1]);
  });

  test.prop([jacobian, fc.array(fc.double({ min: 1e-3, max: 1e3, noNaN: true }), { minLength: 4, maxLength: 4 })])(
    'is positive, gives the nonzero columns of J·diag(scale) unit norm, and does not depend on the units of the parameters',
    ({ p, rows }, units) => {
      const { scale, scaleInv } = computeJacScale(columnNorms(rows, p));
      // The same problem with parameter j measured in units c_j: J′ = J·diag(c).
      const rescaled = rows.map((r) => r.map((v, j) => v * units[j]!));
      const other = computeJacScale(columnNorms(rescaled, p));
      for (let j = 0; j < p; j++) {
        expect(scale[j]!).toBeGreaterThan(0);
        expect(scale[j]).toBe(1 / scaleInv[j]!);
        const column = rows.map((r) => r[j]! * scale[j]!);
        const norm = Math.hypot(...column);
        if (rows.some((r) => r[j] !== 0)) expect(norm).toBeCloseTo(1, 12);
        else expect(scale[j]).toBe(1);
        if (norm === 0) continue;
        for (let i = 0; i < rows.length; i++) {
          expect(rescaled[i]![j]! * other.scale[j]!).toBeCloseTo(column[i]!, 12);
        }
      }
    },
  );

  test.prop([
    fc.array(fc.tuple(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.double({ min: 1e-6, max: 1e6, noNaN: true })), { minLength: 1, maxLength: 5 }),
  ])('afterwards never lets a scale grow back: scaleInv is the running maximum', (pairs) => {
    const norms = F(pairs.map(([c]) => c));
    const old = F(pairs.map(([, o]) => o));
    const { scaleInv } = computeJacScale(norms, old);
    for (let j = 0; j < pairs.length; j++) {
      expect(scaleInv[j]!).toBeGreaterThanOrEqual(old[j]!);
      expect(scaleInv[j]!).toBeGreaterThanOrEqual(norms[j]!);
      expect([old[j], norms[j]]).toContain(scaleInv[j]);
    }
  });
});

describe('initialScale and updateScale', () => {
  it("follow the Jacobian for 'jac' and keep a fixed x_scale", () => {
    const jac0 = initialScale('jac', F([0, 4]));
    expect(Array.from(jac0.scaleInv)).toEqual([1, 4]);
    expect(Array.from(updateScale('jac', jac0, F([3, 2])).scaleInv)).toEqual([3, 4]);
    const fixed = initialScale(F([2, 8]), F([0, 4]));
    expect(Array.from(fixed.scale)).toEqual([2, 8]);
    expect(updateScale(F([2, 8]), fixed, F([100, 100]))).toBe(fixed);
  });
});

describe('clScalingVector', () => {
  it('matches SciPy', () => {
    const { v, dv } = clScalingVector(F([0.5, 0.5, 0.5, 0.5]), F([1, -1, 1, 0]), F([0, 0, -Infinity, 0]), F([1, 1, 1, 1]));
    expect(Array.from(v)).toEqual([0.5, 0.5, 1, 1]);
    expect(Array.from(dv)).toEqual([1, -1, 0, 0]);
  });

  test.prop([boxAndPoint])(
    'v is the distance to the bound the anti-gradient points at (1 if none), dv its derivative, v ≥ 0',
    ({ lb, ub, x, s: g }) => {
      const { v, dv } = clScalingVector(x, g, lb, ub);
      for (let i = 0; i < x.length; i++) {
        expect(v[i]).toBeGreaterThanOrEqual(0);
        if (dv[i] === 1) expect(v[i]).toBe(x[i]! - lb[i]!);
        else if (dv[i] === -1) expect(v[i]).toBe(ub[i]! - x[i]!);
        else {
          expect(v[i]).toBe(1);
          expect((g[i]! > 0 && Number.isFinite(lb[i]!)) || (g[i]! < 0 && Number.isFinite(ub[i]!))).toBe(false);
        }
        // The scaled optimality v·g vanishes at a bound the gradient pushes against.
        if (dv[i] !== 0) expect(Math.sign(dv[i]!)).toBe(Math.sign(g[i]!));
      }
    },
  );
});

describe('hatScalingVector', () => {
  it('rescales the distances to a bound by scaleInv and leaves the 1s (SciPy trf_bounds)', () => {
    const { v, dv } = hatScalingVector(F([0.5, 0.5, 0.5]), F([1, -1, 0]), F([0, 0, 0]), F([1, 1, 1]), F([4, 10, 3]));
    expect(Array.from(v)).toEqual([2, 5, 1]);
    expect(Array.from(dv)).toEqual([1, -1, 0]);
  });

  test.prop([boxAndPoint, fc.array(fc.double({ min: 1e-3, max: 1e3, noNaN: true }), { minLength: 6, maxLength: 6 })])(
    'is positive strictly inside the box, and is v·scaleInv exactly where v is a distance',
    ({ lb, ub, x, s: g }, scaleInvArr) => {
      const scaleInv = F(scaleInvArr.slice(0, x.length));
      const hat = hatScalingVector(x, g, lb, ub, scaleInv);
      const plain = clScalingVector(x, g, lb, ub);
      for (let i = 0; i < x.length; i++) {
        expect(hat.v[i]!).toBeGreaterThan(0);
        expect(hat.v[i]).toBe(plain.dv[i] === 0 ? 1 : plain.v[i]! * scaleInv[i]!);
      }
    },
  );
});

describe('clOptimality', () => {
  it('is ‖g∘v‖∞, and a gradient pushing against an active bound does not count', () => {
    // v = [x − lb, ub − x, 1] = [0.25, 0.5, 1].
    expect(clOptimality(F([0.25, 0.5, 7]), F([2, -3, 0.5]), F([0, 0, -Infinity]), F([1, 1, Infinity]))).toBe(1.5);
    expect(clOptimality(F([0, 2]), F([5, 0]), F([0, -Infinity]), F([1, Infinity]))).toBe(0);
    expect(clOptimality(F([0, 2]), F([-5, 0]), F([0, -Infinity]), F([1, Infinity]))).toBe(5);
  });

  test.prop([boxAndPoint])('moving each component to the bound its gradient pushes against leaves only the unconstrained ones', ({ lb, ub, x, s: g }) => {
    const pushes = (i: number) => (g[i]! > 0 && Number.isFinite(lb[i]!)) || (g[i]! < 0 && Number.isFinite(ub[i]!));
    const atBound = Float64Array.from(x, (xi, i) => (!pushes(i) ? xi : g[i]! > 0 ? lb[i]! : ub[i]!));
    let expected = 0;
    for (let i = 0; i < x.length; i++) if (!pushes(i)) expected = Math.max(expected, Math.abs(g[i]!));
    expect(clOptimality(atBound, g, lb, ub)).toBe(expected);
    expect(clOptimality(x, g, lb, ub)).toBeGreaterThanOrEqual(expected);
  });
});
