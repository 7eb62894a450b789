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
 * Two departures from MINPACK, both where it reports a success it did not reach:
 *
 * - **Non-finite trial points.** MINPACK rejects a trial point whose residuals are NaN/±∞ (the
 *   ratio test fails) but still runs its convergence tests, so a model that turns NaN mid-fit
 *   shrinks Δ until `xtol` passes and the fit "converges" where it stood. Here a trial point
 *   that is not finite — residuals, or the Jacobian at a point the ratio test would accept — is
 *   rejected with MINPACK's own step-bound update for a failed step, and satisfies no
 *   convergence test: the run goes on with a smaller Δ (like trf/dogbox, which shrink their
 *   radius) and, if nothing finite is found, ends at `maxNfev` with a message naming the
 *   non-finite evaluation (`nonFiniteTermination`).
 * - **Residuals whose squares underflow.** The evaluators report the cost ½‖f‖²; for data near
 *   1e-300 it is 0 while ‖f‖ is not, and every ratio MINPACK forms from ‖f‖ would be lost. Below
 *   `TINY_COST` (2⁻⁹⁶⁸), ‖f‖ is taken from the triangle instead (‖[z; ρ]‖ by a scaled norm, as
 *   MINPACK's `enorm` scales), and a problem whose Jacobian is not cheap is asked for it at the
 *   trial points too (counted in nfev/njev). This needs a fold that keeps such columns (the CPU
 *   backend's does). Above it nothing changes, bit for bit.
 *
 * Counting: nfev = function evaluations (1 + trial points) plus `jacobianCostsNfev` per Jacobian
 * (MINPACK `lmdif` counts its p forward-difference calls), njev = Jacobian evaluations. `grad` and
 * `optimality` = ‖Jᵀf‖∞ are those of the last linearization. The Jacobian at a point the ratio
 * test accepts is requested right after its evaluation (the point is accepted only if it is
 * finite) — except when accepting it ends the run (and no non-finite trial came before): then,
 * as in MINPACK, no Jacobian is computed there, T and grad stay those of the previous point
 * (`staleLinearization`; leastsq's `fjac`, from which `curve_fit` makes its covariance), and the
 * user's function is called exactly as often as leastsq calls it. `leastSquares` then reports
 * grad and optimality from the Jacobian at the solution, as SciPy's `call_minpack` does with its
 * extra, uncounted `jac(x)` call.
 *
 * @module
 */
import { NlsqRangeError } from '../errors.ts';
import type { Evaluation, ResidualProblem, SolverGenerator } from './evaluation.ts';
import { lmTermination, type LmTestNumbers, minpackInfo, type NonFiniteTrials, nonFiniteTermination } from './lm-termination.ts';
import { lmpar } from './lmpar.ts';
import type { SolverOptions } from './solver-options.ts';
import { applyQrfacTranspose, enorm, EPS, normInf, qrfacPivoted } from '../linalg/small-linalg.ts';
import { scaledNorm } from '../linalg/scaled-norm.ts';
import { checkInitialEvaluation, expectEvaluation, iterationInfo, type Linearization, unpackTriangle } from './solver-common.ts';
import { stoppedMessage } from './termination.ts';

/** MINPACK's step-bound factor (SciPy passes 100). */
const FACTOR = 100;

/**
 * Below this cost (2⁻⁹⁶⁸ ≈ 4e-292) ½Σfᵢ² has lost digits to underflow — the squares of residuals
 * under 2⁻⁵¹¹ are subnormal or 0 — so ‖f‖ is not √(2·cost). Above it, for any m < 2⁵⁰, the
 * subnormal squares change √(2·cost) by less than an ulp.
 */
const TINY_COST = 2 ** -968;

/**
 * ‖f‖ of an evaluation: √(2·cost); when the cost is below `TINY_COST` and the triangle
 * T = [R z; 0 ρ] came with it, ‖[z; ρ]‖ (= ‖f‖, since ‖f‖² = ‖z‖² + ρ²) by a scaled norm.
 */
function residualNorm(ev: Evaluation, p: number): number {
  if (ev.cost >= TINY_COST || ev.T === null || !(ev.cost >= 0)) return Math.sqrt(2 * ev.cost);
  return scaledNorm(ev.T, p, p + 1, p + 1);
}

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

/**
 * Whether accepting this trial point ends the run: MINPACK's tests (`minpackInfo`) with the step
 * bound and ‖D·x‖ the acceptance would leave. Used to skip the Jacobian at a point no iteration
 * will start from.
 */
function endsAtAcceptance(
  t: TrialAssessment,
  fnorm1: number,
  fnorm: number,
  pnorm: number,
  delta: number,
  par: number,
  xnorm: number,
  gnorm: number,
  nfev: number,
  options: SolverOptions,
): boolean {
  const next = updateStepBound(t.ratio, t.actred, t.dirder, fnorm1, fnorm, pnorm, delta, par);
  return minpackInfo(t.actred, t.prered, t.ratio, next.delta, xnorm, gnorm, nfev, options) !== 0;
}

/**
 * The Levenberg–Marquardt solver generator (MINPACK `lmder` on the folded triangle).
 *
 * @param problem - p and whether the Jacobian is cheap (then it is requested at trial points).
 * @param options - resolved options (method 'lm'; bounds must be infinite, tolerances ≥ 0).
 * @returns the solver generator.
 * @throws NlsqRangeError when there are fewer residuals than parameters.
 * @throws ModelEvaluationError when the residuals or the Jacobian are not finite at x0.
 */
export function* lm(problem: Pick<ResidualProblem, 'p' | 'jacobianIsCheap'>, options: SolverOptions): SolverGenerator {
  const { p, jacobianIsCheap: cheap } = problem;
  const caller = options.caller ?? 'leastSquares';
  const jacCost = options.jacobianCostsNfev;
  let x: Float64Array = Float64Array.from(options.x0);
  const ev0 = expectEvaluation(yield { kind: 'evaluate', x: x.slice(), jacobian: true }, caller);
  let lin: Linearization = checkInitialEvaluation(ev0, x, p, caller);
  if (ev0.m < p) {
    throw new NlsqRangeError(`${caller}: method 'lm' needs at least as many residuals as parameters (${p}), got ${ev0.m}`, 'method');
  }
  let cost = ev0.cost;
  let nfev = 1 + jacCost;
  let njev = 1;
  let fnorm = residualNorm(ev0, p);
  const mode2 = options.xScale !== 'jac';
  const diag = mode2 ? Float64Array.from(options.xScale as Float64Array, (s) => 1 / s) : new Float64Array(p);
  let par = 0;
  let iter = 1;
  let delta = 0;
  let xnorm = 0;
  let info = 0;
  let last: LmTestNumbers = { actred: 0, prered: 0, ratio: 0, delta: 0, xnorm: 0, gnorm: 0, nfev };
  let fresh = false; // lin came with an accepted trial point and is not reported yet
  let prepaid = false; // ... and its Jacobian was counted with the trial evaluation
  let stopped = false;
  let stepNorm = 0;
  let nonFinite: NonFiniteTrials | null = null; // the run of non-finite trial points up to the last one
  let nonFiniteRun = 0;
  let stale = false; // lin is from the point before x (the run ended on an accepted step without its Jacobian)
  outer: for (;;) {
    if (fresh) {
      if (!prepaid) {
        nfev += jacCost;
        njev += 1;
      }
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
      const step = new Float64Array(p);
      for (let j = 0; j < p; j++) step[j] = -sol.x[j]!;
      const xTrial = new Float64Array(p);
      for (let j = 0; j < p; j++) xTrial[j] = x[j]! + step[j]!;
      const pnorm = weightedNorm(diag, step);
      if (iter === 1) delta = Math.min(delta, pnorm);
      // Residuals too small to square: ‖f‖ must come from the triangle, so ask for it.
      const withJacobian = cheap || !(cost >= TINY_COST);
      const ev = expectEvaluation(yield { kind: 'evaluate', x: xTrial.slice(), jacobian: withJacobian }, caller);
      nfev += 1;
      if (withJacobian && !cheap) {
        nfev += jacCost;
        njev += 1;
      }
      let fnorm1 = residualNorm(ev, p);
      let bad: NonFiniteTrials['what'] | null = Number.isFinite(fnorm1) ? null : 'residuals';
      let t = assessTrial(fac, p, step, par, pnorm, fnorm, fnorm1);
      let accepted: Linearization | null = null;
      let acceptedStale = false;
      if (t.ratio >= 1e-4) {
        // MINPACK accepts here; the Jacobian at the new point must be finite for that.
        let T = ev.T;
        if (!withJacobian && nonFinite === null && Number.isFinite(fnorm1) && endsAtAcceptance(t, fnorm1, fnorm, pnorm, delta, par, weightedNorm(diag, xTrial), gnorm, nfev, options)) {
          // The run ends on this point: MINPACK takes it without a Jacobian there (that Jacobian
          // would be the next outer iteration's), so none is asked for — the user's function is
          // called no more often than leastsq calls it. T stays the last one computed, as
          // leastsq's fjac (what curve_fit's covariance is made from). Not after non-finite
          // trials: a run that shrank Δ on them must see a finite Jacobian before it may end.
          acceptedStale = true;
        } else if (!withJacobian) {
          T = expectEvaluation(yield { kind: 'evaluate', x: xTrial.slice(), jacobian: true }, caller).T;
          if (T === null) {
            nfev += jacCost;
            njev += 1;
          }
        }
        if (acceptedStale) accepted = lin;
        else if (T === null) {
          bad = 'Jacobian';
          fnorm1 = NaN; // rejected like a trial point with non-finite residuals
          t = assessTrial(fac, p, step, par, pnorm, fnorm, fnorm1);
        } else accepted = unpackTriangle(T, p);
      }
      ({ delta, par } = updateStepBound(t.ratio, t.actred, t.dirder, fnorm1, fnorm, pnorm, delta, par));
      if (accepted !== null) {
        stale = acceptedStale;
        x = xTrial;
        xnorm = weightedNorm(diag, x);
        fnorm = fnorm1;
        cost = ev.cost;
        stepNorm = enorm(step);
        iter += 1;
        lin = accepted;
        fresh = true;
        prepaid = withJacobian && !cheap;
      }
      last = { actred: t.actred, prered: t.prered, ratio: t.ratio, delta, xnorm, gnorm, nfev };
      if (bad === null) {
        nonFinite = null;
        nonFiniteRun = 0;
        info = minpackInfo(t.actred, t.prered, t.ratio, delta, xnorm, gnorm, nfev, options);
      } else {
        // No test can pass: keep Δ where the step still moves x (MINPACK's own floor, test 7),
        // so that the run goes on probing near x instead of letting Δ underflow.
        delta = Math.max(delta, EPS * (xnorm > 0 ? xnorm : 1));
        nonFiniteRun += 1;
        nonFinite = { count: nonFiniteRun, what: bad, cost: ev.cost, x: xTrial };
        info = nfev >= options.maxNfev ? 5 : 0;
      }
      if (info !== 0) break outer;
      if (accepted !== null) break;
    }
  }
  const term = stopped
    ? { status: 'stopped' as const, message: stoppedMessage(iter - 1) }
    : info === 5 && nonFinite !== null
      ? nonFiniteTermination(nfev, options, nonFinite)
      : lmTermination(info, last, options);
  return {
    x,
    cost,
    T: lin.T,
    grad: lin.g,
    optimality: normInf(lin.g),
    activeMask: new Int8Array(p),
    status: term.status,
    message: term.message,
    nfev,
    njev,
    nit: iter - 1,
    ...(stale ? { staleLinearization: true } : {}),
  };
}

/** MINPACK's measures of a trial step (`lmder` after the evaluation at x + step). */
interface TrialAssessment {
  /** Scaled actual reduction 1 − (‖f₁‖/‖f‖)², or −1 when ‖f₁‖ ≥ 10‖f‖ or is not finite. */
  readonly actred: number;
  /** Scaled predicted reduction. */
  readonly prered: number;
  /** Scaled directional derivative. */
  readonly dirder: number;
  /** actred / prered (0 when prered = 0). */
  readonly ratio: number;
}

function assessTrial(fac: LmFactor, p: number, step: Float64Array, par: number, pnorm: number, fnorm: number, fnorm1: number): TrialAssessment {
  const fr = fnorm1 / fnorm;
  const actred = 0.1 * fnorm1 < fnorm ? 1 - fr * fr : -1;
  const temp1 = rTimesStep(fac, p, step) / fnorm;
  const temp2 = (Math.sqrt(par) * pnorm) / fnorm;
  const prered = temp1 * temp1 + (temp2 * temp2) / 0.5;
  const dirder = -(temp1 * temp1 + temp2 * temp2);
  return { actred, prered, dirder, ratio: prered !== 0 ? actred / prered : 0 };
}
