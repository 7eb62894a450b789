/**
 * Dense linear algebra on the small p×p (or 2p×p) matrices of the trust-region step.
 *
 * Nothing here ever sees N-sized data: the solvers work on the triangle R of the folded
 * Jacobian (see `backends/backend.ts`). The singular value decomposition is ml-matrix's
 * (Golub–Kahan–Reinsch, as in JAMA); the pivoted QR is MINPACK's `qrfac` (Moré, Garbow,
 * Hillstrom, "User Guide for MINPACK-1", ANL-80-74, 1980) transcribed on column-major storage so
 * that `lm` follows `lmder` step for step.
 *
 * Storage conventions: "row-major r×c" means `a[i·c + j]`; "column-major" (MINPACK routines
 * only) means `a[i + j·ld]`.
 *
 * @module
 */
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { NlsqRangeError } from '../errors.ts';

/** Machine epsilon of f64, 2⁻⁵² (numpy's `finfo(float).eps`, MINPACK's `dpmpar(1)`). */
export const EPS = 2 ** -52;

/** A thin singular value decomposition A = U·diag(s)·Vᵀ of a rows×cols matrix, rows ≥ cols. */
export interface ThinSvd {
  /** Singular values, non-increasing, length cols. */
  readonly s: Float64Array;
  /** Left singular vectors, rows×cols row-major. */
  readonly U: Float64Array;
  /** Right singular vectors, cols×cols row-major (columns are the vectors: V, not Vᵀ). */
  readonly V: Float64Array;
}

/**
 * Thin SVD of a small dense matrix (SciPy's `svd(A, full_matrices=False)` with V = VTᵀ).
 *
 * @param a - rows×cols row-major matrix, rows ≥ cols.
 * @param rows - number of rows.
 * @param cols - number of columns.
 * @returns s (non-increasing), U and V.
 * @throws NlsqRangeError (argument `rows`, code `ERR_SHAPE`) when rows < cols.
 */
export function thinSvd(a: Float64Array, rows: number, cols: number): ThinSvd {
  if (rows < cols) throw new NlsqRangeError(`thinSvd: rows must be ≥ cols, got ${rows} × ${cols}`, 'rows', 'ERR_SHAPE');
  // Scale by a power of two so that max|a| ∈ [½, 1) and flush entries below 2⁻⁹⁰⁰ of it: the
  // Golub–Kahan code divides by column norms, and a column of subnormal numbers (an underflowed
  // exp in a Jacobian) would otherwise overflow it. Both operations change nothing else.
  let maxAbs = 0;
  for (let k = 0; k < rows * cols; k++) maxAbs = Math.max(maxAbs, Math.abs(a[k]!));
  const e = maxAbs > 0 && Number.isFinite(maxAbs) ? Math.floor(Math.log2(maxAbs)) + 1 : 0;
  const half = Math.trunc(-e / 2);
  const down1 = 2 ** half;
  const down2 = 2 ** (-e - half);
  const m = new Matrix(rows, cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const v = a[i * cols + j]! * down1 * down2;
      m.set(i, j, Math.abs(v) < 2 ** -900 ? 0 : v);
    }
  }
  const svd = new SingularValueDecomposition(m, { autoTranspose: false });
  const diag = svd.diagonal;
  const Um = svd.leftSingularVectors;
  const Vm = svd.rightSingularVectors;
  const s = new Float64Array(cols);
  const U = new Float64Array(rows * cols);
  const V = new Float64Array(cols * cols);
  for (let k = 0; k < cols; k++) s[k] = diag[k]! * (1 / down1) * (1 / down2);
  for (let i = 0; i < rows; i++) for (let k = 0; k < cols; k++) U[i * cols + k] = Um.get(i, k);
  for (let i = 0; i < cols; i++) for (let k = 0; k < cols; k++) V[i * cols + k] = Vm.get(i, k);
  return { s, U, V };
}

