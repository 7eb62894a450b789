/**
 * The trust-region loop that `trf` and `dogbox` share: evaluate a trial point, accept or reject
 * it, update the radius, test for termination, report progress. The method contributes only its
 * steps — a small {@link MinimizerSteps} object — in the manner of Ceres Solver's split between
 * `TrustRegionMinimizer` (trust_region_minimizer.cc) and its step-computing strategy.
 *
 * One outer iteration at the point x with linearization (R, z, g) and radius Δ, as SciPy's
 * `trf` and `dogbox` write it:
 *
 * ```
 *   model = steps.linearize(x);  stop if model.optimality < gtol, or nfev = maxNfev
 *   repeat while actual ≤ 0 and nfev < maxNfev:
 *     s = model.compute(Δ);  F_new = cost(x + s);  nfev += 1
 *     F_new not finite            ⇒ Δ = ¼‖s‖_tr, try again
 *     actual = F − F_new,  ρ = actual / predicted(s)
 *     ρ < ¼ ⇒ Δ = ¼‖s‖_tr;  ρ > ¾ and s reached the boundary ⇒ Δ = 2Δ      (update_tr_radius)
 *     stop on ftol (actual < ftol·F, ρ > ¼) or xtol (‖s‖ < xtol·(xtol + ‖x‖))  (check_termination)
 *   actual > 0 ⇒ x = x + s, new Jacobian (njev += 1), new scaling for x_scale = 'jac'
 *                (a non-finite Jacobian there rejects the step instead: Δ = ¼‖s‖_tr)
 * ```
 *
 * The loop is a generator in the protocol of `evaluation.ts`: it yields `evaluate` requests
 * (with the Jacobian at every trial point when it is cheap, otherwise only after acceptance) and
 * one `iteration` request per outer iteration, whose `false` reply stops the fit. Counting is
 * SciPy's: nfev = 1 + trial points, njev = 1 + accepted steps.
 *
 * @module
 */
import type { ResidualProblem, SolverGenerator, SolverStatus } from './evaluation.ts';
import { initialScale, updateScale, type VariableScale } from './scaling.ts';
import type { SolverOptions } from './solver-options.ts';
import { norm2 } from '../linalg/small-linalg.ts';
import { checkInitialEvaluation, expectEvaluation, iterationInfo, type Linearization, unpackTriangle } from './solver-common.ts';
import { checkTermination, gtolMessage, maxNfevMessage, stoppedMessage } from './termination.ts';
import { updateTrRadius } from './trust-region.ts';

/** The current iterate as the steps see it. */
export interface LinearizedPoint {
  /** The point x. */
  readonly x: Float64Array;
  /** The linearization at x (R, z = Qᵀf, g = Jᵀf). */
  readonly lin: Linearization;
  /** The variable scaling at x. */
  readonly scale: VariableScale;
}

/** One trial step proposed by {@link MinimizerSteps.compute}. */
export interface TrialStep {
  /** The step s in the original variables; ‖s‖₂ enters the xtol test and the progress record. */
  readonly step: Float64Array;
  /** The trial point to evaluate (x + s, possibly pushed into or onto the bounds). */
  readonly xTrial: Float64Array;
  /** The point x moves to when the trial is accepted (the Jacobian is requested there). */
  readonly xNext: Float64Array;
  /** ‖s‖ in the norm of the trust region (scaled variables). */
  readonly norm: number;
  /** The model's predicted cost reduction −q(s). */
  readonly predicted: number;
  /** Whether the step reached the trust-region boundary (Δ doubles on a very good ratio). */
  readonly boundaryHit: boolean;
}

/** The method's local model at one iterate, from {@link MinimizerSteps.linearize}. */
export interface LocalModel<T extends TrialStep = TrialStep> {
  /** The method's first-order optimality at the iterate (compared with gtol, reported). */
  readonly optimality: number;
  /** A trial step from the iterate for the radius Δ. */
  compute(Delta: number): T;
}

/**
 * What a trust-region method supplies to {@link trustRegionMinimizer}: how to start, its local
 * model at each iterate (optimality and steps), and what to remember on acceptance.
 */
export interface MinimizerSteps<T extends TrialStep = TrialStep> {
  /** The name of the optimality measure in the gtol message, e.g. `'‖g∘v‖∞'`. */
  readonly measure: string;
  /**
   * Initialise at the starting point and return the initial radius Δ₀ > 0.
   *
   * @param at - x0, its linearization and scaling.
   * @param m - number of residuals.
   */
  start(at: LinearizedPoint, m: number): number;
  /** The local model at an iterate (x0, then each accepted point); its work may be deferred to the first step. */
  linearize(at: LinearizedPoint): LocalModel<T>;
  /**
   * Called when Δ changes after a finite trial that did not end the fit (trf rescales its
   * Levenberg–Marquardt parameter by from/to). Optional.
   */
  radiusChanged?(from: number, to: number): void;
  /** The trial was accepted: commit what it changed besides x (dogbox's bound flags). Optional. */
  accept?(trial: T): void;
  /** Per parameter at the solution x: 0 free, −1 at the lower bound, 1 at the upper bound. */
  activeMask(x: Float64Array): Int8Array;
}

