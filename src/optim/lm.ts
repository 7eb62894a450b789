/**
 * Levenberg–Marquardt — MINPACK's `lmder` (and `lmdif`'s counting), as SciPy's
 * `least_squares(method='lm')` and `leastsq`/`curve_fit(method='lm')` call it.
 *
 * Problem: minimize ½‖f(x)‖² (linear loss only, no bounds). Per outer iteration MINPACK factors
 * J·P = Q·R with column pivoting; here the folded triangle already gives J = Q₀R₀, so the pivoted
 * QR of the p×p R₀ gives the same R (R₀P = Q₁R ⇒ JP = (Q₀Q₁)R) and Qᵀf = Q₁ᵀz. The column norms
 * of J, which set the scaling D (mode 1: running maximum; mode 2: D = 1/xScale), are R₀'s. The
 * inner loop then follows `lmder` line by line: `lmpar` for the damping λ at radius Δ, the ratio of
 * actual to predicted reduction, Δ updates with factor 100 for the initial radius, and MINPACK's
 * tests:
 *
 * | MINPACK info | test                                                    | status        |
 * |--------------|---------------------------------------------------------|---------------|
 * | 1            | \|actred\| ≤ ftol, prered ≤ ftol, ratio ≤ 2              | `ftol` (2)    |
 * | 2            | Δ ≤ xtol·‖Dx‖                                           | `xtol` (3)    |
 * | 3            | both                                                    | `ftol-xtol` (4) |
 * | 4            | max_j \|cos(f, J_:j)\| ≤ gtol                            | `gtol` (1)    |
 * | 5            | nfev ≥ maxNfev                                          | `max-nfev` (0) |
 * | 6 / 7 / 8    | the same tests with ε: the tolerances are too small     | `ftol` / `xtol` / `gtol`, message says "too small" |
 *
 * SciPy's `least_squares` maps 1–5 exactly so (FROM_MINPACK_TO_COMMON) and makes 6–8 unreachable
 * by requiring every tolerance ≥ ε; `leastsq` (gtol = 0 by default) can return them, and
 * `curve_fit` then raises — the "too small" message lets the caller do the same.
 *
 * Counting: nfev = function evaluations (1 + trial points) plus `jacobianCostsNfev` per Jacobian
 * (MINPACK `lmdif` counts its p forward-difference calls), njev = Jacobian evaluations. `grad` and
 * `optimality` = ‖Jᵀf‖∞ are taken at the final x, as SciPy's `call_minpack` does; when the last
 * Jacobian was computed at an earlier point, one more uncounted Jacobian evaluation is requested
 * (SciPy's extra `jac(x)` call).
 *
 * @module
 */
import { ModelEvaluationError, NlsqRangeError } from '../errors.ts';
import type { Evaluation, ResidualProblem, SolverGenerator, SolverStatus } from './evaluation.ts';
import { lmpar } from './lmpar.ts';
import type { SolverOptions } from './solver-options.ts';
import { applyQrfacTranspose, enorm, EPS, normInf, qrfacPivoted } from '../linalg/small-linalg.ts';
import { checkInitialEvaluation, expectEvaluation, formatVector, iterationInfo, type Linearization, unpackTriangle } from './solver-common.ts';
import { gtolMessage, maxNfevMessage, stoppedMessage } from './termination.ts';
import { formatExponent as fmt } from '../util/format.ts';

/** MINPACK's step-bound factor (SciPy passes 100). */
const FACTOR = 100;

/** The pivoted factorization of one outer iteration. */
interface LmFactor {
  /** n×n column-major, upper triangle = R of J·P. */
  readonly r: Float64Array;
  readonly ipvt: Int32Array;
  readonly acnorm: Float64Array;
  readonly qtf: Float64Array;
}

function factorize(lin: Linearization, p: number): LmFactor {
  const r = new Float64Array(p * p);
  for (let i = 0; i < p; i++) for (let j = i; j < p; j++) r[i + j * p] = lin.R[i * p + j]!;
  const { ipvt, rdiag, acnorm } = qrfacPivoted(r, p, p);
  const qtf = Float64Array.from(lin.z);
  applyQrfacTranspose(r, p, p, rdiag, qtf);
  return { r, ipvt, acnorm, qtf };
}

