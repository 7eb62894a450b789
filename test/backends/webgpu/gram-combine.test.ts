import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { combinePartials, f32PivotTolerance } from '../../../src/backends/webgpu/gram-combine.ts';
import { gramToTriangle as factor } from '../../../src/linalg/gram-triangle.ts';

/** The evaluator's factorization: the shared Cholesky at the f32 pivot tolerance unless given. */
const gramToTriangle = (G: Float64Array, c: number, tol = f32PivotTolerance(c)): ReturnType<typeof factor> => factor(G, c, tol);

/** The full symmetric cols × cols matrix of a packed upper triangle. */
function unpackSymmetric(packed: Float64Array, cols: number): Float64Array {
  const G = new Float64Array(cols * cols);
  for (let a = 0, e = 0; a < cols; a++) for (let b = a; b < cols; b++, e++) G[a * cols + b] = G[b * cols + a] = packed[e]!;
  return G;
}
import { createCpuBackend } from '../../../src/backends/cpu/cpu-backend.ts';

/** Packed upper triangle of AᵀA (A row-major, m × c) in f64. */
function packedGram(A: Float64Array, m: number, c: number): Float64Array {
  const G = new Float64Array((c * (c + 1)) / 2);
  let e = 0;
  for (let a = 0; a < c; a++) {
    for (let b = a; b < c; b++) {
      let s = 0;
      for (let i = 0; i < m; i++) s += A[i * c + a]! * A[i * c + b]!;
      G[e++] = s;
    }
  }
  return G;
}

/** TᵀT as a full matrix. */
function tTt(T: Float64Array, c: number): Float64Array {
  const out = new Float64Array(c * c);
  for (let a = 0; a < c; a++) for (let b = 0; b < c; b++) {
    let s = 0;
    for (let i = 0; i <= Math.min(a, b); i++) s += T[i * c + a]! * T[i * c + b]!;
    out[a * c + b] = s;
  }
  return out;
}

const matrixArb = fc
  .record({ m: fc.integer({ min: 6, max: 30 }), c: fc.integer({ min: 2, max: 6 }) })
  .chain(({ m, c }) =>
    fc.record({
      m: fc.constant(m),
      c: fc.constant(c),
      a: fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: m * c, maxLength: m * c }),
    }),
  );

describe('combinePartials', () => {
  it('sums every region of workgroup partials in f64 and ignores the alignment gaps between regions', () => {
    const partials = Float32Array.of(1, 2, 3, 4, 99, 99, 5, 6);
    const out = combinePartials(partials, [{ offset: 0, groups: 2 }, { offset: 6, groups: 1 }], 2);
    expect(Array.from(out)).toEqual([1 + 3 + 5, 2 + 4 + 6]);
  });

  it('adds f32 partials without f32 rounding', () => {
    const partials = new Float32Array(2 ** 12).fill(2 ** 24);
    partials[0] = 1;
    const out = combinePartials(partials, [{ offset: 0, groups: partials.length }], 1);
    expect(out[0]).toBe(1 + (partials.length - 1) * 2 ** 24);
  });
});

describe('gramToTriangle at the f32 pivot tolerance (the factorization of the evaluator)', () => {
  test.prop([matrixArb], { numRuns: 60 })('reproduces the Gram matrix: TᵀT = G for a full-rank A', ({ m, c, a }) => {
    const A = Float64Array.from(a);
    const G = packedGram(A, m, c);
    const { T, rank } = gramToTriangle(G, c, 1e-12);
    fc.pre(rank === c - 1);
    const full = unpackSymmetric(G, c);
    const back = tTt(T!, c);
    const scale = Math.max(...full.map(Math.abs));
    for (let i = 0; i < c * c; i++) expect(Math.abs(back[i]! - full[i]!)).toBeLessThanOrEqual(1e-9 * scale);
  });

  it('agrees with the Householder triangle of the CPU backend up to row signs', () => {
    const m = 40;
    const c = 4;
    const A = Float64Array.from({ length: m * c }, (_, i) => Math.sin(1.7 * i + 0.3) + (i % c === 0 ? 1 : 0));
    const cpu = createCpuBackend();
    const ws = cpu.createWorkspace(m, c);
    ws.data().set(A);
    const Th = new Float64Array(c * c);
    cpu.foldRows(Th, ws, m);
    const { T } = gramToTriangle(packedGram(A, m, c), c);
    for (let i = 0; i < c; i++) {
      const s = Math.sign(Th[i * c + i]!) || 1;
      for (let j = i; j < c; j++) expect(T![i * c + j]!).toBeCloseTo(s * Th[i * c + j]!, 9);
    }
  });

  it('gives a zero row for a Jacobian column that depends on the previous ones, and reports the rank', () => {
    // columns: u, 2u (dependent), r
    const m = 10;
    const A = new Float64Array(m * 3);
    for (let i = 0; i < m; i++) {
      A[i * 3] = i + 1;
      A[i * 3 + 1] = 2 * (i + 1);
      A[i * 3 + 2] = Math.cos(i);
    }
    const { T, rank } = gramToTriangle(packedGram(A, m, 3), 3);
    expect(rank).toBe(1);
    expect([T![4], T![5]]).toEqual([0, 0]);
    // ‖r‖² is preserved: z² + ρ²
    const rr = Array.from({ length: m }, (_, i) => Math.cos(i) ** 2).reduce((s, v) => s + v, 0);
    expect(T![2]! ** 2 + T![8]! ** 2).toBeCloseTo(rr, 10);
  });

  it('clamps a slightly negative residual pivot (r in the span of J) to zero', () => {
    // G_rr a hair below z² = 1/3 (as f32 rounding can make it): ρ² < 0 is clamped
    const G = Float64Array.of(3, 1, 1 / 3 - 1e-15);
    const { T } = gramToTriangle(G, 2);
    expect(T![3]).toBe(0);
    expect(T![1]).toBeCloseTo(1 / Math.sqrt(3), 14);
  });

  it('returns a null triangle when an entry is not finite', () => {
    expect(gramToTriangle(Float64Array.of(1, Number.NaN, 1), 2).T).toBeNull();
    expect(gramToTriangle(Float64Array.of(Number.POSITIVE_INFINITY, 0, 1), 2).T).toBeNull();
  });
});
