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
import { DataSourceError, NlsqRangeError } from '../errors.ts';
import type { SourceChunk } from './data-source.ts';
import { DEFAULT_CHUNK_ROWS } from './csv-parser.ts';

/** Options of the raw Float64 readers. */
export interface Float64Options {
  /** Number of independent variables k (default 1). */
  readonly variables?: number | undefined;
  /** Whether each record ends with sigma (default false). */
  readonly sigma?: boolean | undefined;
  /** Records per yielded chunk (default 65536). */
  readonly chunkRows?: number | undefined;
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
 * Parse raw Float64 records into chunks of `chunkRows` records.
 *
 * @param bytes - the file's bytes in blocks of any size.
 * @param options - variables k, whether sigma is present, chunk size.
 * @param caller - function name for messages.
 * @returns an async generator of chunks.
 * @throws DataSourceError when the data end inside a record; NlsqRangeError for bad options.
 */
export async function* parseFloat64(
  bytes: AsyncIterable<Uint8Array>,
  options: Float64Options = {},
  caller = 'float64Source',
): AsyncGenerator<SourceChunk, void, undefined> {
  const k = options.variables ?? 1;
  const hasSigma = options.sigma ?? false;
  const chunkRows = options.chunkRows ?? DEFAULT_CHUNK_ROWS;
  if (!Number.isInteger(k) || k < 1) throw new NlsqRangeError(`${caller}: variables must be a positive integer, got ${String(k)}`, 'variables');
  if (!Number.isInteger(chunkRows) || chunkRows < 1) throw new NlsqRangeError(`${caller}: chunkRows must be a positive integer, got ${String(chunkRows)}`, 'chunkRows');
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
