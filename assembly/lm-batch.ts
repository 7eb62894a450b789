/**
 * The batch engine's whole Levenberg–Marquardt loop, AssemblyScript: `fitBatch`'s WASM engine
 * (`src/batch/wasm-engine.ts`) stages a run of fits in linear memory and calls {@link lmBatch}
 * once; every fit is then solved here — residual and Jacobian columns from the model's generated
 * kernel, the QR fold, MINPACK's pivoted QR, `lmpar`, the ratio test, the step-bound update, the
 * termination tests and the standard errors — with no call into JavaScript and nothing allocated.
 *
 * The loop is `src/optim/lm.ts` (MINPACK `lmder` on the folded triangle) transcribed statement by
 * statement for the case the engine serves: linear loss, no bounds, an exact (cheap) Jacobian, so
 * that every trial evaluation brings its Jacobian (as `lm` asks when `jacobianIsCheap`) and
 * nfev = 1 + trial points, nit = accepted steps. Its two departures from MINPACK are kept:
 * non-finite trial points satisfy no test (the run ends at maxNfev, info 9 here), and below
 * `TINY_COST` ‖f‖ is taken from the triangle by a scaled norm.
 *
 * Each evaluation — the model's columns through `call_indirect`, held parameters compacted, the QR
 * fold into T = [R z; 0 ρ] — is `batch-eval.ts`'s, shared with `trf-batch.ts`.
 *
 * Covariance: SciPy `leastsq`'s recipe on the final triangle, as `estimateCovariance(…,
 * 'triangular-inverse')` (`src/stats/covariance.ts`): C = R⁻¹R⁻ᵀ, times s² = 2·cost/(n − p)
 * unless `absoluteSigma`; +∞ when R has a zero diagonal, C has a NaN, or n ≤ p.
 *
 * Records: fit i of the run is a record of {@link lmRecordDoubles}(p, P, k) doubles at
 * `records + 8·i·stride`, laid out as `lmRecordLayout` in `src/batch/wasm-engine.ts` (the host
 * writes n, ready, the column addresses and θ; this file writes the rest).
 */
import { beginLayout, carve, endLayout, evaluate, gc, gDesc, gFree, gp, gP, LOSS_LINEAR, R_N, R_READY, R_X, setupEvaluation, triangleFinite, tTrial } from './batch-eval';
import { applyQrfacTranspose, enorm, EPS, ld, ldi, lmpar, qrfacPivoted, st } from './minpack';
import { scaledNorm } from './scaled-norm';

/** MINPACK's step-bound factor (SciPy passes 100). */
const FACTOR: f64 = 100;
/** Below this cost ½Σr² has lost digits to underflow (2⁻⁹⁶⁸, as `lm.ts`). */
const TINY_COST: f64 = 2.0 ** -968;

// Record slots (doubles), the twin of `lmRecordLayout` in src/batch/wasm-engine.ts: n, ready,
// y, w, the k x addresses (batch-eval.ts), then after the k column addresses (H = 4 + k):
const H_STATUS = 0;
const H_INFO = 1;
const H_COST = 2;
const H_NFEV = 3;
const H_NIT = 4;
const H_ACTRED = 5;
const H_PRERED = 6;
const H_RATIO = 7;
const H_DELTA = 8;
const H_XNORM = 9;
const H_GNORM = 10;
const H_LAST_NFEV = 11;
const H_NF_COUNT = 12;
const H_NF_WHAT = 13;
const H_NF_COST = 14;
const H_CHI2 = 15;
const H_SIZE = 16;

/** Doubles of one fit's record: header, θ (P), perr (p), the last non-finite trial point (p). */
export function lmRecordDoubles(p: i32, P: i32, k: i32): i32 {
  return 4 + k + H_SIZE + P + 2 * p;
}

