/**
 * The solvers' view of a table in a database: a {@link ResidualProblem} whose every evaluation
 * is one aggregate query (`gram-query.ts`) — the cost ½Σr², or the packed Gram matrix
 * G = [J r]ᵀ[J r] — turned into the triangle T by the semidefinite Cholesky shared with the
 * WebGPU device (`linalg/gram-triangle.ts`). The engine does the N-sized work where the data
 * live (on every shard of a distributed table); nlsq receives p(p+1)/2 + p + 3 numbers per
 * evaluation and solves the p×p step.
 *
 * ## Numerics
 *
 * G squares the condition number: Cholesky of G loses κ(J)²·ε where a QR of J loses κ(J)·ε.
 * What that costs differs between popt and pcov:
 * - popt is the point where the gradient Jᵀr vanishes. Jᵀr is one row of sums of G, computed
 *   in the engine from the exact data (compensated where the engine has a compensated sum), so
 *   the fixed point the solver converges to is as accurate as the data and the model: the κ²
 *   enters only the *step* (how fast the iteration gets there), not where it stops — the same
 *   argument as iterative refinement with an inaccurate solver (Higham, "Accuracy and Stability
 *   of Numerical Algorithms", 2nd ed., §12.1). The parity tests show popt equal to the in-memory
 *   QR fit to 1e-9.
 * - pcov = (JᵀJ)⁻¹ is read from the factor of G, so its relative accuracy is about κ²·ε: with
 *   κ = 10⁴, pcov keeps about 8 of its 16 digits. `fitSql` measures κ (columns equilibrated,
 *   `triangleCondition`) at popt and warns, naming the digits pcov holds, when fewer than
 *   {@link PCOV_DIGITS_WARNING} remain.
 *
 * Columns are equilibrated twice: in the database by bound powers of two (from the previous
 * evaluation's column norms, so no sum over- or underflows), and on the host before the Cholesky
 * (so its pivot test is relative to unit columns); both scalings are exact.
 *
 * Determinism: the same query on the same data returns the same sums when the engine's sum is
 * order-independent in practice — DuckDB's `fsum` (compensated) — or ordered (PostgreSQL without
 * parallel workers), and then every evaluation, hence the whole fit, repeats bit for bit.
 *
 * @module
 */
import { DataSourceError } from '../errors.ts';
import { EPS } from '../linalg/small-linalg.ts';
import { equilibratedGramToTriangle, packedEntries } from '../linalg/gram-triangle.ts';
import type { Evaluation, ResidualProblem } from '../optim/evaluation.ts';
import type { FitStatements } from './gram-query.ts';
import { slotLayout } from './gram-query.ts';
import { bindValues, type BoundStatement } from './sql-binder.ts';
import { sumRows, type SqlDatabase } from './sql-database.ts';

/** `fitSql` warns when pcov keeps fewer significant digits than this (κ²ε > 10⁻⁶). */
export const PCOV_DIGITS_WARNING = 6;

/** Significant digits of pcov left by a Gram factorization at column-equilibrated condition κ: −log10(κ²ε). */
export function pcovDigits(kappa: number): number {
  return Math.max(0, -Math.log10(kappa * kappa * EPS));
}

/** A residual problem evaluated by a database. */
export interface SqlProblem extends ResidualProblem {
  /** Number of rows m (known after the first evaluation). */
  readonly m: number;
  /** Statements run so far. */
  readonly queries: number;
  /** Wall time spent in the database, in ms, and the number of Gram (Jacobian) queries. */
  readonly timing: { readonly gramMs: number; readonly gramQueries: number; readonly costMs: number; readonly costQueries: number };
  /** Run a statement of this fit (statistics at the end), counting it. */
  run(statement: BoundStatement, values: readonly unknown[], what: string): Promise<readonly (readonly unknown[])[]>;
}

/**
 * Create the residual problem of an in-database fit.
 *
 * @param db - the database.
 * @param statements - the fit's statements (`fitStatements`).
 * @param p - number of parameters.
 * @param whereParams - the caller's filter values (slots 0 … w−1).
 * @param caller - public function name for messages.
 * @returns the problem; evaluations are queries.
 */
