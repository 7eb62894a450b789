/// <reference types="node" />
/**
 * Node file readers for Parquet, Arrow IPC and HDF5 files by path: the isomorphic readers of
 * `sources/parquet-source.ts`, `sources/arrow-source.ts` and `sources/hdf5-source.ts` over the
 * real file. Parquet and Arrow read byte ranges through a `fs.promises.FileHandle` opened for each
 * pass (positioned reads, nothing else held); HDF5 goes through h5wasm's Node build, whose file
 * system is the host's (Emscripten NODERAWFS), so HDF5 reads the parts of the file it needs and
 * memory stays bounded. Every iteration of a returned source reopens the file.
 *
 * @module
 */
import { open } from 'node:fs/promises';
import { DataSourceError, NlsqTypeError, describeValue } from '../errors.ts';
import { type ArrowOptions, readArrow } from '../sources/arrow-source.ts';
import type { BytesOpener, RandomAccessBytes } from '../sources/byte-reader.ts';
import { messageOf, resolveColumns } from '../sources/column-options.ts';
import type { SourceChunk } from '../sources/data-source.ts';
import { type Hdf5Options, type Hdf5Pass, openHdf5, readHdf5, readyH5, resolveHdf5Options } from '../sources/hdf5-source.ts';
import { loadOptional } from '../sources/optional-package.ts';
import { type ParquetOptions, readParquet, resolveParquetOptions } from '../sources/parquet-source.ts';

function checkPath(path: unknown, caller: string): asserts path is string {
  if (typeof path !== 'string' || path.length === 0) {
    throw new NlsqTypeError(`${caller}: path must be a non-empty string, got ${describeValue(path)}`, 'path');
  }
}

/**
 * Random access over a file by path: one file handle per pass, positioned reads.
 *
 * @param path - the file.
 * @param caller - function name for messages.
 * @returns an opener giving a fresh handle per pass.
 */
function fileBytes(path: string, caller: string): BytesOpener {
  return async (): Promise<RandomAccessBytes> => {
    let size: number;
    let handle: import('node:fs/promises').FileHandle;
    try {
      handle = await open(path, 'r');
      size = (await handle.stat()).size;
    } catch (e) {
      throw new DataSourceError(`${caller}: cannot open ${JSON.stringify(path)}: ${messageOf(e)}`, { cause: e });
    }
    let closed = false;
    return {
      name: path,
      size,
      async read(position, length) {
        const want = Math.max(0, Math.min(length, size - position));
        const out = new Uint8Array(want);
        let got = 0;
        try {
          while (got < want) {
            const { bytesRead } = await handle.read(out, got, want - got, position + got);
            if (bytesRead === 0) break;
            got += bytesRead;
          }
        } catch (e) {
          throw new DataSourceError(`${caller}: cannot read bytes ${position}–${position + want - 1} of ${JSON.stringify(path)}: ${messageOf(e)}`, { cause: e });
        }
        return got === want ? out : out.subarray(0, got);
      },
      async close() {
        if (closed) return;
        closed = true;
        await handle.close();
      },
    };
  };
}

/**
 * Stream a Parquet file as a re-readable source: the selected columns, read by byte ranges in
 * chunks of `chunkRows` rows where the row group has an offset index (memory follows
 * `chunkRows`), else one row group at a time (memory follows the row group).
 *
 * @param path - file path.
 * @param options - `{ x, y, sigma?, chunkRows? }`: column names (`x` one name or one per model
 *   variable), rows per chunk (default 65536).
 * @returns an async iterable of chunks; each iteration reopens the file.
 * @throws NlsqTypeError / NlsqRangeError (at once) for a bad path, missing, unknown or invalid
 *   options; DataSourceError (while iterating) for an unreadable file, a missing reader package, a file that
 *   is not Parquet, a missing or non-numeric column, a corrupt row group (named with its rows and
 *   byte offset).
 * @example
 * ```ts
 * import { parquetFileSource } from 'nlsq/node';
 * const r = await fit(model('a*exp(-b*t)+c'), parquetFileSource('readings.parquet', { x: 't', y: 'signal' }), { p0: [1, 1, 0] });
 * ```
 */
