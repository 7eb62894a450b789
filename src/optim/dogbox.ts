/**
 * Dogleg with a rectangular trust region — SciPy's `least_squares(method='dogbox',
 * tr_solver='exact')`.
 *
 * Problem: minimize C(x) = ½ Σ ρ(f_i(x)²) subject to lb ≤ x ≤ ub. The trust region is the box
 * |x_i − x_i⁰| ≤ Δ·scale_i intersected with the bounds (Voglis & Lagaris, "A rectangular trust
 * region dogleg approach for unconstrained and bound constrained nonlinear optimization",
 * WSEAS 2004). Variables on a bound whose gradient pushes outward are frozen (the *active set*,
 * on_bound·g < 0); on the free ones the Gauss–Newton step is the minimum-norm least-squares
 * solution of J_free·s = −f, here of R_free·s = −z (J = QR, so ‖J_free s + f‖² = ‖R_free s + z‖² +
 * ρ²), and the dogleg path from the constrained Cauchy point towards it is cut at the box.
 *
 * Counting and outputs follow SciPy: nfev = 1 + trial points, njev = 1 + accepted steps,
 * `optimality` = ‖g_free‖∞, `grad` the full gradient, `activeMask` the final on_bound flags.
 *
 * @module
 */
import { inBounds, stepSizeToBound } from './bounds.ts';
import type { ResidualProblem, SolverGenerator, SolverStatus } from './evaluation.ts';
import type { SolverOptions } from './solver-options.ts';
import { lstsqMinNorm, norm2, normInf } from '../linalg/small-linalg.ts';
import { checkInitialEvaluation, expectEvaluation, iterationInfo, type Linearization, unpackTriangle } from './solver-common.ts';
import { checkTermination, gtolMessage, maxNfevMessage, stoppedMessage } from './termination.ts';
import { computeJacScale, fixedScale } from './scaling.ts';
import { buildQuadratic1d, type DenseMatrix, evaluateQuadratic, minimizeQuadratic1d, updateTrRadius } from './trust-region.ts';

/** Result of {@link doglegStep}. */
export interface DoglegResult {
  /** The step on the free variables. */
  readonly step: Float64Array;
  /** Per free variable: −1/1 when the step lands on the lower/upper bound, else 0. */
  readonly boundHits: Int8Array;
  /** Whether the step reached the trust-region box. */
  readonly trHit: boolean;
}

/**
 * The dogleg step in the box [max(lb − x, −Δ_i), min(ub − x, Δ_i)] (SciPy dogbox
 * `dogleg_step` with `find_intersection`): the Newton step if it fits; otherwise from the
 * Cauchy point (the minimizer of a t² + b t along −g within the box) towards the Newton step
 * until the box is hit.
 *
 * @param x - free variables.
 * @param newtonStep - Gauss–Newton step on the free variables.
 * @param g - free gradient.
 * @param a - quadratic coefficient along −g.
 * @param b - linear coefficient along −g.
 * @param trBounds - Δ·scale on the free variables.
 * @param lb - lower bounds of the free variables.
 * @param ub - upper bounds of the free variables.
 * @returns the step, the bound hits and whether the trust region was hit.
 */
export function doglegStep(
  x: Float64Array,
  newtonStep: Float64Array,
  g: Float64Array,
  a: number,
  b: number,
  trBounds: Float64Array,
  lb: Float64Array,
  ub: Float64Array,
): DoglegResult {
  const n = x.length;
  const lbTotal = new Float64Array(n);
  const ubTotal = new Float64Array(n);
  const origL = new Uint8Array(n);
  const origU = new Uint8Array(n);
  const trL = new Uint8Array(n);
  const trU = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const lc = lb[i]! - x[i]!;
    const uc = ub[i]! - x[i]!;
    lbTotal[i] = Math.max(lc, -trBounds[i]!);
    ubTotal[i] = Math.min(uc, trBounds[i]!);
    origL[i] = lbTotal[i] === lc ? 1 : 0;
    origU[i] = ubTotal[i] === uc ? 1 : 0;
    trL[i] = lbTotal[i] === -trBounds[i]! ? 1 : 0;
    trU[i] = ubTotal[i] === trBounds[i]! ? 1 : 0;
  }
  const boundHits = new Int8Array(n);
  if (inBounds(newtonStep, lbTotal, ubTotal)) return { step: newtonStep, boundHits, trHit: false };
  const minusG = Float64Array.from(g, (v) => -v);
  const toBounds = stepSizeToBound(new Float64Array(n), minusG, lbTotal, ubTotal).step;
  const tCauchy = minimizeQuadratic1d(a, b, 0, toBounds).t;
  const cauchy = Float64Array.from(g, (v) => -tCauchy * v);
  const diff = new Float64Array(n);
  for (let i = 0; i < n; i++) diff[i] = newtonStep[i]! - cauchy[i]!;
  const { step: size, hits } = stepSizeToBound(cauchy, diff, lbTotal, ubTotal);
  let trHit = false;
  for (let i = 0; i < n; i++) {
    if (hits[i]! < 0 && origL[i]) boundHits[i] = -1;
    if (hits[i]! > 0 && origU[i]) boundHits[i] = 1;
    if ((hits[i]! < 0 && trL[i]) || (hits[i]! > 0 && trU[i])) trHit = true;
  }
  const step = new Float64Array(n);
  for (let i = 0; i < n; i++) step[i] = cauchy[i]! + size * diff[i]!;
  return { step, boundHits, trHit };
}

