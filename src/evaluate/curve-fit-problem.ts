/**
 * The pieces `curveFit` is composed of, exported so the workflow's `fit()` can reuse them:
 *
 * ```
 *   resolveCurveFitOptions → createCurveFitProblem → solveCurveFit → buildCurveFitResult
 * ```
 *
 * A curve fit with no sigma or a 1-D sigma walks its data in blocks (`createBlockProblem`: the
 * standard strategy walks cache-sized blocks of `DEFAULT_BLOCK_ROWS`, chunked uses `blockRows`-sized chunks). A 2-D
 * (covariance) sigma couples all residuals through L⁻¹, so that fit is a dense
 * {@link createVectorProblem} over r(θ) = L⁻¹(f(x; θ) − y), in memory only.
 *
 * @module
 */
import type { Backend } from '../backends/backend.ts';
import { AbortError, ModelEvaluationError, NlsqRangeError } from '../errors.ts';
import type { DataColumns, ModelKernel } from '../model/model-kernel.ts';
import { createBlockProblem } from './block-problem.ts';
import { createSolver, runSolverAsync, runSolverSync } from '../optim/driver.ts';
import type { IterationInfo, ResidualProblem, SolverOutcome } from '../optim/evaluation.ts';
import type { SolverOptions } from '../optim/solver-options.ts';
import { createVectorProblem } from './vector-problem.ts';
import type { ResolvedCurveFit } from '../options/resolve-curve-fit.ts';

/** How the data walk is laid out: rows per block, and whether to keep the last residual vector. */
export interface BlockLayout {
  readonly blockRows?: number | undefined;
  readonly cacheResiduals?: boolean | undefined;
}

/** A problem whose residual vector can be read back (for `result.fun` and the start check). */
export interface CurveFitProblem extends ResidualProblem {
  /** Number of residuals. */
  readonly m: number;
  /** The (weighted) residual vector at x. */
  residualVector(x: Float64Array): Float64Array;
  /** Release what the problem holds on its backend (workspaces); unusable afterwards. */
  dispose?(): void;
}

/** Solve L z = b in place (L lower triangular n×n row-major). */
export function forwardSubstitute(L: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    const row = i * n;
    for (let k = 0; k < i; k++) s -= L[row + k]! * b[k]!;
    b[i] = s / L[row + i]!;
  }
}

function covarianceProblem(resolved: ResolvedCurveFit, backend: Backend, L: Float64Array, blockRows: number | undefined): CurveFitProblem {
  const { kernel, data, n, p, settings, caller } = resolved;
  const plain = { x: data.x, y: data.y, w: null };
  const fun = (theta: Float64Array): Float64Array => {
    const r = new Float64Array(n);
    kernel.residuals(theta, plain, 0, n, r, 0, 1);
    forwardSubstitute(L, n, r);
    return r;
  };
  const analytic = settings.scheme.kind === 'analytic';
  const jac = analytic ? (theta: Float64Array): Float64Array => whitenedJacobian(kernel, theta, plain, L, n, p) : undefined;
  return createVectorProblem({ backend, fun, jac, p, m: n, loss: settings.loss, scheme: settings.scheme, blockRows, caller });
}

/** L⁻¹ J of the kernel's fused Jacobian rows. */
function whitenedJacobian(kernel: ModelKernel, theta: Float64Array, data: DataColumns, L: Float64Array, n: number, p: number): Float64Array {
  const rows = new Float64Array(n * (p + 1));
  kernel.residualRows!(theta, data, 0, n, rows, 0);
  const J = new Float64Array(n * p);
  const column = new Float64Array(n);
  for (let j = 0; j < p; j++) {
    for (let i = 0; i < n; i++) column[i] = rows[i * (p + 1) + j]!;
    forwardSubstitute(L, n, column);
    for (let i = 0; i < n; i++) J[i * p + j] = column[i]!;
  }
  return J;
}

/**
 * Build the residual problem of a resolved curve fit on a backend.
 *
 * @param resolved - from `resolveCurveFitOptions`.
 * @param backend - the backend that folds the blocks.
 * @param layout - `blockRows`: rows per block (default: `resolved.blockRows`, else `DEFAULT_BLOCK_ROWS`).
 * @returns the problem.
 */
export function createCurveFitProblem(resolved: ResolvedCurveFit, backend: Backend, layout: BlockLayout = {}): CurveFitProblem {
  const blockRows = layout.blockRows ?? resolved.blockRows;
  if (resolved.sigma.kind === '2d') return covarianceProblem(resolved, backend, resolved.sigma.L, blockRows);
  const { kernel, data, n, settings } = resolved;
  return createBlockProblem({ backend, kernel, data, n, loss: settings.loss, scheme: settings.scheme, blockRows, cacheResiduals: layout.cacheResiduals ?? true });
}

/**
 * SciPy's "Residuals are not finite in the initial point", naming the first bad point; for a
 * closure with a per-point Jacobian also checks that it returns p values.
 *
 * @param resolved - the fit.
 * @param problem - its problem.
 * @returns the residual vector at p0.
 * @throws ModelEvaluationError when a residual at p0 is NaN or ±Infinity (or the model throws).
 */