// The solver's work vectors (set by `layout`).
let xv: usize = 0, xt: usize = 0, step: usize = 0, diag: usize = 0, tmp: usize = 0;
let r: usize = 0, ipvt: usize = 0, rdiag: usize = 0, acnorm: usize = 0, qwa: usize = 0, qtf: usize = 0;
let lx: usize = 0, sdiag: usize = 0, wa1: usize = 0, wa2: usize = 0, wa3: usize = 0;
let tLin: usize = 0, inv: usize = 0, tcol: usize = 0;

/** Lay the work vectors out from `work`; returns the end. */
function layout(work: usize, p: i32, P: i32, k: i32): usize {
  const c = p + 1;
  beginLayout(work, P, k);
  xv = carve(p); xt = carve(p); step = carve(p); diag = carve(p); tmp = carve(p);
  r = carve(p * p); ipvt = carve(p); rdiag = carve(p); acnorm = carve(p); qwa = carve(p); qtf = carve(p);
  lx = carve(p); sdiag = carve(p); wa1 = carve(p); wa2 = carve(p); wa3 = carve(p);
  tLin = carve(c * c); inv = carve(p * p); tcol = carve(c);
  return endLayout(p, P);
}

/**
 * Bytes of work {@link lmBatch} needs for p free of P parameters and k variables (from a
 * 16-aligned start, where the model's descriptor goes; see `layout`).
 */
export function lmWorkBytes(p: i32, P: i32, k: i32): i32 {
  return <i32>layout(0, p, P, k) + 16;
}

/**
 * Where {@link lmBatch} leaves the linearization of the last fit it solved: the byte offset of
 * its (p+1)² triangle T = [R z; 0 ρ] at the solution (row-major; what `lm.ts` returns as
 * `outcome.T`), inside the work area at `work`. The single-fit fast path reads it for pcov and
 * the gradient (`src/batch/fast-fit.ts`).
 */
export function lmLinearizationAt(work: usize, p: i32, P: i32, k: i32): usize {
  layout(work, p, P, k);
  return tLin;
}

/** ‖f‖ of an evaluation (`residualNorm` in lm.ts): √(2·cost), or from the triangle's last column when the cost underflowed. */
function residualNorm(cost: f64, T: usize, finite: bool): f64 {
  if (cost >= TINY_COST || !finite || !(cost >= 0)) return Math.sqrt(2 * cost);
  const c = gc;
  for (let i = 0; i < c; i++) st(tcol, i, ld(T, i * c + gp));
  return scaledNorm(tcol, c);
}

/** ‖D·v‖ (MINPACK's weighted norms). */
function weightedNorm(v: usize): f64 {
  for (let j = 0; j < gp; j++) st(tmp, j, ld(diag, j) * ld(v, j));
  return enorm(tmp, 0, gp);
}

/** Factor the linearization at tLin: r, ipvt, rdiag, acnorm, qtf (lm.ts `factorize`). */
function factorize(): void {
  const p = gp;
  const c = gc;
  memory.fill(r, 0, <usize>(p * p) << 3);
  for (let i = 0; i < p; i++) for (let j = i; j < p; j++) st(r, i + j * p, ld(tLin, i * c + j));
  qrfacPivoted(r, p, p, ipvt, rdiag, acnorm, qwa);
  for (let i = 0; i < p; i++) st(qtf, i, ld(tLin, i * c + p));
  applyQrfacTranspose(r, p, p, rdiag, qtf);
}

function scaledGradientNorm(fnorm: f64): f64 {
  const p = gp;
  let gnorm = 0.0;
  if (fnorm == 0) return 0;
  for (let j = 0; j < p; j++) {
    const l = ldi(ipvt, j);
    if (ld(acnorm, l) == 0) continue;
    let sum = 0.0;
    for (let i = 0; i <= j; i++) sum += ld(r, i + j * p) * (ld(qtf, i) / fnorm);
    gnorm = Math.max(gnorm, Math.abs(sum / ld(acnorm, l)));
  }
  return gnorm;
}