/** The free-variable model of one outer iteration: J_free as R's free columns. */
interface FreeModel {
  readonly free: Int32Array;
  readonly Jfree: DenseMatrix;
  readonly gFree: Float64Array;
  readonly newton: Float64Array;
  readonly a: number;
  readonly b: number;
}

function freeModel(lin: Linearization, p: number, activeSet: Uint8Array): FreeModel {
  const freeList: number[] = [];
  for (let j = 0; j < p; j++) if (!activeSet[j]) freeList.push(j);
  const free = Int32Array.from(freeList);
  const k = free.length;
  const data = new Float64Array(p * k);
  for (let i = 0; i < p; i++) for (let c = 0; c < k; c++) data[i * k + c] = lin.R[i * p + free[c]!]!;
  const Jfree: DenseMatrix = { rows: p, cols: k, data };
  const gFree = Float64Array.from(free, (j) => lin.g[j]!);
  const minusZ = Float64Array.from(lin.z, (v) => -v);
  const newton = lstsqMinNorm(data, p, k, minusZ);
  const { a, b } = buildQuadratic1d(Jfree, gFree, Float64Array.from(gFree, (v) => -v));
  return { free, Jfree, gFree, newton, a, b };
}

function pick(src: Float64Array, idx: Int32Array): Float64Array {
  return Float64Array.from(idx, (j) => src[j]!);
}

/**
 * One trial step: the dogleg step on the free variables in the box Δ·scale ∩ bounds, scattered
 * back to all p variables (zeros on the active ones), with its predicted reduction.
 */
function proposeDogleg(
  x: Float64Array,
  model: FreeModel,
  Delta: number,
  scale: Float64Array,
  lb: Float64Array,
  ub: Float64Array,
): { step: Float64Array; predicted: number; trHit: boolean; boundHits: Int8Array } {
  const { free } = model;
  const trBounds = Float64Array.from(free, (j) => Delta * scale[j]!);
  const dl = doglegStep(pick(x, free), model.newton, model.gFree, model.a, model.b, trBounds, pick(lb, free), pick(ub, free));
  const step = new Float64Array(x.length);
  for (let c = 0; c < free.length; c++) step[free[c]!] = dl.step[c]!;
  const predicted = -evaluateQuadratic(model.Jfree, model.gFree, dl.step);
  return { step, predicted, trHit: dl.trHit, boundHits: dl.boundHits };
}

/**
 * The dogbox solver generator (SciPy `dogbox`, exact trust-region solver).
 *
 * @param problem - p and whether the Jacobian is cheap (then it is requested at trial points).
 * @param options - resolved options (method 'dogbox').
 * @returns the solver generator.
 * @throws ModelEvaluationError when the residuals or the Jacobian are not finite at x0.
 */
