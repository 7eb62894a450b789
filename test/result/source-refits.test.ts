/**
 * Profiles of streamed fits (`fit(model, source)` over a re-readable source): the refits run in
 * lockstep, one pass over the source serving every refit (`batch/source-refits.ts`). References:
 * the in-memory fit's profile of the same data (batch engine), the covariance interval of a linear
 * model, and the passes counted by the source.
 */
import { describe, expect, it } from 'vitest';
import { NlsqRangeError, arraySource, fit, model } from '../../src/index.ts';
import type { SourceChunk } from '../../src/sources/data-source.ts';

const n = 60;
const xs = Array.from({ length: n }, (_, i) => i / 6);
const wiggle = (i: number): number => 0.3 * Math.sin(7.3 * i + 1) + 0.2 * Math.cos(3.1 * i * i);
const sigma = xs.map((_, i) => 0.05 + 0.03 * (i % 4));

/** A re-readable source of chunks of `chunk` points that counts the passes opened. */
function counted(x: number[], y: number[], s: number[] | undefined, chunk: number): { source: () => Iterable<SourceChunk>; passes: () => number } {
  let passes = 0;
  const data = { x: Float64Array.from(x), y: Float64Array.from(y), ...(s === undefined ? {} : { sigma: Float64Array.from(s) }) };
  return {
    source: () => {
      passes++;
      return arraySource(data, chunk);
    },
    passes: () => passes,
  };
}

async function thrown(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe('profile of a streamed fit', () => {
  it('a linear model: equals the in-memory profile to 1e-9 and the covariance interval to 1e-6', async () => {
    const y = xs.map((v, i) => 1 - 0.4 * v + 0.05 * v * v + sigma[i]! * wiggle(i));
    const m = model('a + b*x + c*x^2');
    const src = counted(xs, y, sigma, 7);
    const streamed = await fit(m, src.source, { p0: [0, 0, 0] });
    const resident = await fit(m, xs, y, { p0: [0, 0, 0], sigma });
    expect(streamed.popt).toBeAllclose(resident.popt, { rtol: 1e-9 });
    const a = await streamed.confidenceIntervals(0.95, { method: 'profile' });
    const b = await resident.confidenceIntervals(0.95, { method: 'profile' });
    const cov = resident.confidenceIntervals(0.95);
    for (let j = 0; j < 3; j++) {
      const half = cov.upper[j]! - resident.popt[j]!;
      expect(Math.abs(a.lower[j]! - b.lower[j]!) / half).toBeLessThan(1e-9);
      expect(Math.abs(a.upper[j]! - b.upper[j]!) / half).toBeLessThan(1e-9);
      expect(Math.abs(a.lower[j]! - cov.lower[j]!) / half).toBeLessThan(1e-6);
      expect(Math.abs(a.upper[j]! - cov.upper[j]!) / half).toBeLessThan(1e-6);
    }
  });

  it('a nonlinear model: equals the in-memory profile to 1e-9, and one pass serves every refit of a round', async () => {
    const y = xs.map((v, i) => 3 * Math.exp(-0.8 * v) + 0.5 + sigma[i]! * wiggle(i));
    const m = model('A*exp(-k*x) + c');
    const src = counted(xs, y, sigma, 11);
    const streamed = await fit(m, src.source, { p0: [1, 1, 0] });
    const resident = await fit(m, xs, y, { p0: [1, 1, 0], sigma });
    expect(streamed.popt).toBeAllclose(resident.popt, { rtol: 1e-7 });
    const before = src.passes();
    const a = await streamed.profile('k', { points: 8 });
    const passes = src.passes() - before;
    const b = await resident.profile('k', { points: 8 });
    expect(a.lowerEnd).toBe('crossed');
    expect(a.upperEnd).toBe('crossed');
    expect(Math.abs(a.lower - b.lower) / b.covarianceHalfWidth).toBeLessThan(1e-9);
    expect(Math.abs(a.upper - b.upper) / b.covarianceHalfWidth).toBeLessThan(1e-9);
    // Every refit needs several evaluations; in lockstep the passes are far fewer than the
    // refits' evaluations (one pass each would be ≥ 2 per refit), and the profile is asymmetric.
    expect(passes).toBeLessThan(a.fits);
    expect(Math.abs(a.upper - a.value - (a.value - a.lower)) / a.covarianceHalfWidth).toBeGreaterThan(1e-3);
  });

  it('a one-parameter model: χ² at each held value is one pass', async () => {
    const y = xs.map((v, i) => 0.8 * v + sigma[i]! * wiggle(i));
    const src = counted(xs, y, undefined, 9);
    const streamed = await fit(model('b*x'), src.source, { p0: [1] });
    const cov = streamed.confidenceIntervals(0.9);
    const pr = await streamed.profile('b', { level: 0.9 });
    expect(pr.lower).toBeCloseTo(cov.lower[0]!, 9);
    expect(pr.upper).toBeCloseTo(cov.upper[0]!, 9);
  });

  it('bootstrap is refused naming result (resampled data cannot be streamed); a one-pass source has no refits', async () => {
    const y = xs.map((v, i) => 2 + v + wiggle(i));
    const src = counted(xs, y, undefined, 10);
    const streamed = await fit(model('a + b*x'), src.source, { p0: [0, 0] });
    const e = await thrown(streamed.bootstrap({ resamples: 10 }));
    expect(e).toBeInstanceOf(NlsqRangeError);
    expect(e).toMatchObject({ argument: 'result' });
    expect((e as Error).message).toMatch(/a streamed or database fit does not hold/);
    async function* once(): AsyncGenerator<SourceChunk> {
      yield { x: Float64Array.from(xs), y: Float64Array.from(y) };
    }
    const oneP = await fit(model('a + b*x'), once(), { p0: [0, 0] });
    const o = await thrown(oneP.profile('a'));
    expect(o).toMatchObject({ argument: 'result' });
    expect((o as Error).message).toMatch(/a one-pass source/);
  });
});