export function parquetFileSource(path: string, options: ParquetOptions): AsyncIterable<SourceChunk> {
  return parquetPathSource(path, options, 'parquetFileSource');
}

/** {@link parquetFileSource} with the caller's name in its messages (the `nlsq` command's reader). */
export function parquetPathSource(path: string, options: ParquetOptions, caller: string): AsyncIterable<SourceChunk> {
  checkPath(path, caller);
  const resolved = resolveParquetOptions(options, caller);
  const opener = fileBytes(path, caller);
  return { [Symbol.asyncIterator]: () => readParquet(opener, resolved, caller) };
}

/**
 * Stream an Arrow IPC file (`.arrow`, Feather v2) or stream (`.arrows`) as a re-readable source:
 * the selected columns, one chunk per record batch, read by byte ranges (memory: one batch).
 *
 * @param path - file path.
 * @param options - `{ x, y, sigma? }`: column names (`x` one name or one per model variable).
 * @returns an async iterable of chunks; each iteration reopens the file.
 * @throws NlsqTypeError / NlsqRangeError (at once) for a bad path, missing or unknown options;
 *   DataSourceError (while iterating) for an unreadable file, a missing reader package, bytes that
 *   are not Arrow IPC, a missing or non-numeric column, a truncated record batch.
 * @example
 * ```ts
 * import { arrowFileSource } from 'nlsq/node';
 * const source = arrowFileSource('points.arrow', { x: ['x1', 'x2'], y: 'z', sigma: 'dz' });
 * ```
 */
export function arrowFileSource(path: string, options: ArrowOptions): AsyncIterable<SourceChunk> {
  return arrowPathSource(path, options, 'arrowFileSource');
}

/** {@link arrowFileSource} with the caller's name in its messages (the `nlsq` command's reader). */
export function arrowPathSource(path: string, options: ArrowOptions, caller: string): AsyncIterable<SourceChunk> {
  checkPath(path, caller);
  const columns = resolveColumns(options, caller);
  const opener = fileBytes(path, caller);
  return { [Symbol.asyncIterator]: () => readArrow(opener, columns, caller) };
}

async function openNodeHdf5(path: string, caller: string): Promise<Hdf5Pass> {
  const h5 = await loadOptional(() => import('h5wasm/node'), 'h5wasm', caller);
  await readyH5(h5);
  return openHdf5(h5, path, path, () => {}, caller);
}

/**
 * Stream one-dimensional datasets of an HDF5 file as a re-readable source, by hyperslabs of
 * `chunkRows` rows. h5wasm's Node build reads the real file (no copy in memory): memory is one
 * chunk plus HDF5's chunk cache.
 *
 * @param path - file path.
 * @param options - `{ x, y, sigma?, chunkRows? }`: dataset paths (`x` one path or one per model
 *   variable), rows per chunk (default 65536).
 * @returns an async iterable of chunks; each iteration reopens the file.
 * @throws NlsqTypeError / NlsqRangeError (at once) for a bad path, missing, unknown or invalid
 *   options; DataSourceError (while iterating) for a missing h5wasm, a file that is missing or not
 *   HDF5, a missing, non-numeric or multi-dimensional dataset, an unreadable hyperslab.
 * @example
 * ```ts
 * import { hdf5FileSource } from 'nlsq/node';
 * const source = hdf5FileSource('run42.h5', { x: '/grp/t', y: '/grp/signal', chunkRows: 100_000 });
 * ```
 */
export function hdf5FileSource(path: string, options: Hdf5Options): AsyncIterable<SourceChunk> {
  return hdf5PathSource(path, options, 'hdf5FileSource');
}

/** {@link hdf5FileSource} with the caller's name in its messages (the `nlsq` command's reader). */
export function hdf5PathSource(path: string, options: Hdf5Options, caller: string): AsyncIterable<SourceChunk> {
  checkPath(path, caller);
  const resolved = resolveHdf5Options(options, caller);
  return { [Symbol.asyncIterator]: () => readHdf5(() => openNodeHdf5(path, caller), resolved, caller) };
}
