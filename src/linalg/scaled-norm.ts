/**
 * A Euclidean norm that neither underflows nor overflows, on strided views.
 *
 * ‖a‖₂ = √Σaᵢ² computed as M·√Σ(aᵢ/M)² with M = max|aᵢ| (two passes, as LAPACK's reference
 * `dnrm2` scales before squaring — Anderson, "Algorithm 978: Safe scaling in the Level 1 BLAS",
 * ACM TOMS 44(1), 2017, §2): every scaled square lies in [0, 1], so no square underflows to 0
 * nor overflows to ∞ while the norm itself is representable. The plain sum of squares fails
 * outside roughly 1e-154 < |aᵢ| < 1e154 — residuals of data near 1e-300 have ‖r‖² = 0, those of
 * data near 1e200 have ‖r‖² = ∞. MINPACK's `enorm` (`small-linalg.ts`) solves the same problem
 * with three accumulators on contiguous vectors; this one serves columns of row-major storage.
 *
 * @module
 */

/**
 * ‖a[offset + i·stride]‖₂ over i = 0 … n−1, scaled so that no square under- or overflows.
 *
 * @param a - the storage.
 * @param offset - index of the first entry.
 * @param n - number of entries.
 * @param stride - distance between entries (default 1).
 * @returns the norm; 0 for n = 0 or an all-zero view, NaN if an entry is NaN, ∞ if one is ±∞.
 * @example
 * ```ts
 * scaledNorm(new Float64Array([3e-300, 4e-300]), 0, 2); // 5e-300 (the plain √Σaᵢ² gives 0)
 * ```
 */
export function scaledNorm(a: ArrayLike<number>, offset: number, n: number, stride = 1): number {
  let max = 0;
  const end = offset + n * stride;
  for (let q = offset; q < end; q += stride) {
    const v = Math.abs(a[q]!);
    if (v > max) max = v;
    else if (v !== v) return NaN;
  }
  if (max === 0 || max === Infinity) return max;
  let sum = 0;
  for (let q = offset; q < end; q += stride) {
    const r = a[q]! / max;
    sum += r * r;
  }
  return max * Math.sqrt(sum);
}
