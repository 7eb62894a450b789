import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { ModelEvaluationError } from '../../src/errors.ts';
import type { Evaluation, ResidualProblem } from '../../src/optim/evaluation.ts';
import { runSolverSync } from '../../src/optim/driver.ts';
import { fixedScale } from '../../src/optim/scaling.ts';
import { unpackTriangle } from '../../src/optim/solver-common.ts';
import { selectStep, trf, trfSteps } from '../../src/optim/trf.ts';
import type { LinearizedPoint } from '../../src/optim/trust-region-minimizer.ts';
import { createDenseProblem } from './dense-problem.ts';
import { caseOptions, loadFixture, problems } from './problems.ts';

const fixture = loadFixture();
const specs = problems(fixture);
const byName = (name: string) => fixture.cases.find((c) => c.name === name)!;
const F = (a: number[]) => Float64Array.from(a);

describe('trf', () => {
  it('throws ModelEvaluationError when the residuals are not finite at x0', () => {
    const problem = createDenseProblem(specs.sqrtnan!);
    const options = { ...caseOptions(byName('sqrtnan-trf')), x0: F([-1, 0]) };
    expect(() => runSolverSync(trf(problem, options), problem)).toThrow(ModelEvaluationError);
    expect(() => runSolverSync(trf(problem, options), problem)).toThrow(/residuals must be finite at the initial point, got cost NaN at x0 = \[-1, 0\]/);
  });

  it('throws ModelEvaluationError when the Jacobian is not finite at x0', () => {
    const problem = createDenseProblem(specs.sqrtnan!);
    const options = { ...caseOptions(byName('sqrtnan-trf')), x0: F([0, 1]), caller: 'curveFit' };
    expect(() => runSolverSync(trf(problem, options), problem)).toThrow(/^curveFit: the Jacobian must be finite at the initial point/);
  });

  it('asks for the Jacobian with every trial point when it is cheap, and only after acceptance otherwise', () => {
    const c = byName('expfit-trf');
    for (const cheap of [true, false]) {
      const inner = createDenseProblem(specs.expfit!, { cheap });
      const requests: boolean[] = [];
      const problem: ResidualProblem = { ...inner, evaluate: (x, jac) => (requests.push(jac), inner.evaluate(x, jac)) };
      const out = runSolverSync(trf(problem, caseOptions(c)), problem);
      const withJac = requests.filter(Boolean).length;
      if (cheap) expect(withJac).toBe(requests.length);
      else expect(withJac).toBe(out.njev);
      expect(out.nfev).toBe(c.nfev);
    }
  });

  it('rejects an accepted step whose Jacobian is not finite, shrinks Δ, and still converges', () => {
    const c = byName('rosenbrock-trf');
    const inner = createDenseProblem(specs.rosenbrock!);
    let jacRequests = 0;
    const problem: ResidualProblem = {
      ...inner,
      evaluate(x, jac) {
        const ev = inner.evaluate(x, jac);
        if (jac && ++jacRequests === 3) return { ...ev, T: null };
        return ev;
      },
    };
    const out = runSolverSync(trf(problem, caseOptions(c)), problem);
    expect(out.status).toBe('gtol');
    expect(out.x[0]).toBeCloseTo(1, 7);
    expect(out.x[1]).toBeCloseTo(1, 7);
    expect(out.njev).toBe(jacRequests);
  });

  it('states the numbers that ended the fit', () => {
    const problem = createDenseProblem(specs.expfit!);
    const gt = runSolverSync(trf(problem, caseOptions(byName('expfit-trf-gtol'))), problem);
    expect(gt.message).toMatch(/^`gtol` termination condition is satisfied: ‖g∘v‖∞ = \d\.\de-\d+ < gtol = 1\.0e-3$/);
    const xt = runSolverSync(trf(problem, caseOptions(byName('expfit-trf-xtol'))), problem);
    expect(xt.message).toMatch(/^`xtol` termination condition is satisfied: ‖dx‖ = .+ < xtol·\(xtol \+ ‖x‖\) = .+$/);
    const ft = runSolverSync(trf(problem, caseOptions(byName('expfit-trf-ftol'))), problem);
    expect(ft.message).toMatch(/^`ftol` termination condition is satisfied: dF = .+ < ftol·F = .+ \(reduction ratio .+ > 0\.25\)$/);
    const mx = runSolverSync(trf(createDenseProblem(specs.rosenbrock!), caseOptions(byName('rosenbrock-trf-maxnfev'))), createDenseProblem(specs.rosenbrock!));
    expect(mx.message).toBe('The maximum number of function evaluations is exceeded: nfev = 5 ≥ maxNfev = 5');
  });

  it('returns the triangle at the solution and the gradient Rᵀz', () => {
    const problem = createDenseProblem(specs.expfit!);
    const out = runSolverSync(trf(problem, caseOptions(byName('expfit-trf'))), problem);
    const ref = problem.evaluate(out.x, true) as Evaluation;
    const c = 4;
    for (let j = 0; j < 3; j++) {
      let g = 0;
      for (let i = 0; i <= j; i++) g += out.T![i * c + j]! * out.T![i * c + 3]!;
      expect(g).toBeCloseTo(out.grad[j]!, 12);
      expect(Math.abs(out.T![j * c + j]!)).toBeCloseTo(Math.abs(ref.T![j * c + j]!), 10);
    }
  });
});

