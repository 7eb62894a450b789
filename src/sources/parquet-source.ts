/**
 * Apache Parquet files as re-readable streaming sources, read with hyparquet (pure JavaScript,
 * with hyparquet-compressors for the Snappy/gzip/Brotli/LZ4/Zstd codecs), loaded on first use.
 *
 * A pass reads the footer (the file metadata), then the selected columns through byte-range
 * reads — never the whole file. Where a row group's selected column chunks have an offset index
 * (the page locations, which writers may store for column chunks of several pages), it is
 * read in chunks of `chunkRows` rows, each fetching and decoding only the pages it overlaps, so
 * memory follows `chunkRows`; otherwise the row group is one chunk and memory follows its size
 * (the writer's choice: DuckDB writes 122,880 rows, pyarrow up to 1M). Every iteration of the
 * source starts a new pass that reads the file again.
 *
 * Columns are chosen by name among the file's top-level columns; INT32, INT64, FLOAT and DOUBLE
 * columns are read as float64 and nulls become NaN, for the fit's `nanPolicy` (see
 * `column-options.ts`). Errors name the file, and the row group with its rows and byte offset.
 *
 * @module
 */
import { DataSourceError } from '../errors.ts';
import { type BytesOpener, type RandomAccessBytes, bytesOpener } from './byte-reader.ts';
import { type ColumnSelection, type ResolvedColumns, chunkOf, messageOf, resolveColumns, toFloat64 } from './column-options.ts';
import type { SourceChunk } from './data-source.ts';
import { loadOptional } from './optional-package.ts';
import { chunkRowsOption } from './reader-options.ts';

/** Options of the Parquet sources: the columns to read, and rows per chunk. */
export interface ParquetOptions extends ColumnSelection {
  /**
   * Rows per chunk within a row group whose selected columns all have an offset index (page
   * locations, which writers may store for column chunks of several pages): a positive integer,
   * default 65536. Such a chunk reads only the pages it overlaps, so memory follows
   * `chunkRows`, not the writer's row-group size. Row groups without an offset index are read
   * whole (one chunk each).
   */
  readonly chunkRows?: number | undefined;
}

/** {@link ParquetOptions} checked. */
export interface ResolvedParquetOptions {
  /** Column names. */
  readonly columns: ResolvedColumns;
  /** Rows per chunk in row groups with an offset index. */
  readonly chunkRows: number;
}

/**
 * Check the Parquet options.
 *
 * @param options - `{ x, y, sigma?, chunkRows? }`.
 * @param caller - function name for messages.
 * @returns the resolved options.
 * @throws NlsqTypeError / NlsqRangeError for missing, unknown or invalid options.
 */
export function resolveParquetOptions(options: unknown, caller: string): ResolvedParquetOptions {
  const columns = resolveColumns(options, caller, ['chunkRows']);
  return { columns, chunkRows: chunkRowsOption(caller, (options as { chunkRows?: unknown }).chunkRows, columns.all.length) };
}

/** Parquet physical types read as numbers. */
const NUMERIC_TYPES = new Set(['INT32', 'INT64', 'FLOAT', 'DOUBLE']);

interface ParquetReader {
  readonly hyparquet: typeof import('hyparquet');
  readonly compressors: import('hyparquet').Compressors;
}

async function loadParquet(caller: string): Promise<ParquetReader> {
  return loadOptional(
    async () => {
      const [hyparquet, extra] = await Promise.all([import('hyparquet'), import('hyparquet-compressors')]);
      return { hyparquet, compressors: extra.compressors };
    },
    'hyparquet hyparquet-compressors',
    caller,
  );
}

/** hyparquet's AsyncBuffer over a {@link RandomAccessBytes}. */
function asyncBuffer(bytes: RandomAccessBytes): import('hyparquet').AsyncBuffer {
  return {
    byteLength: bytes.size,
    async slice(start: number, end?: number): Promise<ArrayBuffer> {
      const u = await bytes.read(start, (end ?? bytes.size) - start);
      const whole = u.byteOffset === 0 && u.byteLength === u.buffer.byteLength && u.buffer instanceof ArrayBuffer;
      return whole ? (u.buffer as ArrayBuffer) : (u.slice().buffer as ArrayBuffer);
    },
  };
}

/** First byte of a row group's selected column chunks, for messages. */
function groupOffset(group: import('hyparquet').RowGroup, columns: readonly string[]): number {
  let offset = Infinity;
  for (const chunk of group.columns) {
    const md = chunk.meta_data;
    if (md === undefined || !columns.includes(md.path_in_schema[0] ?? '')) continue;
    offset = Math.min(offset, Number(md.dictionary_page_offset ?? md.data_page_offset));
  }
  return Number.isFinite(offset) ? offset : Number(group.file_offset ?? 0);
}

/** True when every selected column chunk of a row group has an offset index (page locations). */
function hasOffsetIndex(group: import('hyparquet').RowGroup, columns: readonly string[]): boolean {
  const selected = group.columns.filter((c) => columns.includes(c.meta_data?.path_in_schema[0] ?? ''));
  return selected.length === columns.length && selected.every((c) => c.offset_index_offset !== undefined && (c.offset_index_length ?? 0) > 0);
}