/** MINPACK's scaled gradient norm max_j |(Rᵀ·Qᵀf)_j| / (‖f‖·‖J_:l‖). */
function scaledGradientNorm(fac: LmFactor, p: number, fnorm: number): number {
  let gnorm = 0;
  if (fnorm === 0) return 0;
  for (let j = 0; j < p; j++) {
    const l = fac.ipvt[j]!;
    if (fac.acnorm[l] === 0) continue;
    let sum = 0;
    for (let i = 0; i <= j; i++) sum += fac.r[i + j * p]! * (fac.qtf[i]! / fnorm);
    gnorm = Math.max(gnorm, Math.abs(sum / fac.acnorm[l]!));
  }
  return gnorm;
}

/** ‖R·Pᵀ·step‖ (the predicted linear residual change), MINPACK's wa3. */
function rTimesStep(fac: LmFactor, p: number, step: Float64Array): number {
  const wa3 = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    const temp = step[fac.ipvt[j]!]!;
    for (let i = 0; i <= j; i++) wa3[i] = wa3[i]! + fac.r[i + j * p]! * temp;
  }
  return enorm(wa3);
}

function weightedNorm(diag: Float64Array, v: Float64Array): number {
  const w = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) w[i] = diag[i]! * v[i]!;
  return enorm(w);
}

/**
 * MINPACK's step-bound update: ratio ≤ ¼ shrinks Δ by a factor in [0.1, 0.5] (from the
 * quadratic interpolation on the directional derivative) and raises λ accordingly; ratio ≥ ¾,
 * or λ = 0, sets Δ = 2‖Dp‖ and halves λ.
 */
function updateStepBound(
  ratio: number,
  actred: number,
  dirder: number,
  fnorm1: number,
  fnorm: number,
  pnorm: number,
  delta: number,
  par: number,
): { delta: number; par: number } {
  if (ratio <= 0.25) {
    let temp = actred >= 0 ? 0.5 : (0.5 * dirder) / (dirder + 0.5 * actred);
    if (0.1 * fnorm1 >= fnorm || temp < 0.1) temp = 0.1;
    return { delta: temp * Math.min(delta, pnorm / 0.1), par: par / temp };
  }
  if (par === 0 || ratio >= 0.75) return { delta: pnorm / 0.5, par: 0.5 * par };
  return { delta, par };
}

/** MINPACK's convergence tests after a trial step → info (0 = continue). */
function minpackInfo(
  actred: number,
  prered: number,
  ratio: number,
  delta: number,
  xnorm: number,
  gnorm: number,
  nfev: number,
  o: SolverOptions,
): number {
  const fOk = Math.abs(actred) <= o.ftol && prered <= o.ftol && 0.5 * ratio <= 1;
  const xOk = delta <= o.xtol * xnorm;
  if (fOk && xOk) return 3;
  if (xOk) return 2;
  if (fOk) return 1;
  if (nfev >= o.maxNfev) return 5;
  if (Math.abs(actred) <= EPS && prered <= EPS && 0.5 * ratio <= 1) return 6;
  if (delta <= EPS * xnorm) return 7;
  if (gnorm <= EPS) return 8;
  return 0;
}

/** The quantities MINPACK's tests compare, for the termination message. */
export interface LmTestNumbers {
  /** Scaled actual reduction 1 − (‖f_new‖/‖f‖)². */
  readonly actred: number;
  /** Scaled predicted reduction. */
  readonly prered: number;
  /** actred / prered. */
  readonly ratio: number;
  /** Step bound Δ. */
  readonly delta: number;
  /** ‖D x‖. */
  readonly xnorm: number;
  /** max_j |cos(f, J_:j)|. */
  readonly gnorm: number;
  /** Evaluations so far. */
  readonly nfev: number;
}

/**
 * Status and message for a MINPACK info code (1–8, see the module table).
 *
 * @param info - MINPACK's info.
 * @param t - the numbers the tests compared.
 * @param o - the options (tolerances, maxNfev).
 * @returns the status and a message with the numbers.
 */
