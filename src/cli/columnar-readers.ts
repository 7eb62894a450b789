/// <reference types="node" />
/**
 * The `nlsq` command's readers of columnar files, registered through {@link registerReader}:
 * Parquet (`.parquet`, `.pq`), Arrow IPC files and streams (`.arrow`, `.feather`, `.arrows`,
 * `.ipc`) and HDF5 (`.h5`, `.hdf5`, `.he5`).
 *
 * Each reader is the library's `nlsq/node` file source over the path (`parquetFileSource`,
 * `arrowFileSource`, `hdf5FileSource`), loaded on the first read: a command that never opens such
 * a file loads neither this module's sources nor their packages (hyparquet, apache-arrow, h5wasm,
 * optional peer dependencies, loaded by the sources themselves with a clear message when absent).
 *
 * Columns are named as in the file (`--x t --y signal --sigma err`); for HDF5 they are dataset
 * paths: absolute (`--x /grp/t`), or relative to `--h5-group /grp` (default the root group).
 *
 * @module
 */
import { NlsqRangeError } from '../errors.ts';
import type { SourceChunk } from '../sources/data-source.ts';
import { type FileReader, HDF5_EXTENSIONS, type ReaderRequest, fileSize, registerReader, requireColumns } from './data-files.ts';

type NodeSources = typeof import('../node/columnar-file-sources.ts');

/**
 * A source whose first iteration loads the Node file sources and opens `open(sources)`. The
 * columnar readers fetch byte ranges, not the file in order, so progress is told per chunk with
 * no bytes (the bar's points/s stays live) and the whole file at the end of a pass.
 */
function lazySource(req: ReaderRequest, open: (sources: NodeSources) => AsyncIterable<SourceChunk>): AsyncIterable<SourceChunk> {
  return {
    async *[Symbol.asyncIterator]() {
      const sources = await import('../node/columnar-file-sources.ts');
      for await (const chunk of open(sources)) {
        yield chunk;
        req.onBytes?.(0);
      }
      req.onBytes?.(fileSize(req.path));
    },
  };
}

/** The columns of a request as the sources take them: x (one name or k), y, sigma. */
function selection(req: ReaderRequest, name: (ref: string) => string): { x: string | string[]; y: string; sigma?: string } {
  const y = requireColumns(req);
  const x = req.x.map(name);
  return { x: x.length === 1 ? x[0]! : x, y: name(y), ...(req.sigma === undefined ? {} : { sigma: name(req.sigma) }) };
}

const plain = (ref: string): string => ref;

const parquetReader: FileReader = (req) => {
  const columns = selection(req, plain);
  return lazySource(req, (s) => s.parquetPathSource(req.path, { ...columns, ...(req.chunkRows === undefined ? {} : { chunkRows: req.chunkRows }) }, `${req.caller} ${req.path}`));
};

const arrowReader: FileReader = (req) => {
  const columns = selection(req, plain);
  return lazySource(req, (s) => s.arrowPathSource(req.path, columns, `${req.caller} ${req.path}`));
};

/**
 * A dataset path in an HDF5 file: `ref` as given when it is absolute, else under `group`.
 *
 * @param group - the `--h5-group` value, or undefined for the root.
 * @param ref - the column flag's value.
 * @param caller - command name for messages.
 * @returns the absolute dataset path.
 * @throws NlsqRangeError naming `--h5-group` for a group that is not an absolute path.
 */
export function datasetPath(group: string | undefined, ref: string, caller: string): string {
  if (ref.startsWith('/')) return ref;
  if (group === undefined) return `/${ref}`;
  if (!group.startsWith('/')) throw new NlsqRangeError(`${caller}: --h5-group must be an absolute group path such as /grp, got ${JSON.stringify(group)}`, '--h5-group');
  return `${group.replace(/\/+$/, '')}/${ref}`;
}

const hdf5Reader: FileReader = (req) => {
  const columns = selection(req, (ref) => datasetPath(req.h5Group, ref, req.caller));
  return lazySource(req, (s) => s.hdf5PathSource(req.path, { ...columns, ...(req.chunkRows === undefined ? {} : { chunkRows: req.chunkRows }) }, `${req.caller} ${req.path}`));
};

/** The extensions and their readers. */
export const COLUMNAR_READERS: readonly (readonly [string, FileReader])[] = [
  ['.parquet', parquetReader],
  ['.pq', parquetReader],
  ['.arrow', arrowReader],
  ['.feather', arrowReader],
  ['.arrows', arrowReader],
  ['.ipc', arrowReader],
  ...HDF5_EXTENSIONS.map((ext) => [ext, hdf5Reader] as const),
];

/** Register the Parquet, Arrow and HDF5 readers (idempotent). */
export function registerColumnarReaders(): void {
  for (const [ext, reader] of COLUMNAR_READERS) registerReader(ext, reader);
}
