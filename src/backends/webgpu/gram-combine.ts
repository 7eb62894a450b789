/**
 * Host-side (f64) completion of a WebGPU evaluation: sum the per-workgroup f32 partials of the
 * packed augmented Gram matrix (`combinePartials`), which the evaluator then factors into the
 * triangle T of `backend.ts` with the shared `gramToTriangle` at the f32 pivot tolerance
 * (`f32PivotTolerance`).
 *
 * With A = [J r] (m × c, c = p + 1) the device returns partial sums of G = AᵀA (upper triangle,
 * packed row-major: (0,0), (0,1), …, (0,c−1), (1,1), …). The host adds the partials in f64 in a
 * fixed order (so the result is as deterministic as the partials) and computes the Cholesky
 * factor G = TᵀT. Then T = [R z; 0 ρ] is exactly the triangle a Householder QR of A would give
 * (up to row signs): RᵀR = JᵀJ, Rᵀz = Jᵀr and ρ² = rᵀr − ‖z‖².
 *
 * The Gram matrix squares the conditioning of J, and its entries carry f32 rounding, so it can
 * be numerically semidefinite: the factorization is the semidefinite Cholesky shared with the SQL
 * engines (`linalg/gram-triangle.ts`), with the f32 pivot tolerance defined here.
 *
 * @module
 */
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
 * Relative pivot tolerance for factoring a Gram matrix accumulated in f32 (the `tol` of
 * `linalg/gram-triangle.ts`'s `gramToTriangle`): a Jacobian pivot below `cols · 2⁻²³ · G_kk`
 * (the f32 rounding level of the column's squared norm) counts as zero.
 *
 * @param cols - order of G.
 * @returns the tolerance.
 */
export function f32PivotTolerance(cols: number): number {
  return cols * 2 ** -23;
}
