/**
 * Host-side (f64) completion of a WebGPU evaluation: sum the per-workgroup f32 partials of the
 * packed augmented Gram matrix and factor it into the triangle T of `backend.ts`.
 *
 * With A = [J r] (m × c, c = p + 1) the device returns partial sums of G = AᵀA (upper triangle,
 * packed row-major: (0,0), (0,1), …, (0,c−1), (1,1), …). The host adds the partials in f64 in a
 * fixed order (so the result is as deterministic as the partials) and computes the Cholesky
 * factor G = TᵀT. Then T = [R z; 0 ρ] is exactly the triangle a Householder QR of A would give
 * (up to row signs): RᵀR = JᵀJ, Rᵀz = Jᵀr and ρ² = rᵀr − ‖z‖².
 *
 * The Gram matrix squares the conditioning of J, and its entries carry f32 rounding, so it can
 * be numerically semidefinite. The factorization is a *semidefinite* Cholesky (Higham, "Accuracy
 * and Stability of Numerical Algorithms", 2nd ed., §10.3): a pivot d_k ≤ tol·G_kk of a Jacobian
 * column (a column that is, within the device precision, a combination of the previous ones)
 * gives a zero row k of T instead of a failure, so R is rank-revealing (the solvers' SVD of R then
 * treats that direction as in the null space, like SciPy's `lstsq` on a rank-deficient J); the
 * last pivot ρ² is clamped at 0.
 *
 * @module
 */
import { triangleEntries } from './gram-partials.wgsl.ts';

/** A run of partials in the read-back buffer: `groups` partials of `entries` floats from `offset`. */
export interface PartialRegion {
  /** Offset of the first partial, in floats. */
  readonly offset: number;
  /** Number of workgroup partials in the region. */
  readonly groups: number;
}

/**
 * Sum workgroup partials in f64: `out[e] = Σ_regions Σ_g partials[offset + g·entries + e]`,
 * in a fixed order (regions in order, groups ascending).
 *
 * @param partials - the read-back f32 partials.
 * @param regions - where each chunk's partials lie.
 * @param entries - floats per partial.
 * @param out - receives the sums (length ≥ entries); overwritten.
 * @returns `out`.
 */
export function combinePartials(
  partials: Float32Array,
  regions: readonly PartialRegion[],
  entries: number,
  out: Float64Array = new Float64Array(entries),
): Float64Array {
  out.fill(0, 0, entries);
  for (const { offset, groups } of regions) {
    for (let g = 0; g < groups; g++) {
      const base = offset + g * entries;
      for (let e = 0; e < entries; e++) out[e]! += partials[base + e]!;
    }
  }
  return out;
}

/**
 * Relative pivot tolerance of {@link gramToTriangle} for a Gram matrix accumulated in f32:
 * a Jacobian pivot below `cols · 2⁻²³ · G_kk` (the f32 rounding level of the column's squared
 * norm) counts as zero.
 *
 * @param cols - order of G.
 */
function f32PivotTolerance(cols: number): number {
  return cols * 2 ** -23;
}

/**
 * Factor a packed augmented Gram matrix G (upper triangle, row-major packed, order `cols`) into
 * the upper triangle T (cols × cols row-major, zeros below the diagonal) with TᵀT = G, by the
 * semidefinite Cholesky described in the module documentation.
 *
 * Math: for k = 0 … c−1, d_k = G_kk − Σ_{i<k} T_ik²; for a Jacobian column (k < c−1) with
 * d_k > tol·G_kk, T_kk = √d_k and T_kj = (G_kj − Σ_{i<k} T_ik T_ij)/T_kk; otherwise row k is 0.
 * The residual column's pivot is T_{c−1,c−1} = √max(d, 0).
 *
 * @param packed - the packed upper triangle (length cols(cols+1)/2), f64.
 * @param cols - order c = p + 1.
 * @param tol - relative pivot tolerance (default {@link f32PivotTolerance}).
 * @param T - output (length ≥ cols²); overwritten.
 * @returns `{ T, rank }` where rank counts the nonzero Jacobian pivots; T is null when an entry
 *   of G is not finite.
 */
export function gramToTriangle(
  packed: Float64Array,
  cols: number,
  tol: number = f32PivotTolerance(cols),
  T: Float64Array = new Float64Array(cols * cols),
): { readonly T: Float64Array | null; readonly rank: number } {
  const need = triangleEntries(cols);
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
