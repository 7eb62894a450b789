/**
 * Bookkeeping of the exact phase of a streaming fit: the checkpoint taken at a solver iteration,
 * and the outcome with the counters of a resumed run added to those before the checkpoint.
 *
 * @module
 */
import type { IterationInfo, SolverOutcome } from '../optim/evaluation.ts';
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, type StreamingCheckpoint, type WarmupSummary } from './checkpoint.ts';
import type { StreamingContext } from './streaming-warmup-phase.ts';

/**
 * The exact-phase checkpoint at a solver iteration.
 *
 * @param ctx - the fit's context (passes, points, m, p0).
 * @param info - the solver's iteration record (accepted x, cost, nfev, iteration).
 * @param base - the checkpoint this run resumed from, if any (its counters are added).
 * @param jacobianPasses - Jacobian passes so far (including `base`'s), reported as njev.
 * @param summary - the warm-up summary.
 * @returns a JSON-serializable checkpoint.
 */
export function exactCheckpoint(
  ctx: StreamingContext,
  info: IterationInfo,
  base: StreamingCheckpoint | null,
  jacobianPasses: number,
  summary: WarmupSummary,
): StreamingCheckpoint {
  return {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    phase: 'exact',
    p0: Array.from(ctx.p0),
    x: info.params.slice(),
    cost: Number.isFinite(info.cost) ? info.cost : null,
    m: ctx.m,
    passes: ctx.passes,
    pointsSeen: ctx.pointsSeen,
    nfev: (base?.nfev ?? 0) + info.nfev,
    njev: jacobianPasses,
    nit: (base?.nit ?? 0) + info.iteration,
    warmup: null,
    warmupSummary: summary,
  };
}

/**
 * The solver's outcome with the counters before a resumed checkpoint added (nfev, njev, nit).
 *
 * @param outcome - what the solver returned.
 * @param base - the checkpoint resumed from, or null.
 * @returns the outcome to report.
 */
export function finishOutcome(outcome: SolverOutcome, base: StreamingCheckpoint | null): SolverOutcome {
  if (base === null) return outcome;
  return { ...outcome, nfev: outcome.nfev + base.nfev, njev: outcome.njev + base.njev, nit: outcome.nit + base.nit };
}