export function createSqlProblem(db: SqlDatabase, statements: FitStatements, p: number, whereParams: readonly unknown[], caller: string): SqlProblem {
  const w = whereParams.length;
  const slots = slotLayout(w, p);
  const cols = p + 1;
  const scales = new Float64Array(cols).fill(1);
  const timing = { gramMs: 0, gramQueries: 0, costMs: 0, costQueries: 0 };
  let queries = 0;
  let m = 0;
  const values = (x: Float64Array): unknown[] => {
    const v: unknown[] = [...whereParams];
    for (let j = 0; j < p; j++) v[slots.theta + j] = x[j]!;
    for (let j = 0; j < cols; j++) v[slots.scales + j] = scales[j]!;
    return v;
  };
  /** Run a statement; a domain error of the model (when the adapter can tell) comes back as null. */
  const attempt = async (statement: BoundStatement, vals: readonly unknown[], what: string): Promise<readonly (readonly unknown[])[] | null> => {
    queries++;
    try {
      return await db.query(statement.text, bindValues(statement, vals));
    } catch (error) {
      if (db.isDomainError?.(error) === true) return null;
      const message = error instanceof Error ? error.message : String(error);
      throw new DataSourceError(`${caller}: the ${db.dialect.name} query for ${what} failed (query ${queries}): ${message}`, { cause: error });
    }
  };
  const run = async (statement: BoundStatement, vals: readonly unknown[], what: string): Promise<readonly (readonly unknown[])[]> => {
    const rows = await attempt(statement, vals, what);
    if (rows === null) throw new DataSourceError(`${caller}: the ${db.dialect.name} query for ${what} raised a numeric error (overflow, division by zero or a logarithm's domain) at the fitted parameters`);
    return rows;
  };
  const notFinite = (): Evaluation => ({ cost: NaN, m, T: null });
  return {
    p,
    // one scan of the table dominates a query; the Gram sums ride along, so every trial point
    // asks for them and an accepted step needs no second query
    jacobianIsCheap: true,
    get m() { return m; },
    get queries() { return queries; },
    timing,
    run,
    async evaluate(x: Float64Array, jacobian: boolean): Promise<Evaluation> {
      const t0 = performance.now();
      let rows: readonly (readonly unknown[])[] | null;
      try {
        rows = await attempt(jacobian ? statements.gram : statements.cost, values(x), jacobian ? 'a Jacobian evaluation' : 'a cost evaluation');
      } finally {
        const dt = performance.now() - t0;
        if (jacobian) { timing.gramMs += dt; timing.gramQueries++; } else { timing.costMs += dt; timing.costQueries++; }
      }
      if (rows === null) return notFinite();
      const ev = evaluationFromSums(sumRows(rows), 0, scales, cols, jacobian);
      m = ev.m;
      return ev;
    },
  };
}

/**
 * One evaluation from a row of sums at `offset`: `COUNT(*), COUNT(r)`, then Σr² (cost
 * statements) or the packed scaled Gram matrix (Jacobian statements). Divides the column scales
 * out, updates them for the next query (powers of two near 1/‖column‖), and factors G.
 *
 * @returns the evaluation (cost NaN, T null when a residual was NULL or a sum is not finite).
 */
export function evaluationFromSums(row: Float64Array, offset: number, scales: Float64Array, cols: number, jacobian: boolean): Evaluation {
  const m = row[offset] ?? 0;
  if (!(row[offset + 1]! >= m)) return { cost: NaN, m, T: null };
  if (!jacobian) return { cost: 0.5 * row[offset + 2]!, m, T: null };
  const packed = new Float64Array(packedEntries(cols));
  let e = 0;
  for (let a = 0; a < cols; a++) for (let b = a; b < cols; b++, e++) packed[e] = row[offset + 2 + e]! / (scales[a]! * scales[b]!);
  const cost = 0.5 * packed[packed.length - 1]!;
  if (!Number.isFinite(cost)) return { cost: NaN, m, T: null };
  // the host's equilibration D (powers of two near 1/‖column‖) is also the next query's column scaling
  const factored = equilibratedGramToTriangle(packed, cols, cols * EPS);
  scales.set(factored.scales);
  return { cost, m, T: factored.T };
}
