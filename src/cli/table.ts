/// <reference types="node" />
/**
 * A delimited text file read whole as a table of named columns, for `nlsq batch`: numeric
 * columns as `Float64Array`, plus any one column kept as text (the `--group` key, which may be
 * a sensor name). Records are split by the library's RFC 4180 reader (`sources/csv-records.ts`),
 * numbers parsed by its decimal parser, and errors name the file, line and column.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { DataSourceError } from '../errors.ts';
import { CsvFieldCursor, CsvRecordReader } from '../sources/csv-records.ts';
import { parseDecimal } from '../sources/decimal.ts';
import { sniffText } from './data-files.ts';

/** A table in memory. */
export interface Table {
  /** Column names (`"1"`, `"2"`, … for a file without a header). */
  readonly names: readonly string[];
  /** The numeric columns by name (those requested). */
  readonly numeric: ReadonlyMap<string, Float64Array>;
  /** The text column, when one was requested. */
  readonly text: readonly string[] | null;
}

/**
 * Read a delimited text file.
 *
 * @param path - the file. @param delimiter - `','`, `'\t'`, or `' '` for whitespace text.
 * @param numeric - the names of the columns to read as numbers.
 * @param textColumn - a column to keep as text, or undefined.
 * @param caller - command name for messages.
 * @returns the table.
 * @throws DataSourceError for an unreadable file, a short row, or a cell that is not a number.
 */
export function readTable(path: string, delimiter: string, numeric: readonly string[], textColumn: string | undefined, caller: string): Table {
  const layout = sniffText(path, delimiter, caller);
  const names = layout.header ? layout.fields : layout.fields.map((_, i) => String(i + 1));
  let content = readFileSync(path, 'utf8');
  if (layout.whitespace) content = content.split(/\r?\n/).map((l) => l.trim().split(/[ \t]+/).join(',')).join('\n');
  const reader = new CsvRecordReader(layout.delimiter, '#', 1 << 20, caller);
  const cursor = new CsvFieldCursor(layout.delimiter, caller);
  const wanted = numeric.map((n) => names.indexOf(n));
  const textAt = textColumn === undefined ? -1 : names.indexOf(textColumn);
  const values: number[][] = numeric.map(() => []);
  const text: string[] = [];
  reader.push(content);
  reader.finish();
  let first = layout.header;
  while (reader.next()) {
    if (reader.end === reader.start) continue;
    if (first) {
      first = false;
      continue;
    }
    const fields: string[] = [];
    cursor.reset(reader.text, reader.start, reader.end, reader.quoted, reader.line);
    while (cursor.next()) fields.push(cursor.value());
    wanted.forEach((at, c) => {
      const cell = (fields[at] ?? '').trim();
      const v = parseDecimal(cell, 0, cell.length);
      if (v === undefined) throw new DataSourceError(`${caller}: ${path} line ${reader.line}, column "${numeric[c]}": cannot read ${JSON.stringify(cell)} as a number`);
      values[c]!.push(v);
    });
    if (textAt >= 0) text.push((fields[textAt] ?? '').trim());
  }
  return { names, numeric: new Map(numeric.map((n, c) => [n, Float64Array.from(values[c]!)])), text: textAt >= 0 ? text : null };
}

/**
 * The header names that match a glob (`*` any run of characters, `?` one character).
 *
 * @param names - the column names. @param pattern - e.g. `'y*'`.
 * @returns the matching names, in file order.
 */
export function matchColumns(names: readonly string[], pattern: string): string[] {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return names.filter((n) => re.test(n));
}
