/**
 * How many rows the data walk evaluates and folds at once — the one home of the default.
 *
 * Every in-memory evaluation (the block walk of the standard and chunked strategies, the exact
 * passes of streaming, the dense vector problem of `leastSquares` and of a covariance sigma)
 * folds its rows [J | r] into the triangle `blockRows` at a time (`Backend.foldRows`). The fold is
 * exact arithmetic on a different partition, so the block height changes only the rounding; it is
 * chosen for speed: a block of p ≤ 8 parameters at 2048 rows (≤ 150 KB) stays in L2 cache;
 * measured flat from 512 to 4096 rows on wasm-simd and best at 512–2048 on the CPU
 * (`npm run bench -- kernels`).
 *
 * @module
 */

/** Default rows per block of the data walk (see the module doc for the measurement). */
export const DEFAULT_BLOCK_ROWS = 2048;

/**
 * The block height of a walk over `n` rows: the caller's `given` height (or
 * {@link DEFAULT_BLOCK_ROWS}) capped at n, and at least 1.
 *
 * @param n - number of rows (points, or residuals of a vector function).
 * @param given - a height given by the caller (`blockRows`, or a chunked plan's chunk size).
 * @returns rows per block, in [1, max(n, 1)].
 * @example
 * ```ts
 * blockRowsFor(1_000_000);  // 2048
 * blockRowsFor(300);        // 300
 * blockRowsFor(10_000, 64); // 64
 * ```
 */
export function blockRowsFor(n: number, given?: number): number {
  return Math.max(1, Math.min(given ?? DEFAULT_BLOCK_ROWS, n));
}
