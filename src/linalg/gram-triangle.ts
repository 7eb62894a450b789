/**
 * From the augmented Gram matrix to the solvers' triangle: the one home of the conversion that
 * every Gram-forming evaluator shares (the WebGPU device, `backends/webgpu/gram-combine.ts`, and
 * the SQL engines, `sql/sql-problem.ts`).
 *
 * With A = [J r] (m × c, c = p + 1), an evaluator that cannot keep the rows forms
 * G = AᵀA (upper triangle, packed row-major: (0,0), (0,1), …, (0,c−1), (1,1), …) and the host
 * factors it, G = TᵀT. Then T = [R z; 0 ρ] is exactly the triangle a Householder QR of A would
 * give (up to row signs; `backends/backend.ts`): RᵀR = JᵀJ, Rᵀz = Jᵀr and ρ² = rᵀr − ‖z‖².
 *
 * The Gram matrix squares the conditioning of J, so the factorization is a *semidefinite*
 * Cholesky (Higham, "Accuracy and Stability of Numerical Algorithms", 2nd ed., §10.3): a pivot
 * d_k ≤ tol·G_kk of a Jacobian column (a column that is, within the precision of G, a
 * combination of the previous ones) gives a zero row k of T instead of a failure, so R is
 * rank-revealing (the solvers' SVD of R then treats that direction as in the null space, like
 * SciPy's `lstsq` on a rank-deficient J); the last pivot ρ² is clamped at 0.
 *
 * Cholesky is accurate to ε·κ(D⁻¹GD⁻¹) for the best diagonal D (van der Sluis, "Condition
 * numbers and equilibration of matrices", Numer. Math. 14, 1969), so {@link triangleCondition}
 * measures κ after scaling the columns to unit norm, and {@link equilibratedGramToTriangle}
 * factors the column-equilibrated G (scaled by powers of two: exact) so that the pivot test is
 * relative and no entry over- or underflows.
 *
 * @module
 */
import { thinSvd } from './small-linalg.ts';

/** Entries of the packed upper triangle of a `cols × cols` matrix: cols(cols+1)/2. */
export function packedEntries(cols: number): number {
  return (cols * (cols + 1)) / 2;
}

/**
 * Factor a packed augmented Gram matrix G (upper triangle, row-major packed, order `cols`) into
 * the upper triangle T (cols × cols row-major, zeros below the diagonal) with TᵀT = G, by the
 * semidefinite Cholesky of the module documentation.
 *
 * Math: for k = 0 … c−1, d_k = G_kk − Σ_{i<k} T_ik²; for a Jacobian column (k < c−1) with
 * d_k > tol·G_kk, T_kk = √d_k and T_kj = (G_kj − Σ_{i<k} T_ik T_ij)/T_kk; otherwise row k is 0.
 * The residual column's pivot is T_{c−1,c−1} = √max(d, 0).
 *
 * @param packed - the packed upper triangle (length cols(cols+1)/2), f64.
 * @param cols - order c = p + 1.
 * @param tol - relative pivot tolerance (the rounding level of G's diagonal: c·ε of its precision).
 * @param T - output (length ≥ cols²); overwritten.
 * @returns `{ T, rank }` where rank counts the nonzero Jacobian pivots; T is null when an entry
 *   of G is not finite.
 */
export function gramToTriangle(
  packed: Float64Array,
  cols: number,
  tol: number,
  T: Float64Array = new Float64Array(cols * cols),
): { readonly T: Float64Array | null; readonly rank: number } {
  const need = packedEntries(cols);
  for (let e = 0; e < need; e++) if (!Number.isFinite(packed[e]!)) return { T: null, rank: 0 };
  T.fill(0, 0, cols * cols);
  let rank = 0;
  let e = 0;
  for (let k = 0; k < cols; k++) {
    // row k of G starts at packed index e (entries (k,k) … (k,c−1))
    let d = packed[e]!;
    for (let i = 0; i < k; i++) d -= T[i * cols + k]! * T[i * cols + k]!;
    if (k === cols - 1) {
      T[k * cols + k] = Math.sqrt(Math.max(d, 0));
    } else if (d > tol * packed[e]! && d > 0) {
      const tkk = Math.sqrt(d);
      T[k * cols + k] = tkk;
      for (let j = k + 1; j < cols; j++) {
        let s = packed[e + (j - k)]!;
        for (let i = 0; i < k; i++) s -= T[i * cols + k]! * T[i * cols + j]!;
        T[k * cols + j] = s / tkk;
      }
      rank++;
    }
    e += cols - k;
  }
  return { T, rank };
}

/**
 * The power of two nearest 1/√g (1 for g ≤ 0 or non-finite g): the exact scale that brings a
 * column of squared norm g to norm ≈ 1.
 */
export function equilibrationScale(g: number): number {
  if (!(g > 0) || !Number.isFinite(g)) return 1;
  return 2 ** -Math.round(Math.log2(g) / 2);
}

/**
 * {@link gramToTriangle} on the column-equilibrated G: with D = diag(d_k), d_k the power of two
 * nearest 1/√G_kk, factor D G D = SᵀS and return T = S D⁻¹. Scaling by powers of two is exact,
 * so T equals the unscaled factorization wherever that one neither over- nor underflows; the
 * pivot test becomes relative to unit columns.
 *
 * @param packed - the packed upper triangle of G (not modified).
 * @param cols - order c = p + 1.
 * @param tol - relative pivot tolerance.
 * @returns `{ T, rank }` as {@link gramToTriangle}, and `scales`, the d_k used (the in-database
 *   fit binds them as the next query's column scales).
 */
export function equilibratedGramToTriangle(packed: Float64Array, cols: number, tol: number): { readonly T: Float64Array | null; readonly rank: number; readonly scales: Float64Array } {
  const d = new Float64Array(cols);
  let e = 0;
  for (let k = 0; k < cols; k++) {
    d[k] = equilibrationScale(packed[e]!);
    e += cols - k;
  }
  const scaled = new Float64Array(packedEntries(cols));
  e = 0;
  for (let k = 0; k < cols; k++) for (let j = k; j < cols; j++, e++) scaled[e] = packed[e]! * d[k]! * d[j]!;
  const out = gramToTriangle(scaled, cols, tol);
  if (out.T !== null) for (let i = 0; i < cols; i++) for (let j = i; j < cols; j++) out.T[i * cols + j] = out.T[i * cols + j]! / d[j]!;
  return { ...out, scales: d };
}

/**
 * κ₂ of the p×p R of a triangle T after scaling its columns to unit norm (Infinity when R is
 * singular): the column-equilibrated condition of J, the one that decides how many digits a
 * Gram matrix (which squares it) keeps (van der Sluis, above).
 *
 * @param T - the (p+1)×(p+1) row-major triangle.
 * @param p - number of parameters.
 * @returns κ₂(R D⁻¹), D the column norms of R.
 */
export function triangleCondition(T: Float64Array, p: number): number {
  const c = p + 1;
  const R = new Float64Array(p * p);
  for (let j = 0; j < p; j++) {
    let norm2 = 0;
    for (let i = 0; i <= j; i++) norm2 += T[i * c + j]! * T[i * c + j]!;
    const scale = norm2 > 0 ? 1 / Math.sqrt(norm2) : 0;
    for (let i = 0; i <= j; i++) R[i * p + j] = T[i * c + j]! * scale;
  }
  const { s } = thinSvd(R, p, p);
  return s[p - 1]! > 0 ? s[0]! / s[p - 1]! : Infinity;
}
