/**
 * Profile and bootstrap of fits whose refits are residual vectors solved one after another
 * (`batch/vector-refits.ts`): a covariance (2-D) sigma and `leastSquares`. References:
 * - linear models: the profile interval equals the covariance interval popt ± t·perr to 1e-6;
 * - a 2-D sigma that is diagonal, diag(σ²), is the same fit as the 1-D sigma σ, whose refits run
 *   on the batch engine: the profiles agree to 1e-6 on a nonlinear model;
 * - `leastSquares` on r = w(f − y) is the same fit as `curveFit`: the profile agrees, and its
 *   residual bootstrap draws the same resamples (same seed), so the percentile intervals agree.
 */
import { describe, expect, it } from 'vitest';
import { NlsqRangeError, curveFit, leastSquares, leastSquaresSync, model } from '../../src/index.ts';
import { twoSidedTCritical } from '../../src/stats/student-t.ts';

const n = 24;
const x = Array.from({ length: n }, (_, i) => i / 4);
const wiggle = (i: number): number => 0.3 * Math.sin(7.3 * i + 1) + 0.2 * Math.cos(3.1 * i * i);
const sigma = x.map((_, i) => 0.05 + 0.03 * (i % 4));
const decay = model('A*exp(-k*x) + c');
const yDecay = x.map((v, i) => 3 * Math.exp(-0.8 * v) + 0.5 + sigma[i]! * wiggle(i));

