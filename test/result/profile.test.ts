/**
 * r.profile / r.confidenceIntervals(level, { method: 'profile' }): the closed form on linear
 * models (a fast-check property), bounds, held and tied parameters, one-parameter models, the
 * trace, progress, cancellation, and bad input. The nonlinear reference (lmfit) is
 * profile-lmfit.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AbortError, NlsqRangeError, NlsqTypeError, arraySource, curveFit, curveFitSync, fit, fitBatch, model } from '../../src/index.ts';
import { twoSidedTCritical } from '../../src/stats/student-t.ts';
import { fProbability } from '../../src/result/profile.ts';

const xs = Array.from({ length: 20 }, (_, i) => i / 2);
const wiggle = (i: number): number => 0.3 * Math.sin(7.3 * i + 1);

async function thrown(p: Promise<unknown> | (() => unknown)): Promise<unknown> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('profile on models linear in their parameters', () => {
  it('equals the covariance interval popt ± t·perr to 1e-6 (property over data, weights and levels)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 12, maxLength: 12 }),
        fc.double({ min: 0.5, max: 0.99, noNaN: true }),
        fc.boolean(),
        async (noise, level, weighted) => {
          const x = noise.map((_, i) => i / 3);
          const y = x.map((v, i) => 2 - 0.5 * v + 0.1 * v * v + 0.2 * noise[i]! + 0.05 * wiggle(i));
          const sigma = weighted ? x.map((_, i) => 0.1 + 0.05 * (i % 3)) : undefined;
          const r = await curveFit(model('a + b*x + c*x^2'), x, y, { p0: [0, 0, 0], ...(sigma === undefined ? {} : { sigma }) });
          const cov = r.confidenceIntervals(level);
          const pr = await r.confidenceIntervals(level, { method: 'profile' });
          for (let j = 0; j < 3; j++) {
            const half = cov.upper[j]! - r.popt[j]!;
            expect(Math.abs(pr.lower[j]! - cov.lower[j]!) / half).toBeLessThan(1e-6);
            expect(Math.abs(pr.upper[j]! - cov.upper[j]!) / half).toBeLessThan(1e-6);
          }
          expect(pr.t).toBe(cov.t);
          expect(pr.method).toBe('profile');
        },
      ),
      { numRuns: 12 },
    );
  });

  it('names result for an exact fit (χ²_min = 0: the F statistic is undefined)', async () => {
    const r = await curveFit(model('a + b*x'), xs, xs.map((x) => 1 + 2 * x), { p0: [0, 0] });
    const e = await thrown(r.profile('a'));
    expect(e).toBeInstanceOf(NlsqRangeError);
    expect((e as Error).message).toMatch(/an exact fit/);
    expect(e).toMatchObject({ argument: 'result' });
  });

  it('profiles a one-parameter model (nothing left to refit) to the same closed form', async () => {
    const y = xs.map((x, i) => 0.8 * x + wiggle(i));
    const r = await curveFit(model('b*x'), xs, y, { p0: [1] });
    const cov = r.confidenceIntervals(0.9);
    const pr = await r.profile('b', { level: 0.9 });
    expect(pr.lower).toBeCloseTo(cov.lower[0]!, 10);
    expect(pr.upper).toBeCloseTo(cov.upper[0]!, 10);
  });
});

describe('the profile result', () => {
  const y = xs.map((x, i) => 3 * Math.exp(-0.4 * x) + 0.5 + 0.02 * wiggle(i));
  const fitted = curveFit(model('A*exp(-k*x) + c'), xs, y, { p0: [1, 1, 0] });

  it('holds the threshold F_c = t², a sorted trace through the optimum, and F = F_c at the ends', async () => {
    const r = await fitted;
    const pr = await r.profile('k', { level: 0.95, points: 6 });
    const tc = twoSidedTCritical(0.95, r.dof);
    expect(pr.fCritical).toBeCloseTo(tc * tc, 12);
    expect(pr.chiSquareMin).toBeCloseTo(2 * r.cost, 14);
    expect(pr.chiSquareThreshold).toBeCloseTo(pr.chiSquareMin * (1 + pr.fCritical / r.dof), 12);
    expect(fProbability(pr.fCritical, r.dof)).toBeCloseTo(0.95, 12);
    const v = Array.from(pr.trace.values);
    expect(v).toEqual([...v].sort((a, b) => a - b));
    const at = v.indexOf(r.popt[1]!);
    expect(at).toBeGreaterThan(0);
    expect(pr.trace.statistic[at]).toBe(0);
    expect(pr.trace.params.length).toBe(3 * v.length);
    // Every held value is in its row of params, and the refits' statistic rises away from the optimum.
    for (let i = 0; i < v.length; i++) expect(pr.trace.params[i * 3 + 1]).toBe(v[i]);
    expect(pr.trace.statistic[0]).toBeGreaterThan(pr.fCritical);
    expect(pr.trace.statistic[v.length - 1]).toBeGreaterThan(pr.fCritical);
    // Refit at the reported ends with curveFit: the others' best χ² there gives F = F_c.
    for (const end of [pr.lower, pr.upper]) {
      const held = curveFitSync(model('A*exp(-k*x) + c'), xs, y, { params: { A: r.popt[0]!, k: { value: end, vary: false }, c: r.popt[2]! }, ftol: 1e-14, xtol: 1e-14 });
      const F = ((held.chiSquare - pr.chiSquareMin) / pr.chiSquareMin) * r.dof;
      expect(F / pr.fCritical - 1).toBeLessThan(1e-6);
      expect(F / pr.fCritical - 1).toBeGreaterThan(-1e-6);
    }
    expect(pr.lowerEnd).toBe('crossed');
    expect(pr.upperEnd).toBe('crossed');
    expect(pr.notes).toEqual([]);
  });

  it('reports progress per batch and stops on an abort', async () => {
    const r = await fitted;
    const seen: { phase: string; fits: number }[] = [];
    await r.profile(0, { onProgress: (p) => seen.push({ phase: p.phase, fits: p.fits }) });
    expect(seen[0]!.phase).toBe('grid');
    expect(seen.some((s) => s.phase === 'refine')).toBe(true);
    expect(seen.map((s) => s.fits)).toEqual([...seen.map((s) => s.fits)].sort((a, b) => a - b));
    const before = new AbortController();
    before.abort();
    expect(await thrown(r.profile('A', { signal: before.signal }))).toBeInstanceOf(AbortError);
    const during = new AbortController();
    const e = await thrown(r.confidenceIntervals(0.95, { method: 'profile', signal: during.signal, onProgress: () => during.abort() }));
    expect(e).toBeInstanceOf(AbortError);
  });
});

describe('bounds, held and tied parameters', () => {
  it('ends an interval at a bound the profile reaches below the threshold', async () => {
    const y = xs.map((x, i) => 2 * Math.exp(-0.5 * x) + 0.01 + 0.05 * wiggle(i));
    const r = await curveFit(model('A*exp(-k*x) + c'), xs, y, { p0: [1, 1, 0.1], bounds: [[0, 0, 0], [10, 10, 10]] });
    const pr = await r.profile('c', { level: 0.99 });
    expect(pr.lowerEnd).toBe('bound');
    expect(pr.lower).toBe(0);
    expect(pr.upperEnd).toBe('crossed');
    expect(pr.notes.join(' ')).toMatch(/reaches the lower bound 0/);
  });

  it('reports an open side (+∞, as lmfit) where the data cannot bound the parameter', async () => {
    // Saturation reached by the first point: k → ∞ only flattens the model to the constant A.
    const x = Array.from({ length: 20 }, (_, i) => 1 + i / 2);
    const y = x.map((v, i) => 2 * (1 - Math.exp(-3 * v)) + 0.05 * Math.sin(7.3 * i + 1));
    const r = await curveFit(model('A*(1 - exp(-k*x))'), x, y, { p0: [1, 1] });
    const pr = await r.profile('k');
    expect(pr.lowerEnd).toBe('crossed');
    expect(pr.upperEnd).toBe('open');
    expect(pr.upper).toBe(Infinity);
    expect(pr.notes.join(' ')).toMatch(/does not bound that side/);
    // Independently: at k = ∞ the best A is the mean of y, and its F stays below F_c.
    const mean = y.reduce((s, v) => s + v, 0) / y.length;
    const chi2Inf = y.reduce((s, v) => s + (v - mean) ** 2, 0);
    expect(((chi2Inf - pr.chiSquareMin) / pr.chiSquareMin) * r.dof).toBeLessThan(pr.fCritical);
    // The covariance interval is symmetric and finite: the profile is what shows the open side.
    expect(Number.isFinite(r.confidenceIntervals().upper[1]!)).toBe(true);
  });

  it('profiles around a fixed parameter and reports fixed [v, v] and tied NaN', async () => {
    const y = xs.map((x, i) => 2 * Math.exp(-0.7 * x) + 0.25 + 0.03 * wiggle(i));
    const r = await curveFit(model('A*exp(-k*x) + c'), xs, y, { params: { A: 1, k: { value: 1, min: 0.1, max: 5 }, c: { value: 0.25, vary: false }, h: { expr: 'log(2)/k' } } });
    const ci = await r.confidenceIntervals(0.95, { method: 'profile' });
    const c = r.paramNames.indexOf('c');
    const h = r.paramNames.indexOf('h');
    expect([ci.lower[c], ci.upper[c]]).toEqual([0.25, 0.25]);
    expect(ci.lower[h]).toBeNaN();
    expect(ci.notes.join(' ')).toMatch(/h: tied/);
    expect(Object.keys(ci.profiles)).toEqual(['A', 'k']);
    // The profile of k is that of a two-parameter fit with c held: compare with the model where c is a constant.
    const plain = await curveFit(model('A*exp(-k*x) + 0.25'), xs, y, { p0: [1, 1], bounds: [[-Infinity, 0.1], [Infinity, 5]] });
    const k2 = await plain.profile('k');
    expect(ci.lower[1]).toBeCloseTo(k2.lower, 8);
    expect(ci.upper[1]).toBeCloseTo(k2.upper, 8);
    const e = await thrown(r.profile('c'));
    expect(e).toBeInstanceOf(NlsqRangeError);
    expect(e).toMatchObject({ argument: 'param' });
    expect((e as Error).message).toMatch(/'c', which is fixed/);
  });

  it('profiles fit i of a batch (get(i)) and a fit() result on arrays', async () => {
    const y0 = xs.map((x, i) => 1 + 2 * x + wiggle(i));
    const y1 = xs.map((x, i) => -1 + 0.5 * x + wiggle(i + 3));
    const b = await fitBatch(model('a + b*x'), { x: xs, y: [y0, y1] }, { p0: [0, 0] });
    const one = b.get(1);
    const pr = await one.profile('b');
    const cov = one.confidenceIntervals();
    expect(pr.upper).toBeCloseTo(cov.upper[1]!, 8);
    const f = await fit(model('a + b*x'), xs, y0, { p0: [0, 0] });
    expect((await f.profile('a')).lower).toBeCloseTo(f.confidenceIntervals().lower[0]!, 8);
  });
});

describe('bad input', () => {
  const y = xs.map((x, i) => 1 + 2 * x + wiggle(i));
  const r = curveFitSync(model('a + b*x'), xs, y, { p0: [0, 0] });

  it('names the argument: unknown name, index, level, points, option, method', async () => {
    const cases: [() => Promise<unknown>, string, RegExp][] = [
      [() => r.profile('z'), 'param', /param must be one of a, b, got 'z'/],
      [() => r.profile(2), 'param', /index in \[0, 1\], got 2/],
      [() => r.profile('a', { level: 1 }), 'level', /level must be in \(0, 1\), got 1/],
      [() => r.profile('a', { level: 0 }), 'level', /level must be in \(0, 1\)/],
      [() => r.profile('a', { points: 1 }), 'points', /points must be an integer in \[2, 1000\], got 1/],
      [() => r.profile('a', { pointz: 3 } as never), 'pointz', /unknown option 'pointz'/],
      [() => r.confidenceIntervals(0.9, { method: 'bootstrap' } as never), 'method', /options.method must be 'profile'/],
      [() => r.confidenceIntervals(1.5, { method: 'profile' }), 'level', /level must be in \(0, 1\), got 1.5/],
    ];
    for (const [p, argument, message] of cases) {
      const e = await thrown(p);
      expect(e).toBeInstanceOf(NlsqRangeError);
      expect(e).toMatchObject({ argument });
      expect((e as Error).message).toMatch(message);
    }
    const t = await thrown(r.profile(null as never));
    expect(t).toBeInstanceOf(NlsqTypeError);
    expect(t).toMatchObject({ argument: 'param' });
  });

  it('names result when the fit kept nothing to refit (a one-pass source; re-readable ones: source-refits.test.ts)', async () => {
    const chunks = [...arraySource({ x: Float64Array.from(xs), y: Float64Array.from(y) }, 5)];
    async function* once(): AsyncGenerator<(typeof chunks)[number]> {
      yield* chunks;
    }
    const s = await fit(model('a + b*x'), once(), { p0: [0, 0] });
    const e = await thrown(s.profile('a'));
    expect(e).toBeInstanceOf(NlsqRangeError);
    expect(e).toMatchObject({ argument: 'result' });
    expect((e as Error).message).toMatch(/needs a fit that can be refitted/);
  });
});
