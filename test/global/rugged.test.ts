/**
 * The rugged set of issue 15: problems where the local fit from p0 lands in a wrong minimum and
 * the `global` option reaches the right one — a bounded damped sine from a wrong frequency, two
 * Gaussians started on the same peak, an exponential whose rate is three orders off, and NIST's
 * BoxBOD from its first start with `lm` (certified values from the NIST StRD file).
 */
import { describe, expect, it } from 'vitest';
import { curveFit, curveFitSync } from '../../src/curve-fit.ts';
import { leastSquares, leastSquaresSync } from '../../src/least-squares.ts';
import { minLre, parseStrd } from '../nist/strd.ts';

const noise = (i: number, amplitude: number): number => amplitude * Math.sin(i * 12.9898 + 78.233 * Math.cos(i));

const dampedSine = (t: number, A: number, k: number, w: number, phi: number): number => A * Math.exp(-k * t) * Math.sin(w * t + phi);
const sineX = Array.from({ length: 300 }, (_, i) => (i * 10) / 300);
const sineY = sineX.map((t, i) => dampedSine(t, 2, 0.05, 4, 0.5) + noise(i, 0.05));
const sineBounds: [number[], number[]] = [[1.5, 0.02, 0, -4], [3, 0.1, 10, 4]];
const sineP0 = [2.5, 0.03, 1, 0];

const twoGaussians = (t: number, a1: number, m1: number, s1: number, a2: number, m2: number, s2: number): number =>
  a1 * Math.exp(-0.5 * ((t - m1) / s1) ** 2) + a2 * Math.exp(-0.5 * ((t - m2) / s2) ** 2);
const peakX = Array.from({ length: 400 }, (_, i) => i * 0.05);
const peakY = peakX.map((t, i) => twoGaussians(t, 3, 5, 0.4, 2, 14, 0.5) + noise(i, 0.01));

const decay = (t: number, A: number, k: number): number => A * Math.exp(-k * t);
const decayX = Array.from({ length: 200 }, (_, i) => 0.1 + i * 0.05);
const decayY = decayX.map((t, i) => decay(t, 5, 1.2) + noise(i, 0.01));

describe('global: the rugged set', () => {
  it('a damped sine from a wrong frequency (bounded amplitude and damping): the plain fit misses, multi-start and CMA-ES find w = 4', async () => {
    const plain = curveFitSync(dampedSine, sineX, sineY, { p0: sineP0, bounds: sineBounds });
    expect(Math.abs(plain.popt[2]! - 4)).toBeGreaterThan(1);
    const multi = curveFitSync(dampedSine, sineX, sineY, { p0: sineP0, bounds: sineBounds, global: { starts: 32, seed: 1 } });
    expect(multi.popt).toBeAllclose([2, 0.05, 4, 0.5], { rtol: 0.02, atol: 0.01 });
    expect(multi.cost).toBeLessThan(plain.cost / 100);
    expect(multi.global?.winner).toBeGreaterThan(0);
    const cmaes = await curveFit(dampedSine, sineX, sineY, { p0: sineP0, bounds: sineBounds, global: 'cmaes' });
    expect(cmaes.popt).toBeAllclose([2, 0.05, 4, 0.5], { rtol: 0.02, atol: 0.01 });
    expect(cmaes.global?.method).toBe('cmaes');
    expect(cmaes.global?.cmaes?.length).toBeGreaterThan(0);
    // The polish is curveFit's own fit from the CMA-ES best: the same popt and pcov as a plain fit from there.
    const again = curveFitSync(dampedSine, sineX, sineY, { p0: cmaes.popt, bounds: sineBounds });
    expect(again.popt).toBeAllclose(cmaes.popt, { rtol: 1e-6 });
    expect(again.pcov).toBeAllclose(cmaes.pcov, { rtol: 1e-4 });
  });

  it('two Gaussians started on the same peak: the plain fit puts both on it, multi-start finds the second', () => {
    const p0 = [1, 5, 0.5, 1, 5.2, 0.5];
    const plain = curveFitSync(twoGaussians, peakX, peakY, { p0 });
    expect(plain.cost).toBeGreaterThan(1);
    const multi = curveFitSync(twoGaussians, peakX, peakY, { p0, global: { starts: 32, seed: 1 } });
    expect(multi.cost).toBeLessThan(0.02);
    const means = [multi.popt[1]!, multi.popt[4]!].sort((a, b) => a - b);
    expect(means).toBeAllclose([5, 14], { atol: 0.01 });
    expect(multi.global!.minima.length).toBeGreaterThan(1);
  });

  it('an exponential whose rate is three orders off (p0 k = 1200, true 1.2) within bounds: the plain fit stays, multi-start finds it', () => {
    const options = { p0: [1, 1200], bounds: [[0, 1e-5], [100, 1e4]] as [number[], number[]] };
    const plain = curveFitSync(decay, decayX, decayY, options);
    expect(plain.popt[1]).toBeGreaterThan(100); // exp(−1200·0.1) underflows the gradient: the fit cannot move
    const multi = curveFitSync(decay, decayX, decayY, { ...options, global: { starts: 16, seed: 1, sampler: 'lhs' } });
    expect(multi.popt).toBeAllclose([5, 1.2], { rtol: 1e-3 });
    expect(multi.global!.box[1]!.log).toBe(true);
    expect(multi.global!.box[1]!.how).toContain('log-uniform');
  });

  it("NIST BoxBOD from its first start with 'lm': the plain fit misses, global reaches the certified values (curveFit and leastSquares)", async () => {
    const problem = parseStrd('BoxBOD');
    const x = problem.x[0]!;
    const plain = curveFitSync(problem.model, x, problem.y, { p0: problem.start1, method: 'lm' });
    expect(2 * plain.cost).toBeGreaterThan(2 * problem.rss);
    const multi = curveFitSync(problem.model, x, problem.y, { p0: problem.start1, method: 'lm', global: { starts: 16, seed: 1 } });
    expect(minLre(multi.popt, problem.params)).toBeGreaterThan(5);
    expect(2 * multi.cost).toBeAllclose(problem.rss, { rtol: 1e-8 });
    expect(minLre(multi.perr, problem.stddev)).toBeGreaterThan(3);
    const residuals = (b: Float64Array): number[] => x.map((xi, i) => problem.model(xi, b[0]!, b[1]!) - problem.y[i]!);
    const ls = leastSquaresSync(residuals, problem.start1, { method: 'lm', global: { starts: 16, seed: 1 } });
    expect(minLre(ls.x, problem.params)).toBeGreaterThan(5);
    expect(ls.global!.box[0]!.how).toContain('no bounds');
    // CMA-ES searches inside the sampling box, so give BoxBOD a box that holds its optimum.
    const cm = await leastSquares(residuals, problem.start1, { bounds: [[0, 0], [1000, 10]], global: { method: 'cmaes', seed: 2 } });
    expect(minLre(cm.x, problem.params)).toBeGreaterThan(5);
    expect(cm.global!.method).toBe('cmaes');
    expect(cm.global!.evaluations).toBeGreaterThan(cm.nfev);
  });
});
