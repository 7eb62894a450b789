/**
 * Trust-region numerics shared by `trf` and `dogbox`: SciPy's `optimize/_lsq/common.py`
 * rewritten on the small triangle.
 *
 * Where SciPy passes the m×n Jacobian J, these functions take any dense matrix A with
 * AᵀA = JᵀJ — in practice the p×p R of the folded triangle (J = QR), so ‖Js‖ = ‖Rs‖ and every
 * quadratic model value is the same without an N-sized product. The trust-region subproblem is
 * solved from an SVD of R (its singular values and right vectors are J's, and Uᵀf = U_Rᵀ·Qᵀf).
 *
 * References: J. J. Moré, "The Levenberg–Marquardt algorithm: implementation and theory",
 * Numerical Analysis, Lecture Notes in Mathematics 630, Springer, 1977, pp. 105–116 (the
 * secular-equation iteration of {@link solveLsqTrustRegion}).
 *
 * @module
 */
import { NlsqRangeError } from '../errors.ts';
import { EPS, norm2 } from '../linalg/small-linalg.ts';

/** A small dense matrix, row-major: `data[i·cols + j]`. */
export interface DenseMatrix {
  /** Number of rows. */
  readonly rows: number;
  /** Number of columns (= number of parameters). */
  readonly cols: number;
  /** Entries, row-major. */
  readonly data: Float64Array;
}

/** ‖A s‖² for a dense matrix A. */
function normSquaredOfProduct(A: DenseMatrix, s: ArrayLike<number>): number {
  const { rows, cols, data } = A;
  let total = 0;
  for (let i = 0; i < rows; i++) {
    let v = 0;
    for (let j = 0; j < cols; j++) v += data[i * cols + j]! * s[j]!;
    total += v * v;
  }
  return total;
}

/** (A s)ᵀ(A t) for a dense matrix A. */
function productDot(A: DenseMatrix, s: ArrayLike<number>, t: ArrayLike<number>): number {
  const { rows, cols, data } = A;
  let total = 0;
  for (let i = 0; i < rows; i++) {
    let u = 0;
    let v = 0;
    for (let j = 0; j < cols; j++) {
      u += data[i * cols + j]! * s[j]!;
      v += data[i * cols + j]! * t[j]!;
    }
    total += u * v;
  }
  return total;
}

/**
 * Intersections of the line x + t·s with the sphere ‖·‖ = Δ (SciPy `intersect_trust_region`):
 * the roots of ‖x + t s‖² = Δ², computed without cancellation (q = −(b + sign(b)√(b² − ac)),
 * t₁ = q/a, t₂ = c/q).
 *
 * @param x - a point inside the trust region.
 * @param s - direction.
 * @param Delta - radius.
 * @returns [t⁻, t⁺], the negative and the positive root.
 * @throws NlsqRangeError when s = 0 or x lies outside the region.
 */
export function intersectTrustRegion(x: ArrayLike<number>, s: ArrayLike<number>, Delta: number): [number, number] {
  let a = 0;
  let b = 0;
  let c = 0;
  for (let i = 0; i < s.length; i++) {
    a += s[i]! * s[i]!;
    b += x[i]! * s[i]!;
    c += x[i]! * x[i]!;
  }
  c -= Delta * Delta;
  if (a === 0) throw new NlsqRangeError('intersectTrustRegion: s must be a nonzero direction, got the zero vector', 's');
  if (c > 0) throw new NlsqRangeError(`intersectTrustRegion: x must lie within the trust region of radius ${Delta}, got ‖x‖² − Δ² = ${c}`, 'x');
  const d = Math.sqrt(b * b - a * c);
  const q = -(b + (b < 0 || Object.is(b, -0) ? -d : d));
  const t1 = q / a;
  const t2 = c / q;
  return t1 < t2 ? [t1, t2] : [t2, t1];
}

