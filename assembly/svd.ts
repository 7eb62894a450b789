/**
 * Thin singular value decomposition of a small dense matrix, AssemblyScript: the twin of
 * `thinSvd` in `src/linalg/small-linalg.ts`, which is ml-matrix's `SingularValueDecomposition`
 * (the Golub–Kahan–Reinsch algorithm as JAMA writes it: Householder bidiagonalization, then
 * implicit-shift QR sweeps on the bidiagonal; G. H. Golub, C. Reinsch, "Singular value
 * decomposition and least squares solutions", Numer. Math. 14, 1970) with the same power-of-two
 * prescaling and flushing — the same statements in the same order, so that the batch engine's
 * `trf` (`assembly/trf-batch.ts`) takes the steps `src/optim/trf.ts` takes.
 *
 * Storage, as ml-matrix keeps it during the computation: the m×n input A (m ≥ n) column-major
 * (`A[i + j·m]`, which is ml-matrix's transposed working copy), U transposed (n×m, `Ut[k·m + i]` =
 * U_ik) and V transposed (n×n, `Vt[k·n + i]` = V_ik). Every work vector is passed in.
 */
import { ld, st } from './minpack';

/** ml-matrix's `hypotenuse`: √(a² + b²) without destructive under- or overflow. */
function hypotenuse(a: f64, b: f64): f64 {
  let r = 0.0;
  if (Math.abs(a) > Math.abs(b)) {
    r = b / a;
    return Math.abs(a) * Math.sqrt(1 + r * r);
  }
  if (b != 0) {
    r = a / b;
    return Math.abs(b) * Math.sqrt(1 + r * r);
  }
  return 0;
}

const MIN_VALUE: f64 = 5e-324;
const EPSILON: f64 = 2.220446049250313e-16;

/**
 * A = U·diag(s)·Vᵀ for the m×n column-major A at `a` (overwritten), m ≥ n ≥ 1, prescaled as
 * `thinSvd` (max|a| brought into [½, 1) by a power of two, entries below 2⁻⁹⁰⁰ of it flushed).
 *
 * @param a - m×n column-major input (destroyed).
 * @param m - rows.
 * @param n - columns.
 * @param s - out: n singular values, non-increasing.
 * @param ut - out: Uᵀ (n×m), when `wantu`.
 * @param vt - out: Vᵀ (n×n).
 * @param e - work: n doubles.
 * @param work - work: m doubles.
 * @param wantu - whether U is computed (s and V do not depend on it).
 */
export function thinSvd(a: usize, m: i32, n: i32, s: usize, ut: usize, vt: usize, e: usize, work: usize, wantu: bool): void {
  const mn = m * n;
  let maxAbs = 0.0;
  for (let q = 0; q < mn; q++) maxAbs = Math.max(maxAbs, Math.abs(ld(a, q)));
  const ex = maxAbs > 0 && maxAbs - maxAbs == 0 ? <i32>Math.floor(Math.log2(maxAbs)) + 1 : 0;
  const half = -ex / 2; // truncation towards zero, as Math.trunc(−e/2)
  const down1 = Math.pow(2, <f64>half);
  const down2 = Math.pow(2, <f64>(-ex - half));
  for (let q = 0; q < mn; q++) {
    const v = ld(a, q) * down1 * down2;
    st(a, q, Math.abs(v) < 2.0 ** -900 ? 0 : v);
  }
  svdCore(a, m, n, s, ut, vt, e, work, wantu);
  const up1 = 1 / down1;
  const up2 = 1 / down2;
  for (let k = 0; k < n; k++) st(s, k, ld(s, k) * up1 * up2);
}

// at(k, i) of ml-matrix's transposed working copy = A[i + k·m].
// @ts-ignore: decorator
@inline function AT(a: usize, m: i32, k: i32, i: i32): usize {
  return a + (<usize>(i + k * m) << 3);
}

