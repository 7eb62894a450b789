/**
 * The streaming strategy: fit data that need not fit in memory, pass by pass over a source.
 * This file holds the options and the order of the phases; each phase has its own file.
 *
 * 1. **Warm-up** (phase 1, optional, on by default): Adam over mini-batches from p0 until one of
 *    the switch criteria of `warmup.ts` fires, then a guard pass that keeps the warm-up point only
 *    if its exact cost is lower than p0's (`warmup-phase.ts`).
 * 2. **Exact passes** (phase 2): the chosen solver from that point, each evaluation one full pass
 *    (`exact-phase.ts`): the standard fit started from the warm-up point.
 *
 * Memory is one chunk plus the block workspaces (O(batch)), never O(m). Unlike NLSQ's streaming
 * fit, σ (weights), half-infinite bounds (the warm-up projects onto the strictly feasible box and
 * TRF reflects) and robust losses are honoured.
 *
 * A source that can be read only once (a plain iterator) gets the one-pass mode (`one-pass.ts`):
 * an approximate mini-batch estimate. Checkpoints and resuming are in `checkpoint.ts`; the shared
 * state of the phases in `streaming-context.ts`; the check that every pass reads the same data in
 * `pass-check.ts`; the optional statistics pass at popt in `streaming-statistics.ts`.
 *
 * Errors never become results: a malformed chunk, a source that throws or changes between passes,
 * or an abort rejects the returned promise (the solver outcome is never reported as a success
 * after a partial pass).
 *
 * @module
 */
import type { Backend } from '../backends/backend.ts';
import type { ChunkFold } from '../evaluate/streaming-problem.ts';
import { throwIfAborted } from '../errors.ts';
import type { ModelKernel } from '../model/model-kernel.ts';
import type { Evaluation, IterationInfo } from '../optim/evaluation.ts';
import type { JacobianScheme } from '../optim/finite-difference.ts';
import type { Loss } from '../optim/loss.ts';
import type { SolverOptions } from '../optim/solver-options.ts';
import { METHODS } from '../options/solver-settings.ts';
import { requireOneOf } from '../options/validate.ts';
import { type DataSource, classifySource } from '../sources/data-source.ts';
import { type StreamingCheckpoint, validateCheckpoint } from './checkpoint.ts';
import { type SolverFactory, runExactPhase } from './exact-phase.ts';
import { onePassFit, refuseOnePassResume } from './one-pass.ts';
import { type StreamingProgress, createStreamingContext } from './streaming-context.ts';
import { type StreamingFitResult, exactResult } from './streaming-outcome.ts';
import { statisticsPass } from './streaming-statistics.ts';
import { WARMUP_DISABLED, type WarmupOptions, resolveWarmupOptions } from './warmup.ts';
import { runWarmupPhase } from './warmup-phase.ts';

export { DEFAULT_BATCH_SIZE, type StreamingProgress } from './streaming-context.ts';
export type { SolverFactory } from './exact-phase.ts';
export type { StreamingFitResult } from './streaming-outcome.ts';

/** Options of {@link streamingFit}. */
export interface StreamingFitOptions {
  /** The data: a re-readable (async) iterable of chunks, a function returning one, or an iterator (one pass). */
  readonly source: DataSource;
  /** Compiled model. */
  readonly kernel: ModelKernel;
  /** Backend for the folds. */
  readonly backend: Backend;
  /** Resolved solver options; `x0` is p0, `lb`/`ub` the bounds, `maxNfev` counts exact-phase evaluations. */
  readonly solver: SolverOptions;
  /** How to create the solver; default: `trf`, `dogbox` or `lm` by `solver.method`. */
  readonly createSolver?: SolverFactory | undefined;
  /** Robust loss (null = linear). */
  readonly loss: Loss | null;
  /** Jacobian scheme. */
  readonly scheme: JacobianScheme;
  /** Warm-up mini-batch size in points (default {@link DEFAULT_BATCH_SIZE}). */
  readonly batchSize?: number | undefined;
  /** Block height of the exact-pass evaluator (default `DEFAULT_BLOCK_ROWS`). */
  readonly blockRows?: number | undefined;
  /**
   * Warm-up options, or false to start the solver at p0. For a one-pass source these options
   * configure the mini-batch fit itself (which then runs even with `false`: it is the only way to
   * use such a source).
   */
  readonly warmup?: WarmupOptions | false | undefined;
  /** Called after every pass. */
  readonly onProgress?: ((progress: StreamingProgress) => void) | undefined;
  /** Called at every solver iteration; returning false stops the fit (status `'stopped'`). */
  readonly onIteration?: ((info: IterationInfo) => boolean | void | Promise<boolean | void>) | undefined;
  /** Receives a JSON-serializable checkpoint every `checkpointEvery` passes (awaited if async). */
  readonly onCheckpoint?: ((state: StreamingCheckpoint) => void | Promise<void>) | undefined;
  /** Passes between checkpoints (default 1). */
  readonly checkpointEvery?: number | undefined;
  /** A checkpoint to continue from (see `checkpoint.ts` for what resuming reproduces). */
  readonly resumeFrom?: unknown;
  /** Cancels the fit between chunks. */
  readonly signal?: AbortSignal | undefined;
  /** Public function name for messages (default `'fit'`). */
  readonly caller?: string | undefined;
  /**
   * When given, one more (checked) pass at popt accumulates the goodness-of-fit statistics with
   * this model (`streaming-statistics.ts`); not for a one-pass source. Default: no statistics pass.
   */
  readonly statisticsKernel?: ModelKernel | undefined;
  /**
   * Who folds the chunks of the exact passes (default: the backend in this thread); the parallel
   * fold (`parallel/parallel-chunk-fold.ts`) hands them to workers. The caller disposes it.
   */
  readonly fold?: ChunkFold | undefined;
}

