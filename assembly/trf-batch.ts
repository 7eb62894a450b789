/**
 * The batch engine's whole Trust Region Reflective loop, AssemblyScript: `fitBatch`'s WASM engine
 * (`src/batch/wasm-engine.ts`) stages a run of fits in linear memory and calls {@link trfBatch}
 * once; every fit is then solved here — the model's columns and the QR fold (`batch-eval.ts`,
 * with the robust loss's row scaling), the Coleman–Li scaling, the SVD of the hat matrix
 * (`svd.ts`), the exact trust-region step, `select_step`'s reflection and Cauchy candidates, the
 * radius update, the termination tests and the standard errors — with no call into JavaScript
 * and nothing allocated.
 *
 * The loop is `src/optim/trf.ts` with `trust-region-minimizer.ts`, `trust-region.ts`,
 * `bounds.ts` and `scaling.ts` (SciPy `least_squares(method='trf', tr_solver='exact')` on the
 * folded triangle) transcribed statement by statement for the case the engine serves: an exact
 * (cheap) Jacobian, so every trial evaluation brings its Jacobian and nfev = 1 + trial points,
 * nit = outer iterations. Notation as trf.ts: g = Rᵀz the gradient, v, dv the Coleman–Li vector,
 * d = √v ∘ scale, J_h = R·diag(d), g_h = d ∘ g, diag_h = g ∘ dv ∘ scale; the SVD is of
 * [J_h; diag(√diag_h)] when some diag_h ≠ 0, of J_h otherwise.
 *
 * The same loop takes `src/optim/dogbox.ts`'s steps when asked (`dogbox` = 1), as
 * `trust-region-minimizer.ts` does in TS: x0 as given, the free set (variables not held on a bound
 * by their gradient), the minimum-norm Gauss–Newton step on it (`lstsqMinNorm` by the same SVD),
 * Powell's dogleg inside the box ∩ trust region (Voglis & Lagaris, "A rectangular trust region
 * dogleg approach for unconstrained and bound constrained nonlinear optimization", 2004), the
 * trial point clipped to the box and the accepted one snapped onto the bounds its step reached.
 *
 * Covariance: SciPy `curve_fit`'s recipe after `least_squares`, as `estimateCovariance(…, 'svd')`
 * (`src/stats/covariance.ts`): C = V diag(1/s_k²) Vᵀ over s_k > ε·max(n, p)·s₀ from the SVD of
 * the final R, times s² = 2·cost/(n − p) unless `absoluteSigma`; +∞ when R is not finite, C has a
 * NaN, or n ≤ p.
 *
 * Records: fit i of the run is a record of {@link trfRecordDoubles}(p, P, k) doubles at
 * `records + 8·i·stride`, laid out as `trfRecordLayout` in `src/batch/wasm-engine.ts`: n, ready,
 * the column addresses (batch-eval.ts), a header, θ (P), perr (p), lb (p), ub (p).
 *
 * References: M. A. Branch, T. F. Coleman, Y. Li, SIAM J. Sci. Comput. 21(1), 1999; J. J. Moré,
 * "The Levenberg–Marquardt algorithm: implementation and theory", LNM 630, 1977.
 */
import { beginLayout, carve, endLayout, evaluate, gc, gDesc, gFree, gp, gP, lastChi2, R_N, R_READY, R_X, setupEvaluation, triangleFinite, tTrial } from './batch-eval';
import { ld, ldi, st } from './minpack';
import { thinSvd } from './svd';

/** Machine epsilon (small-linalg.ts `EPS`). */
const EPS: f64 = 2.220446049250313e-16;

// Header slots after the k column addresses, the twin of `TRF_HEADER` in src/batch/wasm-engine.ts.
const H_STATUS = 0; // SciPy's status, −1 when the fit could not start or stopped on an error
const H_INFO = 1; // −2 non-finite cost at x0, −3 non-finite Jacobian at x0, −4/−5 intersectTrustRegion errors
const H_COST = 2;
const H_CHI2 = 3;
const H_NFEV = 4;
const H_NIT = 5;
const H_ERR_A = 6; // the numbers of an error's message
const H_ERR_B = 7;
const H_SIZE = 8;

/** Doubles of one fit's record: header, θ (P), perr, lb, ub (p each). */
export function trfRecordDoubles(p: i32, P: i32, k: i32): i32 {
  return 4 + k + H_SIZE + P + 3 * p;
}

// The solver's work vectors (set by `layout`).
let x: usize = 0, xNew: usize = 0, xTrial: usize = 0, lb: usize = 0, ub: usize = 0;
let scale: usize = 0, scaleInv: usize = 0, v: usize = 0, dv: usize = 0;
let R: usize = 0, z: usize = 0, g: usize = 0, colNorms: usize = 0, tLin: usize = 0;
let d: usize = 0, gH: usize = 0, diagH: usize = 0, Jh: usize = 0, A: usize = 0;
let sv: usize = 0, Ut: usize = 0, Vt: usize = 0, se: usize = 0, swork: usize = 0, uf: usize = 0, suf: usize = 0;
let pH: usize = 0, pStep: usize = 0, rH: usize = 0, rr: usize = 0, agH: usize = 0, ag: usize = 0;
let hitsV: usize = 0, tmp: usize = 0;
// dogbox's (free-variable vectors hold k ≤ p entries).
let onBound: usize = 0, flags: usize = 0, freeIdx: usize = 0, Jfree: usize = 0, gF: usize = 0, newton: usize = 0;
let xF: usize = 0, lbF: usize = 0, ubF: usize = 0, lbT: usize = 0, ubT: usize = 0, trB: usize = 0;
let origL: usize = 0, origU: usize = 0, trL: usize = 0, trU: usize = 0, minusG: usize = 0, cauchy: usize = 0;
let diff: usize = 0, dlStep: usize = 0, bHits: usize = 0, hits2: usize = 0, zneg: usize = 0;

