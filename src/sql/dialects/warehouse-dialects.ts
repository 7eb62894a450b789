/**
 * Dialects of the distributed engines nlsq generates SQL for but does not run in its tests:
 * Spark SQL, Trino, BigQuery (GoogleSQL) and ClickHouse. Each is written against the engine's
 * documented function names and parameter syntax (links per dialect), and unit-tested for the
 * text it produces (`test/sql/sql-text.test.ts`); a caller runs the SQL through its own client
 * (an object with `dialect` and `query`, see `sql/sql-database.ts`).
 *
 * @module
 */
import { defineDialect, named, type SqlDialect } from './sql-dialect.ts';

const sinhFromExp = ([a]: readonly string[]): string => `((EXP(${a}) - EXP(-(${a}))) / 2)`;

/**
 * Spark SQL (https://spark.apache.org/docs/latest/api/sql/): backtick identifiers, positional
 * `?` parameters (`spark.sql(text, args)`), DOUBLE, `ln`/`log2`/`log10`/`cbrt`/`pow`/`signum`.
 */
export const SPARK_DIALECT: SqlDialect = defineDialect({
  name: 'spark',
  stringType: 'STRING',
  identifierQuote: '`',
  doubleType: 'DOUBLE',
  placeholder: () => '?',
  reusesPlaceholders: false,
  functions: { sign: named('SIGNUM'), pow: named('POW') },
});

/**
 * Trino (https://trino.io/docs/current/functions/math.html): ANSI identifiers, positional `?`
 * parameters (prepared statements), DOUBLE, `ln`/`log2`/`log10`/`cbrt`/`power`/`cosh`/`tanh`;
 * `sinh` from EXP (not in every Trino release).
 */
export const TRINO_DIALECT: SqlDialect = defineDialect({
  name: 'trino',
  stringType: 'VARCHAR',
  doubleType: 'DOUBLE',
  placeholder: () => '?',
  reusesPlaceholders: false,
  functions: { sinh: sinhFromExp },
});

/**
 * BigQuery / GoogleSQL
 * (https://cloud.google.com/bigquery/docs/reference/standard-sql/mathematical_functions):
 * backtick identifiers (no backslash inside), named `@p0` parameters, FLOAT64, `LN`, `LOG10`,
 * `LOG(a, 2)` for log2, `CBRT`, `POW`, `SINH`/`COSH`/`TANH`. Division by zero raises there,
 * and the caller's client reports it as a failed query.
 */
export const BIGQUERY_DIALECT: SqlDialect = defineDialect({
  name: 'bigquery',
  stringType: 'STRING',
  identifierQuote: '`',
  forbiddenInIdentifiers: '\\',
  doubleType: 'FLOAT64',
  placeholder: (i: number) => `@p${i}`,
  reusesPlaceholders: true,
  functions: { log2: ([a]: readonly string[]) => `LOG(${a}, 2)`, pow: named('POW') },
});

/**
 * ClickHouse (https://clickhouse.com/docs/sql-reference/functions/math-functions): backtick
 * identifiers, typed named parameters `{p0:Float64}`, Float64, `log` (natural), `log2`, `log10`,
 * `cbrt`, `pow`, `erf`/`erfc` (the only engine here with them), `least`/`greatest`, and
 * `sumKahan`, ClickHouse's compensated sum.
 */
export const CLICKHOUSE_DIALECT: SqlDialect = defineDialect({
  name: 'clickhouse',
  stringType: 'String',
  identifierQuote: '`',
  doubleType: 'Float64',
  placeholder: (i: number) => `{p${i}:Float64}`,
  reusesPlaceholders: true,
  sumFunction: 'sumKahan',
  compensatedSum: true,
  functions: {
    exp: named('exp'), log: named('log'), log2: named('log2'), log10: named('log10'), sqrt: named('sqrt'), cbrt: named('cbrt'),
    abs: named('abs'), sign: named('sign'), sin: named('sin'), cos: named('cos'), tan: named('tan'), asin: named('asin'),
    acos: named('acos'), atan: named('atan'), sinh: named('sinh'), cosh: named('cosh'), tanh: named('tanh'),
    atan2: named('atan2'), min: named('least'), max: named('greatest'), pow: named('pow'), erf: named('erf'), erfc: named('erfc'),
  },
});
