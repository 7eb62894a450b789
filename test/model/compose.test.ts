import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { curveFit, curveFitSync } from '../../src/curve-fit.ts';
import { NlsqRangeError, NlsqTypeError } from '../../src/errors.ts';
import { Model, model } from '../../src/model/model.ts';
import { models } from '../../src/model/models/index.ts';
import { params } from '../../src/model/params.ts';

function caught(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

const g = (t: number, a: number, mu: number, s: number): number => a * Math.exp(-((t - mu) ** 2) / (2 * s * s));
const xs = Array.from({ length: 241 }, (_, i) => i / 12);
const twoPeaks = xs.map((t, i) => g(t, 5, 6, 0.8) + g(t, 3, 13, 1.2) + 0.5 + 0.03 * t + 0.02 * Math.sin(7.1 * i));
const peaksModel = (): Model => models.gaussian({ prefix: 'g1_' }).plus(models.gaussian({ prefix: 'g2_' })).plus(models.linear({ prefix: 'bg_' }));

describe('prefix', () => {
  it('renames every parameter of a library model and round-trips through JSON', () => {
    const m = models.gaussian({ prefix: 'g1_' });
    expect(m.params).toEqual(['g1_a', 'g1_mu', 'g1_sigma']);
    expect(m.expression).toBe('g1_a*exp(-(x - g1_mu)^2/(2*g1_sigma^2))');
    expect(m.prefix).toBe('g1_');
    expect(m.peak).toBe(true);
    const back = Model.fromJSON(m.toJSON());
    expect(back.params).toEqual(m.params);
    expect(Array.from(back.evaluate([2, 1, 0.5], [0, 1, 2]))).toEqual(Array.from(m.evaluate([2, 1, 0.5], [0, 1, 2])));
    expect(models.polynomial(2, { prefix: 'p_' }).params).toEqual(['p_c0', 'p_c1', 'p_c2']);
    expect(model('a*x + b', { params: ['a', 'b'], prefix: 'q' }).params).toEqual(['qa', 'qb']);
  });

  it('rejects a prefix that is not an identifier, naming it', () => {
    const e = caught(() => models.gaussian({ prefix: '1g' }));
    expect(e).toBeInstanceOf(NlsqRangeError);
    expect((e as NlsqRangeError).argument).toBe('prefix');
    expect((e as Error).message).toMatch(/prefix must be an identifier such as 'g1_'.*got "1g"/);
    expect(() => models.gaussian({ prefix: 3 as never })).toThrow(NlsqTypeError);
  });
});

describe('plus, minus, times, divide, compose', () => {
  const a = models.gaussian({ prefix: 'g_' });
  const b = models.exponentialDecay({ prefix: 'e_' });
  const cases = [
    ['plus', '+', (u: number, v: number) => u + v],
    ['minus', '-', (u: number, v: number) => u - v],
    ['times', '*', (u: number, v: number) => u * v],
    ['divide', '/', (u: number, v: number) => u / v],
  ] as const;
  for (const [method, op, f] of cases) {
    it(`${method} is the model written by hand, with both components' values`, () => {
      const m = a[method](b);
      const byHand = model(`(${a.expression}) ${op} (${b.expression})`, { params: [...a.params, ...b.params] });
      expect(m.expression).toBe(byHand.expression);
      expect(m.params).toEqual([...a.params, ...b.params]);
      expect(m.derivatives).toEqual(byHand.derivatives);
      expect(m.components).toEqual([a, b]);
      expect(m.defaultBounds).toEqual([[-Infinity, -Infinity, 0, -Infinity, 0, -Infinity], [Infinity, Infinity, Infinity, Infinity, Infinity, Infinity]]);
    });
    fcTest.prop([fc.array(fc.double({ min: 0.5, max: 3, noNaN: true }), { minLength: 6, maxLength: 6 }), fc.double({ min: -2, max: 5, noNaN: true })])(
      `${method} evaluates as the components combined`,
      (theta, t) => {
        const m = a[method](b);
        const u = a.evaluate(theta.slice(0, 3), [t])[0]!;
        const v = b.evaluate(theta.slice(3), [t])[0]!;
        expect(Array.from(m.evaluate(theta, [t]))).toBeAllclose([f(u, v)], { rtol: 1e-13, atol: 1e-300 });
      },
    );
  }

  it('compose substitutes a model for a variable', () => {
    const m = models.exponentialDecay().compose({ x: model('x - t0') });
    expect(m.params).toEqual(['a', 'k', 'c', 't0']);
    expect(m.expression).toBe(model('a*exp(-k*(x - t0)) + c').expression);
    expect(m.components).toEqual([m]);
    expect(() => models.linear().compose({ t: model('x - t0') })).toThrow(/Model\.compose: 't' is not a variable of linear \(variables: x\)/);
    expect(() => models.linear().compose({ x: 3 as never })).toThrow(NlsqTypeError);
  });

  it('a fit of the composite is the fit of the hand-written model, bit for bit', () => {
    const m = peaksModel();
    const byHand = model(m.expression, { params: [...m.params], defaultBounds: m.defaultBounds! });
    const p0 = [4, 5.5, 1, 2, 12.5, 1, 0, 0.3];
    const r1 = curveFitSync(m, xs, twoPeaks, { p0 });
    const r2 = curveFitSync(byHand, xs, twoPeaks, { p0 });
    expect(r1.popt).toEqual(r2.popt);
    expect(r1.popt).toBeAllclose([5, 6, 0.8, 3, 13, 1.2, 0.03, 0.5], { rtol: 0.02, atol: 0.01 });
  });

  it('runs compiled on the wasm backend with the answer of the CPU', async () => {
    const m = peaksModel();
    const P = m.guess(xs, twoPeaks);
    const cpu = await curveFit(m, xs, twoPeaks, { params: P, backend: 'cpu' });
    const wasm = await curveFit(m, xs, twoPeaks, { params: P, backend: 'wasm' });
    expect(wasm.backend).toMatch(/^wasm/);
    expect(wasm.popt).toBeAllclose(cpu.popt, { rtol: 1e-9 });
  });

  it('a parameter in both components is an error naming it', () => {
    const e = caught(() => models.gaussian().plus(models.lorentzian()));
    expect(e).toBeInstanceOf(NlsqRangeError);
    expect((e as NlsqRangeError).argument).toBe('other');
    expect((e as Error).message).toMatch(/^Model\.plus: parameter 'a' is in both gaussian \(a, mu, sigma\) and lorentzian \(a, x0, gamma\); give the components distinct prefixes/);
    expect(() => models.gaussian().times(model('x*mu', { params: ['x'], variables: ['mu'] }))).toThrow(/Model\.times: 'x' is a parameter of one component and a variable of the other/);
    expect(() => models.gaussian().plus('linear' as never)).toThrow(NlsqTypeError);
  });
});

describe('guess and components', () => {
  it('shares the peaks out: each Gaussian takes a different peak, the line takes the baseline', () => {
    const m = peaksModel();
    const P = m.guess(xs, twoPeaks);
    expect(P.names).toEqual(m.params);
    const v = (n: string): number => P.get(n)!.value;
    expect(Math.abs(v('g1_mu') - 6)).toBeLessThan(0.2);
    expect(Math.abs(v('g2_mu') - 13)).toBeLessThan(0.2);
    expect(Math.abs(v('g1_a') - 5) / 5).toBeLessThan(0.15);
    expect(Math.abs(v('g2_a') - 3) / 3).toBeLessThan(0.15);
    expect(Math.abs(v('bg_b') - 0.5)).toBeLessThan(0.3);
    expect(P.get('g1_sigma')!.min).toBe(0);
    const r = curveFitSync(m, xs, twoPeaks, { params: P });
    expect(r.popt).toBeAllclose([5, 6, 0.8, 3, 13, 1.2, 0.03, 0.5], { rtol: 0.02, atol: 0.01 });
    // p0: 'auto' uses the same estimator.
    expect(curveFitSync(m, xs, twoPeaks, { p0: 'auto' }).popt).toEqual(r.popt);
  });

  it('components(x): each component at the fitted parameters, summing to the fit', () => {
    const m = peaksModel();
    const r = curveFitSync(m, xs, twoPeaks, { params: m.guess(xs, twoPeaks) });
    const at = [0, 6, 9.5, 13];
    const c = r.components(at);
    expect(Object.keys(c)).toEqual(['g1_', 'g2_', 'bg_']);
    const p = r.params;
    expect(Array.from(c['g1_']!)).toBeAllclose(at.map((t) => g(t, p['g1_a']!.value, p['g1_mu']!.value, p['g1_sigma']!.value)), { rtol: 1e-14 });
    expect(Array.from(c['bg_']!)).toBeAllclose(at.map((t) => p['bg_a']!.value * t + p['bg_b']!.value), { rtol: 1e-14 });
    const sum = at.map((_, i) => c['g1_']![i]! + c['g2_']![i]! + c['bg_']![i]!);
    expect(sum).toBeAllclose(Array.from(r.predict(at)), { rtol: 1e-13 });
    // a model that is not a composite is its own single component, keyed by name
    const single = curveFitSync(models.linear(), xs, xs.map((t) => 2 * t + 1), { p0: [1, 0] });
    expect(Object.keys(single.components([1, 2]))).toEqual(['linear']);
    // a plain function has none
    const f = curveFitSync((t: number, q: number) => q * t, xs, xs, { p0: [1], lift: false });
    expect(() => f.components([1])).toThrow(/components need an expression model/);
  });

  it('names a component without an estimator, and bad ties and unknown names name the parameter', () => {
    const m = model('q*x').plus(models.gaussian({ prefix: 'g1_' }));
    expect(() => m.guess(xs, twoPeaks)).toThrow(/Model\.guess: component q\*x has no estimator, so its parameters \(q\) cannot be guessed/);
    const peaks = peaksModel();
    const guess = Object.fromEntries(peaks.guess(xs, twoPeaks).list.map((s) => [s.name, { value: s.value, min: s.min, max: s.max }]));
    expect(() => params({ ...guess, g2_sigma: { expr: 'g3_sigma' } })).toThrow(/g2_sigma\.expr "g3_sigma" uses 'g3_sigma', which is not a parameter/);
    expect(() => curveFitSync(peaks, xs, twoPeaks, { params: { ...guess, g3_a: 1 } })).toThrow(/params names 'g3_a', which is not a model parameter/);
    // a tie across components works, and is exact
    const tied = curveFitSync(peaks, xs, twoPeaks, { params: { ...guess, g2_sigma: { expr: 'g1_sigma*1.5' } } });
    expect(tied.params['g2_sigma']!.value).toBeCloseTo(1.5 * tied.params['g1_sigma']!.value, 14);
  });
});
