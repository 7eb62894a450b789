/**
 * Browser (and any runtime with `Blob`) streaming source over a `File` or `Blob`: CSV or raw
 * little-endian Float64 records, parsed by the same code as the Node file readers
 * (`csv-parser.ts`, `float64-parser.ts`).
 *
 * Each iteration of the returned source calls `blob.stream()` afresh, so the source is
 * re-readable and the streaming fit can make exact passes. Memory is one stream block, one
 * partial line (CSV) and one chunk of parsed rows — the file itself is never read whole.
 *
 * @module
 */
import { NlsqTypeError, describeValue } from '../errors.ts';
import { type ResolvedCsvOptions, resolveCsvOptions } from './csv-options.ts';
import { type CsvOptions, readCsv } from './csv-parser.ts';
import type { SourceChunk } from './data-source.ts';
import { type Float64Options, type ResolvedFloat64Options, readFloat64, resolveFloat64Options } from './float64-parser.ts';

/** CSV records: `format: 'csv'` with the {@link CsvOptions}. */
export interface CsvFormat extends CsvOptions {
  /** The record format. */
  readonly format: 'csv';
}

/** Raw little-endian Float64 records: `format: 'float64'` with the {@link Float64Options}. */
export interface Float64Format extends Float64Options {
  /** The record format. */
  readonly format: 'float64';
}

/** Which record format a byte stream holds, with its options. */
export type RecordFormat = CsvFormat | Float64Format;

/** A {@link RecordFormat} checked and defaulted. */
export type ResolvedRecordFormat = { readonly format: 'csv'; readonly options: ResolvedCsvOptions } | { readonly format: 'float64'; readonly options: ResolvedFloat64Options };

/**
 * Check a record format and its options (policy in `reader-options.ts`: unknown keys and invalid
 * values are rejected).
 *
 * @param format - `'csv'` with {@link CsvOptions} or `'float64'` with {@link Float64Options}.
 * @param caller - function name for messages.
 * @returns the resolved format.
 * @throws NlsqTypeError / NlsqRangeError for an unknown format, an unknown key or an invalid value.
 */
export function resolveRecordFormat(format: RecordFormat, caller: string): ResolvedRecordFormat {
  if (format === null || typeof format !== 'object') {
    throw new NlsqTypeError(`${caller}: options must be an object with format 'csv' or 'float64', got ${describeValue(format)}`, 'format');
  }
  if (format.format === 'csv') return { format: 'csv', options: resolveCsvOptions(format, caller, ['format']) };
  if (format.format === 'float64') return { format: 'float64', options: resolveFloat64Options(format, caller, ['format']) };
  throw new NlsqTypeError(`${caller}: format must be 'csv' or 'float64', got ${describeValue((format as { format: unknown }).format)}`, 'format');
}

/** Parse a byte stream in a resolved format. */
function readRecords(bytes: AsyncIterable<Uint8Array>, format: ResolvedRecordFormat, caller: string): AsyncGenerator<SourceChunk, void, undefined> {
  return format.format === 'csv' ? readCsv(bytes, format.options, caller) : readFloat64(bytes, format.options, caller);
}

/** Read a `ReadableStream` of bytes with a reader (portable: not every browser makes streams async-iterable). */
async function* readStream(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array, void, undefined> {
  const reader = stream.getReader();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        return;
      }
      yield value;
    }
  } finally {
    if (!finished) await reader.cancel();
    reader.releaseLock();
  }
}

/**
 * A re-readable streaming source over a `File` or `Blob`.
 *
 * @param blob - the file (e.g. from an `<input type="file">`).
 * @param format - `{ format: 'csv', x, y, sigma?, header?, delimiter?, comment?, chunkRows?,
 *   maxLineLength? }` or `{ format: 'float64', variables?, sigma?, chunkRows? }`.
 * @returns an async iterable whose every iteration streams the blob again.
 * @throws NlsqTypeError when `blob` has no `stream()` method or the format is unknown;
 *   NlsqTypeError / NlsqRangeError for unknown options and invalid option values.
 * @example
 * ```ts
 * const source = blobSource(input.files[0], { format: 'csv', x: 'time', y: 'signal' });
 * const result = await fit(model, source, { p0: [1, 1] });
 * ```
 */
export function blobSource(blob: Blob, format: RecordFormat): AsyncIterable<SourceChunk> {
  if (blob === null || typeof blob !== 'object' || typeof (blob as Blob).stream !== 'function') {
    throw new NlsqTypeError(`blobSource: blob must be a Blob or File, got ${describeValue(blob)}`, 'blob');
  }
  const resolved = resolveRecordFormat(format, 'blobSource');
  return {
    [Symbol.asyncIterator]() {
      return readRecords(readStream(blob.stream()), resolved, 'blobSource');
    },
  };
}
