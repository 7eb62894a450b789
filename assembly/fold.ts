/**
 * Householder fold of a row-major block under an upper triangle (TSQR update), AssemblyScript.
 *
 * Same algorithm as `src/backends/cpu/fold.ts` (LAPACK `dtpqrt`, reflector v = [1; u]
 * acting on row j of T and the m rows of A), restructured for SIMD:
 *
 * 1. The block is taken in sub-blocks of at most {@link subRows}(c) rows (folding a block in
 *    pieces is exact TSQR: the result is the R factor of all rows), and each sub-block is copied
 *    into a column-major scratch X (columns padded to an even length with zeros), so every
 *    column is a contiguous, cache-resident vector.
 * 2. Per column j, one sweep of the trailing columns with the dot products for column j + 1
 *    fused in:
 *
 * ```
 *   acc_k = Σ_i X_ij X_ik  (k ≥ j)       computed by the sweep of column j − 1
 *   σ² = acc_j,  β = −sign(α)√(α² + σ²),  s = 1/(α − β),  τ = (β − α)/β
 *   w_k = T_jk + s·acc_k,  T_jk −= τ w_k,  T_jj = β
 *   sweep: u_i = s·X_ij,  X_ik −= (τ w_k) u_i  (k > j);  acc'_k = Σ_i X_i,j+1 X_ik  (k ≥ j + 1)
 * ```
 *
 * so w_k = T_jk + Σ_i u_i A_ik as in the reference (the scaling is applied to the sum instead of
 * to each term), and the update rounds as the reference's: u is formed element by element in
 * the sweep (in registers, never stored), not folded into the coefficient as (τ w_k s)·X_j. That
 * matters on rank-deficient blocks: with the folded coefficient, a column that is an exact
 * multiple of X_j (a rank-1 Jacobian such as GSL's `linear_rank1`) cancels to exact zeros, its
 * reflector becomes the identity and the residual column's share along it collapses into the last
 * row, whereas the reference (like LAPACK, and SciPy's SVD of J) leaves rounding-level remainders
 * whose reflectors carry O(‖r‖) components of Qᵀr. Both are valid factorizations, but TRF's exact
 * trust-region step (SciPy `solve_lsq_trust_region`) scales a rank-deficient step to ‖p‖ = Δ and
 * overshoots when those components are exactly 0: wasm-simd took 40 evaluations to 2e-9 where
 * the cpu backend and SciPy converge. Trailing columns are updated two or three at a time in one
 * loop (sharing the loads of u and X_j+1) with the accumulators in registers: f64x2 over rows in
 * the SIMD build, even/odd row pairs in the scalar one.
 *
 * Entries whose squares under- or overflow (near 1e-300 or 1e200) take the reference's slow path
 * in {@link reflect}: the column norm scaled ({@link scaledNorm}, as LAPACK's `dlarfg` via
 * `dnrm2`) and w_k summed from s·X_ij directly. Within the safe range nothing changes.
 *
 * The caller's block is read, not written (the reference leaves Householder vectors in it; no
 * caller may rely on either). Pointers are byte offsets in linear memory.
 */

import { scaledNorm } from './scaled-norm';

/** Rows per column-major sub-block: about 32 KiB of scratch (L1-sized), even, in [16, 1024]. */
export function subRows(c: i32): i32 {
  return max(16, min(1024, (4096 / c) & ~1));
}

/** Copy rows [r0, r0 + m) of the row-major A (c columns) into column-major X (column stride ms ≥ m, padded with zeros). */
export function transpose(A: usize, r0: i32, m: i32, c: i32, X: usize, ms: i32): void {
  const rowBytes = <usize>c << 3;
  let src = A + <usize>r0 * rowBytes;
  for (let r = 0; r < m; r++, src += rowBytes) {
    let dst = X + (<usize>r << 3);
    for (let k = 0; k < c; k++, dst += <usize>ms << 3) store<f64>(dst, load<f64>(src + (<usize>k << 3)));
  }
  if (m < ms) for (let k = 0; k < c; k++) store<f64>(X + (<usize>(k * ms + m) << 3), 0);
}

