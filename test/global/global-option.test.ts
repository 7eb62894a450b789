/**
 * The `global` option's contract: a seed fixes the search, `starts: 1` is the plain fit bit for
 * bit, the caller's onIteration is off for the starts, `signal` cancels the whole search, bad
 * values are named, and `report()` / `choices` / `result.global` describe what ran.
 */
import { describe, expect, it } from 'vitest';
import { curveFit, curveFitSync } from '../../src/curve-fit.ts';
import { AbortError, NlsqError } from '../../src/errors.ts';
import { fit } from '../../src/fit.ts';
import { leastSquares, leastSquaresSync } from '../../src/least-squares.ts';
import { OPTION_TABLE } from '../../src/options/option-table.ts';

const gaussians = (t: number, a1: number, m1: number, s1: number, a2: number, m2: number, s2: number): number =>
  a1 * Math.exp(-0.5 * ((t - m1) / s1) ** 2) + a2 * Math.exp(-0.5 * ((t - m2) / s2) ** 2);
const x = Array.from({ length: 200 }, (_, i) => i * 0.1);
const y = x.map((t, i) => gaussians(t, 3, 5, 0.4, 2, 14, 0.5) + 0.01 * Math.sin(i * 12.9898));
const p0 = [1, 5, 0.5, 1, 5.2, 0.5];

