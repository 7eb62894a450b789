/**
 * The start of one fit of a batch: its points copied into the engine's buffers, its starting
 * values and bounds read from the shared or per-fit rows, and the checks `curveFit` makes before
 * it solves (finite data, enough points, a feasible start). A failed check is that fit's
 * problem only: the message is returned and the engine records status −1 for it.
 *
 * @module
 */
import type { DataColumns } from '../model/model-kernel.ts';
import type { FittableModel } from '../model/model-kernel.ts';
import type { BatchProblem } from './batch-engine.ts';
import { fitRange } from './batch-data.ts';
import type { ParamRows } from './batch-params.ts';
import { firstNonFinite } from '../options/validate.ts';

function row(rows: ParamRows, i: number, p: number): number {
  return rows.perFit ? i * p : 0;
}

/**
 * Copy fit i's points into `columns` from index `at` (n = its length); the first non-finite
 * value's description, or null. The columns are copied whole (`TypedArray.set`, a memcpy) and
 * checked in place afterwards: a fit whose values are not finite fails, so what was copied is
 * never read.
 */
function copyPoints(problem: BatchProblem, i: number, columns: DataColumns, at: number): string | null {
  const { data } = problem;
  if (data.resident !== undefined) return null; // read in place, checked finite by curveFit's resolution
  const { o, n } = fitRange(data, i);
  const y = columns.y;
  y.set(data.y.subarray(o, o + n), at);
  const badY = firstNonFinite(y.subarray(at, at + n));
  if (badY >= 0) return `y has ${y[at + badY]} at point ${badY}`;
  if (columns.w !== null) {
    const s = data.sigma!;
    const w = columns.w;
    for (let q = 0; q < n; q++) w[at + q] = 1 / s[o + q]!;
  }
  const x = data.x;
  if (x.kind === 'columns') {
    for (let v = 0; v < data.k; v++) columns.x[v]!.set(x.columns[v]!.subarray(o, o + n), at);
  } else if (x.kind === 'interleaved') {
    const k = data.k;
    for (let q = 0; q < n; q++) for (let v = 0; v < k; v++) columns.x[v]![at + q] = x.values[(o + q) * k + v]!;
  }
  const xAt = x.kind === 'shared' ? 0 : at;
  for (let v = 0; v < data.k; v++) {
    const c = columns.x[v]!;
    const bad = firstNonFinite(c.subarray(xAt, xAt + n));
    if (bad >= 0) return `${data.k === 1 ? 'x' : `x[${v}]`} has ${c[xAt + bad]} at point ${bad}`;
  }
  return null;
}

/** SciPy's `_initialize_feasible` for one parameter. */
function feasible(l: number, u: number): number {
  const fl = Number.isFinite(l);
  const fu = Number.isFinite(u);
  return fl && fu ? 0.5 * (l + u) : fl ? l + 1 : fu ? u - 1 : 1;
}

/**
 * Prepare fit i: copy its points, fill θ (`full`, every parameter) and the solver's start and
 * bounds over the free parameters (`x0`, `lb`, `ub`), and check that it can start.
 *
 * @param problem - the batch.
 * @param i - the fit.
 * @param columns - the engine's data buffers (x buffers untouched when x is shared).
 * @param full - out: θ of every parameter (held values included).
 * @param x0 - out: the free parameters' start.
 * @param lb - out: their lower bounds.
 * @param ub - out: their upper bounds.
 * @param at - where in `columns` (y, w, and x when it is per fit) the fit's points go (default 0;
 *   an engine that stages several fits side by side passes each fit's offset).
 * @returns null when the fit can start, else why not (no caller prefix).
 */
export function fitStart(problem: BatchProblem, i: number, columns: DataColumns, full: Float64Array, x0: Float64Array, lb: Float64Array, ub: Float64Array, at = 0): string | null {
  const { data, params } = problem;
  const { p, free } = params;
  const { n } = fitRange(data, i);
  if (n < free.length) return `${n} point${n === 1 ? '' : 's'}, fewer than the ${free.length} free parameters`;
  const bad = copyPoints(problem, i, columns, at);
  if (bad !== null) return `${bad}; remove the point or the fit`;
  const lo = row(params.lb, i, p);
  const hi = row(params.ub, i, p);
  if (params.p0 === null) {
    for (let j = 0; j < p; j++) full[j] = feasible(params.lb.values[lo + j]!, params.ub.values[hi + j]!);
  } else if (params.p0 === 'auto') {
    let est: number[];
    try {
      const xAt = data.x.kind === 'shared' ? 0 : at;
      const xs = columns.x.map((c) => c.subarray(xAt, xAt + n));
      est = (params.model as FittableModel).estimateP0!(xs, columns.y.subarray(at, at + n));
    } catch (error) {
      return `p0 'auto': ${(error as Error).message}`;
    }
    if (est.length !== p) return `p0 'auto': the estimator returned ${est.length} values, expected ${p}`;
    for (let j = 0; j < p; j++) full[j] = est[j]!;
  } else {
    const at = row(params.p0, i, p);
    for (let j = 0; j < p; j++) full[j] = params.p0.values[at + j]!;
  }
  for (let j = 0; j < p; j++) if (!Number.isFinite(full[j]!)) return `p0[${j}] = ${full[j]} is not finite`;
  for (let j = 0; j < free.length; j++) {
    const c = free[j]!;
    x0[j] = full[c]!;
    lb[j] = params.lb.values[lo + c]!;
    ub[j] = params.ub.values[hi + c]!;
    if (!(x0[j]! >= lb[j]! && x0[j]! <= ub[j]!)) return `p0 is infeasible: p0[${c}] = ${x0[j]} is outside the bounds [${lb[j]}, ${ub[j]}]`;
  }
  return null;
}
