/**
 * Pairwise (cascade) summation kernels on strided Float64Array views.
 *
 * Blocks of up to {@link PAIRWISE_BLOCK} terms are summed with eight independent accumulators
 * and blocks are combined recursively, so the rounding error grows as O(ε log n) instead of
 * O(ε n) (Higham, "The accuracy of floating point summation", SIAM J. Sci. Comput. 14(4), 1993).
 * Views follow the BLAS convention (n, buffer, offset, stride) so windows of one array pass
 * without copies.
 *
 * @module
 */

/** Number of terms summed directly before the recursion splits. */
const PAIRWISE_BLOCK = 128;

/** Σ a[offset + i·stride]², i = 0..n−1, pairwise. */
export function pairwiseSumSquares(a: Float64Array, offset: number, n: number, stride: number): number {
  if (n <= PAIRWISE_BLOCK) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    let i = 0;
    let q = offset;
    for (; i + 4 <= n; i += 4, q += 4 * stride) {
      const a0 = a[q]!, a1 = a[q + stride]!, a2 = a[q + 2 * stride]!, a3 = a[q + 3 * stride]!;
      s0 += a0 * a0; s1 += a1 * a1; s2 += a2 * a2; s3 += a3 * a3;
    }
    for (; i < n; i++, q += stride) s0 += a[q]! * a[q]!;
    return (s0 + s1) + (s2 + s3);
  }
  const half = (n >> 1) - ((n >> 1) % 4);
  return pairwiseSumSquares(a, offset, half, stride) + pairwiseSumSquares(a, offset + half * stride, n - half, stride);
}

/** Σ a[offset + i] · b[offset + i], i = 0..n−1, pairwise. */
export function pairwiseDot(a: Float64Array, b: Float64Array, offset: number, n: number): number {
  if (n <= PAIRWISE_BLOCK) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    let i = 0;
    let q = offset;
    for (; i + 4 <= n; i += 4, q += 4) {
      s0 += a[q]! * b[q]!; s1 += a[q + 1]! * b[q + 1]!; s2 += a[q + 2]! * b[q + 2]!; s3 += a[q + 3]! * b[q + 3]!;
    }
    for (; i < n; i++, q++) s0 += a[q]! * b[q]!;
    return (s0 + s1) + (s2 + s3);
  }
  const half = (n >> 1) - ((n >> 1) % 4);
  return pairwiseDot(a, b, offset, half) + pairwiseDot(a, b, offset + half, n - half);
}

/** max |a[offset + i]|, i = 0..n−1; NaN if any entry is NaN; 0 when n = 0. */
export function maxAbsolute(a: Float64Array, offset: number, n: number): number {
  let m = 0;
  for (let q = offset, end = offset + n; q < end; q++) {
    const v = Math.abs(a[q]!);
    if (v > m) m = v;
    else if (v !== v) return NaN;
  }
  return m;
}