/** Σ x_i y_i over n (even) doubles. */
export function dotv(x: usize, y: usize, n: i32): f64 {
  if (ASC_FEATURE_SIMD) {
    let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
    let i = 0;
    for (; i + 4 <= n; i += 4, x += 32, y += 32) {
      s0 = f64x2.add(s0, f64x2.mul(v128.load(x), v128.load(y)));
      s1 = f64x2.add(s1, f64x2.mul(v128.load(x, 16), v128.load(y, 16)));
    }
    if (i < n) s0 = f64x2.add(s0, f64x2.mul(v128.load(x), v128.load(y)));
    const s = f64x2.add(s0, s1);
    return f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  }
  let s0 = 0.0, s1 = 0.0;
  for (let i = 0; i < n; i += 2, x += 16, y += 16) {
    s0 += load<f64>(x) * load<f64>(y);
    s1 += load<f64>(x, 8) * load<f64>(y, 8);
  }
  return s0 + s1;
}

/** x −= t·(s·u), then return Σ x_i y_i with the updated x (y may be x itself), over n (even) doubles. */
function axpyDot(x: usize, u: usize, s: f64, t: f64, y: usize, n: i32): f64 {
  if (ASC_FEATURE_SIMD) {
    const sv = f64x2.splat(s), tv = f64x2.splat(t);
    let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
    let i = 0;
    for (; i + 4 <= n; i += 4, x += 32, u += 32, y += 32) {
      const a0 = f64x2.sub(v128.load(x), f64x2.mul(tv, f64x2.mul(sv, v128.load(u))));
      const a1 = f64x2.sub(v128.load(x, 16), f64x2.mul(tv, f64x2.mul(sv, v128.load(u, 16))));
      v128.store(x, a0);
      v128.store(x, a1, 16);
      s0 = f64x2.add(s0, f64x2.mul(a0, v128.load(y)));
      s1 = f64x2.add(s1, f64x2.mul(a1, v128.load(y, 16)));
    }
    if (i < n) {
      const a0 = f64x2.sub(v128.load(x), f64x2.mul(tv, f64x2.mul(sv, v128.load(u))));
      v128.store(x, a0);
      s0 = f64x2.add(s0, f64x2.mul(a0, v128.load(y)));
    }
    const s = f64x2.add(s0, s1);
    return f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  }
  let s0 = 0.0, s1 = 0.0;
  for (let i = 0; i < n; i += 2, x += 16, u += 16, y += 16) {
    const a0 = load<f64>(x) - t * (s * load<f64>(u));
    const a1 = load<f64>(x, 8) - t * (s * load<f64>(u, 8));
    store<f64>(x, a0);
    store<f64>(x, a1, 8);
    s0 += a0 * load<f64>(y);
    s1 += a1 * load<f64>(y, 8);
  }
  return s0 + s1;
}

/**
 * Two trailing columns at once (sharing the loads of u and y): x1 −= t1·(s·u), x2 −= t2·(s·u), then
 * store Σ x1_i y_i and Σ x2_i y_i at out and out + 8; n even.
 */
function axpyDot2(x1: usize, x2: usize, u: usize, s: f64, t1: f64, t2: f64, y: usize, n: i32, out: usize): void {
  if (!ASC_FEATURE_SIMD) {
    // One sweep, u formed once per row; each sum is split even/odd as in axpyDot (same bits).
    let p0 = 0.0, p1 = 0.0, q0 = 0.0, q1 = 0.0;
    for (let i = 0; i < n; i += 2, x1 += 16, x2 += 16, u += 16, y += 16) {
      const u0 = s * load<f64>(u), u1 = s * load<f64>(u, 8);
      const y0 = load<f64>(y), y1 = load<f64>(y, 8);
      const a0 = load<f64>(x1) - t1 * u0, a1 = load<f64>(x1, 8) - t1 * u1;
      const b0 = load<f64>(x2) - t2 * u0, b1 = load<f64>(x2, 8) - t2 * u1;
      store<f64>(x1, a0);
      store<f64>(x1, a1, 8);
      store<f64>(x2, b0);
      store<f64>(x2, b1, 8);
      p0 += a0 * y0;
      p1 += a1 * y1;
      q0 += b0 * y0;
      q1 += b1 * y1;
    }
    store<f64>(out, p0 + p1);
    store<f64>(out, q0 + q1, 8);
    return;
  }
  const sv = f64x2.splat(s);
  const t1v = f64x2.splat(t1), t2v = f64x2.splat(t2);
  let s1 = f64x2.splat(0), s2 = f64x2.splat(0);
  for (let i = 0; i < n; i += 2, x1 += 16, x2 += 16, u += 16, y += 16) {
    const uv = f64x2.mul(sv, v128.load(u)), yv = v128.load(y);
    const a1 = f64x2.sub(v128.load(x1), f64x2.mul(t1v, uv));
    const a2 = f64x2.sub(v128.load(x2), f64x2.mul(t2v, uv));
    v128.store(x1, a1);
    v128.store(x2, a2);
    s1 = f64x2.add(s1, f64x2.mul(a1, yv));
    s2 = f64x2.add(s2, f64x2.mul(a2, yv));
  }
  store<f64>(out, f64x2.extract_lane(s1, 0) + f64x2.extract_lane(s1, 1));
  store<f64>(out, f64x2.extract_lane(s2, 0) + f64x2.extract_lane(s2, 1), 8);
}

