/**
 * The dialect layer of the SQL code generator: everything that differs between engines — how an
 * identifier is quoted, how a bound parameter is written, the DOUBLE cast, the function names
 * (`EXP`, `LN`, `POWER`, …) and the sum used by the aggregate (compensated where the engine has
 * one: DuckDB `fsum`, ClickHouse `sumKahan`).
 *
 * A dialect only spells SQL text; it never sees user values (those are bound query parameters)
 * and never quotes an identifier it has not validated (`sql/identifiers.ts`).
 *
 * @module
 */
import type { IrFunctionName } from '../../model/ir.ts';

/** A function the SQL generator may call: the IR's functions and `pow`. */
export type SqlFunctionName = IrFunctionName | 'pow';

/** How one function is spelled: SQL text from the SQL text of its arguments. */
export type SqlFunctionSpelling = (args: readonly string[]) => string;

/** What an engine's SQL looks like, for the generator in `sql/program-sql.ts`. */
export interface SqlDialect {
  /** Dialect name, e.g. `'duckdb'`, `'postgresql'`. */
  readonly name: string;
  /** The character that quotes identifiers (`"` ANSI, `` ` `` Spark / BigQuery / ClickHouse). */
  readonly identifierQuote: '"' | '`';
  /** Characters an identifier may not contain in this dialect beyond NUL (BigQuery: the backslash). */
  readonly forbiddenInIdentifiers: string;
  /** The SQL name of the DOUBLE type (`DOUBLE`, `DOUBLE PRECISION`, `FLOAT64`, `Float64`). */
  readonly doubleType: string;
  /** The SQL name of a text type (`VARCHAR`, `TEXT`, `STRING`, `String`), for group keys. */
  readonly stringType: string;
  /**
   * The bound-parameter placeholder at 0-based position `i` of the parameter array: `$1`
   * (DuckDB, PostgreSQL), `?` (Trino, Spark), `@p0` (BigQuery), `{p0:Float64}` (ClickHouse).
   */
  placeholder(i: number): string;
  /** True when one placeholder may appear several times (numbered or named); false for `?`. */
  readonly reusesPlaceholders: boolean;
  /** The aggregate sum of a DOUBLE expression (compensated where the engine has it). */
  sum(expr: string): string;
  /** Whether {@link SqlDialect.sum} is a compensated sum (reported in the result's choices). */
  readonly compensatedSum: boolean;
  /** The spelling of each function; a missing entry is a function the engine lacks. */
  readonly functions: Readonly<Partial<Record<SqlFunctionName, SqlFunctionSpelling>>>;
  /**
   * The relation that reads Parquet files in place, from the SQL text of the path (a bound
   * parameter, never the path's text): DuckDB `read_parquet(…)`. Absent: the engine reads
   * Parquet only through its own tables, and `fitSql` refuses `table: { parquet }`.
   */
  readonly readParquet?: (path: string) => string;
}

/** `NAME(a, b, …)`. */
export const named =
  (name: string): SqlFunctionSpelling =>
  (args) =>
    `${name}(${args.join(', ')})`;

/**
 * The spellings common to the SQL engines (ANSI names where the standard has them; the
 * `LEAST`/`GREATEST` extension every engine here supports), which each dialect overrides.
 * `step(a)` is a CASE (1 for a ≥ 0, 0 below; NaN compares per the engine), `hypot` √(a²+b²).
 * No engine has the Faddeeva function (`faddeeva_re`/`faddeeva_im`, the Voigt profile's): its
 * complex rational approximation does not fit one SQL expression of reasonable size, so every
 * dialect refuses a model that calls it (`programSql` names the function).
 */
export function commonFunctions(double: (v: string) => string): Record<Exclude<SqlFunctionName, 'erf' | 'erfc' | 'faddeeva_re' | 'faddeeva_im'>, SqlFunctionSpelling> {
  const one = double('1');
  const zero = double('0');
  return {
    exp: named('EXP'), log: named('LN'), log10: named('LOG10'), log2: named('LOG2'), sqrt: named('SQRT'), cbrt: named('CBRT'),
    abs: named('ABS'), sign: named('SIGN'), sin: named('SIN'), cos: named('COS'), tan: named('TAN'), asin: named('ASIN'),
    acos: named('ACOS'), atan: named('ATAN'), sinh: named('SINH'), cosh: named('COSH'), tanh: named('TANH'),
    step: ([a]) => `(CASE WHEN ${a} >= ${zero} THEN ${one} ELSE ${zero} END)`,
    atan2: named('ATAN2'), min: named('LEAST'), max: named('GREATEST'),
    hypot: ([a, b]) => `SQRT((${a}) * (${a}) + (${b}) * (${b}))`,
    pow: named('POWER'),
  };
}

/** `CAST(v AS type)`. */
export function castTo(type: string): (v: string) => string {
  return (v) => `CAST(${v} AS ${type})`;
}

/**
 * What a dialect states: everything of a {@link SqlDialect} that differs between engines; the
 * rest takes the defaults of {@link defineDialect}.
 */
export interface DialectSpec {
  readonly name: string;
  /** Default `"` (ANSI). */
  readonly identifierQuote?: '"' | '`';
  /** Default: none beyond NUL. */
  readonly forbiddenInIdentifiers?: string;
  readonly doubleType: string;
  readonly stringType: string;
  placeholder(i: number): string;
  readonly reusesPlaceholders: boolean;
  /** The aggregate's function name (default `SUM`), e.g. `fsum`, `sumKahan`. */
  readonly sumFunction?: string;
  /** Default false. */
  readonly compensatedSum?: boolean;
  /** Spellings that differ from {@link commonFunctions} (with the dialect's DOUBLE cast). */
  readonly functions?: Readonly<Partial<Record<SqlFunctionName, SqlFunctionSpelling>>>;
  readonly readParquet?: (path: string) => string;
}

/**
 * A frozen {@link SqlDialect} from its spec: ANSI identifier quotes, no extra forbidden
 * characters, `SUM` (not compensated), and {@link commonFunctions} with the dialect's DOUBLE
 * cast unless the spec says otherwise — the one home of what the dialects share.
 *
 * @param spec - what differs.
 * @returns the dialect.
 */
export function defineDialect(spec: DialectSpec): SqlDialect {
  const { sumFunction = 'SUM', functions = {}, ...rest } = spec;
  return Object.freeze({
    identifierQuote: '"' as const,
    forbiddenInIdentifiers: '',
    compensatedSum: false,
    ...rest,
    sum: (e: string) => `${sumFunction}(${e})`,
    functions: Object.freeze({ ...commonFunctions(castTo(spec.doubleType)), ...functions }),
  });
}
