/**
 * Validation of the record readers' options (CSV and raw Float64, from a file or a `Blob`): every
 * option is checked up front, when the source is created, with the library's errors — so that a
 * bad value never reaches `fs.createReadStream` or a typed-array constructor (which throw their
 * own raw errors, or, for `highWaterMark: 0`, read nothing forever).
 *
 * Policy (documented in the readers' TSDoc and the README):
 *
 * - the options must be an object; an unknown key is an error naming the accepted ones, as
 *   `curveFit` rejects unknown options (a misspelt `chunkrows` is never silently ignored);
 * - `chunkRows` is a positive integer whose chunk — `chunkRows` rows × the columns read × 8
 *   bytes — is at most {@link MAX_CHUNK_BYTES} (1 GiB); the default is {@link DEFAULT_CHUNK_ROWS};
 * - `highWaterMark` (bytes per read) is an integer from 1 to {@link MAX_HIGH_WATER_MARK} (1 GiB);
 * - `maxLineLength` (characters of one CSV record) is an integer from 1 to
 *   {@link MAX_LINE_LENGTH} (2^28, below the longest string a JavaScript engine can hold).
 *
 * @module
 */
import { NlsqRangeError, NlsqTypeError, describeValue } from '../errors.ts';

/** Default rows per chunk of the record readers. */
export const DEFAULT_CHUNK_ROWS = 65536;

/** Largest chunk a reader allocates, in bytes: `chunkRows` × columns × 8 ≤ 2^30 (1 GiB). */
export const MAX_CHUNK_BYTES = 2 ** 30;

/** Largest accepted `highWaterMark` (bytes per read from a file): 2^30 (1 GiB). */
export const MAX_HIGH_WATER_MARK = 2 ** 30;

/** Largest accepted `maxLineLength` (characters of one CSV record): 2^28. */
export const MAX_LINE_LENGTH = 2 ** 28;

/**
 * Check that `options` is an object whose keys are all accepted.
 *
 * @param caller - function name for messages.
 * @param options - the caller's options.
 * @param accepted - the accepted keys.
 * @returns the options as a record.
 * @throws NlsqTypeError when `options` is not an object; NlsqRangeError naming an unknown key.
 */
export function checkReaderKeys(caller: string, options: unknown, accepted: readonly string[]): Readonly<Record<string, unknown>> {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new NlsqTypeError(`${caller}: options must be an object, got ${describeValue(options)}`, 'options');
  }
  const allowed = new Set(accepted);
  for (const key of Object.keys(options)) {
    if (!allowed.has(key)) {
      throw new NlsqRangeError(`${caller}: unknown option '${key}' (accepted: ${[...allowed].sort().join(', ')})`, key);
    }
  }
  return options as Readonly<Record<string, unknown>>;
}

/**
 * An optional integer option within [min, max].
 *
 * @param caller - function name for messages.
 * @param name - the option's name.
 * @param value - the given value (undefined: the default).
 * @param fallback - the default.
 * @param min - smallest accepted value.
 * @param max - largest accepted value.
 * @param unit - what the number counts, for the message (e.g. `'bytes per read'`).
 * @returns the value or the default.
 * @throws NlsqTypeError for a non-number; NlsqRangeError for NaN, a fraction or a value out of range.
 */
export function integerOption(caller: string, name: string, value: unknown, fallback: number, min: number, max: number, unit: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') {
    throw new NlsqTypeError(`${caller}: ${name} must be an integer from ${min} to ${max} (${unit}), got ${describeValue(value)}`, name);
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new NlsqRangeError(`${caller}: ${name} must be an integer from ${min} to ${max} (${unit}), got ${describeValue(value)}`, name);
  }
  return value;
}

/**
 * An optional boolean option.
 *
 * @param caller - function name for messages.
 * @param name - the option's name.
 * @param value - the given value (undefined: the default).
 * @param fallback - the default.
 * @returns the value or the default.
 * @throws NlsqTypeError for anything but a boolean.
 */
export function booleanOption(caller: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new NlsqTypeError(`${caller}: ${name} must be a boolean, got ${describeValue(value)}`, name);
  return value;
}

/**
 * The `chunkRows` option: a positive integer whose chunk of `columns` Float64 columns stays
 * within {@link MAX_CHUNK_BYTES}.
 *
 * @param caller - function name for messages.
 * @param value - the given value (undefined: {@link DEFAULT_CHUNK_ROWS}, capped to the limit).
 * @param columns - how many Float64 values one row holds in memory.
 * @returns the rows per chunk.
 * @throws NlsqTypeError / NlsqRangeError for a value that is not such an integer.
 */
export function chunkRowsOption(caller: string, value: unknown, columns: number): number {
  const max = Math.max(1, Math.floor(MAX_CHUNK_BYTES / (8 * columns)));
  return integerOption(caller, 'chunkRows', value, Math.min(DEFAULT_CHUNK_ROWS, max), 1, max, `rows per chunk; ${columns} column${columns === 1 ? '' : 's'} × 8 bytes a row, at most 1 GiB a chunk`);
}

/**
 * The `highWaterMark` option of the file readers.
 *
 * @param caller - function name for messages.
 * @param value - the given value (undefined: 65536).
 * @returns bytes per read.
 * @throws NlsqTypeError / NlsqRangeError for a value that is not an integer from 1 to {@link MAX_HIGH_WATER_MARK}.
 */
export function highWaterMarkOption(caller: string, value: unknown): number {
  return integerOption(caller, 'highWaterMark', value, 1 << 16, 1, MAX_HIGH_WATER_MARK, 'bytes per read');
}
