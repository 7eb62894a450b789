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
 * per column (the norm of the next column is accumulated during the update sweep), row-major
 * friendly. Backward stable.
 *
 * σ² is summed plainly, which is exact enough while the entries lie within about 1e±154; when it
 * underflows (data near 1e-300, whose squares are 0) or overflows (near 1e200), the column's
 * norm is recomputed with scaling (`linalg/scaled-norm.ts`, as LAPACK's `dlarfg` uses `dnrm2`),
 * so such columns are folded rather than dropped or turned into NaN. Within the safe range the
 * arithmetic is unchanged, bit for bit.
 *
 * @module
 */
import { scaledNorm } from '../../linalg/scaled-norm.ts';

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
  let sigma2 = 0;
  for (let q = offset; q < end; q += c) sigma2 += A[q]! * A[q]!;
  for (let j = 0; j < c; j++) {
    const alpha = T[j * c + j]!;
    let norm = Math.sqrt(alpha * alpha + sigma2);
    if (!(sigma2 >= SAFE_SIGMA2 && norm < Infinity) && sigma2 === sigma2) {
      // The squares under- or overflowed (entries beyond ~1e±154): take the norm scaled.
      const sigma = scaledNorm(A, offset + j, m, c);
      norm = sigma < MIN_NORM ? 0 : Math.hypot(alpha, sigma);
    }
    sigma2 = norm === 0 ? columnNorm2(A, offset + j + 1, end, c, j + 1 < c) : reflect(T, A, offset, end, c, j, norm, w);
  }
}

/** Below this σ² the plain sum of squares of a column has lost digits to underflow (2⁻¹⁰⁰⁰). */
const SAFE_SIGMA2 = 2 ** -1000;

/** A block column of smaller norm is left out, as a zero one (1/(α − β) must not overflow). */
const MIN_NORM = 2 ** -1020;

/** Σ A_ij² down column j (starting at element `first`), or 0 when there is no such column. */
function columnNorm2(A: Float64Array, first: number, end: number, c: number, exists: boolean): number {
  let s = 0;
  if (exists) for (let q = first; q < end; q += c) s += A[q]! * A[q]!;
  return s;
}

/**
 * Apply the reflector of column j (norm = √(α² + Σ_i A_ij²) given) to T and the block in two sweeps:
 * the first scales u and accumulates w, the second updates the trailing columns and returns
 * the next column's σ² from the updated values (so no separate norm sweep is needed).
 */
function reflect(T: Float64Array, A: Float64Array, offset: number, end: number, c: number, j: number, norm: number, w: Float64Array): number {
  const jj = j * c + j;
  const alpha = T[jj]!;
  const beta = alpha > 0 ? -norm : norm;
  const scale = 1 / (alpha - beta);
  const tau = (beta - alpha) / beta;
  for (let k = j + 1; k < c; k++) w[k] = T[j * c + k]!;
  for (let row = offset; row < end; row += c) {
    const u = A[row + j]! * scale;
    A[row + j] = u;
    for (let k = j + 1; k < c; k++) w[k] = w[k]! + u * A[row + k]!;
  }
  for (let k = j + 1; k < c; k++) {
    w[k] = tau * w[k]!;
    T[j * c + k] = T[j * c + k]! - w[k]!;
  }
  T[jj] = beta;
  const j1 = j + 1;
  if (j1 === c) return 0;
  let next = 0;
  for (let row = offset; row < end; row += c) {
    const u = A[row + j]!;
    for (let k = j1; k < c; k++) A[row + k] = A[row + k]! - w[k]! * u;
    const a = A[row + j1]!;
    next += a * a;
  }
  return next;
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
