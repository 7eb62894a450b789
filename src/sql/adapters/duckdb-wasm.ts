/**
 * `duckdbWasm(connection)`: a {@link SqlDatabase} over an `AsyncDuckDBConnection` of
 * `@duckdb/duckdb-wasm` (https://duckdb.org/docs/api/wasm/overview), DuckDB compiled to
 * WebAssembly, running in a Web Worker of the page — so `fitSql` fits a table that lives in the
 * browser (loaded from a Parquet/CSV file the user chose, or made by SQL) without copying its
 * rows into JavaScript arrays. nlsq does not import the package: the caller instantiates DuckDB
 * (its worker and wasm bundle) and passes the connection.
 *
 * Each statement is prepared (`connection.prepare(text)`), run with the bound values
 * (`statement.query(...params)`, DuckDB's `$1`, `$2`, … placeholders) and closed; the result is
 * an Apache Arrow table, read column by column (`getChildAt(c).get(r)`) into the rows `fitSql`
 * reads — by position, since generated aggregates may share a column name. Same engine, same
 * dialect (`fsum` compensated sums) and same domain errors as the embedded `duckdb(connection)`.
 *
 * @module
 */
import { NlsqTypeError, describeValue } from '../../errors.ts';
import { DUCKDB_DIALECT } from '../dialects/duckdb.ts';
import type { SqlDatabase } from '../sql-database.ts';
import { isDuckDBDomainError } from './duckdb.ts';

/** The part of an Apache Arrow `Table` the adapter reads. */
export interface ArrowTableLike {
  readonly numRows: number;
  readonly numCols: number;
  /** Column `c` (by position), whose `get(r)` is row r's value (number, bigint, string or null). */
  getChildAt(c: number): { get(r: number): unknown } | null;
}

/** The part of duckdb-wasm's `AsyncDuckDBConnection` the adapter uses. */
export interface DuckDBWasmConnectionLike {
  /** Prepare a statement; its `query(...params)` runs it with bound values and returns an Arrow table. */
  prepare(text: string): Promise<{ query(...params: unknown[]): Promise<ArrowTableLike>; close(): Promise<void> }>;
}

/**
 * Wrap a duckdb-wasm connection for `fitSql`.
 *
 * @param connection - an `AsyncDuckDBConnection` (`await db.connect()` on an instantiated `AsyncDuckDB`).
 * @returns the database: DuckDB dialect, domain errors recognised.
 * @throws NlsqTypeError (argument `connection`) when it has no `prepare` method.
 * @example
 * ```ts
 * import * as duckdb from '@duckdb/duckdb-wasm';
 * import { fitSql, model } from 'nlsq';
 * import { duckdbWasm } from 'nlsq/sql';
 * const bundle = await duckdb.selectBundle(duckdb.getJsDelivrBundles());
 * const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), new Worker(bundle.mainWorker!));
 * await db.instantiate(bundle.mainModule);
 * const connection = await db.connect();
 * const r = await fitSql(model('a*exp(-b*t)+c'), { db: duckdbWasm(connection), table: 'readings', x: 't', y: 'signal' }, { p0: [1, 1, 0] });
 * ```
 */
export function duckdbWasm(connection: DuckDBWasmConnectionLike): SqlDatabase {
  if (typeof (connection as Partial<DuckDBWasmConnectionLike> | null)?.prepare !== 'function') {
    throw new NlsqTypeError(`duckdbWasm: connection must be an AsyncDuckDBConnection from @duckdb/duckdb-wasm (with prepare), got ${describeValue(connection)}`, 'connection');
  }
  return {
    dialect: DUCKDB_DIALECT,
    name: 'DuckDB (@duckdb/duckdb-wasm)',
    async query(text, params) {
      const statement = await connection.prepare(text);
      try {
        const table = await statement.query(...params);
        const columns = Array.from({ length: table.numCols }, (_, c) => table.getChildAt(c));
        return Array.from({ length: table.numRows }, (_, r) => columns.map((column) => column?.get(r) ?? null));
      } finally {
        await statement.close();
      }
    },
    isDomainError: isDuckDBDomainError,
  };
}