function layout(work: usize, p: i32, P: i32, k: i32): usize {
  const c = p + 1;
  beginLayout(work, P, k);
  x = carve(p); xNew = carve(p); xTrial = carve(p); lb = carve(p); ub = carve(p);
  scale = carve(p); scaleInv = carve(p); v = carve(p); dv = carve(p);
  R = carve(p * p); z = carve(p); g = carve(p); colNorms = carve(p); tLin = carve(c * c);
  d = carve(p); gH = carve(p); diagH = carve(p); Jh = carve(p * p); A = carve(2 * p * p);
  sv = carve(p); Ut = carve(2 * p * p); Vt = carve(p * p); se = carve(p); swork = carve(2 * p); uf = carve(p); suf = carve(p);
  pH = carve(p); pStep = carve(p); rH = carve(p); rr = carve(p); agH = carve(p); ag = carve(p);
  hitsV = carve(p); tmp = carve(p);
  onBound = carve(p); flags = carve(p); freeIdx = carve(p); Jfree = carve(p * p); gF = carve(p); newton = carve(p);
  xF = carve(p); lbF = carve(p); ubF = carve(p); lbT = carve(p); ubT = carve(p); trB = carve(p);
  origL = carve(p); origU = carve(p); trL = carve(p); trU = carve(p); minusG = carve(p); cauchy = carve(p);
  diff = carve(p); dlStep = carve(p); bHits = carve(p); hits2 = carve(p); zneg = carve(p);
  return endLayout(p, P);
}

/** Bytes of work {@link trfBatch} needs for p free of P parameters and k variables. */
export function trfWorkBytes(p: i32, P: i32, k: i32): i32 {
  return <i32>layout(0, p, P, k) + 16;
}

function norm2(a: usize, n: i32): f64 {
  let s = 0.0;
  for (let i = 0; i < n; i++) s += ld(a, i) * ld(a, i);
  return Math.sqrt(s);
}

function isFinite64(a: f64): bool {
  return a - a == 0;
}

/** Unpack T (row-major (p+1)²) into R, z, the column norms and g = Rᵀz (solver-common.ts `unpackTriangle`). */
function unpack(T: usize): void {
  const p = gp;
  const c = gc;
  memory.fill(R, 0, <usize>(p * p) << 3);
  memory.fill(colNorms, 0, <usize>p << 3);
  for (let i = 0; i < p; i++) {
    for (let j = i; j < p; j++) {
      const val = ld(T, i * c + j);
      st(R, i * p + j, val);
      st(colNorms, j, ld(colNorms, j) + val * val);
    }
    st(z, i, ld(T, i * c + p));
  }
  for (let j = 0; j < p; j++) st(colNorms, j, Math.sqrt(ld(colNorms, j)));
  memory.fill(g, 0, <usize>p << 3);
  for (let i = 0; i < p; i++) {
    const yi = ld(z, i);
    if (yi == 0) continue;
    for (let j = i; j < p; j++) st(g, j, ld(g, j) + ld(R, i * p + j) * yi);
  }
}

/** scaling.ts `computeJacScale` (first: zeros → 1; later the running maximum). */
function jacScale(first: bool): void {
  for (let j = 0; j < gp; j++) {
    const c = ld(colNorms, j);
    st(scaleInv, j, first ? (c == 0 ? 1 : c) : Math.max(c, ld(scaleInv, j)));
  }
  for (let j = 0; j < gp; j++) st(scale, j, 1 / ld(scaleInv, j));
}

/** scaling.ts `clScalingVector` at x into v, dv. */
function clScaling(): void {
  for (let i = 0; i < gp; i++) {
    st(v, i, 1);
    st(dv, i, 0);
    const gi = ld(g, i);
    if (gi < 0 && isFinite64(ld(ub, i))) {
      st(v, i, ld(ub, i) - ld(x, i));
      st(dv, i, -1);
    }
    if (gi > 0 && isFinite64(ld(lb, i))) {
      st(v, i, ld(x, i) - ld(lb, i));
      st(dv, i, 1);
    }
  }
}

/** scaling.ts `hatScalingVector`: v rescaled by scaleInv where dv ≠ 0. */
function hatScaling(): void {
  clScaling();
  for (let i = 0; i < gp; i++) if (ld(dv, i) != 0) st(v, i, ld(v, i) * ld(scaleInv, i));
}

/** ‖g∘v‖∞ (scaling.ts `clOptimality`; NaN when an entry is NaN). */
function clOptimality(): f64 {
  clScaling();
  let s = 0.0;
  for (let i = 0; i < gp; i++) {
    const a = Math.abs(ld(g, i) * ld(v, i));
    if (isNaN(a)) return NaN;
    if (a > s) s = a;
  }
  return s;
}

/** trf.ts `initialRadius`. */
function initialRadius(): f64 {
  hatScaling();
  let sum = 0.0;
  for (let i = 0; i < gp; i++) {
    const t = (ld(x, i) * ld(scaleInv, i)) / Math.sqrt(ld(v, i));
    sum += t * t;
  }
  const D = Math.sqrt(sum);
  return D == 0 ? 1 : D;
}

/** bounds.ts `nextAfter`. */
function nextAfter(a: f64, b: f64): f64 {
  if (isNaN(a) || isNaN(b)) return NaN;
  if (a == b) return b;
  if (a == 0) return b > 0 ? 5e-324 : -5e-324;
  let bits = reinterpret<u64>(a);
  if ((b > a) == (a > 0)) bits += 1;
  else bits -= 1;
  return reinterpret<f64>(bits);
}

