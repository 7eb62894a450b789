/**
 * One evaluation of a staged fit for the batch engine's whole-loop solvers, AssemblyScript: the
 * model's columns, the robust-loss row scaling, and the QR fold into the (p+1)² triangle — shared
 * by `lm-batch.ts` (MINPACK lm) and `trf-batch.ts` (SciPy's TRF), the twin of what
 * `src/evaluate/block-evaluator.ts` does for one block on the host.
 *
 * The model: the generated module's `cols(desc, n, out, colStrideBytes, hasW, acc)` export
 * (`src/backends/wasm/codegen-wasm.ts`), put by the host into this instance's function table and
 * called through `call_indirect` — a wasm-to-wasm call, no JavaScript in between. It writes the
 * P + 1 columns [∂r/∂θ | r] of a sub-block column-major with the fold's first dot products and
 * Σr² (acc[P + 1]), and `foldColumns` (`fold.ts`) folds them into the triangle T = [R z; 0 ρ].
 * With held parameters (`vary`) the model's columns of the free parameters are compacted in place
 * first. With a robust loss (`src/optim/loss.ts`), each row is then scaled as SciPy's
 * `scale_for_robust_loss_function` (`applyRobustLoss`): s_i = √max(ρ'_i + 2ρ''_i r_i², ε),
 * J_i ← s_i J_i, r_i ← r_i ρ'_i / s_i, and the cost is ½Σρ(r_i²).
 *
 * Records: a fit's record opens with n, ready, the y and w addresses and the k x addresses (the
 * host writes them: `src/batch/wasm-engine.ts`).
 */
import { foldColumns, foldDotsOffset, subRows } from './fold';
import { ld, ldi, st } from './minpack';

// Record slots (doubles) every solver's record opens with.
export const R_N = 0;
export const R_READY = 1;
const R_Y = 2;
const R_W = 3;
export const R_X = 4;

/** Robust losses by code (the host's `LOSS_CODE` in `src/batch/wasm-engine.ts`). */
export const LOSS_LINEAR = 0;
const LOSS_SOFT_L1 = 1;
const LOSS_HUBER = 2;
const LOSS_CAUCHY = 3;
const LOSS_ARCTAN = 4;
/** The floor ε of SciPy's row scale (loss.ts `SCALE_FLOOR`). */
const SCALE_FLOOR: f64 = 2.220446049250313e-16;

// The run's settings (set by `setupEvaluation`).
export let gp: i32 = 0; // free parameters
export let gP: i32 = 0; // model parameters
export let gc: i32 = 0; // fold columns p + 1
let gk: i32 = 0; // variables
let gHeld: bool = false;
let gHasW: i32 = 0;
export let gFree: usize = 0; // i32[p] positions of the free parameters
let gCols: u32 = 0; // table index of the model's `cols`
export let gDesc: usize = 0; // the model's call descriptor: θ (P f64) then k + 2 u32 column addresses
let gSub: i32 = 0; // rows per sub-block
let gLoss: i32 = 0;
let gC2: f64 = 1; // fScale²
let gInvC2: f64 = 1;
/** The triangle of the last evaluation. */
export let tTrial: usize = 0;
/** Σr² of the plain weighted residuals of the last evaluation (χ²; 2·cost for the linear loss). */
export let lastChi2: f64 = 0;
let accModel: usize = 0, foldTw: usize = 0, foldAcc: usize = 0, X: usize = 0;
let gEnd: usize = 0;

function align16(n: usize): usize {
  return (n + 15) & ~(<usize>15);
}

/** Take `doubles` doubles of the work area (16-aligned). */
export function carve(doubles: i32): usize {
  const at = gEnd;
  gEnd = align16(gEnd + (<usize>doubles << 3));
  return at;
}

/**
 * Open a layout at `work`: the model's descriptor first — θ (P f64), k + 2 u32 column addresses —
 * and, at desc + expTableOffset (codegen-wasm-simd.ts: the descriptor's bytes rounded up to 16),
 * the f64x2 modules' 2 KiB exp table, which the host writes there.
 */
export function beginLayout(work: usize, P: i32, k: i32): void {
  gEnd = align16(work);
  gDesc = carve(P + ((k + 3) >> 1) + 2 + 256);
}

/** Close a layout with the evaluation's own work (trial triangle, model sums, fold scratch, sub-block); returns the end. */
export function endLayout(p: i32, P: i32): usize {
  const c = p + 1;
  tTrial = carve(c * c);
  accModel = carve(P + 2);
  foldTw = carve(2 * ((c + 2) & ~1));
  foldAcc = foldTw + <usize>foldDotsOffset(c);
  X = carve((P + 1) * subRows(c));
  return gEnd;
}

/** Set the run's model, shape and loss (`loss` a code above, `fScale` its scale). */
export function setupEvaluation(p: i32, P: i32, k: i32, hasW: i32, free: usize, colsIndex: u32, loss: i32, fScale: f64): void {
  gp = p;
  gP = P;
  gk = k;
  gc = p + 1;
  gHeld = p != P;
  gHasW = hasW;
  gFree = free;
  gCols = colsIndex;
  gSub = subRows(p + 1);
  gLoss = loss;
  gC2 = fScale * fScale;
  gInvC2 = 1 / gC2;
}

// ρ, ρ', ρ'' of the last `rho` call.
let rho0 = 0.0, rho1 = 0.0, rho2 = 0.0;

