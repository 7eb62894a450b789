/**
 * Apache Parquet files as re-readable streaming sources, read with hyparquet (pure JavaScript,
 * with hyparquet-compressors for the Snappy/gzip/Brotli/LZ4/Zstd codecs), loaded on first use.
 *
 * A pass reads the footer (the file metadata), then the selected columns one row group at a
 * time through byte-range reads, so memory holds the footer and one row group of the selected
 * columns — never the whole file. Each row group becomes one chunk (its size is the writer's
 * choice: DuckDB writes 122,880 rows, pyarrow up to 1M, hyparquet-writer 100,000). Every
 * iteration of the source starts a new pass that reads the file again.
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

/** Options of the Parquet sources: the columns to read. */
export type ParquetOptions = ColumnSelection;

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

/**
 * One pass over a Parquet file: the selected columns, one chunk per row group.
 *
 * @param open - opens the file's bytes for this pass (closed when the pass ends).
 * @param columns - the resolved column selection.
 * @param caller - function name for messages.
 * @returns an async generator of chunks.
 * @throws DataSourceError for a file that is not Parquet or is truncated (its footer), a missing
 *   or non-numeric column, and a row group that cannot be decoded — naming the file, the row
 *   group, its rows and byte offset.
 */
export async function* readParquet(open: BytesOpener, columns: ResolvedColumns, caller: string): AsyncGenerator<SourceChunk, void, undefined> {
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
    let rowStart = 0;
    for (let g = 0; g < metadata.row_groups.length; g++) {
      const group = metadata.row_groups[g]!;
      const rowEnd = rowStart + Number(group.num_rows);
      if (rowEnd === rowStart) continue;
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
      rowStart = rowEnd;
      yield chunkOf(out, columns);
    }
  } finally {
    await bytes.close();
  }
}

/**
 * A re-readable streaming source over a Parquet `Blob`/`File` (or its bytes in memory): the
 * selected columns, one chunk per row group, read by byte ranges.
 *
 * @param file - the Parquet file: a `Blob`, `File`, `Uint8Array` or `ArrayBuffer`.
 * @param options - `{ x, y, sigma? }`: column names (`x` one name or one per model variable).
 * @returns an async iterable whose every iteration reads the file again.
 * @throws NlsqTypeError / NlsqRangeError (at once) for a bad file argument, missing or unknown
 *   options; DataSourceError (while iterating) for a missing reader package, a file that is not
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
  const columns = resolveColumns(options, caller);
  return { [Symbol.asyncIterator]: () => readParquet(open, columns, caller) };
}
