/**
 * The data walk of one evaluation: model → residual rows → robust-loss scaling → QR fold.
 *
 * A {@link BlockEvaluator} evaluates the residuals (and, when asked, the Jacobian) at one
 * parameter vector over any number of data windows, in blocks of at most `blockRows` points,
 * and folds each block into the augmented triangle T (see `backends/backend.ts`). Memory is one
 * block workspace (blockRows × (p+1)) plus three residual columns for finite differences,
 * allocated once per evaluator and reused: nothing grows with N.
 *
 * Per block the walk is: fill rows `[J_i | r_i]` (fused analytic kernel, or finite differences
 * through `planDifferences`), then for a robust loss accumulate ρ(r_i²) and rescale the row as
 * SciPy's `scale_for_robust_loss_function`, then `backend.foldRows`. With the plain loss and an
 * exact Jacobian, a kernel that can fold on the backend itself (`ModelKernel.foldRows`: the wasm
 * model kernel on its own wasm backend) does the whole block in one call instead. The standard,
 * chunked and streaming strategies all evaluate through this class, which is why they agree to
 * rounding.
 *
 * A stacked model whose kernel has blocks (`ModelKernel.blocks`: a global fit's) with an exact
 * Jacobian is walked block by block (`block-folds.ts`): each run of rows of one dataset is
 * evaluated by that dataset's own kernel and folded into the sub-triangle of its columns.
 *
 * @module
 */
import type { Backend, Workspace } from '../backends/backend.ts';
import { AbortError, NlsqTypeError } from '../errors.ts';
import type { DataColumns, ModelKernel } from '../model/model-kernel.ts';
import type { Evaluation } from '../optim/evaluation.ts';
import { type DifferencePlan, differenceColumns, type JacobianScheme, planDifferences } from '../optim/finite-difference.ts';
import { applyRobustLoss, type Loss } from '../optim/loss.ts';
import { createBlockFolds, gatherTheta, gatherTriangle, rowBlocks, scatterTriangle, type BlockFold, type RowBlocks } from './block-folds.ts';

/** How an evaluation uses a residual store (see {@link BlockEvaluator.begin}). */
export type ResidualStoreMode = 'none' | 'write' | 'read';

/** Options of a {@link BlockEvaluator}. */
export interface BlockEvaluatorOptions {
  /** Backend doing the folds and reductions. */
  readonly backend: Backend;
  /** The compiled model. */
  readonly kernel: ModelKernel;
  /** Robust loss, or null for the linear loss. */
  readonly loss: Loss | null;
  /** How the Jacobian is obtained (must be `'analytic'` only when the kernel has `residualRows`). */
  readonly scheme: JacobianScheme;
  /** Points per block (the workspace height). */
  readonly blockRows: number;
}

/** Evaluates residuals, cost and the folded triangle over data windows, block by block. */
export class BlockEvaluator {
  /** Number of parameters. */
  readonly p: number;
  private readonly options: BlockEvaluatorOptions;
  private readonly cols: number;
  private readonly ws: Workspace;
  private readonly f0: Float64Array;
  private readonly f1: Float64Array;
  private readonly f2: Float64Array;
  private readonly rho = new Float64Array(3);
  private readonly T: Float64Array;
  /** Use the kernel's fused evaluate-and-fold path (plain loss, exact Jacobian) when it offers one. */
  private readonly fused: boolean;
  private x: Float64Array = new Float64Array(0);
  private jacobian = false;
  private plan: DifferencePlan | null = null;
  private store: Float64Array | null = null;
  private storeMode: ResidualStoreMode = 'none';
  private cost = 0;
  private compensation = 0;
  private m = 0;
  /** The blocks of a stacked model's kernel (empty when it has none, or without an exact Jacobian). */
  private readonly blocks: readonly BlockFold[];
  /** Row owners per data object seen (resident data: computed once; a streamed chunk: once per chunk). */
  private rowsOf = new WeakMap<DataColumns, RowBlocks>();

