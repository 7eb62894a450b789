/**
 * Apache Parquet files as re-readable streaming sources, read with hyparquet (pure JavaScript,
 * with hyparquet-compressors for the Snappy/gzip/Brotli/LZ4/Zstd codecs), loaded on first use.
 *
 * A pass reads the footer (the file metadata), then the selected columns through byte-range
 * reads — never the whole file. Where a row group's selected column chunks have an offset index
 * (the page locations, which writers may store for column chunks of several pages), it is
 * read in chunks of whole pages, at least `chunkRows` rows each (cut where every selected column
 * starts a page, so each page is fetched and decoded once), and memory follows `chunkRows` (or
 * the largest page); otherwise the row group is one chunk and memory follows its size
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
import { type ColumnSelection, type ResolvedColumns, checkColumns, chunkOf, messageOf, resolveColumns, toFloat64 } from './column-options.ts';
import type { SourceChunk } from './data-source.ts';
import { loadOptional } from './optional-package.ts';
import { chunkRowsOption } from './reader-options.ts';

/** Options of the Parquet sources: the columns to read, and rows per chunk. */
export interface ParquetOptions extends ColumnSelection {
  /**
   * Rows per chunk within a row group whose selected columns all have an offset index (page
   * locations, which writers may store for column chunks of several pages): a positive integer,
   * default 65536. Such a chunk is the shortest run of whole pages of at least `chunkRows` rows,
   * so memory follows `chunkRows` (or the largest page), not the writer's row-group size. Row groups without an offset index are read
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
 * Where a row group's chunks begin and end (absolute rows, first = the group's start, last = its
 * end). With an offset index on every selected column, the cuts fall on page starts that all
 * those columns share, each chunk the shortest run of whole pages of at least `chunkRows` rows:
 * a page is then fetched and decompressed once per pass — cutting at fixed row counts instead
 * split pages between chunks, and each split page was read and decoded twice (measured: 2.9×
 * the file's bytes per pass with hyparquet-writer's 1 MB pages and 65,536-row chunks). A chunk
 * holds at least one page, so memory follows max(chunkRows, the largest page). Without an
 * offset index, the row group is one chunk.
 */
async function chunkCuts(hyparquet: typeof import('hyparquet'), buffer: import('hyparquet').AsyncBuffer, group: import('hyparquet').RowGroup, columns: readonly string[], groupStart: number, chunkRows: number): Promise<number[]> {
  const groupEnd = groupStart + Number(group.num_rows);
  if (!hasOffsetIndex(group, columns)) return [groupStart, groupEnd];
  let shared: Set<number> | undefined;
  for (const chunk of group.columns) {
    if (!columns.includes(chunk.meta_data?.path_in_schema[0] ?? '')) continue;
    const start = Number(chunk.offset_index_offset!);
    const bytes = await buffer.slice(start, start + chunk.offset_index_length!);
    const index = hyparquet.readOffsetIndex({ view: new DataView(bytes), offset: 0 });
    const starts = new Set(index.page_locations.map((page) => groupStart + Number(page.first_row_index)));
    shared = shared === undefined ? starts : new Set([...shared].filter((row) => starts.has(row)));
  }
  const pageStarts = [...shared!].filter((row) => row > groupStart && row < groupEnd).sort((a, b) => a - b);
  const cuts = [groupStart];
  for (const row of pageStarts) if (row - cuts[cuts.length - 1]! >= chunkRows) cuts.push(row);
  cuts.push(groupEnd);
  return cuts;
}

/** What {@link decodeRange} reads from: the file, its footer, the codecs. */
interface ParquetFile {
  readonly file: import('hyparquet').AsyncBuffer;
  readonly metadata: import('hyparquet').FileMetaData;
  readonly compressors: import('hyparquet').Compressors;
}

/**
 * Rows [rowStart, rowEnd) of the selected columns as Float64Arrays, straight from hyparquet's
 * decoded pages: `parquetRead` with `onChunk` hands over each page's values as hyparquet decoded
 * them (a Float64Array for DOUBLE, Int32Array for INT32, … ; a plain array only for a column
 * with nulls), and each is copied once into the chunk's column at its row. (hyparquet's
 * `readColumn` would first `flatten` the pages of a range into one boxed JavaScript array — the
 * 85 % of a pass measured before this path, `npm run bench -- data-parquet`.) Pages may reach
 * outside the range; only the rows inside are copied, and every row must be covered exactly.
 *
 * @throws DataSourceError (the pass wraps it in one naming the file and row group) when a
 *   page cannot be decoded, a column's pages do not cover the range, or hold a non-numeric value.
 */
async function decodeRange(hyparquet: typeof import('hyparquet'), input: ParquetFile, columns: readonly string[], rowStart: number, rowEnd: number): Promise<Float64Array[]> {
  const n = rowEnd - rowStart;
  const out = columns.map(() => new Float64Array(n));
  const filled = new Float64Array(columns.length);
  let bad: Error | undefined;
  await hyparquet.parquetRead({
    ...input,
    columns: [...columns],
    rowStart,
    rowEnd,
    useOffsetIndex: true,
    onChunk: ({ columnName, columnData, rowStart: first }) => {
      const j = columns.indexOf(columnName);
      const from = Math.max(rowStart, first);
      const to = Math.min(rowEnd, first + columnData.length);
      if (j < 0 || to <= from || bad !== undefined) return;
      const a = from - first;
      const b = to - first;
      try {
        const part = ArrayBuffer.isView(columnData) && !(columnData instanceof BigInt64Array) && !(columnData instanceof BigUint64Array)
          ? (columnData as Exclude<import('hyparquet').DecodedArray, unknown[] | BigInt64Array | BigUint64Array>).subarray(a, b)
          : toFloat64((columnData as ArrayLike<unknown> & { slice(a: number, b: number): ArrayLike<unknown> }).slice(a, b), `column ${JSON.stringify(columnName)}`, from);
        out[j]!.set(part, from - rowStart);
        filled[j]! += to - from;
      } catch (e) {
        bad = e as Error;
      }
    },
  });
  if (bad !== undefined) throw bad;
  columns.forEach((name, j) => {
    if (filled[j] !== n) throw new DataSourceError(`column ${JSON.stringify(name)} has ${filled[j]} values in rows ${rowStart}–${rowEnd - 1}, expected ${n}`);
  });
  return out;
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
    const schema = hyparquet.parquetSchema(metadata).children.map(({ element: { name, type } }) => ({ name, type: type ?? 'group', numeric: type !== undefined && NUMERIC_TYPES.has(type) }));
    checkColumns(columns, schema, 'Parquet', 'INT32, INT64, FLOAT and DOUBLE', file, caller);
    const read = (rowStart: number, rowEnd: number): Promise<Float64Array[]> => decodeRange(hyparquet, { file: buffer, metadata, compressors }, columns.all, rowStart, rowEnd);
    const ranges: { rowStart: number; rowEnd: number; where: string }[] = [];
    let groupStart = 0;
    for (let g = 0; g < metadata.row_groups.length; g++) {
      const group = metadata.row_groups[g]!;
      const groupEnd = groupStart + Number(group.num_rows);
      const offset = groupOffset(group, columns.all);
      let cuts: number[];
      try {
        cuts = await chunkCuts(hyparquet, buffer, group, columns.all, groupStart, options.chunkRows);
      } catch (e) {
        throw new DataSourceError(`${caller}: cannot read the offset index of row group ${g} (rows ${groupStart}–${groupEnd - 1}, byte offset ${offset}) of ${file}: ${messageOf(e)}`, { cause: e });
      }
      for (let c = 0; c + 1 < cuts.length; c++) {
        const rowStart = cuts[c]!;
        const rowEnd = cuts[c + 1]!;
        ranges.push({ rowStart, rowEnd, where: `row group ${g} (rows ${rowStart}–${rowEnd - 1}, byte offset ${offset}) of ${file}` });
      }
      groupStart = groupEnd;
    }
    // one range ahead: the next chunk's byte reads are under way while the fit folds this one
    const start = (i: number): Promise<Float64Array[]> | undefined => {
      const range = ranges[i];
      if (range === undefined) return undefined;
      const pending = read(range.rowStart, range.rowEnd).catch((e: unknown) => {
        throw new DataSourceError(`${caller}: cannot read ${range.where}: ${messageOf(e)}`, { cause: e });
      });
      pending.catch(() => {}); // awaited below; never an unhandled rejection if the pass stops early
      return pending;
    };
    let next = start(0);
    for (let i = 0; next !== undefined; i++) {
      const current = next;
      const decoded = await current;
      next = start(i + 1);
      yield chunkOf(decoded, columns);
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