/** bounds.ts `makeStrictlyFeasible(src, lb, ub, rstep)` into dst (may alias src). */
function makeStrictlyFeasible(src: usize, dst: usize, rstep: f64): void {
  for (let i = 0; i < gp; i++) {
    const xi = ld(src, i);
    const l = ld(lb, i);
    const u = ld(ub, i);
    let active = 0;
    if (rstep == 0) {
      if (xi <= l) active = -1;
      if (xi >= u) active = 1;
    } else {
      const lowerDist = xi - l;
      const upperDist = u - xi;
      const lowerThreshold = rstep * Math.max(1, Math.abs(l));
      const upperThreshold = rstep * Math.max(1, Math.abs(u));
      if (isFinite64(l) && lowerDist <= Math.min(upperDist, lowerThreshold)) active = -1;
      if (isFinite64(u) && upperDist <= Math.min(lowerDist, upperThreshold)) active = 1;
    }
    let xn = xi;
    if (active == -1) xn = rstep == 0 ? nextAfter(l, u) : l + rstep * Math.max(1, Math.abs(l));
    else if (active == 1) xn = rstep == 0 ? nextAfter(u, l) : u - rstep * Math.max(1, Math.abs(u));
    if (xn < l || xn > u) xn = 0.5 * (l + u);
    st(dst, i, xn);
  }
}

/**
 * bounds.ts `stepSizeToBound(px, s, lo, hi)` over n entries (px = 0: the zero vector): the step;
 * the hits (−1, 0, 1) into `hits`.
 */
function stepSizeToBound(px: usize, s: usize, lo: usize, hi: usize, n: i32, hits: usize): f64 {
  let minStep = Infinity;
  let sawNaN = false;
  for (let i = 0; i < n; i++) {
    const si = ld(s, i);
    const xi = px == 0 ? 0.0 : ld(px, i);
    let t = Infinity;
    if (si != 0) t = Math.max((ld(lo, i) - xi) / si, (ld(hi, i) - xi) / si);
    st(tmp, i, t);
    if (isNaN(t)) sawNaN = true;
    else if (t < minStep) minStep = t;
  }
  if (sawNaN) minStep = NaN;
  for (let i = 0; i < n; i++) {
    const si = ld(s, i);
    st(hits, i, ld(tmp, i) == minStep ? (si > 0 ? 1 : si < 0 ? -1 : 0) : 0);
  }
  return minStep;
}

// ‖M s‖² and (M s)ᵀ(M t) for a rows×cols row-major M (trust-region.ts).
function normSquaredOfProduct(M: usize, rows: i32, cols: i32, s: usize): f64 {
  let total = 0.0;
  for (let i = 0; i < rows; i++) {
    let val = 0.0;
    for (let j = 0; j < cols; j++) val += ld(M, i * cols + j) * ld(s, j);
    total += val * val;
  }
  return total;
}

function productDot(M: usize, rows: i32, cols: i32, s: usize, t: usize): f64 {
  let total = 0.0;
  for (let i = 0; i < rows; i++) {
    let u = 0.0;
    let w = 0.0;
    for (let j = 0; j < cols; j++) {
      u += ld(M, i * cols + j) * ld(s, j);
      w += ld(M, i * cols + j) * ld(t, j);
    }
    total += u * w;
  }
  return total;
}

/** trust-region.ts `evaluateQuadratic(M, g, s, diag)` (diag = 0: null), over cols entries. */
function evaluateQuadratic(M: usize, rows: i32, cols: i32, g: usize, diag: usize, s: usize): f64 {
  let q = normSquaredOfProduct(M, rows, cols, s);
  if (diag != 0) {
    let dq = 0.0;
    for (let i = 0; i < cols; i++) dq += ld(s, i) * ld(diag, i) * ld(s, i);
    q += dq;
  }
  let l = 0.0;
  for (let i = 0; i < cols; i++) l += ld(s, i) * ld(g, i);
  return 0.5 * q + l;
}

// trust-region.ts `buildQuadratic1d(M, g, s, diag, s0)` (diag, s0 = 0: null) → (qa, qb, qc).
let qa = 0.0, qb = 0.0, qc = 0.0;
function buildQuadratic1d(M: usize, rows: i32, cols: i32, g: usize, diag: usize, s: usize, s0: usize): void {
  const n = cols;
  let a = normSquaredOfProduct(M, rows, cols, s);
  if (diag != 0) for (let i = 0; i < n; i++) a += ld(s, i) * ld(diag, i) * ld(s, i);
  a *= 0.5;
  let b = 0.0;
  for (let i = 0; i < n; i++) b += ld(g, i) * ld(s, i);
  if (s0 == 0) {
    qa = a; qb = b; qc = 0;
    return;
  }
  b += productDot(M, rows, cols, s0, s);
  let c = 0.5 * normSquaredOfProduct(M, rows, cols, s0);
  for (let i = 0; i < n; i++) c += ld(g, i) * ld(s0, i);
  if (diag != 0) {
    for (let i = 0; i < n; i++) {
      b += ld(s0, i) * ld(diag, i) * ld(s, i);
      c += 0.5 * ld(s0, i) * ld(diag, i) * ld(s0, i);
    }
  }
  qa = a; qb = b; qc = c;
}

// trust-region.ts `minimizeQuadratic1d` → (mt, my).
let mt = 0.0, my = 0.0;
function minimizeQuadratic1d(a: f64, b: f64, lo: f64, hi: f64, c: f64): void {
  let n = 2;
  let c2 = 0.0;
  if (a != 0) {
    const extremum = (-0.5 * b) / a;
    if (lo < extremum && extremum < hi) {
      c2 = extremum;
      n = 3;
    }
  }
  let best = -1;
  let bestT = 0.0;
  let bestY = Infinity;
  for (let i = 0; i < n; i++) {
    const t = i == 0 ? lo : i == 1 ? hi : c2;
    const y = t * (a * t + b) + c;
    if (isNaN(y)) {
      best = i; bestT = t; bestY = y;
      break;
    }
    if (best < 0 || y < bestY) {
      best = i; bestT = t; bestY = y;
    }
  }
  mt = bestT;
  my = bestY;
}