/**
 * The first trailing columns in one sweep: next −= t0·(s·u) and x1 −= t1·(s·u), then store
 * Σ next_i² and Σ next_i x1_i (with the updated values, still in registers) at out and out + 8;
 * n even.
 */
function axpyDotNext1(next: usize, x1: usize, u: usize, s: f64, t0: f64, t1: f64, n: i32, out: usize): void {
  if (!ASC_FEATURE_SIMD) {
    // One sweep, u formed once per row; each sum is split even/odd as in axpyDot (same bits).
    let p0 = 0.0, p1 = 0.0, q0 = 0.0, q1 = 0.0;
    for (let i = 0; i < n; i += 2, next += 16, x1 += 16, u += 16) {
      const u0 = s * load<f64>(u), u1 = s * load<f64>(u, 8);
      const a0 = load<f64>(next) - t0 * u0, a1 = load<f64>(next, 8) - t0 * u1;
      const b0 = load<f64>(x1) - t1 * u0, b1 = load<f64>(x1, 8) - t1 * u1;
      store<f64>(next, a0);
      store<f64>(next, a1, 8);
      store<f64>(x1, b0);
      store<f64>(x1, b1, 8);
      p0 += a0 * a0;
      p1 += a1 * a1;
      q0 += b0 * a0;
      q1 += b1 * a1;
    }
    store<f64>(out, p0 + p1);
    store<f64>(out, q0 + q1, 8);
    return;
  }
  const sv = f64x2.splat(s);
  const t0v = f64x2.splat(t0), t1v = f64x2.splat(t1);
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
  for (let i = 0; i < n; i += 2, next += 16, x1 += 16, u += 16) {
    const uv = f64x2.mul(sv, v128.load(u));
    const a0 = f64x2.sub(v128.load(next), f64x2.mul(t0v, uv));
    const a1 = f64x2.sub(v128.load(x1), f64x2.mul(t1v, uv));
    v128.store(next, a0);
    v128.store(x1, a1);
    s0 = f64x2.add(s0, f64x2.mul(a0, a0));
    s1 = f64x2.add(s1, f64x2.mul(a0, a1));
  }
  store<f64>(out, f64x2.extract_lane(s0, 0) + f64x2.extract_lane(s0, 1));
  store<f64>(out, f64x2.extract_lane(s1, 0) + f64x2.extract_lane(s1, 1), 8);
}

/** {@link axpyDotNext1} with a second trailing column x2 (t2): Σ next_i x2_i at out + 16. */
function axpyDotNext2(next: usize, x1: usize, x2: usize, u: usize, s: f64, t0: f64, t1: f64, t2: f64, n: i32, out: usize): void {
  if (!ASC_FEATURE_SIMD) {
    let p0 = 0.0, p1 = 0.0, q0 = 0.0, q1 = 0.0, r0 = 0.0, r1 = 0.0;
    for (let i = 0; i < n; i += 2, next += 16, x1 += 16, x2 += 16, u += 16) {
      const u0 = s * load<f64>(u), u1 = s * load<f64>(u, 8);
      const a0 = load<f64>(next) - t0 * u0, a1 = load<f64>(next, 8) - t0 * u1;
      const b0 = load<f64>(x1) - t1 * u0, b1 = load<f64>(x1, 8) - t1 * u1;
      const c0 = load<f64>(x2) - t2 * u0, c1 = load<f64>(x2, 8) - t2 * u1;
      store<f64>(next, a0);
      store<f64>(next, a1, 8);
      store<f64>(x1, b0);
      store<f64>(x1, b1, 8);
      store<f64>(x2, c0);
      store<f64>(x2, c1, 8);
      p0 += a0 * a0;
      p1 += a1 * a1;
      q0 += b0 * a0;
      q1 += b1 * a1;
      r0 += c0 * a0;
      r1 += c1 * a1;
    }
    store<f64>(out, p0 + p1);
    store<f64>(out, q0 + q1, 8);
    store<f64>(out, r0 + r1, 16);
    return;
  }
  const sv = f64x2.splat(s);
  const t0v = f64x2.splat(t0), t1v = f64x2.splat(t1), t2v = f64x2.splat(t2);
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0);
  for (let i = 0; i < n; i += 2, next += 16, x1 += 16, x2 += 16, u += 16) {
    const uv = f64x2.mul(sv, v128.load(u));
    const a0 = f64x2.sub(v128.load(next), f64x2.mul(t0v, uv));
    const a1 = f64x2.sub(v128.load(x1), f64x2.mul(t1v, uv));
    const a2 = f64x2.sub(v128.load(x2), f64x2.mul(t2v, uv));
    v128.store(next, a0);
    v128.store(x1, a1);
    v128.store(x2, a2);
    s0 = f64x2.add(s0, f64x2.mul(a0, a0));
    s1 = f64x2.add(s1, f64x2.mul(a0, a1));
    s2 = f64x2.add(s2, f64x2.mul(a0, a2));
  }
  store<f64>(out, f64x2.extract_lane(s0, 0) + f64x2.extract_lane(s0, 1));
  store<f64>(out, f64x2.extract_lane(s1, 0) + f64x2.extract_lane(s1, 1), 8);
  store<f64>(out, f64x2.extract_lane(s2, 0) + f64x2.extract_lane(s2, 1), 16);
}

