/**
 * `fitSql`'s data specification, validated: the database, the table, the columns and the filter
 * become a {@link SqlTarget} (identifiers quoted, the `where` text kept as the caller's trusted
 * SQL), and the first statements of a fit read what the options need before the solver starts —
 * the row count, the NULL count, and a deterministic sample of rows for resolving the options
 * (and a model's `'auto'` p0).
 *
 * `where` is a SQL fragment by design, trusted text from the caller (like a `WHERE` clause they
 * would write themselves): it is placed verbatim, in parentheses, on the table. Values belong in
 * `whereParams`, bound through the dialect's placeholders (`$1`, `$2`, … in DuckDB and
 * PostgreSQL; `?` in Trino and Spark, bound in order) — never concatenated into `where`.
 *
 * @module
 */
import { DataSourceError, NlsqRangeError, NlsqTypeError, describeValue } from '../errors.ts';
import { filteredTable, type SqlTarget } from './gram-query.ts';
import { quoteIdentifier, quoteTable } from './identifiers.ts';
import type { SqlDialect } from './dialects/sql-dialect.ts';
import { SqlBinder } from './sql-binder.ts';
import { toDouble, type SqlDatabase } from './sql-database.ts';

/** Where the data of an in-database fit are. */
export interface SqlFitSpec {
  /** The database (`duckdb(connection)`, `postgres(client)` from `nlsq/sql`, or any {@link SqlDatabase}). */
  readonly db: SqlDatabase;
  /**
   * The table (or view): one name, or `[schema, table]` parts (quoted: taken literally); or
   * `{ parquet: path }`, Parquet file(s) read in place by an engine that can (DuckDB
   * `read_parquet`; a glob such as `'data/*.parquet'` reads several) — the path travels as a
   * bound parameter, never as SQL text.
   */
  readonly table:
    | string
    | readonly string[]
    | {
        /** The Parquet file's path (or a glob DuckDB expands), bound as a query parameter. */
        readonly parquet: string;
      };
  /**
   * The independent-variable column(s): one name for a one-variable model, an array in the
   * model's variable order, or a record from variable name to column name.
   */
  readonly x: string | readonly string[] | Readonly<Record<string, string>>;
  /** The observations' column. */
  readonly y: string;
  /** The column of σ per row (residuals are divided by it), as curveFit's 1-D sigma. */
  readonly sigma?: string;
  /**
   * A filter, as trusted SQL text from the caller (placed verbatim in parentheses after WHERE);
   * put values in {@link SqlFitSpec.whereParams} and refer to them by the dialect's placeholders.
   */
  readonly where?: string;
  /** Values for the placeholders of `where`, bound as query parameters (`$1` is the first). */
  readonly whereParams?: readonly unknown[];
  /**
   * A partition column: every aggregate groups by it and the host adds the partitions' sums in
   * key order. On a table partitioned by this column across servers (`postgres_fdw`), each
   * shard then computes its whole aggregate and the result repeats bit for bit.
   */
  readonly partitionBy?: string;
  /**
   * A group column: one fit per distinct value (compared as text), all groups advancing together
   * with one query per iteration; `fitSql` then returns a `Map` from the key (as text) to each
   * group's result. Needs `p0`: an array (every group's start) or `'auto'` (each group's
   * estimate from a sample of its own rows, `readGroupSamples`).
   */
  readonly groupBy?: string;
}

/**
 * The path of `table: { parquet: path }`, validated (a non-empty string without NUL, for a
 * dialect that reads Parquet in place with numbered placeholders); undefined for a table name.
 *
 * @throws NlsqTypeError / NlsqRangeError (argument `table`).
 */
