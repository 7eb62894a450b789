/**
 * Conformance of every backend's Householder fold with the CPU reference on degenerate blocks:
 * rank-deficient ones (an exact zero column, duplicated columns, rank 1 — GSL's `linear_rank1`
 * among them), nearly rank-deficient ones (κ ≈ 1e12), and columns scaled toward 1e±300, where the
 * plain sums of squares under- or overflow and the folds take the scaled norm (issue 21, defect 8).
 *
 * What is unique there, and so what is compared: RᵀR = AᵀA always (backward stability); the rows
 * of R before the first dependent column k (the R factor of the leading full-rank columns) to
 * rounding, up to sign; and for every later column l the norm of its part below row k, the
 * distance of a_l from the span of the first k columns. The rows from k on are not unique at
 * exact deficiency (column k's remainder is rounding noise, its reflector's direction arbitrary)
 * and are determined only to ≈ κ·ε near it.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { Matrix, QrDecomposition } from 'ml-matrix';
import type { Backend } from '../../src/backends/backend.ts';
import { createCpuBackend } from '../../src/backends/cpu/cpu-backend.ts';
import { loadBackendsUnderTest, tolerances } from './backends-under-test.ts';

const loaded = await loadBackendsUnderTest();
const cpu = createCpuBackend();

/** An m × c row-major block whose column k is the first one dependent on those before it. */
interface Block {
  readonly m: number;
  readonly c: number;
  readonly data: Float64Array;
  readonly k: number;
}

/** Fold the rows of `a` into a fresh triangle in blocks of `size` rows. */
function foldBlock(b: Backend, a: Block, size = a.m): Float64Array {
  const ws = b.createWorkspace(size, a.c);
  const T = new Float64Array(a.c * a.c);
  for (let s = 0; s < a.m; s += size) {
    const n = Math.min(size, a.m - s);
    ws.data().set(a.data.subarray(s * a.c, (s + n) * a.c));
    b.foldRows(T, ws, n);
  }
  b.releaseWorkspace(ws);
  return T;
}

const frob2 = (a: Float64Array) => a.reduce((s, v) => s + v * v, 0);

/** The R factor of ml-matrix's Householder QR (c × c, row-major; m ≥ c). */
function referenceR(a: Block): Float64Array {
  const A = new Matrix(a.m, a.c);
  for (let i = 0; i < a.m; i++) for (let j = 0; j < a.c; j++) A.set(i, j, a.data[i * a.c + j]!);
  const R = new QrDecomposition(A).upperTriangularMatrix;
  return Float64Array.from({ length: a.c * a.c }, (_, q) => R.get(Math.floor(q / a.c), q % a.c));
}

/** max |RᵀR − AᵀA| over the entries. */
function gramError(T: Float64Array, a: Block): number {
  const A = new Matrix(a.m, a.c);
  for (let i = 0; i < a.m; i++) for (let j = 0; j < a.c; j++) A.set(i, j, a.data[i * a.c + j]!);
  const R = new Matrix(a.c, a.c);
  for (let i = 0; i < a.c; i++) for (let j = i; j < a.c; j++) R.set(i, j, T[i * a.c + j]!);
  const D = R.transpose().mmul(R).sub(A.transpose().mmul(A));
  return D.abs().max();
}

/** max over rows i < rows of min(|T_i − R_i|, |T_i + R_i|) (R is unique up to row signs). */
function rowsError(T: Float64Array, R: Float64Array, c: number, rows: number): number {
  let worst = 0;
  for (let i = 0; i < rows; i++) {
    let same = 0, flipped = 0;
    for (let j = i; j < c; j++) {
      same = Math.max(same, Math.abs(T[i * c + j]! - R[i * c + j]!));
      flipped = Math.max(flipped, Math.abs(T[i * c + j]! + R[i * c + j]!));
    }
    worst = Math.max(worst, Math.min(same, flipped));
  }
  return worst;
}

/** max over columns l ≥ k of |‖T_{k:, l}‖ − ‖R_{k:, l}‖|. */
function tailNormError(T: Float64Array, R: Float64Array, c: number, k: number): number {
  let worst = 0;
  for (let l = k; l < c; l++) {
    let t = 0, r = 0;
    for (let i = k; i <= l; i++) {
      t += T[i * c + l]! ** 2;
      r += R[i * c + l]! ** 2;
    }
    worst = Math.max(worst, Math.abs(Math.sqrt(t) - Math.sqrt(r)));
  }
  return worst;
}

/** m × c values j/100 (|j| ≤ 1000), m ≥ c so that the independent columns have full rank. */
const baseArb = (minCols: number) =>
  fc
    .record({ c: fc.integer({ min: minCols, max: 8 }), extra: fc.integer({ min: 0, max: 100 }) })
    .chain(({ c, extra }) =>
      fc
        .array(fc.integer({ min: -1000, max: 1000 }), { minLength: (c + extra) * c, maxLength: (c + extra) * c })
        .map((ks) => ({ m: c + extra, c, data: Float64Array.from(ks, (v) => v / 100) })),
    );