/** ‖R·Pᵀ·step‖ (MINPACK's wa3). */
function rTimesStep(): f64 {
  const p = gp;
  memory.fill(tmp, 0, <usize>p << 3);
  for (let j = 0; j < p; j++) {
    const temp = ld(step, ldi(ipvt, j));
    for (let i = 0; i <= j; i++) st(tmp, i, ld(tmp, i) + ld(r, i + j * p) * temp);
  }
  return enorm(tmp, 0, p);
}

// The trial assessment (lm.ts `assessTrial`), in globals.
let tActred = 0.0, tPrered = 0.0, tDirder = 0.0, tRatio = 0.0;

function assessTrial(par: f64, pnorm: f64, fnorm: f64, fnorm1: f64): void {
  const fr = fnorm1 / fnorm;
  tActred = 0.1 * fnorm1 < fnorm ? 1 - fr * fr : -1;
  const temp1 = rTimesStep() / fnorm;
  const temp2 = (Math.sqrt(par) * pnorm) / fnorm;
  tPrered = temp1 * temp1 + (temp2 * temp2) / 0.5;
  tDirder = -(temp1 * temp1 + temp2 * temp2);
  tRatio = tPrered != 0 ? tActred / tPrered : 0;
}

/** MINPACK's tests (lm-termination.ts `minpackInfo`). */
function minpackInfo(actred: f64, prered: f64, ratio: f64, delta: f64, xnorm: f64, gnorm: f64, nfev: i32, ftol: f64, xtol: f64, maxNfev: i32): i32 {
  const fOk = Math.abs(actred) <= ftol && prered <= ftol && 0.5 * ratio <= 1;
  const xOk = delta <= xtol * xnorm;
  if (fOk && xOk) return 3;
  if (xOk) return 2;
  if (fOk) return 1;
  if (nfev >= maxNfev) return 5;
  if (Math.abs(actred) <= EPS && prered <= EPS && 0.5 * ratio <= 1) return 6;
  if (delta <= EPS * xnorm) return 7;
  if (gnorm <= EPS) return 8;
  return 0;
}

/** SciPy's status code of an info (see lm.ts's table); 9 = non-finite trials at maxNfev, < 0 = could not start. */
function statusOf(info: i32): i32 {
  if (info == 1 || info == 6) return 2;
  if (info == 2 || info == 7) return 3;
  if (info == 3) return 4;
  if (info == 4 || info == 8) return 1;
  if (info == 5 || info == 9) return 0;
  return -1;
}

/** √diag of SciPy leastsq's covariance from tLin into perr (p values at `perr`). */
function standardErrors(perr: usize, n: i32, cost: f64, absoluteSigma: bool): void {
  const p = gp;
  const c = gc;
  let bad = false;
  for (let j = 0; j < p; j++) {
    const d = ld(tLin, j * c + j);
    if (d == 0 || !(d - d == 0)) bad = true;
  }
  if (!bad) {
    // R⁻¹ (upper, row-major p×p in inv), column by column as covariance.ts.
    memory.fill(inv, 0, <usize>(p * p) << 3);
    for (let j = 0; j < p; j++) {
      st(inv, j * p + j, 1 / ld(tLin, j * c + j));
      for (let i = j - 1; i >= 0; i--) {
        let sum = 0.0;
        for (let k = i + 1; k <= j; k++) sum += ld(tLin, i * c + k) * ld(inv, k * p + j);
        st(inv, i * p + j, -sum / ld(tLin, i * c + i));
      }
    }
    for (let i = 0; i < p && !bad; i++) {
      for (let j = i; j < p; j++) {
        let sum = 0.0;
        for (let k = j; k < p; k++) sum += ld(inv, i * p + k) * ld(inv, j * p + k);
        if (sum != sum) {
          bad = true;
          break;
        }
        if (i == j) st(perr, i, sum);
      }
    }
  }
  if (bad || (!absoluteSigma && n <= p)) {
    for (let j = 0; j < p; j++) st(perr, j, Infinity);
    return;
  }
  const s2 = absoluteSigma ? 1.0 : (2 * cost) / <f64>(n - p);
  for (let j = 0; j < p; j++) st(perr, j, Math.sqrt(ld(perr, j) * s2));
}