  /** @param options - backend, kernel, loss, Jacobian scheme and block size. */
  constructor(options: BlockEvaluatorOptions) {
    const { kernel, blockRows, scheme } = options;
    if (scheme.kind === 'analytic' && (kernel.residualRows === undefined || !kernel.analyticJacobian)) {
      throw new NlsqTypeError('BlockEvaluator: the analytic Jacobian scheme needs a kernel with residualRows and an analytic Jacobian', 'scheme');
    }
    this.options = options;
    this.p = kernel.nParams;
    this.cols = this.p + 1;
    this.ws = options.backend.createWorkspace(blockRows, this.cols);
    this.f0 = new Float64Array(blockRows);
    this.f1 = new Float64Array(blockRows);
    this.f2 = new Float64Array(blockRows);
    this.T = new Float64Array(this.cols * this.cols);
    this.fused = options.loss === null && scheme.kind === 'analytic' && kernel.foldRows !== undefined;
    const blocks = scheme.kind === 'analytic' ? kernel.blocks : undefined;
    this.blocks = blocks === undefined ? [] : createBlockFolds(blocks, this.p, options.backend, blockRows, options.loss === null);
  }

  /** True when Jacobian passes go through the kernel's fused `foldRows` (and can keep residuals cheaply). */
  get fusesJacobian(): boolean {
    return this.blocks.length > 0 ? this.blocks.every((f) => f.fused) : this.fused;
  }

  /**
   * Start an evaluation at `x`; `jacobian` asks for the folded triangle too.
   *
   * @param store - optional residual store indexed like the data (length ≥ the last index + 1):
   *   `'write'` keeps the plain residuals of the pass in it (a cost-only pass, or a Jacobian pass
   *   through the kernel's fused `foldRows`, where they come at the cost of a copy); `'read'`
   *   takes the residuals at x from it (written by a cost-only pass at the same x) instead of
   *   re-evaluating the model for finite differences.
   */
  begin(x: Float64Array, jacobian: boolean, store: Float64Array | null = null, mode: ResidualStoreMode = 'none'): void {
    this.store = mode === 'none' ? null : store;
    this.storeMode = this.store === null ? 'none' : mode;
    this.x = Float64Array.from(x);
    this.jacobian = jacobian;
    const { scheme } = this.options;
    this.plan = jacobian && scheme.kind !== 'analytic' ? planDifferences(this.x, scheme) : null;
    this.cost = 0;
    this.compensation = 0;
    this.m = 0;
    this.T.fill(0);
    gatherTheta(this.blocks, this.x);
  }

  /** Evaluate points start … start+n−1 of `data` and fold them. */
  addWindow(data: DataColumns, start: number, n: number): void {
    const rows = this.ws.capacity;
    if (this.blocks.length === 0) {
      for (let s = start, end = start + n; s < end; s += rows) this.addBlock(data, s, Math.min(rows, end - s));
      return;
    }
    const { owner, views } = this.ownersOf(data);
    const end = start + n;
    for (let s = start; s < end; ) {
      const b = owner[s]!;
      let e = s + 1;
      while (e < end && e - s < rows && owner[e] === b) e++;
      if (b < 0) this.addBlock(data, s, e - s);
      else this.addBlockOf(this.blocks[b]!, views[b]!, s, e - s);
      s = e;
    }
  }

  /** Finish the evaluation: cost ½Σρ, m, and T when the Jacobian was asked for and is finite. */
  finish(): Evaluation {
    const cost = this.cost + this.compensation;
    let T: Float64Array | null = null;
    if (this.jacobian && Number.isFinite(cost) && allFinite(this.T)) T = this.T.slice();
    return { cost, m: this.m, T };
  }

