/**
 * The streaming strategy: fit data that need not fit in memory, pass by pass over a source.
 *
 * 1. **Warm-up** (phase 1, optional, on by default): Adam over mini-batches from p0 until one of
 *    the switch criteria of `warmup.ts` fires, then a guard pass that keeps the warm-up point only
 *    if its exact cost is lower than p0's (see `streaming-warmup-phase.ts`).
 * 2. **Exact passes** (phase 2): the chosen solver (trf, dogbox or lm — the same generators the
 *    in-memory strategies run) from that point, each evaluation one full pass of a
 *    {@link StreamingProblem} folding every chunk with the same `BlockEvaluator` as the standard
 *    strategy. Phase 2 is therefore the standard fit started from the warm-up point: same optimum,
 *    same triangle T at the optimum (hence the same covariance), to rounding.
 *
 * Memory is one chunk plus the block workspaces (O(batch)), never O(m). Unlike NLSQ's streaming
 * fit, σ (weights), half-infinite bounds (the warm-up projects onto the strictly feasible box and
 * TRF reflects) and robust losses are honoured.
 *
 * A source that can be read only once (a plain iterator) gets the one-pass mode: Adam over that
 * pass, a result flagged `approximate: true` with a warning, no triangle (no covariance) and
 * status `'max-nfev'` (SciPy code 0, not a success). No checkpoints are taken in that mode (the
 * source could not be re-read to resume).
 *
 * Errors never become results: a malformed chunk, a source that throws or changes between passes,
 * or an abort rejects the returned promise (the solver outcome is never reported as a success
 * after a partial pass).
 *
 * @module
 */
import type { Backend } from '../backends/backend.ts';
import { NlsqRangeError, throwIfAborted } from '../errors.ts';
import type { ModelKernel } from '../model/model-kernel.ts';
import { findActiveConstraints } from '../optim/bounds.ts';
import { DEFAULT_BLOCK_ROWS } from '../workflow/block-rows.ts';
import { createSolver, runSolverAsync } from '../optim/driver.ts';
import { METHODS } from '../options/solver-settings.ts';
import { requireOneOf } from '../options/validate.ts';
import type { Evaluation, IterationInfo, ResidualProblem, SolverGenerator, SolverOutcome } from '../optim/evaluation.ts';
import type { JacobianScheme } from '../optim/finite-difference.ts';
import type { Loss } from '../optim/loss.ts';
import type { SolverOptions } from '../optim/solver-options.ts';
import { type StreamingCheckpoint, type WarmupSummary, validateCheckpoint } from './checkpoint.ts';
import { type DataSource, classifySource } from '../sources/data-source.ts';
import { StreamingProblem } from '../evaluate/streaming-problem.ts';
import { type StreamingContext, type StreamingProgress, completePass, runOnePass, runWarmupPhase } from './streaming-warmup-phase.ts';
import { type WarmupOptions, resolveWarmupOptions } from './warmup.ts';
import { exactCheckpoint, finishOutcome } from './streaming-outcome.ts';

export type { StreamingProgress } from './streaming-warmup-phase.ts';

/** Creates a solver generator for a problem (trf, dogbox, lm or a caller's own). */
export type SolverFactory = (problem: Pick<ResidualProblem, 'p' | 'jacobianIsCheap'>, options: SolverOptions) => SolverGenerator;

/** Default warm-up mini-batch size (points). */
export const DEFAULT_BATCH_SIZE = 2048;

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
}

/** What {@link streamingFit} returns. */
export interface StreamingFitResult {
  /** The solver's outcome (counters include those before a resumed checkpoint). */
  readonly outcome: SolverOutcome;
  /** Number of points (of the last full pass; in one-pass mode, the points read). */
  readonly m: number;
  /** Passes over the source, all phases. */
  readonly passes: number;
  /** Points read over all passes. */
  readonly pointsSeen: number;
  /** True in one-pass mode: x is a mini-batch estimate, T is null. */
  readonly approximate: boolean;
  /** What the warm-up did. */
  readonly warmup: WarmupSummary;
  /** True when the fit continued from `resumeFrom`. */
  readonly resumed: boolean;
  /** Structured warnings (e.g. the one-pass approximation). */
  readonly warnings: readonly string[];
}

const DISABLED: WarmupSummary = Object.freeze({
  enabled: false,
  batches: 0,
  epochs: 0,
  stopReason: 'disabled',
  startCost: null,
  endCost: null,
  used: false,
});

function positiveInteger(v: number | undefined, dflt: number, name: string, caller: string): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < 1) throw new NlsqRangeError(`${caller}: ${name} must be a positive integer, got ${String(v)}`, name);
  return v;
}

