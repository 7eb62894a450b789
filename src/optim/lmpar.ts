/**
 * MINPACK's Levenberg–Marquardt parameter (`lmpar`) and the damped least-squares solve it
 * iterates on (`qrsolv`), transcribed with 0-based indices on column-major storage.
 *
 * Given the pivoted QR A·P = Q·R, a positive diagonal D, Qᵀb and a radius Δ, find λ ≥ 0 such
 * that x solving min ‖Ax − b‖² + λ‖Dx‖² has either λ = 0 and ‖Dx‖ ≤ 1.1Δ, or λ > 0 and
 * |‖Dx‖ − Δ| ≤ 0.1Δ (at most 10 iterations of Moré's safeguarded Newton iteration on
 * φ(λ) = ‖Dx(λ)‖ − Δ). J. J. Moré, "The Levenberg–Marquardt algorithm: implementation and
 * theory", Lecture Notes in Mathematics 630, 1977; MINPACK-1 (Moré, Garbow, Hillstrom, 1980).
 *
 * @module
 */

import { enorm } from '../linalg/small-linalg.ts';

/** Smallest positive normalized double (MINPACK `dpmpar(2)`). */
const DWARF = 2.2250738585072014e-308;


/**
 * Solve [A; D]x ≈ [b; 0] from the pivoted QR of A by Givens rotations (MINPACK `qrsolv`).
 *
 * @param n - order.
 * @param r - n×n column-major; upper triangle R in, strict lower triangle receives Sᵀ.
 * @param ipvt - permutation (0-based).
 * @param diag - the diagonal D.
 * @param qtb - first n entries of Qᵀb.
 * @param x - output solution.
 * @param sdiag - output: diagonal of S, with Pᵀ(AᵀA + DD)P = SᵀS.
 */
export function qrsolv(
  n: number,
  r: Float64Array,
  ipvt: Int32Array,
  diag: Float64Array,
  qtb: Float64Array,
  x: Float64Array,
  sdiag: Float64Array,
): void {
  const wa = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    for (let i = j; i < n; i++) r[i + j * n] = r[j + i * n]!;
    x[j] = r[j + j * n]!;
    wa[j] = qtb[j]!;
  }
  for (let j = 0; j < n; j++) {
    const l = ipvt[j]!;
    if (diag[l] !== 0) {
      for (let k = j; k < n; k++) sdiag[k] = 0;
      sdiag[j] = diag[l]!;
      let qtbpj = 0;
      for (let k = j; k < n; k++) {
        if (sdiag[k] === 0) continue;
        let cos: number;
        let sin: number;
        const rkk = r[k + k * n]!;
        if (Math.abs(rkk) < Math.abs(sdiag[k]!)) {
          const cotan = rkk / sdiag[k]!;
          sin = 0.5 / Math.sqrt(0.25 + 0.25 * cotan * cotan);
          cos = sin * cotan;
        } else {
          const tan = sdiag[k]! / rkk;
          cos = 0.5 / Math.sqrt(0.25 + 0.25 * tan * tan);
          sin = cos * tan;
        }
        r[k + k * n] = cos * rkk + sin * sdiag[k]!;
        const temp = cos * wa[k]! + sin * qtbpj;
        qtbpj = -sin * wa[k]! + cos * qtbpj;
        wa[k] = temp;
        for (let i = k + 1; i < n; i++) {
          const t = cos * r[i + k * n]! + sin * sdiag[i]!;
          sdiag[i] = -sin * r[i + k * n]! + cos * sdiag[i]!;
          r[i + k * n] = t;
        }
      }
    }
    sdiag[j] = r[j + j * n]!;
    r[j + j * n] = x[j]!;
  }
  let nsing = n;
  for (let j = 0; j < n; j++) {
    if (sdiag[j] === 0 && nsing === n) nsing = j;
    if (nsing < n) wa[j] = 0;
  }
  for (let j = nsing - 1; j >= 0; j--) {
    let sum = 0;
    for (let i = j + 1; i < nsing; i++) sum += r[i + j * n]! * wa[i]!;
    wa[j] = (wa[j]! - sum) / sdiag[j]!;
  }
  for (let j = 0; j < n; j++) x[ipvt[j]!] = wa[j]!;
}

