/**
 * A resolved curve fit on workers (the `workers` option): decide the count, hold the pool, open
 * the shares, solve, read `fun` back, close.
 *
 * ```
 *   planWorkersFor (workflow/worker-count.ts: cores × size × can the model cross?)
 *     ─▶ 0: the main-thread walk (run-curve-fit.ts), with the reason in choices.workers
 *     └▶ N: acquireWorkerPool(N) ─▶ createParallelProblem (data cross once)
 *           ─▶ solveCurveFit (the same driver; each evaluation is one parallel pass)
 *           ─▶ residuals and statistics sums from the workers ─▶ result, choices.workers = "N workers × wasm-simd, because …"
 *   streamFoldFor (the streaming strategy): the same decision with split 'chunks'
 *     └▶ N: acquireWorkerPool(N) ─▶ createParallelChunkFold (each chunk of a pass to a worker)
 * ```
 *
 * @module
 */
import type { Backend } from '../backends/backend.ts';
import type { ResolvedBackend } from '../backends/registry.ts';
import type { Choice } from '../result/choice.ts';
import { statisticsFromSums, type FitStatistics } from '../result/statistics.ts';
import { trustedProgram } from '../model/trusted-program.ts';
import type { LossName } from '../optim/loss.ts';
import type { SolverOutcome } from '../optim/evaluation.ts';
import type { ResolvedCurveFit } from '../options/resolve-curve-fit.ts';
import { createParallelChunkFold, type ParallelChunkFold } from '../parallel/parallel-chunk-fold.ts';
import { createParallelProblem } from '../parallel/parallel-problem.ts';
import { acquireWorkerPool, availableCores, workersUnavailable } from '../parallel/worker-pool.ts';
import { hasWorkerThreads } from '../parallel/worker-script.ts';
import { DEFAULT_BLOCK_ROWS } from '../workflow/block-rows.ts';
import { planWorkers, type WorkerPlan } from '../workflow/worker-count.ts';
import type { BackendLease } from './backend-lease.ts';
import { solveCurveFit, type SolveControls } from './solve.ts';

/**
 * Why this fit cannot fold on workers, or null when it can: the model must cross as IR (an
 * expression model or a lifted closure), the loss must be built in, the Jacobian analytic, the
 * sigma 1-D, the backend wasm (the workers run the same engine), and the runtime must have workers.
 *
 * @param resolved - the fit.
 * @param backend - the backend it would run on in the main thread.
 * @returns the reason, or null.
 */
export function workerBlock(resolved: ResolvedCurveFit, backend: Backend): string | null {
  const model = modelBlock(resolved);
  if (model !== null) return model;
  if (backend.info.family !== 'wasm') return `workers run the WebAssembly engine, and this fit runs on ${backend.info.name}`;
  const g = globalThis as { Worker?: unknown };
  if (!hasWorkerThreads() && typeof g.Worker !== 'function') return 'this runtime has no workers';
  return null;
}

/** {@link workerBlock} without the backend: what about the model, data or loss keeps the fit off workers. */
function modelBlock(resolved: ResolvedCurveFit): string | null {
  if (trustedProgram(resolved.model) === undefined) {
    if (typeof resolved.model !== 'function') return 'the model is not one nlsq built (model(), Model.fromJSON or the model library), so its kernel cannot cross to a worker';
    const why = resolved.lift !== undefined && !resolved.lift.lifted ? ` (${resolved.lift.reason})` : '';
    return `the model is a closure that was not lifted${why}; a closure cannot cross to a worker`;
  }
  if (resolved.sigma.kind === '2d') return 'a covariance sigma couples every point, so the rows cannot be split';
  if (resolved.settings.scheme.kind !== 'analytic') return 'finite-difference Jacobians run on the main thread';
  if (resolved.settings.lossName === 'custom') return 'a loss function cannot cross to a worker';
  return null;
}

/**
 * The plan's view of the `workers` option (`PlanInput.workers`), or undefined when not given:
 * the cores here and what keeps this fit off workers whatever its backend (the plan adds the
 * backend rule) — the same rules {@link planWorkersFor} applies when the fit runs.
 *
 * @param resolved - the fit.
 * @param source - for a data source: whether it can be re-read (its size is unknown before the first pass).
 * @returns given, cores, the block (null: can cross) and, for a source, nPoints null.
 */
export async function workerPlanInput(
  resolved: ResolvedCurveFit,
  source?: { readonly rereadable: boolean },
): Promise<{ given: 'auto' | number; cores: number; blocked: string | null; nPoints?: null } | undefined> {
  if (resolved.workers === undefined) return undefined;
  const g = globalThis as { Worker?: unknown };
  const runtime = !hasWorkerThreads() && typeof g.Worker !== 'function' ? 'this runtime has no workers' : null;
  const once = source?.rereadable === false ? ONE_PASS : null;
  const blocked = once ?? modelBlock(resolved) ?? runtime ?? (resolved.workers === 0 ? null : await workersUnavailable());
  const cores = blocked === null && resolved.workers !== 0 ? await availableCores() : 1;
  return { given: resolved.workers, cores, blocked, ...(source === undefined ? {} : { nPoints: null }) };
}

/** Why a source read once never folds on workers. */
const ONE_PASS = 'a source that can be read only once gets the one-pass mini-batch fit, on the main thread';

