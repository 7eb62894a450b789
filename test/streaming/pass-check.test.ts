import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { DataSourceError } from '../../src/errors.ts';
import { ChunkNormalizer, type DataSource, arraySource } from '../../src/sources/data-source.ts';
import { FINGERPRINT_RTOL, PassFingerprint } from '../../src/streaming/pass-fingerprint.ts';
import { type StreamingFitOptions, streamingFit } from '../../src/streaming/streaming-fit.ts';
import { cpu, expData, expKernel, trfOptions } from '../support/streaming-helpers.ts';

const N = 20_000;
const data = expData(N, 11);
const kernel = expKernel();

function fit(source: DataSource, extra: Partial<StreamingFitOptions> = {}) {
  return streamingFit({ source, kernel, backend: cpu(), solver: trfOptions([1, 1, 0]), loss: null, scheme: { kind: 'analytic' }, batchSize: 500, ...extra });
}

/** A re-readable source over `data` whose passes with `bad(pass)` (1-based) yield `change(data)` instead. */
function changingSource(bad: (pass: number) => boolean, change: (d: typeof data) => typeof data, chunk = 3000): { source: DataSource; passes: () => number } {
  let pass = 0;
  const source = {
    *[Symbol.iterator]() {
      pass++; // counted when the pass reads its first chunk
      yield* arraySource(bad(pass) ? change(data) : data, chunk);
    },
  };
  return { source, passes: () => pass };
}

const half = (d: typeof data) => ({ x: d.x.subarray(0, N / 2), y: d.y.subarray(0, N / 2), sigma: d.sigma.subarray(0, N / 2) });

/** Passes an uninterrupted fit opens (deterministic), so that a test can change the last one. */
async function passesOf(extra: Partial<StreamingFitOptions>): Promise<number> {
  const counting = changingSource(() => false, (d) => d);
  await fit(counting.source, extra);
  return counting.passes();
}

/** The fingerprint of x, y (and weights w, given to the normalizer as σ = 1/w) read in chunks of the given sizes. */
function printOf(x: Float64Array, y: Float64Array, w: Float64Array | null, sizes: number[]): PassFingerprint {
  const normalizer = new ChunkNormalizer(1);
  const p = new PassFingerprint(1);
  let s = 0;
  for (let i = 0; s < y.length; i++) {
    const e = Math.min(y.length, s + sizes[i % sizes.length]!);
    p.add(normalizer.normalize({ x: x.subarray(s, e), y: y.subarray(s, e), sigma: w ? w.subarray(s, e).map((v) => 1 / v) : null }, i));
    s = e;
  }
  return p;
}

