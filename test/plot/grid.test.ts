/**
 * Properties of the point selection (downsampling) and of the heat-map grid.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { selectPoints } from '../../src/plot/downsample.ts';
import { binMeans, cellCentres, gridAxis } from '../../src/plot/heat-grid.ts';

describe('selectPoints', () => {
  test.prop([fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 1, max: 5000 })])('draws at most maxPoints, evenly strided from 0, all when n ≤ maxPoints', (n, max) => {
    const s = selectPoints('t', n, max);
    expect(s.indices.length).toBeLessThanOrEqual(max);
    expect(s.indices.length).toBe(n === 0 ? 0 : Math.ceil(n / s.stride));
    if (n > 0) expect(s.indices[0]).toBe(0);
    for (let j = 1; j < s.indices.length; j++) expect(s.indices[j]! - s.indices[j - 1]!).toBe(s.stride);
    if (n > 0) expect(s.indices[s.indices.length - 1]).toBeLessThan(n);
    if (n <= max) expect(s.stride).toBe(1);
    // The stride is the smallest that fits: one less would draw too many.
    if (s.stride > 1) expect(Math.ceil(n / (s.stride - 1))).toBeGreaterThan(max);
  });

  it('says which points it draws', () => {
    expect(selectPoints('t', 10, 10).note).toBe('all 10 points');
    expect(selectPoints('t', 2001, 1000).note).toBe('showing 667 of 2,001 points (every 3rd, downsampled to keep the figure small)');
    expect(selectPoints('t', 22_000, 1000).note).toContain('every 22nd');
    expect(selectPoints('t', 11_000, 1000).note).toContain('every 11th');
  });

  it('names maxPoints when it is not a positive integer', () => {
    expect(() => selectPoints('plotFit', 10, 0)).toThrow(expect.objectContaining({ argument: 'maxPoints' }));
  });
});

describe('the heat-map grid', () => {
  const values = fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 300 });

  test.prop([values, fc.integer({ min: 2, max: 50 })])('covers every value, with at most maxCells cells', (v, max) => {
    const a = gridAxis('t', 'x[0]', Float64Array.from(v), max);
    expect(a.cells).toBeGreaterThanOrEqual(1);
    expect(a.cells).toBeLessThanOrEqual(max);
    for (const x of v) {
      expect(x).toBeGreaterThanOrEqual(a.lo);
      expect(x).toBeLessThanOrEqual(a.hi);
    }
  });

  test.prop([fc.integer({ min: 2, max: 30 }), fc.integer({ min: 2, max: 30 }), fc.double({ min: 0.01, max: 100, noNaN: true }), fc.double({ min: -100, max: 100, noNaN: true })])(
    'puts each point of an even grid in its own cell, at the cell centre',
    (n0, n1, h, origin) => {
      const u: number[] = [];
      const w: number[] = [];
      const z: number[] = [];
      for (let j = 0; j < n1; j++) for (let i = 0; i < n0; i++) { u.push(origin + i * h); w.push(origin - j * h); z.push(i * 1000 + j); }
      const [x0, x1] = [Float64Array.from(u), Float64Array.from(w)];
      const a0 = gridAxis('t', 'x[0]', x0, 30);
      const a1 = gridAxis('t', 'x[1]', x1, 30);
      expect([a0.cells, a1.cells]).toEqual([n0, n1]);
      const cells = binMeans(x0, x1, Float64Array.from(z), a0, a1);
      expect(cells).toHaveLength(n0 * n1);
      expect(new Set(cells.map((c) => c.value)).size).toBe(n0 * n1);
      const [cu] = cellCentres(a0, a1);
      expect(Array.from(cu.subarray(0, n0))).toBeAllclose(u.slice(0, n0), { rtol: 1e-9, atol: 1e-9 * h });
    },
  );

  it('averages the points that share a cell and skips non-finite ones', () => {
    const x0 = Float64Array.of(0, 0.1, 0.9, 1, NaN);
    const x1 = Float64Array.of(0, 0, 1, 1, 0);
    const a = { lo: 0, hi: 1, cells: 2 };
    const cells = binMeans(x0, x1, Float64Array.of(1, 3, 10, 20, 99), a, a);
    expect(cells.map((c) => [c.x0, c.x1, c.value])).toEqual([[0, 0, 2], [0.5, 0.5, 15]]);
  });

  it('names x when a variable has no finite value', () => {
    expect(() => gridAxis('plotFit', 'x[1]', Float64Array.of(NaN, Infinity), 10)).toThrow(expect.objectContaining({ argument: 'x', message: 'plotFit: x[1] must hold at least one finite value' }));
  });
});