/**
 * One pass over a Parquet file: the selected columns, row group by row group — in chunks of
 * `chunkRows` rows where the row group has an offset index, else one chunk per row group.
 *
 * @param open - opens the file's bytes for this pass (closed when the pass ends).
 * @param options - the resolved options.
 * @param caller - function name for messages.
 * @returns an async generator of chunks.
 * @throws DataSourceError for a file that is not Parquet or is truncated (its footer), a missing
 *   or non-numeric column, and a row group that cannot be decoded — naming the file, the row
 *   group, its rows and byte offset.
 */
export async function* readParquet(open: BytesOpener, options: ResolvedParquetOptions, caller: string): AsyncGenerator<SourceChunk, void, undefined> {
  const columns = options.columns;
  const { hyparquet, compressors } = await loadParquet(caller);
  const bytes = await open();
  const file = JSON.stringify(bytes.name);
  try {
    const buffer = asyncBuffer(bytes);
    let metadata: import('hyparquet').FileMetaData;
    try {
      metadata = await hyparquet.parquetMetadataAsync(buffer);
    } catch (e) {
      throw new DataSourceError(`${caller}: ${file} is not a readable Parquet file (its footer, the last bytes of ${bytes.size}): ${messageOf(e)}`, { cause: e });
    }
    const schema = hyparquet.parquetSchema(metadata).children;
    const names = schema.map((c) => c.element.name);
    for (const name of columns.all) {
      const at = names.indexOf(name);
      if (at < 0) throw new DataSourceError(`${caller}: column ${JSON.stringify(name)} is not in ${file} (columns: ${names.map((n) => JSON.stringify(n)).join(', ')})`);
      const type = schema[at]!.element.type;
      if (type === undefined || !NUMERIC_TYPES.has(type)) {
        throw new DataSourceError(`${caller}: column ${JSON.stringify(name)} of ${file} has Parquet type ${type ?? 'group'}; only INT32, INT64, FLOAT and DOUBLE columns can be read`);
      }
    }
    const scan = await hyparquet.parquetScan({ file: buffer, metadata, columns: [...columns.all], compressors });
    let groupStart = 0;
    for (let g = 0; g < metadata.row_groups.length; g++) {
      const group = metadata.row_groups[g]!;
      const groupEnd = groupStart + Number(group.num_rows);
      const step = hasOffsetIndex(group, columns.all) ? options.chunkRows : groupEnd - groupStart;
      for (let rowStart = groupStart; rowStart < groupEnd; rowStart += step) {
        const rowEnd = Math.min(groupEnd, rowStart + step);
        const where = `row group ${g} (rows ${rowStart}–${rowEnd - 1}, byte offset ${groupOffset(group, columns.all)}) of ${file}`;
        let decoded: import('hyparquet').DecodedArray[];
        try {
          decoded = await Promise.all(columns.all.map((column) => scan.readColumn({ column, rowStart, rowEnd })));
        } catch (e) {
          throw new DataSourceError(`${caller}: cannot read ${where}: ${messageOf(e)}`, { cause: e });
        }
        const out = decoded.map((d, j) => {
          if (d.length !== rowEnd - rowStart) throw new DataSourceError(`${caller}: column ${JSON.stringify(columns.all[j])} of ${where} has ${d.length} values, expected ${rowEnd - rowStart}`);
          return toFloat64(d, `${caller}: column ${JSON.stringify(columns.all[j])} of ${where}`, rowStart);
        });
        yield chunkOf(out, columns);
      }
      groupStart = groupEnd;
    }
  } finally {
    await bytes.close();
  }
}

/**
 * A re-readable streaming source over a Parquet `Blob`/`File` (or its bytes in memory): the
 * selected columns, row group by row group (in chunks of `chunkRows` rows where the file has an
 * offset index), read by byte ranges.
 *
 * @param file - the Parquet file: a `Blob`, `File`, `Uint8Array` or `ArrayBuffer`.
 * @param options - `{ x, y, sigma?, chunkRows? }`: column names (`x` one name or one per model
 *   variable), rows per chunk (default 65536; see {@link ParquetOptions.chunkRows}).
 * @returns an async iterable whose every iteration reads the file again.
 * @throws NlsqTypeError / NlsqRangeError (at once) for a bad file argument, missing, unknown or
 *   invalid options; DataSourceError (while iterating) for a missing reader package, a file that is not
 *   Parquet, a missing or non-numeric column, a corrupt row group.
 * @example
 * ```ts
 * const source = parquetSource(input.files[0], { x: 't', y: 'signal', sigma: 'err' });
 * const result = await fit(model('a*exp(-b*t)+c'), source, { p0: [1, 1, 0], nanPolicy: 'omit' });
 * ```
 */
export function parquetSource(file: Blob | Uint8Array | ArrayBuffer, options: ParquetOptions): AsyncIterable<SourceChunk> {
  const caller = 'parquetSource';
  const open = bytesOpener(file, caller, 'file');
  const resolved = resolveParquetOptions(options, caller);
  return { [Symbol.asyncIterator]: () => readParquet(open, resolved, caller) };
}