describe('every pass sees the same data (issue 21, defect 10)', () => {
  it('the statistics pass: a source that yields 20,000 points, then only 10,000 at popt, is an error, not statistics from half the data', async () => {
    const stats = { statisticsKernel: kernel, warmup: false as const };
    const straight = await fit(changingSource(() => false, (d) => d).source, stats);
    expect(straight.statistics).toMatchObject({ n: N, dof: N - 3 });
    const last = await passesOf(stats);
    const err = await fit(changingSource((p) => p === last, half).source, stats).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataSourceError);
    expect((err as Error).message).toBe(
      'fit: source yielded 10000 points on the statistics pass but 20000 on the first full pass; a re-readable source must yield the same data on every pass',
    );
  });

  it('the statistics pass: the same 20,000 points with one changed y value is an error naming the sum', async () => {
    const stats = { statisticsKernel: kernel, warmup: false as const };
    const last = await passesOf(stats);
    const bump = (d: typeof data) => {
      const y = Float64Array.from(d.y);
      y[12_345]! += 0.01;
      return { ...d, y };
    };
    await expect(fit(changingSource((p) => p === last, bump).source, stats)).rejects.toThrow(
      /^fit: source yielded the same 20000 points on the statistics pass but other values \(Σy = .*, the first full pass had .*\); a re-readable source/,
    );
  });

  it('the exact phase: a source that halves on a later pass is an error naming both counts', async () => {
    await expect(fit(changingSource((p) => p >= 3, half).source, { warmup: false })).rejects.toThrow(
      /source yielded 10000 points on pass 3 but 20000 before/,
    );
  });

  it('the exact phase: changed weights with the same count are an error naming the exact pass', async () => {
    const reweigh = (d: typeof data) => ({ ...d, sigma: d.sigma.map((s, i) => (i === 7 ? 2 * s : s)) });
    await expect(fit(changingSource((p) => p >= 3, reweigh).source, { warmup: false })).rejects.toThrow(
      /^fit: source yielded the same 20000 points on the exact pass \(pass 3\) but other values \(Σw \(w = 1\/σ\) = /,
    );
  });

  it('the warm-up: a full epoch that reads other data than the first is an error naming the epoch', async () => {
    const warmup = { maxEpochs: 3, window: 1000 }; // the stall criterion never fires: every epoch is full
    await expect(fit(changingSource((p) => p === 2, half).source, { warmup })).rejects.toThrow(
      'fit: source yielded 10000 points on the warm-up epoch (pass 2) but 20000 on the first full pass',
    );
    const shift = (d: typeof data) => ({ ...d, x: d.x.map((v) => v + 1e-6) });
    await expect(fit(changingSource((p) => p === 3, shift).source, { warmup })).rejects.toThrow(/warm-up epoch \(pass 3\) but other values \(Σx = /);
  });

  it('the guard pass is checked too', async () => {
    // maxEpochs 1: pass 1 is the warm-up epoch, pass 2 the guard pass
    await expect(fit(changingSource((p) => p === 2, half).source, { warmup: { maxEpochs: 1, window: 1000 } })).rejects.toThrow(
      'fit: source yielded 10000 points on the guard pass (pass 2) but 20000 on the first full pass',
    );
  });

  it('a source that reorders its chunks between passes (the same problem) is accepted, with the same fit to rounding', async () => {
    const reversed = (d: typeof data) => {
      const idx = Array.from({ length: N }, (_, i) => N - 1 - i);
      return { x: Float64Array.from(idx, (i) => d.x[i]!), y: Float64Array.from(idx, (i) => d.y[i]!), sigma: Float64Array.from(idx, (i) => d.sigma[i]!) };
    };
    const stats = { statisticsKernel: kernel };
    const straight = await fit(changingSource(() => false, (d) => d).source, stats);
    const shuffled = await fit(changingSource((p) => p % 2 === 0, reversed, 1234).source, stats);
    expect(shuffled.outcome.x).toBeAllclose(straight.outcome.x, { rtol: 1e-9 });
    expect(shuffled.statistics!.rSquared).toBeCloseTo(straight.statistics!.rSquared, 12);
  });
});

describe('PassFingerprint', () => {
  const arb = fc
    .array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 400 })
    .chain((ys) => fc.tuple(fc.constant(ys), fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 5 }), fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 5 })));

  test.prop([arb])('does not depend on the chunking, nor (within the tolerance) on the order of the points', ([ys, sa, sb]) => {
    const y = Float64Array.from(ys);
    const x = Float64Array.from(ys, (_, i) => i / 7);
    const w = Float64Array.from(ys, (_, i) => 1 + (i % 3));
    const a = printOf(x, y, w, sa);
    expect(printOf(x, y, w, sb).differenceFrom(a)).toBeNull();
    const rev = (v: Float64Array) => v.slice().reverse();
    const r = printOf(rev(x), rev(y), rev(w), sb);
    expect(r.points).toBe(ys.length);
    expect(r.differenceFrom(a)).toBeNull();
  });

  test.prop([arb, fc.nat()])('detects one value changed by more than the tolerance', ([ys, sa], at) => {
    const y = Float64Array.from(ys);
    const x = Float64Array.from(ys, (_, i) => i / 7);
    const a = printOf(x, y, null, sa);
    const scale = ys.reduce((s, v) => s + Math.abs(v), 0);
    const changed = y.slice();
    changed[at % ys.length]! += Math.max(1e-300, 100 * FINGERPRINT_RTOL * scale);
    expect(printOf(x, changed, null, sa).differenceFrom(a)).toMatch(/^Σy = /);
    const w = new Float64Array(ys.length).fill(1);
    expect(printOf(x, y, w, sa).differenceFrom(a)).toBeNull(); // σ = 1 is the same problem as no σ
  });
});
