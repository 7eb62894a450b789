/**
 * The one-pass mode of a streaming fit, for a source that can be read only once (a plain
 * iterator): Adam over the single pass such a source allows, and a result that says what it is —
 * flagged `approximate: true` with a warning, no triangle (hence no covariance), status
 * `'max-nfev'` (SciPy code 0, not a success). Such a source can be neither resumed from a
 * checkpoint nor checkpointed (it could not be re-read to resume), and a second read of it is
 * refused by the source itself (`classifySource`).
 *
 * @module
 */
import { NlsqRangeError } from '../errors.ts';
import { findActiveConstraints } from '../optim/bounds.ts';
import type { SolverOutcome } from '../optim/evaluation.ts';
import { ChunkNormalizer } from '../sources/data-source.ts';
import type { StreamingCheckpoint } from './checkpoint.ts';
import { miniBatchEvaluator, miniBatchPass } from './mini-batch-pass.ts';
import { completePass } from './pass-check.ts';
import type { StreamingContext } from './streaming-context.ts';
import type { StreamingFitResult } from './streaming-outcome.ts';
import { AdamWarmup, type ResolvedWarmupOptions, resolveWarmupOptions } from './warmup.ts';

/** What {@link runOnePass} returns. */
export interface OnePassResult {
  /** The Adam point after the pass. */
  readonly x: Float64Array;
  /** Estimated cost: the recent mean per-point batch cost × points read. */
  readonly cost: number;
  /** Mini-batches used. */
  readonly batches: number;
  /** Why it stopped (`'source-exhausted'` when it read the whole pass). */
  readonly stopReason: string;
}

/**
 * Refuse to resume a fit whose source can be read only once.
 *
 * @param ctx - the fit's context (its caller names the function).
 * @param resume - the checkpoint the caller passed, or null.
 * @throws NlsqRangeError naming `resumeFrom` when there is a checkpoint.
 */
export function refuseOnePassResume(ctx: StreamingContext, resume: StreamingCheckpoint | null): void {
  if (resume) throw new NlsqRangeError(`${ctx.caller}: resumeFrom needs a re-readable source; this one can be read only once`, 'resumeFrom');
}

/**
 * Adam over the single pass a non-re-readable source allows, never stopping on the stall
 * criterion (there is no exact phase to hand over to); stops early only for `maxBatches` or
 * divergence.
 *
 * @param ctx - the fit's context.
 * @param options - resolved warm-up options (the stall and epoch criteria are ignored).
 * @returns the Adam point, its estimated cost (recent mean per-point batch cost × m), batches and the stop reason.
 */
export async function runOnePass(ctx: StreamingContext, options: ResolvedWarmupOptions): Promise<OnePassResult> {
  const ev = miniBatchEvaluator(ctx);
  const warm = new AdamWarmup(ev, ctx.p0, ctx.lb, ctx.ub, { ...options, minImprovement: -Infinity, maxEpochs: Infinity });
  try {
    const { print, full, cost } = await miniBatchPass(ctx, warm, new ChunkNormalizer(ctx.kernel.nVariables, ctx.caller));
    const n = print.points;
    if (n > 0) ctx.m = n;
    completePass(ctx, print, full, 'warm-up epoch', cost);
    return { x: warm.point, cost: warm.recentMeanCost * n, batches: warm.batchCount, stopReason: warm.stopReason ?? 'source-exhausted' };
  } finally {
    ev.dispose();
  }
}

/**
 * The one-pass fit: {@link runOnePass}, reported as an approximate result with its warning.
 *
 * @param ctx - the fit's context.
 * @param warmupOptions - the caller's resolved warm-up options (they configure the mini-batch
 *   fit), or null when the warm-up was disabled (the defaults are used: it is the only way to use
 *   such a source).
 * @param xtol - the solver's xtol (for the active-constraint mask).
 * @returns the approximate streaming result.
 */
export async function onePassFit(ctx: StreamingContext, warmupOptions: ResolvedWarmupOptions | null, xtol: number): Promise<StreamingFitResult> {
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
    activeMask: findActiveConstraints(r.x, ctx.lb, ctx.ub, xtol),
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
    statistics: null,
    warnings: [
      `${ctx.caller}: the source can be read only once, so the result is a mini-batch (Adam) estimate from one pass: approximate, without exact trust-region passes or a covariance; pass a re-readable source (an iterable or a function returning a fresh iterator) for the exact fit`,
    ],
  };
}
