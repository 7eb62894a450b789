/**
 * Termination tests and messages shared by the solvers.
 *
 * Status codes and message openings are SciPy's `least_squares` TERMINATION_MESSAGES; each
 * message then states the numbers that triggered it, e.g.
 * "`xtol` termination condition is satisfied: ‖dx‖ = 3.1e-10 < xtol·(xtol + ‖x‖) = 4.0e-9".
 *
 * @module
 */
import { formatExponent } from '../util/format.ts';


/** The numbers of one trust-region termination test (SciPy `check_termination`). */
export interface TerminationTest {
  /** The status, or null when neither test holds. */
  readonly status: 'ftol' | 'xtol' | 'ftol-xtol' | null;
  /** The message with the numbers ('' when status is null). */
  readonly message: string;
}

/**
 * SciPy's `check_termination` for trf/dogbox: ftol holds when dF < ftol·F and ratio > ¼;
 * xtol holds when ‖dx‖ < xtol·(xtol + ‖x‖).
 *
 * @param dF - actual cost reduction.
 * @param F - cost before the step.
 * @param dxNorm - ‖dx‖.
 * @param xNorm - ‖x‖ before the step.
 * @param ratio - actual / predicted reduction.
 * @param ftol - tolerance on the cost.
 * @param xtol - tolerance on the step.
 * @returns the status and its message.
 */
export function checkTermination(
  dF: number,
  F: number,
  dxNorm: number,
  xNorm: number,
  ratio: number,
  ftol: number,
  xtol: number,
): TerminationTest {
  const ftolOk = dF < ftol * F && ratio > 0.25;
  const xtolOk = dxNorm < xtol * (xtol + xNorm);
  const fText = `dF = ${formatExponent(dF)} < ftol·F = ${formatExponent(ftol * F)} (reduction ratio ${formatExponent(ratio)} > 0.25)`;
  const xText = `‖dx‖ = ${formatExponent(dxNorm)} < xtol·(xtol + ‖x‖) = ${formatExponent(xtol * (xtol + xNorm))}`;
  if (ftolOk && xtolOk) return { status: 'ftol-xtol', message: `Both \`ftol\` and \`xtol\` termination conditions are satisfied: ${fText}; ${xText}` };
  if (ftolOk) return { status: 'ftol', message: `\`ftol\` termination condition is satisfied: ${fText}` };
  if (xtolOk) return { status: 'xtol', message: `\`xtol\` termination condition is satisfied: ${xText}` };
  return { status: null, message: '' };
}

/**
 * Message for the gtol test ‖g‖∞ < gtol.
 *
 * @param gNorm - the measured gradient norm.
 * @param gtol - the tolerance.
 * @param measure - how the method scales the gradient (e.g. `'‖g∘v‖∞'`).
 * @returns the message.
 */
export function gtolMessage(gNorm: number, gtol: number, measure: string): string {
  return `\`gtol\` termination condition is satisfied: ${measure} = ${formatExponent(gNorm)} < gtol = ${formatExponent(gtol)}`;
}

/**
 * Message for the evaluation limit.
 *
 * @param nfev - evaluations done.
 * @param maxNfev - the limit.
 * @returns the message.
 */
export function maxNfevMessage(nfev: number, maxNfev: number): string {
  return `The maximum number of function evaluations is exceeded: nfev = ${nfev} ≥ maxNfev = ${maxNfev}`;
}

/**
 * Message when the onIteration callback asked to stop.
 *
 * @param iteration - the iteration after which it stopped.
 * @returns the message.
 */
export function stoppedMessage(iteration: number): string {
  return `Stopped because the onIteration callback returned false (after iteration ${iteration})`;
}
