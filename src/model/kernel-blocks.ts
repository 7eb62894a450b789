/**
 * The block structure of a stacked model F = Σ_i d_i · f_i whose indicator variables d_i are
 * one-hot on every row (the model of a global fit, `global-model.ts`): on a row of block i,
 * F = f_i, and ∂F/∂θ_j = 0 for every parameter f_i does not use. The data walk
 * (`evaluate/block-evaluator.ts`) then evaluates only f_i on block i's rows and folds them into
 * the sub-triangle of the block's columns — the own-parameter blocks of other datasets are
 * neither computed nor touched.
 *
 * Which columns: the parameters the specialised tree f_i (d_i = 1, the other indicators 0,
 * simplified) still uses, *closed under the fold's fill*. A Householder fold of rows that are zero
 * outside a column set S into the triangle R stays inside S exactly when no row j ∈ S of R has a
 * structural non-zero in a column l ∉ S, l > j; otherwise the fold would fill column l of the new
 * rows. The structural non-zeros of R are those of the Cholesky factor of JᵀJ, whose graph has a
 * clique on each block's set (George & Heath, "Solution of sparse linear least squares problems
 * using Givens rotations", Linear Algebra Appl. 34 (1980) 69–83: R's structure is the symbolic
 * Cholesky factor's, whatever the order of the rows). So each set is closed by adding the
 * columns its rows of that symbolic factor reach ({@link closeUnderFill}); the added columns
 * hold exact zeros in the block's rows. With the own parameters ordered before the shared ones
 * (as `buildGlobalModel` orders them) nothing needs adding: block i's rows of R reach only its own
 * and the shared columns.
 *
 * @module
 */

import { num, type Node } from './ast.ts';
import { mapLeaves } from './fold-tree.ts';
import { simplify } from './simplify.ts';

/** One block's tree and where it sits in the full model. */
export interface BlockTree {
  /** The full model's variable index of the block's indicator. */
  readonly indicator: number;
  /** f_i: the full tree with d_i = 1 and the other indicators 0, simplified (param and var nodes keep the full model's names). */
  readonly ast: Node;
  /** The full model's parameter indices of the block's columns, ascending, closed under fill. */
  readonly columns: readonly number[];
  /** The full model's variable indices f_i reads, ascending. */
  readonly variables: readonly number[];
}

/**
 * Close column sets under the fill of a QR fold: the smallest supersets S′_b ⊇ S_b such that for
 * every j ∈ S′_b each column l > j of R's symbolic row j is in S′_b, R the symbolic Cholesky
 * factor of the graph with a clique on each S_b (columns eliminated in index order).
 *
 * @param sets - the column sets (indices in [0, p)).
 * @param p - the number of columns.
 * @returns the closed sets, each ascending.
 */
export function closeUnderFill(sets: readonly (readonly number[])[], p: number): number[][] {
  // above[j]: the columns l > j in row j of the symbolic factor.
  const above: Set<number>[] = Array.from({ length: p }, () => new Set<number>());
  for (const s of sets) {
    for (const a of s) for (const b of s) if (a < b) above[a]!.add(b);
  }
  // Eliminating j makes its higher neighbours a clique; adding them to the lowest one (j's parent
  // in the elimination tree) gives the same final structure.
  for (let j = 0; j < p; j++) {
    const row = [...above[j]!].sort((a, b) => a - b);
    const parent = row[0];
    if (parent === undefined) continue;
    for (const l of row) if (l !== parent) above[parent]!.add(l);
  }
  return sets.map((s) => {
    const member = new Uint8Array(p);
    for (const j of s) member[j] = 1;
    for (let j = 0; j < p; j++) if (member[j] === 1) for (const l of above[j]!) member[l] = 1;
    const out: number[] = [];
    member.forEach((m, j) => {
      if (m === 1) out.push(j);
    });
    return out;
  });
}

/**
 * The blocks of a stacked model.
 *
 * @param ast - the full model's resolved tree.
 * @param p - its number of parameters.
 * @param indicators - the variable indices of its indicators, one per block.
 * @returns one {@link BlockTree} per indicator, or undefined when a block has no parameter left
 *   (every parameter of its dataset fixed): the data walk then folds the full rows.
 */
export function indicatorBlocks(ast: Node, p: number, indicators: readonly number[]): BlockTree[] | undefined {
  const isIndicator = new Set(indicators);
  const specialised = indicators.map((d) => {
    const tree = simplify(mapLeaves(ast, (n) => (n.type === 'var' && isIndicator.has(n.index) ? num(n.index === d ? 1 : 0) : undefined)));
    const params = new Set<number>();
    const vars = new Set<number>();
    mapLeaves(tree, (n) => {
      if (n.type === 'param') params.add(n.index);
      else if (n.type === 'var') vars.add(n.index);
      return undefined;
    });
    return { tree, params: [...params].sort((a, b) => a - b), variables: [...vars].sort((a, b) => a - b) };
  });
  if (specialised.some((s) => s.params.length === 0)) return undefined;
  const columns = closeUnderFill(specialised.map((s) => s.params), p);
  return specialised.map((s, b) => ({ indicator: indicators[b]!, ast: s.tree, columns: columns[b]!, variables: s.variables }));
}
