import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { doglegStep, dogboxSteps } from '../../src/optim/dogbox.ts';
import type { Evaluation } from '../../src/optim/evaluation.ts';
import { fixedScale } from '../../src/optim/scaling.ts';
import { unpackTriangle } from '../../src/optim/solver-common.ts';
import type { LinearizedPoint } from '../../src/optim/trust-region-minimizer.ts';
import { createDenseProblem } from './dense-problem.ts';
import { caseOptions, loadFixture, problems } from './problems.ts';

const F = (a: number[]) => Float64Array.from(a);

describe('doglegStep', () => {
  it('returns the Newton step when it fits in the box', () => {
    const newton = F([0.1, -0.2]);
    const out = doglegStep(F([0, 0]), newton, F([1, 1]), 1, -2, F([1, 1]), F([-5, -5]), F([5, 5]));
    expect(out.step).toBe(newton);
    expect(out.trHit).toBe(false);
    expect(Array.from(out.boundHits)).toEqual([0, 0]);
  });

  it('flags the original bound it lands on', () => {
    // Newton step crosses the upper bound of x₀ (0.5 away) inside a large trust region.
    const out = doglegStep(F([0.5, 0]), F([2, 0]), F([-1, 0]), 0.5, -1, F([10, 10]), F([-5, -5]), F([1, 5]));
    expect(out.step[0]).toBeCloseTo(0.5, 14);
    expect(Array.from(out.boundHits)).toEqual([1, 0]);
    expect(out.trHit).toBe(false);
  });

  test.prop(
    [
      fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 3, maxLength: 3 }),
      fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 3, maxLength: 3 }),
      fc.double({ min: 0.05, max: 2, noNaN: true }),
    ],
    { numRuns: 60 },
  )('always stays in the intersection of the trust box and the bounds', (newtonArr, gArr, Delta) => {
    const x = F([0.2, -0.3, 0]);
    const lb = F([-1, -1, -Infinity]);
    const ub = F([1, 0.5, Infinity]);
    const g = F(gArr);
    // A gradient of subnormal size overflows the step to the box in SciPy too (NaN Cauchy point);
    // the solver stops on gtol long before that.
    fc.pre(g.some((v) => Math.abs(v) > 1e-6));
    const a = 0.5 * gArr.reduce((s, v) => s + v * v, 0) * 2;
    const b = -gArr.reduce((s, v) => s + v * v, 0);
    const tr = F([Delta, Delta, Delta]);
    const { step } = doglegStep(x, F(newtonArr), g, a, b, tr, lb, ub);
    for (let i = 0; i < 3; i++) {
      const tol = 1e-12;
      expect(step[i]!).toBeLessThanOrEqual(Math.min(ub[i]! - x[i]!, Delta) + tol);
      expect(step[i]!).toBeGreaterThanOrEqual(Math.max(lb[i]! - x[i]!, -Delta) - tol);
    }
  });
});

describe('dogboxSteps', () => {
  const fixture = loadFixture();
  const spec = problems(fixture).expfit!;
  const options = caseOptions(fixture.cases.find((c) => c.name === 'expfit-bounded-dogbox')!);
  const { lb, ub } = options;
  const at = (x: Float64Array, scale = F([1, 1, 1])): LinearizedPoint => {
    const ev = createDenseProblem(spec).evaluate(x, true) as Evaluation;
    return { x, lin: unpackTriangle(ev.T!, 3), scale: fixedScale(scale) };
  };

  it('freezes a variable on its bound while the gradient pushes outward: no step, no part in the optimality', () => {
    const x0 = at(F([2.5, 1.5, 0.6]));
    expect(x0.lin.g[2]!).toBeGreaterThan(0); // the cost would fall with c below its bound 0.6
    const steps = dogboxSteps(options);
    expect(steps.start(x0, 50)).toBe(2.5); // ‖x0 ∘ scaleInv‖∞
    const model = steps.linearize(x0);
    expect(model.optimality).toBe(Math.max(Math.abs(x0.lin.g[0]!), Math.abs(x0.lin.g[1]!)));
    expect(model.compute(0.5).step[2]).toBe(0);
    expect(Array.from(steps.activeMask(x0.x))).toEqual([0, 0, -1]);
  });

  test.prop(
    [
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 }),
      fc.double({ min: 1e-3, max: 20, noNaN: true }),
      fc.array(fc.double({ min: 0.1, max: 10, noNaN: true }), { minLength: 3, maxLength: 3 }),
    ],
    { numRuns: 50 },
  )('stays in the box Δ·scale ∩ bounds; on acceptance the variables it landed on sit exactly on their bounds', (u, Delta, scale) => {
    const x = Float64Array.from(u, (t, j) => lb[j]! + t * (ub[j]! - lb[j]!));
    const point = at(x, F(scale));
    const steps = dogboxSteps(options);
    steps.start(point, 50);
    const trial = steps.linearize(point).compute(Delta);
    for (let j = 0; j < 3; j++) {
      expect(Math.abs(trial.step[j]!)).toBeLessThanOrEqual(Delta * scale[j]! * (1 + 1e-12));
      expect(trial.xTrial[j]!).toBeGreaterThanOrEqual(lb[j]!);
      expect(trial.xTrial[j]!).toBeLessThanOrEqual(ub[j]!);
    }
    expect(trial.norm).toBeLessThanOrEqual(Delta * (1 + 1e-12));
    steps.accept!(trial);
    const mask = steps.activeMask(trial.xNext);
    for (let j = 0; j < 3; j++) {
      if (mask[j] === -1) expect(trial.xNext[j]).toBe(lb[j]);
      else if (mask[j] === 1) expect(trial.xNext[j]).toBe(ub[j]);
      else expect(trial.xNext[j]).toBe(trial.xTrial[j]);
    }
  });
});