describe('selectStep', () => {
  const Jh = { rows: 2, cols: 2, data: F([2, 0.5, 0, 1]) };
  it('returns the trust-region step unchanged when x + p is within the bounds', () => {
    const p = F([0.1, 0.1]);
    const out = selectStep({ x: F([0, 0]), Jh, diagH: F([0, 0]), gH: F([1, 1]), p, pH: F([0.1, 0.1]), d: F([1, 1]), Delta: 1, lb: F([-1, -1]), ub: F([1, 1]), theta: 0.995 });
    expect(out.step).toBe(p);
    expect(out.predicted).toBeCloseTo(-(0.5 * (0.25 ** 2 + 0.1 ** 2) + 0.2), 14);
  });

  it('otherwise returns a step that stays strictly inside the bounds and reduces the model', () => {
    const x = F([0.5, 0.5]);
    const lb = F([0, 0]);
    const ub = F([1, 1]);
    const gH = F([-3, -1]);
    const pH = F([0.9, 0.3]);
    const out = selectStep({ x, Jh, diagH: F([0, 0]), gH, p: Float64Array.from(pH), pH: Float64Array.from(pH), d: F([1, 1]), Delta: 1, lb, ub, theta: 0.995 });
    for (let i = 0; i < 2; i++) {
      expect(x[i]! + out.step[i]!).toBeGreaterThan(lb[i]!);
      expect(x[i]! + out.step[i]!).toBeLessThan(ub[i]!);
    }
    expect(out.predicted).toBeGreaterThan(0);
  });
});

describe('trfSteps', () => {
  /** x with the expfit linearization and unit scaling. */
  const expfitAt = (x: Float64Array): { at: LinearizedPoint; m: number } => {
    const ev = createDenseProblem(specs.expfit!).evaluate(x, true) as Evaluation;
    return { at: { x, lin: unpackTriangle(ev.T!, 3), scale: fixedScale(F([1, 1, 1])) }, m: ev.m };
  };

  it('without bounds and with room, proposes the Gauss–Newton step R s = −z, predicting ½‖z‖²', () => {
    const { at, m } = expfitAt(F([1, 1, 0]));
    const steps = trfSteps(caseOptions(byName('expfit-trf')));
    steps.start(at, m);
    const model = steps.linearize(at);
    expect(model.optimality).toBe(Math.max(...Array.from(at.lin.g, Math.abs)));
    const trial = model.compute(1e6);
    // Back substitution on the triangle, written out here.
    const { R, z } = at.lin;
    const s = new Float64Array(3);
    for (let i = 2; i >= 0; i--) {
      let sum = -z[i]!;
      for (let j = i + 1; j < 3; j++) sum -= R[i * 3 + j]! * s[j]!;
      s[i] = sum / R[i * 3 + i]!;
    }
    for (let j = 0; j < 3; j++) expect(trial.step[j]).toBeCloseTo(s[j]!, 10);
    expect(trial.predicted).toBeCloseTo(0.5 * (z[0]! ** 2 + z[1]! ** 2 + z[2]! ** 2), 10);
    expect(trial.boundaryHit).toBe(false);
    expect(Array.from(trial.xTrial)).toEqual(Array.from(at.x, (v, j) => v + trial.step[j]!));
    expect(trial.xNext).toBe(trial.xTrial);
  });

  test.prop([fc.array(fc.double({ min: 0.02, max: 0.98, noNaN: true }), { minLength: 3, maxLength: 3 }), fc.double({ min: 1e-3, max: 100, noNaN: true })], { numRuns: 50 })(
    'with bounds, every trial point lies strictly inside them and every step within the trust region',
    (u, Delta) => {
      const options = caseOptions(byName('expfit-bounded-trf'));
      const { lb, ub } = options;
      const { at, m } = expfitAt(Float64Array.from(u, (t, j) => lb[j]! + t * (ub[j]! - lb[j]!)));
      const steps = trfSteps(options);
      steps.start(at, m);
      const trial = steps.linearize(at).compute(Delta);
      expect(trial.norm).toBeLessThanOrEqual(Delta * (1 + 1e-9));
      for (let j = 0; j < 3; j++) {
        expect(trial.xTrial[j]!).toBeGreaterThan(lb[j]!);
        expect(trial.xTrial[j]!).toBeLessThan(ub[j]!);
      }
    },
  );
});