// An error of intersectTrustRegion (trust-region.ts throws NlsqRangeError): the fit ends with status −1.
let errKind = 0;
let errA = 0.0, errB = 0.0;

/** trust-region.ts `intersectTrustRegion(px, s, Δ)[1]` (the positive root); sets errKind on its errors. */
function intersectTrustRegionUpper(px: usize, s: usize, Delta: f64): f64 {
  let a = 0.0, b = 0.0, c = 0.0;
  for (let i = 0; i < gp; i++) {
    a += ld(s, i) * ld(s, i);
    b += ld(px, i) * ld(s, i);
    c += ld(px, i) * ld(px, i);
  }
  c -= Delta * Delta;
  if (a == 0) {
    errKind = -4;
    return NaN;
  }
  if (c > 0) {
    errKind = -5;
    errA = Delta;
    errB = c;
    return NaN;
  }
  const dd = Math.sqrt(b * b - a * c);
  const negB = b < 0 || (b == 0 && 1 / b < 0);
  const q = -(b + (negB ? -dd : dd));
  const t1 = q / a;
  const t2 = c / q;
  return t1 < t2 ? t2 : t1;
}

/** The hat model at x (trf.ts `hatModel`): d, g_h, diag_h, J_h, and the SVD into sv, Ut, Vt, uf. */
function hatModel(): void {
  const p = gp;
  hatScaling();
  let augmented = false;
  for (let j = 0; j < p; j++) {
    st(d, j, Math.sqrt(ld(v, j)) * ld(scale, j));
    st(diagH, j, ld(g, j) * ld(dv, j) * ld(scale, j));
    st(gH, j, ld(d, j) * ld(g, j));
    if (ld(diagH, j) != 0) augmented = true;
  }
  const rows = augmented ? 2 * p : p;
  memory.fill(Jh, 0, <usize>(p * p) << 3);
  memory.fill(A, 0, <usize>(rows * p) << 3);
  for (let i = 0; i < p; i++) {
    for (let j = i; j < p; j++) {
      const val = ld(R, i * p + j) * ld(d, j);
      st(Jh, i * p + j, val);
      st(A, i + j * rows, val);
    }
  }
  if (augmented) for (let j = 0; j < p; j++) st(A, p + j + j * rows, Math.sqrt(ld(diagH, j)));
  thinSvd(A, rows, p, sv, Ut, Vt, se, swork, true);
  for (let k = 0; k < p; k++) {
    let sum = 0.0;
    for (let i = 0; i < p; i++) sum += ld(Ut, k * rows + i) * ld(z, i);
    st(uf, k, sum);
  }
}

/** p = −V·c with c_k = num_k/s_k (gaussNewton) or num_k/(s_k² + α) (trust-region.ts `combineColumns`). */
function combineColumns(num: usize, alpha: f64, gaussNewton: bool, out: usize): void {
  const n = gp;
  memory.fill(out, 0, <usize>n << 3);
  for (let c = 0; c < n; c++) {
    const numer = ld(num, c);
    if (numer == 0) continue;
    const s = ld(sv, c);
    const coef = gaussNewton ? numer / s : numer / (s * s + alpha);
    for (let i = 0; i < n; i++) st(out, i, ld(out, i) - ld(Vt, c * n + i) * coef);
  }
}

let phiV = 0.0, phiPrimeV = 0.0;
function phiAndDerivative(alpha: f64, Delta: f64): void {
  let pNorm2 = 0.0;
  let sum3 = 0.0;
  for (let k = 0; k < gp; k++) {
    const sf = ld(suf, k);
    if (sf == 0) continue;
    const denom = ld(sv, k) * ld(sv, k) + alpha;
    const q = sf / denom;
    pNorm2 += q * q;
    sum3 += (sf * sf) / (denom * denom * denom);
  }
  const pNorm = Math.sqrt(pNorm2);
  phiV = pNorm - Delta;
  phiPrimeV = -sum3 / pNorm;
}

/** trust-region.ts `solveLsqTrustRegion(p, m, uf, s, V, Δ, initialAlpha)` into pH; returns α. */
function solveLsqTrustRegion(m: i32, Delta: f64, initialAlpha: f64): f64 {
  const n = gp;
  const k = n;
  for (let i = 0; i < k; i++) st(suf, i, ld(sv, i) * ld(uf, i));
  const fullRank = m >= n && ld(sv, k - 1) > EPS * <f64>m * ld(sv, 0);
  if (fullRank) {
    combineColumns(uf, 0, true, pH);
    if (norm2(pH, n) <= Delta) return 0;
  }
  let alphaUpper = norm2(suf, k) / Delta;
  let alphaLower = 0.0;
  if (fullRank) {
    phiAndDerivative(0, Delta);
    alphaLower = -phiV / phiPrimeV;
  }
  let alpha: f64;
  if (!fullRank && initialAlpha == 0) alpha = Math.max(0.001 * alphaUpper, Math.sqrt(alphaLower * alphaUpper));
  else alpha = initialAlpha;
  for (let it = 0; it < 10; it++) {
    if (alpha < alphaLower || alpha > alphaUpper) alpha = Math.max(0.001 * alphaUpper, Math.sqrt(alphaLower * alphaUpper));
    phiAndDerivative(alpha, Delta);
    const phi = phiV;
    if (phi < 0) alphaUpper = alpha;
    const ratio = phi / phiPrimeV;
    alphaLower = Math.max(alphaLower, alpha - ratio);
    alpha -= ((phi + Delta) * ratio) / Delta;
    if (Math.abs(phi) < 0.01 * Delta) break;
  }
  combineColumns(suf, alpha, false, pH);
  const pn = norm2(pH, n);
  for (let i = 0; i < n; i++) st(pH, i, (ld(pH, i) * Delta) / pn);
  return alpha;
}