export function lmTermination(info: number, t: LmTestNumbers, o: SolverOptions): { status: SolverStatus; message: string } {
  const fText = `|actred| = ${fmt(Math.abs(t.actred))} ≤ ftol = ${fmt(o.ftol)} and prered = ${fmt(t.prered)} ≤ ftol`;
  const xText = `Δ = ${fmt(t.delta)} ≤ xtol·‖Dx‖ = ${fmt(o.xtol * t.xnorm)}`;
  switch (info) {
    case 1:
      return { status: 'ftol', message: `\`ftol\` termination condition is satisfied: ${fText}` };
    case 2:
      return { status: 'xtol', message: `\`xtol\` termination condition is satisfied: ${xText}` };
    case 3:
      return { status: 'ftol-xtol', message: `Both \`ftol\` and \`xtol\` termination conditions are satisfied: ${fText}; ${xText}` };
    case 4:
      return { status: 'gtol', message: gtolMessage(t.gnorm, o.gtol, 'max |cos(f, J_:j)|').replace(' < ', ' ≤ ') };
    case 5:
      return { status: 'max-nfev', message: maxNfevMessage(t.nfev, o.maxNfev) };
    case 6:
      return { status: 'ftol', message: `\`ftol\` = ${fmt(o.ftol)} is too small: no further reduction in the sum of squares is possible (|actred| = ${fmt(Math.abs(t.actred))} ≤ ε)` };
    case 7:
      return { status: 'xtol', message: `\`xtol\` = ${fmt(o.xtol)} is too small: no further improvement in the approximate solution is possible (Δ = ${fmt(t.delta)} ≤ ε·‖Dx‖)` };
    default:
      return { status: 'gtol', message: `\`gtol\` = ${fmt(o.gtol)} is too small: f is orthogonal to the columns of the Jacobian to machine precision (max |cos| = ${fmt(t.gnorm)} ≤ ε)` };
  }
}

/**
 * The Levenberg–Marquardt solver generator (MINPACK `lmder` on the folded triangle).
 *
 * @param problem - p and whether the Jacobian is cheap (then it is requested at trial points).
 * @param options - resolved options (method 'lm'; bounds must be infinite, tolerances ≥ 0).
 * @returns the solver generator.
 * @throws NlsqRangeError when there are fewer residuals than parameters.
 * @throws ModelEvaluationError when the residuals or the Jacobian are not finite at x0, or the
 *   Jacobian is not finite at an accepted point.
 */
