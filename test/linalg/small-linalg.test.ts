import { fc, test } from '@fast-check/vitest';
import { Matrix, pseudoInverse } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import {
  applyQrfacTranspose,
  enorm,
  lstsqMinNorm,
  qrfacPivoted,
  thinSvd,
  upperTransposeMatVec,
} from '../../src/linalg/small-linalg.ts';

// Entries of subnormal or near-subnormal size are mapped to 0: MINPACK's qrfac divides by column
// norms, and a column of subnormals has only a few significant bits (MINPACK behaves the same).
const matrix = (rows: number, cols: number) =>
  fc
    .array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: rows * cols, maxLength: rows * cols })
    .map((a) => Float64Array.from(a, (v) => (Math.abs(v) < 1e-100 ? 0 : v)));

describe('thinSvd', () => {
  test.prop([matrix(5, 3)], { numRuns: 30 })('reconstructs A = U diag(s) Vᵀ with non-increasing s ≥ 0', (a) => {
    const { s, U, V } = thinSvd(a, 5, 3);
    for (let k = 1; k < 3; k++) expect(s[k]).toBeLessThanOrEqual(s[k - 1]!);
    const scale = Math.max(1, ...Array.from(a, Math.abs));
    for (let i = 0; i < 5; i++) {
      for (let j = 0; j < 3; j++) {
        let v = 0;
        for (let k = 0; k < 3; k++) v += U[i * 3 + k]! * s[k]! * V[j * 3 + k]!;
        expect(Math.abs(v - a[i * 3 + j]!)).toBeLessThan(1e-12 * scale);
      }
    }
  });

  it('is not thrown off by a column of subnormal numbers (an underflowed exp in a Jacobian)', () => {
    const a = Float64Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, -5e-324, 0, 0, -5e-324, -1e-12, 0]);
    const { s } = thinSvd(a, 5, 3);
    expect(s[0]).toBe(1e-12);
    expect(s[1]).toBeLessThan(1e-300);
  });

  it('keeps the scale of tiny and huge matrices exactly', () => {
    for (const c of [1e-200, 1e200]) {
      const { s } = thinSvd(Float64Array.from([3 * c, 0, 0, 4 * c]), 2, 2);
      expect(s[0]! / (4 * c)).toBeCloseTo(1, 15);
      expect(s[1]! / (3 * c)).toBeCloseTo(1, 15);
    }
  });

  it('rejects a wide matrix', () => {
    expect(() => thinSvd(new Float64Array(6), 2, 3)).toThrow(/rows must be ≥ cols/);
  });
});

describe('lstsqMinNorm', () => {
  test.prop([matrix(4, 3), matrix(4, 1)], { numRuns: 30 })('agrees with the pseudo-inverse solution on well-conditioned A', (a, b) => {
    // Near the rank cut-off ε·s₀ the two thresholds (gelsd's and ml-matrix's) legitimately differ.
    const { s } = thinSvd(a, 4, 3);
    fc.pre(s[2]! > 1e-8 * s[0]!);
    const x = lstsqMinNorm(a, 4, 3, b);
    const A = new Matrix(4, 3);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 3; j++) A.set(i, j, a[i * 3 + j]!);
    const ref = pseudoInverse(A).mmul(Matrix.columnVector(Array.from(b))).getColumn(0);
    const scale = Math.max(1, ...ref.map(Math.abs));
    for (let j = 0; j < 3; j++) expect(Math.abs(x[j]! - ref[j]!)).toBeLessThan(1e-8 * scale);
  });

  it('returns the minimum-norm solution of a rank-deficient system', () => {
    // Two equal columns: x₀ + x₁ = 2 has minimum-norm solution (1, 1).
    const x = lstsqMinNorm(Float64Array.from([1, 1, 2, 2]), 2, 2, Float64Array.from([2, 4]));
    expect(x[0]).toBeCloseTo(1, 12);
    expect(x[1]).toBeCloseTo(1, 12);
  });
});

describe('qrfacPivoted (MINPACK qrfac)', () => {
  test.prop([matrix(4, 4)], { numRuns: 30 })('A·P = Q·R with |R_jj| non-increasing, and Qᵀb keeps ‖b‖', (aRow) => {
    const n = 4;
    const a = new Float64Array(16);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i + j * n] = aRow[i * n + j]!;
    const orig = Float64Array.from(a);
    const { ipvt, rdiag, acnorm } = qrfacPivoted(a, n, n);
    for (let j = 0; j < n; j++) expect(acnorm[j]).toBeCloseTo(Math.hypot(...Array.from(orig.subarray(j * n, j * n + n))), 12);
    for (let j = 1; j < n; j++) expect(Math.abs(rdiag[j]!)).toBeLessThanOrEqual(Math.abs(rdiag[j - 1]!) * (1 + 1e-12) + 1e-12);
    const b = Float64Array.from([1, -2, 3, 0.5]);
    const qtb = Float64Array.from(b);
    applyQrfacTranspose(a, n, n, rdiag, qtb);
    expect(Math.hypot(...qtb)).toBeCloseTo(Math.hypot(...b), 10);
    // (AP)ᵀ(AP) = RᵀR: compare Gram matrices.
    const scale = Math.max(1, ...Array.from(orig, Math.abs)) ** 2;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let gA = 0;
        for (let k = 0; k < n; k++) gA += orig[k + ipvt[i]! * n]! * orig[k + ipvt[j]! * n]!;
        let gR = 0;
        for (let k = 0; k <= Math.min(i, j); k++) gR += a[k + i * n]! * a[k + j * n]!;
        expect(Math.abs(gA - gR)).toBeLessThan(1e-11 * scale);
      }
    }
  });
});

describe('enorm (MINPACK)', () => {
  it('neither underflows nor overflows', () => {
    expect(enorm([3e-170, 4e-170])).toBeCloseTo(5e-170, 180);
    expect(enorm([3e-170, 4e-170]) / 5e-170).toBeCloseTo(1, 14);
    expect(enorm([3e170, 4e170]) / 5e170).toBeCloseTo(1, 14);
    expect(enorm([1e-30, 1, 1e30]) / 1e30).toBeCloseTo(1, 14);
    expect(enorm([0, 0])).toBe(0);
  });

  test.prop([fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 8 })])('agrees with Math.hypot', (x) => {
    expect(Math.abs(enorm(x) - Math.hypot(...x))).toBeLessThanOrEqual(1e-14 * Math.hypot(...x) + 1e-300);
  });
});

describe('triangular products', () => {
  it('Rᵀ·y reads only the upper triangle, with a row stride', () => {
    // R = [[1 2],[· 3]] stored with stride 3 and junk below the diagonal.
    const R = Float64Array.from([1, 2, 9, 99, 3, 9]);
    expect(Array.from(upperTransposeMatVec(R, 3, 2, Float64Array.from([1, 1]), new Float64Array(2)))).toEqual([1, 5]);
  });
});
