/**
 * MINPACK's small dense routines for Levenberg–Marquardt, AssemblyScript: the twins of
 * `enorm`, `qrfacPivoted` and `applyQrfacTranspose` in `src/linalg/small-linalg.ts` and of
 * `qrsolv` and `lmpar` in `src/optim/lmpar.ts` — the same statements in the same order, so that
 * the batch engine's `lm` (`assembly/lm-batch.ts`) follows `src/optim/lm.ts` step for step
 * (Moré, Garbow, Hillstrom, "User Guide for MINPACK-1", ANL-80-74, 1980; Moré, "The
 * Levenberg–Marquardt algorithm: implementation and theory", LNM 630, 1977).
 *
 * Storage: column-major n×n matrices (`a[i + j·n]`), f64 vectors and i32 permutations at byte
 * offsets in linear memory; every work vector is passed in by the caller (nothing allocates).
 */

/** Machine epsilon of f64, 2⁻⁵² (MINPACK `dpmpar(1)`). */
export const EPS: f64 = 2.220446049250313e-16;

/** Smallest positive normalized double (MINPACK `dpmpar(2)`). */
const DWARF: f64 = 2.2250738585072014e-308;

/** a[i] of an f64 vector at byte offset a. */
// @ts-ignore: decorator
@inline export function ld(a: usize, i: i32): f64 {
  return load<f64>(a + (<usize>i << 3));
}

/** a[i] = v. */
// @ts-ignore: decorator
@inline export function st(a: usize, i: i32, v: f64): void {
  store<f64>(a + (<usize>i << 3), v);
}

/** a[i] of an i32 vector. */
// @ts-ignore: decorator
@inline export function ldi(a: usize, i: i32): i32 {
  return load<i32>(a + (<usize>i << 2));
}

/** a[i] = v (i32). */
// @ts-ignore: decorator
@inline export function sti(a: usize, i: i32, v: i32): void {
  store<i32>(a + (<usize>i << 2), v);
}

/** MINPACK `enorm` of x[offset … offset + n − 1] (three accumulators: no under- or overflow). */
export function enorm(x: usize, offset: i32, n: i32): f64 {
  const rdwarf = 3.834e-20;
  const agiant = 1.304e19 / <f64>n;
  let s1 = 0.0, s2 = 0.0, s3 = 0.0, x1max = 0.0, x3max = 0.0;
  for (let i = offset; i < offset + n; i++) {
    const xabs = Math.abs(ld(x, i));
    if (xabs > rdwarf && xabs < agiant) s2 += xabs * xabs;
    else if (xabs > rdwarf) {
      if (xabs > x1max) {
        const r = x1max / xabs;
        s1 = 1 + s1 * r * r;
        x1max = xabs;
      } else {
        const r = xabs / x1max;
        s1 += r * r;
      }
    } else if (xabs > x3max) {
      const r = x3max / xabs;
      s3 = 1 + s3 * r * r;
      x3max = xabs;
    } else if (xabs != 0) {
      const r = xabs / x3max;
      s3 += r * r;
    }
  }
  if (s1 != 0) return x1max * Math.sqrt(s1 + s2 / x1max / x1max);
  if (s2 != 0) return s2 >= x3max ? Math.sqrt(s2 * (1 + (x3max / s2) * (x3max * s3))) : Math.sqrt(x3max * (s2 / x3max + x3max * s3));
  return x3max * Math.sqrt(s3);
}

/**
 * Householder QR with column pivoting of the m×n column-major `a` (MINPACK `qrfac`, pivot on):
 * writes the permutation (0-based) to `ipvt`, R's diagonal to `rdiag`, the input column norms to
 * `acnorm`; `wa` is n doubles of work.
 */
