/**
 * Identifiers in generated SQL: validated, then quoted — the only way a caller's table or column
 * name reaches the SQL text. A name is taken literally (case, spaces, quotes and all): it is
 * wrapped in the dialect's identifier quote with that quote character doubled inside, which is
 * the SQL standard's escape (ISO/IEC 9075-2 §5.2, `<delimited identifier>`) and what DuckDB,
 * PostgreSQL, Trino, Spark (backticks) and ClickHouse accept; so no name can end the identifier
 * early, whatever it contains. Rejected: non-strings, the empty name, NUL (which C-based engines
 * would truncate at), names over 1024 UTF-16 units, and characters a dialect cannot quote
 * (BigQuery: the backslash).
 *
 * A table may be qualified: `['schema', 'table']` quotes each part; a string is one identifier
 * (a dot inside it is part of the name, never a separator).
 *
 * @module
 */
import { NlsqRangeError, NlsqTypeError, describeValue } from '../errors.ts';
import type { SqlDialect } from './dialects/sql-dialect.ts';

/** Longest identifier accepted (UTF-16 units); every engine here allows at most this much. */
export const MAX_IDENTIFIER_LENGTH = 1024;

/**
 * Validate one identifier and quote it for `dialect`.
 *
 * @param name - the identifier as the caller spelled it.
 * @param dialect - the target dialect.
 * @param caller - public function name for messages.
 * @param argument - the option that carried it (`'table'`, `'x'`, …).
 * @returns the delimited identifier.
 * @throws NlsqTypeError for a non-string; NlsqRangeError for an empty or over-long name, a NUL,
 *   or a character the dialect cannot quote.
 */
export function quoteIdentifier(name: unknown, dialect: SqlDialect, caller: string, argument: string): string {
  if (typeof name !== 'string') throw new NlsqTypeError(`${caller}: ${argument} must be a column or table name (a string), got ${describeValue(name)}`, argument);
  if (name.length === 0 || name.length > MAX_IDENTIFIER_LENGTH) {
    throw new NlsqRangeError(`${caller}: ${argument} must be a name of 1 to ${MAX_IDENTIFIER_LENGTH} characters, got ${name.length}`, argument);
  }
  const bad = [...name].find((ch) => ch === '\u0000' || dialect.forbiddenInIdentifiers.includes(ch));
  if (bad !== undefined) {
    throw new NlsqRangeError(`${caller}: ${argument} must not contain ${bad === '\u0000' ? 'a NUL character' : JSON.stringify(bad)} (${dialect.name} cannot quote it), got ${JSON.stringify(name)}`, argument);
  }
  const q = dialect.identifierQuote;
  return q + name.split(q).join(q + q) + q;
}

/**
 * Validate and quote a table name: one identifier, or `[schema, table]` / `[catalog, schema,
 * table]` parts joined by dots after quoting each.
 *
 * @throws as {@link quoteIdentifier}; NlsqRangeError for an empty or over-long parts array.
 */
export function quoteTable(table: unknown, dialect: SqlDialect, caller: string): string {
  if (Array.isArray(table)) {
    if (table.length < 1 || table.length > 3) throw new NlsqRangeError(`${caller}: table must be a name or 1 to 3 name parts ([catalog,] [schema,] table), got ${table.length} parts`, 'table');
    return table.map((part) => quoteIdentifier(part, dialect, caller, 'table')).join('.');
  }
  return quoteIdentifier(table, dialect, caller, 'table');
}
