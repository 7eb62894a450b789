/**
 * Running a resolved curve fit on a backend: the path every `curveFit`, `curveFitSync` and the
 * standard and chunked strategies of `fit()` take once their options are resolved.
 *
 * ```
 *   resolveCurveFitOptions ─▶ lease a backend ─▶ evaluates on device? fitOnDevice (f32, then f64 polish)
 *                                             └▶ else kernelForBackend ─▶ createCurveFitProblem
 *                                                 ─▶ solveCurveFit ─▶ buildCurveFitResult
 * ```
 *
 * Everything acquired on the way — the backend, a WASM model kernel, the problem's workspaces —
 * is held by a {@link BackendLease} and freed when the run ends, however it ends.
 *
 * @module
 */
import { resolveBackend, resolveBackendSync, type BackendNeeds, type ResolvedBackend } from '../backends/registry.ts';
import { createCurveFitProblem, type BlockLayout, type CurveFitProblem } from '../evaluate/curve-fit-problem.ts';
import type { SolverOutcome } from '../optim/evaluation.ts';
import type { ResolvedCurveFit } from '../options/resolve-curve-fit.ts';
import { buildCurveFitResult, type CurveFitContext, type CurveFitResult } from '../result/curve-fit-result.ts';
import type { FitStatistics } from '../result/statistics.ts';
import { formatNumber } from '../util/format.ts';
import { kernelForBackend, kernelForBackendSync, modelSizeOf, withKernelNote } from './backend-kernel.ts';
import { withBackend, withBackendSync, type BackendLease } from './backend-lease.ts';
import { evaluatesOnDevice, fitOnDevice } from './device-fit.ts';
import { fitOnWorkers, mainThreadChoice, planWorkersFor, workerChoice } from './parallel-fit.ts';
import { solveCurveFit, solveCurveFitSync, type SolveControls } from './solve.ts';

/** What a strategy adds to the result's choices (`fit()`: strategy and block size). */
export type StrategyContext = Pick<CurveFitContext, 'strategy' | 'blockSize' | 'workers'>;

/**
 * What the backend must support: host backends run every kernel; WebGPU runs expression models
 * only, and only asynchronously.
 */
function needsFor(resolved: ResolvedCurveFit, synchronous: boolean): BackendNeeds {
  const model = modelSizeOf(resolved.model);
  return { closures: typeof resolved.model === 'function', synchronous, ...(model === undefined ? {} : { model }) };
}

/** The driver controls of a resolved fit, with the per-iteration log at verbose ≥ 2. */
function controlsOf(resolved: ResolvedCurveFit): SolveControls {
  const user = resolved.onIteration;
  const onIteration: ResolvedCurveFit['onIteration'] =
    resolved.verbose < 2
      ? user
      : (info) => {
          resolved.log(`${resolved.caller}: iteration ${info.iteration}, cost ${formatNumber(info.cost)}, ‖g‖∞ ${formatNumber(info.gradientNorm)}, step ${formatNumber(info.stepNorm)}, nfev ${info.nfev}`);
          return user === undefined ? undefined : user(info);
        };
  return { caller: resolved.caller, signal: resolved.signal, onIteration };
}

/** The result of a solved host problem (residuals at popt from the problem), logged at verbose ≥ 1. */
function finish(outcome: SolverOutcome, resolved: ResolvedCurveFit, backend: ResolvedBackend, problem: CurveFitProblem, context: StrategyContext): CurveFitResult {
  return finishWith(outcome, resolved, backend, problem.residualVector(outcome.x), context);
}

/** {@link finish} with the residuals at popt already read (the worker path reads them from its workers). */
function finishWith(outcome: SolverOutcome, resolved: ResolvedCurveFit, backend: ResolvedBackend, fun: Float64Array, context: StrategyContext, statistics?: FitStatistics): CurveFitResult {
  const result = buildCurveFitResult(outcome, resolved, { ...context, backend, fun, ...(statistics === undefined ? {} : { statistics }) });
  if (resolved.verbose > 0) {
    resolved.log(`${resolved.caller}: ${outcome.message}; cost ${formatNumber(outcome.cost)}, nfev ${outcome.nfev}, njev ${outcome.njev}`);
  }
  return result;
}

