import { fc, test } from '@fast-check/vitest';
import { Matrix, inverse, QrDecomposition, SingularValueDecomposition } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { estimateCovariance, extractR, pseudoInverseCovariance, triangularInverseCovariance } from '../../src/stats/covariance.ts';

/** The augmented triangle T of [J | r] via ml-matrix's QR (an independent factorization). */
function triangleOf(J: number[][], r: number[]): Float64Array {
  const A = new Matrix(J.map((row, i) => [...row, r[i]!]));
  const R = new QrDecomposition(A).upperTriangularMatrix;
  const c = J[0]!.length + 1;
  const T = new Float64Array(c * c);
  for (let i = 0; i < c; i++) for (let j = i; j < c; j++) T[i * c + j] = R.get(i, j);
  return T;
}

const jacobian = fc.array(fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 3, maxLength: 3 }), { minLength: 6, maxLength: 12 });

describe('covariance from the folded triangle', () => {
  test.prop([jacobian], { numRuns: 40 })('both recipes equal (JᵀJ)⁻¹ for a well-conditioned J', (J) => {
    const M = new Matrix(J);
    const JtJ = M.transpose().mmul(M);
    fc.pre(new SingularValueDecomposition(M).condition < 1e5);
    const expected = inverse(JtJ);
    const T = triangleOf(J, J.map(() => 1));
    const R = extractR(T, 3);
    const svd = pseudoInverseCovariance(R, 3, J.length);
    const tri = triangularInverseCovariance(R, 3)!;
    const scale = Math.max(...expected.to1DArray().map(Math.abs));
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        expect(Math.abs(svd[i * 3 + j]! - expected.get(i, j))).toBeLessThan(1e-7 * scale);
        expect(Math.abs(tri[i * 3 + j]! - expected.get(i, j))).toBeLessThan(1e-7 * scale);
      }
    }
  });

  test.prop([fc.integer({ min: 1, max: 9 }), fc.array(fc.double({ min: 0.1, max: 10, noNaN: true }), { minLength: 100, maxLength: 100 })], { numRuns: 40 })(
    'reads R inside T (row length p + 1) to the bit, whatever p came before (its R⁻¹ scratch keeps nothing)',
    (p, values) => {
      const c = p + 1;
      const T = new Float64Array(c * c);
      for (let i = 0; i < c; i++) for (let j = i; j < c; j++) T[i * c + j] = values[(i * c + j) % values.length]! * (i === j ? 1 : -0.3);
      triangularInverseCovariance(extractR(triangleOf([[1, 2], [3, 5], [4, 1]], [1, 1, 1]), 2), 2); // another p first
      const fromT = triangularInverseCovariance(T, p, c)!;
      const fromR = triangularInverseCovariance(extractR(T, p), p)!;
      expect([...fromT]).toEqual([...fromR]);
      expect([...estimateCovariance(T, p, 50, 3, false, 'triangular-inverse').pcov]).toEqual([...fromR].map((v) => v * (3 / (50 - p))));
    },
  );

  it('drops singular values below eps·max(m, p)·s₀ (SciPy pinv) for a rank-deficient J', () => {
    // Columns 0 and 1 identical: JᵀJ is singular; the pseudo-inverse is finite and symmetric.
    const J = [[1, 1, 0], [2, 2, 1], [3, 3, 0], [4, 4, 1]];
    const T = triangleOf(J, [1, 2, 3, 4]);
    const C = pseudoInverseCovariance(extractR(T, 3), 3, 4);
    expect(C.every(Number.isFinite)).toBe(true);
    const pinv = new Matrix(J).transpose().mmul(new Matrix(J));
    // C·(JᵀJ)·C = C (Moore–Penrose property)
    const Cm = new Matrix([[C[0]!, C[1]!, C[2]!], [C[3]!, C[4]!, C[5]!], [C[6]!, C[7]!, C[8]!]]);
    const CAC = Cm.mmul(pinv).mmul(Cm);
    for (let k = 0; k < 9; k++) expect(CAC.get(Math.floor(k / 3), k % 3)).toBeCloseTo(C[k]!, 10);
  });

  it('gives null (→ all +∞) for lm when R has an exactly zero diagonal', () => {
    const R = Float64Array.from([1, 2, 0, 0]);
    expect(triangularInverseCovariance(R, 2)).toBeNull();
    const T = Float64Array.from([1, 2, 3, 0, 0, 4, 0, 0, 5]);
    const est = estimateCovariance(T, 2, 10, 1, false, 'triangular-inverse');
    expect(est.indeterminate).toBe(true);
    expect([...est.pcov]).toEqual([Infinity, Infinity, Infinity, Infinity]);
  });

  it('scales by s² = 2·cost/(m − p) unless absoluteSigma, and is +∞ with a warning when m ≤ p', () => {
    const T = Float64Array.from([2, 0, 1, 0, 4, 1, 0, 0, 1]); // R = diag(2, 4)
    const unscaled = estimateCovariance(T, 2, 12, 5, true, 'svd');
    expect([...unscaled.pcov].map((v) => +v.toPrecision(12))).toEqual([0.25, 0, 0, 0.0625]);
    const scaled = estimateCovariance(T, 2, 12, 5, false, 'svd');
    expect(scaled.pcov[0]).toBeCloseTo(0.25 * (5 / 10), 14);
    const square = estimateCovariance(T, 2, 2, 5, false, 'svd');
    expect(square.indeterminate).toBe(true);
    expect(square.pcov[3]).toBe(Infinity);
    expect(estimateCovariance(T, 2, 2, 5, true, 'svd').indeterminate).toBe(false);
    expect(estimateCovariance(null, 2, 12, 5, false, 'svd').indeterminate).toBe(true);
  });
});
