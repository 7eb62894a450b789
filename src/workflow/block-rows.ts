/**
 * How many rows an evaluation folds at once — the one home of the defaults.
 *
 * Every in-memory evaluation folds its rows [J | r] into the triangle `blockRows` at a time
 * (`Backend.foldRows`). The block height changes only the rounding of the fold (the same
 * orthogonal reduction on a different partition), but the solvers' stopping tests see that
 * rounding, so a different height moves a fit's last digits (about 1e-10 relative on a
 * 5000-residual `leastSquares` fit). Two defaults, for two reasons:
 *
 * - {@link DEFAULT_BLOCK_ROWS} = 2048, the data walk (standard and chunked strategies, the exact
 *   passes of streaming): chosen for speed, since the walk also evaluates the model block by
 *   block — a block of p ≤ 8 parameters at 2048 rows (≤ 150 KB) stays in L2 cache; measured flat
 *   from 512 to 4096 rows on wasm-simd and best at 512–2048 on the CPU (`npm run bench -- kernels`).
 * - {@link VECTOR_BLOCK_ROWS} = 4096, the dense vector problem (`leastSquares`, and `curveFit`
 *   with a covariance sigma), whose residuals and Jacobian are already whole m-vectors and an
 *   m×p array, so the height only sets how many rows one fold call copies: kept at the 4096 these
 *   fits have always used, so that their results stay the same to the bit.
 *
 * @module
 */

/** Default rows per block of the data walk (see the module doc for the measurement). */
export const DEFAULT_BLOCK_ROWS = 2048;

/** Default rows per fold call of the dense vector problem (see the module doc for why it differs). */
export const VECTOR_BLOCK_ROWS = 4096;

/**
 * The block height of a fold over `n` rows: the caller's `given` height (or `fallback`) capped at
 * n, and at least 1.
 *
 * @param n - number of rows (points, or residuals of a vector function).
 * @param given - a height given by the caller (`blockRows`, or a chunked plan's chunk size).
 * @param fallback - the default when nothing is given: {@link DEFAULT_BLOCK_ROWS} for the data
 *   walk, {@link VECTOR_BLOCK_ROWS} for the dense vector problem.
 * @returns rows per block, in [1, max(n, 1)].
 * @example
 * ```ts
 * blockRowsFor(1_000_000);  // 2048
 * blockRowsFor(300);        // 300
 * blockRowsFor(10_000, 64); // 64
 * ```
 */
export function blockRowsFor(n: number, given?: number, fallback: number = DEFAULT_BLOCK_ROWS): number {
  return Math.max(1, Math.min(given ?? fallback, n));
}
