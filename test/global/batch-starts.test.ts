/**
 * Multi-start as one batch (`global/batch-starts.ts`): for an expression model the starts run on
 * fitBatch's engine and the winner is fitted again by curveFit; the reference is the loop written
 * by hand — curveFitSync from every start, on the CPU backend — which must pick the same winner,
 * reach the same minima and return the same result bit for bit. Closures that stay closures,
 * covariance sigmas and leastSquares keep the sequential path, and result.global says which.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createWasmBackend } from '../../src/backends/backend-factories.ts';
import { curveFit, curveFitSync } from '../../src/curve-fit.ts';
import { AbortError } from '../../src/errors.ts';
import { leastSquaresSync } from '../../src/least-squares.ts';
import { model } from '../../src/model/model.ts';
import { resolveGlobal } from '../../src/options/global-option.ts';
import { startPoints } from '../../src/global/multi-start.ts';
import { startBox } from '../../src/global/start-box.ts';
import { COST_RTOL } from '../../src/global/distinct-minima.ts';

const twoPeaks = model('a1*exp(-0.5*((x - m1)/s1)^2) + a2*exp(-0.5*((x - m2)/s2)^2)');
const x = Array.from({ length: 200 }, (_, i) => i * 0.1);
const truth = [3, 5, 0.4, 2, 14, 0.5];
const y = twoPeaks.evaluate(truth, [Float64Array.from(x)]).map((v, i) => v + 0.01 * Math.sin(i * 12.9898));
const p0 = [1, 5, 0.5, 1, 5.2, 0.5];
const bounds: [number[], number[]] = [[0, 0, 0.05, 0, 0, 0.05], [10, 20, 5, 10, 20, 5]];

/** The reference: curveFitSync from each start (the same starts the search draws), the winner by the same rule. */
function byHand(starts: readonly Float64Array[]): { winner: number; costs: number[] } {
  const costs = starts.map((s) => curveFitSync(twoPeaks, x, y, { p0: s, bounds, backend: 'cpu' }).cost);
  const lowest = Math.min(...costs);
  return { winner: costs.findIndex((c) => c <= lowest + COST_RTOL * Math.abs(lowest)), costs };
}

