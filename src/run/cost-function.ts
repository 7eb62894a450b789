/**
 * The cost C(x) = ½Σρ(r_i(x)²) of a resolved `curveFit` or `leastSquares` call as a plain
 * function of the free parameters, for searches that only compare costs (CMA-ES in
 * `global/cmaes-fit.ts`): the same residual problem the local solver walks — weights, covariance
 * sigma, robust loss, held and tied parameters included — built once on a leased host backend.
 * Everything acquired is freed when `use` returns.
 *
 * A search that evaluates a population (CMA-ES's λ candidates of a generation) asks for all of
 * them at once ({@link Costs.population}): on resident data with no or a 1-D sigma that is one
 * walk over the data per population (`BlockEvaluator.costs`: block by block, every candidate's
 * residuals of a block before the next block; on a WASM host backend with an expression model the
 * block is evaluated by the compiled kernel λ times while it is in cache), each cost bitwise the
 * one a point-by-point evaluation gives. A covariance sigma (a dense problem) and `leastSquares`'
 * residual function have no data walk to share: their population is evaluated point by point.
 *
 * The costs are evaluated on a host backend (CPU or WASM; a WebGPU plan is not used for them, the
 * local fits that follow use the caller's backend as usual). A point where the model throws or is
 * not finite costs +∞, so a search simply ranks it last.
 *
 * @module
 */
import { resolveBackend, resolveBackendSync } from '../backends/registry.ts';
import { AbortError, BackendUnavailableError, NlsqRangeError } from '../errors.ts';
import { createCurveFitProblem } from '../evaluate/curve-fit-problem.ts';
import type { Evaluation, ResidualProblem } from '../optim/evaluation.ts';
import type { ResolvedCurveFit } from '../options/resolve-curve-fit.ts';
import type { ResolvedLeastSquares } from '../options/resolve-least-squares.ts';
import { withHostKernel, withHostKernelSync } from './host-kernel.ts';
import { withBackend, withBackendSync } from './backend-lease.ts';
import { createLeastSquaresProblem } from './run-least-squares.ts';

/** C(x) for x the free parameters; +∞ where the model throws or is not finite. */
export type CostFunction = (x: Float64Array) => number;

/**
 * The costs of `count` points (rows of `dimension` in `points`, free parameters) into `out`
 * (+∞ where the model throws or is not finite).
 */
export type PopulationCost = (points: Float64Array, count: number, dimension: number, out: Float64Array) => void;

/** A search's costs: of one point, and of a population at once. */
export interface Costs {
  /** C(x) of one point. */
  readonly one: CostFunction;
  /** The costs of a population (one data walk where the problem has one; else point by point). */
  readonly population: PopulationCost;
}

/**
 * A population evaluated point by point with `cost` (the fallback, and the reference the batched
 * walk is tested against).
 *
 * @param cost - C(x).
 * @returns the population cost.
 */
export function pointByPoint(cost: CostFunction): PopulationCost {
  return (points, count, dimension, out) => {
    for (let k = 0; k < count; k++) out[k] = cost(points.subarray(k * dimension, (k + 1) * dimension));
  };
}

function costsOf(problem: ResidualProblem & { evaluateCosts?(points: Float64Array, count: number, out: Float64Array): void }, caller: string): Costs {
  const one = costOf(problem, caller);
  const batched = problem.evaluateCosts?.bind(problem);
  if (batched === undefined) return { one, population: pointByPoint(one) };
  return {
    one,
    population: (points, count, dimension, out) => {
      if (dimension !== problem.p) throw new NlsqRangeError(`${caller}: a population of ${dimension}-vectors for a problem of ${problem.p} parameters`, 'points', 'ERR_SHAPE');
      batched(points, count, out);
      for (let k = 0; k < count; k++) if (!Number.isFinite(out[k]!)) out[k] = Number.POSITIVE_INFINITY;
    },
  };
}

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
 * @param use - receives the costs (one point, a population).
 * @returns what `use` returns.
 * @throws BackendUnavailableError when the named backend cannot evaluate on the host.
 */
export function withCurveFitCost<T>(resolved: ResolvedCurveFit, use: (costs: Costs) => Promise<T>): Promise<T> {
  return withHostKernel(resolved, (host) => use(costsOf(host.lease.hold(createCurveFitProblem(host.resolved, host.backend)), resolved.caller)));
}

/** {@link withCurveFitCost} in the synchronous form. */
export function withCurveFitCostSync<T>(resolved: ResolvedCurveFit, use: (costs: Costs) => T): T {
  return withHostKernelSync(resolved, (host) => use(costsOf(host.lease.hold(createCurveFitProblem(host.resolved, host.backend)), resolved.caller)));
}

const VECTOR_NEEDS = { closures: true, synchronous: true } as const;

/**
 * Run `use` with the cost function of a resolved leastSquares call (one call of `fun` at x0
 * first, as `leastSquares` makes).
 *
 * @param resolved - the resolved call.
 * @param use - receives the costs (one point, a population).
 * @returns what `use` returns.
 * @throws as `leastSquares` for a `fun` that fails at x0.
 */
export function withLeastSquaresCost<T>(resolved: ResolvedLeastSquares, use: (costs: Costs) => Promise<T>): Promise<T> {
  return withBackend(
    () => resolveBackend(resolved.backend, VECTOR_NEEDS, { caller: resolved.caller }),
    async (backend, lease) => use(costsOf(lease.hold(createLeastSquaresProblem(resolved, backend.backend)), resolved.caller)),
  );
}

/** {@link withLeastSquaresCost} in the synchronous form. */
export function withLeastSquaresCostSync<T>(resolved: ResolvedLeastSquares, use: (costs: Costs) => T): T {
  return withBackendSync(
    () => resolveBackendSync(resolved.backend, VECTOR_NEEDS, { caller: resolved.caller }),
    (backend, lease) => use(costsOf(lease.hold(createLeastSquaresProblem(resolved, backend.backend)), resolved.caller)),
  );
}
