import { fc } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { generateWgslPointBody } from '../../src/backends/webgpu/codegen-wgsl.ts';
import { curveFit, curveFitSync } from '../../src/curve-fit.ts';
import { NlsqRangeError, NlsqTypeError } from '../../src/errors.ts';
import { model } from '../../src/model/model.ts';
import { isParameterSet, params, type ParamInput } from '../../src/model/params.ts';
import { evaluateTree, layoutParams, substituteModel, tieJacobian } from '../../src/model/tie-params.ts';

function caught(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

const xs = Array.from({ length: 60 }, (_, i) => i / 6);
const decayY = xs.map((x, i) => 2.5 * Math.exp(-0.6 * x) + 0.3 + 0.01 * Math.sin(7.3 * i));

describe('params()', () => {
  it('takes numbers and full forms, in the order given', () => {
    const P = params({ b: 2, a: { value: 1, min: 0, max: 5 }, c: { value: 0, vary: false }, w: { expr: '2*a + pi' } });
    expect(isParameterSet(P)).toBe(true);
    expect(isParameterSet({})).toBe(false);
    expect(P.names).toEqual(['b', 'a', 'c', 'w']);
    expect(P.get('a')).toMatchObject({ value: 1, min: 0, max: 5, vary: true, expr: undefined });
    expect(P.get('b')).toMatchObject({ value: 2, min: -Infinity, max: Infinity, vary: true });
    expect(P.get('c')).toMatchObject({ vary: false });
    expect(P.get('w')).toMatchObject({ expr: '2*a + pi', uses: ['a'], vary: false });
    expect(Object.isFrozen(P)).toBe(true);
  });

  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['min > max', { mu: { value: 5, min: 10, max: 0 } }, /params: mu must have min < max, got min = 10 ≥ max = 0/],
    ['min = max', { mu: { value: 5, min: 5, max: 5 } }, /mu must have min < max.*use vary: false/],
    ['a value below min', { s: { value: -1, min: 0 } }, /params: s\.value must lie in \[min, max\] = \[0, Infinity\], got -1/],
    ['a value above max', { s: { value: 11, max: 10 } }, /s\.value must lie in \[min, max\] = \[-Infinity, 10\], got 11/],
    ['a non-finite value', { A: NaN }, /params: A\.value must be a finite number, got NaN/],
    ['a NaN bound', { A: { value: 1, min: NaN } }, /A\.min must be a number/],
    ['a missing value', { A: { min: 0 } }, /params: A needs a value/],
    ['an unknown key', { A: { value: 1, fixed: true } }, /params: A has an unknown key 'fixed'/],
    ['a tie that refers to itself', { s: 1, w: { expr: '2*w + s' } }, /params: w\.expr "2\*w \+ s" refers to w itself/],
    ['a tie with an unknown name', { s: 1, w: { expr: '2*sigma' } }, /params: w\.expr "2\*sigma" uses 'sigma', which is not a parameter \(parameters: s, w\)/],
    ['a tie that uses x', { s: 1, w: { expr: 'x*s' } }, /uses 'x', which is not a parameter/],
    ['a malformed tie', { s: 1, w: { expr: '2*(s' } }, /params: w\.expr "2\*\(s" is not a valid expression/],
    ['a tie with bounds', { s: 1, w: { expr: '2*s', min: 0 } }, /params: w has an expr, so it cannot have min/],
    ['a bad name', { 'not ok': 1 }, /parameter names must be identifiers/],
    ['a function name', { exp: 1 }, /and not function names, got 'exp'/],
  ];
  for (const [what, input, message] of bad) {
    it(`rejects ${what}, naming the parameter`, () => {
      const e = caught(() => params(input as Record<string, ParamInput>));
      expect(e).toBeInstanceOf(NlsqRangeError);
      expect((e as NlsqRangeError).argument).toBe('params');
      expect((e as Error).message).toMatch(message);
    });
  }

  it('rejects wrong types with NlsqTypeError', () => {
    expect(caught(() => params(null as never))).toBeInstanceOf(NlsqTypeError);
    expect(caught(() => params({ a: 'one' } as never))).toBeInstanceOf(NlsqTypeError);
    expect(caught(() => params({ a: { value: 1, vary: 'no' } } as never))).toBeInstanceOf(NlsqTypeError);
    expect(caught(() => params({ a: { expr: 3 } } as never))).toBeInstanceOf(NlsqTypeError);
    expect((caught(() => params({})) as Error).message).toMatch(/at least one parameter/);
  });
});