/** Result of {@link phiAndDerivative}. */
export interface SecularValue {
  /** φ(α) = ‖p(α)‖ − Δ. */
  readonly phi: number;
  /** φ′(α). */
  readonly phiPrime: number;
}

/**
 * The secular function of the least-squares trust-region problem and its derivative (SciPy's
 * inner `phi_and_derivative`): with p(α) = −V·(s∘uf)/(s² + α),
 *
 * ```
 *   φ(α) = ‖(s∘uf)/(s² + α)‖ − Δ,     φ′(α) = −Σ (s∘uf)²/(s² + α)³ / ‖p(α)‖
 * ```
 *
 * @param alpha - the Levenberg–Marquardt parameter α ≥ 0.
 * @param suf - s∘(Uᵀf).
 * @param s - singular values.
 * @param Delta - radius.
 * @returns φ and φ′.
 */
export function phiAndDerivative(alpha: number, suf: Float64Array, s: Float64Array, Delta: number): SecularValue {
  let pNorm2 = 0;
  let sum3 = 0;
  for (let k = 0; k < s.length; k++) {
    const sf = suf[k]!;
    if (sf === 0) continue;
    const denom = s[k]! * s[k]! + alpha;
    const q = sf / denom;
    pNorm2 += q * q;
    sum3 += (sf * sf) / (denom * denom * denom);
  }
  const pNorm = Math.sqrt(pNorm2);
  return { phi: pNorm - Delta, phiPrime: -sum3 / pNorm };
}

/** Result of {@link solveLsqTrustRegion}. */
export interface TrustRegionStep {
  /** The step p (length n). */
  readonly p: Float64Array;
  /** α ≥ 0 with (JᵀJ + αI)p = −Jᵀf (0 for the Gauss–Newton step). */
  readonly alpha: number;
  /** Root-finding iterations; 0 when the Gauss–Newton step was taken. */
  readonly nIter: number;
}

/**
 * Solve min ½‖J p + f‖² subject to ‖p‖ ≤ Δ from one SVD J = U diag(s) Vᵀ (SciPy
 * `solve_lsq_trust_region`, after Moré 1977): take the Gauss–Newton step −V(uf/s) when J has full
 * rank (m ≥ n and s_min > ε·m·s_max) and it fits; otherwise find α with φ(α) = 0 by Moré's
 * safeguarded Newton iteration on 1/‖p‖ (bounds α_l ≤ α ≤ α_u, |φ| < rtol·Δ, at most `maxIter`
 * steps), then rescale p to ‖p‖ = Δ exactly.
 *
 * @param n - number of variables.
 * @param m - number of residuals (enters the rank test).
 * @param uf - Uᵀf (length k = number of singular values).
 * @param s - singular values, non-increasing (length k).
 * @param V - right singular vectors, n×k row-major.
 * @param Delta - radius > 0.
 * @param initialAlpha - a starting α (the previous iteration's), or null.
 * @param rtol - relative tolerance on ‖p‖ − Δ (SciPy: 0.01).
 * @param maxIter - iteration limit (SciPy: 10).
 * @returns the step, α and the iteration count.
 */