/**
 * Minimum-norm least-squares solution of A x ≈ b (LAPACK `gelsd` with `rcond = -1`, as
 * SciPy's dogbox calls `numpy.linalg.lstsq(J_free, -f, rcond=-1)`): singular values
 * s_k ≤ ε·s_0 are treated as zero, x = Σ_k v_k (u_kᵀ b)/s_k over the others.
 *
 * @param a - rows×cols row-major, rows ≥ cols.
 * @param rows - number of rows.
 * @param cols - number of columns.
 * @param b - right-hand side, length rows.
 * @returns x, length cols.
 */
export function lstsqMinNorm(a: Float64Array, rows: number, cols: number, b: Float64Array): Float64Array {
  const x = new Float64Array(cols);
  if (cols === 0) return x;
  const { s, U, V } = thinSvd(a, rows, cols);
  const cutoff = EPS * s[0]!;
  for (let k = 0; k < cols; k++) {
    if (!(s[k]! > cutoff)) continue;
    let ub = 0;
    for (let i = 0; i < rows; i++) ub += U[i * cols + k]! * b[i]!;
    const c = ub / s[k]!;
    for (let j = 0; j < cols; j++) x[j] = x[j]! + V[j * cols + k]! * c;
  }
  return x;
}

/**
 * out = Rᵀ·y for a p×p row-major upper-triangular R: with y = z = Qᵀf this is the gradient Jᵀf.
 *
 * @param R - upper triangle, row stride `ld`.
 * @param ld - row stride.
 * @param p - order.
 * @param y - vector of length p.
 * @param out - output of length p (must not alias y).
 * @returns out.
 */
export function upperTransposeMatVec(
  R: Float64Array,
  ld: number,
  p: number,
  y: Float64Array,
  out: Float64Array,
): Float64Array {
  out.fill(0);
  for (let i = 0; i < p; i++) {
    const yi = y[i]!;
    if (yi === 0) continue;
    for (let j = i; j < p; j++) out[j] = out[j]! + R[i * ld + j]! * yi;
  }
  return out;
}

/** Euclidean norm √Σxᵢ² (numpy's `norm(x)`). */
export function norm2(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s);
}

/** Infinity norm max|xᵢ| (numpy's `norm(x, ord=np.inf)`); NaN if any entry is NaN. */
export function normInf(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    const a = Math.abs(x[i]!);
    if (Number.isNaN(a)) return NaN;
    if (a > s) s = a;
  }
  return s;
}

/**
 * MINPACK's `enorm`: the Euclidean norm of x[offset … offset+n−1] accumulated in three sums
 * (small, intermediate, large components, split at 3.834e-20 and 1.304e19/n) so that neither
 * underflow nor overflow loses it — e.g. the norm of a column whose squares underflow.
 *
 * @param x - the array.
 * @param offset - first index.
 * @param n - number of entries.
 * @returns ‖x‖₂.
 */
export function enorm(x: ArrayLike<number>, offset = 0, n: number = x.length - offset): number {
  const rdwarf = 3.834e-20;
  const agiant = 1.304e19 / n;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let x1max = 0;
  let x3max = 0;
  for (let i = offset; i < offset + n; i++) {
    const xabs = Math.abs(x[i]!);
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
    } else if (xabs !== 0) {
      const r = xabs / x3max;
      s3 += r * r;
    }
  }
  if (s1 !== 0) return x1max * Math.sqrt(s1 + s2 / x1max / x1max);
  if (s2 !== 0) return s2 >= x3max ? Math.sqrt(s2 * (1 + (x3max / s2) * (x3max * s3))) : Math.sqrt(x3max * (s2 / x3max + x3max * s3));
  return x3max * Math.sqrt(s3);
}

/** Result of {@link qrfacPivoted}. */
export interface PivotedQr {
  /** Permutation: column j of A·P is column `ipvt[j]` of A (0-based). */
  readonly ipvt: Int32Array;
  /** Diagonal of R (signed as MINPACK leaves it). */
  readonly rdiag: Float64Array;
  /** Euclidean norms of the columns of the input A. */
  readonly acnorm: Float64Array;
}

