/**
 * Phase 1 of a streaming fit as passes over the source: the Adam warm-up epochs (with warm-up
 * checkpoints at epoch ends) and the guard pass that decides whether the warm-up point is handed
 * to the solver.
 *
 * The warm-up reads the data in source order (`mini-batch-pass.ts`), so on sorted data the
 * mini-batch gradients are biased within an epoch. That is why the warm-up is followed by a
 * *guard pass*: one pass evaluating exactly (cost and folded triangle) at p0 — moved strictly
 * inside the bounds as TRF does — and at the warm-up point together (two evaluators over the same
 * chunks). The solver starts from whichever has the lower cost, so the warm-up never makes the
 * starting point worse, and the chosen evaluation answers the solver's first request, so the guard
 * pass is not an extra pass.
 *
 * @module
 */
import { BlockEvaluator } from '../evaluate/block-evaluator.ts';
import { makeStrictlyFeasible } from '../optim/bounds.ts';
import type { Evaluation } from '../optim/evaluation.ts';
import { ChunkNormalizer } from '../sources/data-source.ts';
import { warmupCheckpoint } from './checkpoint.ts';
import { miniBatchEvaluator, miniBatchPass } from './mini-batch-pass.ts';
import { completePass, fingerprintedPass } from './pass-check.ts';
import { type StreamingContext, checkpointIfDue } from './streaming-context.ts';
import { AdamWarmup, type ResolvedWarmupOptions, type WarmupState, type WarmupSummary } from './warmup.ts';

/** What {@link runWarmupPhase} hands to the exact phase. */
export interface WarmupPhaseResult {
  /** The solver's starting point: the warm-up point or (strictly feasible) p0, whichever is lower. */
  readonly x0: Float64Array;
  /** The guard pass's full evaluation at x0 (answers the solver's first request). */
  readonly first: Evaluation;
  /** What the warm-up did. */
  readonly summary: WarmupSummary;
}

/**
 * Run the warm-up epochs (from p0, or from a warm-up checkpoint), emitting warm-up checkpoints
 * at epoch ends, then the guard pass.
 *
 * @param ctx - the fit's context (counters are updated).
 * @param options - resolved warm-up options.
 * @param resume - Adam state from a checkpoint, if resuming in the warm-up.
 * @returns the starting point for the solver, the full evaluation there (from the guard pass) and
 *   the warm-up summary.
 */
export async function runWarmupPhase(
  ctx: StreamingContext,
  options: ResolvedWarmupOptions,
  resume: WarmupState | null,
): Promise<WarmupPhaseResult> {
  const ev = miniBatchEvaluator(ctx);
  const warm = new AdamWarmup(ev, ctx.p0, ctx.lb, ctx.ub, options, resume ?? undefined);
  const normalizer = new ChunkNormalizer(ctx.kernel.nVariables, ctx.caller);
  try {
    while (!warm.done) {
      const pass = await miniBatchPass(ctx, warm, normalizer);
      completePass(ctx, pass.print, pass.full, 'warm-up epoch', pass.cost);
      if (pass.full) warm.endEpoch();
      if (!warm.done) await checkpointIfDue(ctx, () => warmupCheckpoint(ctx, warm.state()));
    }
  } finally {
    ev.dispose();
  }
  const xw = warm.point;
  const start = makeStrictlyFeasible(ctx.p0, ctx.lb, ctx.ub, 1e-10);
  const [e0, ew] = await guardPass(ctx, start, xw, normalizer);
  const c0 = e0.cost;
  const cw = ew.cost;
  const used = Number.isFinite(cw) && !(cw >= c0);
  return {
    x0: used ? xw : start,
    first: used ? ew : e0,
    summary: {
      enabled: true,
      batches: warm.batchCount,
      epochs: warm.epochCount,
      stopReason: warm.stopReason ?? 'max-epochs',
      startCost: Number.isFinite(c0) ? c0 : null,
      endCost: Number.isFinite(cw) ? cw : null,
      used,
    },
  };
}

/**
 * The guard pass: full evaluations (cost and triangle) at a and b in one pass over the source.
 * The chosen one answers the solver's first request, so the guard costs no extra pass.
 */
async function guardPass(
  ctx: StreamingContext,
  a: Float64Array,
  b: Float64Array,
  normalizer: ChunkNormalizer,
): Promise<[Evaluation, Evaluation]> {
  const make = (): BlockEvaluator =>
    new BlockEvaluator({ backend: ctx.backend, kernel: ctx.kernel, loss: ctx.loss, scheme: ctx.scheme, blockRows: ctx.blockRows });
  const ea = make();
  const eb = make();
  try {
    ea.begin(a, true);
    eb.begin(b, true);
    const print = await fingerprintedPass(ctx, normalizer, (c) => {
      ea.addWindow(c.data, 0, c.n);
      eb.addWindow(c.data, 0, c.n);
    });
    const va = ea.finish();
    const vb = eb.finish();
    completePass(ctx, print, true, 'guard pass', Math.min(va.cost, vb.cost));
    return [va, vb];
  } finally {
    ea.dispose();
    eb.dispose();
  }
}
