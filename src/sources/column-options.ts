/**
 * The options shared by the columnar file sources (Parquet, Arrow IPC, HDF5): which columns —
 * by name, or by dataset path for HDF5 — hold x (one name, or k names for a model of k
 * variables), y and optionally σ; and the conversion of a decoded column to `Float64Array`.
 *
 * Conversion rules (the same for every format): floating-point and integer columns of any width
 * become float64 (`float32` exactly; 64-bit integers rounded to the nearest double beyond 2^53);
 * a null becomes NaN, so the fit's `nanPolicy` decides what happens to it (`'omit'` drops the row,
 * `'raise'` — the default — reports the chunk and index); any other value (a string, a date, a
 * boolean) is an error naming the column and the row.
 *
 * @module
 */
import { DataSourceError, NlsqTypeError, describeValue } from '../errors.ts';
import type { SourceChunk } from './data-source.ts';
import { checkReaderKeys } from './reader-options.ts';

/** Which columns a columnar source reads. */
export interface ColumnSelection {
  /** The independent variable's column, or one column per variable of a multi-variable model. */
  readonly x: string | readonly string[];
  /** The observations' column. */
  readonly y: string;
  /** The column of standard deviations of y (weights 1/σ); omitted for unit weights. */
  readonly sigma?: string | undefined;
}

/** A {@link ColumnSelection} checked: the column names in x…, y[, sigma] order. */
export interface ResolvedColumns {
  /** Names of the x columns (k ≥ 1). */
  readonly xs: readonly string[];
  /** Name of the y column. */
  readonly y: string;
  /** Name of the σ column, if any. */
  readonly sigma: string | undefined;
  /** Every column read: xs, then y, then sigma if given. */
  readonly all: readonly string[];
}

function columnName(caller: string, name: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new NlsqTypeError(`${caller}: ${name} must be a non-empty column name, got ${describeValue(value)}`, name);
  }
  return value;
}

/**
 * Check the column selection of a columnar source.
 *
 * @param options - the caller's options.
 * @param caller - function name for messages.
 * @param extraKeys - further accepted option keys (format-specific).
 * @returns the resolved columns.
 * @throws NlsqTypeError for missing options, a non-string name or an empty x list; NlsqRangeError
 *   for an unknown option key.
 */
export function resolveColumns(options: unknown, caller: string, extraKeys: readonly string[] = []): ResolvedColumns {
  if (options === undefined) throw new NlsqTypeError(`${caller}: options are required: at least { x, y }, the columns to read`, 'options');
  const o = checkReaderKeys(caller, options, ['x', 'y', 'sigma', ...extraKeys]);
  const xRaw = o['x'];
  if (Array.isArray(xRaw) && xRaw.length === 0) throw new NlsqTypeError(`${caller}: x must name at least one column, got an empty array`, 'x');
  const xs = Array.isArray(xRaw) ? xRaw.map((r: unknown, j: number) => columnName(caller, `x[${j}]`, r)) : [columnName(caller, 'x', xRaw)];
  const y = columnName(caller, 'y', o['y']);
  const sigma = o['sigma'] === undefined ? undefined : columnName(caller, 'sigma', o['sigma']);
  return { xs, y, sigma, all: sigma === undefined ? [...xs, y] : [...xs, y, sigma] };
}

/**
 * Assemble a chunk from the decoded columns, in {@link ResolvedColumns.all} order.
 *
 * @param columns - x columns, y, then σ if selected.
 * @param selection - the resolved selection.
 * @returns the chunk (x a single column when k = 1).
 */
export function chunkOf(columns: readonly Float64Array[], selection: ResolvedColumns): SourceChunk {
  const k = selection.xs.length;
  return { x: k === 1 ? columns[0]! : columns.slice(0, k), y: columns[k]!, sigma: selection.sigma === undefined ? null : columns[k + 1]! };
}

function valueKind(v: unknown): string {
  if (v instanceof Date) return 'a date';
  if (typeof v === 'string') return `the string ${describeValue(v)}`;
  if (typeof v === 'boolean') return `the boolean ${v}`;
  return describeValue(v);
}

/**
 * A decoded column as float64: typed arrays of numbers are converted in one pass (a
 * `Float64Array` is returned as is); `BigInt64Array`/`BigUint64Array` and plain arrays of
 * numbers, bigints and nulls are converted value by value, null/undefined becoming NaN.
 *
 * @param values - the decoded values.
 * @param where - message prefix naming the file, column and chunk (e.g. `parquetSource: column "t" of row group 2 of "a.parquet"`).
 * @param firstRow - the row number of `values[0]` in the file, for messages.
 * @returns the column as a Float64Array.
 * @throws DataSourceError for a value that is not a number, a bigint or null.
 */
export function toFloat64(values: ArrayLike<unknown>, where: string, firstRow: number): Float64Array {
  if (values instanceof Float64Array) return values;
  if (ArrayBuffer.isView(values) && !(values instanceof BigInt64Array) && !(values instanceof BigUint64Array)) {
    return Float64Array.from(values as ArrayLike<number>);
  }
  const n = values.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v === 'number') out[i] = v;
    else if (typeof v === 'bigint') out[i] = Number(v);
    else if (v === null || v === undefined) out[i] = NaN;
    else throw new DataSourceError(`${where} holds ${valueKind(v)} at row ${firstRow + i}; only numeric columns (integer or floating point) can be read`);
  }
  return out;
}

/** One column of a file as {@link checkColumns} sees it. */
export interface FileColumn {
  readonly name: string;
  /** The format's name of its type (`DOUBLE`, `Float64`, …), for messages. */
  readonly type: string;
  /** Whether the reader can read it as numbers. */
  readonly numeric: boolean;
}

/**
 * Check that every selected column is among a file's columns and numeric — the one check of the
 * Parquet and Arrow readers.
 *
 * @param columns - the selection.
 * @param available - the file's top-level columns, in order.
 * @param format - the format's name for messages (`'Parquet'`, `'Arrow'`).
 * @param accepted - the readable types, as the message names them.
 * @param file - the file's name (quoted) for messages.
 * @param caller - function name for messages.
 * @throws DataSourceError naming the missing column (and the file's columns) or the non-numeric one and its type.
 */
export function checkColumns(columns: ResolvedColumns, available: readonly FileColumn[], format: string, accepted: string, file: string, caller: string): void {
  for (const name of columns.all) {
    const column = available.find((c) => c.name === name);
    if (column === undefined) throw new DataSourceError(`${caller}: column ${JSON.stringify(name)} is not in ${file} (columns: ${available.map((c) => JSON.stringify(c.name)).join(', ')})`);
    if (!column.numeric) throw new DataSourceError(`${caller}: column ${JSON.stringify(name)} of ${file} has ${format} type ${column.type}; only ${accepted} columns can be read`);
  }
}

/** A thrown value's message. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