export function solveLsqTrustRegion(
  n: number,
  m: number,
  uf: Float64Array,
  s: Float64Array,
  V: Float64Array,
  Delta: number,
  initialAlpha: number | null = null,
  rtol = 0.01,
  maxIter = 10,
): TrustRegionStep {
  const k = s.length;
  const suf = new Float64Array(k);
  for (let i = 0; i < k; i++) suf[i] = s[i]! * uf[i]!;
  const fullRank = m >= n && s[k - 1]! > EPS * m * s[0]!;
  const p = new Float64Array(n);
  if (fullRank) {
    combineColumns(V, n, k, uf, s, 0, true, p);
    if (norm2(p) <= Delta) return { p, alpha: 0, nIter: 0 };
  }
  let alphaUpper = norm2(suf) / Delta;
  let alphaLower = 0;
  if (fullRank) {
    const { phi, phiPrime } = phiAndDerivative(0, suf, s, Delta);
    alphaLower = -phi / phiPrime;
  }
  let alpha: number;
  if (initialAlpha === null || (!fullRank && initialAlpha === 0)) {
    alpha = Math.max(0.001 * alphaUpper, Math.sqrt(alphaLower * alphaUpper));
  } else alpha = initialAlpha;
  let it = 0;
  for (; it < maxIter; it++) {
    if (alpha < alphaLower || alpha > alphaUpper) alpha = Math.max(0.001 * alphaUpper, Math.sqrt(alphaLower * alphaUpper));
    const { phi, phiPrime } = phiAndDerivative(alpha, suf, s, Delta);
    if (phi < 0) alphaUpper = alpha;
    const ratio = phi / phiPrime;
    alphaLower = Math.max(alphaLower, alpha - ratio);
    alpha -= ((phi + Delta) * ratio) / Delta;
    if (Math.abs(phi) < rtol * Delta) break;
  }
  combineColumns(V, n, k, suf, s, alpha, false, p);
  const pn = norm2(p);
  for (let i = 0; i < n; i++) p[i] = (p[i]! * Delta) / pn;
  return { p, alpha, nIter: Math.min(it + 1, maxIter) };
}

/**
 * p = −V·c with c_k = num_k/s_k (gaussNewton) or num_k/(s_k² + α); 0/0 terms (num_k = 0 on a
 * zero singular value) count as 0.
 */
function combineColumns(
  V: Float64Array,
  n: number,
  k: number,
  num: Float64Array,
  s: Float64Array,
  alpha: number,
  gaussNewton: boolean,
  out: Float64Array,
): void {
  out.fill(0);
  for (let c = 0; c < k; c++) {
    const numer = num[c]!;
    if (numer === 0) continue;
    const coef = gaussNewton ? numer / s[c]! : numer / (s[c]! * s[c]! + alpha);
    for (let i = 0; i < n; i++) out[i] = out[i]! - V[i * k + c]! * coef;
  }
}

/** Result of {@link updateTrRadius}. */
export interface RadiusUpdate {
  /** The new radius. */
  readonly Delta: number;
  /** actual / predicted reduction. */
  readonly ratio: number;
}

/**
 * Trust-radius update (SciPy `update_tr_radius`): ratio = actual/predicted (1 when both are 0,
 * 0 when predicted ≤ 0); ratio < ¼ ⇒ Δ = ¼‖step‖; ratio > ¾ and the step reached the boundary ⇒
 * Δ = 2Δ; otherwise Δ is kept.
 *
 * @param Delta - current radius.
 * @param actualReduction - cost − cost_new.
 * @param predictedReduction - the model's reduction.
 * @param stepNorm - ‖step‖ in the trust-region norm.
 * @param boundHit - whether the step reached the trust-region boundary.
 * @returns the new radius and the ratio.
 */
export function updateTrRadius(
  Delta: number,
  actualReduction: number,
  predictedReduction: number,
  stepNorm: number,
  boundHit: boolean,
): RadiusUpdate {
  let ratio: number;
  if (predictedReduction > 0) ratio = actualReduction / predictedReduction;
  else if (predictedReduction === actualReduction && actualReduction === 0) ratio = 1;
  else ratio = 0;
  if (ratio < 0.25) Delta = 0.25 * stepNorm;
  else if (ratio > 0.75 && boundHit) Delta *= 2;
  return { Delta, ratio };
}

/** Coefficients of a quadratic along a line; see {@link buildQuadratic1d}. */
export interface Quadratic1d {
  /** Coefficient of t². */
  readonly a: number;
  /** Coefficient of t. */
  readonly b: number;
  /** Free term (0 when no s0 was given). */
  readonly c: number;
}