describe('global option', () => {
  it('the same seed gives the same search; another seed another design', () => {
    const a = curveFitSync(gaussians, x, y, { p0, global: { starts: 8, seed: 3 } });
    const b = curveFitSync(gaussians, x, y, { p0, global: { starts: 8, seed: 3 } });
    expect(b.popt).toEqual(a.popt);
    expect(b.global).toEqual(a.global);
    const c = curveFitSync(gaussians, x, y, { p0, global: { starts: 8, seed: 4 } });
    expect(c.global!.minima).not.toEqual(a.global!.minima);
  });

  it('sync and async searches agree exactly on the same backend (curveFit and leastSquares)', async () => {
    const options = { p0, lift: false, backend: 'cpu' as const, global: { starts: 6, seed: 2, sampler: 'halton' as const } };
    const s = curveFitSync(gaussians, x, y, options);
    const a = await curveFit(gaussians, x, y, options);
    expect(a.popt).toEqual(s.popt);
    expect(a.global).toEqual(s.global);
    const r = (b: Float64Array): number[] => x.map((t, i) => gaussians(t, b[0]!, b[1]!, b[2]!, b[3]!, b[4]!, b[5]!) - y[i]!);
    const ls = leastSquaresSync(r, p0, { backend: 'cpu', global: { starts: 6, seed: 2 } });
    const la = await leastSquares(r, p0, { backend: 'cpu', global: { starts: 6, seed: 2 } });
    expect(la.x).toEqual(ls.x);
    expect(la.global).toEqual(ls.global);
  });

  it('global: { starts: 1 } is the plain fit, bit for bit', () => {
    const plain = curveFitSync(gaussians, x, y, { p0 });
    const one = curveFitSync(gaussians, x, y, { p0, global: { starts: 1 } });
    expect(one.popt).toEqual(plain.popt);
    expect(one.pcov).toEqual(plain.pcov);
    expect(one.cost).toBe(plain.cost);
    expect(one.nfev).toBe(plain.nfev);
    expect(one.global).toMatchObject({ method: 'multistart', starts: 1, winner: 0, evaluations: plain.nfev });
    expect(plain.global).toBeUndefined();
  });

  it('p0 is start 0, every start is counted, the report and choices describe the search', () => {
    const seen: number[] = [];
    const r = curveFitSync(gaussians, x, y, { p0, global: { starts: 8, seed: 1 }, onIteration: (info) => void seen.push(info.iteration) });
    expect(seen).toEqual([]);
    const g = r.global!;
    expect(g.starts).toBe(8);
    expect(g.sampler).toBe('sobol');
    expect(g.box).toHaveLength(6);
    expect(g.minima.reduce((n, m) => n + m.count, 0) + g.failed.length).toBe(8);
    // The winner is the earliest start within 1e-6 of the lowest cost (p0 when it got there).
    expect(r.cost).toBeAllclose(g.minima[0]!.cost, { rtol: 1e-6 });
    expect(g.minima.map((m) => m.cost)).toEqual([...g.minima.map((m) => m.cost)].sort((a, b) => a - b));
    expect(g.evaluations).toBeGreaterThanOrEqual(r.nfev);
    expect(r.choices.global).toMatchObject({ given: JSON.stringify({ starts: 8, seed: 1 }) });
    expect(r.choices.global!.used).toContain('8 sobol starts');
    expect(r.report()).toContain(`global ${r.choices.global!.used}`);
    expect(r.report({ full: true })).toMatch(/\n {2}global {7}/);
  });

  it('verbose: the starts are silent, one line says what the search did', () => {
    const lines: string[] = [];
    const r = curveFitSync(gaussians, x, y, { p0, global: { starts: 4 }, verbose: 2, log: (line) => lines.push(line) });
    expect(lines).toEqual([`curveFitSync: global ${r.choices.global!.used}: ${r.choices.global!.reason}`]);
  });

  it('shorthands: true, a sampler name, cmaes', () => {
    const t = curveFitSync(gaussians, x, y, { p0, global: true });
    expect(t.global).toMatchObject({ method: 'multistart', starts: 16, sampler: 'sobol' });
    const l = curveFitSync(gaussians, x, y, { p0, global: 'random' });
    expect(l.global!.sampler).toBe('random');
    const c = curveFitSync(gaussians, x, y, { p0, global: { method: 'cmaes', maxEvaluations: 300, seed: 5 } });
    expect(c.global!.method).toBe('cmaes');
    expect(c.global!.starts).toBe(2);
    expect(c.global!.evaluations).toBeGreaterThanOrEqual(300);
  });

  it('the signal cancels the search: already aborted (sync), and mid-search (async)', async () => {
    const controller = new AbortController();
    controller.abort();
    expect(() => curveFitSync(gaussians, x, y, { p0, global: true, signal: controller.signal })).toThrow(AbortError);
    const mid = new AbortController();
    let calls = 0;
    const counting = (t: number, ...b: number[]): number => {
      if (++calls === 3000) mid.abort();
      return gaussians(t, b[0]!, b[1]!, b[2]!, b[3]!, b[4]!, b[5]!);
    };
    await expect(curveFit(counting, x, y, { p0, lift: false, global: { starts: 64 }, signal: mid.signal })).rejects.toBeInstanceOf(AbortError);
    expect(calls).toBeLessThan(200 * 64 * 10);
    const cm = new AbortController();
    let n = 0;
    const counting2 = (t: number, ...b: number[]): number => {
      if (++n === 5000) cm.abort();
      return gaussians(t, b[0]!, b[1]!, b[2]!, b[3]!, b[4]!, b[5]!);
    };
    await expect(curveFit(counting2, x, y, { p0, lift: false, global: 'cmaes', signal: cm.signal })).rejects.toBeInstanceOf(AbortError);
  });

  it.each([
    [{ starts: 0 }, 'global.starts'],
    [{ starts: 2.5 }, 'global.starts'],
    [{ seed: -1 }, 'global.seed'],
    [{ sampler: 'grid' }, 'global.sampler'],
    [{ method: 'anneal' }, 'global.method'],
    [{ popsize: 1 }, 'global.popsize'],
    [{ restarts: 'many' }, 'global.restarts'],
    [{ maxEvaluations: 0 }, 'global.maxEvaluations'],
    [{ scramble: 'yes' }, 'global.scramble'],
    [{ start: 4 }, 'global'],
    ['anneal', 'global'],
    [3, 'global'],
  ])('rejects global = %j, naming %s', (value, argument) => {
    for (const call of [
      () => curveFitSync(gaussians, x, y, { p0, global: value as never }),
      () => leastSquaresSync((b) => [b[0]! - 1, b[1]! - 2], [0, 0], { global: value as never }),
    ]) {
      try {
        call();
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(NlsqError);
        expect((error as NlsqError).argument).toBe(argument);
        expect((error as Error).message).toMatch(/^(curveFitSync|leastSquaresSync): global/);
      }
    }
  });

  it('fit() takes global (bad values named with fit:); the option table lists it', async () => {
    await expect(fit(gaussians, x, y, { p0, global: 'nope' } as never)).rejects.toThrow(/^fit: global must be true/);
    expect(OPTION_TABLE.find((r) => r.name === 'global')).toMatchObject({ curveFit: true, leastSquares: true });
  });
});
