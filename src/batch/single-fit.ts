/**
 * One fit of a batch as a `curveFitSync` call: what `BatchResult.get(i)` returns. The fit's
 * points are copied out, its start and bounds are those the engine used (`fitStart`), and the
 * resolved tolerances, limits and method are passed explicitly, so `resolveCurveFitOptions`
 * rebuilds exactly the solver options of the batch. The engine's backend (the CPU backend, or the
 * WASM engine's own wasm backend) and `lift: false` keep the kernel and the fold the batch ran; a
 * `vary` mask becomes a model over the free parameters whose kernel holds the others at this
 * fit's values.
 *
 * @module
 */
import type { Backend } from '../backends/backend.ts';
import { isFittableModel, type DataColumns, type FittableModel } from '../model/model-kernel.ts';
import { resolveCurveFitOptions, type ResolvedCurveFit } from '../options/resolve-curve-fit.ts';
import type { CurveFitOptions } from '../options/types.ts';
import type { CurveFitResult } from '../result/curve-fit-result.ts';
import { curveFitResolvedSync } from '../run/run-curve-fit.ts';
import type { BatchProblem } from './batch-engine.ts';
import type { BatchModel, FitBatchOptions } from './batch-options.ts';
import { fitStart } from './fit-start.ts';
import { fitRange } from './batch-data.ts';
import { heldKernel } from './held-kernel.ts';

/**
 * Run fit i of a batch through `curveFitSync` on the CPU backend.
 *
 * @param problem - the batch.
 * @param model - the model as the caller gave it.
 * @param options - the caller's batch options.
 * @param i - the fit.
 * @param backend - the backend to run it on (the engine's, so that it agrees with the batch's
 *   row; default the CPU backend).
 * @returns the fit's full result and its resolved call (for its refits, `refit-runner.ts`).
 * @throws the errors `curveFitSync` throws for this fit.
 */
export function singleFit(problem: BatchProblem, model: BatchModel, options: FitBatchOptions, i: number, backend: Backend | 'cpu' = 'cpu'): { result: CurveFitResult; resolved: ResolvedCurveFit } {
  const { data, params, settings, caller } = problem;
  const { o, n } = fitRange(data, i);
  const pf = params.free.length;
  const columns: DataColumns = {
    x: Array.from({ length: data.k }, () => new Float64Array(n)),
    y: new Float64Array(n),
    w: data.sigma === null ? null : new Float64Array(n),
  };
  if (data.x.kind === 'shared') columns.x.forEach((c, v) => c.set((data.x as { columns: readonly Float64Array[] }).columns[v]!.subarray(0, n)));
  const full = new Float64Array(params.p);
  const x0 = new Float64Array(pf);
  const lb = new Float64Array(pf);
  const ub = new Float64Array(pf);
  fitStart(problem, i, columns, full, x0, lb, ub);
  const { solver } = settings;
  const common: CurveFitOptions = {
    method: solver.method,
    ftol: solver.ftol,
    xtol: solver.xtol,
    gtol: solver.gtol,
    maxNfev: solver.maxNfev,
    xScale: solver.xScale,
    backend,
    ...(options.loss === undefined ? {} : { loss: options.loss }),
    ...(options.fScale === undefined ? {} : { fScale: options.fScale }),
    ...(options.diffStep === undefined ? {} : { diffStep: options.diffStep }),
    ...(options.absoluteSigma === undefined ? {} : { absoluteSigma: options.absoluteSigma }),
    ...(data.sigma === null ? {} : { sigma: data.sigma.slice(o, o + n) }),
    ...(typeof model === 'function' ? { lift: false } : {}),
  };
  const x = data.k === 1 ? columns.x[0]! : columns.x;
  if (params.layout !== null) {
    const resolved = resolveCurveFitOptions(caller, model, x, columns.y, { ...common, params: options.params! });
    return { result: curveFitResolvedSync(resolved), resolved };
  }
  let fitModel: BatchModel = model;
  if (params.held !== null) {
    const base = isFittableModel(model) ? model : null;
    const held: FittableModel = {
      params: Array.from(params.free, (j) => params.names[j]!),
      variables: base === null ? Array.from({ length: data.k }, (_, v) => `x${v}`) : base.variables,
      createKernel: () => {
        const k = heldKernel(base === null ? params.fullKernel : base.createKernel(), params.free);
        k.setHeld(full);
        return k;
      },
    };
    fitModel = held;
  }
  const resolved = resolveCurveFitOptions(caller, fitModel, x, columns.y, { ...common, p0: x0, bounds: [lb, ub] });
  return { result: curveFitResolvedSync(resolved), resolved };
}