function makeContext(o: StreamingFitOptions, source: StreamingContext['source'], caller: string, resume: StreamingCheckpoint | null): StreamingContext {
  return {
    caller,
    backend: o.backend,
    kernel: o.kernel,
    loss: o.loss,
    scheme: o.scheme,
    source,
    lb: o.solver.lb,
    ub: o.solver.ub,
    p0: resume ? Float64Array.from(resume.p0) : Float64Array.from(o.solver.x0),
    batchSize: positiveInteger(o.batchSize, DEFAULT_BATCH_SIZE, 'batchSize', caller),
    blockRows: positiveInteger(o.blockRows, DEFAULT_BLOCK_ROWS, 'blockRows', caller),
    checkpointEvery: positiveInteger(o.checkpointEvery, 1, 'checkpointEvery', caller),
    signal: o.signal,
    onProgress: o.onProgress,
    onCheckpoint: o.onCheckpoint,
    passes: resume?.passes ?? 0,
    pointsSeen: resume?.pointsSeen ?? 0,
    m: resume?.m ?? null,
    lastCheckpointPass: resume?.passes ?? 0,
  };
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
  const ctx = makeContext(options, source, caller, resume);
  throwIfAborted(options.signal, caller);
  if (!source.rereadable) {
    if (resume) throw new NlsqRangeError(`${caller}: resumeFrom needs a re-readable source; this one can be read only once`, 'resumeFrom');
    return onePassResult(ctx, options, warmupOptions);
  }
  let x0 = ctx.p0;
  let summary = DISABLED;
  let first: Evaluation | null = null;
  if (resume?.phase === 'exact') {
    x0 = Float64Array.from(resume.x);
    summary = resume.warmupSummary ?? DISABLED;
  } else if (warmupOptions !== null && warmupOptions.maxEpochs > 0 && warmupOptions.maxBatches > 0) {
    ({ x0, summary, first } = await runWarmupPhase(ctx, warmupOptions, resume?.warmup ?? null));
  } else if (resume?.phase === 'warmup') {
    x0 = Float64Array.from(resume.x); // warm-up checkpoint, warm-up now disabled: start the solver there
  }
  const base = resume?.phase === 'exact' ? resume : null;
  const outcome = await runExactPhase(ctx, options, { x0, first }, summary, base);
  return {
    outcome,
    m: ctx.m!,
    passes: ctx.passes,
    pointsSeen: ctx.pointsSeen,
    approximate: false,
    warmup: summary,
    resumed: resume !== null,
    warnings: [],
  };
}

async function runExactPhase(
  ctx: StreamingContext,
  options: StreamingFitOptions,
  start: { readonly x0: Float64Array; readonly first: Evaluation | null },
  summary: WarmupSummary,
  base: StreamingCheckpoint | null,
): Promise<SolverOutcome> {
  const { x0, first } = start;
  const problem = new StreamingProblem({
    backend: ctx.backend,
    kernel: ctx.kernel,
    source: ctx.source,
    loss: ctx.loss,
    scheme: ctx.scheme,
    blockRows: ctx.blockRows,
    m: ctx.m,
    caller: ctx.caller,
    signal: ctx.signal,
    onPass: (info) => completePass(ctx, info.points, true, 'exact', info.cost),
  });
  const nfev0 = base?.nfev ?? 0;
  const solverOptions: SolverOptions = { ...options.solver, x0, maxNfev: Math.max(1, options.solver.maxNfev - nfev0) };
  try {
    const gen = (options.createSolver ?? createSolver)(problem, solverOptions);
    const outcome = await runSolverAsync(gen, problem, {
      caller: ctx.caller,
      signal: ctx.signal,
      onIteration: options.onIteration,
      // the guard pass's evaluation at x0 answers the solver's first request at x0
      primed: first === null ? null : { x: x0, evaluation: first },
      beforeIteration: async (info, progress) => {
        if (!ctx.onCheckpoint || ctx.passes - ctx.lastCheckpointPass < ctx.checkpointEvery) return;
        ctx.lastCheckpointPass = ctx.passes;
        await ctx.onCheckpoint(exactCheckpoint(ctx, info, base, (base?.njev ?? 0) + progress.jacobians, summary));
      },
    });
    return finishOutcome(outcome, base);
  } finally {
    problem.dispose();
  }
}

async function onePassResult(
  ctx: StreamingContext,
  options: StreamingFitOptions,
  warmupOptions: ReturnType<typeof resolveWarmupOptions> | null,
): Promise<StreamingFitResult> {
  const w = warmupOptions ?? resolveWarmupOptions(undefined, ctx.caller);
  const r = await runOnePass(ctx, w);
  const p = r.x.length;
  const m = ctx.m!;
  const message = `one-pass source: mini-batch (Adam) estimate after ${r.batches} batches over ${m} points (${r.stopReason}); approximate, no exact passes`;
  const outcome: SolverOutcome = {
    x: r.x,
    cost: r.cost,
    T: null,
    grad: new Float64Array(p).fill(NaN),
    optimality: NaN,
    activeMask: findActiveConstraints(r.x, ctx.lb, ctx.ub, options.solver.xtol),
    status: 'max-nfev',
    message,
    nfev: 0,
    njev: 0,
    nit: r.batches,
  };
  return {
    outcome,
    m,
    passes: ctx.passes,
    pointsSeen: ctx.pointsSeen,
    approximate: true,
    warmup: { enabled: true, batches: r.batches, epochs: 1, stopReason: r.stopReason, startCost: null, endCost: null, used: true },
    resumed: false,
    warnings: [
      `${ctx.caller}: the source can be read only once, so the result is a mini-batch (Adam) estimate from one pass: approximate, without exact trust-region passes or a covariance; pass a re-readable source (an iterable or a function returning a fresh iterator) for the exact fit`,
    ],
  };
}