/** One fit (lm.ts `lm` with a cheap Jacobian and no iteration callback). */
function fitOne(rec: usize, hdr: usize, theta: usize, perr: usize, nfx: usize, ftol: f64, xtol: f64, gtol: f64, maxNfev: i32, xScale: usize, absoluteSigma: bool): void {
  const p = gp;
  const c = gc;
  const n = <i32>ld(rec, R_N);
  // θ: the held values and the start.
  memory.copy(gDesc, theta, <usize>gP << 3);
  for (let j = 0; j < p; j++) st(xv, j, ld(theta, ldi(gFree, j)));
  let cost = evaluate(rec, xv);
  let finite = triangleFinite(tTrial);
  if (!(cost - cost == 0) || !finite) {
    st(hdr, H_INFO, !(cost - cost == 0) ? -2 : -3);
    st(hdr, H_STATUS, -1);
    st(hdr, H_COST, cost);
    return;
  }
  memory.copy(tLin, tTrial, <usize>(c * c) << 3);
  let nfev = 1;
  let fnorm = residualNorm(cost, tLin, true);
  const mode2 = xScale != 0;
  if (mode2) for (let j = 0; j < p; j++) st(diag, j, 1 / ld(xScale, j));
  let par = 0.0;
  let iter = 1;
  let delta = 0.0;
  let xnorm = 0.0;
  let info = 0;
  let lActred = 0.0, lPrered = 0.0, lRatio = 0.0, lDelta = 0.0, lXnorm = 0.0, lGnorm = 0.0;
  let lNfev = nfev;
  let nonFiniteRun = 0;
  let nfWhat = 0;
  let nfCost = 0.0;
  let done = false;
  while (!done) {
    factorize();
    if (iter == 1) {
      if (!mode2) for (let j = 0; j < p; j++) st(diag, j, ld(acnorm, j) == 0 ? 1 : ld(acnorm, j));
      xnorm = weightedNorm(xv);
      delta = FACTOR * xnorm;
      if (delta == 0) delta = FACTOR;
    }
    const gnorm = scaledGradientNorm(fnorm);
    lGnorm = gnorm;
    if (gnorm <= gtol) {
      info = 4;
      break;
    }
    if (!mode2) for (let j = 0; j < p; j++) st(diag, j, Math.max(ld(diag, j), ld(acnorm, j)));
    for (;;) {
      par = lmpar(p, r, ipvt, diag, qtf, delta, par, lx, sdiag, wa1, wa2, wa3);
      for (let j = 0; j < p; j++) {
        const s = -ld(lx, j);
        st(step, j, s);
        st(xt, j, ld(xv, j) + s);
      }
      const pnorm = weightedNorm(step);
      if (iter == 1) delta = Math.min(delta, pnorm);
      const tcost = evaluate(rec, xt);
      const tfinite = triangleFinite(tTrial) && tcost - tcost == 0;
      nfev += 1;
      let fnorm1 = residualNorm(tcost, tTrial, tfinite);
      let bad = fnorm1 - fnorm1 == 0 ? 0 : 1; // 1: residuals, 2: Jacobian
      assessTrial(par, pnorm, fnorm, fnorm1);
      let accepted = false;
      if (tRatio >= 1e-4) {
        if (!tfinite) {
          bad = 2;
          fnorm1 = NaN;
          assessTrial(par, pnorm, fnorm, fnorm1);
        } else accepted = true;
      }
      // MINPACK's step-bound update (lm.ts `updateStepBound`).
      if (tRatio <= 0.25) {
        let temp = tActred >= 0 ? 0.5 : (0.5 * tDirder) / (tDirder + 0.5 * tActred);
        if (0.1 * fnorm1 >= fnorm || temp < 0.1) temp = 0.1;
        delta = temp * Math.min(delta, pnorm / 0.1);
        par = par / temp;
      } else if (par == 0 || tRatio >= 0.75) {
        delta = pnorm / 0.5;
        par = 0.5 * par;
      }
      if (accepted) {
        memory.copy(xv, xt, <usize>p << 3);
        xnorm = weightedNorm(xv);
        fnorm = fnorm1;
        cost = tcost;
        iter += 1;
        memory.copy(tLin, tTrial, <usize>(c * c) << 3);
      }
      lActred = tActred; lPrered = tPrered; lRatio = tRatio; lDelta = delta; lXnorm = xnorm; lNfev = nfev;
      if (bad == 0) {
        nonFiniteRun = 0;
        info = minpackInfo(tActred, tPrered, tRatio, delta, xnorm, gnorm, nfev, ftol, xtol, maxNfev);
      } else {
        delta = Math.max(delta, EPS * (xnorm > 0 ? xnorm : 1));
        nonFiniteRun += 1;
        nfWhat = bad;
        nfCost = tcost;
        memory.copy(nfx, xt, <usize>p << 3);
        info = nfev >= maxNfev ? 5 : 0;
      }
      if (info != 0) {
        done = true;
        break;
      }
      if (accepted) break;
    }
  }
  if (info == 5 && nonFiniteRun > 0) info = 9;
  for (let j = 0; j < p; j++) st(theta, ldi(gFree, j), ld(xv, j));
  standardErrors(perr, n, cost, absoluteSigma);
  st(hdr, H_STATUS, <f64>statusOf(info));
  st(hdr, H_INFO, <f64>info);
  st(hdr, H_COST, cost);
  st(hdr, H_CHI2, 2 * cost);
  st(hdr, H_NFEV, <f64>nfev);
  st(hdr, H_NIT, <f64>(iter - 1));
  st(hdr, H_ACTRED, lActred);
  st(hdr, H_PRERED, lPrered);
  st(hdr, H_RATIO, lRatio);
  st(hdr, H_DELTA, lDelta);
  st(hdr, H_XNORM, lXnorm);
  st(hdr, H_GNORM, lGnorm);
  st(hdr, H_LAST_NFEV, <f64>lNfev);
  st(hdr, H_NF_COUNT, <f64>nonFiniteRun);
  st(hdr, H_NF_WHAT, <f64>nfWhat);
  st(hdr, H_NF_COST, nfCost);
}

