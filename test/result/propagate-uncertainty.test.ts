import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { curveFitSync } from '../../src/curve-fit.ts';
import { ModelParseError, NlsqRangeError } from '../../src/errors.ts';
import { model } from '../../src/model/model.ts';
import { propagateUncertainty } from '../../src/result/propagate-uncertainty.ts';

const names = ['a', 'b', 'c'];
const cov = [
  [0.04, 0.01, -0.002],
  [0.01, 0.09, 0.003],
  [-0.002, 0.003, 0.01],
];

describe('propagateUncertainty (delta method, exact gradient)', () => {
  test.prop([fc.double({ min: -5, max: 5, noNaN: true }), fc.double({ min: -5, max: 5, noNaN: true })])('a linear g = u·a + v·b has Var = u²σ_a² + v²σ_b² + 2uv·cov(a, b) exactly', (u, v) => {
    const r = propagateUncertainty('t', `${u}*a + ${v}*b`, names, [1, 2, 3], cov);
    const variance = u * u * 0.04 + v * v * 0.09 + 2 * u * v * 0.01;
    expect(r.value).toBeCloseTo(u + 2 * v, 12);
    expect(r.stderr).toBeCloseTo(Math.sqrt(Math.max(variance, 0)), 12);
  });

  it('gives the closed-form gradient of a*b/c and its variance, and perr for g = a parameter', () => {
    const [a, b, c] = [1.5, 2, 4];
    const r = propagateUncertainty('t', 'a*b/c', names, [a, b, c], cov);
    const g = [b / c, a / c, (-a * b) / (c * c)];
    expect(r.value).toBeCloseTo((a * b) / c, 14);
    expect(r.gradient).toBeAllclose(g, { rtol: 1e-14 });
    let v = 0;
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) v += g[i]! * cov[i]![j]! * g[j]!;
    expect(r.stderr).toBeCloseTo(Math.sqrt(v), 14);
    expect(propagateUncertainty('t', 'b', names, [a, b, c], cov).stderr).toBeCloseTo(0.3, 15);
  });

  it('is a method of the result: the half-life of an exponential decay from the fit', () => {
    const x = Array.from({ length: 40 }, (_, i) => i / 4);
    const y = x.map((t, i) => 3 * Math.exp(-0.7 * t) + 0.01 * Math.sin(7 * i));
    const r = curveFitSync(model('a*exp(-b*x)'), x, y, { p0: [1, 1] });
    const h = r.uncertainty('log(2)/b');
    expect(h.value).toBeCloseTo(Math.log(2) / r.popt[1]!, 14);
    expect(h.stderr).toBeCloseTo((Math.log(2) / r.popt[1]! ** 2) * r.perr[1]!, 14);
  });

  it('rejects an unknown name and a value that is not finite, naming the expression', () => {
    expect(() => propagateUncertainty('t', 'a*q', names, [1, 2, 3], cov)).toThrow(ModelParseError);
    expect(() => propagateUncertainty('t', 'log(a - 1)', names, [1, 2, 3], cov)).toThrow(NlsqRangeError);
    expect(() => propagateUncertainty('t', 'log(a - 1)', names, [1, 2, 3], cov)).toThrow(/"log\(a - 1\)" or its gradient is not finite at popt/);
  });
});
