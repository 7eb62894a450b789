import { readFileSync } from 'node:fs';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { NlsqRangeError } from '../../src/errors.ts';
import { createSobol, sobolDirections } from '../../src/sampling/sobol.ts';
import { samplePoints } from '../../src/sampling/sample-points.ts';
import { SOBOL_MAX_DIMENSION } from '../../src/sampling/sobol-directions.ts';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/qmc-scipy.json', import.meta.url), 'utf8')) as {
  sobol5_first64: number[][];
  sobol_deep: { dimension: number; columns: number[]; first32: number[][] };
};

/** Whether the points of two coordinates form a (t, m, 2)-net: every elementary box of volume 2^(t−m) holds 2^t points. */
function isNet(points: Float64Array, d: number, j: number, k: number, m: number, t: number): boolean {
  for (let a = 0; a <= m - t; a++) {
    const b = m - t - a;
    const counts = new Map<number, number>();
    for (let i = 0; i < 2 ** m; i++) {
      const cell = Math.floor((points[i * d + j] as number) * 2 ** a) * 2 ** b + Math.floor((points[i * d + k] as number) * 2 ** b);
      counts.set(cell, (counts.get(cell) ?? 0) + 1);
    }
    if (counts.size !== 2 ** (m - t) || [...counts.values()].some((c) => c !== 2 ** t)) return false;
  }
  return true;
}

describe('Sobol (sampling/sobol.ts)', () => {
  it('equals SciPy’s unscrambled points (scipy.stats.qmc.Sobol, an independent implementation) in 5 dimensions', () => {
    const s = createSobol(5);
    for (const row of fixture.sobol5_first64) expect(Array.from(s.next())).toEqual(row);
  });

  it('equals SciPy deep in the table (dimensions 10, 100, 512 and 1024): the vendored direction numbers are Joe and Kuo’s', () => {
    const { dimension, columns, first32 } = fixture.sobol_deep;
    expect(dimension).toBe(SOBOL_MAX_DIMENSION);
    const points = samplePoints('sobol', 32, dimension);
    first32.forEach((row, i) => columns.forEach((c, q) => expect(points[i * dimension + c - 1]).toBe(row[q])));
  });

  it('builds the published first rows of new-joe-kuo-6.21201 (d = 2: s = 1, m = 1; d = 3: s = 2, a = 1, m = 1 3)', () => {
    expect(sobolDirections(1)[0]).toBe(2 ** 31);
    expect(sobolDirections(1)[1]).toBe(2 ** 31 + 2 ** 30); // V[k] = V[k−1] ⊕ (V[k−1] ≫ 1) for x + 1
    expect(sobolDirections(2)[1]).toBe(3 * 2 ** 30);
  });

  test.prop([fc.integer({ min: 1, max: 10 }), fc.integer({ min: 0, max: 30 }), fc.boolean(), fc.integer({ min: 0, max: 1000 })])(
    'the first 2^m points of each coordinate are {i / 2^m} once each, scrambled or not',
    (m, j, scramble, seed) => {
      const n = 2 ** m;
      const pts = samplePoints('sobol', n, j + 1, { scramble, seed });
      const seen = new Set<number>();
      for (let i = 0; i < n; i++) seen.add(Math.floor((pts[i * (j + 1) + j] as number) * n));
      expect(seen.size).toBe(n);
    },
  );

  it('coordinates 1 and 2 form a (0, m, 2)-net, unscrambled and scrambled (the scramble keeps the net)', () => {
    for (const options of [{}, { scramble: true, seed: 3 }]) {
      const pts = samplePoints('sobol', 256, 2, options);
      expect(isNet(pts, 2, 0, 1, 8, 0)).toBe(true);
    }
  });

  it('scrambles deterministically from the seed; the first scrambled point is not the origin', () => {
    const a = samplePoints('sobol', 16, 4, { scramble: true, seed: 9 });
    expect(samplePoints('sobol', 16, 4, { scramble: true, seed: 9 })).toEqual(a);
    expect(samplePoints('sobol', 16, 4, { scramble: true, seed: 10 })).not.toEqual(a);
    expect(Array.from(a.subarray(0, 4)).every((v) => v > 0)).toBe(true);
  });

  it('rejects a dimension outside [1, 1024], naming the limit and the alternatives', () => {
    expect(() => createSobol(0)).toThrow(NlsqRangeError);
    expect(() => createSobol(1025)).toThrow(/dimension must be an integer in \[1, 1024\].*got 1025; use 'halton' or 'lhs'/);
  });
});
