/**
 * `leastSquares` and `leastSquaresSync`: SciPy's `scipy.optimize.least_squares` for TypeScript.
 *
 * Minimize C(x) = ½ Σ ρ(f_i(x)²) subject to lb ≤ x ≤ ub, for a residual-vector function
 * f: ℝᵖ → ℝᵐ, by TRF (default), dogbox or Levenberg–Marquardt. The function is called with a
 * fresh Float64Array copy of x each time.
 *
 * @module
 */
import { resolveBackend, resolveBackendSync, type ResolvedBackend } from './backends/registry.ts';
import { ModelEvaluationError, NlsqRangeError } from './errors.ts';
import { solve, solveSync, type SolveControls } from './evaluate/curve-fit-problem.ts';
import type { SolverOutcome } from './optim/evaluation.ts';
import { createVectorProblem, type VectorProblem } from './evaluate/vector-problem.ts';
import { resolveLeastSquaresOptions, type ResolvedLeastSquares } from './options/resolve-least-squares.ts';
import type { LeastSquaresOptions, ResidualFunction } from './options/types.ts';
import { buildLeastSquaresResult, type LeastSquaresResult } from './result/least-squares-result.ts';
import { formatNumber } from './util/format.ts';

/**
 * Build the vector problem of a resolved leastSquares call: one call of `fun` at x0 sets m, and
 * SciPy's "Residuals are not finite in the initial point" is checked.
 *
 * @param resolved - from `resolveLeastSquaresOptions`.
 * @param backend - the backend folding the rows.
 * @returns the problem.
 * @throws ModelEvaluationError when fun throws or is not finite at x0; NlsqRangeError when it
 *   returns no residuals.
 */
export function createLeastSquaresProblem(resolved: ResolvedLeastSquares, backend: ResolvedBackend): VectorProblem {
  const { caller, fun, settings, p } = resolved;
  const x0 = settings.solver.x0;
  let first: ArrayLike<number>;
  try {
    first = fun(Float64Array.from(x0));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ModelEvaluationError(`${caller}: fun threw at x0: ${reason}`, 'fun', { cause: error });
  }
  const m = first?.length;
  if (typeof m !== 'number' || m < 1) throw new NlsqRangeError(`${caller}: fun must return at least one residual, got ${String(m)}`, 'fun', 'ERR_SHAPE');
  for (let i = 0; i < m; i++) {
    if (!Number.isFinite(first[i]!)) {
      throw new ModelEvaluationError(`${caller}: the residuals must be finite at x0 = [${Array.from(x0).join(', ')}], got ${first[i]} at index ${i}`, 'x0');
    }
  }
  if (settings.solver.method === 'lm' && m < p) {
    throw new NlsqRangeError(`${caller}: method 'lm' does not work when the number of residuals (${m}) is less than the number of variables (${p})`, 'method');
  }
  return createVectorProblem({ backend: backend.backend, fun, jac: resolved.jac, p, m, loss: settings.loss, scheme: settings.scheme, caller });
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
 * Solve a nonlinear least-squares problem with bounds (SciPy `least_squares`).
 *
 * @param fun - `(x: Float64Array) => ArrayLike<number>`: the m residuals at x.
 * @param x0 - starting point (p numbers; must lie within the bounds).
 * @param options - {@link LeastSquaresOptions}.
 * @returns the {@link LeastSquaresResult}.
 * @throws NlsqTypeError / NlsqRangeError for invalid arguments, ModelEvaluationError when fun
 *   throws or is not finite at x0, AbortError when `signal` aborts.
 * @example
 * ```ts
 * const r = await leastSquares((x) => [10 * (x[1]! - x[0]! ** 2), 1 - x[0]!], [-1.2, 1]);
 * r.x; // ≈ [1, 1]
 * ```
 * @see SciPy `scipy.optimize.least_squares`.
 */
export async function leastSquares(fun: ResidualFunction, x0: ArrayLike<number> | number, options: LeastSquaresOptions = {}): Promise<LeastSquaresResult> {
  const resolved = resolveLeastSquaresOptions('leastSquares', fun, x0, options);
  const backend = await resolveBackend(resolved.backend, { closures: true, synchronous: false }, { caller: resolved.caller });
  try {
    const problem = createLeastSquaresProblem(resolved, backend);
    try {
      return finish(resolved, backend, problem, await solve(problem, resolved.settings.solver, controlsOf(resolved)));
    } finally {
      problem.dispose();
    }
  } finally {
    backend.release?.();
  }
}

/**
 * {@link leastSquares} on a synchronous backend, returning the result directly (the same
 * solver, iterations and result; `signal` is honoured only when it is already aborted).
 *
 * @throws BackendUnavailableError when the named backend is asynchronous (only the CPU backend, or a
 *   wasm instance created beforehand, serves it); otherwise as {@link leastSquares}.
 * @example
 * ```ts
 * const r = leastSquaresSync((x) => [10 * (x[1]! - x[0]! ** 2), 1 - x[0]!], [-1.2, 1]);
 * r.x; // ≈ [1, 1]
 * ```
 */
export function leastSquaresSync(fun: ResidualFunction, x0: ArrayLike<number> | number, options: LeastSquaresOptions = {}): LeastSquaresResult {
  const resolved = resolveLeastSquaresOptions('leastSquaresSync', fun, x0, options);
  const backend = resolveBackendSync(resolved.backend, { closures: true, synchronous: true }, { caller: resolved.caller });
  const problem = createLeastSquaresProblem(resolved, backend);
  try {
    return finish(resolved, backend, problem, solveSync(problem, resolved.settings.solver, controlsOf(resolved)));
  } finally {
    problem.dispose();
  }
}
