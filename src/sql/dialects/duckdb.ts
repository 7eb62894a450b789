/**
 * The DuckDB dialect (https://duckdb.org/docs/sql/functions/numeric): `$n` parameters, DOUBLE,
 * and `fsum` — DuckDB's Kahan–Babuška compensated sum (alias `kahan_sum`) — for the aggregate,
 * because DuckDB's parallel `SUM(DOUBLE)` combines per-thread partials in whatever order the
 * threads finish: measured here, three runs of `SUM(x·y)` over 3·10⁶ rows gave three different
 * last digits, `fsum` the same value every time (test/sql/duckdb.test.ts checks a whole fit
 * twice for bitwise equality). Parquet files are read in place by `read_parquet`, the path a
 * bound parameter (https://duckdb.org/docs/data/parquet/overview).
 *
 * @module
 */
import { defineDialect, type SqlDialect } from './sql-dialect.ts';

/** DuckDB. */
export const DUCKDB_DIALECT: SqlDialect = defineDialect({
  name: 'duckdb',
  doubleType: 'DOUBLE',
  stringType: 'VARCHAR',
  placeholder: (i: number) => `$${i + 1}`,
  reusesPlaceholders: true,
  sumFunction: 'fsum',
  compensatedSum: true,
  readParquet: (path: string) => `read_parquet(${path})`,
});