  /**
   * The costs C(θ_k) = ½Σρ(r_i(θ_k)²) of `count` points θ_k (rows of p in `points`) over points
   * start … start+n−1 of `data`, in one walk: block by block, every point's residuals of a block
   * before the next block is read (so a block of the data is read from memory once per call, not
   * once per point). Each point's cost is the same block sums accumulated in the same order as
   * `begin(θ_k, false)`, `addWindow`, `finish()` — bitwise the same number. A point whose model
   * throws (anything but an abort) costs +∞ and is not evaluated on later blocks.
   *
   * @param points - count × p parameter rows.
   * @param count - number of points.
   * @param data - the data.
   * @param start - first point of the window.
   * @param n - points in the window.
   * @param out - receives the count costs (non-finite where a residual is not finite).
   */
  costs(points: Float64Array, count: number, data: DataColumns, start: number, n: number, out: Float64Array): void {
    const p = this.p;
    if (this.blocks.length > 0) {
      // A stacked model walks each dataset's rows with its own kernel: point by point.
      for (let k = 0; k < count; k++) {
        const theta = points.subarray(k * p, (k + 1) * p);
        try {
          this.begin(theta, false);
          this.addWindow(data, start, n);
          out[k] = this.finish().cost;
        } catch (error) {
          if (isAbort(error)) throw error;
          out[k] = Number.POSITIVE_INFINITY;
        }
      }
      return;
    }
    const { kernel, loss, backend } = this.options;
    const sums = new Float64Array(count);
    const comps = new Float64Array(count);
    const dead = new Uint8Array(count);
    const thetas = Array.from({ length: count }, (_, k) => Float64Array.from(points.subarray(k * p, (k + 1) * p)));
    const rows = this.ws.capacity;
    const f0 = this.f0;
    for (let s = start, end = start + n; s < end; s += rows) {
      const m = Math.min(rows, end - s);
      for (let k = 0; k < count; k++) {
        if (dead[k] === 1) continue;
        try {
          kernel.residuals(thetas[k]!, data, s, m, f0, 0, 1);
        } catch (error) {
          if (isAbort(error)) throw error;
          dead[k] = 1;
          continue;
        }
        const v = loss === null ? 0.5 * backend.sumSquares(f0, 0, m) : applyRobustLoss(loss, m, f0, 0, 1, null, 0, p, this.rho);
        // Neumaier's compensated sum, as `accumulate`.
        const c = sums[k]!;
        const t = c + v;
        comps[k] = comps[k]! + (Math.abs(c) >= Math.abs(v) ? c - t + v : v - t + c);
        sums[k] = t;
      }
    }
    for (let k = 0; k < count; k++) out[k] = dead[k] === 1 ? Number.POSITIVE_INFINITY : sums[k]! + comps[k]!;
  }

  /** Plain residuals r_i = w_i (f(x_i) − y_i) at `x` for points start … start+n−1 into `out` (out[i − start]). */
  residuals(x: Float64Array, data: DataColumns, start: number, n: number, out: Float64Array): void {
    if (this.blocks.length === 0) {
      this.options.kernel.residuals(x, data, start, n, out, 0, 1);
      return;
    }
    gatherTheta(this.blocks, x);
    const { owner, views } = this.ownersOf(data);
    for (let s = start, end = start + n; s < end; ) {
      const b = owner[s]!;
      let e = s + 1;
      while (e < end && owner[e] === b) e++;
      if (b < 0) this.options.kernel.residuals(x, data, s, e - s, out, s - start, 1);
      else this.blocks[b]!.block.kernel.residuals(this.blocks[b]!.theta, views[b]!, s, e - s, out, s - start, 1);
      s = e;
    }
    gatherTheta(this.blocks, this.x);
  }

  /** The row owners of a data object (computed once per object). */
  private ownersOf(data: DataColumns): RowBlocks {
    let owners = this.rowsOf.get(data);
    if (owners === undefined) {
      owners = rowBlocks(data, this.blocks.map((b) => b.block));
      this.rowsOf.set(data, owners);
    }
    return owners;
  }

