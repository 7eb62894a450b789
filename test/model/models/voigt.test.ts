/**
 * models.voigt: the formula against SciPy's `voigt_profile` (test/fixtures/faddeeva/wofz.json,
 * scripts/fixtures/faddeeva.py), convergence from its estimator, and lmfit 1.1's VoigtModel
 * (test/fixtures/lmfit/voigt.json, scripts/fixtures/lmfit-voigt.py) — values to 1e-5 relative,
 * standard errors to 1e-3 (lmfit's covariance uses MINPACK's finite-difference Jacobian in bounded
 * internal coordinates; ours is exact).
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { curveFitSync, model, models, params, type ParamInput } from '../../../src/index.ts';

interface LmfitParam { value: number; stderr: number; vary: boolean }
interface LmfitCase { params: Record<string, ParamInput>; nvarys: number; chisqr: number; lmfit: Record<string, LmfitParam>; expression_note: string }
const lmfit = JSON.parse(readFileSync(new URL('../../fixtures/lmfit/voigt.json', import.meta.url), 'utf8')) as {
  lmfit_version: string; x: number[]; y: number[]; tied: LmfitCase; free: LmfitCase;
};
const scipy = JSON.parse(readFileSync(new URL('../../fixtures/faddeeva/wofz.json', import.meta.url), 'utf8')) as { voigt_profile: [number, number, number, number][] };
const tight = { ftol: 1e-14, xtol: 1e-14, gtol: 1e-14 };
const grid = (a: number, b: number, n: number): number[] => Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));

describe('models.voigt', () => {
  it('is area·voigt_profile(x − mu, sigma, gamma) (SciPy), to 1e-12 of the peak value', () => {
    const m = models.voigt();
    const peaks = new Map<string, number>();
    for (const [x, s, g] of scipy.voigt_profile) {
      const key = `${s},${g}`;
      peaks.set(key, Math.max(peaks.get(key) ?? 0, m.evaluate([1, 0, s, g], [x])[0]!));
    }
    for (const [x, s, g, v] of scipy.voigt_profile) {
      const got = m.evaluate([2.5, 0.75, s, g], [x + 0.75])[0]!;
      // Relative to the peak: Weideman's error is 3.2e-13·|w|, and Re w may be far below |w| in a
      // Gaussian-dominated tail (documented in stats/faddeeva.ts); a fit sees errors at the scale of the peak.
      expect(Math.abs(got - 2.5 * v), `x ${x}, sigma ${s}, gamma ${g}`).toBeLessThanOrEqual(1e-12 * 2.5 * peaks.get(`${s},${g}`)!);
    }
  });

  it('integrates to area and has the Gaussian and Lorentzian limits', () => {
    const m = models.voigt();
    const x = grid(-2000, 2000, 400001);
    const y = m.evaluate([3, 0.2, 0.7, 0.4], x);
    let s = 0;
    for (let i = 1; i < x.length; i++) s += ((y[i]! + y[i - 1]!) / 2) * (x[i]! - x[i - 1]!);
    // the Lorentzian tails beyond ±2000 hold 2γ/(π·2000) of the area
    expect(s).toBeCloseTo(3 * (1 - (2 * 0.4) / (Math.PI * 2000)), 6);
    const gauss = (t: number) => Math.exp(-(t * t) / (2 * 0.7 * 0.7)) / (0.7 * Math.sqrt(2 * Math.PI));
    expect(Array.from(m.evaluate([1, 0, 0.7, 0], [-2, -0.5, 0, 1.3]))).toBeAllclose([-2, -0.5, 0, 1.3].map(gauss), { rtol: 1e-12 });
    const lorentz = (t: number) => 0.4 / (Math.PI * (t * t + 0.16));
    expect(Array.from(m.evaluate([1, 0, 1e-9, 0.4], [-2, -0.5, 0, 1.3]))).toBeAllclose([-2, -0.5, 0, 1.3].map(lorentz), { rtol: 1e-12 });
  });

  it('has exact derivatives (central differences agree to 1e-7)', () => {
    const m = models.voigt();
    const kernel = m.createKernel();
    fc.assert(
      fc.property(
        fc.double({ min: -30, max: 30, noNaN: true }), fc.double({ min: 0.05, max: 5, noNaN: true }), fc.double({ min: 0, max: 5, noNaN: true }),
        (x, sigma, gamma) => {
          const theta = [1.7, 0.3, sigma, gamma];
          const rows = new Float64Array(5);
          kernel.residualRows!(Float64Array.from(theta), { x: [Float64Array.of(x)], y: new Float64Array(1), w: null }, 0, 1, rows, 0);
          const peak = m.evaluate(theta, [0.3])[0]!;
          for (let j = 0; j < 4; j++) {
            const h = 1e-6 * Math.max(1, Math.abs(theta[j]!));
            const up = theta.slice(); up[j]! += h;
            const dn = theta.slice(); dn[j]! -= h;
            const fd = (m.evaluate(up, [x])[0]! - m.evaluate(dn, [x])[0]!) / (2 * h);
            expect(Math.abs(rows[j]! - fd)).toBeLessThanOrEqual(1e-7 * (peak / Math.min(sigma, 1) + Math.abs(fd)));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('converges from its estimator (noise-free data with a small ripple)', () => {
    for (const truth of [[4, 1.5, 0.6, 0.9], [2, -3, 1.2, 0.1], [6, 0, 0.3, 2]]) {
      const m = models.voigt();
      const x = grid(-15, 15, 301);
      const y = Array.from(m.evaluate(truth, x), (v, i) => v + 1e-4 * Math.sin(7.3 * i));
      const r = curveFitSync(m, x, y, { params: m.guess(x, y) });
      expect(r.success).toBe(true);
      expect(r.popt).toBeAllclose(truth, { rtol: 1e-2, atol: 1e-2 });
    }
  });

  it('estimates a dip and refuses too few points, naming the estimator', () => {
    const m = models.voigt();
    const x = grid(-5, 5, 41);
    const y = Array.from(m.evaluate([-3, 1, 0.5, 0.5], x));
    const r = curveFitSync(m, x, y, { params: m.guess(x, y) });
    expect(r.popt).toBeAllclose([-3, 1, 0.5, 0.5], { rtol: 1e-6, atol: 1e-8 });
    expect(() => m.guess([1, 2, 3], [1, 2, 1])).toThrow(/models\.voigt\.estimateP0/);
  });
});

describe(`models.voigt against lmfit ${lmfit.lmfit_version}'s VoigtModel`, () => {
  const expectLmfit = (got: Record<string, { value: number; stderr: number }>, ref: Record<string, LmfitParam>): void => {
    for (const [name, q] of Object.entries(ref)) {
      expect([got[name]!.value], name).toBeAllclose([q.value], { rtol: 1e-5, atol: 1e-12 });
      expect([got[name]!.stderr], name).toBeAllclose([q.stderr], { rtol: 1e-3, atol: 1e-12 });
    }
  };
  const voigtPlusConstant = () => models.voigt({ prefix: 'v_' }).plus(models.polynomial(0, { prefix: 'bg_' }));

  for (const which of ['tied', 'free'] as const) {
    it(`${which}: gamma ${which === 'tied' ? 'tied to sigma (lmfit default)' : 'free'}, as the composite and as one expression`, () => {
      const c = lmfit[which];
      const one = curveFitSync(model(c.expression_note), lmfit.x, lmfit.y, { params: params(c.params), ...tight });
      expectLmfit(one.params, c.lmfit);
      const m = voigtPlusConstant();
      const r = curveFitSync(m, lmfit.x, lmfit.y, { params: params(c.params), ...tight });
      expect(r.success).toBe(true);
      expect(r.p).toBe(c.nvarys);
      expect([r.chiSquare]).toBeAllclose([c.chisqr], { rtol: 1e-8 });
      expectLmfit(r.params, c.lmfit);
    });
  }

  it('the same fit from the model\'s own guess', () => {
    const m = voigtPlusConstant();
    const r = curveFitSync(m, lmfit.x, lmfit.y, { params: m.guess(lmfit.x, lmfit.y), ...tight });
    expectLmfit(r.params, lmfit.free.lmfit);
  });
});