/** Below this σ² the plain sum of squares of a column has lost digits to underflow (2⁻¹⁰⁰⁰). */
const SAFE_SIGMA2: f64 = 2.0 ** -1000;

/** A column of smaller norm is left out, as a zero one (1/(α − β) must not overflow). */
const MIN_NORM: f64 = 2.0 ** -1020;

/**
 * Apply column j's reflector to T (row j) given acc_k = Σ X_ij X_ik; write τw_k into tw.
 * Returns the scale s (1 when the column is zero and the reflector is the identity).
 *
 * When σ² = acc_j is not safely normal — 0 or below 2⁻¹⁰⁰⁰ (entries near 1e-300, whose squares
 * underflow) or when √(α² + σ²) overflows (near 1e200) — the column's norm is recomputed scaled
 * ({@link scaledNorm}) and every w_k = T_jk + Σ_i (s·X_ij) X_ik is summed directly, row by row
 * as the reference does (its u_i = s·X_ij is O(1), so the products stay in range); a column of
 * norm below 2⁻¹⁰²⁰ is left out. That is the reference's slow path (`src/backends/cpu/fold.ts`).
 * Likewise a single acc_k outside [2⁻¹⁰⁰⁰, ∞) — 0, subnormal, overflowed or NaN (∞ − ∞), as when
 * column j is of order 1 and column k near 1e-300 or 1e300, whose unscaled products under- or
 * overflow — is summed directly. Otherwise (all the safe range) the arithmetic is unchanged, bit for bit.
 */
function reflect(T: usize, j: i32, c: i32, acc: usize, tw: usize, xj: usize, ms: i32): f64 {
  const sigma2 = load<f64>(acc + (<usize>j << 3));
  const jj = T + (<usize>(j * c + j) << 3);
  const alpha = load<f64>(jj);
  let norm = Math.sqrt(alpha * alpha + sigma2);
  const slow = !(sigma2 >= SAFE_SIGMA2 && norm < Infinity) && sigma2 == sigma2;
  if (slow) {
    const sigma = scaledNorm(xj, ms);
    norm = sigma < MIN_NORM ? 0 : Math.hypot(alpha, sigma);
  }
  if (norm == 0) {
    memory.fill(tw, 0, <usize>c << 3);
    return 1.0;
  }
  const beta = alpha > 0 ? -norm : norm;
  const scale = 1 / (alpha - beta);
  const tau = (beta - alpha) / beta;
  const colBytes = <usize>ms << 3;
  for (let k = j + 1; k < c; k++) {
    const q = <usize>k << 3;
    const tk = jj + (<usize>(k - j) << 3);
    let w = load<f64>(tk);
    const a = Math.abs(load<f64>(acc + q));
    if (slow || !(a >= SAFE_SIGMA2 && a < Infinity)) {
      const xk = xj + <usize>(k - j) * colBytes;
      for (let i = 0; i < ms; i++) w += scale * load<f64>(xj + (<usize>i << 3)) * load<f64>(xk + (<usize>i << 3));
    } else w += scale * load<f64>(acc + q);
    const t = tau * w;
    store<f64>(tw + q, t);
    store<f64>(tk, load<f64>(tk) - t);
  }
  store<f64>(jj, beta);
  return scale;
}

