/**
 * Householder fold of a block of rows under an upper-triangular factor (the TSQR update).
 *
 * Given the triangle T (c × c, row-major, upper) and a block A (m × c, row-major), compute the
 * R factor of the stacked matrix [T; A] in place of T. Column j is annihilated by the reflector
 * H_j = I − τ v vᵀ with v = [1; u] acting on (row j of T, the m rows of A):
 *
 * ```
 *   α = T_jj,  σ² = Σ_i A_ij²,  β = −sign(α)·√(α² + σ²),  u = A_:j / (α − β),  τ = (β − α)/β
 *   w_k = T_jk + Σ_i u_i A_ik   (k > j),   T_jk −= τ w_k,   A_ik −= τ w_k u_i,   T_jj = β
 * ```
 *
 * as in LAPACK's `dtpqrt` (Golub & Van Loan, Matrix Computations, 4th ed., §5.2.1 and §5.2.2).
 * Only the top triangle of T enters, so the cost is O(m c²) flops and two sweeps of the block
 * per column, row-major friendly. Backward stable.
 *
 * @module
 */

/**
 * Fold `m` rows of `A` (starting at element `offset`, row stride `c`) into the triangle `T`.
 * `A` is overwritten with the Householder vectors.
 *
 * @param T - c × c upper triangle, row-major, updated in place.
 * @param A - block storage.
 * @param offset - index of A's first element.
 * @param m - number of rows.
 * @param c - number of columns.
 * @param w - scratch of length ≥ c.
 */
export function householderFold(
  T: Float64Array,
  A: Float64Array,
  offset: number,
  m: number,
  c: number,
  w: Float64Array,
): void {
  const end = offset + m * c;
  for (let j = 0; j < c; j++) {
    let sigma2 = 0;
    for (let q = offset + j; q < end; q += c) sigma2 += A[q]! * A[q]!;
    if (sigma2 === 0) continue;
    const jj = j * c + j;
    const alpha = T[jj]!;
    const norm = Math.sqrt(alpha * alpha + sigma2);
    const beta = alpha > 0 ? -norm : norm;
    const scale = 1 / (alpha - beta);
    const tau = (beta - alpha) / beta;
    for (let q = offset + j; q < end; q += c) A[q] = A[q]! * scale;
    for (let k = j + 1; k < c; k++) w[k] = T[j * c + k]!;
    for (let row = offset; row < end; row += c) {
      const u = A[row + j]!;
      if (u === 0) continue;
      for (let k = j + 1; k < c; k++) w[k] = w[k]! + u * A[row + k]!;
    }
    for (let k = j + 1; k < c; k++) {
      w[k] = tau * w[k]!;
      T[j * c + k] = T[j * c + k]! - w[k]!;
    }
    for (let row = offset; row < end; row += c) {
      const u = A[row + j]!;
      if (u === 0) continue;
      for (let k = j + 1; k < c; k++) A[row + k] = A[row + k]! - w[k]! * u;
    }
    T[jj] = beta;
  }
}

/**
 * Fold the upper triangle `S` (c × c) into `T`: the TSQR merge of two partial factors.
 * Row i of S has zeros before column i, so the fold skips them. `S` is overwritten.
 */
export function mergeTriangles(T: Float64Array, S: Float64Array, c: number, w: Float64Array): void {
  for (let i = 0; i < c; i++) {
    for (let k = 0; k < i; k++) S[i * c + k] = 0;
  }
  householderFold(T, S, 0, c, c, w);
}