describe('layoutParams', () => {
  const m = ['A', 'mu', 's', 'c'];
  it('orders model parameters first, then the set’s others; free ones in that order', () => {
    const L = layoutParams('curveFit', params({ fwhm: { expr: '2.3548*s' }, c: { value: 0.5, vary: false }, s: 2, mu: 1, A: 3 }), m);
    expect(L.names).toEqual(['A', 'mu', 's', 'c', 'fwhm']);
    expect(L.kinds).toEqual(['free', 'free', 'free', 'fixed', 'tied']);
    expect(L.free).toEqual([0, 1, 2]);
    expect(Array.from(L.initial)).toEqual([3, 1, 2, 0.5, 2.3548 * 2]);
  });

  const bad: [string, Record<string, ParamInput>, RegExp][] = [
    ['a missing model parameter', { A: 1, mu: 1, s: 1 }, /curveFit: params must give every model parameter \(A, mu, s, c\); missing 'c'/],
    ['an unknown name', { A: 1, mu: 1, s: 1, c: 0, sigma: 1 }, /curveFit: params names 'sigma', which is not a model parameter \(A, mu, s, c\) and no expr uses it/],
    ['a cycle of ties', { A: 1, mu: { expr: 's + 1' }, s: { expr: 'c*mu' }, c: 0 }, /curveFit: params: the ties of mu form a cycle \(mu → s → mu\)/],
    ['no free parameter', { A: { value: 1, vary: false }, mu: { expr: 'A' }, s: { expr: 'A' }, c: { expr: 'A' } }, /leaves no parameter to fit/],
    ['a free parameter used only outside the model', { A: 1, mu: 1, s: 1, c: 0, d: 1, w: { expr: 'd*2' } }, /'d' varies but only ties outside the model use it/],
  ];
  for (const [what, input, message] of bad) {
    it(`rejects ${what}`, () => {
      const e = caught(() => layoutParams('curveFit', params(input), m));
      expect(e).toBeInstanceOf(NlsqRangeError);
      expect((e as Error).message).toMatch(message);
    });
  }

  it('substitutes chains of ties and gives their exact gradient', () => {
    const L = layoutParams('fit', params({ a: 2, b: { expr: 'a^2' }, c: { expr: 'b*k + 1' }, k: { value: 3, vary: false } }), ['a', 'b', 'c']);
    expect(L.free).toEqual([0]);
    expect(evaluateTree(L.trees[2]!, [1.5])).toBe(1.5 ** 2 * 3 + 1);
    // ∂c/∂a = 2·a·k
    expect(Array.from(tieJacobian(L, [1.5]))).toEqual([1, 3, 9, 0]);
  });
});

describe('substituteModel', () => {
  it('puts fixed values and ties into the expression; the derived model has the free parameters only', () => {
    const m = model('A*exp(-((x-mu)^2)/(2*s^2)) + c');
    const L = layoutParams('curveFit', params({ A: 1, mu: { value: -2, vary: false }, s: 1, c: { expr: 'A/10' } }), m.params);
    const d = substituteModel(m, L);
    expect(d.params).toEqual(['A', 's']);
    expect(d.source).toBe('A*exp(-(x - (-2))^2/(2*s^2)) + A/10');
    expect(d.derivatives.length).toBe(2);
    expect(substituteModel(m, layoutParams('curveFit', params({ A: 1, mu: 1, s: 1, c: 1 }), m.params))).toBe(m);
  });

  it('keeps the variables of a multi-variable model', () => {
    const m = model('a*u + b*v', { variables: ['u', 'v'] });
    const d = substituteModel(m, layoutParams('curveFit', params({ a: 1, b: { value: 2, vary: false } }), m.params));
    expect(d.variables).toEqual(['u', 'v']);
    expect(Array.from(d.evaluate([3], [[1], [10]]))).toEqual([23]);
  });
});