async function thrown(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

/** A covariance matrix with correlated neighbours: Σ_ij = σ_iσ_j ρ^|i−j|. */
function correlated(rho: number): number[][] {
  return sigma.map((si, i) => sigma.map((sj, j) => si * sj * rho ** Math.abs(i - j)));
}

describe('a covariance (2-D) sigma: refits whitened by its Cholesky factor', () => {
  it('profile of a linear model equals the covariance interval to 1e-6', async () => {
    const y = x.map((v, i) => 1 - 0.4 * v + 0.05 * v * v + sigma[i]! * wiggle(i));
    const r = await curveFit(model('a + b*x + c*x^2'), x, y, { p0: [0, 0, 0], sigma: correlated(0.6) });
    for (const level of [0.68, 0.95]) {
      const cov = r.confidenceIntervals(level);
      const pr = await r.confidenceIntervals(level, { method: 'profile' });
      for (let j = 0; j < 3; j++) {
        const half = cov.upper[j]! - r.popt[j]!;
        expect(Math.abs(pr.lower[j]! - cov.lower[j]!) / half).toBeLessThan(1e-6);
        expect(Math.abs(pr.upper[j]! - cov.upper[j]!) / half).toBeLessThan(1e-6);
      }
    }
  });

  it('a diagonal covariance gives the profile of the 1-D sigma fit (batch engine) to 1e-6, nonlinear model', async () => {
    const oneD = await curveFit(decay, x, yDecay, { p0: [1, 1, 0], sigma });
    const twoD = await curveFit(decay, x, yDecay, { p0: [1, 1, 0], sigma: sigma.map((s, i) => sigma.map((_, j) => (i === j ? s * s : 0))) });
    expect(twoD.popt).toBeAllclose(oneD.popt, { rtol: 1e-8 });
    for (const name of ['A', 'k']) {
      const a = await oneD.profile(name);
      const b = await twoD.profile(name);
      const half = a.covarianceHalfWidth;
      expect(Math.abs(b.lower - a.lower) / half).toBeLessThan(1e-6);
      expect(Math.abs(b.upper - a.upper) / half).toBeLessThan(1e-6);
      // Asymmetric: the nonlinear profile is not the covariance interval.
      expect(Math.abs(a.upper - a.value - (a.value - a.lower)) / half).toBeGreaterThan(1e-4);
    }
  });

  it("residual bootstrap resamples the whitened residuals; 'pairs' is refused naming kind", async () => {
    const r = await curveFit(decay, x, yDecay, { p0: [1, 1, 0], sigma: correlated(0.4) });
    const b = await r.bootstrap({ resamples: 60, seed: 2, jackknife: 8 });
    expect(b.converged).toBe(60);
    // The bootstrap standard errors are of the order of the covariance's (same error model).
    for (let j = 0; j < 3; j++) {
      expect(b.stderr[j]! / r.perr[j]!).toBeGreaterThan(0.5);
      expect(b.stderr[j]! / r.perr[j]!).toBeLessThan(2);
    }
    expect(b.bca.acceleration.every(Number.isFinite)).toBe(true);
    const e = await thrown(r.bootstrap({ kind: 'pairs', resamples: 10 }));
    expect(e).toBeInstanceOf(NlsqRangeError);
    expect(e).toMatchObject({ argument: 'kind' });
    expect((e as Error).message).toMatch(/covariance \(2-D\) sigma couples the rows/);
  });
});

describe('leastSquares results: profile on the cost surface, residual bootstrap', () => {
  /** r = (f − y)/σ of the decay model, as a residual function. */
  const residuals = (p: Float64Array): number[] => x.map((v, i) => (p[0]! * Math.exp(-p[1]! * v) + p[2]! - yDecay[i]!) / sigma[i]!);

  it('profile of residuals linear in x equals x_j ± t·σ_j (σ from s²(JᵀJ)⁻¹ by the normal equations) to 1e-6', async () => {
    const y = x.map((v, i) => 2 + 0.7 * v + 0.3 * wiggle(i));
    const r = leastSquaresSync((p) => x.map((v, i) => p[0]! + p[1]! * v - y[i]!), [0, 0]);
    // Independent: the normal equations of [1, x] by hand.
    const s0 = n;
    const s1 = x.reduce((a, v) => a + v, 0);
    const s2 = x.reduce((a, v) => a + v * v, 0);
    const det = s0 * s2 - s1 * s1;
    const rss = 2 * r.cost;
    const var2 = rss / (n - 2);
    const sd = [Math.sqrt((var2 * s2) / det), Math.sqrt((var2 * s0) / det)];
    const t = twoSidedTCritical(0.95, n - 2);
    for (const j of [0, 1]) {
      const pr = await r.profile(j);
      expect(pr.name).toBe(`x${j}`);
      expect(Math.abs(pr.lower - (r.x[j]! - t * sd[j]!)) / (t * sd[j]!)).toBeLessThan(1e-6);
      expect(Math.abs(pr.upper - (r.x[j]! + t * sd[j]!)) / (t * sd[j]!)).toBeLessThan(1e-6);
    }
    expect((await r.profile('x1')).upper).toBe((await r.profile(1)).upper);
  });

  it('profile of a weighted regression residual equals curveFit’s profile of the same fit to 1e-6', async () => {
    const ls = await leastSquares(residuals, [1, 1, 0], { method: 'lm' });
    const cf = await curveFit(decay, x, yDecay, { p0: [1, 1, 0], sigma, method: 'lm' });
    expect(ls.x).toBeAllclose(cf.popt, { rtol: 1e-7 });
    const a = await ls.profile(1);
    const b = await cf.profile('k');
    expect(Math.abs(a.lower - b.lower) / b.covarianceHalfWidth).toBeLessThan(1e-6);
    expect(Math.abs(a.upper - b.upper) / b.covarianceHalfWidth).toBeLessThan(1e-6);
    expect(a.covarianceHalfWidth / b.covarianceHalfWidth).toBeCloseTo(1, 6);
  });

  it('residual bootstrap with a seed equals curveFit’s (the same resamples, the same refits) to 1e-6', async () => {
    const ls = await leastSquares(residuals, [1, 1, 0], { method: 'lm' });
    const cf = await curveFit(decay, x, yDecay, { p0: [1, 1, 0], sigma, method: 'lm' });
    const a = await ls.bootstrap({ resamples: 40, seed: 5, jackknife: 6 });
    const b = await cf.bootstrap({ resamples: 40, seed: 5, jackknife: 6 });
    expect(a.converged).toBe(b.converged);
    expect(a.paramNames).toEqual(['x0', 'x1', 'x2']);
    for (let j = 0; j < 3; j++) {
      const scale = b.stderr[j]!;
      expect(Math.abs(a.percentile.lower[j]! - b.percentile.lower[j]!) / scale).toBeLessThan(1e-6);
      expect(Math.abs(a.percentile.upper[j]! - b.percentile.upper[j]!) / scale).toBeLessThan(1e-6);
      expect(Math.abs(a.stderr[j]! - b.stderr[j]!) / scale).toBeLessThan(1e-6);
      expect(Math.abs(a.bca.acceleration[j]! - b.bca.acceleration[j]!)).toBeLessThan(1e-5);
    }
  });

  it("'pairs' is refused naming kind: a residual function has no rows", async () => {
    const ls = leastSquaresSync(residuals, [1, 1, 0]);
    const e = await thrown(ls.bootstrap({ kind: 'pairs' }));
    expect(e).toBeInstanceOf(NlsqRangeError);
    expect(e).toMatchObject({ argument: 'kind' });
    expect((e as Error).message).toMatch(/no data rows to draw/);
    const bad = await thrown(ls.profile(3));
    expect(bad).toMatchObject({ argument: 'param' });
  });
});
