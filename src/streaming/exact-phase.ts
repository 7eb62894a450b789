/**
 * Phase 2 of a streaming fit: the exact passes. The chosen solver (trf, dogbox or lm — the same
 * generators the in-memory strategies run) starts from the warm-up point (or p0, or a
 * checkpoint's iterate), each evaluation one full pass of a {@link StreamingProblem} folding every
 * chunk with the same `BlockEvaluator` as the standard strategy. Phase 2 is therefore the standard
 * fit started from that point: same optimum, same triangle T at the optimum (hence the same
 * covariance), to rounding. Exact-phase checkpoints are emitted before solver iterations.
 *
 * @module
 */
import { createSolver, runSolverAsync } from '../optim/driver.ts';
import type { Evaluation, IterationInfo, ResidualProblem, SolverGenerator, SolverOutcome } from '../optim/evaluation.ts';
import type { SolverOptions } from '../optim/solver-options.ts';
import { StreamingProblem } from '../evaluate/streaming-problem.ts';
import { type StreamingCheckpoint, exactCheckpoint, withResumedCounters } from './checkpoint.ts';
import { completePass } from './pass-check.ts';
import { PassFingerprint } from './pass-fingerprint.ts';
import { type StreamingContext, checkpointIfDue } from './streaming-context.ts';
import type { WarmupSummary } from './warmup.ts';

/** Creates a solver generator for a problem (trf, dogbox, lm or a caller's own). */
export type SolverFactory = (problem: Pick<ResidualProblem, 'p' | 'jacobianIsCheap'>, options: SolverOptions) => SolverGenerator;

/** What the exact phase runs and from where. */
export interface ExactPhaseOptions {
  /** Resolved solver options (`x0` is replaced by `start.x0`; `maxNfev` counts the whole fit). */
  readonly solver: SolverOptions;
  /** How to create the solver; default: `trf`, `dogbox` or `lm` by `solver.method`. */
  readonly createSolver?: SolverFactory | undefined;
  /** Called at every solver iteration; returning false stops the fit (status `'stopped'`). */
  readonly onIteration?: ((info: IterationInfo) => boolean | void | Promise<boolean | void>) | undefined;
  /** The starting point, and the guard pass's evaluation there (answers the first request) if any. */
  readonly start: { readonly x0: Float64Array; readonly first: Evaluation | null };
  /** What the warm-up did (recorded in the checkpoints). */
  readonly summary: WarmupSummary;
  /** The exact-phase checkpoint this run resumes from, or null (its counters and budget carry over). */
  readonly base: StreamingCheckpoint | null;
}

/**
 * Run the solver over exact passes.
 *
 * @param ctx - the fit's context (counters updated by every pass).
 * @param o - solver, factory, iteration callback, start, warm-up summary and resumed checkpoint.
 * @returns the solver's outcome with the counters of a resumed checkpoint added.
 * @throws DataSourceError when a pass fails or reads other data; AbortError on abort; whatever a
 *   callback throws (the solver generator is closed in every case).
 */
export async function runExactPhase(ctx: StreamingContext, o: ExactPhaseOptions): Promise<SolverOutcome> {
  const { start: { x0, first }, base, summary } = o;
  let print = new PassFingerprint(ctx.kernel.nVariables);
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
    fold: ctx.fold,
    onChunk: (chunk) => print.add(chunk),
    onPass: (info) => {
      completePass(ctx, print, true, 'exact pass', info.cost);
      print = new PassFingerprint(ctx.kernel.nVariables);
    },
  });
  const nfev0 = base?.nfev ?? 0;
  const solverOptions: SolverOptions = { ...o.solver, x0, maxNfev: Math.max(1, o.solver.maxNfev - nfev0) };
  try {
    const gen = (o.createSolver ?? createSolver)(problem, solverOptions);
    const outcome = await runSolverAsync(gen, problem, {
      caller: ctx.caller,
      signal: ctx.signal,
      onIteration: o.onIteration,
      // the guard pass's evaluation at x0 answers the solver's first request at x0
      primed: first === null ? null : { x: x0, evaluation: first },
      beforeIteration: (info, progress) =>
        checkpointIfDue(ctx, () => exactCheckpoint(ctx, info, base, (base?.njev ?? 0) + progress.jacobians, summary)),
    });
    return withResumedCounters(outcome, base);
  } finally {
    problem.dispose();
  }
}
