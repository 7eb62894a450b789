/**
 * The cost C(x) = ½Σρ(r_i(x)²) of a resolved `curveFit` or `leastSquares` call as a plain
 * function of the free parameters, for searches that only compare costs (CMA-ES in
 * `global/cmaes-fit.ts`): the same residual problem the local solver walks — weights, covariance
 * sigma, robust loss, held and tied parameters included — built once on a leased host backend
 * and evaluated point by point. Everything acquired is freed when `use` returns.
 *
 * The costs are evaluated on a host backend (CPU or WASM; a WebGPU plan is not used for them, the
 * local fits that follow use the caller's backend as usual). A point where the model throws or is
 * not finite costs +∞, so a search simply ranks it last.
 *
 * @module
 */
import { resolveBackend, resolveBackendSync } from '../backends/registry.ts';
import { AbortError, BackendUnavailableError } from '../errors.ts';
import { createCurveFitProblem } from '../evaluate/curve-fit-problem.ts';
import type { Evaluation, ResidualProblem } from '../optim/evaluation.ts';
import type { ResolvedCurveFit } from '../options/resolve-curve-fit.ts';
import type { ResolvedLeastSquares } from '../options/resolve-least-squares.ts';
import { withHostKernel, withHostKernelSync } from './host-kernel.ts';
import { withBackend, withBackendSync } from './backend-lease.ts';
import { createLeastSquaresProblem } from './run-least-squares.ts';

/** C(x) for x the free parameters; +∞ where the model throws or is not finite. */
export type CostFunction = (x: Float64Array) => number;

function costOf(problem: ResidualProblem, caller: string): CostFunction {
  return (x) => {
    let evaluation: Evaluation | PromiseLike<Evaluation>;
    try {
      evaluation = problem.evaluate(x, false);
    } catch (error) {
      if (error instanceof AbortError) throw error;
      return Number.POSITIVE_INFINITY;
    }
    if (typeof (evaluation as PromiseLike<Evaluation>).then === 'function') {
      throw new BackendUnavailableError(`${caller}: the backend evaluates asynchronously; the global search needs a host backend (cpu or wasm) for its costs`);
    }
    const cost = (evaluation as Evaluation).cost;
    return Number.isFinite(cost) ? cost : Number.POSITIVE_INFINITY;
  };
}

/**
 * Run `use` with the cost function of a resolved curve fit, on a leased host backend.
 *
 * @param resolved - the resolved fit.
 * @param use - receives C(x).
 * @returns what `use` returns.
 * @throws BackendUnavailableError when the named backend cannot evaluate on the host.
 */
export function withCurveFitCost<T>(resolved: ResolvedCurveFit, use: (cost: CostFunction) => Promise<T>): Promise<T> {
  return withHostKernel(resolved, (host) => use(costOf(host.lease.hold(createCurveFitProblem(host.resolved, host.backend)), resolved.caller)));
}

/** {@link withCurveFitCost} in the synchronous form. */
export function withCurveFitCostSync<T>(resolved: ResolvedCurveFit, use: (cost: CostFunction) => T): T {
  return withHostKernelSync(resolved, (host) => use(costOf(host.lease.hold(createCurveFitProblem(host.resolved, host.backend)), resolved.caller)));
}

const VECTOR_NEEDS = { closures: true, synchronous: true } as const;

/**
 * Run `use` with the cost function of a resolved leastSquares call (one call of `fun` at x0
 * first, as `leastSquares` makes).
 *
 * @param resolved - the resolved call.
 * @param use - receives C(x).
 * @returns what `use` returns.
 * @throws as `leastSquares` for a `fun` that fails at x0.
 */
export function withLeastSquaresCost<T>(resolved: ResolvedLeastSquares, use: (cost: CostFunction) => Promise<T>): Promise<T> {
  return withBackend(
    () => resolveBackend(resolved.backend, VECTOR_NEEDS, { caller: resolved.caller }),
    async (backend, lease) => use(costOf(lease.hold(createLeastSquaresProblem(resolved, backend.backend)), resolved.caller)),
  );
}

/** {@link withLeastSquaresCost} in the synchronous form. */
export function withLeastSquaresCostSync<T>(resolved: ResolvedLeastSquares, use: (cost: CostFunction) => T): T {
  return withBackendSync(
    () => resolveBackendSync(resolved.backend, VECTOR_NEEDS, { caller: resolved.caller }),
    (backend, lease) => use(costOf(lease.hold(createLeastSquaresProblem(resolved, backend.backend)), resolved.caller)),
  );
}
