/**
 * Driving the solver over a built problem: {@link solve} / {@link solveSync} run a
 * `ResidualProblem` through TRF, dogbox or LM (`optim/driver.ts`) with cancellation and progress;
 * {@link solveCurveFit} / {@link solveCurveFitSync} add curve_fit's start check, which names the
 * first point where the model is not finite at p0 (SciPy raises "Residuals are not finite in the
 * initial point" without saying where).
 *
 * ```
 *   resolveCurveFitOptions → createCurveFitProblem → solveCurveFit → buildCurveFitResult
 * ```
 *
 * @module
 */
import { ModelEvaluationError, NlsqRangeError, throwIfAborted } from '../errors.ts';
import type { CurveFitProblem } from '../evaluate/curve-fit-problem.ts';
import { createSolver, runSolverAsync, runSolverSync } from '../optim/driver.ts';
import type { IterationInfo, ResidualProblem, SolverOutcome } from '../optim/evaluation.ts';
import type { SolverOptions } from '../optim/solver-options.ts';
import type { ResolvedCurveFit } from '../options/resolve-curve-fit.ts';

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
  throwIfAborted(signal, caller);
  return runSolverSync(createSolver(problem, options), problem, onIteration, caller);
}

/**
 * SciPy's "Residuals are not finite in the initial point", naming the first bad point; for a
 * closure with a per-point Jacobian also checks that it returns p values.
 *
 * @param resolved - the fit.
 * @param problem - its problem.
 * @returns the residual vector at p0.
 * @throws ModelEvaluationError when a residual at p0 is NaN or ±Infinity (or the model throws).
 * @throws NlsqRangeError (`ERR_NON_FINITE`, argument `ydata` or `xdata`) when that residual is not
 *   finite because ydata (or xdata) is not, at that index (`checkFinite: false` let it through).
 * @throws NlsqRangeError (`ERR_NON_FINITE`, argument `ydata`) when the residuals are finite but
 *   their sum of squares overflows (|r| beyond about 1e154: y near 1e160–1e300).
 */
export function checkInitialResiduals(resolved: ResolvedCurveFit, problem: CurveFitProblem): Float64Array {
  const { caller, settings, data } = resolved;
  const x0 = settings.solver.x0;
  const r = problem.residualVector(x0);
  for (let i = 0; i < r.length; i++) {
    if (Number.isFinite(r[i]!)) continue;
    throwIfDataNotFinite(resolved, i);
    const xi = data.x.length === 1 ? String(data.x[0]![i]) : `[${data.x.map((c) => c[i]).join(', ')}]`;
    const where = resolved.sigma.kind === '2d' ? `residual ${i} (after L⁻¹ of the covariance sigma)` : `point ${i} (x = ${xi})`;
    throw new ModelEvaluationError(
      `${caller}: the residuals must be finite at p0 = [${Array.from(x0).join(', ')}], got ${r[i]} at ${where}`,
      'p0',
    );
  }
  let big = 0;
  for (let i = 1; i < r.length; i++) if (Math.abs(r[i]!) > Math.abs(r[big]!)) big = i;
  if (r.length > 0 && !Number.isFinite(0.5 * r.reduce((s, v) => s + v * v, 0))) {
    throw new NlsqRangeError(
      `${caller}: the sum of squared residuals must be finite at p0, got Infinity: every residual is finite, but the largest, ${r[big]} (residual ${big}), squares beyond the double range (1.8e308); rescale ydata (and sigma) toward 1 — e.g. fit y / ${Math.abs(r[big]!).toExponential(0)} — and scale the fitted parameters back`,
      'ydata',
      'ERR_NON_FINITE',
    );
  }
  const { kernel } = resolved;
  if (settings.scheme.kind === 'analytic' && kernel.residualRows !== undefined && resolved.n > 0) {
    const rows = new Float64Array(kernel.nParams + 1);
    kernel.residualRows(x0, { x: data.x, y: data.y, w: null }, 0, 1, rows, 0);
    const bad = rows.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0 && bad < kernel.nParams) {
      throw new NlsqRangeError(
        `${caller}: jac must return ${kernel.nParams} finite values per point (one per parameter), got ${rows[bad]} for parameter ${bad} at point 0 and p0`,
        'jac',
      );
    }
  }
  return r;
}