/** Column k (≥ 1) of a random block set to 0. */
const zeroColumnArb = baseArb(2).chain((b) =>
  fc.integer({ min: 1, max: b.c - 1 }).map((k): Block => {
    const data = b.data.slice();
    for (let i = 0; i < b.m; i++) data[i * b.c + k] = 0;
    return { ...b, data, k };
  }),
);

/** Column k a copy of an earlier column j. */
const duplicateArb = baseArb(3).chain((b) =>
  fc.tuple(fc.integer({ min: 1, max: b.c - 1 }), fc.nat()).map(([k, r]): Block => {
    const j = r % k, data = b.data.slice();
    for (let i = 0; i < b.m; i++) data[i * b.c + k] = data[i * b.c + j]!;
    return { ...b, data, k };
  }),
);

/** A rank-1 Jacobian x·yᵀ (integers) with an independent residual column last: k = 1. */
const rankOneArb = baseArb(3).chain((b) =>
  fc
    .tuple(fc.array(fc.integer({ min: -30, max: 30 }), { minLength: b.m, maxLength: b.m }), fc.array(fc.integer({ min: 1, max: 9 }), { minLength: b.c - 1, maxLength: b.c - 1 }))
    .filter(([x]) => x.some((v) => v !== 0))
    .map(([x, y]): Block => {
      const data = b.data.slice();
      for (let i = 0; i < b.m; i++) for (let j = 0; j < b.c - 1; j++) data[i * b.c + j] = x[i]! * y[j]!;
      return { ...b, data, k: 1 };
    }),
);

/** Relative size of the perturbation that separates column k from column j: κ ≈ 1/NEAR. */
const NEAR = 1e-12;

/** Column k = column j + NEAR·(column k): nearly rank-deficient, κ ≈ 1e12. */
const nearArb = baseArb(3).chain((b) =>
  fc.tuple(fc.integer({ min: 1, max: b.c - 1 }), fc.nat()).map(([k, r]): Block => {
    const j = r % k, data = b.data.slice();
    for (let i = 0; i < b.m; i++) data[i * b.c + k] = data[i * b.c + j]! + NEAR * data[i * b.c + k]!;
    return { ...b, data, k };
  }),
);

/** GSL's `linear_rank1` (N = 20, P = 5) at x0 = 1: [J | f] with J_ij = (i+1)(j+1), f_i = 15(i+1) − 1. */
function gslLinearRank1(): Block {
  const m = 20, c = 6;
  const data = new Float64Array(m * c);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < 5; j++) data[i * c + j] = (i + 1) * (j + 1);
    data[i * c + 5] = 15 * (i + 1) - 1;
  }
  return { m, c, data, k: 1 };
}