// The chosen step (trf.ts `SelectedStep`): `chosenStep`, `chosenStepH` point at pStep/pH, rr/rH or ag/agH.
let chosenStep: usize = 0, chosenStepH: usize = 0;
let predicted = 0.0;

/** trf.ts `selectStep` (bounded): among p (cut at the bound), its reflection and the Cauchy step. */
function selectStep(Delta: f64, theta: f64): void {
  const n = gp;
  for (let i = 0; i < n; i++) st(xTrial, i, ld(x, i) + ld(pStep, i));
  let inside = true;
  for (let i = 0; i < n; i++) if (!(ld(xTrial, i) >= ld(lb, i) && ld(xTrial, i) <= ld(ub, i))) inside = false;
  if (inside) {
    chosenStep = pStep;
    chosenStepH = pH;
    predicted = -evaluateQuadratic(Jh, gp, gp, gH, diagH, pH);
    return;
  }
  const pStride = stepSizeToBound(x, pStep, lb, ub, n, hitsV);
  for (let i = 0; i < n; i++) st(rH, i, ld(hitsV, i) != 0 ? -ld(pH, i) : ld(pH, i));
  for (let i = 0; i < n; i++) st(rr, i, ld(d, i) * ld(rH, i));
  for (let i = 0; i < n; i++) {
    st(pStep, i, ld(pStep, i) * pStride);
    st(pH, i, ld(pH, i) * pStride);
  }
  // xOnBound = x + p (in xTrial)
  for (let i = 0; i < n; i++) st(xTrial, i, ld(x, i) + ld(pStep, i));
  const toTr = intersectTrustRegionUpper(pH, rH, Delta);
  if (errKind != 0) return;
  const toBound = stepSizeToBound(xTrial, rr, lb, ub, n, hitsV);
  const rStride = Math.min(toBound, toTr);
  let rStrideL = 0.0;
  let rStrideU = -1.0;
  if (rStride > 0) {
    rStrideL = ((1 - theta) * pStride) / rStride;
    rStrideU = rStride == toBound ? theta * toBound : toTr;
  }
  let rValue = Infinity;
  if (rStrideL <= rStrideU) {
    buildQuadratic1d(Jh, n, n, gH, diagH, rH, pH);
    minimizeQuadratic1d(qa, qb, rStrideL, rStrideU, qc);
    rValue = my;
    for (let i = 0; i < n; i++) st(rH, i, ld(rH, i) * mt + ld(pH, i));
    for (let i = 0; i < n; i++) st(rr, i, ld(rH, i) * ld(d, i));
  }
  for (let i = 0; i < n; i++) {
    st(pStep, i, ld(pStep, i) * theta);
    st(pH, i, ld(pH, i) * theta);
  }
  const pValue = evaluateQuadratic(Jh, n, n, gH, diagH, pH);
  for (let i = 0; i < n; i++) {
    st(agH, i, -ld(gH, i));
    st(ag, i, ld(d, i) * ld(agH, i));
  }
  const toTrAg = Delta / norm2(agH, n);
  const toBoundAg = stepSizeToBound(x, ag, lb, ub, n, hitsV);
  const agLimit = toBoundAg < toTrAg ? theta * toBoundAg : toTrAg;
  buildQuadratic1d(Jh, n, n, gH, diagH, agH, 0);
  minimizeQuadratic1d(qa, qb, 0, agLimit, 0);
  for (let i = 0; i < n; i++) {
    st(agH, i, ld(agH, i) * mt);
    st(ag, i, ld(ag, i) * mt);
  }
  const agValue = my;
  if (pValue < rValue && pValue < agValue) {
    chosenStep = pStep; chosenStepH = pH; predicted = -pValue;
  } else if (rValue < pValue && rValue < agValue) {
    chosenStep = rr; chosenStepH = rH; predicted = -rValue;
  } else {
    chosenStep = ag; chosenStepH = agH; predicted = -agValue;
  }
}

// ── dogbox (dogbox.ts): the free variables of an iterate, the dogleg in the box ──

let kFree = 0; // number of free variables of the current iterate
let dogA = 0.0, dogB = 0.0; // the quadratic along −g_free
let trHit = false;

/** dogbox.ts `freeGradientNorm` with the active set of `linearize` (onBound_i·g_i < 0 is active). */
function dogboxOptimality(): f64 {
  let s = 0.0;
  for (let i = 0; i < gp; i++) if (!(ld(onBound, i) * ld(g, i) < 0)) s = Math.max(s, Math.abs(ld(g, i)));
  return s;
}

/** small-linalg.ts `lstsqMinNorm(Jfree, p, k, −z)` into `newton` (k entries). */
function lstsqMinNorm(rows: i32, cols: i32): void {
  memory.fill(newton, 0, <usize>cols << 3);
  if (cols == 0) return;
  for (let i = 0; i < rows; i++) for (let c = 0; c < cols; c++) st(A, i + c * rows, ld(Jfree, i * cols + c));
  thinSvd(A, rows, cols, sv, Ut, Vt, se, swork, true);
  const cutoff = EPS * ld(sv, 0);
  for (let k = 0; k < cols; k++) {
    if (!(ld(sv, k) > cutoff)) continue;
    let ub = 0.0;
    for (let i = 0; i < rows; i++) ub += ld(Ut, k * rows + i) * ld(zneg, i);
    const cc = ub / ld(sv, k);
    for (let j = 0; j < cols; j++) st(newton, j, ld(newton, j) + ld(Vt, k * cols + j) * cc);
  }
}

