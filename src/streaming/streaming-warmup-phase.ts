/**
 * Phase 1 of a streaming fit as passes over the source: the Adam warm-up epochs, the guard pass
 * that decides whether the warm-up point is handed to the solver, and the one-pass mode for
 * sources that cannot be re-read.
 *
 * The warm-up reads each chunk as consecutive mini-batches of `batchSize` points (batches never
 * span chunks, so nothing is copied; a chunk smaller than `batchSize` is one batch). It reads the
 * data in source order — a stream cannot be shuffled without holding it — so on sorted data the
 * mini-batch gradients are biased within an epoch. That is why the warm-up is followed by a
 * *guard pass*: one pass evaluating exactly (cost and folded triangle) at p0 — moved strictly
 * inside the bounds as TRF does — and at the warm-up point together (two evaluators over the same
 * chunks). The solver starts from whichever has the lower cost, so the warm-up never makes the
 * starting point worse, and the chosen evaluation answers the solver's first request, so the guard
 * pass is not an extra pass.
 *
 * @module
 */
import type { Backend } from '../backends/backend.ts';
import { DataSourceError } from '../errors.ts';
import type { ModelKernel } from '../model/model-kernel.ts';
import { BlockEvaluator } from '../evaluate/block-evaluator.ts';
import { makeStrictlyFeasible } from '../optim/bounds.ts';
import type { Evaluation } from '../optim/evaluation.ts';
import type { JacobianScheme } from '../optim/finite-difference.ts';
import type { Loss } from '../optim/loss.ts';
import type { StreamingCheckpoint, WarmupSummary } from './checkpoint.ts';
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION } from './checkpoint.ts';
import { ChunkNormalizer, type PassSource, readPass } from '../sources/data-source.ts';
import { AdamWarmup, type ResolvedWarmupOptions, type WarmupState } from './warmup.ts';

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
}

/**
 * Record a completed pass of n points (checking m when the pass was full) and report progress.
 *
 * @param ctx - the fit's context (counters updated).
 * @param n - points read by the pass.
 * @param full - whether the pass read the whole source.
 * @param phase - which phase the pass belongs to.
 * @param cost - the cost reported to `onProgress`.
 * @throws DataSourceError for an empty pass or a full pass whose point count differs from m.
 */
export function completePass(ctx: StreamingContext, n: number, full: boolean, phase: 'warmup' | 'exact', cost: number): void {
  if (n === 0) throw new DataSourceError(`${ctx.caller}: source yielded no data points (no chunks, or only empty ones)`);
  ctx.passes++;
  ctx.pointsSeen += n;
  if (full) {
    if (ctx.m !== null && ctx.m !== n) {
      throw new DataSourceError(
        `${ctx.caller}: source yielded ${n} points on pass ${ctx.passes} but ${ctx.m} before; a re-readable source must yield the same data on every pass`,
      );
    }
    ctx.m = n;
  }
  ctx.onProgress?.({ phase, pass: ctx.passes, pointsSeen: ctx.pointsSeen, cost });
}

/** What {@link runWarmupPhase} hands to the exact phase. */
export interface WarmupPhaseResult {
  /** The solver's starting point: the warm-up point or (strictly feasible) p0, whichever is lower. */
  readonly x0: Float64Array;
  /** The guard pass's full evaluation at x0 (answers the solver's first request). */
  readonly first: Evaluation;
  /** What the warm-up did. */
  readonly summary: WarmupSummary;
}

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

function warmupEvaluator(ctx: StreamingContext): BlockEvaluator {
  return new BlockEvaluator({
    backend: ctx.backend,
    kernel: ctx.kernel,
    loss: ctx.loss,
    scheme: ctx.scheme,
    blockRows: Math.min(ctx.batchSize, ctx.blockRows),
  });
}

/** Read one pass as mini-batches through `warm`; returns points read, whether the pass was full, and Σ batch costs. */
async function warmupPass(ctx: StreamingContext, warm: AdamWarmup, normalizer: ChunkNormalizer): Promise<[number, boolean, number]> {
  let stopped = false;
  let cost = 0;
  const n = await readPass(
    await ctx.source.open(),
    normalizer,
    (c) => {
      for (let s = 0; s < c.n; s += ctx.batchSize) {
        cost += warm.step(c.data, s, Math.min(ctx.batchSize, c.n - s));
        if (warm.done) {
          stopped = true; // the rest of the pass is not read: m is not counted by this pass
          return false;
        }
      }
      return true;
    },
    ctx.signal,
    ctx.caller,
  );
  return [n, !stopped, cost];
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
  const ev = warmupEvaluator(ctx);
  const warm = new AdamWarmup(ev, ctx.p0, ctx.lb, ctx.ub, options, resume ?? undefined);
  const normalizer = new ChunkNormalizer(ctx.kernel.nVariables, ctx.caller);
  try {
    while (!warm.done) {
      const [n, full, cost] = await warmupPass(ctx, warm, normalizer);
      completePass(ctx, n, full, 'warmup', cost);
      if (full) warm.endEpoch();
      if (!warm.done && ctx.onCheckpoint && ctx.passes - ctx.lastCheckpointPass >= ctx.checkpointEvery) {
        ctx.lastCheckpointPass = ctx.passes;
        await ctx.onCheckpoint(warmupCheckpoint(ctx, warm.state()));
      }
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

function warmupCheckpoint(ctx: StreamingContext, state: WarmupState): StreamingCheckpoint {
  return {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    phase: 'warmup',
    p0: Array.from(ctx.p0),
    x: state.x,
    cost: null,
    m: ctx.m,
    passes: ctx.passes,
    pointsSeen: ctx.pointsSeen,
    nfev: 0,
    njev: 0,
    nit: 0,
    warmup: state,
    warmupSummary: null,
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
    const n = await readPass(
      await ctx.source.open(),
      normalizer,
      (c) => {
        ea.addWindow(c.data, 0, c.n);
        eb.addWindow(c.data, 0, c.n);
      },
      ctx.signal,
      ctx.caller,
    );
    const va = ea.finish();
    const vb = eb.finish();
    completePass(ctx, n, true, 'warmup', Math.min(va.cost, vb.cost));
    return [va, vb];
  } finally {
    ea.dispose();
    eb.dispose();
  }
}

/**
 * One-pass mode: Adam over the single pass a non-re-readable source allows, never stopping on
 * the stall criterion (there is no exact phase to hand over to); stops early only for
 * `maxBatches` or divergence.
 *
 * @param ctx - the fit's context.
 * @param options - resolved warm-up options (the stall and epoch criteria are ignored).
 * @returns the Adam point, its estimated cost (recent mean per-point batch cost × m), batches and the stop reason.
 */
export async function runOnePass(
  ctx: StreamingContext,
  options: ResolvedWarmupOptions,
): Promise<OnePassResult> {
  const ev = warmupEvaluator(ctx);
  const warm = new AdamWarmup(ev, ctx.p0, ctx.lb, ctx.ub, { ...options, minImprovement: -Infinity, maxEpochs: Infinity });
  try {
    const [n, full, cost] = await warmupPass(ctx, warm, new ChunkNormalizer(ctx.kernel.nVariables, ctx.caller));
    if (n > 0) ctx.m = n;
    completePass(ctx, n, full, 'warmup', cost);
    return { x: warm.point, cost: warm.recentMeanCost * n, batches: warm.batchCount, stopReason: warm.stopReason ?? 'source-exhausted' };
  } finally {
    ev.dispose();
  }
}