function parquetPath(table: unknown, dialect: SqlDialect, caller: string): string | undefined {
  if (typeof table !== 'object' || table === null || Array.isArray(table)) return undefined;
  const keys = Object.keys(table);
  if (keys.length !== 1 || keys[0] !== 'parquet') throw new NlsqRangeError(`${caller}: table must be a name, name parts or { parquet: path }, got an object with ${keys.length === 0 ? 'no fields' : `fields ${keys.join(', ')}`}`, 'table');
  const path = (table as { parquet: unknown }).parquet;
  if (typeof path !== 'string') throw new NlsqTypeError(`${caller}: table.parquet must be a file path (a string), got ${describeValue(path)}`, 'table');
  if (path.length === 0 || path.includes('\u0000')) throw new NlsqRangeError(`${caller}: table.parquet must be a non-empty path without NUL characters, got ${JSON.stringify(path)}`, 'table');
  if (dialect.readParquet === undefined || !dialect.reusesPlaceholders) {
    throw new NlsqRangeError(`${caller}: table { parquet } needs an engine that reads Parquet files in place (DuckDB), got the ${dialect.name} dialect; load the file into a table instead`, 'table');
  }
  return path;
}

/** Rows of the sample a fit resolves its options from. */
export const SAMPLE_ROWS = 2000;

/**
 * Validate a spec for a model with `variables`, quoting every identifier.
 *
 * @throws NlsqTypeError / NlsqRangeError naming the offending field.
 */
export function resolveSqlTarget(spec: unknown, variables: readonly string[], caller: string): { target: SqlTarget; db: SqlDatabase; whereParams: readonly unknown[]; groupBy: string | undefined } {
  if (typeof spec !== 'object' || spec === null) throw new NlsqTypeError(`${caller}: the data must be an object { db, table, x, y, … }, got ${describeValue(spec)}`, 'data');
  const s = spec as Partial<SqlFitSpec>;
  const allowed = new Set(['db', 'table', 'x', 'y', 'sigma', 'where', 'whereParams', 'partitionBy', 'groupBy']);
  for (const key of Object.keys(s)) if (!allowed.has(key)) throw new NlsqRangeError(`${caller}: unknown data field '${key}' (accepted: ${[...allowed].join(', ')})`, key);
  const db = s.db;
  if (typeof db !== 'object' || db === null || typeof db.query !== 'function' || typeof db.dialect !== 'object' || db.dialect === null) {
    throw new NlsqTypeError(`${caller}: db must be a database from nlsq/sql (duckdb(connection), postgres(client)) or an object with dialect and query, got ${describeValue(db)}`, 'db');
  }
  const dialect = db.dialect;
  const k = variables.length;
  let xNames: readonly unknown[];
  if (typeof s.x === 'string') {
    if (k !== 1) throw new NlsqRangeError(`${caller}: x must name ${k} columns (one per model variable: ${variables.join(', ')}), got one name`, 'x');
    xNames = [s.x];
  } else if (Array.isArray(s.x)) {
    if (s.x.length !== k) throw new NlsqRangeError(`${caller}: x must name ${k} columns (one per model variable: ${variables.join(', ')}), got ${s.x.length}`, 'x');
    xNames = s.x;
  } else if (typeof s.x === 'object' && s.x !== null) {
    const record = s.x as Readonly<Record<string, string>>;
    xNames = variables.map((v) => {
      if (!Object.hasOwn(record, v)) throw new NlsqRangeError(`${caller}: x must map every model variable to a column, got no column for '${v}'`, 'x');
      return record[v];
    });
  } else {
    throw new NlsqTypeError(`${caller}: x must be a column name, an array of names or a record variable → column, got ${describeValue(s.x)}`, 'x');
  }
  if (s.where !== undefined) {
    if (typeof s.where !== 'string') throw new NlsqTypeError(`${caller}: where must be SQL text, got ${describeValue(s.where)}`, 'where');
    if (/[\u0000-\u0002]/.test(s.where)) throw new NlsqRangeError(`${caller}: where must not contain the control characters U+0000–U+0002`, 'where');
  }
  const given = s.whereParams ?? [];
  if (!Array.isArray(given)) throw new NlsqTypeError(`${caller}: whereParams must be an array of values, got ${describeValue(given)}`, 'whereParams');
  if (given.length > 0 && s.where === undefined) throw new NlsqRangeError(`${caller}: whereParams must come with a where that uses them, got ${given.length} value(s) and no where`, 'whereParams');
  const file = parquetPath(s.table, dialect, caller);
  // a Parquet path is bound as one more parameter after the caller's (slot w, placeholder $w+1)
  const whereParams = file === undefined ? given : [...given, file];
  const table = file === undefined ? quoteTable(s.table, dialect, caller) : dialect.readParquet!(new SqlBinder(dialect, whereParams.length).text(given.length));
  const target: SqlTarget = {
    dialect,
    table,
    label: file === undefined ? table : `read_parquet(${JSON.stringify(file)})`,
    x: xNames.map((name) => quoteIdentifier(name, dialect, caller, 'x')),
    y: quoteIdentifier(s.y, dialect, caller, 'y'),
    sigma: s.sigma === undefined ? undefined : quoteIdentifier(s.sigma, dialect, caller, 'sigma'),
    where: s.where,
    whereCount: whereParams.length,
    partition: s.partitionBy === undefined ? undefined : quoteIdentifier(s.partitionBy, dialect, caller, 'partitionBy'),
    caller,
  };
  const groupBy = s.groupBy === undefined ? undefined : quoteIdentifier(s.groupBy, dialect, caller, 'groupBy');
  return { target, db, whereParams, groupBy };
}