export function* lm(problem: Pick<ResidualProblem, 'p' | 'jacobianIsCheap'>, options: SolverOptions): SolverGenerator {
  const { p, jacobianIsCheap: cheap } = problem;
  const caller = options.caller ?? 'leastSquares';
  const jacCost = options.jacobianCostsNfev;
  let x: Float64Array = Float64Array.from(options.x0);
  const ev0 = expectEvaluation(yield { kind: 'evaluate', x: x.slice(), jacobian: true }, caller);
  let lin: Linearization | null = checkInitialEvaluation(ev0, x, p, caller);
  if (ev0.m < p) {
    throw new NlsqRangeError(`${caller}: method 'lm' needs at least as many residuals as parameters (${p}), got ${ev0.m}`, 'method');
  }
  let cost = ev0.cost;
  let nfev = 1 + jacCost;
  let njev = 1;
  let fnorm = Math.sqrt(2 * cost);
  const mode2 = options.xScale !== 'jac';
  const diag = mode2 ? Float64Array.from(options.xScale as Float64Array, (s) => 1 / s) : new Float64Array(p);
  let par = 0;
  let iter = 1;
  let delta = 0;
  let xnorm = 0;
  let info = 0;
  let last: LmTestNumbers = { actred: 0, prered: 0, ratio: 0, delta: 0, xnorm: 0, gnorm: 0, nfev };
  let fresh = false; // lin came with an accepted trial point and is not counted yet
  let stopped = false;
  let stepNorm = 0;
  outer: for (;;) {
    if (lin === null) {
      const evJ = expectEvaluation(yield { kind: 'evaluate', x: x.slice(), jacobian: true }, caller);
      lin = requireJacobian(evJ, x, p, caller);
      fresh = true;
    }
    if (fresh) {
      nfev += jacCost;
      njev += 1;
      fresh = false;
      const infoRec = iterationInfo(iter - 1, cost, x, normInf(lin.g), stepNorm, nfev);
      if ((yield { kind: 'iteration', info: infoRec }) === false) {
        stopped = true;
        break;
      }
    }
    const fac = factorize(lin, p);
    if (iter === 1) {
      if (!mode2) for (let j = 0; j < p; j++) diag[j] = fac.acnorm[j] === 0 ? 1 : fac.acnorm[j]!;
      xnorm = weightedNorm(diag, x);
      delta = FACTOR * xnorm;
      if (delta === 0) delta = FACTOR;
    }
    const gnorm = scaledGradientNorm(fac, p, fnorm);
    last = { ...last, gnorm };
    if (gnorm <= options.gtol) {
      info = 4;
      break;
    }
    if (!mode2) for (let j = 0; j < p; j++) diag[j] = Math.max(diag[j]!, fac.acnorm[j]!);
    for (;;) {
      const sol = lmpar(p, fac.r, fac.ipvt, diag, fac.qtf, delta, par);
      par = sol.par;
      const step = Float64Array.from(sol.x, (v) => -v);
      const xTrial = new Float64Array(p);
      for (let j = 0; j < p; j++) xTrial[j] = x[j]! + step[j]!;
      const pnorm = weightedNorm(diag, step);
      if (iter === 1) delta = Math.min(delta, pnorm);
      const ev = expectEvaluation(yield { kind: 'evaluate', x: xTrial.slice(), jacobian: cheap }, caller);
      nfev += 1;
      const fnorm1 = Math.sqrt(2 * ev.cost);
      const fr = fnorm1 / fnorm;
      const actred = 0.1 * fnorm1 < fnorm ? 1 - fr * fr : -1;
      const temp1 = rTimesStep(fac, p, step) / fnorm;
      const temp2 = (Math.sqrt(par) * pnorm) / fnorm;
      const prered = temp1 * temp1 + (temp2 * temp2) / 0.5;
      const dirder = -(temp1 * temp1 + temp2 * temp2);
      const ratio = prered !== 0 ? actred / prered : 0;
      ({ delta, par } = updateStepBound(ratio, actred, dirder, fnorm1, fnorm, pnorm, delta, par));
      if (ratio >= 1e-4) {
        x = xTrial;
        xnorm = weightedNorm(diag, x);
        fnorm = fnorm1;
        cost = ev.cost;
        stepNorm = enorm(step);
        iter += 1;
        lin = cheap ? requireJacobian(ev, x, p, caller) : null;
        fresh = cheap;
      }
      last = { actred, prered, ratio, delta, xnorm, gnorm, nfev };
      info = minpackInfo(actred, prered, ratio, delta, xnorm, gnorm, nfev, options);
      if (info !== 0) break outer;
      if (ratio >= 1e-4) break;
    }
  }
  let final: Linearization;
  if (lin === null) {
    // SciPy's call_minpack evaluates jac(x) once more for grad/optimality; not counted.
    const evJ = expectEvaluation(yield { kind: 'evaluate', x: x.slice(), jacobian: true }, caller);
    final = requireJacobian(evJ, x, p, caller);
  } else final = lin;
  const term = stopped ? { status: 'stopped' as const, message: stoppedMessage(iter - 1) } : lmTermination(info, last, options);
  return {
    x,
    cost,
    T: final.T,
    grad: final.g,
    optimality: normInf(final.g),
    activeMask: new Int8Array(p),
    status: term.status,
    message: term.message,
    nfev,
    njev,
    nit: iter - 1,
  };
}

function requireJacobian(ev: Evaluation, x: Float64Array, p: number, caller: string): Linearization {
  if (ev.T === null) {
    throw new ModelEvaluationError(`${caller}: the Jacobian must be finite at every accepted point, got non-finite entries at x = ${formatVector(x)}`, 'jac');
  }
  return unpackTriangle(ev.T, p);
}