/** dogbox.ts `freeModel`: the free list, J_free, g_free, the Newton step, a and b along −g_free. */
function dogboxModel(): void {
  const p = gp;
  let k = 0;
  for (let j = 0; j < p; j++) if (!(ld(onBound, j) * ld(g, j) < 0)) st(freeIdx, k++, <f64>j);
  kFree = k;
  for (let i = 0; i < p; i++) for (let c = 0; c < k; c++) st(Jfree, i * k + c, ld(R, i * p + <i32>ld(freeIdx, c)));
  for (let c = 0; c < k; c++) st(gF, c, ld(g, <i32>ld(freeIdx, c)));
  for (let i = 0; i < p; i++) st(zneg, i, -ld(z, i));
  lstsqMinNorm(p, k);
  for (let c = 0; c < k; c++) st(minusG, c, -ld(gF, c));
  buildQuadratic1d(Jfree, p, k, gF, 0, minusG, 0);
  dogA = qa;
  dogB = qb;
}

/** dogbox.ts `doglegStep` on the k free variables into dlStep, bHits, trHit. */
function doglegStep(): void {
  const n = kFree;
  for (let i = 0; i < n; i++) {
    const lc = ld(lbF, i) - ld(xF, i);
    const uc = ld(ubF, i) - ld(xF, i);
    const tb = ld(trB, i);
    st(lbT, i, Math.max(lc, -tb));
    st(ubT, i, Math.min(uc, tb));
    st(origL, i, ld(lbT, i) == lc ? 1 : 0);
    st(origU, i, ld(ubT, i) == uc ? 1 : 0);
    st(trL, i, ld(lbT, i) == -tb ? 1 : 0);
    st(trU, i, ld(ubT, i) == tb ? 1 : 0);
  }
  for (let i = 0; i < n; i++) st(bHits, i, 0);
  trHit = false;
  let inside = true;
  for (let i = 0; i < n; i++) if (!(ld(newton, i) >= ld(lbT, i) && ld(newton, i) <= ld(ubT, i))) inside = false;
  if (inside) {
    memory.copy(dlStep, newton, <usize>n << 3);
    return;
  }
  // minusG holds −g_free (dogboxModel)
  const toBounds = stepSizeToBound(0, minusG, lbT, ubT, n, hits2);
  minimizeQuadratic1d(dogA, dogB, 0, toBounds, 0);
  const tCauchy = mt;
  for (let i = 0; i < n; i++) st(cauchy, i, -tCauchy * ld(gF, i));
  for (let i = 0; i < n; i++) st(diff, i, ld(newton, i) - ld(cauchy, i));
  const size = stepSizeToBound(cauchy, diff, lbT, ubT, n, hits2);
  for (let i = 0; i < n; i++) {
    const h = ld(hits2, i);
    if (h < 0 && ld(origL, i) != 0) st(bHits, i, -1);
    if (h > 0 && ld(origU, i) != 0) st(bHits, i, 1);
    if ((h < 0 && ld(trL, i) != 0) || (h > 0 && ld(trU, i) != 0)) trHit = true;
  }
  for (let i = 0; i < n; i++) st(dlStep, i, ld(cauchy, i) + size * ld(diff, i));
}

/**
 * dogbox.ts `proposeDogleg`: the full step into pStep, the clipped trial point into xTrial, the
 * point snapped to the bounds it lands on into xNew (with those flags in `flags`), the predicted
 * reduction; returns the step's ∞-norm in scaled variables.
 */
function proposeDogleg(Delta: f64): f64 {
  const p = gp;
  const k = kFree;
  for (let c = 0; c < k; c++) {
    const j = <i32>ld(freeIdx, c);
    st(trB, c, Delta * ld(scale, j));
    st(xF, c, ld(x, j));
    st(lbF, c, ld(lb, j));
    st(ubF, c, ld(ub, j));
  }
  doglegStep();
  memory.fill(pStep, 0, <usize>p << 3);
  for (let c = 0; c < k; c++) st(pStep, <i32>ld(freeIdx, c), ld(dlStep, c));
  predicted = -evaluateQuadratic(Jfree, p, k, gF, 0, dlStep);
  for (let i = 0; i < p; i++) st(xTrial, i, Math.min(Math.max(ld(x, i) + ld(pStep, i), ld(lb, i)), ld(ub, i)));
  let norm = 0.0;
  for (let i = 0; i < p; i++) norm = Math.max(norm, Math.abs(ld(pStep, i) * ld(scaleInv, i)));
  memory.copy(flags, onBound, <usize>p << 3);
  for (let c = 0; c < k; c++) st(flags, <i32>ld(freeIdx, c), ld(bHits, c));
  for (let i = 0; i < p; i++) {
    const fl = ld(flags, i);
    st(xNew, i, fl == -1 ? ld(lb, i) : fl == 1 ? ld(ub, i) : ld(xTrial, i));
  }
  chosenStep = pStep;
  return norm;
}

let gDeltaNew = 0.0;

/**
 * After a finite trial: SciPy's `update_tr_radius` (the new radius into gDeltaNew) and
 * `check_termination` on the step `chosenStep` from x; returns the status (0: none).
 */
