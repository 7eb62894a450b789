/**
 * Streaming reader of raw little-endian Float64 records into source chunks, isomorphic: it
 * consumes any async iterable of byte blocks (a Node file stream, a `Blob` stream).
 *
 * Layout: interleaved records of k + 1 doubles `x_0 … x_{k−1}, y`, or k + 2 with a trailing
 * `sigma`, each double IEEE-754 binary64 little-endian (what `Float64Array` writes on every
 * common platform; numpy `arr.astype('<f8').tofile(path)` for a (n, k+1) row-major array). Memory
 * is one chunk of `chunkRows` records plus the current byte block; block boundaries may split
 * records and doubles anywhere.
 *
 * @module
 */
import { DataSourceError } from '../errors.ts';
import type { SourceChunk } from './data-source.ts';
import { booleanOption, checkReaderKeys, chunkRowsOption, integerOption } from './reader-options.ts';

/** Options of the raw Float64 readers. */
export interface Float64Options {
  /** Number of independent variables k (default 1). */
  readonly variables?: number | undefined;
  /** Whether each record ends with sigma (default false). */
  readonly sigma?: boolean | undefined;
  /** Records per yielded chunk (default 65536; at most 1 GiB of records a chunk). */
  readonly chunkRows?: number | undefined;
}

/** The option keys of {@link Float64Options}. */
export const FLOAT64_OPTION_KEYS: readonly string[] = Object.freeze(['variables', 'sigma', 'chunkRows']);

/** Largest accepted `variables` (k) of the Float64 readers. */
export const MAX_FLOAT64_VARIABLES = 65536;

/** {@link Float64Options} checked and defaulted. */
export interface ResolvedFloat64Options {
  /** Number of independent variables k. */
  readonly k: number;
  /** Whether each record ends with sigma. */
  readonly hasSigma: boolean;
  /** Records per chunk. */
  readonly chunkRows: number;
}

/**
 * Check and default the Float64 reader options (policy in `reader-options.ts`).
 *
 * @param options - the caller's options.
 * @param caller - function name for messages.
 * @param extraKeys - further keys the calling reader accepts (e.g. `highWaterMark`, `format`).
 * @returns the resolved options.
 * @throws NlsqTypeError / NlsqRangeError for a non-object, an unknown key or an invalid value.
 */
export function resolveFloat64Options(options: unknown, caller: string, extraKeys: readonly string[] = []): ResolvedFloat64Options {
  const o = checkReaderKeys(caller, options, [...FLOAT64_OPTION_KEYS, ...extraKeys]);
  const k = integerOption(caller, 'variables', o['variables'], 1, 1, MAX_FLOAT64_VARIABLES, 'independent variables per record');
  const hasSigma = booleanOption(caller, 'sigma', o['sigma'], false);
  const chunkRows = chunkRowsOption(caller, o['chunkRows'], k + 1 + (hasSigma ? 1 : 0));
  return { k, hasSigma, chunkRows };
}

function deinterleave(buf: Uint8Array, records: number, width: number, k: number, hasSigma: boolean): SourceChunk {
  const view = new DataView(buf.buffer, buf.byteOffset, records * width * 8);
  const cols = Array.from({ length: width }, () => new Float64Array(records));
  for (let r = 0, off = 0; r < records; r++) {
    for (let c = 0; c < width; c++, off += 8) cols[c]![r] = view.getFloat64(off, true);
  }
  return { x: k === 1 ? cols[0]! : cols.slice(0, k), y: cols[k]!, sigma: hasSigma ? cols[k + 1]! : null };
}

/**
 * Parse raw Float64 records into chunks of `chunkRows` records. The options are checked when
 * this is called, before the first chunk is asked for.
 *
 * @param bytes - the file's bytes in blocks of any size.
 * @param options - variables k, whether sigma is present, chunk size.
 * @param caller - function name for messages.
 * @returns an async generator of chunks.
 * @throws NlsqTypeError / NlsqRangeError (at once) for bad options; DataSourceError (while
 *   iterating) when the data end inside a record.
 */
export function parseFloat64(bytes: AsyncIterable<Uint8Array>, options: Float64Options = {}, caller = 'float64Source'): AsyncGenerator<SourceChunk, void, undefined> {
  return readFloat64(bytes, resolveFloat64Options(options, caller), caller);
}

/**
 * Parse raw Float64 records with options already resolved by {@link resolveFloat64Options}.
 *
 * @param bytes - the file's bytes in blocks of any size.
 * @param options - the resolved options.
 * @param caller - function name for messages.
 * @returns an async generator of chunks.
 * @throws DataSourceError when the data end inside a record.
 */
export async function* readFloat64(bytes: AsyncIterable<Uint8Array>, options: ResolvedFloat64Options, caller: string): AsyncGenerator<SourceChunk, void, undefined> {
  const { k, hasSigma, chunkRows } = options;
  const width = k + 1 + (hasSigma ? 1 : 0);
  const recordBytes = width * 8;
  const buf = new Uint8Array(chunkRows * recordBytes);
  let fill = 0;
  let total = 0;
  for await (const block of bytes) {
    let at = 0;
    while (at < block.length) {
      const n = Math.min(block.length - at, buf.length - fill);
      buf.set(block.subarray(at, at + n), fill);
      fill += n;
      at += n;
      if (fill === buf.length) {
        yield deinterleave(buf, chunkRows, width, k, hasSigma);
        total += chunkRows;
        fill = 0;
      }
    }
  }
  const records = Math.floor(fill / recordBytes);
  if (fill % recordBytes !== 0) {
    throw new DataSourceError(
      `${caller}: the data end inside record ${total + records} (${fill % recordBytes} trailing bytes; each record is ${width} doubles = ${recordBytes} bytes)`,
    );
  }
  if (records > 0) yield deinterleave(buf, records, width, k, hasSigma);
}
