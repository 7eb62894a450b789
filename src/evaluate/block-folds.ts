/**
 * The block-structured part of the data walk (`block-evaluator.ts`) for a stacked model whose
 * kernel has blocks (`ModelKernel.blocks`, `model/kernel-blocks.ts` — the model of a global fit):
 * a row where block b's indicator is 1 and every other indicator 0 is evaluated by block b's own
 * kernel alone, over its columns only, and folded into the sub-triangle of T on those columns (and
 * the residual column). Rows of other blocks' own parameters are never computed nor touched, so a
 * fit of k datasets costs about what one fit of the concatenated data costs, not k times it.
 *
 * Exactness: the block's rows equal the full model's rows in its columns (d_b·f_b = f_b,
 * 0·f_j = 0) and the full rows are exactly 0 elsewhere; the columns are closed under the fold's
 * fill, so folding them into the gathered sub-triangle and scattering it back leaves T what the
 * full fold would leave it, up to rounding (the fold's column order differs).
 *
 * @module
 */
import type { Backend, Workspace } from '../backends/backend.ts';
import type { DataColumns, KernelBlock } from '../model/model-kernel.ts';

/** One block's resources for the walk. */
export interface BlockFold {
  /** The block. */
  readonly block: KernelBlock;
  /** Its columns and then p (the residual column), as indices into T's rows and columns. */
  readonly index: Int32Array;
  /** Its parameters at the current point (gathered from θ). */
  readonly theta: Float64Array;
  /** Its sub-triangle ((c+1)², row-major), gathered from and scattered back to T around each fold. */
  readonly T: Float64Array;
  /** Its block workspace (blockRows × (c+1)). */
  readonly ws: Workspace;
  /** Whether its kernel folds on its own backend (`ModelKernel.foldRows`) for the plain loss. */
  readonly fused: boolean;
}

/**
 * Resources for each block of a kernel.
 *
 * @param blocks - the kernel's blocks.
 * @param p - the full number of parameters.
 * @param backend - the backend that folds.
 * @param blockRows - rows per block workspace.
 * @param plainLoss - true for the linear loss (a kernel's fused fold is used only then).
 * @returns one {@link BlockFold} per block.
 */
export function createBlockFolds(blocks: readonly KernelBlock[], p: number, backend: Backend, blockRows: number, plainLoss: boolean): BlockFold[] {
  return blocks.map((block) => {
    const c = block.columns.length;
    return {
      block,
      index: Int32Array.from([...block.columns, p]),
      theta: new Float64Array(c),
      T: new Float64Array((c + 1) * (c + 1)),
      ws: backend.createWorkspace(blockRows, c + 1),
      fused: plainLoss && block.kernel.foldRows !== undefined,
    };
  });
}

/** Copy θ's entries of each block's columns into its `theta`. @param folds - the blocks. @param x - θ. */
export function gatherTheta(folds: readonly BlockFold[], x: Float64Array): void {
  for (const f of folds) f.block.columns.forEach((j, i) => (f.theta[i] = x[j]!));
}

/** The sub-triangle of `T` (cols × cols) on the block's index into `f.T`. @param f - the block. @param T - the full triangle. @param cols - its order. */
export function gatherTriangle(f: BlockFold, T: Float64Array, cols: number): void {
  const idx = f.index;
  const c = idx.length;
  for (let i = 0; i < c; i++) {
    const row = idx[i]! * cols;
    for (let j = 0; j < c; j++) f.T[i * c + j] = T[row + idx[j]!]!;
  }
}

/** Write `f.T` back into its place in `T`. @param f - the block. @param T - the full triangle. @param cols - its order. */
export function scatterTriangle(f: BlockFold, T: Float64Array, cols: number): void {
  const idx = f.index;
  const c = idx.length;
  for (let i = 0; i < c; i++) {
    const row = idx[i]! * cols;
    for (let j = 0; j < c; j++) T[row + idx[j]!] = f.T[i * c + j]!;
  }
}

/** Per data object: each row's block (−1 where the indicators are not one-hot), and the blocks' column views. */
export interface RowBlocks {
  /** The block of each row of the data (indexed like the data), −1 for a row that is not one-hot. */
  readonly owner: Int32Array;
  /** Per block, the data with only the block's variables (the same arrays: a resident copy still matches). */
  readonly views: readonly DataColumns[];
}

/**
 * Which block each row belongs to: b when block b's indicator is exactly 1 and every other
 * indicator exactly 0 on that row, else −1 (such a row is folded whole).
 *
 * @param data - the data (all the stacked model's columns).
 * @param blocks - the kernel's blocks.
 * @returns the owners and the per-block views.
 */
export function rowBlocks(data: DataColumns, blocks: readonly KernelBlock[]): RowBlocks {
  const n = data.y.length;
  // Column by column (contiguous reads): owner −1 = none yet, b = block b, −2 = not one-hot.
  const owner = new Int32Array(n).fill(-1);
  blocks.forEach((block, b) => {
    const d = data.x[block.indicator]!;
    for (let i = 0; i < n; i++) {
      const v = d[i]!;
      if (v === 0) continue;
      owner[i] = v === 1 && owner[i] === -1 ? b : -2;
    }
  });
  for (let i = 0; i < n; i++) if (owner[i]! < 0) owner[i] = -1;
  const views = blocks.map((b): DataColumns => ({ x: b.variables.map((v) => data.x[v]!), y: data.y, w: data.w }));
  return { owner, views };
}