/**
 * The shared trust-region loop (see the module comment) as a solver generator.
 *
 * @param problem - p and whether the Jacobian is cheap (then it is requested at trial points).
 * @param options - resolved options; `x0` is used as given (trf passes it strictly feasible).
 * @param steps - the method's steps.
 * @returns the solver generator.
 * @throws ModelEvaluationError when the residuals or the Jacobian are not finite at x0.
 */
export function* trustRegionMinimizer<T extends TrialStep>(
  problem: Pick<ResidualProblem, 'p' | 'jacobianIsCheap'>,
  options: SolverOptions,
  steps: MinimizerSteps<T>,
): SolverGenerator {
  const { p, jacobianIsCheap: cheap } = problem;
  const { ftol, xtol, gtol, maxNfev, xScale } = options;
  const caller = options.caller ?? 'leastSquares';
  let x: Float64Array = Float64Array.from(options.x0);
  const ev0 = expectEvaluation(yield { kind: 'evaluate', x: x.slice(), jacobian: true }, caller);
  let lin = checkInitialEvaluation(ev0, x, p, caller);
  let cost = ev0.cost;
  let nfev = 1;
  let njev = 1;
  let scale = initialScale(xScale, lin.colNorms);
  let Delta = steps.start({ x, lin, scale }, ev0.m);
  let model = steps.linearize({ x, lin, scale });
  let gNorm = model.optimality;
  let status: SolverStatus | null = null;
  let message = '';
  let iteration = 0;
  for (;;) {
    gNorm = model.optimality;
    if (gNorm < gtol) {
      status = 'gtol';
      message = gtolMessage(gNorm, gtol, steps.measure);
    }
    if (status !== null || nfev === maxNfev) break;
    let actualReduction = -1;
    let stepNorm = 0;
    let trial: T | null = null;
    let costNew = cost;
    let trialT: Float64Array | null = null;
    while (actualReduction <= 0 && nfev < maxNfev) {
      trial = model.compute(Delta);
      const ev = expectEvaluation(yield { kind: 'evaluate', x: trial.xTrial.slice(), jacobian: cheap }, caller);
      nfev += 1;
      if (!Number.isFinite(ev.cost) || (cheap && ev.T === null)) {
        Delta = 0.25 * trial.norm;
        continue;
      }
      costNew = ev.cost;
      trialT = cheap ? ev.T : null;
      actualReduction = cost - costNew;
      const upd = updateTrRadius(Delta, actualReduction, trial.predicted, trial.norm, trial.boundaryHit);
      stepNorm = norm2(trial.step);
      const test = checkTermination(actualReduction, cost, stepNorm, norm2(x), upd.ratio, ftol, xtol);
      if (test.status !== null) {
        status = test.status;
        message = test.message;
        break;
      }
      steps.radiusChanged?.(Delta, upd.Delta);
      Delta = upd.Delta;
    }
    if (actualReduction > 0 && trial !== null) {
      let T = trialT;
      if (T === null) T = expectEvaluation(yield { kind: 'evaluate', x: trial.xNext.slice(), jacobian: true }, caller).T;
      njev += 1;
      if (T === null) {
        // Non-finite Jacobian at the new point: reject the step like a non-finite trial point.
        Delta = 0.25 * trial.norm;
        status = null;
        stepNorm = 0;
      } else {
        steps.accept?.(trial);
        x = trial.xNext;
        cost = costNew;
        lin = unpackTriangle(T, p);
        scale = updateScale(xScale, scale, lin.colNorms);
        model = steps.linearize({ x, lin, scale });
      }
    } else stepNorm = 0;
    iteration += 1;
    if ((yield { kind: 'iteration', info: iterationInfo(iteration, cost, x, model.optimality, stepNorm, nfev) }) === false) {
      status = 'stopped';
      message = stoppedMessage(iteration);
      break;
    }
  }
  if (status === null) {
    status = 'max-nfev';
    message = maxNfevMessage(nfev, maxNfev);
  }
  return {
    x,
    cost,
    T: lin.T,
    grad: lin.g,
    optimality: gNorm,
    activeMask: steps.activeMask(x),
    status,
    message,
    nfev,
    njev,
    nit: iteration,
  };
}