describe('fixed and tied parameters give exactly the fit of the substituted model', () => {
  const value = fc.double({ min: -3, max: 3, noNaN: true }).filter((v) => !Object.is(v, -0));

  it('vary: false equals the model with the value written in (property)', () => {
    fc.assert(
      fc.property(value, fc.double({ min: 0.5, max: 3, noNaN: true }), (c, a0) => {
        const r = curveFitSync(model('a*exp(-b*x) + c'), xs, decayY, { params: params({ a: a0, b: 1, c: { value: c, vary: false } }) });
        const ref = curveFitSync(model(`a*exp(-b*x) + (${c})`, { params: ['a', 'b'] }), xs, decayY, { p0: [a0, 1] });
        expect(r.popt.slice(0, 2)).toEqual(ref.popt);
        expect(r.popt[2]).toBe(c);
        expect(r.pcov.map((row) => row.slice(0, 2)).slice(0, 2)).toEqual(ref.pcov);
        expect(r.pcov[2]).toEqual([0, 0, 0]);
        expect(r.perr[2]).toBe(0);
        expect(r.cost).toBe(ref.cost);
        expect(r.nfev).toBe(ref.nfev);
        expect(r.dof).toBe(ref.dof);
      }),
      { numRuns: 25 },
    );
  });

  it('an expr tie equals the model with the expression written in (property)', () => {
    const y = xs.map((x, i) => 2 * Math.exp(-((x - 4) ** 2) / 2) + 1.2 * Math.exp(-((x - 6.5) ** 2) / 2) + 0.02 * Math.cos(3.1 * i));
    fc.assert(
      fc.property(fc.double({ min: 0.5, max: 2, noNaN: true }), value, (r0, d0) => {
        const expr = `${r0}*s1`;
        const P = params({ A1: 2, mu1: 4, s1: 1, A2: 1, mu2: { expr: `mu1 + 2.5 + ${d0}/100` }, s2: { expr } });
        const text = 'A1*exp(-((x-mu1)^2)/(2*s1^2)) + A2*exp(-((x-mu2)^2)/(2*s2^2))';
        const r = curveFitSync(model(text), xs, y, { params: P });
        const subst = text.replace(/\bmu2\b/g, `(mu1 + 2.5 + (${d0})/100)`).replace(/\bs2\b/g, `(${expr})`);
        const ref = curveFitSync(model(subst, { params: ['A1', 'mu1', 's1', 'A2'] }), xs, y, { p0: [2, 4, 1, 1] });
        expect(r.popt.slice(0, 4)).toEqual(ref.popt);
        expect(r.cost).toBe(ref.cost);
        // the tied value is its expression at popt; its error the delta method |r0|·σ(s1)
        expect(r.params['s2']!.value).toBe(r0 * ref.popt[2]!);
        expect([r.params['s2']!.stderr]).toBeAllclose([r0 * ref.perr[2]!], { rtol: 1e-14 });
      }),
      { numRuns: 10 },
    );
  });
});

describe('the derived model runs on every backend', () => {
  const text = 'A*exp(-((x-mu)^2)/(2*s^2)) + c';
  const y = xs.map((x, i) => 2 * Math.exp(-((x - 4) ** 2) / 2.5) + 0.3 + 0.01 * Math.sin(9.1 * i));
  const P = params({ A: 1, mu: { value: 4.5, min: 0, max: 10 }, s: 1, c: { value: 0.3, vary: false }, fwhm: { expr: '2.3548*s' } });

  it('WASM and WASM SIMD give the CPU fit (to rounding)', async () => {
    const cpu = await curveFit(model(text), xs, y, { params: P, backend: 'cpu' });
    for (const backend of ['wasm', 'wasm-simd'] as const) {
      const r = await curveFit(model(text), xs, y, { params: P, backend });
      expect(r.backend).toMatch(/^wasm/);
      expect(r.popt).toBeAllclose(cpu.popt, { rtol: 1e-9 });
      expect(r.perr).toBeAllclose(cpu.perr, { rtol: 1e-7 });
      expect(r.popt[3]).toBe(0.3);
    }
  });

  it('generates WGSL for the derived program (free parameters only)', () => {
    const m = model(text);
    const d = substituteModel(m, layoutParams('curveFit', P, m.params));
    expect(d.program.gradient.length).toBe(3);
    const body = generateWgslPointBody(d.program, true);
    expect(JSON.stringify(body)).toMatch(/0\.3/);
  });
});
