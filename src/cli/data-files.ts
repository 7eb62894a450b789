/// <reference types="node" />
/**
 * The data files the `nlsq` command reads, chosen by extension: CSV (`.csv`), TSV (`.tsv`),
 * whitespace-separated text (`.txt`, `.dat`, `.xy`) and raw little-endian Float64 records
 * (`.f64`, `.bin`). Each reader returns a re-readable streaming source (every iteration reopens
 * the file), parsed by the library's isomorphic parsers (`sources/csv-parser.ts`,
 * `sources/float64-parser.ts`), so a file of any size can be fitted by the streaming workflow.
 *
 * {@link registerReader} is the plug-in point for further formats: a reader maps a
 * {@link ReaderRequest} to a source of `{ x, y, sigma? }` chunks. Parquet, Arrow IPC and HDF5 are
 * registered through it by `columnar-readers.ts`.
 *
 * Columns are given as on the command line: a header name, or a 1-based index (`--x 1`); whether
 * the first line is a header is detected (any field of the first data line that is not a number).
 *
 * @module
 */
import { createReadStream, openSync, readSync, closeSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { DataSourceError, NlsqRangeError } from '../errors.ts';
import { resolveCsvOptions, type ColumnRef } from '../sources/csv-options.ts';
import { readCsv } from '../sources/csv-parser.ts';
import type { SourceChunk } from '../sources/data-source.ts';
import { parseDecimal } from '../sources/decimal.ts';
import { readFloat64, resolveFloat64Options } from '../sources/float64-parser.ts';
import { whitespaceToCommas } from './whitespace-text.ts';

/** What a reader is asked for. */
export interface ReaderRequest {
  /** The file. */
  readonly path: string;
  /** The x columns as given (`--x`): header names or 1-based indices as text; may be empty for formats with fixed columns. */
  readonly x: readonly string[];
  /** The y column as given (`--y`), or undefined for formats with fixed columns. */
  readonly y: string | undefined;
  /** The sigma column (`--sigma`), if any. */
  readonly sigma: string | undefined;
  /** HDF5: the group that relative dataset paths of x, y and sigma are in (`--h5-group`; default the root). */
  readonly h5Group?: string | undefined;
  /** Rows per chunk. */
  readonly chunkRows?: number | undefined;
  /** Called with the size of every block read from the file (for progress bars). */
  readonly onBytes?: ((bytes: number) => void) | undefined;
  /** Command name for messages (e.g. `'nlsq fit'`). */
  readonly caller: string;
}

/** A file reader: a re-readable source over the file's `{ x, y, sigma? }` records. */
export type FileReader = (request: ReaderRequest) => AsyncIterable<SourceChunk>;

/** The first line of a delimited text file, split into fields, and whether it is a header. */
export interface TextLayout {
  /** The field delimiter after the whitespace transform (`,` for whitespace text). */
  readonly delimiter: string;
  /** Whether the first non-comment line holds a non-number. */
  readonly header: boolean;
  /** The fields of that line (the column names when it is a header). */
  readonly fields: readonly string[];
  /** Whether the file is whitespace-separated text. */
  readonly whitespace: boolean;
}

/** Stream a file's bytes, reporting each block's size. */
async function* fileBytes(path: string, caller: string, onBytes?: (n: number) => void): AsyncGenerator<Uint8Array, void, undefined> {
  const stream = createReadStream(path, { highWaterMark: 1 << 16 });
  try {
    for await (const block of stream) {
      onBytes?.((block as Uint8Array).length);
      yield block as Uint8Array;
    }
  } catch (e) {
    throw new DataSourceError(`${caller}: cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  } finally {
    stream.destroy();
  }
}

/**
 * Read the first non-blank, non-comment line of a text file and say whether it is a header.
 *
 * @param path - the file.
 * @param delimiter - `','`, `'\t'`, or `' '` for whitespace-separated text.
 * @param caller - command name for messages.
 * @returns the layout.
 * @throws DataSourceError when the file cannot be read or holds no data line.
 */
export function sniffText(path: string, delimiter: string, caller: string): TextLayout {
  let text: string;
  try {
    const fd = openSync(path, 'r');
    try {
      const buf = Buffer.alloc(1 << 16);
      text = buf.subarray(0, readSync(fd, buf, 0, buf.length, 0)).toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    throw new DataSourceError(`${caller}: cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  const whitespace = delimiter === ' ';
  const line = text.split(/\r?\n/).find((l) => l.trim().length > 0 && !l.trimStart().startsWith('#'));
  if (line === undefined) throw new DataSourceError(`${caller}: ${path} holds no data line in its first 64 KiB`);
  const raw = whitespace ? line.trim().split(/[ \t]+/) : line.split(delimiter);
  const fields = raw.map((f) => f.trim().replace(/^"(.*)"$/, '$1'));
  const header = fields.some((f) => parseDecimal(f, 0, f.length) === undefined);
  return { delimiter: whitespace ? ',' : delimiter, header, fields, whitespace };
}

/**
 * A command-line column reference as the parser's: a 1-based index `"3"` becomes 2, a name stays.
 *
 * @param flag - the flag, for messages (e.g. `'--x'`).
 * @param ref - the text given.
 * @param layout - the file's first line.
 * @param caller - command name for messages.
 * @returns the 0-based index or the header name.
 * @throws NlsqRangeError for index 0, an index past the last field, or a name the header lacks.
 */
export function columnRef(flag: string, ref: string, layout: TextLayout, caller: string): ColumnRef {
  if (/^\d+$/.test(ref)) {
    const i = Number(ref);
    if (i < 1 || i > layout.fields.length) {
      throw new NlsqRangeError(`${caller}: ${flag} must be a column name or a 1-based index from 1 to ${layout.fields.length}, got ${ref}`, flag);
    }
    return i - 1;
  }
  if (!layout.header) throw new NlsqRangeError(`${caller}: ${flag} names column "${ref}" but the file has no header line; give a 1-based index`, flag);
  if (!layout.fields.includes(ref)) {
    throw new NlsqRangeError(`${caller}: ${flag} names column "${ref}", which is not in the header (columns: ${layout.fields.join(', ')})`, flag);
  }
  return ref;
}

/**
 * Check that a request names its columns (formats with named columns need `--x` and `--y`).
 *
 * @param req - the request.
 * @returns the y column.
 * @throws NlsqRangeError naming `--x` or `--y` when it is missing.
 */
export function requireColumns(req: ReaderRequest): string {
  if (req.x.length === 0) throw new NlsqRangeError(`${req.caller}: --x is required for ${req.path}: the column(s) of the independent variable`, '--x');
  if (req.y === undefined) throw new NlsqRangeError(`${req.caller}: --y is required for ${req.path}: the column of the observations`, '--y');
  return req.y;
}

function textReader(delimiter: string): FileReader {
  return (req) => {
    const layout = sniffText(req.path, delimiter, req.caller);
    const yRef = requireColumns(req);
    const x = req.x.map((r) => columnRef('--x', r, layout, req.caller));
    const y = columnRef('--y', yRef, layout, req.caller);
    const sigma = req.sigma === undefined ? undefined : columnRef('--sigma', req.sigma, layout, req.caller);
    const options = resolveCsvOptions(
      { x, y, sigma, header: layout.header, delimiter: layout.delimiter, ...(req.chunkRows === undefined ? {} : { chunkRows: req.chunkRows }) },
      req.caller,
    );
    const bytes = (): AsyncIterable<Uint8Array> => {
      const raw = fileBytes(req.path, req.caller, req.onBytes);
      return layout.whitespace ? whitespaceToCommas(raw) : raw;
    };
    return { [Symbol.asyncIterator]: () => readCsv(bytes(), options, `${req.caller} ${req.path}`) };
  };
}

/** Raw Float64 records: as many x columns as `--x` lists (default 1), then y, then sigma when `--sigma` is given. */
const float64Reader: FileReader = (req) => {
  const options = resolveFloat64Options(
    { variables: Math.max(1, req.x.length), sigma: req.sigma !== undefined, ...(req.chunkRows === undefined ? {} : { chunkRows: req.chunkRows }) },
    req.caller,
  );
  return { [Symbol.asyncIterator]: () => readFloat64(fileBytes(req.path, req.caller, req.onBytes), options, `${req.caller} ${req.path}`) };
};

const READERS = new Map<string, FileReader>([
  ['.csv', textReader(',')],
  ['.tsv', textReader('\t')],
  ['.txt', textReader(' ')],
  ['.dat', textReader(' ')],
  ['.xy', textReader(' ')],
  ['.f64', float64Reader],
  ['.bin', float64Reader],
]);

/** The extensions of HDF5 files (the files whose columns are dataset paths, and `--h5-group` applies to). */
export const HDF5_EXTENSIONS: readonly string[] = ['.h5', '.hdf5', '.he5'];

/**
 * Register a reader for a file extension (the plug-in point for Parquet, Arrow, HDF5 readers).
 *
 * @param extension - with or without the dot, e.g. `'parquet'`; matched case-insensitively.
 * @param reader - maps a request to a re-readable source.
 */
export function registerReader(extension: string, reader: FileReader): void {
  READERS.set((extension.startsWith('.') ? extension : `.${extension}`).toLowerCase(), reader);
}

/**
 * Open a data file as a re-readable source with the reader of its extension.
 *
 * @param request - the file, the columns and the callbacks.
 * @returns the source.
 * @throws DataSourceError for a missing file or an extension no reader handles; the reader's
 *   errors for bad columns.
 */
export function openDataFile(request: ReaderRequest): AsyncIterable<SourceChunk> {
  const { path, caller } = request;
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new DataSourceError(`${caller}: cannot read ${path}: no such file`);
  }
  if (size === 0) throw new DataSourceError(`${caller}: ${path} is empty`);
  const ext = extname(path).toLowerCase();
  const reader = READERS.get(ext);
  if (reader === undefined) {
    throw new DataSourceError(`${caller}: ${path}: no reader for ${ext === '' ? 'a file without extension' : `"${ext}" files`} (known: ${[...READERS.keys()].join(', ')})`);
  }
  if (request.h5Group !== undefined && !HDF5_EXTENSIONS.includes(ext)) {
    throw new NlsqRangeError(`${caller}: --h5-group applies to HDF5 files (${HDF5_EXTENSIONS.join(', ')}), got ${path}`, '--h5-group');
  }
  return reader(request);
}

/** Whether the file is a delimited text file (so it has named columns), and its delimiter. */
export function textDelimiter(path: string): string | undefined {
  const ext = extname(path).toLowerCase();
  return ext === '.csv' ? ',' : ext === '.tsv' ? '\t' : ext === '.txt' || ext === '.dat' || ext === '.xy' ? ' ' : undefined;
}

/** The file's size in bytes (0 when it cannot be read). */
export function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
