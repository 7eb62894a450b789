/**
 * Apache Arrow IPC files and streams as re-readable streaming sources, read with apache-arrow,
 * loaded on first use.
 *
 * Both IPC formats are read by byte ranges through a {@link RandomAccessBytes}: the *file*
 * format (`.arrow`, Feather v2) has a footer listing its record batches, so a pass reads the
 * footer and then one batch at a time; the *stream* format (`.arrows`) is read message by
 * message from the start. Memory holds one record batch (apache-arrow reads a batch's body
 * whole) — never the file. Each record batch becomes one chunk; every iteration of the source
 * starts a new pass that reads the file again.
 *
 * The byte ranges reach apache-arrow through the file-handle interface its `RecordBatchReader`
 * accepts (`stat()`, `read(buffer, offset, length, position)`, `close()` — the shape of Node's
 * `fs.promises.FileHandle`), which is how it reads a `Blob` in a browser without loading it whole.
 *
 * Integer and floating-point columns are read as float64; nulls (the validity bitmap) become NaN,
 * for the fit's `nanPolicy`. Errors name the file and the record batch.
 *
 * @module
 */
import { DataSourceError } from '../errors.ts';
import { type BytesOpener, type RandomAccessBytes, bytesOpener } from './byte-reader.ts';
import { type ColumnSelection, type ResolvedColumns, checkColumns, chunkOf, messageOf, resolveColumns, toFloat64 } from './column-options.ts';
import type { SourceChunk } from './data-source.ts';
import { loadOptional } from './optional-package.ts';

/** Options of the Arrow sources: the columns to read. */
export type ArrowOptions = ColumnSelection;

type Arrow = typeof import('apache-arrow');
type Batch = import('apache-arrow').RecordBatch;

/** The file-handle shape apache-arrow's reader reads by ranges, over {@link RandomAccessBytes}. */
function fileHandle(bytes: RandomAccessBytes): object {
  return {
    fd: -1, // apache-arrow recognises a file handle by `stat` and a numeric `fd`
    stat: async () => ({ size: bytes.size }),
    async read(buffer: Uint8Array, offset: number, length: number, position: number) {
      const u = await bytes.read(position, length);
      buffer.set(u, offset);
      return { bytesRead: u.byteLength, buffer };
    },
    close: () => bytes.close(),
  };
}

/** Arrow's `Precision.HALF`: float16, whose `toArray()` holds the raw 16-bit patterns. */
const HALF = 0;

/** One column of a record batch as float64, nulls as NaN. */
function batchColumn(arrow: Arrow, batch: Batch, name: string, where: string, firstRow: number): Float64Array {
  const vector = batch.getChild(name)!;
  const type = vector.type as import('apache-arrow').DataType;
  const half = arrow.DataType.isFloat(type) && (type as import('apache-arrow').Float).precision === HALF;
  // float16: decode each value (get) instead of reading the bit patterns as numbers
  const values = (half ? Array.from({ length: vector.length }, (_, i) => vector.get(i) as number | null) : vector.toArray()) as ArrayLike<unknown>;
  let out = toFloat64(values, where, firstRow);
  if (vector.nullCount > 0) {
    if (out === values) out = out.slice(); // a view into the batch's buffer: never write into it
    for (let i = 0; i < out.length; i++) if (!vector.isValid(i)) out[i] = NaN;
  }
  return out;
}

/**
 * One pass over an Arrow IPC file or stream: the selected columns, one chunk per record batch.
 *
 * @param open - opens the file's bytes for this pass (closed when the pass ends).
 * @param columns - the resolved column selection.
 * @param caller - function name for messages.
 * @returns an async generator of chunks.
 * @throws DataSourceError for bytes that are not Arrow IPC, a truncated file or stream, a missing
 *   or non-numeric column — naming the file and the record batch.
 */
export async function* readArrow(open: BytesOpener, columns: ResolvedColumns, caller: string): AsyncGenerator<SourceChunk, void, undefined> {
  const arrow = await loadOptional(() => import('apache-arrow'), 'apache-arrow', caller);
  const bytes = await open();
  const file = JSON.stringify(bytes.name);
  let reader: import('apache-arrow').RecordBatchReader;
  try {
    try {
      reader = (await arrow.RecordBatchReader.from(fileHandle(bytes) as never)) as import('apache-arrow').RecordBatchReader;
      await reader.open();
    } catch (e) {
      throw new DataSourceError(`${caller}: ${file} is not a readable Arrow IPC file or stream (${bytes.size} bytes; reading its schema${bytes.size > 0 ? ' and footer' : ''}): ${messageOf(e)}`, { cause: e });
    }
    if (reader.schema === null || reader.schema === undefined) throw new DataSourceError(`${caller}: ${file} is not an Arrow IPC file or stream: it holds no schema (${bytes.size} bytes)`);
    const fields = reader.schema.fields.map((f) => ({ name: f.name, type: String(f.type), numeric: arrow.DataType.isInt(f.type) || arrow.DataType.isFloat(f.type) }));
    checkColumns(columns, fields, 'Arrow', 'integer and floating-point', file, caller);
    const batches = reader[Symbol.asyncIterator]() as AsyncIterator<Batch>;
    let firstRow = 0;
    for (let b = 0; ; b++) {
      let r: IteratorResult<Batch>;
      try {
        r = await batches.next();
      } catch (e) {
        throw new DataSourceError(`${caller}: cannot read record batch ${b} (from row ${firstRow}) of ${file}: ${messageOf(e)}`, { cause: e });
      }
      if (r.done === true) return;
      const batch = r.value;
      const where = (name: string): string => `${caller}: column ${JSON.stringify(name)} of record batch ${b} of ${file}`;
      const out = columns.all.map((name) => batchColumn(arrow, batch, name, where(name), firstRow));
      firstRow += batch.numRows;
      if (batch.numRows > 0) yield chunkOf(out, columns);
    }
  } finally {
    await bytes.close();
  }
}

/**
 * A re-readable streaming source over an Arrow IPC file or stream held in a `Blob`/`File` or in
 * memory: the selected columns, one chunk per record batch, read by byte ranges.
 *
 * @param file - the Arrow IPC file (`.arrow`/`.feather`) or stream (`.arrows`): a `Blob`, `File`,
 *   `Uint8Array` or `ArrayBuffer`.
 * @param options - `{ x, y, sigma? }`: column names (`x` one name or one per model variable).
 * @returns an async iterable whose every iteration reads the file again.
 * @throws NlsqTypeError / NlsqRangeError (at once) for a bad file argument, missing or unknown
 *   options; DataSourceError (while iterating) for a missing reader package, bytes that are not
 *   Arrow IPC, a missing or non-numeric column, a truncated record batch.
 * @example
 * ```ts
 * const source = arrowSource(await response.blob(), { x: ['x1', 'x2'], y: 'z' });
 * const result = await fit(model('a*x1 + b*exp(-x2)', { variables: ['x1', 'x2'] }), source, { p0: [1, 1] });
 * ```
 */
export function arrowSource(file: Blob | Uint8Array | ArrayBuffer, options: ArrowOptions): AsyncIterable<SourceChunk> {
  const caller = 'arrowSource';
  const open = bytesOpener(file, caller, 'file');
  const columns = resolveColumns(options, caller);
  return { [Symbol.asyncIterator]: () => readArrow(open, columns, caller) };
}
