/**
 * The outcome of a streaming fit: the solver's outcome together with the streaming facts (number
 * of points, passes, points read, whether the result is approximate, what the warm-up did,
 * whether the fit resumed, warnings), and its assembly for an exact fit. The one-pass mode builds
 * its own (approximate) outcome in `one-pass.ts`.
 *
 * @module
 */
import type { SolverOutcome } from '../optim/evaluation.ts';
import type { FitStatistics } from '../result/statistics.ts';
import type { StreamingContext } from './streaming-context.ts';
import type { WarmupSummary } from './warmup.ts';

/** What a streaming fit returns. */
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
  /** Goodness-of-fit statistics from the statistics pass at popt, when it was asked for; else null. */
  readonly statistics: FitStatistics | null;
}

/**
 * The result of an exact streaming fit (warm-up, if any, then exact passes).
 *
 * @param ctx - the fit's context (m, passes, points seen).
 * @param outcome - the solver's outcome, resumed counters included.
 * @param warmup - what the warm-up did.
 * @param resumed - whether the fit continued from a checkpoint.
 * @param statistics - from the statistics pass, or null.
 * @returns the streaming result.
 */
export function exactResult(
  ctx: StreamingContext,
  outcome: SolverOutcome,
  warmup: WarmupSummary,
  resumed: boolean,
  statistics: FitStatistics | null,
): StreamingFitResult {
  return {
    outcome,
    m: ctx.m!,
    passes: ctx.passes,
    pointsSeen: ctx.pointsSeen,
    approximate: false,
    warmup,
    resumed,
    warnings: [],
    statistics,
  };
}
