/**
 * `leastSquares` and `leastSquaresSync`: SciPy's `scipy.optimize.least_squares` for TypeScript.
 *
 * Minimize C(x) = ½ Σ ρ(f_i(x)²) subject to lb ≤ x ≤ ub, for a residual-vector function
 * f: ℝᵖ → ℝᵐ, by TRF (default), dogbox or Levenberg–Marquardt. The function is called with a
 * fresh Float64Array copy of x each time.
 *
 * Each resolves its arguments once (`options/resolve-least-squares.ts`) and hands them to the run
 * path (`run/run-least-squares.ts`).
 *
 * @module
 */
import { resolveLeastSquaresOptions } from './options/resolve-least-squares.ts';
import type { LeastSquaresOptions, ResidualFunction } from './options/types.ts';
import type { LeastSquaresResult } from './result/least-squares-result.ts';
import { leastSquaresResolved, leastSquaresResolvedSync } from './run/run-least-squares.ts';
import { globalLeastSquares, globalLeastSquaresSync } from './global/global-fit.ts';
import { resolveGlobal } from './options/global-option.ts';
import { provideLeastSquaresRefits } from './batch/refit-runner.ts';

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
  const search = resolveGlobal(options.global, 'leastSquares');
  return provideLeastSquaresRefits(await (search === null ? leastSquaresResolved(resolved) : globalLeastSquares(resolved, search)), resolved);
}

/**
 * {@link leastSquares} on a synchronous backend, returning the result directly (the same
 * solver, iterations and result; `signal` is honoured only when it is already aborted). The
 * backend by default: as `curveFitSync`'s (WebAssembly once an asynchronous call has loaded it
 * in this process, else the CPU backend).
 *
 * @throws BackendUnavailableError when the named backend cannot be had synchronously (WebGPU; wasm
 *   before an asynchronous call has loaded it); otherwise as {@link leastSquares}.
 * @example
 * ```ts
 * const r = leastSquaresSync((x) => [10 * (x[1]! - x[0]! ** 2), 1 - x[0]!], [-1.2, 1]);
 * r.x; // ≈ [1, 1]
 * ```
 */
export function leastSquaresSync(fun: ResidualFunction, x0: ArrayLike<number> | number, options: LeastSquaresOptions = {}): LeastSquaresResult {
  const resolved = resolveLeastSquaresOptions('leastSquaresSync', fun, x0, options);
  const search = resolveGlobal(options.global, 'leastSquaresSync');
  return provideLeastSquaresRefits(search === null ? leastSquaresResolvedSync(resolved) : globalLeastSquaresSync(resolved, search), resolved);
}