/**
 * Fold the column-major sub-block X (c columns of stride ms, even) into T. `dotsReady`: acc
 * already holds acc_k = Σ_i X_i0 X_ik (k < c), written by whoever wrote X; else they are computed here.
 */
export function foldColumns(T: usize, X: usize, ms: i32, c: i32, tw: usize, acc: usize, dotsReady: bool): void {
  const colBytes = <usize>ms << 3;
  if (!dotsReady) for (let k = 0; k < c; k++) store<f64>(acc + (<usize>k << 3), dotv(X, X + <usize>k * colBytes, ms));
  for (let j = 0; j < c; j++) {
    const scale = reflect(T, j, c, acc, tw, X + <usize>j * colBytes, ms);
    if (j + 1 >= c) break;
    // u = scale·X_j is formed element by element inside the sweeps (never stored), as the
    // reference forms it: X_k −= τw_k·(scale·X_j), rounding for rounding like `reflect` there.
    const xj = X + <usize>j * colBytes;
    const next = xj + colBytes;
    const q1 = <usize>(j + 1) << 3;
    const t1 = load<f64>(tw + q1);
    // The next column and up to two more in one sweep (their dots use next's updated values in
    // registers); the rest in pairs against the updated next.
    let k = min(j + 4, c);
    if (k - j == 4) {
      axpyDotNext2(next, next + colBytes, next + 2 * colBytes, xj, scale, t1, load<f64>(tw + q1 + 8), load<f64>(tw + q1 + 16), ms, acc + q1);
    } else if (k - j == 3) {
      axpyDotNext1(next, next + colBytes, xj, scale, t1, load<f64>(tw + q1 + 8), ms, acc + q1);
    } else {
      store<f64>(acc + q1, axpyDot(next, xj, scale, t1, next, ms));
    }
    for (; k + 1 < c; k += 2) {
      const q = <usize>k << 3;
      const x = X + <usize>k * colBytes;
      axpyDot2(x, x + colBytes, xj, scale, load<f64>(tw + q), load<f64>(tw + q + 8), next, ms, acc + q);
    }
    if (k < c) {
      const q = <usize>k << 3;
      store<f64>(acc + q, axpyDot(X + <usize>k * colBytes, xj, scale, load<f64>(tw + q), next, ms));
    }
  }
}

/**
 * Fold `m` rows at `A` (row-major, `c` columns) into the c × c upper triangle at `T`.
 * `scratch` (16-byte aligned) holds 2c + 4 doubles followed by the column-major sub-block:
 * see {@link foldScratchDoubles}.
 */
export function fold(T: usize, A: usize, m: i32, c: i32, scratch: usize): void {
  const sub = subRows(c);
  const tw = scratch;
  const acc = scratch + <usize>foldDotsOffset(c);
  const X = acc + <usize>foldDotsOffset(c);
  for (let r0 = 0; r0 < m; r0 += sub) {
    const rows = min(sub, m - r0);
    const ms = (rows + 1) & ~1;
    transpose(A, r0, rows, c, X, ms);
    foldColumns(T, X, ms, c, tw, acc, false);
  }
}

/**
 * Byte offset, in the scratch of {@link foldColumnMajorDots}, of the c doubles
 * acc_k = Σ_i X_i0 X_ik it takes ready-made.
 */
export function foldDotsOffset(c: i32): i32 {
  return ((c + 2) & ~1) << 3;
}

/**
 * Fold a block that is already column-major — `c` columns of `ms` doubles each (ms even, the
 * rows past the block's last one zero), column k at `X + 8·k·ms` — into the c × c upper triangle
 * at `T`: {@link fold} without its transpose, and with the first column's dot products
 * acc_k = Σ_i X_i0 X_ik (k < c) already computed by the code that wrote X (a model's `cols`,
 * which has each value in a register anyway) and stored at `scratch + foldDotsOffset(c)`: that
 * saves the c sweeps computing them here. The columns are overwritten. `scratch` (16-byte
 * aligned) holds 2·((c + 2) & ~1) doubles. For cache reuse keep ms ≤ {@link subRows}(c).
 */
export function foldColumnMajorDots(T: usize, X: usize, ms: i32, c: i32, scratch: usize): void {
  foldColumns(T, X, ms, c, scratch, scratch + <usize>foldDotsOffset(c), true);
}

/** Doubles of scratch {@link fold} needs for c columns. */
export function foldScratchDoubles(c: i32): i32 {
  return 2 * ((c + 2) & ~1) + c * subRows(c);
}
