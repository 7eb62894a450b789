import { describe, expect, it } from 'vitest';
import { NlsqRangeError } from '../../src/errors.ts';
import type { IterationInfo, ResidualProblem } from '../../src/optim/evaluation.ts';
import { runSolverSync } from '../../src/optim/driver.ts';
import { lm, lmTermination } from '../../src/optim/lm.ts';
import { createDenseProblem } from './dense-problem.ts';
import { caseOptions, loadFixture, problems } from './problems.ts';

const fixture = loadFixture();
const specs = problems(fixture);
const byName = (name: string) => fixture.cases.find((c) => c.name === name)!;

describe('lm', () => {
  it('refuses fewer residuals than parameters, as SciPy does', () => {
    const spec = { p: 3, m: 2, fun: (x: Float64Array, o: Float64Array) => o.set([x[0]!, x[1]! + x[2]!]), jac: (_x: Float64Array, o: Float64Array) => o.set([1, 0, 0, 0, 1, 1]) };
    const problem = createDenseProblem(spec);
    const options = { ...caseOptions(byName('box3d-lm')), caller: 'curveFit' };
    expect(() => runSolverSync(lm(problem, options), problem)).toThrow(NlsqRangeError);
    expect(() => runSolverSync(lm(problem, options), problem)).toThrow("curveFit: method 'lm' needs at least as many residuals as parameters (3), got 2");
  });

  it('counts p extra evaluations per Jacobian with jacobianCostsNfev = p (lmdif)', () => {
    const c = byName('expfit-leastsq');
    const inner = createDenseProblem(specs.expfit!, { jacobian: 'minpack' });
    let trials = 0;
    const problem: ResidualProblem = { ...inner, evaluate: (x, jac) => ((trials += jac ? 0 : 1), inner.evaluate(x, jac)) };
    const out = runSolverSync(lm(problem, caseOptions(c)), problem);
    expect(out.nfev).toBe(c.nfev);
    expect(out.nfev).toBe(1 + trials + 3 * out.njev);
  });

  it('reports progress after each successful step and stops on false', () => {
    const c = byName('rosenbrock-lm');
    const problem = createDenseProblem(specs.rosenbrock!);
    const seen: IterationInfo[] = [];
    const out = runSolverSync(lm(problem, caseOptions(c)), problem, (info) => {
      seen.push(info);
      return info.iteration < 4;
    });
    expect(out.status).toBe('stopped');
    expect(seen.map((s) => s.iteration)).toEqual([1, 2, 3, 4]);
    for (let k = 1; k < seen.length; k++) expect(seen[k]!.cost).toBeLessThan(seen[k - 1]!.cost);
    expect(out.T).not.toBeNull();
  });

  it('takes grad and optimality at the final x with one uncounted Jacobian when needed', () => {
    const c = byName('expfit-lm');
    const inner = createDenseProblem(specs.expfit!);
    const requests: boolean[] = [];
    const problem: ResidualProblem = { ...inner, evaluate: (x, jac) => (requests.push(jac), inner.evaluate(x, jac)) };
    const out = runSolverSync(lm(problem, caseOptions(c)), problem);
    expect(requests.filter(Boolean).length).toBe(out.njev + 1);
    expect(out.optimality).toBeCloseTo(c.optimality!, 9);
  });
});

describe('lmTermination', () => {
  const o = { ...caseOptions(byName('rosenbrock-lm')) };
  const t = { actred: 1e-10, prered: 1e-10, ratio: 1, delta: 1e-9, xnorm: 1, gnorm: 1e-17, nfev: 9 };
  it('maps MINPACK info codes to SciPy statuses (FROM_MINPACK_TO_COMMON)', () => {
    expect([1, 2, 3, 4, 5].map((i) => lmTermination(i, t, o).status)).toEqual(['ftol', 'xtol', 'ftol-xtol', 'gtol', 'max-nfev']);
  });

  it('maps the "tolerance too small" codes 6–8 to ftol/xtol/gtol with a message that says so', () => {
    expect([6, 7, 8].map((i) => lmTermination(i, t, o).status)).toEqual(['ftol', 'xtol', 'gtol']);
    for (const i of [6, 7, 8]) expect(lmTermination(i, t, o).message).toMatch(/is too small/);
  });

  it('states the numbers of the test', () => {
    expect(lmTermination(2, t, o).message).toBe('`xtol` termination condition is satisfied: Δ = 1.0e-9 ≤ xtol·‖Dx‖ = 1.0e-8');
  });
});