/**
 * Fit a streaming source: warm-up, then exact solver passes (or the one-pass approximation).
 *
 * @param options - source, kernel, backend, solver options, loss, scheme and the streaming
 *   options (batch size, warm-up, callbacks, checkpointing, resume, signal).
 * @returns the solver outcome with the streaming facts (m, passes, points seen, approximate, warm-up).
 * @throws DataSourceError for a bad or empty source, or one that throws or changes between passes;
 *   NlsqRangeError / NlsqTypeError for bad options or checkpoints; AbortError when `signal` aborts;
 *   ModelEvaluationError when the model is not finite at the starting point.
 * @example
 * ```ts
 * const r = await streamingFit({ source: csvFileSource('big.csv', { x: 't', y: 'v' }), kernel, backend,
 *   solver: { method: 'trf', x0, lb, ub, ftol: 1e-8, xtol: 1e-8, gtol: 1e-8, maxNfev: 300, xScale: new Float64Array([1, 1]), jacobianCostsNfev: 0 },
 *   loss: null, scheme: { kind: 'analytic' } });
 * r.outcome.x; r.passes; r.m;
 * ```
 */
export async function streamingFit(options: StreamingFitOptions): Promise<StreamingFitResult> {
  const caller = options.caller ?? 'fit';
  if (options.createSolver === undefined) requireOneOf(caller, 'method', options.solver.method, METHODS);
  const p = options.kernel.nParams;
  const resume = options.resumeFrom !== undefined && options.resumeFrom !== null ? validateCheckpoint(options.resumeFrom, p, caller) : null;
  const warmupOptions = options.warmup === false ? null : resolveWarmupOptions(options.warmup, caller);
  const source = await classifySource(options.source, caller);
  const ctx = createStreamingContext(options, source, caller, resume);
  throwIfAborted(options.signal, caller);
  if (!source.rereadable) {
    refuseOnePassResume(ctx, resume);
    return onePassFit(ctx, warmupOptions, options.solver.xtol);
  }
  let x0 = ctx.p0;
  let summary = WARMUP_DISABLED;
  let first: Evaluation | null = null;
  if (resume?.phase === 'exact') {
    x0 = Float64Array.from(resume.x);
    summary = resume.warmupSummary ?? WARMUP_DISABLED;
  } else if (warmupOptions !== null && warmupOptions.maxEpochs > 0 && warmupOptions.maxBatches > 0) {
    ({ x0, summary, first } = await runWarmupPhase(ctx, warmupOptions, resume?.warmup ?? null));
  } else if (resume?.phase === 'warmup') {
    x0 = Float64Array.from(resume.x); // warm-up checkpoint, warm-up now disabled: start the solver there
  }
  const base = resume?.phase === 'exact' ? resume : null;
  const outcome = await runExactPhase(ctx, {
    solver: options.solver,
    createSolver: options.createSolver,
    onIteration: options.onIteration,
    start: { x0, first },
    summary,
    base,
  });
  const statistics = options.statisticsKernel === undefined ? null : await statisticsPass(ctx, options.statisticsKernel, outcome.x);
  return exactResult(ctx, outcome, summary, resume !== null, statistics);
}
