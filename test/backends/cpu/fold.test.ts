import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { Matrix, QrDecomposition } from 'ml-matrix';
import { householderFold, mergeTriangles } from '../../../src/backends/cpu/fold.ts';

function foldAll(A: number[][], blocks: number[][]): Float64Array {
  const c = A[0]!.length;
  const T = new Float64Array(c * c);
  const w = new Float64Array(c);
  for (const rows of blocks) {
    const buf = new Float64Array(rows.length * c);
    rows.forEach((r, i) => buf.set(A[r]!, i * c));
    householderFold(T, buf, 0, rows.length, c, w);
  }
  return T;
}

function gramOf(T: Float64Array, c: number): number[][] {
  const R = new Matrix(c, c);
  for (let i = 0; i < c; i++) for (let j = i; j < c; j++) R.set(i, j, T[i * c + j]!);
  return R.transpose().mmul(R).to2DArray();
}

function expectClose(a: number[][], b: number[][], tol: number): void {
  const scale = Math.max(1, ...b.flat().map(Math.abs));
  for (let i = 0; i < a.length; i++) {
    for (let j = 0; j < a[i]!.length; j++) expect(Math.abs(a[i]![j]! - b[i]![j]!)).toBeLessThanOrEqual(tol * scale);
  }
}

const matrixArb = fc
  .record({ m: fc.integer({ min: 1, max: 40 }), c: fc.integer({ min: 1, max: 6 }) })
  .chain(({ m, c }) => fc.array(fc.array(fc.integer({ min: -1000, max: 1000 }).map((v) => v / 100), { minLength: c, maxLength: c }), { minLength: m, maxLength: m }));

describe('householderFold', () => {
  it('gives the R factor of ml-matrix up to row signs', () => {
    const A = [[1, 2, 3], [4, 5, 6], [7, 8, 10], [1, -1, 2], [0.5, 3, -2]];
    const T = foldAll(A, [[0, 1, 2, 3, 4]]);
    const R = new QrDecomposition(new Matrix(A)).upperTriangularMatrix.to2DArray();
    for (let i = 0; i < 3; i++) {
      const sign = Math.sign(T[i * 3 + i]!) * Math.sign(R[i]![i]!);
      for (let j = i; j < 3; j++) expect(T[i * 3 + j]!).toBeCloseTo(sign * R[i]![j]!, 12);
    }
  });

  test.prop([matrixArb, fc.integer({ min: 1, max: 7 }), fc.boolean()])(
    'RᵀR equals AᵀA whatever the block split and order',
    (A, blockSize, reverse) => {
      const c = A[0]!.length;
      const order = A.map((_, i) => i);
      if (reverse) order.reverse();
      const blocks: number[][] = [];
      for (let s = 0; s < order.length; s += blockSize) blocks.push(order.slice(s, s + blockSize));
      const T = foldAll(A, blocks);
      const AtA = new Matrix(A).transpose().mmul(new Matrix(A)).to2DArray();
      expectClose(gramOf(T, c), AtA, 1e-12);
      const whole = foldAll(A, [A.map((_, i) => i)]);
      const diag = Array.from({ length: c }, (_, i) => Math.abs(whole[i * c + i]!));
      if (A.length < c || Math.min(...diag) < 1e-6 * Math.max(...diag)) return; // R is unique only at full rank
      for (let i = 0; i < c; i++) {
        const s = Math.sign(T[i * c + i]!) * Math.sign(whole[i * c + i]!) || 1;
        for (let j = i; j < c; j++) expect(Math.abs(T[i * c + j]! - s * whole[i * c + j]!)).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(whole[i * c + j]!)));
      }
    },
  );

  test.prop([matrixArb, matrixArb])('merging two partial triangles equals folding all rows', (A, B) => {
    fc.pre(A[0]!.length === B[0]!.length);
    const c = A[0]!.length;
    const T = foldAll(A, [A.map((_, i) => i)]);
    const S = foldAll(B, [B.map((_, i) => i)]);
    mergeTriangles(T, S, c, new Float64Array(c));
    const AB = [...A, ...B];
    const AtA = new Matrix(AB).transpose().mmul(new Matrix(AB)).to2DArray();
    expectClose(gramOf(T, c), AtA, 1e-12);
  });

  test.prop([matrixArb, fc.array(fc.integer({ min: -1010, max: 1010 }), { minLength: 6, maxLength: 6 }), fc.integer({ min: 1, max: 7 })])(
    'columns scaled by 2^k, even to 1e-300 or 1e300 where their squares under- or overflow, fold to R scaled alike',
    (A, ks, blockSize) => {
      const c = A[0]!.length;
      const scaled = A.map((row) => row.map((v, j) => v * 2 ** ks[j]!));
      const blocks: number[][] = [];
      for (let s = 0; s < A.length; s += blockSize) blocks.push(A.map((_, i) => i).slice(s, s + blockSize));
      const T = foldAll(A, blocks);
      const Ts = foldAll(scaled, blocks);
      const colNorm = (j: number) => Math.max(...Array.from({ length: j + 1 }, (_, i) => Math.abs(T[i * c + j]!)));
      for (let i = 0; i < c; i++) {
        // rows of R are unique up to sign (a diagonal that is rounding noise may flip)
        const err = (sign: number) => Math.max(...Array.from({ length: c - i }, (_, d) => Math.abs(Ts[i * c + i + d]! / 2 ** ks[i + d]! - sign * T[i * c + i + d]!) / (colNorm(i + d) || 1)));
        expect(Math.min(err(1), err(-1))).toBeLessThanOrEqual(1e-12);
      }
    },
  );

  it('folds residuals near 1e-300 instead of dropping them (their plain squares are 0)', () => {
    const A = [[1, 3e-300], [1, 4e-300], [1, 12e-300]];
    const T = foldAll(A, [[0, 1, 2]]);
    // [[1, 3e-300], [1, 4e-300], [1, 12e-300]]: R = [[√3, 19e-300/√3], [0, ρ]] with ρ² = 169e-600 − (19e-300)²/3
    expect(Math.abs(T[0]!)).toBeCloseTo(Math.sqrt(3), 14);
    expect(Math.abs(T[1]! / (19e-300 / Math.sqrt(3))) - 1).toBeLessThan(1e-14);
    expect(Math.abs(Math.abs(T[3]!) / (Math.sqrt(169 - 361 / 3) * 1e-300) - 1)).toBeLessThan(1e-13);
  });

  it('propagates NaN so a failed evaluation is detected', () => {
    const T = foldAll([[1, NaN], [2, 3]], [[0, 1]]);
    expect(Number.isNaN(T[3]!)).toBe(true);
  });
});
