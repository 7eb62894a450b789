import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { differenceColumns, planDifferences } from '../../src/optim/finite-difference.ts';

interface Case {
  method: '2-point' | '3-point';
  x: number[];
  lb: (number | null)[];
  ub: (number | null)[];
  relStep: number[] | null;
  t: number[];
  J: number[][];
  h: number[];
  oneSided: boolean[];
}
const cases = JSON.parse(readFileSync(new URL('../fixtures/scipy/finite-difference.json', import.meta.url), 'utf8')) as Case[];

const fun = (p: Float64Array, t: number): number => p[0]! * Math.exp(-p[1]! * t) + p[2]! * Math.sin(p[3]! * t) - 0.3;

describe('planDifferences', () => {
  it.each(cases.map((c, i) => [`${c.method} case ${i}`, c] as const))('reproduces SciPy approx_derivative (%s)', (_, c) => {
    const x = Float64Array.from(c.x);
    const plan = planDifferences(x, {
      kind: c.method,
      relStep: c.relStep === null ? null : Float64Array.from(c.relStep),
      lb: Float64Array.from(c.lb, (v) => v ?? -Infinity),
      ub: Float64Array.from(c.ub, (v) => v ?? Infinity),
    });
    const m = c.t.length;
    const f0 = Float64Array.from(c.t, (t) => fun(x, t));
    const A = new Float64Array(m * 4);
    const at = (theta: Float64Array, out: Float64Array): void => c.t.forEach((t, i) => (out[i] = fun(theta, t)));
    differenceColumns(plan, f0, m, A, 4, at, new Float64Array(m), new Float64Array(m));
    // The steps are SciPy's bit for bit; J agrees to the rounding of exp/sin amplified by 1/h.
    for (let j = 0; j < 4; j++) {
      const h = c.h[j]!;
      const sciDx = c.method === '2-point' ? x[j]! + h - x[j]! : c.oneSided[j] ? x[j]! + 2 * h - x[j]! : x[j]! + h - (x[j]! - h);
      expect(plan.dx[j]).toBe(sciDx);
      expect(plan.formula[j]).toBe(c.method === '2-point' ? 0 : c.oneSided[j] ? 2 : 1);
    }
    expect(Array.from({ length: m }, (_, i) => A.subarray(i * 4, i * 4 + 4))).toBeAllclose(c.J, { rtol: 1e-6, atol: 1e-6 });
  });

  it('keeps every perturbed point inside the bounds', () => {
    const x = Float64Array.from([1, 0, 5]);
    const lb = Float64Array.from([0, 0, 4.9999999999]);
    const ub = Float64Array.from([1, 1e-12, 5]);
    for (const kind of ['2-point', '3-point'] as const) {
      const plan = planDifferences(x, { kind, relStep: null, lb, ub });
      for (const t of plan.thetas) t.forEach((v, j) => expect(v >= lb[j]! && v <= ub[j]!).toBe(true));
    }
  });

  it('uses MINPACK fdjac2 steps for the minpack scheme', () => {
    const plan = planDifferences(Float64Array.from([2, 0]), { kind: 'minpack', epsfcn: 0 });
    const eps = Math.sqrt(2.220446049250313e-16);
    expect(plan.dx[0]).toBe(2 * eps);
    expect(plan.dx[1]).toBe(eps);
    expect(plan.thetas[1]![1]).toBe(eps);
  });
});