/**
 * When residual `i` is not finite because the data there is not — a NaN or ±Infinity in ydata (or
 * xdata) that `checkFinite: false` let through — say so, instead of blaming p0. With a 2-D sigma
 * every residual mixes all points, so the first non-finite y (or x) anywhere is named.
 *
 * @throws NlsqRangeError (`ERR_NON_FINITE`, argument `ydata` or `xdata`) naming the index.
 */
function throwIfDataNotFinite(resolved: ResolvedCurveFit, i: number): void {
  const { caller, data } = resolved;
  const coupled = resolved.sigma.kind === '2d';
  const badAt = (column: ArrayLike<number>): number => {
    if (!coupled) return Number.isFinite(column[i]!) ? -1 : i;
    for (let j = 0; j < column.length; j++) if (!Number.isFinite(column[j]!)) return j;
    return -1;
  };
  const hint = "checkFinite: false lets non-finite data through; remove the point or pass nanPolicy: 'omit' to drop it";
  const yAt = badAt(data.y);
  if (yAt >= 0) {
    throw new NlsqRangeError(`${caller}: ydata has ${data.y[yAt]} at index ${yAt}, so the residuals cannot be finite; ${hint}`, 'ydata', 'ERR_NON_FINITE');
  }
  for (let v = 0; v < data.x.length; v++) {
    const xAt = badAt(data.x[v]!);
    if (xAt < 0) continue;
    const name = data.x.length === 1 ? 'xdata' : `xdata[${v}]`;
    throw new NlsqRangeError(`${caller}: ${name} has ${data.x[v]![xAt]} at index ${xAt}, so the residuals cannot be finite; ${hint}`, 'xdata', 'ERR_NON_FINITE');
  }
}

/**
 * Turn a failure into the error to report: a {@link ModelEvaluationError} from a solver or the
 * streaming driver is replaced by {@link checkInitialResiduals}' message naming the first bad
 * point when p0 itself is not finite; any other error is returned unchanged.
 *
 * @param resolved - the fit.
 * @param problem - its problem (read once more at p0).
 * @param error - what the solve threw.
 * @returns the error to throw.
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

/**
 * Solve a curve fit. The solver's first evaluation is at p0, so the start is not checked in a
 * pass of its own: only when the solve fails with a {@link ModelEvaluationError} is
 * {@link checkInitialResiduals} run, to replace SciPy's "residuals are not finite in the initial
 * point" with the first bad point's index and x.
 *
 * @param resolved - the fit (its solver options and p0).
 * @param problem - its problem.
 * @param controls - caller, signal, onIteration.
 * @returns the solver outcome.
 * @throws ModelEvaluationError naming the first bad point when the model is not finite at p0;
 *   AbortError when the signal aborts.
 */
export async function solveCurveFit(resolved: ResolvedCurveFit, problem: CurveFitProblem, controls: SolveControls): Promise<SolverOutcome> {
  try {
    return await solve(problem, resolved.settings.solver, controls);
  } catch (error) {
    throw explainStart(resolved, problem, error);
  }
}

/**
 * {@link solveCurveFit} on a synchronous problem (`curveFitSync`): the same solver, iterations
 * and start check.
 */
export function solveCurveFitSync(resolved: ResolvedCurveFit, problem: CurveFitProblem, controls: SolveControls): SolverOutcome {
  try {
    return solveSync(problem, resolved.settings.solver, controls);
  } catch (error) {
    throw explainStart(resolved, problem, error);
  }
}

