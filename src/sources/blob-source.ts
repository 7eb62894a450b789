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
import { type CsvOptions, parseCsv } from './csv-parser.ts';
import type { SourceChunk } from './data-source.ts';
import { type Float64Options, parseFloat64 } from './float64-parser.ts';

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

/**
 * Parse a byte stream in the given format.
 *
 * @param bytes - byte blocks of any size.
 * @param format - `'csv'` with {@link CsvOptions} or `'float64'` with {@link Float64Options}.
 * @param caller - function name for messages.
 * @returns an async generator of chunks.
 * @throws NlsqTypeError for an unknown format.
 */
export function parseRecords(bytes: AsyncIterable<Uint8Array>, format: RecordFormat, caller: string): AsyncGenerator<SourceChunk, void, undefined> {
  if (format === null || typeof format !== 'object') {
    throw new NlsqTypeError(`${caller}: options must be an object with format 'csv' or 'float64', got ${describeValue(format)}`, 'format');
  }
  if (format.format === 'csv') return parseCsv(bytes, format, caller);
  if (format.format === 'float64') return parseFloat64(bytes, format, caller);
  throw new NlsqTypeError(`${caller}: format must be 'csv' or 'float64', got ${describeValue((format as { format: unknown }).format)}`, 'format');
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
 * @param format - `{ format: 'csv', x, y, sigma?, header?, delimiter?, chunkRows? }` or
 *   `{ format: 'float64', variables?, sigma?, chunkRows? }`.
 * @returns an async iterable whose every iteration streams the blob again.
 * @throws NlsqTypeError when `blob` has no `stream()` method or the format is unknown.
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
  parseRecords((async function* () {})(), format, 'blobSource'); // validate the format up front
  return {
    [Symbol.asyncIterator]() {
      return parseRecords(readStream(blob.stream()), format, 'blobSource');
    },
  };
}
