/**
 * The solvers' view of a device model evaluator: a {@link ResidualProblem} over a
 * {@link DeviceModelEvaluator} (`Backend.createModelEvaluator`, `backends/model-evaluator.ts`).
 *
 * The evaluator already returns what a solver asks for — the cost ½Σρ and the augmented triangle
 * T — so the adapter only adds what the solver protocol needs besides: the problem size and
 * `jacobianIsCheap` (true: the device forms the Jacobian in the same fused kernel as the
 * residuals, so asking for it at every trial point costs one read-back of a few hundred floats
 * more, and saves a pass on acceptance). All the device work (upload, dispatch, read-back, f64
 * combination) lives in the backend.
 *
 * @module
 */
import type { DeviceModelEvaluator } from '../backends/model-evaluator.ts';
import type { Evaluation, ResidualProblem } from '../optim/evaluation.ts';

/** A device-resident residual problem. */
export interface DeviceProblem extends ResidualProblem {
  /** Number of residuals m. */
  readonly m: number;
  /** Number of device chunks (dispatches per evaluation). */
  readonly chunks: number;
  /** Evaluate ½Σρ and, when `jacobian`, the triangle T, at x (the evaluator's contract). */
  evaluate(x: Float64Array, jacobian: boolean): Promise<Evaluation>;
  /** Release the evaluator's device memory; later evaluations reject. */
  destroy(): void;
}

/**
 * Adapt a device model evaluator to the solvers' residual-problem protocol.
 *
 * @param evaluator - the evaluator (the problem owns it: `destroy()` destroys it).
 * @returns the problem; its evaluations are the evaluator's, unchanged.
 * @example
 * ```ts
 * const problem = createDeviceProblem(await backend.createModelEvaluator({ program, data }));
 * const outcome = await runSolverAsync(trf(problem, options), problem);
 * problem.destroy();
 * ```
 */
export function createDeviceProblem(evaluator: DeviceModelEvaluator): DeviceProblem {
  return {
    p: evaluator.p,
    m: evaluator.m,
    chunks: evaluator.chunks,
    jacobianIsCheap: true,
    evaluate: (x, jacobian) => evaluator.evaluate(x, jacobian),
    destroy: () => evaluator.destroy(),
  };
}