function radiusAndTest(actualReduction: f64, cost: f64, Delta: f64, trialNorm: f64, boundaryHit: bool, ftol: f64, xtol: f64): i32 {
  let ratio: f64;
  if (predicted > 0) ratio = actualReduction / predicted;
  else if (predicted == actualReduction && actualReduction == 0) ratio = 1;
  else ratio = 0;
  let DeltaNew = Delta;
  if (ratio < 0.25) DeltaNew = 0.25 * trialNorm;
  else if (ratio > 0.75 && boundaryHit) DeltaNew = Delta * 2;
  gDeltaNew = DeltaNew;
  const stepNorm = norm2(chosenStep, gp);
  return checkTermination(actualReduction, cost, stepNorm, norm2(x, gp), ratio, ftol, xtol);
}

/** SciPy's `check_termination`: 0 none, 2 ftol, 3 xtol, 4 both. */
function checkTermination(dF: f64, F: f64, dxNorm: f64, xNorm: f64, ratio: f64, ftol: f64, xtol: f64): i32 {
  const ftolOk = dF < ftol * F && ratio > 0.25;
  const xtolOk = dxNorm < xtol * (xtol + xNorm);
  if (ftolOk && xtolOk) return 4;
  if (ftolOk) return 2;
  if (xtolOk) return 3;
  return 0;
}

/** √diag of curve_fit's SVD covariance from the triangle at tLin into perr. */
function standardErrors(perr: usize, n: i32, cost: f64, absoluteSigma: bool): void {
  const p = gp;
  const c = gc;
  let bad = false;
  for (let i = 0; i < p; i++) {
    for (let j = i; j < p; j++) if (!isFinite64(ld(tLin, i * c + j))) bad = true;
  }
  if (!bad) {
    memory.fill(A, 0, <usize>(p * p) << 3);
    for (let i = 0; i < p; i++) for (let j = i; j < p; j++) st(A, i + j * p, ld(tLin, i * c + j));
    thinSvd(A, p, p, sv, Ut, Vt, se, swork, false);
    const threshold = EPS * <f64>max(n, p) * ld(sv, 0);
    for (let i = 0; i < p; i++) st(perr, i, 0);
    for (let k = 0; k < p; k++) {
      const sk = ld(sv, k);
      if (!(sk > threshold)) continue;
      const inv = 1 / (sk * sk);
      for (let i = 0; i < p; i++) {
        const vik = ld(Vt, k * p + i) * inv;
        st(perr, i, ld(perr, i) + vik * ld(Vt, k * p + i));
      }
    }
    for (let i = 0; i < p; i++) if (isNaN(ld(perr, i))) bad = true;
  }
  if (bad || (!absoluteSigma && n <= p)) {
    for (let j = 0; j < p; j++) st(perr, j, Infinity);
    return;
  }
  if (absoluteSigma) {
    for (let j = 0; j < p; j++) st(perr, j, Math.sqrt(ld(perr, j)));
    return;
  }
  const s2 = (2 * cost) / <f64>(n - p);
  for (let j = 0; j < p; j++) st(perr, j, Math.sqrt(ld(perr, j) * s2));
}

/**
 * One fit: `trustRegionMinimizer` with trf.ts's steps (`trf`), or with dogbox.ts's (`dogbox`:
 * x0 as given, the trial point clipped to the box, the accepted point snapped onto the bounds
 * its step landed on); a cheap Jacobian, no iteration callback.
 */
