import { describe, expect, it } from 'vitest';
import { createClosureKernel } from '../../src/model/closure-kernel.ts';
import { computeBand, parseNewX, predictWithGradient, type BandContext } from '../../src/result/bands.ts';
import { studentTQuantile } from '../../src/stats/student-t.ts';

const f = (x: number, a: number, k: number) => a * Math.exp(-k * x);
const jac = (x: number, a: number, k: number) => [Math.exp(-k * x), -a * x * Math.exp(-k * x)];
const context = (analytic: boolean): BandContext => ({
  caller: 'test',
  kernel: createClosureKernel({ f, jac: analytic ? jac : undefined, nParams: 2, nVariables: 1 }),
  popt: Float64Array.of(2, 0.5),
  pcov: Float64Array.of(0.04, 0.001, 0.001, 0.0025),
  lb: Float64Array.of(-Infinity, -Infinity),
  ub: Float64Array.of(Infinity, Infinity),
  dof: 7,
  residualVariance: 0.09,
  sigmaScale: 1.5,
});

describe('bands by the delta method', () => {
  it('uses the exact gradient of an analytic kernel and central differences otherwise (they agree)', () => {
    const exact = predictWithGradient(context(true), [Float64Array.of(0, 1, 3)]);
    const numeric = predictWithGradient(context(false), [Float64Array.of(0, 1, 3)]);
    expect([...exact.G]).toEqual([1, -0, Math.exp(-0.5), -2 * Math.exp(-0.5), Math.exp(-1.5), -6 * Math.exp(-1.5)]);
    exact.G.forEach((g, k) => expect(numeric.G[k]).toBeCloseTo(g, 9));
  });

  it('gives ŷ ± t·√(gᵀPg) and, for prediction, adds the residual variance or σ²·scale', () => {
    const x = 1;
    const g = jac(x, 2, 0.5);
    const v = g[0]! ** 2 * 0.04 + 2 * g[0]! * g[1]! * 0.001 + g[1]! ** 2 * 0.0025;
    const t = studentTQuantile(0.975, 7);
    const band = computeBand(context(true), [x], 0.95, false);
    expect(band.stderr[0]).toBeCloseTo(Math.sqrt(v), 14);
    expect(band.lower[0]).toBeCloseTo(f(x, 2, 0.5) - t * Math.sqrt(v), 13);
    expect(computeBand(context(true), x, 0.95, true).stderr[0]).toBeCloseTo(Math.sqrt(v + 0.09), 14);
    expect(computeBand(context(true), [x], 0.95, true, [0.2]).stderr[0]).toBeCloseTo(Math.sqrt(v + 0.04 * 1.5), 14);
  });

  it('rejects a bad level, a wrongly shaped x or sigma, and dof ≤ 0', () => {
    expect(() => computeBand(context(true), [1], 1.2, false)).toThrow(/test: level must be in \(0, 1\), got 1.2/);
    expect(() => parseNewX('test', [[1], [2]], 1)).toThrow(/x must have 1 row\(s\) \(one per variable\), got 2/);
    expect(() => computeBand(context(true), [1, 2], 0.9, true, [1])).toThrow(/sigma must have length 2 \(one per new x\), got 1/);
    expect(() => computeBand({ ...context(true), dof: 0 }, [1], 0.9, false)).toThrow(/bands need dof = n − p > 0, got 0/);
  });
});