export function checkInitialResiduals(resolved: ResolvedCurveFit, problem: CurveFitProblem): Float64Array {
  const { caller, settings, data } = resolved;
  const x0 = settings.solver.x0;
  const r = problem.residualVector(x0);
  for (let i = 0; i < r.length; i++) {
    if (Number.isFinite(r[i]!)) continue;
    const xi = data.x.length === 1 ? String(data.x[0]![i]) : `[${data.x.map((c) => c[i]).join(', ')}]`;
    const where = resolved.sigma.kind === '2d' ? `residual ${i} (after L⁻¹ of the covariance sigma)` : `point ${i} (x = ${xi})`;
    throw new ModelEvaluationError(
      `${caller}: the residuals must be finite at p0 = [${Array.from(x0).join(', ')}], got ${r[i]} at ${where}`,
      'p0',
    );
  }
  const { kernel } = resolved;
  if (settings.scheme.kind === 'analytic' && kernel.residualRows !== undefined && resolved.n > 0) {
    const rows = new Float64Array(kernel.nParams + 1);
    kernel.residualRows(x0, { x: data.x, y: data.y, w: null }, 0, 1, rows, 0);
    const bad = rows.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0 && bad < kernel.nParams) {
      throw new NlsqRangeError(`${caller}: jac must return ${kernel.nParams} finite values per point, got ${rows[bad]} for parameter ${bad} at point 0 and p0`, 'jac');
    }
  }
  return r;
}

/** Driver inputs of {@link solve} / {@link solveSync}. */
export interface SolveControls {
  /** Public function name for messages. */
  readonly caller: string;
  /** Cancellation (checked before every evaluation by the asynchronous driver). */
  readonly signal?: AbortSignal | undefined;
  /** Per-iteration callback; returning false stops the fit. */
  readonly onIteration?: ((info: IterationInfo) => boolean | void) | undefined;
}

/**
 * Run the solver asynchronously (cancellation by `signal`, progress by `onIteration`).
 *
 * @param problem - the residual problem.
 * @param options - resolved solver options.
 * @param controls - caller name, signal, onIteration.
 * @returns the solver outcome.
 * @throws AbortError when the signal aborts.
 */
export function solve(problem: ResidualProblem, options: SolverOptions, controls: SolveControls): Promise<SolverOutcome> {
  const { caller, signal, onIteration } = controls;
  return runSolverAsync(createSolver(problem, options), problem, {
    caller,
    ...(signal === undefined ? {} : { signal }),
    ...(onIteration === undefined ? {} : { onIteration }),
  });
}

/**
 * Solve a curve fit. The solver's first evaluation is at p0, so the start is not checked in a
 * pass of its own: only when the solve fails with a {@link ModelEvaluationError} is
 * {@link checkInitialResiduals} run, to replace SciPy's "residuals are not finite in the initial
 * point" with the first bad point's index and x.
 */
export async function solveCurveFit(resolved: ResolvedCurveFit, problem: CurveFitProblem, controls: SolveControls): Promise<SolverOutcome> {
  try {
    return await solve(problem, resolved.settings.solver, controls);
  } catch (error) {
    throw explainStart(resolved, problem, error);
  }
}

/**
 * Turn a failure into the error to report: a {@link ModelEvaluationError} from a solver or the
 * streaming driver is replaced by {@link checkInitialResiduals}' message naming the first bad
 * point when p0 itself is not finite; any other error is returned unchanged.
 */
export function explainStart(resolved: ResolvedCurveFit, problem: CurveFitProblem, error: unknown): unknown {
  if (error instanceof ModelEvaluationError) {
    try {
      checkInitialResiduals(resolved, problem);
    } catch (detailed) {
      return detailed;
    }
  }
  return error;
}

/** {@link solveCurveFit} on a synchronous problem. */
export function solveCurveFitSync(resolved: ResolvedCurveFit, problem: CurveFitProblem, controls: SolveControls): SolverOutcome {
  try {
    return solveSync(problem, resolved.settings.solver, controls);
  } catch (error) {
    throw explainStart(resolved, problem, error);
  }
}

/**
 * Run the solver synchronously (an already-aborted `signal` is honoured before starting).
 *
 * @param problem - the residual problem (must evaluate synchronously).
 * @param options - resolved solver options.
 * @param controls - caller name, signal, onIteration.
 * @returns the solver outcome.
 * @throws AbortError when the signal is already aborted.
 */
export function solveSync(problem: ResidualProblem, options: SolverOptions, controls: SolveControls): SolverOutcome {
  const { caller, signal, onIteration } = controls;
  if (signal?.aborted === true) throw new AbortError(`${caller}: the fit was aborted by its AbortSignal before it started`, { cause: signal.reason });
  return runSolverSync(createSolver(problem, options), problem, onIteration, caller);
}
