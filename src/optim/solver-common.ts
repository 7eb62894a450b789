/**
 * Pieces every solver generator shares: reading a reply, unpacking the augmented triangle into
 * R, z = Qᵀf and the gradient g = Rᵀz, the first evaluation, and the progress record.
 *
 * @module
 */
import { ModelEvaluationError, NlsqError } from '../errors.ts';
import type { Evaluation, IterationInfo, SolverReply } from './evaluation.ts';
import { upperTransposeMatVec } from '../linalg/small-linalg.ts';

/** The linearization at a point, read from the triangle T = [R z; 0 ρ]. */
export interface Linearization {
  /** p×p row-major upper-triangular R (J = QR, JᵀJ = RᵀR). */
  readonly R: Float64Array;
  /** z = Qᵀf (length p). */
  readonly z: Float64Array;
  /** Gradient g = Jᵀf = Rᵀz. */
  readonly g: Float64Array;
  /** Column norms of J (= of R). */
  readonly colNorms: Float64Array;
  /** T ((p+1)×(p+1)), for the outcome: the evaluation's own array, which the solver owns. */
  readonly T: Float64Array;
}

/**
 * Unpack the augmented triangle. T is kept, not copied: an evaluation's T belongs to the solver
 * that received it (`Evaluation.T`), and nothing writes to it afterwards.
 *
 * @param T - (p+1)×(p+1) row-major augmented triangle.
 * @param p - number of parameters.
 * @returns R, z, g, the column norms and T.
 */
export function unpackTriangle(T: Float64Array, p: number): Linearization {
  const c = p + 1;
  // An Evaluation's T belongs to the solver that received it (every problem hands over a fresh
  // array), so it is kept, not copied: a copy of (p+1)² > 8 doubles is an off-heap allocation.
  const Tc = T.length === c * c ? T : T.slice(0, c * c);
  const R = new Float64Array(p * p);
  const z = new Float64Array(p);
  const colNorms = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    for (let j = i; j < p; j++) {
      const v = Tc[i * c + j]!;
      R[i * p + j] = v;
      colNorms[j] = colNorms[j]! + v * v;
    }
    z[i] = Tc[i * c + p]!;
  }
  for (let j = 0; j < p; j++) colNorms[j] = Math.sqrt(colNorms[j]!);
  return { R, z, g: triangleGradient(Tc, p, z), colNorms, T: Tc };
}

/**
 * The gradient g = Jᵀr = Rᵀz of ½‖r‖² from the augmented triangle T = [R z; 0 ρ], read in place
 * (row length p + 1; no copy of R).
 *
 * @param T - (p+1)×(p+1) row-major augmented triangle.
 * @param p - number of parameters.
 * @param z - its column z (p values), when the caller has it.
 * @returns g (p values).
 */
export function triangleGradient(T: Float64Array, p: number, z?: Float64Array): Float64Array {
  const c = p + 1;
  let qtr = z;
  if (qtr === undefined) {
    qtr = new Float64Array(p);
    for (let i = 0; i < p; i++) qtr[i] = T[i * c + p]!;
  }
  return upperTransposeMatVec(T, c, p, qtr, new Float64Array(p));
}

/**
 * Narrow a driver reply to an {@link Evaluation}.
 *
 * @param reply - what the driver sent back for an 'evaluate' request.
 * @param caller - public function name for the message.
 * @returns the evaluation.
 * @throws NlsqError when the driver answered an evaluation request with a boolean.
 */
export function expectEvaluation(reply: SolverReply, caller: string): Evaluation {
  if (typeof reply === 'boolean' || reply === undefined || reply === null) {
    throw new NlsqError(`${caller}: the driver must answer an 'evaluate' request with an Evaluation, got ${String(reply)}`, 'ERR_TYPE');
  }
  return reply;
}

/**
 * Format a parameter vector for a message, e.g. `[1, 2.5]`.
 *
 * @param x - the vector.
 * @returns its text.
 */
export function formatVector(x: Float64Array): string {
  return `[${Array.from(x, (v) => String(v)).join(', ')}]`;
}

/**
 * Check the evaluation at the starting point: SciPy raises "Residuals are not finite in the
 * initial point"; the solvers need the Jacobian there too.
 *
 * @param ev - the evaluation at x0 (with the Jacobian requested).
 * @param x0 - the starting point, for the message.
 * @param p - number of parameters.
 * @param caller - public function name for the message.
 * @returns the linearization at x0.
 * @throws ModelEvaluationError when the cost or the Jacobian is not finite at x0.
 */
export function checkInitialEvaluation(ev: Evaluation, x0: Float64Array, p: number, caller: string): Linearization {
  if (!Number.isFinite(ev.cost)) {
    throw new ModelEvaluationError(`${caller}: the residuals must be finite at the initial point, got cost ${ev.cost} at x0 = ${formatVector(x0)}`, 'p0');
  }
  if (ev.T === null) {
    throw new ModelEvaluationError(`${caller}: the Jacobian must be finite at the initial point, got non-finite entries at x0 = ${formatVector(x0)}`, 'p0');
  }
  return unpackTriangle(ev.T, p);
}

/**
 * Build the record passed to onIteration (the parameters are copied).
 *
 * @param iteration - 1-based iteration number.
 * @param cost - current cost.
 * @param x - current parameters.
 * @param gradientNorm - the method's optimality measure at x.
 * @param stepNorm - ‖Δx‖ of the last accepted step (0 after a rejected one).
 * @param nfev - evaluations so far.
 * @returns the record.
 */
export function iterationInfo(
  iteration: number,
  cost: number,
  x: Float64Array,
  gradientNorm: number,
  stepNorm: number,
  nfev: number,
): IterationInfo {
  return { iteration, cost, params: Array.from(x), gradientNorm, stepNorm, nfev };
}
