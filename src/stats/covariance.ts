/**
 * Covariance of the fitted parameters from the folded triangle, exactly as SciPy's `curve_fit`.
 *
 * The solver returns T = [R z; 0 ρ] with JᵀJ = RᵀR for the final (loss-scaled) Jacobian J.
 * Since J = Q R, the singular values and right singular vectors of the p×p R are those of the
 * m×p J, so SciPy's two recipes are reproduced without ever forming J:
 *
 * - `trf` / `dogbox` (curve_fit after `least_squares`): the Moore–Penrose inverse of JᵀJ from the
 *   SVD, discarding singular values s_k ≤ ε·max(m, p)·s₀:  C = V diag(1/s_k²) Vᵀ.
 * - `lm` (curve_fit after `leastsq`): the inverse of the triangular R (LAPACK `trtri`), C = R⁻¹R⁻ᵀ;
 *   an exactly zero diagonal makes it indeterminate.
 *
 * Then, unless `absoluteSigma`, C is multiplied by s² = 2·cost/(m − p); when m ≤ p, or C is
 * indeterminate (NaN), C is filled with +∞ and SciPy's OptimizeWarning "Covariance of the
 * parameters could not be estimated" is reported as a result warning instead.
 *
 * @module
 */
import { thinSvd, EPS } from '../linalg/small-linalg.ts';

/** Which of SciPy's two covariance recipes to follow. */
export type CovarianceRecipe = 'svd' | 'triangular-inverse';

/** The covariance matrix and whether SciPy would have warned. */
export interface CovarianceEstimate {
  /** p×p row-major covariance (all +∞ when it could not be estimated). */
  readonly pcov: Float64Array;
  /** True when SciPy warns "Covariance of the parameters could not be estimated". */
  readonly indeterminate: boolean;
}

/** Copy the p×p R out of the (p+1)×(p+1) triangle T (zeros below the diagonal). */
export function extractR(T: Float64Array, p: number): Float64Array {
  const cols = p + 1;
  const R = new Float64Array(p * p);
  for (let i = 0; i < p; i++) for (let j = i; j < p; j++) R[i * p + j] = T[i * cols + j]!;
  return R;
}

/**
 * Unscaled covariance (JᵀJ)⁺ from R by SVD with SciPy's cut-off eps·max(m, p)·s₀
 * (`curve_fit` for trf/dogbox).
 *
 * @param R - p×p upper-triangular, row-major.
 * @param p - number of parameters.
 * @param m - number of residuals (enters the cut-off).
 * @returns p×p covariance, NaN-filled when R holds non-finite values.
 */
export function pseudoInverseCovariance(R: Float64Array, p: number, m: number): Float64Array {
  const C = new Float64Array(p * p);
  for (let k = 0; k < R.length; k++) {
    if (!Number.isFinite(R[k]!)) return C.fill(NaN);
  }
  if (p === 0) return C;
  const { s, V } = thinSvd(R, p, p);
  const threshold = EPS * Math.max(m, p) * s[0]!;
  for (let k = 0; k < p; k++) {
    const sk = s[k]!;
    if (!(sk > threshold)) continue;
    const inv = 1 / (sk * sk);
    for (let i = 0; i < p; i++) {
      const vik = V[i * p + k]! * inv;
      for (let j = 0; j < p; j++) C[i * p + j] = C[i * p + j]! + vik * V[j * p + k]!;
    }
  }
  return C;
}

/** Scratch for R⁻¹ (grown on demand; the functions below are synchronous and never re-entered). */
let invScratch = new Float64Array(64);

/**
 * Unscaled covariance R⁻¹R⁻ᵀ = (JᵀJ)⁻¹ (SciPy's `leastsq` `cov_x`, via LAPACK `trtri`).
 *
 * @param R - upper-triangular, row-major, p×p (or the leading p×p block of a row-major matrix
 *   with `ld` columns, such as the (p+1)² triangle T = [R z; 0 ρ] itself).
 * @param p - number of parameters.
 * @param ld - R's row length (default p).
 * @returns p×p covariance, or null when R has an exactly zero (or non-finite) diagonal entry.
 */
export function triangularInverseCovariance(R: Float64Array, p: number, ld = p): Float64Array | null {
  for (let j = 0; j < p; j++) {
    const d = R[j * ld + j]!;
    if (d === 0 || !Number.isFinite(d)) return null;
  }
  if (invScratch.length < p * p) invScratch = new Float64Array(p * p);
  const inv = invScratch; // upper-triangular R⁻¹, column by column (only entries i ≤ j are read, all written first)
  for (let j = 0; j < p; j++) {
    inv[j * p + j] = 1 / R[j * ld + j]!;
    for (let i = j - 1; i >= 0; i--) {
      let sum = 0;
      for (let k = i + 1; k <= j; k++) sum += R[i * ld + k]! * inv[k * p + j]!;
      inv[i * p + j] = -sum / R[i * ld + i]!;
    }
  }
  const C = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = i; j < p; j++) {
      let sum = 0;
      for (let k = j; k < p; k++) sum += inv[i * p + k]! * inv[j * p + k]!;
      C[i * p + j] = sum;
      C[j * p + i] = sum;
    }
  }
  return C;
}

/**
 * SciPy `curve_fit`'s covariance: the recipe of the method, then the scaling by
 * s² = sumSquares/(m − p) unless `absoluteSigma`, with every indeterminate branch filled with +∞.
 *
 * @param T - the final triangle from the solver, or null when it is unavailable.
 * @param p - number of parameters.
 * @param m - number of residuals.
 * @param sumSquares - 2·cost (SciPy's `cost` in curve_fit: Σρ(f²) with the loss applied).
 * @param absoluteSigma - use sigma in an absolute sense (no s² scaling).
 * @param recipe - `'svd'` for trf/dogbox, `'triangular-inverse'` for lm.
 * @returns the covariance and whether SciPy would warn.
 */
export function estimateCovariance(
  T: Float64Array | null,
  p: number,
  m: number,
  sumSquares: number,
  absoluteSigma: boolean,
  recipe: CovarianceRecipe,
): CovarianceEstimate {
  let C: Float64Array | null = null;
  if (T !== null) {
    // The lm recipe reads R inside T (row length p + 1): no copy.
    C = recipe === 'svd' ? pseudoInverseCovariance(extractR(T, p), p, m) : triangularInverseCovariance(T, p, p + 1);
  }
  if (C === null || C.some(Number.isNaN)) {
    return { pcov: new Float64Array(p * p).fill(Infinity), indeterminate: true };
  }
  if (absoluteSigma) return { pcov: C, indeterminate: false };
  if (m > p) {
    const s2 = sumSquares / (m - p);
    for (let k = 0; k < C.length; k++) C[k] = C[k]! * s2;
    return { pcov: C, indeterminate: false };
  }
  return { pcov: C.fill(Infinity), indeterminate: true };
}
