/**
 * CMA-ES mode of the `global` option: CMA-ES with IPOP/BIPOP restarts (`optim/cmaes-restarts.ts`)
 * over the sampling box, then a local polish with the caller's method so that pcov and the
 * statistics are those of `curveFit` / `leastSquares`.
 *
 * The search runs in the unit cube u ∈ [0, 1]^p mapped onto the sampling box (`start-box.ts`:
 * uniform or log-uniform per coordinate), so that a scale parameter spanning decades is searched
 * in its logarithm and CMA-ES's box handling (the linear–quadratic transform, not clipping) keeps
 * every candidate in the box. It starts at p0's image with σ0 = 0.3 (a third of the box). Each
 * candidate's cost is the caller's exact cost C(x) = ½Σρ(r²) (`run/cost-function.ts`: the same
 * residual problem the solver walks). The λ candidates of a generation are mapped out of the unit
 * cube together and evaluated as one population: on resident data (no or a 1-D sigma) one walk
 * over the data per generation instead of λ, each cost bitwise the point-by-point one, so the
 * search — and with it the seed's result — is the same either way; a covariance sigma or
 * `leastSquares`' residual function evaluate the candidates one after another.
 *
 * CMA-ES only sees the sampling box: where a coordinate is unbounded, its box is the inference
 * of `start-box.ts` (p0 ± 10·max(|p0|, 1), or p0 ×/÷ 10³ on a positive half-line), and a minimum
 * outside it is reached only if the polish walks there — give bounds that hold the optimum, or
 * use multi-start, whose local fits are not confined to the box.
 *
 * Budget: `maxEvaluations` (default max(2000·p, 10 000) cost evaluations). The polish then runs
 * from both p0 and the CMA-ES best (starts 0 and 1), so the result is never worse than the plain
 * fit from p0.
 *
 * @module
 */
import { throwIfAborted } from '../errors.ts';
import type { CmaesOptions, CmaesResult } from '../optim/cmaes-restarts.ts';
import { minimizeCmaes, minimizeCmaesSync } from '../optim/cmaes-restarts.ts';
import type { ResolvedGlobal } from '../options/global-option.ts';
import type { Costs } from '../run/cost-function.ts';
import { fromUnit, toUnit, type StartBox } from './start-box.ts';

/** The default CMA-ES budget: max(2000·p, 10 000) cost evaluations. */
export function defaultCmaesBudget(p: number): number {
  return Math.max(2000 * p, 10_000);
}

function optionsFor(search: ResolvedGlobal, box: StartBox, x0: Float64Array, signal: AbortSignal | undefined): CmaesOptions {
  const p = box.length;
  return {
    x0: toUnit(box, x0), lb: new Float64Array(p), ub: new Float64Array(p).fill(1), seed: search.seed, restarts: search.restarts,
    maxEvaluations: search.maxEvaluations ?? defaultCmaesBudget(p), signal,
    ...(search.popsize === undefined ? {} : { popsize: search.popsize }),
  };
}

function population(box: StartBox, costs: Costs, signal: AbortSignal | undefined, caller: string): (points: Float64Array, count: number, dimension: number) => Float64Array {
  return (points, count, dimension) => {
    throwIfAborted(signal, caller);
    const mapped = new Float64Array(count * dimension);
    for (let i = 0; i < count; i++) mapped.set(fromUnit(box, points.subarray(i * dimension, (i + 1) * dimension)), i * dimension);
    const out = new Float64Array(count);
    costs.population(mapped, count, dimension, out);
    return out;
  };
}

/** A CMA-ES search's best point, mapped back from the unit cube, and its record. */
export interface CmaesFound {
  /** The best point found (free parameters). */
  readonly x: Float64Array;
  /** The search's result (in unit-cube coordinates). */
  readonly result: CmaesResult;
}

/**
 * Search the box with CMA-ES, synchronously.
 *
 * @param search - the resolved `global` option.
 * @param box - the sampling box.
 * @param x0 - p0.
 * @param costs - the caller's costs (a generation is evaluated as one population).
 * @param signal - cancellation (checked before every generation).
 * @param caller - public function name, for the abort message.
 * @returns the best point and the runs.
 */
export function cmaesInBoxSync(search: ResolvedGlobal, box: StartBox, x0: Float64Array, costs: Costs, signal: AbortSignal | undefined, caller: string): CmaesFound {
  const result = minimizeCmaesSync(population(box, costs, signal, caller), optionsFor(search, box, x0, signal));
  return { x: fromUnit(box, result.x), result };
}

/** {@link cmaesInBoxSync} yielding to the event loop between generations (and honouring `signal` there). */
export async function cmaesInBox(search: ResolvedGlobal, box: StartBox, x0: Float64Array, costs: Costs, signal: AbortSignal | undefined, caller: string): Promise<CmaesFound> {
  const result = await minimizeCmaes(population(box, costs, signal, caller), optionsFor(search, box, x0, signal));
  return { x: fromUnit(box, result.x), result };
}
