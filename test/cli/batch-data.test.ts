/**
 * `batchData` (src/cli/batch-command.ts): the jobs of `nlsq batch` as fitBatch data — one shared x
 * when every job holds the same x arrays (columns), else per-fit x with offsets (groups of any
 * lengths) — with y and σ laid out fit after fit; and fitBatch on that layout gives each group
 * the popt of fitBatch on that group alone.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BatchJob, batchData } from '../../src/cli/batch-command.ts';
import { fitBatch } from '../../src/fit-batch.ts';
import { models } from '../../src/model/models/index.ts';

const values = (n: number): fc.Arbitrary<Float64Array> => fc.float64Array({ minLength: n, maxLength: n, noNaN: true });

describe('batchData', () => {
  it('lays y and σ out fit after fit, shares x when the jobs share it, else cuts per-fit x by offsets', () => {
    const job = (n: number, k: number, sigma: boolean): fc.Arbitrary<BatchJob> =>
      fc.record({ name: fc.string(), x: fc.array(values(n), { minLength: k, maxLength: k }), y: values(n), sigma: sigma ? values(n) : fc.constant(null) });
    const jobs = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.boolean(), fc.boolean()).chain(([k, sigma, shared]) =>
      shared
        ? fc.tuple(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 6 })).chain(([n, count]) =>
            job(n, k, sigma).chain((first) => fc.array(job(n, k, sigma), { minLength: count - 1, maxLength: count - 1 }).map((rest) => [first, ...rest.map((j) => ({ ...j, x: first.x }))])),
          )
        : fc.array(fc.integer({ min: 1, max: 20 }).chain((n) => job(n, k, sigma)), { minLength: 1, maxLength: 6 }),
    );
    fc.assert(
      fc.property(jobs, (list) => {
        const { data, sigma } = batchData(list);
        const shared = list.every((j) => j.x.every((c, v) => c === list[0]!.x[v]));
        expect(Array.from(data.y as Float64Array)).toEqual(list.flatMap((j) => Array.from(j.y)));
        if (list[0]!.sigma === null) expect(sigma).toBeUndefined();
        else expect(Array.from(sigma!)).toEqual(list.flatMap((j) => Array.from(j.sigma!)));
        const xs = (list[0]!.x.length === 1 ? [data.x] : data.x) as Float64Array[];
        if (shared) {
          expect(data.offsets).toBeUndefined();
          xs.forEach((c, v) => expect(c).toBe(list[0]!.x[v]));
        } else {
          const offsets = Array.from(data.offsets as Int32Array);
          expect(offsets).toEqual([0, ...list.map((_, i) => list.slice(0, i + 1).reduce((s, j) => s + j.y.length, 0))]);
          xs.forEach((c, v) => expect(Array.from(c)).toEqual(list.flatMap((j) => Array.from(j.x[v]!))));
        }
      }),
    );
  });

  it('gives each group of its own length the fit of that group alone', async () => {
    const group = (n: number, mu: number): BatchJob => {
      const x = Float64Array.from({ length: n }, (_, i) => (10 * i) / (n - 1));
      return { name: `n${n}`, x: [x], y: Float64Array.from(x, (v, i) => 2 * Math.exp(-((v - mu) ** 2) / 2) + 0.01 * Math.sin(5 * i)), sigma: null };
    };
    const jobs = [group(30, 4), group(55, 5), group(41, 6)];
    const { data } = batchData(jobs);
    const all = await fitBatch(models.gaussian(), data, { p0: 'auto' });
    for (const [i, j] of jobs.entries()) {
      const alone = await fitBatch(models.gaussian(), { x: j.x[0]!, y: j.y }, { p0: 'auto' });
      expect(Array.from(all.params(i))).toEqual(Array.from(alone.params(0)));
    }
  });
});
