/**
 * The refits of an in-database fit (`fitSql`, one table, no `groupBy`) for the profile likelihood
 * (`result/profile.ts`): each refit is the fit's own solver over the free parameters, evaluated
 * by the fit's own SQL statements (`sql/sql-problem.ts`: one aggregate query per evaluation, the
 * Gram sums JᵀJ, Jᵀr, rᵀr of every parameter at θ with the held values bound as parameters).
 *
 * Holding parameters needs no other SQL: the fold of the free columns is the Gram matrix
 * restricted to the free rows and columns and the residual's, G_F = [JᵀJ]_FF etc., so each
 * evaluation takes the full triangle T the query gives, forms G = TᵀT, keeps the free rows and
 * columns and factors them again (`equilibratedGramToTriangle`, the fit's own factorisation).
 *
 * Cost: one query per refit evaluation, a full scan of the table each; the refits of a round of
 * the profile are solved concurrently (their queries in flight together, so a database that runs
 * queries in parallel overlaps them), not fused into one scan. The rows never leave the
 * database; nothing here reads them. A bootstrap needs the rows and is refused.
 *
 * @module
 */
import { NlsqTypeError } from '../errors.ts';
import { packedEntries, equilibratedGramToTriangle } from '../linalg/gram-triangle.ts';
import { EPS } from '../linalg/small-linalg.ts';
import { STATUS_CODE, type Evaluation, type ResidualProblem } from '../optim/evaluation.ts';
import type { ResolvedCurveFit } from '../options/resolve-curve-fit.ts';
import type { RefitReply, RefitRequest, RefitRunner } from '../result/refit-source.ts';
import { solve } from '../run/solve.ts';
import type { FitStatements } from '../sql/gram-query.ts';
import type { SqlDatabase } from '../sql/sql-database.ts';
import { createSqlProblem } from '../sql/sql-problem.ts';

/** What the refits of a database fit need: the database, its statements and filter values. */
export interface SqlRefitTarget {
  readonly db: SqlDatabase;
  readonly statements: FitStatements;
  readonly whereParams: readonly unknown[];
}

/**
 * The triangle of the columns `keep` (ascending; the residual column c − 1 last) of the fold
 * whose triangle is T (c×c): G = TᵀT restricted and factored again.
 *
 * @param T - the full triangle, c×c row-major.
 * @param c - its order (p + 1).
 * @param keep - the kept columns, the residual column last.
 * @returns the kept columns' triangle, or null when it cannot be factored.
 */
export function restrictTriangle(T: Float64Array, c: number, keep: Int32Array): Float64Array | null {
  const k = keep.length;
  const packed = new Float64Array(packedEntries(k));
  let e = 0;
  for (let a = 0; a < k; a++) {
    for (let b = a; b < k; b++, e++) {
      const ca = keep[a]!;
      const cb = keep[b]!;
      let s = 0;
      for (let i = 0; i <= Math.min(ca, cb); i++) s += T[i * c + ca]! * T[i * c + cb]!;
      packed[e] = s;
    }
  }
  return equilibratedGramToTriangle(packed, k, k * EPS).T;
}

/** A database fit's problem over the free parameters, the others held at `theta`'s values. */
function heldSqlProblem(target: SqlRefitTarget, p: number, free: Int32Array, theta: Float64Array, caller: string): ResidualProblem {
  const problem = createSqlProblem(target.db, target.statements, p, target.whereParams, caller);
  const keep = Int32Array.from([...free, p]);
  return {
    p: free.length,
    jacobianIsCheap: true,
    async evaluate(x: Float64Array, jacobian: boolean): Promise<Evaluation> {
      for (let q = 0; q < free.length; q++) theta[free[q]!] = x[q]!;
      const ev = await problem.evaluate(theta, jacobian);
      if (!jacobian || ev.T === null || free.length === p) return ev;
      return { cost: ev.cost, m: ev.m, T: restrictTriangle(ev.T, p + 1, keep) };
    },
  };
}

/**
 * χ² = 2·cost at `count` points (rows of p), one cost query each.
 *
 * @param target - the database, statements and filter values.
 * @param p - parameters.
 * @param thetas - count × p points.
 * @param count - number of points.
 * @param caller - public method name.
 * @returns the count χ² values.
 */
export async function sqlChiSquares(target: SqlRefitTarget, p: number, thetas: Float64Array, count: number, caller: string): Promise<Float64Array> {
  const problem = createSqlProblem(target.db, target.statements, p, target.whereParams, caller);
  const out = new Float64Array(count);
  for (let k = 0; k < count; k++) out[k] = 2 * (await problem.evaluate(thetas.slice(k * p, (k + 1) * p), false)).cost;
  return out;
}

/**
 * The runner of a database fit's refits (see the module header); it serves the fit's own data
 * only (`RefitRequest.sameData`).
 *
 * @param resolved - the fit's resolved call.
 * @param target - the database, statements and filter values.
 * @returns the runner.
 */
export function sqlRefitRunner(resolved: ResolvedCurveFit, target: SqlRefitTarget): RefitRunner {
  return async (caller: string, request: RefitRequest): Promise<RefitReply> => {
    if (request.sameData !== true) throw new NlsqTypeError(`${caller}: a database fit refits its own table only (resampled rows never leave the database)`, 'result');
    const { p0, vary, signal, onProgress } = request;
    const p = resolved.p;
    const nFits = p0.length / p;
    const { solver } = resolved.settings;
    const free = Int32Array.from(Array.from({ length: p }, (_, j) => j).filter((j) => vary === undefined || vary[j]!));
    const pick = (a: Float64Array): Float64Array => Float64Array.from(free, (j) => a[j]!);
    let done = 0;
    const outcomes = await Promise.all(Array.from({ length: nFits }, async (_, i) => {
      const theta = Float64Array.from(p0.subarray(i * p, (i + 1) * p));
      const problem = heldSqlProblem(target, p, free, theta, caller);
      const options = { ...solver, x0: pick(theta), lb: pick(solver.lb), ub: pick(solver.ub), xScale: solver.xScale === 'jac' ? ('jac' as const) : pick(solver.xScale) };
      const outcome = await solve(problem, options, { caller, signal });
      for (let q = 0; q < free.length; q++) theta[free[q]!] = outcome.x[q]!;
      onProgress?.(++done, nFits);
      return { theta, outcome };
    }));
    const popt = new Float64Array(nFits * p);
    const cost = new Float64Array(nFits);
    const status = new Int8Array(nFits);
    outcomes.forEach(({ theta, outcome }, i) => {
      popt.set(theta, i * p);
      cost[i] = outcome.cost;
      status[i] = STATUS_CODE[outcome.status];
    });
    return { popt, cost, status };
  };
}
