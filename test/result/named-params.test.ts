import { describe, expect, it } from 'vitest';
import { curveFit, curveFitSync } from '../../src/curve-fit.ts';
import { model } from '../../src/model/model.ts';
import { params } from '../../src/model/params.ts';
import { layoutParams } from '../../src/model/tie-params.ts';
import { correlationLines, expandParams, namedParams, uncertaintyNotes } from '../../src/result/named-params.ts';

const xs = Array.from({ length: 80 }, (_, i) => i / 8);
const ys = xs.map((x, i) => 3 * Math.exp(-((x - 4.6) ** 2) / (2 * 1.2 ** 2)) + 0.2 + 0.02 * Math.sin(5.7 * i));
const gauss = 'A*exp(-((x-mu)^2)/(2*s^2)) + c';

describe('expandParams', () => {
  const L = layoutParams('curveFit', params({ a: 1, b: { value: 7, vary: false }, c: { expr: '3*a - d' }, d: 2 }), ['a', 'b', 'c']);
  const C = [4, 1, 1, 9]; // Cov(a, d)

  it('copies the free entries, zeroes the fixed rows and applies G·C·Gᵀ to the ties', () => {
    const e = expandParams(L, { x: [2, 0.5], pcov: C, activeMask: [0, 1], grad: [0.1, 0.2] });
    expect(e.names).toEqual(['a', 'b', 'c', 'd']);
    expect(Array.from(e.values)).toEqual([2, 7, 5.5, 0.5]);
    // c = 3a − d: Var c = 9·4 − 2·3·1 + 9 = 39; Cov(a, c) = 3·4 − 1 = 11; Cov(d, c) = 3·1 − 9 = −6
    expect(Array.from(e.pcov)).toEqual([4, 0, 11, 1, 0, 0, 0, 0, 11, 0, 39, -6, 1, 0, -6, 9]);
    expect(Array.from(e.activeMask)).toEqual([0, 0, 0, 1]);
    expect(Array.from(e.grad)).toEqual([0.1, 0, 0, 0.2]);
  });

  it('keeps a fixed parameter’s rows 0 when the covariance is +∞ (not estimated)', () => {
    const e = expandParams(L, { x: [2, 0.5], pcov: [Infinity, Infinity, Infinity, Infinity], activeMask: [0, 0], grad: [0, 0] });
    expect(Array.from(e.pcov.subarray(4, 8))).toEqual([0, 0, 0, 0]);
    expect(e.pcov[0]).toBe(Infinity);
    const named = namedParams(e);
    expect(named['b']).toMatchObject({ value: 7, stderr: 0, vary: false, kind: 'fixed', correl: {} });
    expect(uncertaintyNotes(named)).toEqual([
      'a: the Jacobian is rank-deficient at the fit (the parameter is not determined by the data)',
      'c: tied (3*a - d) to parameters whose errors could not be estimated',
      'd: the Jacobian is rank-deficient at the fit (the parameter is not determined by the data)',
    ]);
  });

  it('gives correlations of every non-fixed pair and lists those above the threshold', () => {
    const named = namedParams(expandParams(L, { x: [2, 0.5], pcov: C, activeMask: [0, 0], grad: [0, 0] }));
    expect(named['a']!.correl['d']).toBeCloseTo(1 / 6, 15);
    expect(named['a']!.correl['c']).toBeCloseTo(11 / (2 * Math.sqrt(39)), 15);
    expect(Object.keys(named['a']!.correl)).toEqual(['c', 'd']);
    expect(named['c']!.relativeError).toBeCloseTo(Math.sqrt(39) / 5.5, 15);
    expect(correlationLines(named, 0.5)).toEqual(['C(a, c) = 0.8807']);
    expect(correlationLines(named, 0.1)).toEqual(['C(a, c) = 0.8807', 'C(c, d) = -0.3203', 'C(a, d) = 0.1667']);
  });
});

describe('curveFit results keyed by name', () => {
  it('reports every parameter by name, in model order, as in the issue', async () => {
    const P = params({ A: 1, mu: { value: 5, min: 0, max: 10 }, s: { value: 1, min: 0 }, c: { value: 0.2, vary: false } });
    const r = await curveFit(model(gauss), xs, ys, { params: P });
    expect(Object.keys(r.params)).toEqual(['A', 'mu', 's', 'c']);
    expect(r.paramNames).toEqual(['A', 'mu', 's', 'c']);
    expect(r.params['mu']!.value).toBe(r.popt[1]);
    expect(r.params['mu']!.stderr).toBe(r.perr[1]);
    expect(r.params['mu']!.initial).toBe(5);
    expect(r.params['mu']).toMatchObject({ min: 0, max: 10, vary: true, atBound: false });
    expect(r.params['mu']!.correl['s']).toBeCloseTo(r.pcov[1]![2]! / (r.perr[1]! * r.perr[2]!), 14);
    expect(r.params['c']!.vary).toBe(false);
    expect(r.pcov.length).toBe(4);
    expect(r.p).toBe(3);
    expect(r.dof).toBe(xs.length - 3);
    const ci = r.confidenceIntervals();
    expect(ci.lower[3]).toBe(0.2);
    expect(Array.from(r.predict([4.6]))[0]).toBeCloseTo(r.popt[0]! + 0.2, 2);
  });

  it('keys a fit without params by the model’s names, all free, initial = p0', () => {
    const r = curveFitSync(model(gauss), xs, ys, { p0: [1, 4, 1, 0] });
    expect(r.params['A']).toMatchObject({ initial: 1, vary: true, kind: 'free', min: -Infinity });
    expect(r.params['s']!.value).toBe(r.popt[2]);
    expect(Object.keys(r.params['s']!.correl)).toEqual(['A', 'mu', 'c']);
  });

  it('marks a parameter stopped at its bound', () => {
    const r = curveFitSync(model(gauss), xs, ys, { params: { A: 1, mu: { value: 4, min: 3, max: 4.2 }, s: 1, c: 0 } });
    expect(r.params['mu']!.atBound).toBe(true);
    expect(r.params['mu']!.value).toBeCloseTo(4.2, 6);
    expect(r.report()).toMatch(/mu += 4\.2 ± .*\(at upper bound\)/);
  });

  it('report(): marks fixed and tied parameters, lists strong correlations, explains errors that cannot be estimated', () => {
    const r = curveFitSync(model(gauss), xs, ys, { params: params({ A: 1, mu: 5, s: 1, c: { value: 0.2, vary: false }, fwhm: { expr: '2.3548*s' } }) });
    const text = r.report();
    expect(text).toMatch(/\n {2}c {4}= 0\.2 ± 0 {2}\(fixed\)\n/);
    expect(text).toMatch(/\n {2}fwhm = [\d.]+ ± [\d.e-]+ {2}\(= 2\.3548\*s\)\n/);
    expect(text).toMatch(/correlations: C\(s, fwhm\) = 1\.0000/);
    expect(r.report({ minCorrelation: 1.5 })).not.toMatch(/correlations/);
    // b never enters the residuals: its column is 0, the covariance cannot be estimated, and b stays at 2
    const flat = curveFitSync(model('a + 0*b'), xs, ys, { params: { a: 1, b: 2 } });
    expect(flat.report()).toMatch(/uncertainties could not be estimated:\n {4}a: .*\n {4}b: at its initial value 2 \(the fit did not move it\)/);
  });
});
