import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  batchWorkgroupSize,
  dispatchGrid,
  MAX_BATCH_WORKGROUP,
  planDispatches,
  pointColumns,
  REDUCTION_FLOATS,
  reductionBatch,
  stateStride,
  type BatchShape,
} from '../../../src/backends/webgpu/batch-sizing.ts';

/** Bytes of the three storage buffers of one dispatch (the formula of the module documentation, recomputed here). */
function bytesOf(offsets: Int32Array, from: number, to: number, s: BatchShape): number[] {
  const m = offsets[to]! - offsets[from]!;
  const cols = (s.nShared > 0 ? 0 : s.k) + 2 + (s.weighted ? 1 : 0);
  const count = to - from;
  return [4 * (cols * m + s.k * s.nShared + 2 * s.f * count), 4 * count * (s.p + 4 + (s.f * (s.f + 1)) / 2), 4 * (count + 1)];
}

const shapeArb = fc
  .record({ k: fc.integer({ min: 1, max: 3 }), shared: fc.boolean(), weighted: fc.boolean(), p: fc.integer({ min: 1, max: 8 }) })
  .chain((r) => fc.integer({ min: 1, max: r.p }).map((f) => ({ k: r.k, nShared: r.shared ? 25 : 0, weighted: r.weighted, p: r.p, f })));

describe('planDispatches', () => {
  test.prop([
    fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 300 }),
    shapeArb,
    fc.integer({ min: 256, max: 40000 }),
    fc.integer({ min: 1, max: 20 }),
    fc.integer({ min: 1, max: 500 }),
  ])('covers every fit once, in order, each dispatch within the byte, grid and fit caps; tooLarge only for a fit that fits nowhere', (lengths, shape, cap, maxWorkgroups, maxFits) => {
    const offsets = new Int32Array(lengths.length + 1);
    lengths.forEach((n, i) => (offsets[i + 1] = offsets[i]! + n));
    const limits = { maxBindingBytes: cap, maxBufferBytes: cap + 1000, maxWorkgroups };
    const ranges = planDispatches(offsets, shape, limits, maxFits);
    let next = 0;
    for (const r of ranges) {
      expect(r.from).toBe(next);
      expect(r.to).toBeGreaterThan(r.from);
      next = r.to;
      if (r.tooLarge) {
        expect(r.to - r.from).toBe(1);
        expect(Math.max(...bytesOf(offsets, r.from, r.to, shape))).toBeGreaterThan(cap);
      } else {
        expect(Math.max(...bytesOf(offsets, r.from, r.to, shape))).toBeLessThanOrEqual(cap);
        expect(r.to - r.from).toBeLessThanOrEqual(Math.min(maxFits, maxWorkgroups * maxWorkgroups));
        // greedy: one more fit would have broken a limit
        if (r.to < lengths.length) {
          const more = Math.max(...bytesOf(offsets, r.from, r.to + 1, shape)) > cap || r.to + 1 - r.from > Math.min(maxFits, maxWorkgroups * maxWorkgroups);
          expect(more).toBe(true);
        }
      }
    }
    expect(next).toBe(lengths.length);
  });

  it('splits Gpufit-sized batches by the binding limit: 2-D Gaussian, 25 points, 5 parameters, 128 MiB bindings', () => {
    const nFits = 1_000_000;
    const offsets = Int32Array.from({ length: nFits + 1 }, (_, i) => i * 25);
    const shape = { k: 2, nShared: 25, weighted: false, p: 5, f: 5 };
    const ranges = planDispatches(offsets, shape, { maxBindingBytes: 2 ** 27, maxBufferBytes: 2 ** 28, maxWorkgroups: 65535 }, 1 << 22);
    // points: y_hi, y_lo (25 each) and the bounds (2·5) = 60 floats per fit, plus 50 floats of shared x → (2²⁵ − 50)/60 fits;
    // state: 5 + 4 + 15 = 24 floats per fit → 2²⁵/24 fits, the larger of the two
    expect(ranges[0]!.to).toBe(Math.floor((2 ** 25 - 50) / 60));
    expect(ranges.length).toBe(Math.ceil(nFits / ranges[0]!.to));
    expect(ranges.every((r) => !r.tooLarge)).toBe(true);
  });
});

describe('batch kernel sizes', () => {
  it('gives a fit of n points the power of two ≥ n threads, at most 64', () => {
    expect([1, 2, 3, 25, 32, 33, 64, 65, 10000].map(batchWorkgroupSize)).toEqual([1, 2, 4, 32, 32, 64, 64, 64, 64]);
    expect(MAX_BATCH_WORKGROUP).toBe(64);
  });

  test.prop([fc.integer({ min: 1, max: 600 }), fc.constantFrom(1, 2, 4, 8, 16, 32, 64)])('reduces all entries in one round when they fit in workgroup memory, else as many as fit', (entries, wg) => {
    const eb = reductionBatch(entries, wg);
    expect(eb).toBeGreaterThanOrEqual(1);
    expect(eb).toBeLessThanOrEqual(entries);
    expect(eb * wg <= REDUCTION_FLOATS || eb === 1).toBe(true);
    if (entries * wg <= REDUCTION_FLOATS) expect(eb).toBe(entries);
  });

  test.prop([fc.integer({ min: 1, max: 10 ** 9 }), fc.integer({ min: 1, max: 65535 })])('lays fits on a 2-D grid of at most maxWorkgroups columns covering every fit', (fits, maxWorkgroups) => {
    fc.pre(fits <= maxWorkgroups * maxWorkgroups);
    const g = dispatchGrid(fits, maxWorkgroups);
    expect(g.x).toBeLessThanOrEqual(maxWorkgroups);
    expect(g.y).toBeLessThanOrEqual(maxWorkgroups);
    expect(g.x * g.y).toBeGreaterThanOrEqual(fits);
    expect(g.x * (g.y - 1)).toBeLessThan(fits);
  });

  it('counts point columns and state floats', () => {
    expect(pointColumns({ k: 2, nShared: 25, weighted: false, p: 5, f: 5 })).toBe(2);
    expect(pointColumns({ k: 2, nShared: 0, weighted: true, p: 5, f: 5 })).toBe(5);
    expect(stateStride({ k: 1, nShared: 0, weighted: false, p: 4, f: 3 })).toBe(4 + 4 + 6);
  });
});