export function qrfacPivoted(a: usize, m: i32, n: i32, ipvt: usize, rdiag: usize, acnorm: usize, wa: usize): void {
  for (let j = 0; j < n; j++) {
    const v = enorm(a, j * m, m);
    st(acnorm, j, v);
    st(rdiag, j, v);
    st(wa, j, v);
    sti(ipvt, j, j);
  }
  const minmn = min(m, n);
  for (let j = 0; j < minmn; j++) {
    let kmax = j;
    for (let k = j; k < n; k++) if (ld(rdiag, k) > ld(rdiag, kmax)) kmax = k;
    if (kmax != j) {
      for (let i = 0; i < m; i++) {
        const t = ld(a, i + j * m);
        st(a, i + j * m, ld(a, i + kmax * m));
        st(a, i + kmax * m, t);
      }
      st(rdiag, kmax, ld(rdiag, j));
      st(wa, kmax, ld(wa, j));
      const k = ldi(ipvt, j);
      sti(ipvt, j, ldi(ipvt, kmax));
      sti(ipvt, kmax, k);
    }
    let ajnorm = enorm(a, j + j * m, m - j);
    if (ajnorm != 0) {
      if (ld(a, j + j * m) < 0) ajnorm = -ajnorm;
      for (let i = j; i < m; i++) st(a, i + j * m, ld(a, i + j * m) / ajnorm);
      st(a, j + j * m, ld(a, j + j * m) + 1);
      for (let k = j + 1; k < n; k++) {
        let sum = 0.0;
        for (let i = j; i < m; i++) sum += ld(a, i + j * m) * ld(a, i + k * m);
        const temp = sum / ld(a, j + j * m);
        for (let i = j; i < m; i++) st(a, i + k * m, ld(a, i + k * m) - temp * ld(a, i + j * m));
        if (ld(rdiag, k) == 0) continue;
        const t = ld(a, j + k * m) / ld(rdiag, k);
        st(rdiag, k, ld(rdiag, k) * Math.sqrt(Math.max(0, 1 - t * t)));
        const q = ld(rdiag, k) / ld(wa, k);
        if (0.05 * q * q <= EPS) {
          const v = enorm(a, j + 1 + k * m, m - j - 1);
          st(rdiag, k, v);
          st(wa, k, v);
        }
      }
    }
    st(rdiag, j, -ajnorm);
  }
}

/** b ← Qᵀb from {@link qrfacPivoted}, and R's diagonal restored into `a` (as `lmder` forms qtf). */
export function applyQrfacTranspose(a: usize, m: i32, n: i32, rdiag: usize, b: usize): void {
  for (let j = 0; j < n; j++) {
    const ajj = ld(a, j + j * m);
    if (ajj != 0) {
      let sum = 0.0;
      for (let i = j; i < m; i++) sum += ld(a, i + j * m) * ld(b, i);
      const temp = -sum / ajj;
      for (let i = j; i < m; i++) st(b, i, ld(b, i) + ld(a, i + j * m) * temp);
    }
    st(a, j + j * m, ld(rdiag, j));
  }
}

/** MINPACK `qrsolv`: solve [A; D]x ≈ [b; 0] from the pivoted QR of A by Givens rotations; `wa` is n doubles of work. */
export function qrsolv(n: i32, r: usize, ipvt: usize, diag: usize, qtb: usize, x: usize, sdiag: usize, wa: usize): void {
  for (let j = 0; j < n; j++) {
    for (let i = j; i < n; i++) st(r, i + j * n, ld(r, j + i * n));
    st(x, j, ld(r, j + j * n));
    st(wa, j, ld(qtb, j));
  }
  for (let j = 0; j < n; j++) {
    const l = ldi(ipvt, j);
    if (ld(diag, l) != 0) {
      for (let k = j; k < n; k++) st(sdiag, k, 0);
      st(sdiag, j, ld(diag, l));
      let qtbpj = 0.0;
      for (let k = j; k < n; k++) {
        if (ld(sdiag, k) == 0) continue;
        let cos: f64, sin: f64;
        const rkk = ld(r, k + k * n);
        if (Math.abs(rkk) < Math.abs(ld(sdiag, k))) {
          const cotan = rkk / ld(sdiag, k);
          sin = 0.5 / Math.sqrt(0.25 + 0.25 * cotan * cotan);
          cos = sin * cotan;
        } else {
          const tan = ld(sdiag, k) / rkk;
          cos = 0.5 / Math.sqrt(0.25 + 0.25 * tan * tan);
          sin = cos * tan;
        }
        st(r, k + k * n, cos * rkk + sin * ld(sdiag, k));
        const temp = cos * ld(wa, k) + sin * qtbpj;
        qtbpj = -sin * ld(wa, k) + cos * qtbpj;
        st(wa, k, temp);
        for (let i = k + 1; i < n; i++) {
          const t = cos * ld(r, i + k * n) + sin * ld(sdiag, i);
          st(sdiag, i, -sin * ld(r, i + k * n) + cos * ld(sdiag, i));
          st(r, i + k * n, t);
        }
      }
    }
    st(sdiag, j, ld(r, j + j * n));
    st(r, j + j * n, ld(x, j));
  }
  let nsing = n;
  for (let j = 0; j < n; j++) {
    if (ld(sdiag, j) == 0 && nsing == n) nsing = j;
    if (nsing < n) st(wa, j, 0);
  }
  for (let j = nsing - 1; j >= 0; j--) {
    let sum = 0.0;
    for (let i = j + 1; i < nsing; i++) sum += ld(r, i + j * n) * ld(wa, i);
    st(wa, j, (ld(wa, j) - sum) / ld(sdiag, j));
  }
  for (let j = 0; j < n; j++) st(x, ldi(ipvt, j), ld(wa, j));
}

