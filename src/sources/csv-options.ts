/**
 * The options of the CSV readers, checked and defaulted once, when a source is created (policy
 * of every reader option in `reader-options.ts`).
 *
 * @module
 */
import { NlsqRangeError, NlsqTypeError, describeValue } from '../errors.ts';
import { MAX_LINE_LENGTH, booleanOption, checkReaderKeys, chunkRowsOption, integerOption } from './reader-options.ts';

/** A column chosen by header name or by 0-based index. */
export type ColumnRef = string | number;

/** Options of the CSV readers. */
export interface CsvOptions {
  /** Column(s) of the independent variable(s): one reference, or k of them. */
  readonly x: ColumnRef | readonly ColumnRef[];
  /** Column of the observations (required). */
  readonly y: ColumnRef;
  /** Column of the standard deviations, if any. */
  readonly sigma?: ColumnRef | undefined;
  /** Whether the first record is a header (default: true when any column is named by a string). */
  readonly header?: boolean | undefined;
  /** Field delimiter, one character other than `"`, `\r` and `\n` (default `','`). */
  readonly delimiter?: string | undefined;
  /** Lines starting with this text are skipped (default `'#'`; `''` for none). */
  readonly comment?: string | undefined;
  /** Rows per yielded chunk (default 65536; at most 1 GiB of rows a chunk). */
  readonly chunkRows?: number | undefined;
  /** Longest accepted record in characters (default 1 MiB, at most 2^28): bounds the memory of a malformed file. */
  readonly maxLineLength?: number | undefined;
}

/** The option keys of {@link CsvOptions}. */
export const CSV_OPTION_KEYS: readonly string[] = Object.freeze(['x', 'y', 'sigma', 'header', 'delimiter', 'comment', 'chunkRows', 'maxLineLength']);

/** {@link CsvOptions} checked and defaulted. */
export interface ResolvedCsvOptions {
  /** The x columns, in order (k of them). */
  readonly xs: readonly ColumnRef[];
  /** The y column. */
  readonly y: ColumnRef;
  /** The sigma column, or undefined. */
  readonly sigma: ColumnRef | undefined;
  /** Whether the first record is a header. */
  readonly header: boolean;
  /** Field delimiter. */
  readonly delimiter: string;
  /** Comment prefix ('' for none). */
  readonly comment: string;
  /** Rows per chunk. */
  readonly chunkRows: number;
  /** Longest accepted record in characters. */
  readonly maxLineLength: number;
}

function columnRef(caller: string, name: string, value: unknown): ColumnRef {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0) {
      throw new NlsqRangeError(`${caller}: ${name} must be a header name or a 0-based column index (a non-negative integer), got ${describeValue(value)}`, name);
    }
    return value;
  }
  throw new NlsqTypeError(`${caller}: ${name} must be a header name or a 0-based column index, got ${describeValue(value)}`, name);
}

function textOption(caller: string, name: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string') throw new NlsqTypeError(`${caller}: ${name} must be a string, got ${describeValue(value)}`, name);
  return value;
}

/**
 * Check and default the CSV reader options.
 *
 * @param options - the caller's options.
 * @param caller - function name for messages.
 * @param extraKeys - further keys the calling reader accepts (e.g. `highWaterMark`, `format`).
 * @returns the resolved options.
 * @throws NlsqTypeError / NlsqRangeError for a non-object, an unknown key, a missing `x` or `y`,
 *   or an invalid value.
 */
export function resolveCsvOptions(options: unknown, caller: string, extraKeys: readonly string[] = []): ResolvedCsvOptions {
  const o = checkReaderKeys(caller, options, [...CSV_OPTION_KEYS, ...extraKeys]);
  if (o['x'] === undefined) {
    throw new NlsqTypeError(`${caller}: the x option is required: the column (or columns) of the independent variable, by header name or 0-based index`, 'x');
  }
  if (o['y'] === undefined) {
    throw new NlsqTypeError(`${caller}: the y option is required: the column of the observations, by header name or 0-based index`, 'y');
  }
  const xRaw = o['x'];
  if (Array.isArray(xRaw) && xRaw.length === 0) throw new NlsqRangeError(`${caller}: x must name at least one column, got an empty array`, 'x');
  const xs = Array.isArray(xRaw) ? xRaw.map((r: unknown, j: number) => columnRef(caller, `x[${j}]`, r)) : [columnRef(caller, 'x', xRaw)];
  const y = columnRef(caller, 'y', o['y']);
  const sigma = o['sigma'] === undefined ? undefined : columnRef(caller, 'sigma', o['sigma']);
  const named = [...xs, y, sigma].some((r) => typeof r === 'string');
  const header = booleanOption(caller, 'header', o['header'], named);
  const byName = [...xs, y, sigma].find((r) => typeof r === 'string');
  if (!header && byName !== undefined) {
    throw new NlsqRangeError(`${caller}: column ${JSON.stringify(byName)} is named but the file is read without a header (header: false)`, 'header');
  }
  const delimiter = textOption(caller, 'delimiter', o['delimiter'], ',');
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new NlsqRangeError(`${caller}: delimiter must be one character other than '"', '\\r' and '\\n', got ${JSON.stringify(delimiter)}`, 'delimiter');
  }
  const comment = textOption(caller, 'comment', o['comment'], '#');
  if (/[\r\n"]/.test(comment) || comment.includes(delimiter)) {
    throw new NlsqRangeError(`${caller}: comment must not contain a line break, a quote or the delimiter, got ${JSON.stringify(comment)}`, 'comment');
  }
  const chunkRows = chunkRowsOption(caller, o['chunkRows'], xs.length + 1 + (sigma === undefined ? 0 : 1));
  const maxLineLength = integerOption(caller, 'maxLineLength', o['maxLineLength'], 1 << 20, 1, MAX_LINE_LENGTH, 'characters of one record');
  return { xs, y, sigma, header, delimiter, comment, chunkRows, maxLineLength };
}