for (const { name, backend, skipReason } of loaded) {
  if (!backend) {
    describe.skip(`${name} fold on degenerate blocks (skipped: ${skipReason})`, () => {
      it('loads', () => undefined);
    });
    continue;
  }
  const b = backend;
  const tol = tolerances(b.info.epsilon);
  /** Per-entry bound on R (as the conformance suite's): 64·c·ε·‖A‖_F. */
  const entryBound = (a: Block) => tol.fold(a.c, frob2(a.data)) / Math.sqrt(frob2(a.data) || 1);

  describe(`${name} fold on degenerate blocks`, () => {
    /** The rank-deficient checks shared by the families. */
    function checkDeficient(a: Block, size: number): Float64Array {
      const T = foldBlock(b, a, size);
      const R = foldBlock(cpu, a);
      expect(gramError(T, a)).toBeLessThanOrEqual(tol.fold(a.c, frob2(a.data)));
      expect(rowsError(T, R, a.c, a.k)).toBeLessThanOrEqual(4 * entryBound(a));
      expect(tailNormError(T, R, a.c, a.k)).toBeLessThanOrEqual(4 * entryBound(a));
      return T;
    }

    test.prop([zeroColumnArb, fc.integer({ min: 1, max: 40 })], { numRuns: 40 })('an exact zero column leaves a zero row and the rest as on cpu', (a, size) => {
      const T = checkDeficient(a, size);
      for (let l = a.k; l < a.c; l++) expect(T[a.k * a.c + l]).toBe(0);
      // Past the zero column the block has full rank again: every row is unique.
      expect(rowsError(T, foldBlock(cpu, a), a.c, a.c)).toBeLessThanOrEqual(4 * entryBound(a));
    });

    test.prop([duplicateArb, fc.integer({ min: 1, max: 40 })], { numRuns: 40 })('duplicated columns fold as on cpu', (a, size) => {
      checkDeficient(a, size);
    });

    test.prop([rankOneArb], { numRuns: 40 })('a rank-1 Jacobian with its residual column folds as on cpu', (a) => {
      const T = checkDeficient(a, a.m);
      // The residual's part off the range of J: ‖T_{1:, c−1}‖ (the cost the solver sees).
      expect(tailNormError(T, foldBlock(cpu, a), a.c, 1)).toBeLessThanOrEqual(4 * entryBound(a));
    });

    it('GSL’s linear_rank1 block folds to the cpu triangle, its rounding-level rows included', () => {
      // The dot products of this integer block are exact, so the reflectors of the dependent
      // columns' rounding-level remainders agree too; the kernel once cancelled those remainders
      // to exact zeros (identity reflectors), leaving Qᵀr = 0 there where cpu had O(0.1).
      const a = gslLinearRank1();
      const T = foldBlock(b, a);
      const R = foldBlock(cpu, a);
      expect(rowsError(T, R, a.c, a.c)).toBeLessThanOrEqual(entryBound(a));
    });

    test.prop([baseArb(1), fc.array(fc.integer({ min: -1010, max: 1010 }), { minLength: 8, maxLength: 8 }), fc.integer({ min: 1, max: 40 })], { numRuns: 40 })(
      'columns scaled by 2^k, even to 1e-300 or 1e300 where their squares under- or overflow, fold as on cpu',
      (base, ks, size) => {
        const c = base.c;
        const a: Block = { ...base, data: base.data.map((v, q) => v * 2 ** ks[q % c]!), k: c };
        const T = foldBlock(b, a, size);
        const R = foldBlock(cpu, a, size);
        // Compared column by column relative to the column's size: R_ik / 2^k_k.
        const unscaled = (X: Float64Array) => X.map((v, q) => v / 2 ** ks[q % c]!);
        const Tu = unscaled(T), Ru = unscaled(R);
        const plain = foldBlock(cpu, base, size);
        for (let i = 0; i < c; i++) {
          let same = 0, flipped = 0;
          for (let j = i; j < c; j++) {
            const colNorm = Math.max(...Array.from({ length: j + 1 }, (_, r) => Math.abs(plain[r * c + j]!))) || 1;
            same = Math.max(same, Math.abs(Tu[i * c + j]! - Ru[i * c + j]!) / colNorm);
            flipped = Math.max(flipped, Math.abs(Tu[i * c + j]! + Ru[i * c + j]!) / colNorm);
          }
          expect(Math.min(same, flipped)).toBeLessThanOrEqual(1e-12);
        }
      },
    );

    it('folds residuals near 1e-300 instead of dropping them (their plain squares are 0)', () => {
      const T = foldBlock(b, { m: 3, c: 2, data: new Float64Array([1, 3e-300, 1, 4e-300, 1, 12e-300]), k: 2 });
      // R = [[√3, 19e-300/√3], [0, ρ]] with ρ² = (169 − 19²/3)·1e-600
      expect(Math.abs(T[0]!)).toBeCloseTo(Math.sqrt(3), 14);
      expect(Math.abs(Math.abs(T[1]!) / (19e-300 / Math.sqrt(3)) - 1)).toBeLessThan(1e-14);
      expect(Math.abs(Math.abs(T[3]!) / (Math.sqrt(169 - 361 / 3) * 1e-300) - 1)).toBeLessThan(1e-13);
    });

    it('folds a column near 1e200 whose sum of squares overflows', () => {
      const T = foldBlock(b, { m: 3, c: 2, data: new Float64Array([3e200, 1, 4e200, 2, 12e200, 3]), k: 2 });
      const R = foldBlock(cpu, { m: 3, c: 2, data: new Float64Array([3e200, 1, 4e200, 2, 12e200, 3]), k: 2 });
      expect(Math.abs(T[0]!) / 13e200).toBeCloseTo(1, 14);
      for (const q of [0, 1, 3]) expect(Math.abs(Math.abs(T[q]!) / Math.abs(R[q]!) - 1)).toBeLessThan(1e-13);
    });

    test.prop([nearArb, fc.integer({ min: 1, max: 40 })], { numRuns: 40 })('a nearly rank-deficient block (κ ≈ 1e12) folds as on cpu and as a reference QR', (a, size) => {
      const T = foldBlock(b, a, size);
      const R = foldBlock(cpu, a);
      expect(gramError(T, a)).toBeLessThanOrEqual(tol.fold(a.c, frob2(a.data)));
      expect(rowsError(T, R, a.c, a.k)).toBeLessThanOrEqual(4 * entryBound(a));
      expect(rowsError(T, referenceR(a), a.c, a.k)).toBeLessThanOrEqual(4 * entryBound(a));
      // Full rank, so R is unique, but only to ≈ κ·ε from row k on.
      expect(rowsError(T, R, a.c, a.c)).toBeLessThanOrEqual((4 / NEAR) * entryBound(a));
    });
  });
}