/**
 * The worker decision of a fit, or undefined when the `workers` option was not given.
 *
 * @param resolved - the fit. @param backend - its main-thread backend.
 * @returns the plan (count 0: the main thread, with the reason).
 */
export async function planWorkersFor(resolved: ResolvedCurveFit, backend: Backend): Promise<WorkerPlan | undefined> {
  if (resolved.workers === undefined) return undefined;
  const blocked = workerBlock(resolved, backend) ?? (resolved.workers === 0 ? null : await workersUnavailable());
  const cores = blocked === null && resolved.workers !== 0 ? await availableCores() : 1;
  return planWorkers({ given: resolved.workers, nPoints: resolved.n, nParams: resolved.p, cores, blocked, backend: backend.info.name });
}

/**
 * The `choices.workers` row of a run that cannot use workers at all (`curveFitSync`), or
 * undefined when the option was not given.
 *
 * @param resolved - the fit. @param why - why this run stays on the calling thread.
 * @returns the row, or undefined.
 */
export function mainThreadChoice(resolved: ResolvedCurveFit, why: string): Choice | undefined {
  if (resolved.workers === undefined) return undefined;
  return { given: String(resolved.workers), used: 'main thread', reason: why };
}

/** The `choices.workers` row of a plan. */
export function workerChoice(plan: WorkerPlan): Choice {
  return { given: plan.given, used: plan.used, reason: plan.reason };
}

/**
 * Solve a fit on `plan.workers` workers.
 *
 * @param resolved - the fit (its IR must cross: {@link workerBlock} returned null).
 * @param backend - the main-thread backend (merges the triangles; its wasm build runs in the workers).
 * @param plan - from {@link planWorkersFor}, with a count ≥ 1.
 * @param controls - caller, signal, onIteration.
 * @param blockRows - rows per block of each worker's walk.
 * @param lease - holds the parallel problem (its shares and the pool hold) until the run ends.
 * @returns the solver outcome, the residuals at popt and the fit's statistics (both from the
 *   workers: each sums its own rows, the main thread adds the shares' sums).
 * @throws WorkerError when a worker dies or fails; AbortError on cancellation; as `curveFit` otherwise.
 */
export async function fitOnWorkers(
  resolved: ResolvedCurveFit,
  backend: ResolvedBackend,
  plan: WorkerPlan,
  controls: SolveControls,
  blockRows: number | undefined,
  lease: BackendLease,
): Promise<{ outcome: SolverOutcome; fun: Float64Array; statistics: FitStatistics }> {
  const pool = await acquireWorkerPool(plan.workers);
  const { settings } = resolved;
  const loss = settings.loss === null ? null : { name: settings.lossName as LossName, fScale: settings.fScale };
  const problem = lease.hold(
    await createParallelProblem({
      caller: resolved.caller, pool, workers: plan.workers, program: trustedProgram(resolved.model)!, kernel: resolved.kernel,
      data: resolved.data, loss, blockRows: blockRows ?? resolved.blockRows, backend: backend.backend, signal: resolved.signal,
    }),
  );
  const outcome = await solveCurveFit(resolved, problem, controls);
  const { fun, sums } = await problem.residualVectorAsync(outcome.x);
  return { outcome, fun, statistics: statisticsFromSums({ n: resolved.n, p: resolved.p, ...sums }) };
}

/**
 * The chunk fold of a streaming fit on workers (`workers` with the streaming strategy), or none:
 * decides the count (`split: 'chunks'`; a source's size is unknown before its first pass), holds
 * the pool and opens a chunk folder in each worker — held by `lease` until the run ends.
 *
 * @param resolved - the fit. @param backend - the main-thread backend (merges the triangles).
 * @param points - the number of points when known (resident arrays), else null.
 * @param rereadable - false for a source read once (its one-pass fit never runs exact passes).
 * @param lease - holds the fold.
 * @returns the fold (undefined: the main thread) and the `choices.workers` row (undefined when
 *   the option was not given).
 * @throws WorkerError when a worker cannot open its folder.
 */
export async function streamFoldFor(
  resolved: ResolvedCurveFit,
  backend: Backend,
  points: number | null,
  rereadable: boolean,
  lease: BackendLease,
): Promise<{ fold: ParallelChunkFold | undefined; choice: Choice | undefined }> {
  if (resolved.workers === undefined) return { fold: undefined, choice: undefined };
  const once = rereadable ? null : ONE_PASS;
  const blocked = once ?? workerBlock(resolved, backend) ?? (resolved.workers === 0 ? null : await workersUnavailable());
  const cores = blocked === null && resolved.workers !== 0 ? await availableCores() : 1;
  const plan = planWorkers({ given: resolved.workers, nPoints: points, nParams: resolved.p, cores, blocked, backend: backend.info.name, split: 'chunks' });
  if (plan.workers === 0) return { fold: undefined, choice: workerChoice(plan) };
  const pool = await acquireWorkerPool(plan.workers);
  const { settings } = resolved;
  const loss = settings.loss === null ? null : { name: settings.lossName as LossName, fScale: settings.fScale };
  const fold = lease.hold(
    await createParallelChunkFold({
      caller: resolved.caller, pool, workers: plan.workers, program: trustedProgram(resolved.model)!, loss, blockRows: DEFAULT_BLOCK_ROWS, backend, signal: resolved.signal,
    }),
  );
  return { fold, choice: workerChoice(plan) };
}
