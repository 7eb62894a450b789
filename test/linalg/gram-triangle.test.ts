import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { equilibratedGramToTriangle, equilibrationScale, gramToTriangle, packedEntries, triangleCondition } from '../../src/linalg/gram-triangle.ts';
import { EPS } from '../../src/linalg/small-linalg.ts';
import { pcovDigits } from '../../src/sql/sql-problem.ts';

/** Packed upper triangle of AᵀA for row-major A (m × c). */
function packedGram(A: readonly number[], m: number, c: number): Float64Array {
  const G = new Float64Array(packedEntries(c));
  let e = 0;
  for (let a = 0; a < c; a++) for (let b = a; b < c; b++, e++) for (let i = 0; i < m; i++) G[e]! += A[i * c + a]! * A[i * c + b]!;
  return G;
}

/** TᵀT, full c × c. */
function gramOf(T: Float64Array, c: number): number[] {
  const out: number[] = [];
  for (let a = 0; a < c; a++) for (let b = 0; b < c; b++) {
    let s = 0;
    for (let k = 0; k < c; k++) s += T[k * c + a]! * T[k * c + b]!;
    out.push(s);
  }
  return out;
}

describe('equilibratedGramToTriangle', () => {
  it('reproduces G = TᵀT for columns of wildly different scales (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 40, maxLength: 40 }), fc.integer({ min: -150, max: 150 }), (entries, exp) => {
        const c = 4;
        const m = 10;
        const A = entries.map((v, i) => (v + (i % (c + 1)) * 0.25) * (i % c === 1 ? 2 ** exp : 1));
        const G = packedGram(A, m, c);
        const { T } = equilibratedGramToTriangle(G, c, c * EPS);
        expect(T).not.toBeNull();
        const back = gramOf(T!, c);
        let e = 0;
        for (let a = 0; a < c; a++) for (let b = a; b < c; b++, e++) {
          const scale = Math.sqrt(G[packedEntries(c) - packedEntries(c - a)]! * G[packedEntries(c) - packedEntries(c - b)]!);
          expect(Math.abs(back[a * c + b]! - G[e]!)).toBeLessThanOrEqual(1e-12 * scale + 1e-300);
        }
      }),
    );
  });

  it('equals the unscaled factorization bit for bit where nothing over- or underflows', () => {
    const A = [1, 2, 3, 0.5, -1, 4, 2, 2, 1, 3, 0, 1];
    const G = packedGram(A, 4, 3);
    expect(Array.from(equilibratedGramToTriangle(G, 3, 3 * EPS).T!)).toEqual(Array.from(gramToTriangle(G, 3, 3 * EPS).T!));
  });

  it('scales by powers of two only', () => {
    for (const g of [1e-300, 3, 7e200]) expect(Number.isInteger(Math.log2(equilibrationScale(g)))).toBe(true);
    expect(equilibrationScale(0)).toBe(1);
    expect(equilibrationScale(Number.NaN)).toBe(1);
  });
});

describe('triangleCondition and pcovDigits', () => {
  it('κ is measured on unit columns (2e4 here); pcovDigits is −log10(κ²ε)', () => {
    const c = 3;
    const T = new Float64Array(c * c);
    T[0] = 5;
    T[1] = 5; // column 1 = column 0 + a small independent part
    T[1 * c + 1] = 5e-4;
    expect(triangleCondition(T, 2)).toBeAllclose(2e4, { rtol: 1e-3 });
    expect(pcovDigits(1e4)).toBeAllclose(-Math.log10(1e8 * EPS), { rtol: 1e-12 });
    expect(pcovDigits(1e9)).toBe(0);
  });
});
