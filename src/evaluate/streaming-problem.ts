/**
 * The streaming data walk: a {@link ResidualProblem} whose every evaluation is one full pass over
 * a re-readable source.
 *
 * Each `evaluate(x, jacobian)` opens a new pass, validates each chunk as it arrives
 * ({@link ChunkNormalizer}), and feeds it to a {@link BlockEvaluator} — the same object the
 * standard and chunked strategies use — which evaluates the model in blocks of `blockRows`
 * points, applies the robust-loss scaling and folds the rows into the (p+1)×(p+1) triangle T by
 * Householder TSQR. Only the current chunk and the block workspace are resident, so memory is
 * O(chunk + blockRows·(p+1)) whatever the number of points; since TSQR is independent of the
 * block order up to rounding, the evaluation equals the in-memory one to O(ε) and the solver takes
 * the same steps.
 *
 * The first pass counts m; later passes must yield the same number of points (a source that
 * changes between passes is an error, not a silently different problem).
 *
 * @module
 */
import type { Backend } from '../backends/backend.ts';
import { DataSourceError } from '../errors.ts';
import type { DataColumns, ModelKernel } from '../model/model-kernel.ts';
import { BlockEvaluator } from './block-evaluator.ts';
import type { Evaluation, ResidualProblem } from '../optim/evaluation.ts';
import type { JacobianScheme } from '../optim/finite-difference.ts';
import type { Loss } from '../optim/loss.ts';
import { ChunkNormalizer, type NormalizedChunk, type PassSource, readPass } from '../sources/data-source.ts';

/** Information passed to {@link StreamingProblemOptions.onPass} after each pass. */
export interface PassInfo {
  /** 1-based pass number (counting the passes of this problem only). */
  readonly pass: number;
  /** Points read in this pass (m). */
  readonly points: number;
  /** Points read over all passes of this problem. */
  readonly pointsSeen: number;
  /** Cost ½Σρ(f²) of the pass. */
  readonly cost: number;
  /** Whether the pass folded the Jacobian. */
  readonly jacobian: boolean;
}

/**
 * Who folds the chunks of a pass: by default a {@link BlockEvaluator} in this thread; the parallel
 * walk (`parallel/parallel-chunk-fold.ts`) hands each chunk to a worker instead and merges the
 * workers' triangles in chunk order. The pass itself — reading, validation, the point count,
 * the callbacks — is the problem's, whoever folds.
 */
export interface ChunkFold {
  /** Start a pass at x (`jacobian`: fold the Jacobian too). */
  begin(x: Float64Array, jacobian: boolean): void;
  /** Fold the first n points of a validated chunk; may wait (back-pressure). The chunk's arrays are the source's: copy what must outlive the call. */
  add(data: DataColumns, n: number): void | Promise<void>;
  /** The pass's evaluation once every chunk is folded. */
  finish(): Evaluation | Promise<Evaluation>;
  /** A pass that failed midway: settle what is in flight (no result). */
  abandon(): Promise<void>;
}

/** Options of {@link StreamingProblem}. */
export interface StreamingProblemOptions {
  /** Backend doing the folds. */
  readonly backend: Backend;
  /** Compiled model. */
  readonly kernel: ModelKernel;
  /** A re-readable classified source (see `classifySource`). */
  readonly source: PassSource;
  /** Robust loss, or null for linear. */
  readonly loss: Loss | null;
  /** Jacobian scheme. */
  readonly scheme: JacobianScheme;
  /** Points per block of the evaluator (the workspace height). */
  readonly blockRows: number;
  /** Known number of points (e.g. from a checkpoint), checked against every pass. */
  readonly m?: number | null;
  /** Function name for messages (default `'fit'`). */
  readonly caller?: string;
  /** Abort signal checked between chunks. */
  readonly signal?: AbortSignal | undefined;
  /** Called after each completed pass. */
  readonly onPass?: ((info: PassInfo) => void) | undefined;
  /** Called with each validated chunk of a pass, before it is folded (e.g. to fingerprint the data). */
  readonly onChunk?: ((chunk: NormalizedChunk) => void) | undefined;
  /** Who folds the chunks (default: a `BlockEvaluator` in this thread); the caller disposes it. */
  readonly fold?: ChunkFold | undefined;
}

