/**
 * What `fitSql` needs from a database: a dialect and a way to run one parameterized statement
 * and read its rows. The adapters of `nlsq/sql` (`duckdb(connection)`, `postgres(client)`) wrap
 * a connection the caller opened; any other engine is one object literal away:
 *
 * ```ts
 * const db: SqlDatabase = { dialect: TRINO_DIALECT, name: 'trino', query: (text, params) => myClient.run(text, params) };
 * ```
 *
 * nlsq never opens, configures or closes the connection: the caller owns it.
 *
 * @module
 */
import type { SqlDialect } from './dialects/sql-dialect.ts';

/** A database connection as `fitSql` uses it. */
export interface SqlDatabase {
  /** The SQL dialect the engine speaks. */
  readonly dialect: SqlDialect;
  /** A short description for the result's choices, e.g. `'DuckDB 1.5 (embedded)'`. */
  readonly name: string;
  /**
   * Run one statement with bound parameters and return its rows, each an array of column values
   * in select-list order (numbers, bigints or numeric strings; NULL as null).
   */
  query(text: string, params: readonly unknown[]): Promise<readonly (readonly unknown[])[]>;
  /**
   * Optional: whether an error thrown by {@link SqlDatabase.query} is a numeric domain error of
   * the model at that θ (overflow, division by zero, the logarithm of a negative number) rather
   * than a failure of the connection or the statement. Such an evaluation counts as not finite
   * (the solver shrinks its step), as a NaN residual does in memory. Absent: every error fails the fit.
   */
  isDomainError?(error: unknown): boolean;
}

/** A column value from a driver as a double (bigint and numeric strings included; NULL → NaN). */
export function toDouble(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') return Number(v);
  return NaN;
}

/**
 * Column-wise sums of a statement's rows (one row per partition with `partitionBy`, else one),
 * added in row order — the statements order them by the partition key, so the sum is
 * deterministic — with Neumaier compensation.
 */
export function sumRows(rows: readonly (readonly unknown[])[]): Float64Array {
  const width = rows[0]?.length ?? 0;
  const out = new Float64Array(width);
  for (let c = 0; c < width; c++) {
    let sum = 0;
    let comp = 0;
    for (const row of rows) {
      const v = toDouble(row[c]);
      const t = sum + v;
      comp += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
      sum = t;
    }
    out[c] = sum + comp;
  }
  return out;
}
