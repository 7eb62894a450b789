/**
 * The in-memory data walk: a {@link ResidualProblem} over resident data.
 *
 * One evaluation walks the n points in windows of `blockRows` (a cache-sized block for the
 * standard strategy; the chunk size for the chunked strategy) through a {@link BlockEvaluator}.
 * The N × p Jacobian is never held longer than one block.
 *
 * @module
 */
import type { Backend } from '../backends/backend.ts';
import type { DataColumns, ModelKernel } from '../model/model-kernel.ts';
import { BlockEvaluator } from './block-evaluator.ts';
import type { Evaluation, ResidualProblem } from '../optim/evaluation.ts';
import type { JacobianScheme } from '../optim/finite-difference.ts';
import type { Loss } from '../optim/loss.ts';
import { sameVector } from '../util/same-vector.ts';
import { blockRowsFor } from '../workflow/block-rows.ts';

/** Options of {@link createBlockProblem}. */
export interface BlockProblemOptions {
  readonly backend: Backend;
  readonly kernel: ModelKernel;
  readonly data: DataColumns;
  /** Number of points. */
  readonly n: number;
  readonly loss: Loss | null;
  readonly scheme: JacobianScheme;
  /** Points per block (defaults to `DEFAULT_BLOCK_ROWS` of `workflow/block-rows.ts`, capped at n). */
  readonly blockRows?: number;
  /**
   * Keep the residuals of the last evaluation (n doubles) — cost-only passes, and Jacobian passes
   * through a fused kernel: a finite-difference Jacobian at the same x — the solvers' next
   * request after accepting a step — then skips one model pass, and `residualVector` at that x
   * (for `result.fun`) costs none. Default true; the chunked strategy turns it off to keep its
   * memory O(chunk·p).
   */
  readonly cacheResiduals?: boolean;
}

/** A resident-data problem, plus the residual vector at any x (for `fun` and statistics). */
export interface BlockProblem extends ResidualProblem {
  /** Number of residuals. */
  readonly m: number;
  /** Points per block used by the walk. */
  readonly blockRows: number;
  /** Release the block workspace on the backend (the problem is unusable afterwards). */
  dispose(): void;
  /**
   * Residuals w_i (f(x_i) − y_i) at x, as an array of length m that belongs to the caller: when
   * x is the point of the last evaluation and residuals are cached, the cache itself is handed
   * over (no model pass; the next evaluation allocates a new one). With `out` (length ≥ m) they
   * are written there instead and `out` is returned — a worker writes its share's residuals
   * straight into the main thread's shared memory, with no array of its own in between.
   */
  residualVector(x: Float64Array, out?: Float64Array): Float64Array;
  /**
   * The costs of `count` points (rows of p in `points`) into `out`, in one walk over the data
   * (`BlockEvaluator.costs`): each equals `evaluate(θ_k, false).cost` bitwise. The residual cache
   * is left as it was.
   */
  evaluateCosts(points: Float64Array, count: number, out: Float64Array): void;
}

/**
 * Create the data walk over resident data.
 * @example
 * ```ts
 * const problem = createBlockProblem({ backend: createCpuBackend(), kernel, data, n, loss: null, scheme: { kind: 'analytic' } });
 * const ev = problem.evaluate(x, true); // { cost, m, T }
 * ```
 */
export function createBlockProblem(options: BlockProblemOptions): BlockProblem {
  const { kernel, data, n } = options;
  const blockRows = blockRowsFor(n, options.blockRows);
  const evaluator = new BlockEvaluator({ ...options, blockRows });
  const useCache = options.cacheResiduals !== false;
  const analytic = options.scheme.kind === 'analytic';
  let store: Float64Array | null = null;
  let storedAt: Float64Array | null = null;
  return {
    p: kernel.nParams,
    m: n,
    blockRows,
    jacobianIsCheap: analytic,
    evaluate(x: Float64Array, jacobian: boolean): Evaluation {
      const hit = storedAt !== null && sameVector(storedAt, x);
      // Finite differences read the residuals a cost-only pass at x left. An analytic Jacobian pass
      // keeps them only through a fused kernel (a memcpy per block); copying the residual column
      // out of row-major blocks costs more over a fit than the one model pass `residualVector`
      // needs at the end (measured on wasm-simd).
      const keep = jacobian ? analytic && evaluator.fusesJacobian : true;
      const mode = !useCache ? 'none' : keep ? 'write' : hit && !analytic ? 'read' : 'none';
      if (mode === 'write') {
        storedAt = null;
        store ??= new Float64Array(n);
      }
      evaluator.begin(x, jacobian, store, mode);
      evaluator.addWindow(data, 0, n);
      if (mode === 'write') storedAt = Float64Array.from(x);
      return evaluator.finish();
    },
    evaluateCosts(points: Float64Array, count: number, out: Float64Array): void {
      evaluator.costs(points, count, data, 0, n, out);
    },
    residualVector(x: Float64Array, into?: Float64Array): Float64Array {
      if (store !== null && storedAt !== null && sameVector(storedAt, x)) {
        const cached = store;
        store = null;
        storedAt = null;
        if (into === undefined) return cached;
        into.set(cached.subarray(0, n));
        return into;
      }
      const out = into ?? new Float64Array(n);
      evaluator.residuals(x, data, 0, n, out);
      return out;
    },
    dispose(): void {
      evaluator.dispose();
    },
  };
}
