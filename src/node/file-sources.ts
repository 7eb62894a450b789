/// <reference types="node" />
/**
 * Node file readers for the streaming strategy: CSV and raw little-endian Float64 files, read
 * with bounded memory (one read block of `highWaterMark` bytes, one partial line, one chunk of
 * parsed rows). Each iteration of a returned source reopens the file, so it is re-readable and
 * supports exact passes. The parsing is the isomorphic code of `sources/csv-parser.ts` and
 * `sources/float64-parser.ts`; this module only opens files.
 *
 * Every option is checked when the source is created, with the library's errors (policy in
 * `sources/reader-options.ts`): an unknown key is rejected, `highWaterMark` is an integer from 1
 * to 2^30 bytes, `chunkRows` a positive integer with at most 1 GiB a chunk.
 *
 * @module
 */
import { createReadStream } from 'node:fs';
import { DataSourceError, NlsqTypeError, describeValue } from '../errors.ts';
import { resolveCsvOptions } from '../sources/csv-options.ts';
import { type CsvOptions, readCsv } from '../sources/csv-parser.ts';
import type { SourceChunk } from '../sources/data-source.ts';
import { type Float64Options, readFloat64, resolveFloat64Options } from '../sources/float64-parser.ts';
import { highWaterMarkOption } from '../sources/reader-options.ts';

/** File-reading options shared by the readers. */
export interface FileReadOptions {
  /** Bytes per read from the file: an integer from 1 to 2^30 (default 65536). */
  readonly highWaterMark?: number | undefined;
}

const FILE_KEYS = ['highWaterMark'] as const;

async function* readFile(path: string, highWaterMark: number, caller: string): AsyncGenerator<Uint8Array, void, undefined> {
  const stream = createReadStream(path, { highWaterMark });
  try {
    for await (const block of stream) yield block as Uint8Array;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new DataSourceError(`${caller}: cannot read ${JSON.stringify(path)}: ${msg}`, { cause: e });
  } finally {
    stream.destroy();
  }
}

function checkPath(path: unknown, caller: string): asserts path is string {
  if (typeof path !== 'string' || path.length === 0) {
    throw new NlsqTypeError(`${caller}: path must be a non-empty string, got ${describeValue(path)}`, 'path');
  }
}

function reopenable(make: () => AsyncGenerator<SourceChunk, void, undefined>): AsyncIterable<SourceChunk> {
  return { [Symbol.asyncIterator]: make };
}

/**
 * Stream a CSV file as a re-readable source.
 *
 * @param path - file path.
 * @param options - columns by header name or 0-based index (`x`, `y` — both required —
 *   `sigma?`), `header`, `delimiter`, `comment`, `chunkRows`, `maxLineLength`, `highWaterMark`.
 *   Quoted fields follow RFC 4180 (see `sources/csv-records.ts`).
 * @returns an async iterable of chunks; each iteration reopens the file.
 * @throws NlsqTypeError / NlsqRangeError (at once) for a bad path, missing or unknown options and
 *   invalid option values; DataSourceError (while iterating) for unreadable files, missing
 *   columns, malformed quoting and unparsable values, naming the line.
 * @example
 * ```ts
 * import { csvFileSource } from 'nlsq/node';
 * const source = csvFileSource('decay.csv', { x: 't', y: 'counts', sigma: 'err', chunkRows: 50_000 });
 * ```
 */
export function csvFileSource(path: string, options: CsvOptions & FileReadOptions): AsyncIterable<SourceChunk> {
  const caller = 'csvFileSource';
  checkPath(path, caller);
  if (options === undefined) throw new NlsqTypeError(`${caller}: options are required: at least { x, y }, the columns to read`, 'options');
  const csv = resolveCsvOptions(options, caller, FILE_KEYS);
  const hwm = highWaterMarkOption(caller, options.highWaterMark);
  return reopenable(() => readCsv(readFile(path, hwm, caller), csv, caller));
}

/**
 * Stream a raw little-endian Float64 file of interleaved records `x_0 … x_{k−1}, y[, sigma]` as a
 * re-readable source.
 *
 * @param path - file path.
 * @param options - `variables` (k, default 1), `sigma` (default false), `chunkRows`, `highWaterMark`.
 * @returns an async iterable of chunks; each iteration reopens the file.
 * @throws NlsqTypeError / NlsqRangeError (at once) for a bad path, unknown options and invalid
 *   option values; DataSourceError (while iterating) for unreadable files or a file that ends
 *   inside a record.
 * @example
 * ```ts
 * import { float64FileSource } from 'nlsq/node';
 * const source = float64FileSource('points.f64', { variables: 2, sigma: true });
 * ```
 */
export function float64FileSource(path: string, options: Float64Options & FileReadOptions = {}): AsyncIterable<SourceChunk> {
  const caller = 'float64FileSource';
  checkPath(path, caller);
  const f64 = resolveFloat64Options(options, caller, FILE_KEYS);
  const hwm = highWaterMarkOption(caller, options.highWaterMark);
  return reopenable(() => readFloat64(readFile(path, hwm, caller), f64, caller));
}
