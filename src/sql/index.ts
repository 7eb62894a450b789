/**
 * `nlsq/sql`: adapters that let `fitSql` (exported from `nlsq`) run on a connection the caller
 * opened — `duckdb(connection)` for `@duckdb/node-api`, `duckdbWasm(connection)` for
 * `@duckdb/duckdb-wasm` in browsers, `postgres(client)` for `pg` — and the
 * SQL dialects, for wrapping any other engine's client as a {@link SqlDatabase}.
 *
 * No adapter imports its driver: the packages stay the caller's dependencies.
 *
 * @packageDocumentation
 */
export { duckdb, type DuckDBConnectionLike } from './adapters/duckdb.ts';
export { duckdbWasm, type DuckDBWasmConnectionLike, type ArrowTableLike } from './adapters/duckdb-wasm.ts';
export { postgres, type PgClientLike } from './adapters/postgres.ts';
export type { SqlDatabase } from './sql-database.ts';
export type { SqlDialect, SqlFunctionName, SqlFunctionSpelling } from './dialects/sql-dialect.ts';
export { DUCKDB_DIALECT } from './dialects/duckdb.ts';
export { POSTGRES_DIALECT } from './dialects/postgres.ts';
export { SPARK_DIALECT, TRINO_DIALECT, BIGQUERY_DIALECT, CLICKHOUSE_DIALECT } from './dialects/warehouse-dialects.ts';