/**
 * Householder QR with column pivoting, A·P = Q·R — MINPACK `qrfac` with `pivot = .true.`
 * (LINPACK pivoting: the remaining column of largest norm is brought forward; the norms are
 * downdated and recomputed when cancellation makes them unreliable).
 *
 * On return the strict upper triangle of `a` holds R's, the lower trapezoid the Householder
 * vectors u_k (with u_k[k] in `a[k,k]`), and R's diagonal is in `rdiag`.
 *
 * @param a - m×n column-major (leading dimension m), overwritten.
 * @param m - rows.
 * @param n - columns.
 * @returns the permutation, R's diagonal and the input column norms.
 */
export function qrfacPivoted(a: Float64Array, m: number, n: number): PivotedQr {
  const ipvt = new Int32Array(n);
  const rdiag = new Float64Array(n);
  const acnorm = new Float64Array(n);
  const wa = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    acnorm[j] = colNorm(a, j * m, m);
    rdiag[j] = acnorm[j]!;
    wa[j] = rdiag[j]!;
    ipvt[j] = j;
  }
  const minmn = Math.min(m, n);
  for (let j = 0; j < minmn; j++) {
    let kmax = j;
    for (let k = j; k < n; k++) if (rdiag[k]! > rdiag[kmax]!) kmax = k;
    if (kmax !== j) {
      for (let i = 0; i < m; i++) {
        const t = a[i + j * m]!;
        a[i + j * m] = a[i + kmax * m]!;
        a[i + kmax * m] = t;
      }
      rdiag[kmax] = rdiag[j]!;
      wa[kmax] = wa[j]!;
      const k = ipvt[j]!;
      ipvt[j] = ipvt[kmax]!;
      ipvt[kmax] = k;
    }
    let ajnorm = colNorm(a, j + j * m, m - j);
    if (ajnorm !== 0) {
      if (a[j + j * m]! < 0) ajnorm = -ajnorm;
      for (let i = j; i < m; i++) a[i + j * m] = a[i + j * m]! / ajnorm;
      a[j + j * m] = a[j + j * m]! + 1;
      for (let k = j + 1; k < n; k++) {
        let sum = 0;
        for (let i = j; i < m; i++) sum += a[i + j * m]! * a[i + k * m]!;
        const temp = sum / a[j + j * m]!;
        for (let i = j; i < m; i++) a[i + k * m] = a[i + k * m]! - temp * a[i + j * m]!;
        if (rdiag[k] === 0) continue;
        const t = a[j + k * m]! / rdiag[k]!;
        rdiag[k] = rdiag[k]! * Math.sqrt(Math.max(0, 1 - t * t));
        const q = rdiag[k]! / wa[k]!;
        if (0.05 * q * q <= EPS) {
          rdiag[k] = colNorm(a, j + 1 + k * m, m - j - 1);
          wa[k] = rdiag[k]!;
        }
      }
    }
    rdiag[j] = -ajnorm;
  }
  return { ipvt, rdiag, acnorm };
}

/**
 * Apply Qᵀ from {@link qrfacPivoted} to b (in place) and restore R's diagonal into `a`,
 * exactly as `lmdif`/`lmder` form `qtf` before calling `lmpar`.
 *
 * @param a - the factored m×n column-major matrix; on return its upper triangle is R.
 * @param m - rows.
 * @param n - columns.
 * @param rdiag - R's diagonal from {@link qrfacPivoted}.
 * @param b - length-m vector, overwritten by Qᵀb.
 */
export function applyQrfacTranspose(a: Float64Array, m: number, n: number, rdiag: Float64Array, b: Float64Array): void {
  for (let j = 0; j < n; j++) {
    const ajj = a[j + j * m]!;
    if (ajj !== 0) {
      let sum = 0;
      for (let i = j; i < m; i++) sum += a[i + j * m]! * b[i]!;
      const temp = -sum / ajj;
      for (let i = j; i < m; i++) b[i] = b[i]! + a[i + j * m]! * temp;
    }
    a[j + j * m] = rdiag[j]!;
  }
}

function colNorm(a: Float64Array, offset: number, n: number): number {
  return enorm(a, offset, n);
}