describe('multi-start as one batch', () => {
  it('an expression model: one batch, the same winner and result as curveFitSync from every start by hand', () => {
    const search = resolveGlobal({ starts: 12, seed: 5 }, 'test')!;
    const starts = startPoints(search, Float64Array.from(p0), startBox(p0, bounds[0], bounds[1]));
    const reference = byHand(starts);
    const r = curveFitSync(twoPeaks, x, y, { p0, bounds, backend: 'cpu', global: { starts: 12, seed: 5 } });
    expect(r.global!.engine.kind).toBe('batch');
    expect(r.global!.winner).toBe(reference.winner);
    const plain = curveFitSync(twoPeaks, x, y, { p0: starts[reference.winner]!, bounds, backend: 'cpu' });
    expect(r.popt).toEqual(plain.popt);
    expect(r.pcov).toEqual(plain.pcov);
    expect(r.chiSquare).toBe(plain.chiSquare);
    // The minima's costs are the by-hand costs, clustered (the batch engine is curveFit's CPU path).
    const best = r.global!.minima[0]!;
    expect(best.cost).toBeAllclose(Math.min(...reference.costs), { rtol: 1e-12 });
    expect(r.global!.minima.reduce((s, m) => s + m.count, 0)).toBe(12);
    const peaks = [r.popt.slice(0, 3), r.popt.slice(3)].sort((a, b) => a[1]! - b[1]!).flat(); // the two peaks may swap labels
    expect(peaks).toBeAllclose(truth, { rtol: 0.02, atol: 0.01 });
    expect(r.choices.global!.reason).toContain("one batch on fitBatch's engine (on the caller's host backend");
  });

  it('async and sync agree on one backend, the same seed gives the same result; on wasm the batch walks with the WASM kernel to the same minima', async () => {
    const options = { p0, bounds, backend: 'cpu' as const, global: { starts: 8, seed: 2, sampler: 'halton' as const } };
    const a = await curveFit(twoPeaks, x, y, options);
    const b = await curveFit(twoPeaks, x, y, options);
    const s = curveFitSync(twoPeaks, x, y, options);
    expect(b.popt).toEqual(a.popt);
    expect(b.global).toEqual(a.global);
    expect(s.global).toEqual(a.global);
    expect(s.popt).toEqual(a.popt);
    expect(a.global!.engine.kind).toBe('batch');
    const w = await curveFit(twoPeaks, x, y, { ...options, backend: 'wasm' });
    expect(w.backend).toMatch(/^wasm/);
    expect(w.global!.winner).toBe(a.global!.winner);
    expect(w.global!.minima.map((m) => m.count)).toEqual(a.global!.minima.map((m) => m.count));
    expect(w.global!.minima.map((m) => m.cost)).toBeAllclose(a.global!.minima.map((m) => m.cost), { rtol: 1e-9 });
    // On a WASM backend the bounded starts run on the WASM engine (its trf): each start ends
    // exactly where curveFit from it on a WASM backend ends.
    const wasm = await createWasmBackend();
    const search = resolveGlobal({ starts: 8, seed: 2, sampler: 'halton' }, 'test')!;
    const costs = startPoints(search, Float64Array.from(p0), startBox(p0, bounds[0], bounds[1])).map((st) => curveFitSync(twoPeaks, x, y, { p0: st, bounds, backend: wasm }).cost);
    for (const m of w.global!.minima) expect(costs).toContain(m.cost);
    expect(w.global!.evaluations).toBeGreaterThan(8);
  });

  it('property: for any seed the batch picks the start the hand loop picks (costs to 1e-12)', () => {
    const few = { p0: [2, 6, 1, 1, 12, 1], bounds };
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (seed) => {
        const search = resolveGlobal({ starts: 4, seed, sampler: 'random' }, 'test')!;
        const starts = startPoints(search, Float64Array.from(few.p0), startBox(few.p0, bounds[0], bounds[1]));
        const reference = byHand(starts);
        const r = curveFitSync(twoPeaks, x, y, { ...few, backend: 'cpu', global: { starts: 4, seed, sampler: 'random' } });
        expect(r.global!.winner).toBe(reference.winner);
        expect(r.cost).toBeAllclose(reference.costs[reference.winner]!, { rtol: 1e-12 });
      }),
      { numRuns: 5 },
    );
  });

  it('closures that stay closures, covariance sigmas and leastSquares run one start after another, and say so', async () => {
    const f = (t: number, a: number, k: number): number => a * Math.exp(-k * t);
    const tx = [0, 1, 2, 3, 4, 5];
    const ty = tx.map((t) => f(t, 2, 0.5));
    const closure = curveFitSync(f, tx, ty, { p0: [1, 1], lift: false, global: { starts: 4 } });
    expect(closure.global!.engine).toEqual({ kind: 'sequential', reason: expect.stringContaining('plain function (not lifted: lift: false)') });
    const lifted = await curveFit(f, tx, ty, { p0: [1, 1], global: { starts: 4 } }); // the async API lifts the closure to an expression
    expect(lifted.global!.engine.kind).toBe('batch');
    const cov = tx.map((_, i) => tx.map((__, j) => (i === j ? 0.01 : 0.001)));
    const twoD = curveFitSync(model('a*exp(-k*x)'), tx, ty, { p0: [1, 1], sigma: cov, global: { starts: 4 } });
    expect(twoD.global!.engine.reason).toContain('covariance (2-D) sigma');
    const ls = leastSquaresSync((b) => tx.map((t, i) => f(t, b[0]!, b[1]!) - ty[i]!), [1, 1], { global: { starts: 4 } });
    expect(ls.global!.engine.kind).toBe('sequential');
    expect(ls.global!.engine.reason).toContain('residual function');
  });

  it('a start where the model is not finite is recorded as failed; the others run', () => {
    const m = model('a*sqrt(b - x)');
    const tx = Array.from({ length: 20 }, (_, i) => i * 0.25);
    const ty = tx.map((t) => 2 * Math.sqrt(10 - t));
    const r = curveFitSync(m, tx, ty, { p0: [1, 8], global: { starts: 16, seed: 1 } });
    expect(r.global!.engine.kind).toBe('batch');
    expect(r.global!.failed.length).toBeGreaterThan(0);
    expect(r.global!.failed[0]!.message).toMatch(/global start \d+/);
    expect(r.popt).toBeAllclose([2, 10], { rtol: 1e-8 });
  });

  it('an aborted signal stops the batch with AbortError', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(curveFit(twoPeaks, x, y, { p0, bounds, signal: controller.signal, global: { starts: 8 } })).rejects.toBeInstanceOf(AbortError);
  });
});