/**
 * MINPACK `lmpar`: the Levenberg–Marquardt parameter λ for radius Δ; writes x(λ) to `x` and
 * returns λ. Work: `sdiag`, `wa1`, `wa2`, `wa3` (n doubles each).
 */
export function lmpar(n: i32, r: usize, ipvt: usize, diag: usize, qtb: usize, delta: f64, par0: f64, x: usize, sdiag: usize, wa1: usize, wa2: usize, wa3: usize): f64 {
  let nsing = n;
  for (let j = 0; j < n; j++) {
    st(wa1, j, ld(qtb, j));
    if (ld(r, j + j * n) == 0 && nsing == n) nsing = j;
    if (nsing < n) st(wa1, j, 0);
  }
  for (let j = nsing - 1; j >= 0; j--) {
    st(wa1, j, ld(wa1, j) / ld(r, j + j * n));
    const temp = ld(wa1, j);
    for (let i = 0; i < j; i++) st(wa1, i, ld(wa1, i) - ld(r, i + j * n) * temp);
  }
  for (let j = 0; j < n; j++) st(x, ldi(ipvt, j), ld(wa1, j));
  let iter = 0;
  for (let j = 0; j < n; j++) st(wa2, j, ld(diag, j) * ld(x, j));
  let dxnorm = enorm(wa2, 0, n);
  let fp = dxnorm - delta;
  if (fp <= 0.1 * delta) return 0;
  let parl = 0.0;
  if (nsing >= n) {
    for (let j = 0; j < n; j++) {
      const l = ldi(ipvt, j);
      st(wa1, j, ld(diag, l) * (ld(wa2, l) / dxnorm));
    }
    for (let j = 0; j < n; j++) {
      let sum = 0.0;
      for (let i = 0; i < j; i++) sum += ld(r, i + j * n) * ld(wa1, i);
      st(wa1, j, (ld(wa1, j) - sum) / ld(r, j + j * n));
    }
    const temp = enorm(wa1, 0, n);
    parl = fp / delta / temp / temp;
  }
  for (let j = 0; j < n; j++) {
    let sum = 0.0;
    for (let i = 0; i <= j; i++) sum += ld(r, i + j * n) * ld(qtb, i);
    st(wa1, j, sum / ld(diag, ldi(ipvt, j)));
  }
  const gnorm = enorm(wa1, 0, n);
  let paru = gnorm / delta;
  if (paru == 0) paru = DWARF / Math.min(delta, 0.1);
  let par = Math.max(par0, parl);
  par = Math.min(par, paru);
  if (par == 0) par = gnorm / dxnorm;
  for (;;) {
    iter += 1;
    if (par == 0) par = Math.max(DWARF, 0.001 * paru);
    const sq = Math.sqrt(par);
    for (let j = 0; j < n; j++) st(wa1, j, sq * ld(diag, j));
    qrsolv(n, r, ipvt, wa1, qtb, x, sdiag, wa3);
    for (let j = 0; j < n; j++) st(wa2, j, ld(diag, j) * ld(x, j));
    dxnorm = enorm(wa2, 0, n);
    const temp = fp;
    fp = dxnorm - delta;
    if (Math.abs(fp) <= 0.1 * delta || (parl == 0 && fp <= temp && temp < 0) || iter == 10) break;
    for (let j = 0; j < n; j++) {
      const l = ldi(ipvt, j);
      st(wa1, j, ld(diag, l) * (ld(wa2, l) / dxnorm));
    }
    for (let j = 0; j < n; j++) {
      st(wa1, j, ld(wa1, j) / ld(sdiag, j));
      const t = ld(wa1, j);
      for (let i = j + 1; i < n; i++) st(wa1, i, ld(wa1, i) - ld(r, i + j * n) * t);
    }
    const tn = enorm(wa1, 0, n);
    const parc = fp / delta / tn / tn;
    if (fp > 0) parl = Math.max(parl, par);
    if (fp < 0) paru = Math.min(paru, par);
    par = Math.max(parl, par + parc);
  }
  return par;
}
