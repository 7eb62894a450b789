/**
 * `fit(model, x, y, options)` once its options are resolved: plan, lease the backend, run the
 * chosen strategy over the resident arrays.
 *
 * ```
 *   planFit (memory budget × available backends) ─▶ standard: runCurveFit, cache-sized blocks
 *                                                 ├▶ chunked:  runCurveFit, chunk-sized blocks
 *                                                 └▶ streaming: the arrays served as a chunked
 *                                                    source to streamResolved, on a host backend
 * ```
 *
 * The three fold the same Jacobian rows into the same triangle (TSQR), so they reach the same
 * popt and pcov to rounding. Every backend the plan or the streaming swap acquires, and every
 * problem and kernel built on them, is held by one {@link BackendLease}.
 *
 * @module
 */
import type { ResolvedBackend } from '../backends/registry.ts';
import { NlsqRangeError } from '../errors.ts';
import { createCurveFitProblem } from '../evaluate/curve-fit-problem.ts';
import type { ResolvedCurveFit } from '../options/resolve-curve-fit.ts';
import { buildCurveFitResult, type CurveFitResult } from '../result/curve-fit-result.ts';
import type { FitResult } from '../result/fit-result.ts';
import { walkChoices } from '../result/choice.ts';
import { arraySource } from '../sources/data-source.ts';
import type { Plan } from '../workflow/plan.ts';
import { withLease, type BackendLease } from './backend-lease.ts';
import type { FitOptions } from './fit-options.ts';
import { streamFoldFor } from './parallel-fit.ts';
import { hostBackendFor, planFit } from './plan-fit.ts';
import { runCurveFit, type StrategyContext } from './run-curve-fit.ts';
import { explainStart } from './solve.ts';
import { streamResolved } from './stream-resolved.ts';

/**
 * Fit resident arrays with the strategy the plan picks (or the one `options.workflow` forces).
 *
 * @param resolved - from `resolveCurveFitOptions('fit', …)` over the `curveFit` part of the options.
 * @param options - the `fit` options (workflow, memory limit, chunk size, streaming options).
 * @param search - the `global` search, when one was asked for: it runs the strategy from its starts.
 * @returns the result with its plan.
 * @throws NlsqRangeError for a covariance sigma with a workflow other than standard, or `resumeFrom`
 *   when the strategy is not streaming; otherwise as `curveFit`.
 */
export function fitArrays(resolved: ResolvedCurveFit, options: FitOptions, search?: StartSearch): Promise<FitResult> {
  const workflow = resolved.sigma.kind === '2d' ? requireStandard(options) : options.workflow;
  return withLease(async (lease) => {
    const { plan, backend } = await planFit(resolved, options, workflow, lease);
    if (plan.strategy !== 'streaming') refuseResume(options, plan);
    const context: StrategyContext = walkChoices({ kind: 'planned', plan, workflow: options.workflow, chunkSize: options.chunkSize });
    const run = (call: ResolvedCurveFit): Promise<CurveFitResult> =>
      plan.strategy === 'streaming'
        ? streamResident(call, plan, backend, options, context, lease)
        : runCurveFit(call, backend, lease, context, { blockRows: plan.blockRows, cacheResiduals: plan.strategy !== 'chunked' });
    const result = search === undefined ? await run(resolved) : await search(resolved, run);
    return Object.assign(result, { plan }) as FitResult;
  });
}

/**
 * A global search around the planned strategy (`global/global-fit.ts` `searchCurveFit`, handed
 * down by `fit()`): it calls `run` for the starts it fits with the strategy — the winner, or every
 * start where they cannot run as a batch — each with the plan, backend and lease of this fit.
 */
export type StartSearch = (resolved: ResolvedCurveFit, run: (call: ResolvedCurveFit) => Promise<CurveFitResult>) => Promise<CurveFitResult>;

/**
 * A checkpoint resumes the streaming workflow only: the standard and chunked strategies hold the
 * whole problem and take no checkpoints, so `resumeFrom` would be silently ignored there.
 */
function refuseResume(options: FitOptions, plan: Plan): void {
  if (options.resumeFrom === undefined || options.resumeFrom === null) return;
  throw new NlsqRangeError(
    `fit: resumeFrom applies to the streaming workflow (it resumes a checkpoint from onCheckpoint), but this fit runs the ${plan.strategy} strategy; pass workflow: 'streaming' to resume`,
    'resumeFrom',
  );
}

/** A covariance sigma couples every residual: only the standard strategy can honour it. */
function requireStandard(options: FitOptions): 'standard' {
  if (options.workflow !== undefined && options.workflow !== 'auto' && options.workflow !== 'standard') {
    throw new NlsqRangeError(
      `fit: a covariance (2-D) sigma couples all points, so workflow must be 'standard' or 'auto', got '${options.workflow}'`,
      'workflow',
    );
  }
  return 'standard';
}

/** The streaming strategy over resident arrays (served as a chunked source; never on the device). */
async function streamResident(
  resolved: ResolvedCurveFit,
  plan: Plan,
  given: ResolvedBackend,
  options: FitOptions,
  context: StrategyContext,
  lease: BackendLease,
): Promise<CurveFitResult> {
  const backend = await hostBackendFor(given, lease);
  const problem = lease.hold(createCurveFitProblem(resolved, backend.backend));
  const { data } = resolved;
  const sigma = resolved.sigma.kind === '1d' ? resolved.sigma.sigma : null;
  const source = arraySource({ x: data.x.length === 1 ? data.x[0]! : data.x, y: data.y, sigma }, plan.batchSize ?? plan.chunkSize);
  const { fold, choice: workers } = await streamFoldFor(resolved, backend.backend, resolved.n, true, lease);
  const streamed = await streamResolved(resolved, source, backend.backend, options, lease, false, fold).catch((error: unknown) => {
    throw explainStart(resolved, problem, error);
  });
  return buildCurveFitResult(streamed.outcome, resolved, { ...context, ...(workers === undefined ? {} : { workers }), backend, fun: problem.residualVector(streamed.outcome.x) });
}