/** Result of {@link lmpar}. */
export interface LmparResult {
  /** The Levenberg–Marquardt parameter λ. */
  readonly par: number;
  /** The solution x(λ) (MINPACK's `x`; the step is −x). */
  readonly x: Float64Array;
}

/**
 * MINPACK `lmpar`: the Levenberg–Marquardt parameter for radius Δ.
 *
 * @param n - order.
 * @param r - n×n column-major; full upper triangle R (unchanged), strict lower triangle used as work.
 * @param ipvt - permutation (0-based).
 * @param diag - the scaling D (positive).
 * @param qtb - first n entries of Qᵀb.
 * @param delta - radius Δ > 0.
 * @param par0 - initial estimate of λ.
 * @returns λ and x(λ).
 */
export function lmpar(
  n: number,
  r: Float64Array,
  ipvt: Int32Array,
  diag: Float64Array,
  qtb: Float64Array,
  delta: number,
  par0: number,
): LmparResult {
  const x = new Float64Array(n);
  const sdiag = new Float64Array(n);
  const wa1 = new Float64Array(n);
  const wa2 = new Float64Array(n);
  let nsing = n;
  for (let j = 0; j < n; j++) {
    wa1[j] = qtb[j]!;
    if (r[j + j * n] === 0 && nsing === n) nsing = j;
    if (nsing < n) wa1[j] = 0;
  }
  for (let j = nsing - 1; j >= 0; j--) {
    wa1[j] = wa1[j]! / r[j + j * n]!;
    const temp = wa1[j]!;
    for (let i = 0; i < j; i++) wa1[i] = wa1[i]! - r[i + j * n]! * temp;
  }
  for (let j = 0; j < n; j++) x[ipvt[j]!] = wa1[j]!;
  let iter = 0;
  for (let j = 0; j < n; j++) wa2[j] = diag[j]! * x[j]!;
  let dxnorm = enorm(wa2, 0, n);
  let fp = dxnorm - delta;
  if (fp <= 0.1 * delta) return { par: 0, x };
  let parl = 0;
  if (nsing >= n) {
    for (let j = 0; j < n; j++) {
      const l = ipvt[j]!;
      wa1[j] = diag[l]! * (wa2[l]! / dxnorm);
    }
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let i = 0; i < j; i++) sum += r[i + j * n]! * wa1[i]!;
      wa1[j] = (wa1[j]! - sum) / r[j + j * n]!;
    }
    const temp = enorm(wa1, 0, n);
    parl = fp / delta / temp / temp;
  }
  for (let j = 0; j < n; j++) {
    let sum = 0;
    for (let i = 0; i <= j; i++) sum += r[i + j * n]! * qtb[i]!;
    wa1[j] = sum / diag[ipvt[j]!]!;
  }
  const gnorm = enorm(wa1, 0, n);
  let paru = gnorm / delta;
  if (paru === 0) paru = DWARF / Math.min(delta, 0.1);
  let par = Math.max(par0, parl);
  par = Math.min(par, paru);
  if (par === 0) par = gnorm / dxnorm;
  for (;;) {
    iter += 1;
    if (par === 0) par = Math.max(DWARF, 0.001 * paru);
    const sq = Math.sqrt(par);
    for (let j = 0; j < n; j++) wa1[j] = sq * diag[j]!;
    qrsolv(n, r, ipvt, wa1, qtb, x, sdiag);
    for (let j = 0; j < n; j++) wa2[j] = diag[j]! * x[j]!;
    dxnorm = enorm(wa2, 0, n);
    const temp = fp;
    fp = dxnorm - delta;
    if (Math.abs(fp) <= 0.1 * delta || (parl === 0 && fp <= temp && temp < 0) || iter === 10) break;
    for (let j = 0; j < n; j++) {
      const l = ipvt[j]!;
      wa1[j] = diag[l]! * (wa2[l]! / dxnorm);
    }
    for (let j = 0; j < n; j++) {
      wa1[j] = wa1[j]! / sdiag[j]!;
      const t = wa1[j]!;
      for (let i = j + 1; i < n; i++) wa1[i] = wa1[i]! - r[i + j * n]! * t;
    }
    const tn = enorm(wa1, 0, n);
    const parc = fp / delta / tn / tn;
    if (fp > 0) parl = Math.max(parl, par);
    if (fp < 0) paru = Math.min(paru, par);
    par = Math.max(parl, par + parc);
  }
  return { par, x };
}
