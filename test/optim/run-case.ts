/** Run a SciPy fixture case through the matching solver on the dense test problem. */
import type { SolverGenerator, SolverOutcome } from '../../src/optim/evaluation.ts';
import { dogbox } from '../../src/optim/dogbox.ts';
import { runSolverSync } from '../../src/optim/driver.ts';
import { lm } from '../../src/optim/lm.ts';
import { resolveLoss } from '../../src/optim/loss.ts';
import type { SolverOptions } from '../../src/optim/solver-options.ts';
import { trf } from '../../src/optim/trf.ts';
import { createDenseProblem, type DenseProblem, type DenseSpec } from './dense-problem.ts';
import { caseOptions, loadFixture, problems, type ScipyCase } from './problems.ts';

const specs = problems(loadFixture());

/** The solver generator function for a method. */
export function solverFor(method: SolverOptions['method']): typeof trf {
  return method === 'trf' ? trf : method === 'dogbox' ? dogbox : lm;
}

/** Run a case; `cheap` asks for the Jacobian at trial points. */
export function runCase(c: ScipyCase, cheap = false, overrides: Partial<SolverOptions> = {}): { out: SolverOutcome; problem: DenseProblem } {
  const spec = specs[c.problem]!;
  const loss = resolveLoss(c.loss ?? 'linear', c.f_scale ?? 1);
  const problem = createDenseProblem(spec, { loss, jacobian: c.api === 'leastsq' ? 'minpack' : 'analytic', cheap });
  const options = { ...caseOptions(c), ...overrides };
  const gen: SolverGenerator = solverFor(c.method)(problem, options);
  return { out: atSolution(runSolverSync(gen, problem), spec), problem };
}

/**
 * The outcome as `leastSquares` reports it: when lm ended on an accepted step without a Jacobian
 * there (`staleLinearization`), grad = J(x)ᵀf(x) and optimality = ‖grad‖∞ at the solution, as
 * SciPy's `call_minpack` computes them (and `buildLeastSquaresResult` does).
 */
function atSolution(out: SolverOutcome, spec: DenseSpec): SolverOutcome {
  if (out.staleLinearization !== true) return out;
  const { m, p } = spec;
  const f = new Float64Array(m);
  const J = new Float64Array(m * p);
  spec.fun(out.x, f);
  spec.jac(out.x, J);
  const grad = new Float64Array(p);
  for (let i = 0; i < m; i++) for (let j = 0; j < p; j++) grad[j] = grad[j]! + J[i * p + j]! * f[i]!;
  return { ...out, grad, optimality: Math.max(...Array.from(grad, Math.abs)) };
}
