/**
 * The termination of `lm`: MINPACK's tests after a trial step and the status and message for
 * each MINPACK `info` code (see the table in `lm.ts`), plus the failure `lm` reports when its
 * trial points stopped being finite — which MINPACK (and so SciPy) reports as convergence.
 *
 * @module
 */
import type { SolverOptions } from './solver-options.ts';
import type { SolverStatus } from './evaluation.ts';
import { formatVector } from './solver-common.ts';
import { EPS } from '../linalg/small-linalg.ts';
import { gtolMessage, maxNfevMessage } from './termination.ts';
import { formatExponent as fmt } from '../util/format.ts';

/**
 * MINPACK's convergence tests after a trial step (`lmder`'s tests, in its order).
 *
 * @param actred - scaled actual reduction.
 * @param prered - scaled predicted reduction.
 * @param ratio - actred / prered.
 * @param delta - the step bound Δ after its update.
 * @param xnorm - ‖Dx‖.
 * @param gnorm - max_j |cos(f, J_:j)|.
 * @param nfev - evaluations so far.
 * @param o - tolerances and maxNfev.
 * @returns MINPACK's info: 1–8 (see the module table of `lm.ts`), 0 to continue.
 */
export function minpackInfo(
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

/** The ftol test's numbers, for the message. */
function fText(t: LmTestNumbers, o: SolverOptions): string {
  return `|actred| = ${fmt(Math.abs(t.actred))} ≤ ftol = ${fmt(o.ftol)} and prered = ${fmt(t.prered)} ≤ ftol`;
}

/** The xtol test's numbers, for the message. */
function xText(t: LmTestNumbers, o: SolverOptions): string {
  return `Δ = ${fmt(t.delta)} ≤ xtol·‖Dx‖ = ${fmt(o.xtol * t.xnorm)}`;
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
  // Each text is built only where its case needs it.
  switch (info) {
    case 1:
      return { status: 'ftol', message: `\`ftol\` termination condition is satisfied: ${fText(t, o)}` };
    case 2:
      return { status: 'xtol', message: `\`xtol\` termination condition is satisfied: ${xText(t, o)}` };
    case 3:
      return { status: 'ftol-xtol', message: `Both \`ftol\` and \`xtol\` termination conditions are satisfied: ${fText(t, o)}; ${xText(t, o)}` };
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

/** The trial points that were not finite at the end of an `lm` run. */
export interface NonFiniteTrials {
  /** How many trial evaluations in a row, up to the last, were not finite. */
  readonly count: number;
  /** What was not finite at the last one: `'residuals'` (its cost) or `'Jacobian'`. */
  readonly what: 'residuals' | 'Jacobian';
  /** The cost reported there (NaN or ±∞ for the residuals; finite when only the Jacobian was not). */
  readonly cost: number;
  /** The last such trial point. */
  readonly x: Float64Array;
}

/**
 * The failure `lm` reports when it ran out of evaluations while its trial points were not
 * finite: MINPACK would have let Δ shrink until the `xtol` test passed and reported success at
 * the last finite point; here, as in trf and dogbox, a non-finite trial point never satisfies a
 * convergence test, so the run ends at `maxNfev` with this message naming the evaluation.
 *
 * @param nfev - evaluations done.
 * @param o - the options (maxNfev).
 * @param bad - the non-finite trial points.
 * @returns status `'max-nfev'` (SciPy code 0, not a success) and the message.
 */
export function nonFiniteTermination(nfev: number, o: SolverOptions, bad: NonFiniteTrials): { status: SolverStatus; message: string } {
  const what = bad.what === 'residuals' ? `the residuals (cost ${bad.cost})` : 'the Jacobian';
  const trials = bad.count === 1 ? 'the last trial evaluation was' : `the last ${bad.count} trial evaluations were`;
  return {
    status: 'max-nfev',
    message: `${maxNfevMessage(nfev, o.maxNfev)}; ${trials} not finite (the last: ${what} at x = ${formatVector(bad.x)})`,
  };
}
