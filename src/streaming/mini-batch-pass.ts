/**
 * One pass over the source read as Adam mini-batches: each chunk is cut into consecutive batches
 * of `batchSize` points (batches never span chunks, so nothing is copied; a chunk smaller than
 * `batchSize` is one batch), each folded by a block evaluator and handed to {@link AdamWarmup}.
 * The data are read in source order — a stream cannot be shuffled without holding it.
 *
 * Used by the warm-up epochs (`warmup-phase.ts`) and by the one-pass mode (`one-pass.ts`).
 *
 * @module
 */
import { BlockEvaluator } from '../evaluate/block-evaluator.ts';
import type { ChunkNormalizer } from '../sources/data-source.ts';
import { fingerprintedPass } from './pass-check.ts';
import type { PassFingerprint } from './pass-fingerprint.ts';
import type { StreamingContext } from './streaming-context.ts';
import type { AdamWarmup } from './warmup.ts';

/** What {@link miniBatchPass} read. */
export interface MiniBatchPass {
  /** What the pass read (its points, and the sums checked when the pass was full). */
  readonly print: PassFingerprint;
  /** True when the pass read the whole source (the warm-up did not stop inside it). */
  readonly full: boolean;
  /** Σ of the batch costs, each at the iterate current when its batch was read. */
  readonly cost: number;
}

/**
 * The evaluator of the mini-batches: blocks no taller than a batch.
 *
 * @param ctx - the fit's context (backend, kernel, loss, scheme, batch size, block rows).
 * @returns a block evaluator the caller disposes.
 */
export function miniBatchEvaluator(ctx: StreamingContext): BlockEvaluator {
  return new BlockEvaluator({
    backend: ctx.backend,
    kernel: ctx.kernel,
    loss: ctx.loss,
    scheme: ctx.scheme,
    blockRows: Math.min(ctx.batchSize, ctx.blockRows),
  });
}

/**
 * Read one pass as mini-batches through `warm`, stopping (and closing the source) as soon as a
 * switch criterion fires.
 *
 * @param ctx - the fit's context.
 * @param warm - the Adam state, stepped once per batch.
 * @param normalizer - the chunk validator.
 * @returns the fingerprint of what was read, whether the pass was full, and Σ batch costs.
 */
export async function miniBatchPass(ctx: StreamingContext, warm: AdamWarmup, normalizer: ChunkNormalizer): Promise<MiniBatchPass> {
  let stopped = false;
  let cost = 0;
  const print = await fingerprintedPass(ctx, normalizer, (c) => {
    for (let s = 0; s < c.n; s += ctx.batchSize) {
      cost += warm.step(c.data, s, Math.min(ctx.batchSize, c.n - s));
      if (warm.done) {
        stopped = true; // the rest of the pass is not read: m is not counted by this pass
        return false;
      }
    }
    return true;
  });
  return { print, full: !stopped, cost };
}