  private addBlock(data: DataColumns, start: number, rows: number): void {
    const { kernel, loss, backend } = this.options;
    this.m += rows;
    if (!this.jacobian) {
      const out = this.storeMode === 'write' ? this.store!.subarray(start, start + rows) : this.f0;
      kernel.residuals(this.x, data, start, rows, out, 0, 1);
      this.accumulate(loss === null ? 0.5 * backend.sumSquares(out, 0, rows) : applyRobustLoss(loss, rows, out, 0, 1, null, 0, this.p, this.rho));
      return;
    }
    if (this.fused) {
      const keep = this.storeMode === 'write' ? this.store! : undefined;
      const ssq = kernel.foldRows!(this.x, data, start, rows, this.T, keep);
      if (ssq !== null) {
        this.accumulate(0.5 * ssq);
        return;
      }
    }
    const A = this.fillRows(data, start, rows);
    const c = this.cols;
    if (this.storeMode === 'write') {
      // Only when a fused kernel declined this block: keep its residuals like the others.
      const store = this.store!;
      for (let i = 0, q = this.p; i < rows; i++, q += c) store[start + i] = A[q]!;
    }
    this.accumulate(loss === null ? 0.5 * backend.sumSquares(A, this.p, rows, c) : applyRobustLoss(loss, rows, A, this.p, c, A, c, this.p, this.rho));
    backend.foldRows(this.T, this.ws, rows);
  }

  /** {@link addBlock} for rows of one block: its kernel, its columns, its sub-triangle. */
  private addBlockOf(f: BlockFold, view: DataColumns, start: number, rows: number): void {
    const { loss, backend } = this.options;
    const kernel = f.block.kernel;
    const c = f.index.length - 1;
    this.m += rows;
    if (!this.jacobian) {
      const out = this.storeMode === 'write' ? this.store!.subarray(start, start + rows) : this.f0;
      kernel.residuals(f.theta, view, start, rows, out, 0, 1);
      this.accumulate(loss === null ? 0.5 * backend.sumSquares(out, 0, rows) : applyRobustLoss(loss, rows, out, 0, 1, null, 0, c, this.rho));
      return;
    }
    gatherTriangle(f, this.T, this.cols);
    if (f.fused) {
      const keep = this.storeMode === 'write' ? this.store! : undefined;
      const ssq = kernel.foldRows!(f.theta, view, start, rows, f.T, keep);
      if (ssq !== null) {
        this.accumulate(0.5 * ssq);
        scatterTriangle(f, this.T, this.cols);
        return;
      }
    }
    const A = f.ws.data();
    kernel.residualRows!(f.theta, view, start, rows, A, 0);
    const w = c + 1;
    if (this.storeMode === 'write') {
      const store = this.store!;
      for (let i = 0, q = c; i < rows; i++, q += w) store[start + i] = A[q]!;
    }
    this.accumulate(loss === null ? 0.5 * backend.sumSquares(A, c, rows, w) : applyRobustLoss(loss, rows, A, c, w, A, w, c, this.rho));
    backend.foldRows(f.T, f.ws, rows);
    scatterTriangle(f, this.T, this.cols);
  }

  private fillRows(data: DataColumns, start: number, rows: number): Float64Array {
    const { kernel } = this.options;
    const c = this.cols;
    if (this.plan === null) {
      kernel.residualRows!(this.x, data, start, rows, this.ws.data(), 0);
      return this.ws.data();
    }
    const plan = this.plan;
    let f0 = this.f0;
    if (this.storeMode === 'read') f0 = this.store!.subarray(start, start + rows);
    else kernel.residuals(this.x, data, start, rows, f0, 0, 1);
    const A = this.ws.data();
    for (let i = 0, q = this.p; i < rows; i++, q += c) A[q] = f0[i]!;
    differenceColumns(plan, f0, rows, A, c, (theta, out) => kernel.residuals(theta, data, start, rows, out, 0, 1), this.f1, this.f2);
    return A;
  }

  /** Neumaier-compensated running sum of the block costs. */
  private accumulate(v: number): void {
    const t = this.cost + v;
    if (Math.abs(this.cost) >= Math.abs(v)) this.compensation += this.cost - t + v;
    else this.compensation += v - t + this.cost;
    this.cost = t;
  }

  /** Release the workspaces. */
  dispose(): void {
    this.options.backend.releaseWorkspace(this.ws);
    for (const f of this.blocks) this.options.backend.releaseWorkspace(f.ws);
  }
}

/** Every entry finite (a loop: `every(Number.isFinite)` costs a callback per entry). */
function allFinite(a: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return false;
  return true;
}

/** An abort passes through the cost walks (a model's own error only ranks its point last). */
function isAbort(error: unknown): boolean {
  return error instanceof AbortError;
}
