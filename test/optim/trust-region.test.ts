import { fc, test } from '@fast-check/vitest';
import { Matrix, solve } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { householderFold } from '../../src/backends/cpu/fold.ts';
import { thinSvd } from '../../src/linalg/small-linalg.ts';
import {
  buildQuadratic1d,
  type DenseMatrix,
  evaluateQuadratic,
  intersectTrustRegion,
  minimizeQuadratic1d,
  phiAndDerivative,
  solveLsqTrustRegion,
  updateTrRadius,
} from '../../src/optim/trust-region.ts';

// A 5×3 Jacobian and residual vector; SciPy values printed by common.py on the same numbers.
const J = [
  [1, 2, 0.5],
  [0.3, -1, 2],
  [4, 0.1, 1],
  [0.2, 0.2, 0.2],
  [1, -3, 0],
];
const f = [1, -2, 0.5, 3, -1];
const Jmat: DenseMatrix = { rows: 5, cols: 3, data: Float64Array.from(J.flat()) };
const g = Float64Array.from([2.0, 7.65, -2.4]);

/** R and z = Qᵀf of [J f], from the CPU fold. */
function fold(): { R: DenseMatrix; z: Float64Array } {
  const A = new Float64Array(5 * 4);
  for (let i = 0; i < 5; i++) {
    for (let j = 0; j < 3; j++) A[i * 4 + j] = J[i]![j]!;
    A[i * 4 + 3] = f[i]!;
  }
  const T = new Float64Array(16);
  householderFold(T, A, 0, 5, 4, new Float64Array(4));
  const R = new Float64Array(9);
  for (let i = 0; i < 3; i++) for (let j = i; j < 3; j++) R[i * 3 + j] = T[i * 4 + j]!;
  return { R: { rows: 3, cols: 3, data: R }, z: Float64Array.from([T[3]!, T[7]!, T[11]!]) };
}

function svdStep(Delta: number, alpha0: number | null = null) {
  const { R, z } = fold();
  const { s, U, V } = thinSvd(R.data, 3, 3);
  const uf = new Float64Array(3);
  for (let k = 0; k < 3; k++) for (let i = 0; i < 3; i++) uf[k] = uf[k]! + U[i * 3 + k]! * z[i]!;
  return { ...solveLsqTrustRegion(3, 5, uf, s, V, Delta, alpha0), s, uf, V };
}

describe('solveLsqTrustRegion', () => {
  it('returns the Gauss–Newton step when it fits, from the SVD of R alone', () => {
    const { p, alpha, nIter } = svdStep(1.0);
    expect(alpha).toBe(0);
    expect(nIter).toBe(0);
    const ref = [-0.3307530475960778, -0.5224871834186076, 0.6901194115130127];
    for (let j = 0; j < 3; j++) expect(p[j]).toBeCloseTo(ref[j]!, 13);
  });

  it('matches SciPy on the boundary (Δ = 0.1): step, α and iteration count', () => {
    const { p, alpha, nIter } = svdStep(0.1, null);
    const ref = [-0.025506080049624163, -0.0910271532638404, 0.03261130554245687];
    for (let j = 0; j < 3; j++) expect(p[j]).toBeCloseTo(ref[j]!, 12);
    expect(Math.abs(alpha / 69.92372906873729 - 1)).toBeLessThan(1e-10);
    expect(nIter).toBe(3);
  });

  test.prop([fc.double({ min: 1e-3, max: 0.6, noNaN: true })], { numRuns: 40 })(
    'never exceeds Δ, and on the boundary solves (JᵀJ + αI)p = −Jᵀf (the secular equation)',
    (Delta) => {
      const { p, alpha } = svdStep(Delta, null);
      const norm = Math.hypot(...p);
      expect(norm).toBeLessThanOrEqual(Delta * (1 + 1e-12));
      if (alpha > 0) {
        expect(Math.abs(norm - Delta)).toBeLessThan(1e-12 * Delta);
        // p is the rescaled solution p(α) = −(JᵀJ + αI)⁻¹Jᵀf, and ‖p(α)‖ = Δ within SciPy's 1%.
        const A = new Matrix(J).transpose().mmul(new Matrix(J)).add(Matrix.eye(3).mul(alpha));
        const pa = solve(A, Matrix.columnVector(Array.from(g)).mul(-1)).getColumn(0);
        const c = Delta / Math.hypot(...pa);
        expect(Math.abs(c - 1)).toBeLessThan(0.02);
        for (let j = 0; j < 3; j++) expect(Math.abs(p[j]! - c * pa[j]!)).toBeLessThan(1e-9 * Delta);
      }
    },
  );

  it('handles a rank-deficient J (zero singular value, zero uf) without NaN', () => {
    const s = Float64Array.from([2, 0]);
    const uf = Float64Array.from([1, 0]);
    const V = Float64Array.from([1, 0, 0, 1]);
    const { p } = solveLsqTrustRegion(2, 5, uf, s, V, 0.1, null);
    expect(p.every((v) => Number.isFinite(v))).toBe(true);
    expect(Math.hypot(...p)).toBeCloseTo(0.1, 14);
  });
});