/** The default fold: a {@link BlockEvaluator} in this thread. */
function localFold(evaluator: BlockEvaluator): ChunkFold {
  return {
    begin: (x, jacobian) => evaluator.begin(x, jacobian),
    add: (data, n) => evaluator.addWindow(data, 0, n),
    finish: () => evaluator.finish(),
    abandon: () => Promise.resolve(),
  };
}

/**
 * A residual problem evaluated by full passes over a streaming source.
 *
 * @example
 * ```ts
 * const problem = new StreamingProblem({ backend, kernel, source: await classifySource(src), loss: null,
 *   scheme: { kind: 'analytic' }, blockRows: 4096 });
 * const ev = await problem.evaluate(x, true); // { cost, m, T } — one pass
 * ```
 */
export class StreamingProblem implements ResidualProblem {
  /** Number of parameters. */
  readonly p: number;
  /** Fused analytic kernels give the Jacobian with the residuals (as the in-memory walk). */
  readonly jacobianIsCheap: boolean;
  /** Completed passes. */
  passes = 0;
  /** Points read over all passes. */
  pointsSeen = 0;
  private mKnown: number | null;
  private readonly evaluator: BlockEvaluator | null;
  private readonly fold: ChunkFold;
  private readonly normalizer: ChunkNormalizer;
  private readonly options: StreamingProblemOptions;

  /**
   * @param options - backend, kernel, source, loss, scheme, block size, callbacks.
   * @throws DataSourceError when the source cannot be re-read.
   */
  constructor(options: StreamingProblemOptions) {
    const caller = options.caller ?? 'fit';
    if (!options.source.rereadable) {
      throw new DataSourceError(`${caller}: exact streaming passes need a re-readable source; this one can be read only once`);
    }
    this.options = options;
    this.p = options.kernel.nParams;
    this.jacobianIsCheap = options.scheme.kind === 'analytic';
    this.mKnown = options.m ?? null;
    this.evaluator =
      options.fold !== undefined
        ? null
        : new BlockEvaluator({ backend: options.backend, kernel: options.kernel, loss: options.loss, scheme: options.scheme, blockRows: options.blockRows });
    this.fold = options.fold ?? localFold(this.evaluator!);
    this.normalizer = new ChunkNormalizer(options.kernel.nVariables, caller);
  }

  /** Number of points, known after the first pass (null before). */
  get m(): number | null {
    return this.mKnown;
  }

  /**
   * One pass: cost (and T when `jacobian`) at x.
   *
   * @param x - parameters.
   * @param jacobian - fold the Jacobian too.
   * @returns the evaluation over every point of the source.
   * @throws DataSourceError for an empty source, a malformed chunk, a source that throws, or a
   *   point count that differs from the first pass; AbortError when the signal aborts.
   */
  async evaluate(x: Float64Array, jacobian: boolean): Promise<Evaluation> {
    const { source, signal } = this.options;
    const caller = this.options.caller ?? 'fit';
    const fold = this.fold;
    fold.begin(x, jacobian);
    const { onChunk } = this.options;
    const visit = (c: NormalizedChunk): void | Promise<void> => {
      onChunk?.(c);
      return fold.add(c.data, c.n);
    };
    let n: number;
    try {
      n = await readPass(await source.open(), this.normalizer, visit, signal, caller);
    } catch (error) {
      await fold.abandon();
      throw error;
    }
    const result = await fold.finish();
    if (n === 0) throw new DataSourceError(`${caller}: source yielded no data points (no chunks, or only empty ones)`);
    if (this.mKnown !== null && n !== this.mKnown) {
      throw new DataSourceError(
        `${caller}: source yielded ${n} points on pass ${this.passes + 1} but ${this.mKnown} before; a re-readable source must yield the same data on every pass`,
      );
    }
    this.mKnown = n;
    this.passes++;
    this.pointsSeen += n;
    this.options.onPass?.({ pass: this.passes, points: n, pointsSeen: this.pointsSeen, cost: result.cost, jacobian });
    return result;
  }

  /** Release the evaluator's workspace (a `fold` given in the options is the caller's to dispose). */
  dispose(): void {
    this.evaluator?.dispose();
  }
}