/** The rows a fit starts from: how many, and a sample of up to {@link SAMPLE_ROWS} complete rows. */
export interface SqlSample {
  /** Rows the filter selects. */
  readonly rows: number;
  /** Sampled x columns, y and sigma (null without a sigma column). */
  readonly x: Float64Array[];
  readonly y: Float64Array;
  readonly sigma: Float64Array | null;
}

/**
 * Count the rows (failing on NULLs in the used columns) and read a sample: every
 * ⌈rows/SAMPLE_ROWS⌉-th row in the order of (x, y) — deterministic, and spread over x so that a
 * model's `'auto'` p0 sees the whole range.
 *
 * @throws DataSourceError when the query fails, the filter selects no row, or a used column has NULLs.
 */
export async function readSample(db: SqlDatabase, target: SqlTarget, whereParams: readonly unknown[]): Promise<SqlSample> {
  const { dialect, caller } = target;
  const used = [...target.x, target.y, ...(target.sigma === undefined ? [] : [target.sigma])];
  const run = async (binder: SqlBinder, text: string, what: string): Promise<readonly (readonly unknown[])[]> => {
    const statement = binder.finish(text);
    try {
      return await db.query(statement.text, statement.slots.map((i) => whereParams[i]));
    } catch (error) {
      throw new DataSourceError(`${caller}: the ${dialect.name} query for ${what} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  };
  const countBinder = new SqlBinder(dialect, target.whereCount);
  const nullTest = used.map((c) => `${c} IS NULL`).join(' OR ');
  const [countRow] = await run(countBinder, `SELECT COUNT(*), SUM(CASE WHEN ${nullTest} THEN 1 ELSE 0 END) FROM ${filteredTable(target, countBinder)}`, 'the row count');
  const rows = toDouble(countRow?.[0]);
  const nulls = toDouble(countRow?.[1]);
  if (!(rows > 0)) throw new DataSourceError(`${caller}: the table ${target.label}${target.where === undefined ? '' : ' with the where filter'} has no rows to fit`);
  if (nulls > 0) {
    throw new DataSourceError(`${caller}: ${nulls} of ${rows} rows have a NULL in ${used.join(', ')}; exclude them in where (e.g. ${used.map((c) => `${c} IS NOT NULL`).join(' AND ')})`);
  }
  const step = Math.max(1, Math.ceil(rows / SAMPLE_ROWS));
  const sampleBinder = new SqlBinder(dialect, target.whereCount);
  const cols = used.map((c, i) => `${c} AS ${dialect.identifierQuote}nlsq_c${i}${dialect.identifierQuote}`);
  const q = (name: string): string => dialect.identifierQuote + name + dialect.identifierQuote;
  const order = used.slice(0, target.x.length + 1).map((_, i) => q(`nlsq_c${i}`)).join(', ');
  const sample = await run(
    sampleBinder,
    `SELECT ${used.map((_, i) => q(`nlsq_c${i}`)).join(', ')} FROM (SELECT ${cols.join(', ')}, ROW_NUMBER() OVER (ORDER BY ${used.map((c) => c).slice(0, target.x.length + 1).join(', ')}) AS ${q('nlsq_rn')} FROM ${filteredTable(target, sampleBinder)}) AS ${q('nlsq_s')} WHERE MOD(${q('nlsq_rn')} - 1, ${step}) = 0 ORDER BY ${order}`,
    'the sample of rows',
  );
  const k = target.x.length;
  const x = Array.from({ length: k }, () => new Float64Array(sample.length));
  const y = new Float64Array(sample.length);
  const sigma = target.sigma === undefined ? null : new Float64Array(sample.length);
  sample.forEach((row, i) => {
    for (let v = 0; v < k; v++) x[v]![i] = toDouble(row[v]);
    y[i] = toDouble(row[k]);
    if (sigma !== null) sigma[i] = toDouble(row[k + 1]);
  });
  return { rows, x, y, sigma };
}

/** One group of a `groupBy` fit: its key (as text), row count and Σ(y − ȳ_group)². */
export interface SqlGroup {
  readonly key: string;
  readonly rows: number;
  readonly tss: number;
}

/**
 * The groups of a `groupBy` fit, ordered by key, with their sizes and total sums of squares
 * (one query; ȳ per group by a window average).
 *
 * @throws DataSourceError when the query fails.
 */
export async function readGroups(db: SqlDatabase, target: SqlTarget, groupBy: string, whereParams: readonly unknown[]): Promise<SqlGroup[]> {
  const { dialect, caller } = target;
  const q = (name: string): string => dialect.identifierQuote + name + dialect.identifierQuote;
  const binder = new SqlBinder(dialect, target.whereCount);
  const y = `CAST(${target.y} AS ${dialect.doubleType})`;
  const inner = `SELECT CAST(${groupBy} AS ${dialect.stringType}) AS ${q('nlsq_k')}, ${y} AS ${q('nlsq_y')}, AVG(${y}) OVER (PARTITION BY ${groupBy}) AS ${q('nlsq_a')} FROM ${filteredTable(target, binder)}`;
  const dev = `(${q('nlsq_y')} - ${q('nlsq_a')})`;
  const statement = binder.finish(`SELECT ${q('nlsq_k')}, COUNT(*), ${dialect.sum(`${dev} * ${dev}`)} FROM (${inner}) AS ${q('nlsq_g')} GROUP BY ${q('nlsq_k')} ORDER BY ${q('nlsq_k')}`);
  let rows: readonly (readonly unknown[])[];
  try {
    rows = await db.query(statement.text, statement.slots.map((i) => whereParams[i]));
  } catch (error) {
    throw new DataSourceError(`${caller}: the ${dialect.name} query for the groups failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return rows.map((row) => ({ key: String(row[0]), rows: toDouble(row[1]), tss: toDouble(row[2]) }));
}

/** Rows the group samples of a `groupBy` fit with `p0: 'auto'` may hold in all (see {@link readGroupSamples}). */
export const GROUP_SAMPLE_BUDGET = 200_000;

/** The fewest rows a group's sample keeps (when the groups are many), for its estimator. */
export const GROUP_SAMPLE_MIN = 64;

/** Rows per group in the samples of {@link readGroupSamples}: SAMPLE_ROWS, less when many groups share the budget. */
export function groupSampleCap(groups: number): number {
  return Math.max(GROUP_SAMPLE_MIN, Math.min(SAMPLE_ROWS, Math.floor(GROUP_SAMPLE_BUDGET / Math.max(groups, 1))));
}

/** One group's sample: the x columns and y, ordered by (x, y). */
export interface SqlGroupSample {
  readonly x: Float64Array[];
  readonly y: Float64Array;
}

/**
 * The data a `groupBy` fit with `p0: 'auto'` gives each group's estimator (`estimateP0`), in
 * one query: per group, the rows ordered by (x, y) and numbered r = 1…n_g, of which the query
 * keeps those where ⌊(r−1)·cap/n_g⌋ steps up — up to `cap` rows spread evenly over the group's
 * x range, and *every* row of a group with n_g ≤ cap (then the estimator sees exactly what it
 * would see in memory, as in `fitBatch`). `cap` = {@link groupSampleCap}(groups): SAMPLE_ROWS
 * (2000) per group, down to {@link GROUP_SAMPLE_MIN} when more than GROUP_SAMPLE_BUDGET / 2000
 * groups share the {@link GROUP_SAMPLE_BUDGET} rows — so 10⁴ groups read at most 6.4·10⁵ rows,
 * never the table.
 *
 * @returns each group's sample by key (as text).
 * @throws DataSourceError when the query fails.
 */
export async function readGroupSamples(db: SqlDatabase, target: SqlTarget, groupBy: string, whereParams: readonly unknown[], groups: number): Promise<Map<string, SqlGroupSample>> {
  const { dialect, caller } = target;
  const q = (name: string): string => dialect.identifierQuote + name + dialect.identifierQuote;
  const dbl = (e: string): string => `CAST(${e} AS ${dialect.doubleType})`;
  const cap = groupSampleCap(groups);
  const k = target.x.length;
  const binder = new SqlBinder(dialect, target.whereCount);
  const used = [...target.x, target.y];
  const cols = used.map((c, i) => `${dbl(c)} AS ${q(`nlsq_c${i}`)}`);
  const order = used.join(', ');
  const inner =
    `SELECT CAST(${groupBy} AS ${dialect.stringType}) AS ${q('nlsq_k')}, ${cols.join(', ')}, ` +
    `ROW_NUMBER() OVER (PARTITION BY ${groupBy} ORDER BY ${order}) AS ${q('nlsq_rn')}, COUNT(*) OVER (PARTITION BY ${groupBy}) AS ${q('nlsq_n')} ` +
    `FROM ${filteredTable(target, binder)}`;
  const slot = (offset: number): string => `FLOOR(${dbl(`${q('nlsq_rn')} - ${offset}`)} * ${cap} / ${dbl(q('nlsq_n'))})`;
  const names = used.map((_, i) => q(`nlsq_c${i}`));
  const statement = binder.finish(
    `SELECT ${q('nlsq_k')}, ${names.join(', ')} FROM (${inner}) AS ${q('nlsq_s')} WHERE ${q('nlsq_rn')} = 1 OR ${slot(1)} > ${slot(2)} ORDER BY ${q('nlsq_k')}, ${names.join(', ')}`,
  );
  let rows: readonly (readonly unknown[])[];
  try {
    rows = await db.query(statement.text, statement.slots.map((i) => whereParams[i]));
  } catch (error) {
    throw new DataSourceError(`${caller}: the ${dialect.name} query for the groups' samples (p0 'auto') failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const byKey = new Map<string, (readonly unknown[])[]>();
  for (const row of rows) {
    const key = String(row[0]);
    let list = byKey.get(key);
    if (list === undefined) byKey.set(key, (list = []));
    list.push(row);
  }
  const out = new Map<string, SqlGroupSample>();
  for (const [key, list] of byKey) {
    const x = Array.from({ length: k }, (_, v) => Float64Array.from(list, (row) => toDouble(row[1 + v])));
    out.set(key, { x, y: Float64Array.from(list, (row) => toDouble(row[1 + k])) });
  }
  return out;
}
