/**
 * Multi-start as one batch: every start of a `curveFit` / `fit` search run by `fitBatch`'s engine
 * (`batch/run-batch.ts` `runEngine`) over the resident data — one validated problem, one set of
 * buffers for all the starts, no backend lease, option resolution or result object per start. The search's rules
 * (the winner, the distinct minima, the failures) are `multi-start.ts`'s own generator, fed the
 * batch's rows; then the winning start alone is fitted again by the caller's own run path
 * (`curveFitResolved`, or the strategy `fit()` planned), so the result — pcov, statistics,
 * choices — is exactly the one a plain call from that start returns.
 *
 * Which path runs (and `result.global.engine` says so):
 *
 * | model | path |
 * |---|---|
 * | an expression model, a library model, or a plain function lifted to one | the batch |
 * | a plain function that could not be lifted (or `lift: false`, a `jac` function) | one start after another (`multi-start.ts`) |
 * | a covariance (2-D) sigma | one start after another (the batch engine weights points by 1/σ only) |
 * | `leastSquares` / `leastSquaresSync` (a residual function, no model) | one start after another |
 *
 * The batch walks on the caller's backend as `curveFit` resolves it, with the needs of a
 * synchronous walk (`run/host-kernel.ts`): where that is WASM and `wasmEngineGap` allows (an
 * expression model nlsq built, lm, trf — bounded searches run trf — or dogbox, a built-in loss,
 * an exact Jacobian), the async search runs its starts on the WASM engine (`batch/wasm-engine.ts`: the
 * whole solver loop in WebAssembly, the same fold as curveFit on a WASM backend, so each start
 * ends exactly where curveFit from it on that backend ends); otherwise — the CPU backend, a
 * closure kernel, a loss function, the synchronous APIs (the WASM engine loads asynchronously) — on the CPU
 * engine of `batch/cpu-engine.ts` with the caller's leased host backend and its kernel (also when
 * the caller's backend cannot walk on the host: WebGPU, then the CPU). The winner's fit runs on
 * the caller's backend. Same seed → same starts → same batch rows (the engines are deterministic)
 * → same winner and result.
 *
 * @module
 */
import { residentBatchData } from '../batch/batch-data.ts';
import { allocateOutput, type BatchOutput, type BatchProblem } from '../batch/batch-engine.ts';
import type { BatchParams } from '../batch/batch-params.ts';
import { createCpuEngine } from '../batch/cpu-engine.ts';
import { createLocalEngine, wasmEngineGap } from '../batch/local-engine.ts';
import { DEFAULT_SUB_BATCH, runEngine, runEngineSync } from '../batch/run-batch.ts';
import { ModelEvaluationError } from '../errors.ts';
import { isFittableModel } from '../model/model-kernel.ts';
import type { ResolvedCurveFit } from '../options/resolve-curve-fit.ts';
import { withHostKernel, withHostKernelSync } from '../run/host-kernel.ts';
import type { GlobalEngine } from '../result/global-summary.ts';
import { multiStartSearch, type MultiStartOutcome, type LocalResult } from './multi-start.ts';

/** One start's row of the batch, as the search reads it. */
export interface BatchRow extends LocalResult {
  /** The fitted free parameters. */
  readonly x: readonly number[];
}

/**
 * Which engine runs the starts of a curve-fit search, and why.
 *
 * @param resolved - the resolved call.
 * @returns `{ kind: 'batch' | 'sequential', reason }`.
 */
export function startsEngine(resolved: ResolvedCurveFit): GlobalEngine {
  if (!isFittableModel(resolved.model)) {
    const lift = resolved.lift;
    const why = lift !== undefined && !lift.lifted ? ` (not lifted: ${lift.reason})` : '';
    return { kind: 'sequential', reason: `the model is a plain function${why}: each start is a curveFit call, one after another` };
  }
  if (resolved.sigma.kind === '2d') return { kind: 'sequential', reason: 'a covariance (2-D) sigma: each start is a curveFit call, one after another' };
  return {
    kind: 'batch',
    reason:
      "every start in one batch on fitBatch's engine (on the caller's host backend and its kernel, as curveFit leases them: the WASM engine on a WASM backend where it runs the fit, else the CPU engine), then the winning start fitted again by the caller's method and backend",
  };
}

