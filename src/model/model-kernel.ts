/**
 * The contract between a model and the data walk: fill blocks of weighted residual rows.
 *
 * A *kernel* evaluates a model over a window of points and writes, per point i,
 *
 * ```
 *   r_i = w_i · (f(x_i; θ) − y_i)                       (residual)
 *   J_ij = w_i · ∂f(x_i; θ)/∂θ_j                        (Jacobian row, when it has one)
 * ```
 *
 * with w_i = 1/σ_i (or 1 when there are no weights). Closure models implement only
 * {@link ModelKernel.residuals}; the data walk then builds Jacobian rows by finite differences.
 * Expression models compile a fused {@link ModelKernel.residualRows} that computes f and every
 * ∂f/∂θ_j in one pass over the points, writing straight into the backend's block buffer.
 *
 * @module
 */


/** A window of resident data: k variable columns, the observations, optional weights 1/σ. */
export interface DataColumns {
  /** k columns of the independent variables, each of length ≥ start + n of any call. */
  readonly x: readonly Float64Array[];
  /** Observations. */
  readonly y: Float64Array;
  /** Weights w_i = 1/σ_i, or null for unit weights. */
  readonly w: Float64Array | null;
}

/** A model compiled for evaluation over blocks of points. */
export interface ModelKernel {
  /** Number of parameters p. */
  readonly nParams: number;
  /** Number of independent variables k. */
  readonly nVariables: number;
  /** True when {@link ModelKernel.residualRows} exists and computes exact derivatives. */
  readonly analyticJacobian: boolean;
  /**
   * Write r_i for i = start … start+n−1 into `out[outOffset + (i − start)·outStride]`.
   * Must not allocate per point.
   */
  residuals(
    theta: Float64Array,
    data: DataColumns,
    start: number,
    n: number,
    out: Float64Array,
    outOffset: number,
    outStride: number,
  ): void;
  /**
   * Write augmented rows `[J_i0 … J_i(p−1), r_i]` for i = start … start+n−1 into `out`,
   * row (i − start) at `outOffset + (i − start)·(p+1)`. Present only for analytic models.
   */
  residualRows?(theta: Float64Array, data: DataColumns, start: number, n: number, out: Float64Array, outOffset: number): void;
  /**
   * Optional fused Jacobian pass: evaluate the rows `[J_i | r_i]` of points start … start+n−1
   * and fold them into the (p+1)² triangle `T` (afterwards `T` is the R factor of
   * `[T_old; rows]`, as a backend's `foldRows` would leave it), with no row-major block in
   * between; returns Σ r_i² over the points, and when `residuals` is given also writes r_i there
   * (at index i, indexed like the data). The kernel folds on the backend it was created for (a
   * kernel compiled into a wasm instance folds there): the backend is bound at creation, not
   * passed per call. Returns null, doing nothing, when it cannot fold these rows — the caller
   * then uses {@link ModelKernel.residualRows} and its backend's `foldRows`.
   */
  foldRows?(theta: Float64Array, data: DataColumns, start: number, n: number, T: Float64Array, residuals?: Float64Array): number | null;
  /**
   * The blocks of a stacked model (`model/kernel-blocks.ts`): on a row where block b's indicator
   * is 1 and every other 0, the rows of this kernel equal those of `blocks[b].kernel` in the
   * block's columns and are exactly 0 in the others, so the data walk may evaluate and fold the
   * block alone.
   */
  readonly blocks?: readonly KernelBlock[];
}

/** One block of a stacked model's kernel (see {@link ModelKernel.blocks}). */
export interface KernelBlock {
  /** The variable index of the block's indicator column. */
  readonly indicator: number;
  /** The full model's variable indices the block's kernel reads, in its variable order. */
  readonly variables: readonly number[];
  /** The full model's parameter indices of the block's columns (its kernel's parameters), ascending, closed under the fold's fill. */
  readonly columns: readonly number[];
  /** The block's model (a backend that compiles IR builds its own kernel from it). */
  readonly model: FittableModel;
  /** Its kernel over those parameters and variables. */
  readonly kernel: ModelKernel;
}

/**
 * Anything `curveFit` accepts as a model besides a plain JS function: expression models and the
 * built-in model library implement it.
 */
export interface FittableModel {
  /** Parameter names, in the order of p0 and popt. */
  readonly params: readonly string[];
  /** Independent-variable names (k = variables.length; xdata has k rows when k > 1). */
  readonly variables: readonly string[];
  /** Compile (or interpret, with `compile: false`) the model for block evaluation. */
  createKernel(options?: { readonly compile?: boolean }): ModelKernel;
  /** Data-driven starting values, used by `p0: 'auto'`. */
  estimateP0?(x: readonly Float64Array[], y: Float64Array): number[];
  /** Sensible default bounds [lb, ub], used when the caller gives none. */
  readonly defaultBounds?: readonly [readonly number[], readonly number[]];
}

/** True when `value` is a {@link FittableModel} (has params, variables and createKernel). */
export function isFittableModel(value: unknown): value is FittableModel {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as FittableModel).params) &&
    Array.isArray((value as FittableModel).variables) &&
    typeof (value as FittableModel).createKernel === 'function'
  );
}
