/**
 * Quantiles of Student's t distribution (and of the standard normal, its ν → ∞ limit), used for
 * confidence intervals and bands of fitted parameters (SciPy: `scipy.stats.t.ppf`).
 *
 * For ν degrees of freedom and t > 0 the two-sided tail probability is
 *
 * ```
 *   P(|T| > t) = I_{ν/(ν+t²)}(ν/2, ½) = 1 − I_{t²/(ν+t²)}(½, ν/2)
 * ```
 *
 * so the quantile t_p(ν), p > ½, solves I_y(½, ν/2) = 2p − 1 for y = t²/(ν+t²) (or, when y is
 * close to 1, I_x(ν/2, ½) = 2(1 − p) for x = 1 − y), and t = √(ν·y/x) — both x and y are found
 * directly so neither is formed by a cancelling subtraction. For ν ≥ 10⁵ the Cornish–Fisher
 * expansion in 1/ν around the normal quantile (Abramowitz & Stegun 26.7.5) is exact to double
 * precision and avoids the slowly converging continued fraction; ν = ∞ gives the normal quantile,
 * found by Halley's method on Cody's erfc.
 *
 * @module
 */
import { erfc } from './erf.ts';
import { inverseIncompleteBeta } from './incomplete-beta.ts';
import { NlsqRangeError } from '../errors.ts';

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 0.3989422804014327;
const CORNISH_FISHER_DOF = 1e5;

/**
 * Quantile of the standard normal distribution: the z with Φ(z) = p.
 *
 * @param p - probability in (0, 1); 0 and 1 give −∞ and +∞.
 * @returns z = Φ⁻¹(p).
 * @throws NlsqRangeError (argument `p`) when p is outside [0, 1] or NaN.
 * @example
 * ```ts
 * normalQuantile(0.975); // 1.959963984540054
 * ```
 */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) throw new NlsqRangeError(`normalQuantile: p must be in [0, 1], got ${p}`, 'p');
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  if (p < 0.5) return -upperNormalQuantile(p);
  return upperNormalQuantile(1 - p);
}

/** The z > 0 with Q(z) = ½ erfc(z/√2) = q, for q in (0, ½). */
function upperNormalQuantile(q: number): number {
  const t = Math.sqrt(-2 * Math.log(q));
  let z = t - (2.30753 + t * 0.27061) / (1 + t * (0.99229 + t * 0.04481));
  for (let k = 0; k < 8; k++) {
    const density = INV_SQRT_2PI * Math.exp(-0.5 * z * z);
    const u = (0.5 * erfc(z * SQRT1_2) - q) / density;
    const step = u / (1 - 0.5 * u * z);
    z += step;
    if (Math.abs(step) <= 1e-16 * Math.abs(z)) break;
  }
  return z;
}

/**
 * Quantile of Student's t distribution with `dof` degrees of freedom: the t with P(T ≤ t) = p.
 *
 * @param p - probability in [0, 1] (0 and 1 give ∓∞).
 * @param dof - degrees of freedom, a positive real number or `Infinity` (the normal limit).
 * @returns t_p(dof).
 * @throws NlsqRangeError (argument `p` or `dof`) when p is outside [0, 1] or dof is not positive.
 * @example
 * ```ts
 * studentTQuantile(0.975, 10); // 2.2281388519649385
 * ```
 */
export function studentTQuantile(p: number, dof: number): number {
  if (!(p >= 0 && p <= 1)) throw new NlsqRangeError(`studentTQuantile: p must be in [0, 1], got ${p}`, 'p');
  if (!(dof > 0)) throw new NlsqRangeError(`studentTQuantile: dof must be positive, got ${dof}`, 'dof');
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  if (p < 0.5) return -upperTQuantile(p, dof);
  return upperTQuantile(1 - p, dof);
}

/** The t > 0 with P(T > t) = q, q in (0, ½). */
function upperTQuantile(q: number, dof: number): number {
  if (dof >= CORNISH_FISHER_DOF) {
    const z = upperNormalQuantile(q);
    if (dof === Infinity) return z;
    const z2 = z * z;
    const g1 = (z * (z2 + 1)) / 4;
    const g2 = (z * ((5 * z2 + 16) * z2 + 3)) / 96;
    const g3 = (z * (((3 * z2 + 19) * z2 + 17) * z2 - 15)) / 384;
    return z + g1 / dof + g2 / (dof * dof) + g3 / (dof * dof * dof);
  }
  const tail = 2 * q; // P(|T| > t)
  const a = dof / 2;
  // Solve for y = t²/(ν+t²) first; if it lands near 1, solve for x = 1 − y instead.
  const y = inverseIncompleteBeta(1 - tail, 0.5, a);
  if (y <= 0.5) return Math.sqrt((dof * y) / (1 - y));
  const x = inverseIncompleteBeta(tail, a, 0.5);
  return Math.sqrt((dof * (1 - x)) / x);
}

/**
 * Two-sided critical value t_{(1+level)/2}(dof) for a confidence `level`, e.g. 0.95.
 *
 * @param level - confidence level in (0, 1).
 * @param dof - degrees of freedom (> 0, or Infinity).
 * @returns the half-width multiplier of a symmetric `level` interval.
 * @throws NlsqRangeError (argument `level` or `dof`) when level is outside (0, 1) or dof is not positive.
 */
export function twoSidedTCritical(level: number, dof: number): number {
  if (!(level > 0 && level < 1)) throw new NlsqRangeError(`twoSidedTCritical: level must be in (0, 1), got ${level}`, 'level');
  if (!(dof > 0)) throw new NlsqRangeError(`twoSidedTCritical: dof must be positive, got ${dof}`, 'dof');
  return upperTQuantile((1 - level) / 2, dof);
}
