/**
 * Running a resolved `leastSquares` / `leastSquaresSync` call: lease the backend, build the
 * vector problem (one call of `fun` at x0 sets m and checks SciPy's "Residuals are not finite in
 * the initial point"), solve, read the residuals and Jacobian at the solution, free everything.
 *
 * @module
 */
import type { Backend } from '../backends/backend.ts';
import { resolveBackend, resolveBackendSync, type ResolvedBackend } from '../backends/registry.ts';
import { ModelEvaluationError, NlsqRangeError } from '../errors.ts';
import { checkResidualArray, createVectorProblem, type VectorProblem } from '../evaluate/vector-problem.ts';
import { makeStrictlyFeasible } from '../optim/bounds.ts';
import type { SolverOutcome } from '../optim/evaluation.ts';
import type { ResolvedLeastSquares } from '../options/resolve-least-squares.ts';
import { buildLeastSquaresResult, type LeastSquaresResult } from '../result/least-squares-result.ts';
import { formatNumber } from '../util/format.ts';
import { withBackend, withBackendSync } from './backend-lease.ts';
import { solve, solveSync, type SolveControls } from './solve.ts';

/** A residual function runs on every host backend; only the synchronous API needs a synchronous one. */
const NEEDS = { closures: true, synchronous: false } as const;

/**
 * Build the vector problem of a resolved leastSquares call: one call of `fun` at x0 sets m, and
 * SciPy's "Residuals are not finite in the initial point" is checked. As in SciPy, that call is
 * the solver's first evaluation (the problem is primed with it, so `fun` is not called at x0
 * again); for trf it is made at x0 pushed strictly inside the bounds
 * (`make_strictly_feasible(x0, lb, ub, rstep=1e-10)`), where trf starts.
 *
 * @param resolved - from `resolveLeastSquaresOptions`.
 * @param backend - the backend folding the rows.
 * @returns the problem.
 * @throws ModelEvaluationError when fun throws or is not finite at x0; NlsqRangeError when it
 *   returns no residuals.
 */
export function createLeastSquaresProblem(resolved: ResolvedLeastSquares, backend: Backend): VectorProblem {
  const { caller, fun, settings, p } = resolved;
  const { solver } = settings;
  const x0 = solver.method === 'trf' ? makeStrictlyFeasible(solver.x0, solver.lb, solver.ub, 1e-10) : Float64Array.from(solver.x0);
  let first: ArrayLike<number>;
  try {
    first = fun(Float64Array.from(x0));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ModelEvaluationError(`${caller}: fun threw at x0: ${reason}`, 'fun', { cause: error });
  }
  checkResidualArray(caller, first);
  const m = first.length;
  if (m < 1) throw new NlsqRangeError(`${caller}: fun must return at least one residual, got ${String(m)}`, 'fun', 'ERR_SHAPE');
  for (let i = 0; i < m; i++) {
    if (!Number.isFinite(first[i]!)) {
      throw new ModelEvaluationError(`${caller}: the residuals must be finite at x0 = [${Array.from(x0).join(', ')}], got ${first[i]} at index ${i}`, 'x0');
    }
  }
  if (settings.solver.method === 'lm' && m < p) {
    throw new NlsqRangeError(`${caller}: method 'lm' does not work when the number of residuals (${m}) is less than the number of variables (${p})`, 'method');
  }
  const initial = { x: x0, residuals: first };
  return createVectorProblem({ backend, fun, jac: resolved.jac, p, m, loss: settings.loss, scheme: settings.scheme, caller, initial });
}

/** The driver controls of a resolved call (with the per-iteration log at verbose ≥ 2). */
function controlsOf(resolved: ResolvedLeastSquares): SolveControls {
  return {
    caller: resolved.caller,
    signal: resolved.signal,
    onIteration: resolved.verbose < 2 ? resolved.onIteration : (info) => {
      resolved.log(`${resolved.caller}: iteration ${info.iteration}, cost ${formatNumber(info.cost)}, ‖g‖∞ ${formatNumber(info.gradientNorm)}`);
      return resolved.onIteration?.(info);
    },
  };
}

/** The result of a solved problem (residuals and Jacobian at the solution), logged at verbose ≥ 1. */
function finish(resolved: ResolvedLeastSquares, backend: ResolvedBackend, problem: VectorProblem, outcome: SolverOutcome): LeastSquaresResult {
  const x = outcome.x;
  const result = buildLeastSquaresResult(outcome, resolved, backend, problem.residualVector(x), problem.jacobianAt(x));
  if (resolved.verbose > 0) resolved.log(`${resolved.caller}: ${outcome.message}; cost ${formatNumber(outcome.cost)}, nfev ${outcome.nfev}`);
  return result;
}

/**
 * `leastSquares` once its arguments are resolved: lease the backend, solve, free everything.
 *
 * @param resolved - from `resolveLeastSquaresOptions('leastSquares', …)`.
 * @returns the result.
 * @throws as `leastSquares`.
 */
export function leastSquaresResolved(resolved: ResolvedLeastSquares): Promise<LeastSquaresResult> {
  return withBackend(
    () => resolveBackend(resolved.backend, NEEDS, { caller: resolved.caller }),
    async (backend, lease) => {
      const problem = lease.hold(createLeastSquaresProblem(resolved, backend.backend));
      return finish(resolved, backend, problem, await solve(problem, resolved.settings.solver, controlsOf(resolved)));
    },
  );
}

/**
 * `leastSquaresSync` once its arguments are resolved: the same run on a synchronous backend.
 *
 * @param resolved - from `resolveLeastSquaresOptions('leastSquaresSync', …)`.
 * @returns the result.
 * @throws BackendUnavailableError when the named backend is asynchronous; otherwise as `leastSquaresSync`.
 */
export function leastSquaresResolvedSync(resolved: ResolvedLeastSquares): LeastSquaresResult {
  return withBackendSync(
    () => resolveBackendSync(resolved.backend, { ...NEEDS, synchronous: true }, { caller: resolved.caller }),
    (backend, lease) => {
      const problem = lease.hold(createLeastSquaresProblem(resolved, backend.backend));
      return finish(resolved, backend, problem, solveSync(problem, resolved.settings.solver, controlsOf(resolved)));
    },
  );
}