export function* dogbox(problem: Pick<ResidualProblem, 'p' | 'jacobianIsCheap'>, options: SolverOptions): SolverGenerator {
  const { p, jacobianIsCheap: cheap } = problem;
  const { lb, ub, ftol, xtol, gtol, maxNfev } = options;
  const caller = options.caller ?? 'leastSquares';
  let x: Float64Array = Float64Array.from(options.x0);
  const ev0 = expectEvaluation(yield { kind: 'evaluate', x: x.slice(), jacobian: true }, caller);
  let lin = checkInitialEvaluation(ev0, x, p, caller);
  let cost = ev0.cost;
  let nfev = 1;
  let njev = 1;
  const jacScale = options.xScale === 'jac';
  let { scale, scaleInv } = jacScale ? computeJacScale(lin.colNorms) : fixedScale(options.xScale as Float64Array);
  let Delta = 0;
  for (let i = 0; i < p; i++) Delta = Math.max(Delta, Math.abs(x[i]! * scaleInv[i]!));
  if (Delta === 0) Delta = 1;
  const onBound = new Int8Array(p);
  for (let i = 0; i < p; i++) onBound[i] = x[i] === lb[i] ? -1 : x[i] === ub[i] ? 1 : 0;
  let status: SolverStatus | null = null;
  let message = '';
  let iteration = 0;
  let gNorm = 0;
  for (;;) {
    const activeSet = new Uint8Array(p);
    const gMasked = Float64Array.from(lin.g);
    for (let i = 0; i < p; i++) {
      activeSet[i] = onBound[i]! * lin.g[i]! < 0 ? 1 : 0;
      if (activeSet[i]) gMasked[i] = 0;
    }
    gNorm = normInf(gMasked);
    if (gNorm < gtol) {
      status = 'gtol';
      message = gtolMessage(gNorm, gtol, '‖g_free‖∞');
    }
    if (status !== null || nfev === maxNfev) break;
    const model = freeModel(lin, p, activeSet);
    let actualReduction = -1;
    let stepNorm = 0;
    let xNew = x;
    let costNew = cost;
    let trialT: Float64Array | null = null;
    let onBoundFree: Int8Array = new Int8Array(0);
    let stepHNorm = 0;
    while (actualReduction <= 0 && nfev < maxNfev) {
      const { step, predicted, trHit, boundHits } = proposeDogleg(x, model, Delta, scale, lb, ub);
      onBoundFree = boundHits;
      xNew = new Float64Array(p);
      for (let i = 0; i < p; i++) xNew[i] = Math.min(Math.max(x[i]! + step[i]!, lb[i]!), ub[i]!);
      const ev = expectEvaluation(yield { kind: 'evaluate', x: xNew.slice(), jacobian: cheap }, caller);
      nfev += 1;
      stepHNorm = 0;
      for (let i = 0; i < p; i++) stepHNorm = Math.max(stepHNorm, Math.abs(step[i]! * scaleInv[i]!));
      if (!Number.isFinite(ev.cost) || (cheap && ev.T === null)) {
        Delta = 0.25 * stepHNorm;
        continue;
      }
      costNew = ev.cost;
      trialT = cheap ? ev.T : null;
      actualReduction = cost - costNew;
      const upd = updateTrRadius(Delta, actualReduction, predicted, stepHNorm, trHit);
      Delta = upd.Delta;
      stepNorm = norm2(step);
      const test = checkTermination(actualReduction, cost, stepNorm, norm2(x), upd.ratio, ftol, xtol);
      if (test.status !== null) {
        status = test.status;
        message = test.message;
        break;
      }
    }
    if (actualReduction > 0) {
      let T = trialT;
      if (T === null) T = expectEvaluation(yield { kind: 'evaluate', x: snapToBounds(xNew, onBound, onBoundFree, model.free, lb, ub, true), jacobian: true }, caller).T;
      njev += 1;
      if (T === null) {
        status = null;
        stepNorm = 0;
        Delta = 0.25 * stepHNorm; // as for a non-finite trial point
      } else {
        x = snapToBounds(xNew, onBound, onBoundFree, model.free, lb, ub, false);
        cost = costNew;
        lin = unpackTriangle(T, p);
        if (jacScale) ({ scale, scaleInv } = computeJacScale(lin.colNorms, scaleInv));
      }
    } else stepNorm = 0;
    iteration += 1;
    const info = iterationInfo(iteration, cost, x, freeGradientNorm(onBound, lin.g), stepNorm, nfev);
    if ((yield { kind: 'iteration', info }) === false) {
      status = 'stopped';
      message = stoppedMessage(iteration);
      break;
    }
  }
  if (status === null) {
    status = 'max-nfev';
    message = maxNfevMessage(nfev, maxNfev);
  }
  const activeMask = Int8Array.from(onBound);
  return { x, cost, T: lin.T, grad: lin.g, optimality: gNorm, activeMask, status, message, nfev, njev, nit: iteration };
}

/**
 * Commit the bound flags of an accepted step and put flagged variables exactly on their bound
 * (SciPy: `x[on_bound == -1] = lb`, ...). With `dryRun` the flags are not committed (used to
 * compute the point at which the Jacobian is requested).
 */
function snapToBounds(
  xNew: Float64Array,
  onBound: Int8Array,
  onBoundFree: Int8Array,
  free: Int32Array,
  lb: Float64Array,
  ub: Float64Array,
  dryRun: boolean,
): Float64Array {
  const flags: Int8Array = dryRun ? Int8Array.from(onBound) : onBound;
  for (let c = 0; c < free.length; c++) flags[free[c]!] = onBoundFree[c]!;
  const x = Float64Array.from(xNew);
  for (let i = 0; i < x.length; i++) {
    if (flags[i] === -1) x[i] = lb[i]!;
    else if (flags[i] === 1) x[i] = ub[i]!;
  }
  return x;
}

/** ‖g‖∞ over the free variables (on_bound·g ≥ 0). */
function freeGradientNorm(onBound: Int8Array, g: Float64Array): number {
  let s = 0;
  for (let i = 0; i < g.length; i++) if (!(onBound[i]! * g[i]! < 0)) s = Math.max(s, Math.abs(g[i]!));
  return s;
}