/** ml-matrix's SingularValueDecomposition for m ≥ n (autoTranspose off), on transposed storage. */
function svdCore(at: usize, m: i32, n: i32, s: usize, U: usize, V: usize, e: usize, work: usize, wantu: bool): void {
  const nu = min(m, n);
  const nct = min(m - 1, n);
  const nrt = max(0, min(n - 2, m));
  const mrc = max(nct, nrt);
  memory.fill(s, 0, <usize>n << 3);
  memory.fill(e, 0, <usize>n << 3);
  memory.fill(work, 0, <usize>m << 3);
  if (wantu) memory.fill(U, 0, <usize>(nu * m) << 3);
  memory.fill(V, 0, <usize>(n * n) << 3);

  for (let k = 0; k < mrc; k++) {
    if (k < nct) {
      st(s, k, 0);
      for (let i = k; i < m; i++) st(s, k, hypotenuse(ld(s, k), load<f64>(AT(at, m, k, i))));
      if (ld(s, k) != 0) {
        if (load<f64>(AT(at, m, k, k)) < 0) st(s, k, -ld(s, k));
        for (let i = k; i < m; i++) store<f64>(AT(at, m, k, i), load<f64>(AT(at, m, k, i)) / ld(s, k));
        store<f64>(AT(at, m, k, k), load<f64>(AT(at, m, k, k)) + 1);
      }
      st(s, k, -ld(s, k));
    }
    for (let j = k + 1; j < n; j++) {
      if (k < nct && ld(s, k) != 0) {
        let t = 0.0;
        for (let i = k; i < m; i++) t += load<f64>(AT(at, m, k, i)) * load<f64>(AT(at, m, j, i));
        t = -t / load<f64>(AT(at, m, k, k));
        for (let i = k; i < m; i++) store<f64>(AT(at, m, j, i), load<f64>(AT(at, m, j, i)) + t * load<f64>(AT(at, m, k, i)));
      }
      st(e, j, load<f64>(AT(at, m, j, k)));
    }
    if (wantu && k < nct) {
      for (let i = k; i < m; i++) store<f64>(AT(U, m, k, i), load<f64>(AT(at, m, k, i)));
    }
    if (k < nrt) {
      st(e, k, 0);
      for (let i = k + 1; i < n; i++) st(e, k, hypotenuse(ld(e, k), ld(e, i)));
      if (ld(e, k) != 0) {
        if (ld(e, k + 1) < 0) st(e, k, 0 - ld(e, k));
        for (let i = k + 1; i < n; i++) st(e, i, ld(e, i) / ld(e, k));
        st(e, k + 1, ld(e, k + 1) + 1);
      }
      st(e, k, -ld(e, k));
      if (k + 1 < m && ld(e, k) != 0) {
        for (let i = k + 1; i < m; i++) st(work, i, 0);
        for (let i = k + 1; i < m; i++) {
          for (let j = k + 1; j < n; j++) st(work, i, ld(work, i) + ld(e, j) * load<f64>(AT(at, m, j, i)));
        }
        for (let j = k + 1; j < n; j++) {
          const t = -ld(e, j) / ld(e, k + 1);
          for (let i = k + 1; i < m; i++) store<f64>(AT(at, m, j, i), load<f64>(AT(at, m, j, i)) + t * ld(work, i));
        }
      }
      for (let i = k + 1; i < n; i++) store<f64>(AT(V, n, k, i), ld(e, i));
    }
  }

  let p = min(n, m + 1);
  if (nct < n) st(s, nct, load<f64>(AT(at, m, nct, nct)));
  if (m < p) st(s, p - 1, 0);
  if (nrt + 1 < p) st(e, nrt, load<f64>(AT(at, m, p - 1, nrt)));
  st(e, p - 1, 0);

  if (wantu) {
    for (let j = nct; j < nu; j++) {
      for (let i = 0; i < m; i++) store<f64>(AT(U, m, j, i), 0);
      store<f64>(AT(U, m, j, j), 1);
    }
    for (let k = nct - 1; k >= 0; k--) {
      if (ld(s, k) != 0) {
        for (let j = k + 1; j < nu; j++) {
          let t = 0.0;
          for (let i = k; i < m; i++) t += load<f64>(AT(U, m, k, i)) * load<f64>(AT(U, m, j, i));
          t = -t / load<f64>(AT(U, m, k, k));
          for (let i = k; i < m; i++) store<f64>(AT(U, m, j, i), load<f64>(AT(U, m, j, i)) + t * load<f64>(AT(U, m, k, i)));
        }
        for (let i = k; i < m; i++) store<f64>(AT(U, m, k, i), -load<f64>(AT(U, m, k, i)));
        store<f64>(AT(U, m, k, k), 1 + load<f64>(AT(U, m, k, k)));
        for (let i = 0; i < k - 1; i++) store<f64>(AT(U, m, k, i), 0);
      } else {
        for (let i = 0; i < m; i++) store<f64>(AT(U, m, k, i), 0);
        store<f64>(AT(U, m, k, k), 1);
      }
    }
  }

  for (let k = n - 1; k >= 0; k--) {
    if (k < nrt && ld(e, k) != 0) {
      for (let j = k + 1; j < n; j++) {
        let t = 0.0;
        for (let i = k + 1; i < n; i++) t += load<f64>(AT(V, n, k, i)) * load<f64>(AT(V, n, j, i));
        t = -t / load<f64>(AT(V, n, k, k + 1));
        for (let i = k + 1; i < n; i++) store<f64>(AT(V, n, j, i), load<f64>(AT(V, n, j, i)) + t * load<f64>(AT(V, n, k, i)));
      }
    }
    for (let i = 0; i < n; i++) store<f64>(AT(V, n, k, i), 0);
    store<f64>(AT(V, n, k, k), 1);
  }

  const pp = p - 1;
  let sweeps = 0;
  const maxSweeps = 75 * n + 100; // ml-matrix has no cap; finite input converges long before this
  while (p > 0) {
    let k = 0;
    let kase = 0;
    for (k = p - 2; k >= -1; k--) {
      if (k == -1) break;
      const alpha = MIN_VALUE + EPSILON * Math.abs(ld(s, k) + Math.abs(ld(s, k + 1)));
      if (Math.abs(ld(e, k)) <= alpha || isNaN(ld(e, k))) {
        st(e, k, 0);
        break;
      }
    }
    if (k == p - 2) {
      kase = 4;
    } else {
      let ks = 0;
      for (ks = p - 1; ks >= k; ks--) {
        if (ks == k) break;
        const t = (ks != p ? Math.abs(ld(e, ks)) : 0) + (ks != k + 1 ? Math.abs(ld(e, ks - 1)) : 0);
        if (Math.abs(ld(s, ks)) <= EPSILON * t) {
          st(s, ks, 0);
          break;
        }
      }
      if (ks == k) kase = 3;
      else if (ks == p - 1) kase = 1;
      else {
        kase = 2;
        k = ks;
      }
    }
    k++;
    if (kase == 1) {
      let f = ld(e, p - 2);
      st(e, p - 2, 0);
      for (let j = p - 2; j >= k; j--) {
        let t = hypotenuse(ld(s, j), f);
        const cs = ld(s, j) / t;
        const sn = f / t;
        st(s, j, t);
        if (j != k) {
          f = -sn * ld(e, j - 1);
          st(e, j - 1, cs * ld(e, j - 1));
        }
        for (let i = 0; i < n; i++) {
          t = cs * load<f64>(AT(V, n, j, i)) + sn * load<f64>(AT(V, n, p - 1, i));
          store<f64>(AT(V, n, p - 1, i), -sn * load<f64>(AT(V, n, j, i)) + cs * load<f64>(AT(V, n, p - 1, i)));
          store<f64>(AT(V, n, j, i), t);
        }
      }
    } else if (kase == 2) {
      let f = ld(e, k - 1);
      st(e, k - 1, 0);
      for (let j = k; j < p; j++) {
        let t = hypotenuse(ld(s, j), f);
        const cs = ld(s, j) / t;
        const sn = f / t;
        st(s, j, t);
        f = -sn * ld(e, j);
        st(e, j, cs * ld(e, j));
        if (wantu) {
          for (let i = 0; i < m; i++) {
            t = cs * load<f64>(AT(U, m, j, i)) + sn * load<f64>(AT(U, m, k - 1, i));
            store<f64>(AT(U, m, k - 1, i), -sn * load<f64>(AT(U, m, j, i)) + cs * load<f64>(AT(U, m, k - 1, i)));
            store<f64>(AT(U, m, j, i), t);
          }
        }
      }
    } else if (kase == 3) {
      if (++sweeps > maxSweeps) break;
      const scale = Math.max(Math.max(Math.max(Math.max(Math.abs(ld(s, p - 1)), Math.abs(ld(s, p - 2))), Math.abs(ld(e, p - 2))), Math.abs(ld(s, k))), Math.abs(ld(e, k)));
      const sp = ld(s, p - 1) / scale;
      const spm1 = ld(s, p - 2) / scale;
      const epm1 = ld(e, p - 2) / scale;
      const sk = ld(s, k) / scale;
      const ek = ld(e, k) / scale;
      const b = ((spm1 + sp) * (spm1 - sp) + epm1 * epm1) / 2;
      const c = sp * epm1 * (sp * epm1);
      let shift = 0.0;
      if (b != 0 || c != 0) {
        if (b < 0) shift = 0 - Math.sqrt(b * b + c);
        else shift = Math.sqrt(b * b + c);
        shift = c / (b + shift);
      }
      let f = (sk + sp) * (sk - sp) + shift;
      let g = sk * ek;
      for (let j = k; j < p - 1; j++) {
        let t = hypotenuse(f, g);
        if (t == 0) t = MIN_VALUE;
        let cs = f / t;
        let sn = g / t;
        if (j != k) st(e, j - 1, t);
        f = cs * ld(s, j) + sn * ld(e, j);
        st(e, j, cs * ld(e, j) - sn * ld(s, j));
        g = sn * ld(s, j + 1);
        st(s, j + 1, cs * ld(s, j + 1));
        for (let i = 0; i < n; i++) {
          t = cs * load<f64>(AT(V, n, j, i)) + sn * load<f64>(AT(V, n, j + 1, i));
          store<f64>(AT(V, n, j + 1, i), -sn * load<f64>(AT(V, n, j, i)) + cs * load<f64>(AT(V, n, j + 1, i)));
          store<f64>(AT(V, n, j, i), t);
        }
        t = hypotenuse(f, g);
        if (t == 0) t = MIN_VALUE;
        cs = f / t;
        sn = g / t;
        st(s, j, t);
        f = cs * ld(e, j) + sn * ld(s, j + 1);
        st(s, j + 1, -sn * ld(e, j) + cs * ld(s, j + 1));
        g = sn * ld(e, j + 1);
        st(e, j + 1, cs * ld(e, j + 1));
        if (wantu && j < m - 1) {
          for (let i = 0; i < m; i++) {
            t = cs * load<f64>(AT(U, m, j, i)) + sn * load<f64>(AT(U, m, j + 1, i));
            store<f64>(AT(U, m, j + 1, i), -sn * load<f64>(AT(U, m, j, i)) + cs * load<f64>(AT(U, m, j + 1, i)));
            store<f64>(AT(U, m, j, i), t);
          }
        }
      }
      st(e, p - 2, f);
    } else {
      if (ld(s, k) <= 0) {
        st(s, k, ld(s, k) < 0 ? -ld(s, k) : 0);
        for (let i = 0; i <= pp; i++) store<f64>(AT(V, n, k, i), -load<f64>(AT(V, n, k, i)));
      }
      while (k < pp) {
        if (ld(s, k) >= ld(s, k + 1)) break;
        let t = ld(s, k);
        st(s, k, ld(s, k + 1));
        st(s, k + 1, t);
        if (k < n - 1) {
          for (let i = 0; i < n; i++) {
            t = load<f64>(AT(V, n, k + 1, i));
            store<f64>(AT(V, n, k + 1, i), load<f64>(AT(V, n, k, i)));
            store<f64>(AT(V, n, k, i), t);
          }
        }
        if (wantu && k < m - 1) {
          for (let i = 0; i < m; i++) {
            t = load<f64>(AT(U, m, k + 1, i));
            store<f64>(AT(U, m, k + 1, i), load<f64>(AT(U, m, k, i)));
            store<f64>(AT(U, m, k, i), t);
          }
        }
        k++;
      }
      p--;
    }
  }
}
