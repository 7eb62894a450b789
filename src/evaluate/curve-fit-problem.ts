/**
 * The residual problem of a resolved curve fit, the second of the pieces `curveFit` is composed of:
 *
 * ```
 *   resolveCurveFitOptions → createCurveFitProblem → solveCurveFit (run/solve.ts) → buildCurveFitResult
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
import type { DataColumns, ModelKernel } from '../model/model-kernel.ts';
import { createBlockProblem } from './block-problem.ts';
import type { ResidualProblem } from '../optim/evaluation.ts';
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
  /**
   * The costs of `count` points (rows of p) in one walk over the data, each bitwise
   * `evaluate(θ_k, false).cost` — present on the block walk (no or a 1-D sigma); a covariance
   * sigma's dense problem has none (its callers evaluate point by point).
   */
  evaluateCosts?(points: Float64Array, count: number, out: Float64Array): void;
}

/**
 * Solve L z = b in place by forward substitution, z_i = (b_i − Σ_{k<i} L_ik z_k) / L_ii, for L
 * lower triangular n×n row-major (its upper part is not read): LAPACK `dtrsv('L', 'N', 'N')`.
 * The covariance-sigma fit whitens with it, r = L⁻¹(f − y) for the Cholesky factor L of the
 * covariance, as SciPy's `curve_fit` does with `solve_triangular(L, …, lower=True)`.
 *
 * @param L - the lower-triangular factor, n×n row-major, nonzero diagonal.
 * @param n - its order.
 * @param b - the right-hand side (n values), overwritten with z.
 */
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

/**
 * L⁻¹ J of the kernel's fused Jacobian rows (the covariance-sigma fit's Jacobian, and its refits').
 *
 * @param kernel - the model's kernel (with `residualRows`).
 * @param theta - the parameters.
 * @param data - the points (w = null).
 * @param L - the covariance's Cholesky factor, n×n row-major.
 * @param n - points.
 * @param p - parameters.
 * @returns L⁻¹J, n×p row-major.
 */
export function whitenedJacobian(kernel: ModelKernel, theta: Float64Array, data: DataColumns, L: Float64Array, n: number, p: number): Float64Array {
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
