/**
 * The solver settings of a batch, resolved once from the options every fit shares — on the main
 * thread, and again inside each worker of the worker-pool engine from the same plain options
 * (which cross to the worker as data), so that every thread runs the same settings.
 *
 * @module
 */
import type { LossFunction, LossName } from '../optim/loss.ts';
import type { SolverMethod } from '../optim/solver-options.ts';
import { resolveSolverSettings, type SolverSettings } from '../options/solver-settings.ts';

/** The solver options of `fitBatch` (a subset of `FitBatchOptions`; plain data but for a loss function). */
export interface BatchSolverOptions {
  readonly method?: SolverMethod | undefined;
  readonly ftol?: number | undefined;
  readonly xtol?: number | undefined;
  readonly gtol?: number | undefined;
  readonly maxNfev?: number | undefined;
  readonly xScale?: 'jac' | number | ArrayLike<number> | undefined;
  readonly diffStep?: number | ArrayLike<number> | undefined;
  readonly loss?: LossName | LossFunction | undefined;
  readonly fScale?: number | undefined;
}

/**
 * Pick the solver options out of the batch options (what crosses to a worker).
 *
 * @param options - the batch options.
 * @returns method, tolerances, limits, scales, loss and fScale as given.
 */
export function batchSolverOptions(options: BatchSolverOptions): BatchSolverOptions {
  const { method, ftol, xtol, gtol, maxNfev, xScale, diffStep, loss, fScale } = options;
  return { method, ftol, xtol, gtol, maxNfev, xScale, diffStep, loss, fScale };
}

/**
 * Resolve the settings every fit of a batch shares.
 *
 * @param caller - public function name for messages.
 * @param options - the solver options as given.
 * @param pf - free parameters.
 * @param bounded - whether some bound is finite (the method rule needs only that; per-fit bounds
 *   are set by the engine).
 * @param analyticJacobian - whether the kernel gives exact Jacobian rows.
 * @returns the settings (x0, lb, ub are placeholders the engine replaces per fit).
 * @throws as `resolveSolverSettings`, naming the option.
 */
export function resolveBatchSettings(caller: string, options: BatchSolverOptions, pf: number, bounded: boolean, analyticJacobian: boolean): SolverSettings {
  const lb = new Float64Array(pf).fill(-Infinity);
  const ub = new Float64Array(pf).fill(Infinity);
  if (bounded) lb[0] = -Number.MAX_VALUE;
  return resolveSolverSettings({ caller, options: batchSolverOptions(options), x0: new Float64Array(pf), lb, ub, defaultMethod: 'by-bounds', analyticJacobian, convention: 'leastsq' });
}