describe('phiAndDerivative', () => {
  test.prop([fc.double({ min: 0.01, max: 50, noNaN: true })], { numRuns: 30 })('φ′ is the derivative of φ', (alpha) => {
    const s = Float64Array.from([3, 1, 0.2]);
    const suf = Float64Array.from([0.5, -1, 2]);
    const h = 1e-6 * alpha;
    const fd = (phiAndDerivative(alpha + h, suf, s, 1).phi - phiAndDerivative(alpha - h, suf, s, 1).phi) / (2 * h);
    expect(phiAndDerivative(alpha, suf, s, 1).phiPrime).toBeCloseTo(fd, 5);
  });
});

describe('quadratic helpers', () => {
  it('buildQuadratic1d matches SciPy with diag and s0', () => {
    const q = buildQuadratic1d(Jmat, g, [1, 2, -1], [1, 2, 3], [0.1, 0.2, 0.3]);
    expect(q.a).toBeCloseTo(40.67, 12);
    expect(q.b).toBeCloseTo(25.886, 12);
    expect(q.c).toBeCloseTo(1.8851, 12);
  });

  it('buildQuadratic1d gives the same line model from R as from J', () => {
    const { R } = fold();
    const a = buildQuadratic1d(Jmat, g, [1, 2, -1], [1, 2, 3], [0.1, 0.2, 0.3]);
    const b = buildQuadratic1d(R, g, [1, 2, -1], [1, 2, 3], [0.1, 0.2, 0.3]);
    expect(b.a).toBeCloseTo(a.a, 11);
    expect(b.b).toBeCloseTo(a.b, 11);
    expect(b.c).toBeCloseTo(a.c, 11);
  });

  it('evaluateQuadratic matches SciPy', () => {
    expect(evaluateQuadratic(Jmat, g, [1, 2, -1], [1, 2, 3])).toBeCloseTo(60.37, 12);
  });

  it('minimizeQuadratic1d picks the interior extremum or the better end', () => {
    expect(minimizeQuadratic1d(2, -3, 0, 5, 1)).toEqual({ t: 0.75, y: -0.125 });
    expect(minimizeQuadratic1d(-1, 0, -1, 2)).toEqual({ t: 2, y: -4 });
  });

  test.prop([fc.double({ min: -10, max: 10, noNaN: true }), fc.double({ min: -10, max: 10, noNaN: true }), fc.double({ min: -5, max: 0, noNaN: true }), fc.double({ min: 0.1, max: 5, noNaN: true })])(
    'minimizeQuadratic1d is no worse than any grid point of the interval',
    (a, b, lo, width) => {
      const hi = lo + width;
      const { t, y } = minimizeQuadratic1d(a, b, lo, hi);
      expect(t).toBeGreaterThanOrEqual(lo);
      expect(t).toBeLessThanOrEqual(hi);
      for (let k = 0; k <= 20; k++) {
        const u = lo + (k / 20) * width;
        expect(y).toBeLessThanOrEqual(u * (a * u + b) + 1e-9 * (1 + Math.abs(y)));
      }
    },
  );
});

describe('intersectTrustRegion', () => {
  it('matches SciPy', () => {
    const [a, b] = intersectTrustRegion([0.1, 0.2], [1, -1], 1);
    expect(a).toBeCloseTo(-0.6410137480542626, 14);
    expect(b).toBeCloseTo(0.7410137480542627, 14);
  });

  test.prop([fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 }), fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 })])(
    'both roots land on the sphere',
    (x0, s) => {
      fc.pre(Math.hypot(...s) > 1e-3);
      const x = x0.map((v) => v / 2);
      const Delta = 1;
      for (const t of intersectTrustRegion(x, s, Delta)) {
        expect(Math.hypot(...x.map((v, i) => v + t * s[i]!))).toBeCloseTo(Delta, 9);
      }
    },
  );

  it('rejects a zero direction and a point outside', () => {
    expect(() => intersectTrustRegion([0, 0], [0, 0], 1)).toThrow(/nonzero direction/);
    expect(() => intersectTrustRegion([2, 0], [1, 0], 1)).toThrow(/within the trust region/);
  });
});

describe('updateTrRadius', () => {
  it('shrinks on a poor ratio, doubles on a good boundary step, keeps otherwise', () => {
    expect(updateTrRadius(1, 0.1, 1, 0.8, true)).toEqual({ Delta: 0.2, ratio: 0.1 });
    expect(updateTrRadius(1, 0.9, 1, 1, true)).toEqual({ Delta: 2, ratio: 0.9 });
    expect(updateTrRadius(1, 0.9, 1, 0.5, false)).toEqual({ Delta: 1, ratio: 0.9 });
    expect(updateTrRadius(1, 0, 0, 0.5, false)).toEqual({ Delta: 1, ratio: 1 });
    expect(updateTrRadius(1, 1, -1, 0.4, false)).toEqual({ Delta: 0.1, ratio: 0 });
  });
});