function fitOne(rec: usize, hdr: usize, theta: usize, perr: usize, ftol: f64, xtol: f64, gtol: f64, maxNfev: i32, xScaleAt: usize, absoluteSigma: bool, dogbox: bool): void {
  const p = gp;
  const c = gc;
  const n = <i32>ld(rec, R_N);
  errKind = 0;
  memory.copy(gDesc, theta, <usize>gP << 3);
  for (let j = 0; j < p; j++) st(x, j, ld(theta, ldi(gFree, j)));
  let bounded = false;
  for (let j = 0; j < p; j++) if (ld(lb, j) != -Infinity || ld(ub, j) != Infinity) bounded = true;
  if (!dogbox) makeStrictlyFeasible(x, x, 1e-10);
  let cost = evaluate(rec, x);
  let chi2 = lastChi2;
  if (!isFinite64(cost) || !triangleFinite(tTrial)) {
    st(hdr, H_INFO, !isFinite64(cost) ? -2 : -3);
    st(hdr, H_STATUS, -1);
    st(hdr, H_COST, cost);
    for (let j = 0; j < p; j++) st(theta, ldi(gFree, j), ld(x, j));
    return;
  }
  memory.copy(tLin, tTrial, <usize>(c * c) << 3);
  unpack(tLin);
  let nfev = 1;
  if (xScaleAt == 0) jacScale(true);
  else for (let j = 0; j < p; j++) {
    st(scale, j, ld(xScaleAt, j));
    st(scaleInv, j, 1 / ld(xScaleAt, j));
  }
  let Delta = 0.0;
  let optimality = 0.0;
  if (dogbox) {
    // dogboxSteps.start and linearize
    for (let i = 0; i < p; i++) st(onBound, i, ld(x, i) == ld(lb, i) ? -1 : ld(x, i) == ld(ub, i) ? 1 : 0);
    for (let i = 0; i < p; i++) Delta = Math.max(Delta, Math.abs(ld(x, i) * ld(scaleInv, i)));
    if (Delta == 0) Delta = 1;
    optimality = dogboxOptimality();
  } else {
    Delta = initialRadius();
    optimality = clOptimality();
  }
  let alpha = 0.0;
  let thetaStep = Math.max(0.995, 1 - optimality);
  let modelReady = false;
  let status = -100; // none yet
  let iteration = 0;
  for (;;) {
    if (optimality < gtol) status = 1;
    if (status != -100 || nfev == maxNfev) break;
    let actualReduction = -1.0;
    let costNew = cost;
    let chi2New = chi2;
    let tried = false;
    let trialNorm = 0.0;
    while (actualReduction <= 0 && nfev < maxNfev) {
      if (dogbox) {
        // compute(Δ): the free model once per iterate, then the dogleg.
        if (!modelReady) {
          dogboxModel();
          modelReady = true;
        }
        trialNorm = proposeDogleg(Delta);
        tried = true;
        const tcostD = evaluate(rec, xTrial); // the clipped point; x moves to the snapped one (xNew)
        nfev += 1;
        if (!isFinite64(tcostD) || !triangleFinite(tTrial)) {
          Delta = 0.25 * trialNorm;
          continue;
        }
        costNew = tcostD;
        chi2New = lastChi2;
        actualReduction = cost - costNew;
        const st2 = radiusAndTest(actualReduction, cost, Delta, trialNorm, trHit, ftol, xtol);
        if (st2 != 0) {
          status = st2;
          break;
        }
        Delta = gDeltaNew;
        continue;
      }
      // compute(Δ): the hat model once per iterate, then the step.
      if (!modelReady) {
        hatModel();
        modelReady = true;
      }
      alpha = solveLsqTrustRegion(n, Delta, alpha);
      for (let i = 0; i < p; i++) st(pStep, i, ld(d, i) * ld(pH, i));
      if (!bounded) {
        chosenStep = pStep;
        chosenStepH = pH;
        predicted = -evaluateQuadratic(Jh, p, p, gH, 0, pH);
      } else {
        selectStep(Delta, thetaStep);
        if (errKind != 0) {
          st(hdr, H_INFO, <f64>errKind);
          st(hdr, H_STATUS, -1);
          st(hdr, H_ERR_A, errA);
          st(hdr, H_ERR_B, errB);
          return;
        }
      }
      for (let i = 0; i < p; i++) st(xTrial, i, ld(x, i) + ld(chosenStep, i));
      if (bounded) makeStrictlyFeasible(xTrial, xNew, 0);
      else memory.copy(xNew, xTrial, <usize>p << 3);
      trialNorm = norm2(chosenStepH, p);
      tried = true;
      const tcost = evaluate(rec, xNew);
      nfev += 1;
      if (!isFinite64(tcost) || !triangleFinite(tTrial)) {
        Delta = 0.25 * trialNorm;
        continue;
      }
      costNew = tcost;
      chi2New = lastChi2;
      actualReduction = cost - costNew;
      const test = radiusAndTest(actualReduction, cost, Delta, trialNorm, trialNorm > 0.95 * Delta, ftol, xtol);
      if (test != 0) {
        status = test;
        break;
      }
      alpha *= Delta / gDeltaNew;
      Delta = gDeltaNew;
    }
    if (actualReduction > 0 && tried) {
      memory.copy(x, xNew, <usize>p << 3);
      cost = costNew;
      chi2 = chi2New;
      memory.copy(tLin, tTrial, <usize>(c * c) << 3);
      unpack(tLin);
      if (xScaleAt == 0) jacScale(false);
      if (dogbox) memory.copy(onBound, flags, <usize>p << 3); // dogboxSteps.accept
      optimality = dogbox ? dogboxOptimality() : clOptimality();
      thetaStep = Math.max(0.995, 1 - optimality);
      modelReady = false;
    }
    iteration += 1;
  }
  if (status == -100) status = 0;
  for (let j = 0; j < p; j++) st(theta, ldi(gFree, j), ld(x, j));
  standardErrors(perr, n, cost, absoluteSigma);
  st(hdr, H_STATUS, <f64>status);
  st(hdr, H_INFO, 0);
  st(hdr, H_COST, cost);
  st(hdr, H_CHI2, chi2);
  st(hdr, H_NFEV, <f64>nfev);
  st(hdr, H_NIT, <f64>iteration);
}

/**
 * Fit `count` staged records with TRF, or dogbox (see the module comment).
 *
 * @param records - byte offset of the first record ({@link trfRecordDoubles} doubles each).
 * @param count - number of records; those with ready = 0 are skipped.
 * @param p - free parameters; `P` model parameters; `k` variables; `hasW` 1 when a w column is staged.
 * @param free - i32[p]: positions of the free parameters among the P.
 * @param colsIndex - table index of the model's `cols`.
 * @param work - {@link trfWorkBytes}(p, P, k) bytes of work.
 * @param xScale - byte offset of p scales, or 0 for `'jac'`.
 * @param loss - the robust loss's code (batch-eval.ts), `fScale` its scale.
 * @param dogbox - 1: dogbox's steps instead of trf's (the same loop, `trust-region-minimizer.ts`).
 */
export function trfBatch(
  records: usize, count: i32, p: i32, P: i32, k: i32, hasW: i32, free: usize, colsIndex: u32, work: usize,
  ftol: f64, xtol: f64, gtol: f64, maxNfev: i32, xScale: usize, absoluteSigma: i32, loss: i32, fScale: f64, dogbox: i32,
): void {
  layout(work, p, P, k);
  setupEvaluation(p, P, k, hasW, free, colsIndex, loss, fScale);
  const stride = <usize>trfRecordDoubles(p, P, k) << 3;
  for (let i = 0; i < count; i++) {
    const rec = records + <usize>i * stride;
    if (ld(rec, R_READY) == 0) continue;
    const hdr = rec + (<usize>(R_X + k) << 3);
    const theta = hdr + (<usize>H_SIZE << 3);
    const perr = theta + (<usize>P << 3);
    memory.copy(lb, perr + (<usize>p << 3), <usize>p << 3);
    memory.copy(ub, perr + (<usize>(2 * p) << 3), <usize>p << 3);
    fitOne(rec, hdr, theta, perr, ftol, xtol, gtol, maxNfev, xScale, absoluteSigma != 0, dogbox != 0);
  }
}
