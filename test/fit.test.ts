import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { fit } from '../src/fit.ts';
import { curveFit } from '../src/curve-fit.ts';
import { model } from '../src/model/model.ts';

const N = 4000;
const x = Float64Array.from({ length: N }, (_, i) => (5 * i) / N);
const sigma = Float64Array.from(x, (_, i) => 0.02 + 0.01 * (i % 5));
const y = Float64Array.from(x, (t, i) => 3 * Math.exp(-1.2 * t) + 0.5 + sigma[i]! * Math.sin(977 * i));
const seed = model('a*exp(-b*x) + c');
const closure = (t: number, a: number, b: number, c: number): number => a * Math.exp(-b * t) + c;

function expectRelClose(a: readonly number[], b: readonly number[], rel: number): void {
  a.forEach((v, i) => expect(Math.abs(v - b[i]!)).toBeLessThanOrEqual(rel * Math.abs(b[i]!)));
}

describe('fit', () => {
  it('reports the strategy, backend and reason of an automatic plan', async () => {
    const r = await fit(seed, x, y, { p0: [1, 1, 0], backend: 'cpu' });
    expect(r.strategy).toBe('standard');
    expect(r.backend).toBe('cpu');
    expect(r.reason).toMatch(/standard/);
    expect(r.plan.strategy).toBe('standard');
    expect(r.success).toBe(true);
  });

  test.prop([fc.integer({ min: 1000, max: 4000 }), fc.constantFrom<'cpu' | 'wasm'>('cpu', 'wasm')], { numRuns: 6 })(
    'chunked equals standard (popt, pcov, iteration path) whatever the chunk size',
    async (chunkSize, backend) => {
      const opts = { p0: [1, 1, 0], sigma, backend, method: 'trf' as const };
      const standard = await fit(seed, x, y, { ...opts, workflow: 'standard' });
      const chunked = await fit(seed, x, y, { ...opts, workflow: 'chunked', chunkSize });
      expect(chunked.strategy).toBe('chunked');
      expect(chunked.nfev).toBe(standard.nfev);
      expectRelClose(chunked.popt, standard.popt, 1e-12);
      expectRelClose(chunked.perr, standard.perr, 1e-9);
    },
  );

  it.each(['lm', 'trf', 'dogbox'] as const)('streaming equals standard with %s (1e-9 on popt, 1e-6 on standard errors)', async (method) => {
    const opts = { p0: [1, 1, 0], sigma, method, backend: 'cpu' };
    const standard = await fit(closure, x, y, { ...opts, workflow: 'standard' });
    const streaming = await fit(closure, x, y, { ...opts, workflow: 'streaming', chunkSize: 1000 });
    expect(streaming.strategy).toBe('streaming');
    expectRelClose(streaming.popt, standard.popt, 1e-9);
    expectRelClose(streaming.perr, standard.perr, 1e-6);
  });

  it('fits a re-readable async source out of core, with statistics from one more pass', async () => {
    const source = {
      async *[Symbol.asyncIterator]() {
        for (let s = 0; s < N; s += 700) yield { x: x.subarray(s, s + 700), y: y.subarray(s, s + 700), sigma: sigma.subarray(s, s + 700) };
      },
    };
    const streamed = await fit(seed, source, { p0: [1, 1, 0], backend: 'cpu' });
    const resident = await curveFit(seed, x, y, { p0: [1, 1, 0], sigma, backend: 'cpu', method: 'trf' });
    expect(streamed.strategy).toBe('streaming');
    expect(streamed.n).toBe(N);
    expectRelClose(streamed.popt, resident.popt, 1e-9);
    expectRelClose(streamed.perr, resident.perr, 1e-6);
    expect(streamed.rSquared).toBeCloseTo(resident.rSquared, 10);
    expect(streamed.fun).toBeNull();
  });

  it('applies the goal tolerances unless the caller gives them', async () => {
    const quick = await fit(seed, x, y, { p0: [1, 1, 0], goal: 'fast', backend: 'cpu' });
    const tight = await fit(seed, x, y, { p0: [1, 1, 0], goal: 'fast', ftol: 1e-14, xtol: 1e-14, gtol: 1e-14, backend: 'cpu' });
    expect(tight.nfev).toBeGreaterThanOrEqual(quick.nfev);
  });

  it('refuses a covariance sigma with a chunked workflow, naming the argument', async () => {
    const n = 30;
    const xs = Array.from({ length: n }, (_, i) => i / 10);
    const ys = xs.map((t) => 2 * t + 1);
    const cov = xs.map((_, i) => xs.map((__, j) => (i === j ? 1 : 0.1)));
    await expect(fit((t: number, a: number, b: number) => a * t + b, xs, ys, { sigma: cov, workflow: 'chunked' })).rejects.toThrow(
      "fit: a covariance (2-D) sigma couples all points, so workflow must be 'standard' or 'auto', got 'chunked'",
    );
  });

  it('rejects a source with no chunks, and never returns a partial success', async () => {
    await expect(fit(seed, [], { p0: [1, 1, 0] })).rejects.toThrow(/no chunks/);
    const failing = {
      async *[Symbol.asyncIterator]() {
        yield { x: x.subarray(0, 100), y: y.subarray(0, 100) };
        throw new Error('disk gone');
      },
    };
    await expect(fit(seed, failing, { p0: [1, 1, 0], backend: 'cpu' })).rejects.toThrow(/chunk 1|disk gone/);
  });
});

describe('fit at a non-finite start', () => {
  it.each(['standard', 'streaming'] as const)('names the first bad point with the %s workflow', async (workflow) => {
    const xs = Float64Array.from({ length: 3000 }, (_, i) => i / 1000);
    const ys = Float64Array.from(xs, (t) => 2 * t + 1);
    const f = (t: number, a: number, b: number) => (t > 1.5 ? a * Math.log(t - 2) : a * t) + b;
    await expect(fit(f, xs, ys, { p0: [1, 1], workflow, backend: 'cpu', ...(workflow === 'streaming' ? { chunkSize: 1000 } : {}) })).rejects.toThrow(
      /residuals must be finite at p0 = \[1, 1\], got NaN at point 1501/,
    );
  });
});
