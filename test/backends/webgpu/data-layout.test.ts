import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { packChunk, planChunks, validateDeviceData } from '../../../src/backends/webgpu/data-layout.ts';
import { NlsqRangeError } from '../../../src/errors.ts';

describe('planChunks', () => {
  test.prop([
    fc.integer({ min: 1, max: 1e6 }),
    fc.integer({ min: 3, max: 8 }),
    fc.integer({ min: 2 ** 12, max: 2 ** 27 }),
    fc.integer({ min: 500, max: 1e6 }),
  ], { numRuns: 40 })('covers every point once, in order, within the byte and point limits', (m, columns, bindBytes, maxPoints) => {
    fc.pre(m / Math.min(maxPoints, Math.floor(bindBytes / (4 * columns))) <= 2000);
    const chunks = planChunks(m, columns, bindBytes, 2 ** 31, maxPoints);
    let next = 0;
    for (const ch of chunks) {
      expect(ch.start).toBe(next);
      expect(ch.n).toBeGreaterThanOrEqual(1);
      expect(ch.n * columns * 4).toBeLessThanOrEqual(bindBytes);
      expect(ch.n).toBeLessThanOrEqual(maxPoints);
      next += ch.n;
    }
    expect(next).toBe(m);
    const sizes = chunks.map((c) => c.n);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  it('uses the smaller of the binding and buffer limits', () => {
    expect(planChunks(100, 4, 1600, 160)).toHaveLength(10);
  });

  it('refuses limits too small for one point', () => {
    expect(() => planChunks(10, 4, 8, 1024)).toThrow(NlsqRangeError);
  });
});

describe('packChunk', () => {
  it('writes x columns, y split into y_hi + y_lo, and weights column-major for the chunk', () => {
    const x = Float64Array.of(1, 2, 3, 4);
    const y = Float64Array.of(0.1, 1 / 3, 1e8 + 0.3, -7);
    const w = Float64Array.of(1, 0.5, 0.25, 2);
    const out = new Float32Array(8);
    packChunk({ x: [x], y, w: null }, { start: 1, n: 2 }, out.subarray(0, 6));
    expect(Array.from(out.subarray(0, 2))).toEqual([2, 3]);
    const full = new Float32Array(16);
    packChunk({ x: [x], y, w }, { start: 0, n: 4 }, full);
    expect(Array.from(full.subarray(12, 16))).toEqual([1, 0.5, 0.25, 2]);
    for (let i = 0; i < 4; i++) {
      const hi = full[4 + i]!;
      const lo = full[8 + i]!;
      expect(hi).toBe(Math.fround(y[i]!));
      expect(Math.abs(hi + lo - y[i]!)).toBeLessThanOrEqual(2 ** -47 * Math.abs(y[i]!));
    }
  });

  test.prop([fc.double({ min: -1e30, max: 1e30, noNaN: true })])('keeps about 48 bits of every observation', (v) => {
    const out = new Float32Array(3);
    packChunk({ x: [Float64Array.of(0)], y: Float64Array.of(v), w: null }, { start: 0, n: 1 }, out);
    expect(Math.abs(out[1]! + out[2]! - v)).toBeLessThanOrEqual(2 ** -47 * Math.abs(v) + 1e-45);
  });
});

describe('validateDeviceData', () => {
  const y = new Float64Array(5);
  it('names the argument, the expected length and what came', () => {
    expect(() => validateDeviceData({ x: [new Float64Array(4)], y, w: null }, 1)).toThrow(
      'createModelEvaluator: data.x[0] must have length 5 (one per ydata value), got 4',
    );
    expect(() => validateDeviceData({ x: [new Float64Array(5)], y, w: new Float64Array(6) }, 1)).toThrow(
      'createModelEvaluator: data.w must have length 5 (one per ydata value), got 6',
    );
    expect(() => validateDeviceData({ x: [], y, w: null }, 1)).toThrow(
      'createModelEvaluator: data.x must have 1 column(s) (one per model variable), got 0',
    );
    expect(() => validateDeviceData({ x: [], y: new Float64Array(0), w: null }, 0)).toThrow(/at least one point/);
  });
});
