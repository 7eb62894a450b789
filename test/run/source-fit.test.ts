import { describe, expect, it } from 'vitest';
import { DataSourceError, NlsqRangeError } from '../../src/errors.ts';
import { fit } from '../../src/fit.ts';
import { model } from '../../src/model/model.ts';
import { arraySource, type SourceChunk } from '../../src/sources/data-source.ts';

const N = 20_000;
const x = Float64Array.from({ length: N }, (_, i) => (5 * i) / N);
const y = Float64Array.from(x, (t, i) => 3 * Math.exp(-1.2 * t) + 0.5 + 0.02 * Math.sin(977 * i));
const seed = model('a*exp(-b*x) + c');
const options = { p0: [1, 1, 0], backend: 'cpu' as const };

/** A re-readable source whose passes with `bad(pass)` (1-based, counted at their first chunk) yield only the first half of the points. */
function halvingSource(bad: (pass: number) => boolean): { source: Iterable<SourceChunk>; passes: () => number } {
  let pass = 0;
  const source = {
    *[Symbol.iterator]() {
      const m = bad(++pass) ? N / 2 : N;
      yield* arraySource({ x: x.subarray(0, m), y: y.subarray(0, m) }, 2500);
    },
  };
  return { source, passes: () => pass };
}

describe('fit(model, source): every pass sees the same data (issue 21, defect 10)', () => {
  it('a source that yields 20,000 points, then 10,000 on the statistics pass, fails instead of reporting statistics from half the data', async () => {
    const counting = halvingSource(() => false);
    const whole = await fit(seed, counting.source, options);
    expect(whole.success).toBe(true);
    expect(whole.dof).toBe(N - 3);
    const last = counting.passes();
    const err = await fit(seed, halvingSource((p) => p === last).source, options).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataSourceError);
    expect((err as Error).message).toMatch(/^fit: source yielded 10000 points on the statistics pass but 20000 on the first full pass/);
  });

  it('a source that halves in the exact phase fails naming both counts', async () => {
    const counting = halvingSource(() => false);
    await fit(seed, counting.source, options);
    const err = await fit(seed, halvingSource((p) => p === counting.passes() - 2).source, options).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataSourceError);
    expect((err as Error).message).toMatch(/10000 points on .*pass.* but 20000/);
  });
});

describe("fit(model, source, { nanPolicy }) (issue 21, defect 11)", () => {
  const M = 4000;
  const xs = Float64Array.from({ length: M }, (_, i) => (5 * i) / M);
  const sig = Float64Array.from(xs, (_, i) => 0.02 + 0.01 * (i % 5));
  const ys = Float64Array.from(xs, (t, i) => 3 * Math.exp(-1.2 * t) + 0.5 + sig[i]! * Math.sin(977 * i));
  // non-finite values: the whole first chunk (rows 0–399), then scattered NaN / ±Infinity in x or y
  const bad = new Set([...Array.from({ length: 400 }, (_, i) => i), 517, 1203, 1999, 2400, 3999]);
  const xd = xs.map((v, i) => (i === 1203 ? Infinity : i === 2400 ? NaN : v));
  const yd = ys.map((v, i) => (i < 400 || i === 517 || i === 3999 ? NaN : i === 1999 ? -Infinity : v));
  const chunks = (): SourceChunk[] =>
    Array.from({ length: M / 400 }, (_, c) => ({ x: xd.subarray(400 * c, 400 * c + 400), y: Array.from(yd.subarray(400 * c, 400 * c + 400)), sigma: sig.subarray(400 * c, 400 * c + 400) }));
  const keep = (a: Float64Array) => a.filter((_, i) => !bad.has(i));
  const opts = { p0: [1, 1, 0], backend: 'cpu' as const, ftol: 1e-12, xtol: 1e-12, gtol: 1e-12 };

  it("'omit' drops the same points as for resident arrays, and the fit equals the fit of the clean data", async () => {
    const streamed = await fit(seed, chunks(), { ...opts, nanPolicy: 'omit' });
    const resident = await fit(seed, xd, yd, { ...opts, sigma: sig, nanPolicy: 'omit', workflow: 'standard' });
    const clean = await fit(seed, keep(xd), keep(yd), { ...opts, sigma: keep(sig), workflow: 'standard' });
    expect(streamed.n).toBe(M - bad.size);
    expect(resident.n).toBe(M - bad.size);
    expect(streamed.popt).toBeAllclose(clean.popt, { rtol: 1e-9, atol: 0 });
    expect(streamed.perr).toBeAllclose(clean.perr, { rtol: 1e-6, atol: 0 });
    expect(streamed.rSquared).toBeCloseTo(clean.rSquared, 10);
    const omitted = (r: { warnings: readonly { code: string; message: string }[] }) => r.warnings.filter((w) => w.code === 'points-omitted').map((w) => w.message);
    expect(omitted(streamed)).toEqual([`fit: nanPolicy 'omit' dropped ${bad.size} point(s) with a non-finite x or y`]);
    expect(omitted(streamed)).toEqual(omitted(resident));
  });

  it("'omit' works for a one-pass source and for a function source (kept re-readable, or one-pass)", async () => {
    async function* once() {
      yield* chunks();
    }
    const approx = await fit(seed, once(), { ...opts, nanPolicy: 'omit' });
    expect(approx.n).toBe(M - bad.size);
    expect(approx.warnings.some((w) => w.code === 'points-omitted' && w.message.includes(`dropped ${bad.size} point`))).toBe(true);
    expect(approx.warnings.some((w) => w.code === 'streaming')).toBe(true);
    const rereadable = await fit(seed, () => chunks(), { ...opts, nanPolicy: 'omit' });
    expect(rereadable.warnings.some((w) => w.code === 'streaming')).toBe(false);
    expect(rereadable.n).toBe(M - bad.size);
    const it1 = once();
    const onePass = await fit(seed, () => it1, { ...opts, nanPolicy: 'omit' });
    expect(onePass.warnings.some((w) => w.code === 'streaming')).toBe(true);
  });

  it("'raise', no nanPolicy, and 'omit' with checkFinite: true raise on the first non-finite value, naming chunk and index", async () => {
    for (const extra of [{ nanPolicy: 'raise' as const }, {}, { nanPolicy: 'omit' as const, checkFinite: true }]) {
      const clean = (c: SourceChunk, i: number): SourceChunk => (i === 0 ? { ...c, y: ys.subarray(0, 400) } : c); // let the first chunk resolve the options
      const err = await fit(seed, chunks().map(clean), { ...opts, ...extra }).catch((e: unknown) => e);
      expect(err, JSON.stringify(extra)).toBeInstanceOf(DataSourceError);
      expect((err as Error).message).toBe('fit: source chunk 1 has NaN in y at index 117');
    }
  });

  it("'propagate' is refused, naming nanPolicy", async () => {
    const err = await fit(seed, chunks(), { ...opts, nanPolicy: 'propagate' as never }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NlsqRangeError);
    expect((err as NlsqRangeError).argument).toBe('nanPolicy');
    expect((err as Error).message).toMatch(/^fit: nanPolicy must be one of 'raise', 'omit', got "propagate" \('propagate' is not supported/);
  });
});
