import { describe, expect, it } from 'vitest';
import { checkOptionKeys, OPTION_TABLE } from '../../src/options/option-table.ts';
import { defaultMaxNfev, resolveSolverSettings, type SolverSettingsInput } from '../../src/options/solver-settings.ts';

const base = (options: SolverSettingsInput['options'], over: Partial<SolverSettingsInput> = {}) =>
  resolveSolverSettings({
    caller: 'leastSquares', options, x0: Float64Array.of(1, 2), lb: Float64Array.of(-Infinity, -Infinity), ub: Float64Array.of(Infinity, Infinity),
    defaultMethod: 'trf', analyticJacobian: false, convention: 'least_squares', ...over,
  });

describe('resolveSolverSettings (SciPy least_squares rules)', () => {
  it("defaults: trf, tolerances 1e-8, xScale 1, maxNfev 100·p, '2-point' steps", () => {
    const s = base({});
    expect(s.solver).toMatchObject({ method: 'trf', ftol: 1e-8, xtol: 1e-8, gtol: 1e-8, maxNfev: 200, jacobianCostsNfev: 0 });
    expect(s.solver.xScale).toEqual(Float64Array.of(1, 1));
    expect(s.scheme).toMatchObject({ kind: '2-point', relStep: null });
    expect(s.loss).toBeNull();
  });

  it("lm through least_squares: xScale 'jac', approx_derivative steps, no MINPACK counting", () => {
    const s = base({ method: 'lm' });
    expect(s.solver.xScale).toBe('jac');
    expect(s.scheme.kind).toBe('2-point');
    expect(s.solver.maxNfev).toBe(200);
  });

  it("lm through curve_fit/leastsq: lmdif steps with epsfcn = diffStep², counted in nfev, 200·(p+1) evaluations", () => {
    const s = base({ method: 'lm', diffStep: 1e-3 }, { convention: 'leastsq', caller: 'curveFit' });
    expect(s.scheme).toEqual({ kind: 'minpack', epsfcn: 1e-6 });
    expect(s.solver.jacobianCostsNfev).toBe(2);
    expect(s.solver.maxNfev).toBe(600);
    expect(() => base({ method: 'lm', diffStep: [1e-3, 1e-3] }, { convention: 'leastsq', caller: 'curveFit' })).toThrow(/curveFit: diffStep must be a number for method 'lm'/);
  });

  it('broadcasts a scalar diffStep and xScale and scales the loss by fScale', () => {
    const s = base({ diffStep: 1e-4, xScale: 3, loss: 'huber', fScale: 2 });
    expect(s.scheme).toMatchObject({ kind: '2-point', relStep: Float64Array.of(1e-4, 1e-4) });
    expect(s.solver.xScale).toEqual(Float64Array.of(3, 3));
    const rho = new Float64Array(3);
    s.loss!.rho(16, rho); // |f| = 4 > fScale: ρ = fScale²·(2·|f|/fScale − 1)
    expect(rho[0]).toBeCloseTo(4 * (2 * 2 - 1), 12);
    expect(s.lossName).toBe('huber');
  });

  it('rejects a non-positive fScale and a negative tolerance', () => {
    expect(() => base({ fScale: 0 })).toThrow(/fScale must be/);
    expect(() => base({ ftol: -1 })).toThrow(/leastSquares: ftol must be ≥ 0, got -1/);
  });

  it("checks tolerances as SciPy's check_tolerance: lm needs all three ≥ ε, trf/dogbox one; leastsq only ≥ 0", () => {
    expect(() => base({ method: 'lm', gtol: 0 })).toThrow(/leastSquares: all tolerances must be ≥ machine epsilon \(2\.22e-16\) for method 'lm'/);
    expect(() => base({ ftol: 0, xtol: 0, gtol: 1e-17 })).toThrow(/at least one of ftol, xtol, gtol must be ≥ machine epsilon/);
    expect(base({ method: 'lm', gtol: 0 }, { convention: 'leastsq', caller: 'curveFit' }).solver.gtol).toBe(0);
    expect(base({ ftol: 0 }).warnings.map((w) => w.code)).toEqual(['tolerance-below-eps']);
  });

  it("rejects an xScale that is not 'jac' or positive finite, and a maxNfev that is not a positive integer", () => {
    expect(() => base({ xScale: [1, -1] })).toThrow(/leastSquares: xScale must be 'jac' or positive finite numbers/);
    expect(() => base({ xScale: [1] })).toThrow(/xScale/);
    expect(() => base({ maxNfev: 0 })).toThrow(/leastSquares: maxNfev must be/);
  });
});

describe('defaultMaxNfev', () => {
  it('is 100·p for every least_squares method, finite differences or not (SciPy ≥ 1.16)', () => {
    for (const m of ['trf', 'dogbox', 'lm'] as const) {
      expect(defaultMaxNfev(m, 3, true)).toBe(300);
      expect(defaultMaxNfev(m, 3, false)).toBe(300);
    }
  });

  it('follows leastsq for curve_fit with lm: 200·(p+1) with differences, 100·(p+1) with a Jacobian', () => {
    expect(defaultMaxNfev('lm', 3, true, 'leastsq')).toBe(800);
    expect(defaultMaxNfev('lm', 3, false, 'leastsq')).toBe(400);
    expect(defaultMaxNfev('trf', 3, true, 'leastsq')).toBe(300);
  });
});

describe('checkOptionKeys', () => {
  it('accepts every option of the table for its function and keys a wrapper adds', () => {
    const curveFitKeys = Object.fromEntries(OPTION_TABLE.filter((r) => r.curveFit).map((r) => [r.name, undefined]));
    expect(() => checkOptionKeys('curveFit', curveFitKeys)).not.toThrow();
    expect(() => checkOptionKeys('fit', { strategy: 'chunked' }, ['strategy'])).not.toThrow();
    expect(() => checkOptionKeys('leastSquares', { sigma: 1 })).toThrow(/leastSquares: unknown option 'sigma'/);
    expect(() => checkOptionKeys('curveFit', { x_scale: 'jac' })).toThrow(/did you mean 'xScale'\?/);
  });
});