/** The unscaled loss at z (loss.ts `RAW`). */
function rawLoss(z: f64): void {
  if (gLoss == LOSS_SOFT_L1) {
    const t = 1 + z;
    const s = Math.sqrt(t);
    rho0 = 2 * (s - 1);
    rho1 = 1 / s;
    rho2 = -0.5 / (t * s);
  } else if (gLoss == LOSS_HUBER) {
    if (z <= 1) {
      rho0 = z;
      rho1 = 1;
      rho2 = 0;
    } else {
      const s = Math.sqrt(z);
      rho0 = 2 * s - 1;
      rho1 = 1 / s;
      rho2 = -0.5 / (z * s);
    }
  } else if (gLoss == LOSS_CAUCHY) {
    const t = 1 + z;
    rho0 = Math.log1p(z);
    rho1 = 1 / t;
    rho2 = -1 / (t * t);
  } else {
    const t = 1 + z * z;
    rho0 = Math.atan(z);
    rho1 = 1 / t;
    rho2 = (-2 * z) / (t * t);
  }
}

/** The scaled loss ρ_s(z) = C²ρ(z/C²) and its derivatives (loss.ts `scaled`). */
function rho(z: f64): void {
  if (gC2 == 1) {
    rawLoss(z);
    return;
  }
  rawLoss(z * gInvC2);
  rho0 *= gC2;
  rho2 *= gInvC2;
}

/** Scale the m rows of the column-major sub-block (p Jacobian columns, then r) for the loss; returns ½Σρ. */
function applyLoss(m: i32, colBytes: usize): f64 {
  const p = gp;
  const rcol = X + <usize>p * colBytes;
  let s = 0.0;
  for (let i = 0; i < m; i++) {
    const at = <usize>i << 3;
    const r = load<f64>(rcol + at);
    rho(r * r);
    s += rho0;
    const t = rho1 + 2 * rho2 * r * r;
    const scale = Math.sqrt(t < SCALE_FLOOR ? SCALE_FLOOR : t);
    for (let j = 0; j < p; j++) {
      const q = X + <usize>j * colBytes + at;
      store<f64>(q, load<f64>(q) * scale);
    }
    store<f64>(rcol + at, (r * rho1) / scale);
  }
  return 0.5 * s;
}

/**
 * Evaluate fit `rec` at the free parameters `x` (θ's held values already in the descriptor): the
 * triangle into {@link tTrial}, returns the cost ½Σρ(r²) (Neumaier-compensated over sub-blocks);
 * whether T is finite is told by {@link triangleFinite}.
 */
export function evaluate(rec: usize, x: usize): f64 {
  const p = gp;
  const c = gc;
  const n = <i32>ld(rec, R_N);
  for (let j = 0; j < p; j++) st(gDesc, ldi(gFree, j), ld(x, j));
  memory.fill(tTrial, 0, <usize>(c * c) << 3);
  const cols = gDesc + (<usize>gP << 3);
  const yBase = <usize>ld(rec, R_Y);
  const wBase = <usize>ld(rec, R_W);
  let cost = 0.0, comp = 0.0;
  let chi2 = 0.0;
  const cf = gP + 1;
  for (let s = 0; s < n; s += gSub) {
    const m = min(gSub, n - s);
    const ms = (m + 1) & ~1;
    const off = <usize>s << 3;
    for (let v = 0; v < gk; v++) store<u32>(cols + (<usize>v << 2), <u32>(<usize>ld(rec, R_X + v) + off));
    store<u32>(cols + (<usize>gk << 2), <u32>(yBase + off));
    store<u32>(cols + (<usize>(gk + 1) << 2), gHasW != 0 ? <u32>(wBase + off) : 0);
    const colBytes = <usize>ms << 3;
    let v: f64;
    if (!gHeld && gLoss == LOSS_LINEAR) {
      call_indirect<void>(gCols, gDesc, m, X, <i32>colBytes, gHasW, foldAcc);
      if (m < ms) for (let j = 0; j < c; j++) store<f64>(X + <usize>j * colBytes + (<usize>m << 3), 0);
      const ssq = load<f64>(foldAcc + (<usize>c << 3));
      foldColumns(tTrial, X, ms, c, foldTw, foldAcc, true);
      v = 0.5 * ssq;
    } else {
      call_indirect<void>(gCols, gDesc, m, X, <i32>colBytes, gHasW, accModel);
      if (m < ms) for (let j = 0; j < cf; j++) store<f64>(X + <usize>j * colBytes + (<usize>m << 3), 0);
      // Keep the free columns and the residual column, in order (free[j] ≥ j: copy downwards).
      if (gHeld) {
        for (let j = 0; j < c; j++) {
          const from = j < p ? ldi(gFree, j) : gP;
          if (from != j) memory.copy(X + <usize>j * colBytes, X + <usize>from * colBytes, colBytes);
        }
      }
      const ssq = load<f64>(accModel + (<usize>cf << 3));
      chi2 += ssq;
      v = gLoss == LOSS_LINEAR ? 0.5 * ssq : applyLoss(m, colBytes);
      foldColumns(tTrial, X, ms, c, foldTw, foldAcc, false);
    }
    const t = cost + v;
    if (Math.abs(cost) >= Math.abs(v)) comp += cost - t + v;
    else comp += v - t + cost;
    cost = t;
  }
  const total = cost + comp;
  lastChi2 = gLoss == LOSS_LINEAR ? 2 * total : chi2;
  return total;
}

/** True when every entry of the (p+1)² triangle at `T` is finite. */
export function triangleFinite(T: usize): bool {
  const cc = gc * gc;
  for (let q = 0; q < cc; q++) {
    const v = ld(T, q);
    if (!(v - v == 0)) return false;
  }
  return true;
}
