import { describe, expect, it } from 'vitest';
import { curveFitSync } from '../../src/curve-fit.ts';
import { NlsqRangeError, NlsqTypeError } from '../../src/errors.ts';
import { leastSquaresSync } from '../../src/least-squares.ts';
import type { FittableModel } from '../../src/model/model-kernel.ts';
import { model } from '../../src/model/model.ts';
import { models } from '../../src/model/models/index.ts';
import { params } from '../../src/model/params.ts';
import { resolveCurveFitOptions } from '../../src/options/resolve-curve-fit.ts';
import { resolveParams } from '../../src/options/resolve-params.ts';

function caught(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

const xs = Array.from({ length: 40 }, (_, i) => i / 4);
const ys = xs.map((x, i) => 2 * Math.exp(-0.5 * x) + 0.25 + 0.01 * Math.cos(2.3 * i));
const decay = (x: number, a: number, k: number, c: number): number => a * Math.exp(-k * x) + c;

describe('resolveParams', () => {
  it('is nothing without params', () => {
    expect(resolveParams('curveFit', decay, {})).toBeUndefined();
  });

  it('rejects params with p0 or bounds', () => {
    const e = caught(() => curveFitSync(model('a*exp(-k*x) + c'), xs, ys, { params: { a: 1, k: 1, c: 0 }, p0: [1, 1, 0] }));
    expect(e).toBeInstanceOf(NlsqRangeError);
    expect(e).toMatchObject({ argument: 'p0', message: 'curveFitSync: give either params or p0, not both (params holds each parameter\'s value, min and max)' });
    expect(caught(() => curveFitSync(decay, xs, ys, { params: { a: 1, k: 1, c: 0 }, bounds: [0, 5] }))).toMatchObject({ argument: 'bounds' });
  });

  it('rejects a params value that is not an object, and errors of its parameters name them', () => {
    expect(caught(() => curveFitSync(decay, xs, ys, { params: 3 as never }))).toBeInstanceOf(NlsqTypeError);
    expect(caught(() => curveFitSync(decay, xs, ys, { params: { a: 1, k: { value: 2, min: 3 }, c: 0 } })).message).toMatch(/params: k\.value must lie in \[min, max\]/);
    expect(caught(() => curveFitSync(model('a*exp(-k*x) + c'), xs, ys, { params: { a: 1, k: 1, c: 0, q: 1 } })).message).toMatch(/curveFitSync: params names 'q', which is not a model parameter/);
  });

  it('takes the names of a plain function from the set, and checks their number against f.length', () => {
    const r = curveFitSync(decay, xs, ys, { params: { a: 1, k: 1, c: 0 } });
    expect(r.paramNames).toEqual(['a', 'k', 'c']);
    const ref = curveFitSync(decay, xs, ys, { p0: [1, 1, 0] });
    expect(r.popt).toEqual(ref.popt);
    expect(r.pcov).toEqual(ref.pcov);
    expect(caught(() => curveFitSync(decay, xs, ys, { params: { a: 1, k: 1 } })).message).toBe(
      'curveFitSync: params must name 3 parameters (one per parameter of f, in order), got 2 (a, k)',
    );
  });

  it('passes a plain function’s fixed parameters through a wrapper, and restricts a jac function to the free columns', () => {
    const jac = (x: number, a: number, k: number, _c: number) => [Math.exp(-k * x), -a * x * Math.exp(-k * x), 1];
    const r = curveFitSync(decay, xs, ys, { params: { a: 1, k: { value: 0.5, vary: false }, c: 0 }, jac });
    const ref = curveFitSync((x: number, a: number, c: number) => decay(x, a, 0.5, c), xs, ys, { p0: [1, 0], jac: (x: number, a: number, c: number) => [jac(x, a, 0.5, c)[0]!, 1] });
    expect([r.popt[0], r.popt[2]]).toEqual(ref.popt);
    expect(r.popt[1]).toBe(0.5);
    expect(r.perr[1]).toBe(0);
  });

  it('rejects a tie with a plain function: it needs an expression to substitute into', () => {
    expect(caught(() => curveFitSync(decay, xs, ys, { params: { a: 1, k: 1, c: { expr: 'k/2' } } })).message).toBe(
      'curveFitSync: params: c is tied (expr "k/2"), which needs an expression model to substitute into; use model(\'…\') instead of a function',
    );
  });

  it('rejects fixed parameters for a FittableModel that is not an expression model, and accepts one without', () => {
    const m = model('a*exp(-k*x) + c');
    const custom: FittableModel = { params: m.params, variables: m.variables, createKernel: () => m.createKernel() };
    expect(caught(() => curveFitSync(custom, xs, ys, { params: { a: 1, k: { value: 1, vary: false }, c: 0 } })).message).toMatch(/need an expression model/);
    expect(curveFitSync(custom, xs, ys, { params: { a: 1, k: 1, c: 0 } }).popt).toEqual(curveFitSync(m, xs, ys, { p0: [1, 1, 0] }).popt);
  });

  it('gives the solver the free p0 and bounds; a model’s defaultBounds do not apply; SciPy’s method rule follows', () => {
    const g = models.gaussian();
    const free = resolveCurveFitOptions('curveFit', g, xs, ys, { params: { a: 1, mu: 2, sigma: { value: 1, vary: false } } });
    expect(free.p).toBe(2);
    expect(Array.from(free.settings.solver.x0)).toEqual([1, 2]);
    expect(Array.from(free.settings.solver.lb)).toEqual([-Infinity, -Infinity]);
    expect(free.settings.solver.method).toBe('lm');
    expect(free.paramNames).toEqual(['a', 'mu']);
    expect(free.paramLayout?.names).toEqual(['a', 'mu', 'sigma']);
    const bounded = resolveCurveFitOptions('curveFit', g, xs, ys, { params: { a: 1, mu: { value: 2, min: 0 }, sigma: 1 } });
    expect(Array.from(bounded.settings.solver.lb)).toEqual([-Infinity, 0, -Infinity]);
    expect(bounded.settings.solver.method).toBe('trf');
  });

  it('is a curveFit option only', () => {
    expect(caught(() => leastSquaresSync((p) => [p[0]! - 1], [0], { params: params({ a: 1 }) } as never)).message).toMatch(/unknown option 'params'/);
  });
});