/**
 * Fit `count` staged records with MINPACK's Levenberg–Marquardt (see the module comment).
 *
 * @param records - byte offset of the first record ({@link lmRecordDoubles} doubles each).
 * @param count - number of records; those with ready = 0 are skipped.
 * @param p - free parameters; `P` model parameters; `k` variables; `hasW` 1 when a w column is staged.
 * @param free - i32[p]: positions of the free parameters among the P.
 * @param colsIndex - table index of the model's `cols`.
 * @param work - {@link lmWorkBytes}(p, P, k) bytes of work.
 * @param xScale - byte offset of p scales (MINPACK mode 2, D = 1/xScale), or 0 for `'jac'` (mode 1).
 */
export function lmBatch(
  records: usize, count: i32, p: i32, P: i32, k: i32, hasW: i32, free: usize, colsIndex: u32, work: usize,
  ftol: f64, xtol: f64, gtol: f64, maxNfev: i32, xScale: usize, absoluteSigma: i32,
): void {
  layout(work, p, P, k);
  setupEvaluation(p, P, k, hasW, free, colsIndex, LOSS_LINEAR, 1);
  const stride = <usize>lmRecordDoubles(p, P, k) << 3;
  for (let i = 0; i < count; i++) {
    const rec = records + <usize>i * stride;
    if (ld(rec, R_READY) == 0) continue;
    const hdr = rec + (<usize>(R_X + k) << 3);
    const theta = hdr + (<usize>H_SIZE << 3);
    const perr = theta + (<usize>P << 3);
    const nfx = perr + (<usize>p << 3);
    fitOne(rec, hdr, theta, perr, nfx, ftol, xtol, gtol, maxNfev, xScale, absoluteSigma != 0);
  }
}
