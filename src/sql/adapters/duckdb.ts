/**
 * `duckdb(connection)`: a {@link SqlDatabase} over a `DuckDBConnection` of `@duckdb/node-api`
 * (https://duckdb.org/docs/api/node_neo/overview) that the caller created. nlsq does not import
 * the DuckDB package: the adapter calls `connection.runAndReadAll(sql, params)` and reads
 * `getRows()`, so any object with that shape works (duckdb-wasm in browsers: `duckdbWasm`,
 * `duckdb-wasm.ts`).
 *
 * @module
 */
import { NlsqTypeError, describeValue } from '../../errors.ts';
import { DUCKDB_DIALECT } from '../dialects/duckdb.ts';
import type { SqlDatabase } from '../sql-database.ts';

/** The part of `@duckdb/node-api`'s `DuckDBConnection` the adapter uses. */
export interface DuckDBConnectionLike {
  /** Run a statement with positional values (`$1`, `$2`, …) and read every row. */
  runAndReadAll(sql: string, values?: unknown[]): Promise<{ getRows(): unknown[][] }>;
}

/** DuckDB's messages for numeric domain errors (its error classes "Out of Range" and "Invalid Input"). */
const DOMAIN_ERROR = /^(Out of Range|Invalid Input) Error/;

/**
 * Whether a DuckDB error (from `@duckdb/node-api` or duckdb-wasm, which share the engine's
 * messages) is a numeric domain error of the model rather than a failed statement.
 */
export function isDuckDBDomainError(error: unknown): boolean {
  return error instanceof Error && DOMAIN_ERROR.test(error.message);
}

/**
 * Wrap a DuckDB connection for `fitSql`.
 *
 * @param connection - a `DuckDBConnection` (`await (await DuckDBInstance.create()).connect()`).
 * @returns the database: DuckDB dialect (`fsum` compensated sums), domain errors recognised.
 * @throws NlsqTypeError (argument `connection`) when it has no `runAndReadAll` method.
 * @example
 * ```ts
 * import { DuckDBInstance } from '@duckdb/node-api';
 * import { duckdb } from 'nlsq/sql';
 * const connection = await (await DuckDBInstance.create(':memory:')).connect();
 * const r = await fitSql(model('a*exp(-b*t)+c'), { db: duckdb(connection), table: 'readings', x: 't', y: 'signal' }, { p0: [1, 1, 0] });
 * ```
 */
export function duckdb(connection: DuckDBConnectionLike): SqlDatabase {
  if (typeof (connection as Partial<DuckDBConnectionLike> | null)?.runAndReadAll !== 'function') {
    throw new NlsqTypeError(`duckdb: connection must be a DuckDBConnection from @duckdb/node-api (with runAndReadAll), got ${describeValue(connection)}`, 'connection');
  }
  return {
    dialect: DUCKDB_DIALECT,
    name: 'DuckDB (@duckdb/node-api)',
    async query(text, params) {
      const reader = await connection.runAndReadAll(text, [...params]);
      return reader.getRows();
    },
    isDomainError: isDuckDBDomainError,
  };
}