function batchProblem(resolved: ResolvedCurveFit, starts: readonly Float64Array[]): BatchProblem {
  const { settings } = resolved;
  const pf = settings.solver.x0.length;
  const p0 = new Float64Array(starts.length * pf);
  starts.forEach((s, i) => p0.set(s, i * pf));
  const { lb, ub } = settings.solver;
  const model = resolved.model as Exclude<ResolvedCurveFit['model'], (...args: never[]) => unknown>;
  const kernel = resolved.kernel;
  const params: BatchParams = {
    model, kernel, fullKernel: kernel, held: null, p: pf, free: Int32Array.from({ length: pf }, (_, j) => j), names: resolved.paramNames,
    p0: { perFit: true, values: p0 }, lb: { perFit: false, values: lb }, ub: { perFit: false, values: ub },
    bounded: [...lb, ...ub].some(Number.isFinite), layout: null,
  };
  return { caller: resolved.caller, data: residentBatchData(resolved.data, starts.length), params, settings, absoluteSigma: resolved.absoluteSigma };
}

function rowsOf(out: BatchOutput, starts: readonly Float64Array[], caller: string): MultiStartOutcome<BatchRow> {
  const search = multiStartSearch<BatchRow>(starts, (r) => r.x);
  let step = search.next();
  for (let i = 0; !step.done; i++) {
    const message = out.messages.get(i);
    if (out.status[i] === -1) {
      step = search.next({ error: new ModelEvaluationError(`${caller}: global start ${i}: ${message?.replace(`${caller}: fit ${i}: `, '') ?? 'could not start'}`, 'p0') });
      continue;
    }
    const x = Array.from(out.popt.subarray(i * out.P, (i + 1) * out.P));
    step = search.next({ result: { cost: out.cost[i]!, nfev: out.nfev[i]!, x } });
  }
  return step.value;
}

/**
 * Run every start as one batch.
 *
 * @param resolved - the resolved call (its model an expression model: see {@link startsEngine}).
 * @param starts - the starts, p0 first.
 * @returns the search over the batch's rows (its `best` a row; the winner still to be fitted again).
 * @throws AbortError when the caller's signal aborts; the first start's error when every start failed.
 */
export async function runStartsBatch(resolved: ResolvedCurveFit, starts: readonly Float64Array[]): Promise<MultiStartOutcome<BatchRow>> {
  return rowsOf(await fitStartsBatch(resolved, starts), starts, resolved.caller);
}

/**
 * Fit every start as one batch and return the batch's rows (popt, cost, status, nfev per start).
 *
 * @param resolved - the resolved call (an expression model).
 * @param starts - the starts.
 * @returns the batch's outputs, one row per start.
 * @throws AbortError when the caller's signal aborts.
 */
export function fitStartsBatch(resolved: ResolvedCurveFit, starts: readonly Float64Array[]): Promise<BatchOutput> {
  return withHostKernel(
    resolved,
    async (host) => {
      const problem = batchProblem(host.resolved, starts);
      const out = allocateOutput(starts.length, problem.params.p);
      const engine =
        host.backend.info.name.startsWith('wasm') && wasmEngineGap(problem) === null
          ? await createLocalEngine(problem)
          : createCpuEngine(problem, { backend: host.backend, reason: `the CPU engine on the caller's ${host.backend.info.name} backend` });
      await runEngine(problem, engine, out, { subBatchSize: DEFAULT_SUB_BATCH, signal: resolved.signal });
      return out;
    },
    { fallbackToCpu: true },
  );
}

/** {@link runStartsBatch} for the synchronous APIs. */
export function runStartsBatchSync(resolved: ResolvedCurveFit, starts: readonly Float64Array[]): MultiStartOutcome<BatchRow> {
  const out = withHostKernelSync(
    resolved,
    (host) => {
      const problem = batchProblem(host.resolved, starts);
      const rows = allocateOutput(starts.length, problem.params.p);
      runEngineSync(problem, createCpuEngine(problem, { backend: host.backend, reason: `the CPU engine on the caller's ${host.backend.info.name} backend` }), rows, resolved.signal);
      return rows;
    },
    { fallbackToCpu: true },
  );
  return rowsOf(out, starts, resolved.caller);
}

/**
 * The search's outcome with the winner fitted again by the caller's own path.
 *
 * @param rows - the batch's outcome.
 * @param result - the caller's fit from the winning start.
 * @returns the outcome whose `best` is that result; its evaluations count the second fit too.
 */
export function withWinner<R extends LocalResult>(rows: MultiStartOutcome<BatchRow>, result: R): MultiStartOutcome<R> {
  return { ...rows, best: result, evaluations: rows.evaluations + result.nfev };
}