/**
 * Run a resolved fit on a leased backend: on the device for WebGPU (then polished on f64),
 * else the host data walk in blocks of `layout.blockRows` with the backend's model kernel.
 *
 * @param resolved - the resolved fit.
 * @param backend - the backend, acquired through `lease`.
 * @param lease - holds the kernel and the problem built here until the caller's lease ends.
 * @param context - the strategy and block-size choices for the result (`fit()`).
 * @param layout - rows per block; `cacheResiduals: false` (chunked) also copies data per window.
 * @returns the result.
 * @throws as `curveFit`.
 */
export async function runCurveFit(resolved: ResolvedCurveFit, backend: ResolvedBackend, lease: BackendLease, context: StrategyContext = {}, layout: BlockLayout = {}): Promise<CurveFitResult> {
  const controls = controlsOf(resolved);
  if (evaluatesOnDevice(backend.backend)) {
    const device = await fitOnDevice(resolved, backend.backend, controls, resolved.polish, lease);
    const result = buildCurveFitResult(device.outcome, resolved, { ...context, blockSize: device.layout, backend, fun: device.fun, precision: device.precision });
    result.warnings.push(...device.warnings);
    return result;
  }
  const workers = await planWorkersFor(resolved, backend.backend);
  if (workers !== undefined) context = { ...context, workers: workerChoice(workers) };
  if (workers !== undefined && workers.workers > 0) {
    const { outcome, fun, statistics } = await fitOnWorkers(resolved, backend, workers, controls, layout.blockRows, lease);
    return finishWith(outcome, resolved, backend, fun, context, statistics);
  }
  const compiled = lease.hold(await kernelForBackend(resolved, backend.backend, { resident: layout.cacheResiduals !== false }));
  const problem = lease.hold(createCurveFitProblem(compiled.resolved, backend.backend, layout));
  const outcome = await solveCurveFit(compiled.resolved, problem, controls);
  return finish(outcome, resolved, withKernelNote(backend, compiled), problem, context);
}

/**
 * `curveFit` once its options are resolved: lease the backend the options name (or the
 * automatic choice), run, free everything.
 *
 * @param resolved - from `resolveCurveFitOptions('curveFit', …)`.
 * @returns the result.
 * @throws BackendUnavailableError for an unusable backend; otherwise as `curveFit`.
 */
export function curveFitResolved(resolved: ResolvedCurveFit): Promise<CurveFitResult> {
  return withBackend(
    () => resolveBackend(resolved.backend, needsFor(resolved, false), { caller: resolved.caller }),
    (backend, lease) => runCurveFit(resolved, backend, lease),
  );
}

/**
 * `curveFitSync` once its options are resolved: the same run on a synchronous backend (the CPU
 * backend, or a caller's wasm instance with its WASM model kernel when the compiler is loaded).
 *
 * @param resolved - from `resolveCurveFitOptions('curveFitSync', …)`.
 * @returns the result.
 * @throws BackendUnavailableError when the named backend is asynchronous; otherwise as `curveFitSync`.
 */
export function curveFitResolvedSync(resolved: ResolvedCurveFit): CurveFitResult {
  return withBackendSync(
    () => resolveBackendSync(resolved.backend, needsFor(resolved, true), { caller: resolved.caller }),
    (backend, lease) => {
      const compiled = lease.hold(kernelForBackendSync(resolved, backend.backend));
      const problem = lease.hold(createCurveFitProblem(compiled.resolved, backend.backend));
      const outcome = solveCurveFitSync(compiled.resolved, problem, controlsOf(resolved));
      const workers = mainThreadChoice(resolved, `${resolved.caller} runs on the calling thread (workers answer asynchronously); curveFit folds on workers`);
      return finish(outcome, resolved, withKernelNote(backend, compiled), problem, workers === undefined ? {} : { workers });
    },
  );
}
