/**
 * The context of one streaming fit: what every phase shares — the problem pieces (backend,
 * kernel, loss, Jacobian scheme, bounds, p0), the classified source, the streaming settings, the
 * callbacks and the mutable counters (passes, points seen, m) — with its construction from the
 * caller's options (and a checkpoint's counters when resuming), and the rule for when a
 * checkpoint is due.
 *
 * @module
 */
import type { Backend } from '../backends/backend.ts';
import { NlsqRangeError } from '../errors.ts';
import type { ChunkFold } from '../evaluate/streaming-problem.ts';
import type { ModelKernel } from '../model/model-kernel.ts';
import type { JacobianScheme } from '../optim/finite-difference.ts';
import type { Loss } from '../optim/loss.ts';
import type { PassSource } from '../sources/data-source.ts';
import { DEFAULT_BLOCK_ROWS } from '../workflow/block-rows.ts';
import type { StreamingCheckpoint } from './checkpoint.ts';
import type { PassFingerprint } from './pass-fingerprint.ts';

/** Default warm-up mini-batch size (points). */
export const DEFAULT_BATCH_SIZE = 2048;

/** Progress of a streaming fit, passed to `onProgress` after every pass. */
export interface StreamingProgress {
  /** `'warmup'` for warm-up epochs and the guard pass, `'exact'` for solver passes. */
  readonly phase: 'warmup' | 'exact';
  /** 1-based pass number over the whole fit. */
  readonly pass: number;
  /** Points read so far. */
  readonly pointsSeen: number;
  /**
   * Exact ½Σρ at one point for exact and guard passes; for a warm-up epoch the sum of the
   * mini-batch costs, each at the iterate current when its batch was read (an estimate).
   */
  readonly cost: number;
}

/** What the phases share: the problem pieces, counters and callbacks of one fit. */
export interface StreamingContext {
  /** Public function name for messages. */
  readonly caller: string;
  /** Backend of the folds. */
  readonly backend: Backend;
  /** Compiled model. */
  readonly kernel: ModelKernel;
  /** Robust loss, or null for linear. */
  readonly loss: Loss | null;
  /** Jacobian scheme. */
  readonly scheme: JacobianScheme;
  /** The classified source. */
  readonly source: PassSource;
  /** Lower bounds. */
  readonly lb: Float64Array;
  /** Upper bounds. */
  readonly ub: Float64Array;
  /** The caller's starting point. */
  readonly p0: Float64Array;
  /** Points per warm-up mini-batch. */
  readonly batchSize: number;
  /** Block height of the evaluators. */
  readonly blockRows: number;
  /** Passes between checkpoints. */
  readonly checkpointEvery: number;
  /** Abort signal. */
  readonly signal: AbortSignal | undefined;
  /** Progress callback. */
  readonly onProgress: ((p: StreamingProgress) => void) | undefined;
  /** Checkpoint callback. */
  readonly onCheckpoint: ((state: StreamingCheckpoint) => void | Promise<void>) | undefined;
  /** Passes so far (mutable counter). */
  passes: number;
  /** Points read so far (mutable counter). */
  pointsSeen: number;
  /** Number of points once a full pass has counted it. */
  m: number | null;
  /** Pass count at the last checkpoint. */
  lastCheckpointPass: number;
  /** Fingerprint of the first full pass, which every later full pass must match (`pass-check.ts`). */
  reference: PassFingerprint | null;
  /** Who folds the chunks of the exact passes (undefined: the backend in this thread). */
  readonly fold: ChunkFold | undefined;
}

/** The caller's settings a context is built from (a subset of the streaming fit's options). */
export interface StreamingContextOptions {
  /** Compiled model. */
  readonly kernel: ModelKernel;
  /** Backend for the folds. */
  readonly backend: Backend;
  /** The starting point and bounds. */
  readonly solver: { readonly x0: Float64Array; readonly lb: Float64Array; readonly ub: Float64Array };
  /** Robust loss (null = linear). */
  readonly loss: Loss | null;
  /** Jacobian scheme. */
  readonly scheme: JacobianScheme;
  /** Warm-up mini-batch size in points (default {@link DEFAULT_BATCH_SIZE}). */
  readonly batchSize?: number | undefined;
  /** Block height of the evaluators (default `DEFAULT_BLOCK_ROWS`). */
  readonly blockRows?: number | undefined;
  /** Passes between checkpoints (default 1). */
  readonly checkpointEvery?: number | undefined;
  /** Cancels the fit between chunks. */
  readonly signal?: AbortSignal | undefined;
  /** Called after every pass. */
  readonly onProgress?: ((progress: StreamingProgress) => void) | undefined;
  /** Receives a checkpoint every `checkpointEvery` passes. */
  readonly onCheckpoint?: ((state: StreamingCheckpoint) => void | Promise<void>) | undefined;
  /** Who folds the chunks of the exact passes (default: the backend in this thread). */
  readonly fold?: ChunkFold | undefined;
}

function positiveInteger(v: number | undefined, dflt: number, name: string, caller: string): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < 1) throw new NlsqRangeError(`${caller}: ${name} must be a positive integer, got ${String(v)}`, name);
  return v;
}

/**
 * Build the context of a fit. A resumed fit takes p0 and the counters (passes, points seen, m)
 * from its checkpoint, so that its counters continue those of the interrupted run.
 *
 * @param o - the caller's settings.
 * @param source - the classified source.
 * @param caller - public function name for messages.
 * @param resume - the validated checkpoint to continue from, or null.
 * @returns a fresh context.
 * @throws NlsqRangeError when batchSize, blockRows or checkpointEvery is not a positive integer.
 */
export function createStreamingContext(
  o: StreamingContextOptions,
  source: PassSource,
  caller: string,
  resume: StreamingCheckpoint | null,
): StreamingContext {
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
    reference: null,
    fold: o.fold,
  };
}

/**
 * Hand a checkpoint to `onCheckpoint` when one is due: at least `checkpointEvery` passes since
 * the last one. The checkpoint is built only then.
 *
 * @param ctx - the fit's context (its last-checkpoint pass is updated).
 * @param make - builds the checkpoint.
 * @returns once the callback (awaited if async) has returned.
 */
export async function checkpointIfDue(ctx: StreamingContext, make: () => StreamingCheckpoint): Promise<void> {
  if (!ctx.onCheckpoint || ctx.passes - ctx.lastCheckpointPass < ctx.checkpointEvery) return;
  ctx.lastCheckpointPass = ctx.passes;
  await ctx.onCheckpoint(make());
}
