import { fc, test } from '@fast-check/vitest';
import { Matrix, solve } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { lmpar, qrsolv } from '../../src/optim/lmpar.ts';
import { applyQrfacTranspose, qrfacPivoted } from '../../src/linalg/small-linalg.ts';

/** Factor a row-major m×n A as lmder does and return what lmpar needs. */
function factor(aRow: number[][], b: number[]) {
  const m = aRow.length;
  const n = aRow[0]!.length;
  const a = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) a[i + j * m] = aRow[i]![j]!;
  const { ipvt, rdiag } = qrfacPivoted(a, m, n);
  const qtb = Float64Array.from(b);
  applyQrfacTranspose(a, m, n, rdiag, qtb);
  const r = new Float64Array(n * n);
  for (let j = 0; j < n; j++) for (let i = 0; i <= j; i++) r[i + j * n] = a[i + j * m]!;
  return { r, ipvt, qtb: qtb.subarray(0, n), n };
}

/** x solving (AᵀA + λD²)x = Aᵀb. */
function damped(aRow: number[][], b: number[], d: number[], lambda: number): number[] {
  const A = new Matrix(aRow);
  const lhs = A.transpose().mmul(A).add(Matrix.diag(d.map((v) => lambda * v * v)));
  return solve(lhs, A.transpose().mmul(Matrix.columnVector(b))).getColumn(0);
}

const A = [
  [2, 1, 0.5],
  [0.1, 3, 1],
  [1, 0, 4],
  [0.5, 0.5, 0.5],
];
const b = [1, 2, 3, 4];

describe('qrsolv', () => {
  it('solves [A; D]x ≈ [b; 0] from the pivoted QR', () => {
    const { r, ipvt, qtb, n } = factor(A, b);
    const d = Float64Array.from([0.5, 1, 2]);
    const x = new Float64Array(n);
    qrsolv(n, r, ipvt, d, qtb, x, new Float64Array(n));
    const ref = damped(A, b, [0.5, 1, 2], 1);
    for (let j = 0; j < n; j++) expect(x[j]).toBeCloseTo(ref[j]!, 12);
  });
});

describe('lmpar', () => {
  it('returns λ = 0 and the Gauss–Newton step when ‖Dx‖ ≤ 1.1Δ', () => {
    const { r, ipvt, qtb, n } = factor(A, b);
    const { par, x } = lmpar(n, r, ipvt, Float64Array.from([1, 1, 1]), qtb, 100, 0);
    expect(par).toBe(0);
    const ref = damped(A, b, [1, 1, 1], 0);
    for (let j = 0; j < n; j++) expect(x[j]).toBeCloseTo(ref[j]!, 12);
  });

  test.prop([fc.double({ min: 0.01, max: 0.5, noNaN: true }), fc.array(fc.double({ min: 0.2, max: 5, noNaN: true }), { minLength: 3, maxLength: 3 })], { numRuns: 40 })(
    'finds λ = 0 with ‖Dx‖ ≤ 1.1Δ, or λ > 0 with |‖Dx‖ − Δ| ≤ 0.1Δ, and x = x(λ)',
    (Delta, dArr) => {
      const { r, ipvt, qtb, n } = factor(A, b);
      const d = Float64Array.from(dArr);
      const { par, x } = lmpar(n, r, ipvt, d, qtb, Delta, 0);
      expect(par).toBeGreaterThanOrEqual(0);
      const dx = Math.hypot(...Array.from(x, (v, j) => v * d[j]!));
      if (par === 0) expect(dx).toBeLessThanOrEqual(1.1 * Delta);
      else expect(Math.abs(dx - Delta)).toBeLessThanOrEqual(0.1 * Delta + 1e-14);
      const ref = damped(A, b, dArr, par);
      const scale = Math.max(...ref.map(Math.abs));
      for (let j = 0; j < n; j++) expect(Math.abs(x[j]! - ref[j]!)).toBeLessThan(1e-9 * scale);
    },
  );
});