/**
 * Restrict q(u) = ½uᵀ(AᵀA + diag)u + gᵀu to the line u = s0 + t·s (SciPy `build_quadratic_1d`):
 * q = a t² + b t + c with a = ½(‖As‖² + sᵀdiag s), b = gᵀs + (As0)ᵀ(As) + s0ᵀdiag s,
 * c = ½‖As0‖² + gᵀs0 + ½s0ᵀdiag s0.
 *
 * @param A - matrix with AᵀA = JᵀJ (e.g. R·diag(d)).
 * @param g - linear term.
 * @param s - direction.
 * @param diag - extra diagonal of the quadratic term, or null.
 * @param s0 - start point, or null (then c = 0).
 * @returns a, b, c.
 */
export function buildQuadratic1d(
  A: DenseMatrix,
  g: ArrayLike<number>,
  s: ArrayLike<number>,
  diag: ArrayLike<number> | null = null,
  s0: ArrayLike<number> | null = null,
): Quadratic1d {
  const n = s.length;
  let a = normSquaredOfProduct(A, s);
  if (diag !== null) for (let i = 0; i < n; i++) a += s[i]! * diag[i]! * s[i]!;
  a *= 0.5;
  let b = 0;
  for (let i = 0; i < n; i++) b += g[i]! * s[i]!;
  if (s0 === null) return { a, b, c: 0 };
  b += productDot(A, s0, s);
  let c = 0.5 * normSquaredOfProduct(A, s0);
  for (let i = 0; i < n; i++) c += g[i]! * s0[i]!;
  if (diag !== null) {
    for (let i = 0; i < n; i++) {
      b += s0[i]! * diag[i]! * s[i]!;
      c += 0.5 * s0[i]! * diag[i]! * s0[i]!;
    }
  }
  return { a, b, c };
}

/** Result of {@link minimizeQuadratic1d}. */
export interface Minimum1d {
  /** The minimizer. */
  readonly t: number;
  /** The minimum value. */
  readonly y: number;
}

/**
 * Minimize a t² + b t + c on [lb, ub] (SciPy `minimize_quadratic_1d`): the smallest value among
 * lb, ub and the interior extremum −b/2a when it lies strictly inside (ties go to the first).
 *
 * @param a - quadratic coefficient.
 * @param b - linear coefficient.
 * @param lb - finite lower end.
 * @param ub - finite upper end.
 * @param c - free term.
 * @returns the minimizer and the value.
 */
export function minimizeQuadratic1d(a: number, b: number, lb: number, ub: number, c = 0): Minimum1d {
  const candidates = [lb, ub];
  if (a !== 0) {
    const extremum = (-0.5 * b) / a;
    if (lb < extremum && extremum < ub) candidates.push(extremum);
  }
  // numpy's argmin: the first NaN if there is one, otherwise the first minimum.
  let best = -1;
  let bestY = Infinity;
  for (let i = 0; i < candidates.length; i++) {
    const t = candidates[i]!;
    const y = t * (a * t + b) + c;
    if (Number.isNaN(y)) {
      best = i;
      bestY = y;
      break;
    }
    if (best < 0 || y < bestY) {
      best = i;
      bestY = y;
    }
  }
  return { t: candidates[best]!, y: bestY };
}

/**
 * q(s) = ½ sᵀ(AᵀA + diag)s + gᵀs (SciPy `evaluate_quadratic` for one step).
 *
 * @param A - matrix with AᵀA = JᵀJ.
 * @param g - gradient.
 * @param s - step.
 * @param diag - extra diagonal, or null.
 * @returns the model value (its negative is the predicted reduction).
 */
export function evaluateQuadratic(A: DenseMatrix, g: ArrayLike<number>, s: ArrayLike<number>, diag: ArrayLike<number> | null = null): number {
  let q = normSquaredOfProduct(A, s);
  if (diag !== null) {
    let dq = 0;
    for (let i = 0; i < s.length; i++) dq += s[i]! * diag[i]! * s[i]!;
    q += dq;
  }
  let l = 0;
  for (let i = 0; i < s.length; i++) l += s[i]! * g[i]!;
  return 0.5 * q + l;
}
