/**
 * Streaming CSV parsing into source chunks, isomorphic: it consumes any async iterable of byte
 * blocks (a Node file stream, a `Blob` stream) and never holds more than one byte block, one
 * partial record and one chunk of `chunkRows` parsed rows.
 *
 * Records and fields follow RFC 4180 (`csv-records.ts`): quoted fields may hold delimiters,
 * doubled quotes and line breaks, anywhere in the stream, so a quoted text column never shifts
 * the numeric ones. The header line may be quoted the same way; blank lines and comment lines
 * (starting with `comment`) are skipped. Columns are chosen by header name or by 0-based index.
 * Values are decimal numbers (`decimal.ts`), quoted or not, with spaces and tabs around them
 * ignored (`NaN`, `Infinity`, `inf` are read as such and then rejected by the chunk validation
 * with their chunk and index); anything else is a parse error naming the line and column.
 *
 * @module
 */
import { DataSourceError } from '../errors.ts';
import { type ColumnRef, type CsvOptions, type ResolvedCsvOptions, resolveCsvOptions } from './csv-options.ts';
import { CsvFieldCursor, CsvRecordReader } from './csv-records.ts';
import type { SourceChunk } from './data-source.ts';
import { parseDecimal } from './decimal.ts';

export type { ColumnRef, CsvOptions } from './csv-options.ts';

/** Resolved column plan: wanted field indices in x…, y, sigma order. */
interface ColumnPlan {
  readonly fields: Int32Array;
  readonly k: number;
  readonly hasSigma: boolean;
  readonly names: readonly string[];
}

function planColumns(options: ResolvedCsvOptions, header: string[] | null, caller: string): ColumnPlan {
  const xs = options.xs;
  const refs: ColumnRef[] = [...xs, options.y];
  if (options.sigma !== undefined) refs.push(options.sigma);
  const fields = new Int32Array(refs.length);
  refs.forEach((r, i) => {
    if (typeof r === 'number' || header === null) {
      fields[i] = r as number; // resolveCsvOptions allows names only with a header
      return;
    }
    const at = header.indexOf(r);
    if (at < 0) throw new DataSourceError(`${caller}: column "${r}" is not in the header (columns: ${header.map((h) => JSON.stringify(h)).join(', ')})`);
    fields[i] = at;
  });
  const names = refs.map((_, i) => (header !== null && fields[i]! < header.length ? header[fields[i]!]! : `#${fields[i]!}`));
  return { fields, k: xs.length, hasSigma: options.sigma !== undefined, names };
}

/** Accumulates parsed rows into a chunk. */
class ChunkBuilder {
  private cols: Float64Array[];
  rows = 0;
  constructor(
    private readonly plan: ColumnPlan,
    private readonly capacity: number,
  ) {
    this.cols = this.fresh();
  }
  private fresh(): Float64Array[] {
    return Array.from(this.plan.fields, () => new Float64Array(this.capacity));
  }
  get full(): boolean {
    return this.rows === this.capacity;
  }
  set(col: number, v: number): void {
    this.cols[col]![this.rows] = v;
  }
  take(): SourceChunk {
    const n = this.rows;
    const c = this.cols.map((a) => (n === this.capacity ? a : a.slice(0, n)));
    this.cols = this.fresh();
    this.rows = 0;
    const k = this.plan.k;
    return { x: k === 1 ? c[0]! : c.slice(0, k), y: c[k]!, sigma: this.plan.hasSigma ? c[k + 1]! : null };
  }
}

/**
 * Parse CSV bytes into chunks of `chunkRows` rows. The options are checked when this is called,
 * before the first chunk is asked for.
 *
 * @param bytes - the file's bytes in blocks of any size (block boundaries may split records,
 *   quoted fields and UTF-8 characters).
 * @param options - columns, header, delimiter, comment prefix, chunk size, longest record.
 * @param caller - function name for messages.
 * @returns an async generator of chunks.
 * @throws NlsqTypeError / NlsqRangeError (at once) for bad options; DataSourceError (while
 *   iterating) for a missing column, an unparsable value, a short row, malformed quoting or an
 *   over-long record (naming the line).
 */
export function parseCsv(bytes: AsyncIterable<Uint8Array>, options: CsvOptions, caller = 'csvSource'): AsyncGenerator<SourceChunk, void, undefined> {
  return readCsv(bytes, resolveCsvOptions(options, caller), caller);
}

/**
 * Parse CSV bytes with options already resolved by `resolveCsvOptions`.
 *
 * @param bytes - the file's bytes in blocks of any size.
 * @param options - the resolved options.
 * @param caller - function name for messages.
 * @returns an async generator of chunks.
 * @throws DataSourceError as {@link parseCsv}.
 */
export async function* readCsv(bytes: AsyncIterable<Uint8Array>, options: ResolvedCsvOptions, caller: string): AsyncGenerator<SourceChunk, void, undefined> {
  const decoder = new TextDecoder('utf-8');
  const records = new CsvRecordReader(options.delimiter, options.comment, options.maxLineLength, caller);
  const rows = new RowReader(options, caller);
  for await (const block of bytes) {
    records.push(decoder.decode(block, { stream: true }));
    while (records.next()) if (rows.add(records)) yield rows.builder!.take();
  }
  records.push(decoder.decode());
  records.finish();
  while (records.next()) if (rows.add(records)) yield rows.builder!.take();
  if (rows.builder !== null && rows.builder.rows > 0) yield rows.builder.take();
}

/** Per-file row state: header handling, column plan, current chunk. */
class RowReader {
  builder: ChunkBuilder | null = null;
  private plan: ColumnPlan | null = null;
  private headerPending: boolean;
  private readonly cursor: CsvFieldCursor;
  constructor(
    private readonly options: ResolvedCsvOptions,
    private readonly caller: string,
  ) {
    this.cursor = new CsvFieldCursor(options.delimiter, caller);
    this.headerPending = options.header;
    if (!this.headerPending) this.setPlan(null);
  }

  private setPlan(header: string[] | null): void {
    this.plan = planColumns(this.options, header, this.caller);
    this.builder = new ChunkBuilder(this.plan, this.options.chunkRows);
  }

  /** Take one record; returns true when the chunk became full. */
  add(r: CsvRecordReader): boolean {
    const cursor = this.cursor;
    cursor.reset(r.text, r.start, r.end, r.quoted, r.line);
    if (this.headerPending) {
      this.headerPending = false;
      const names: string[] = [];
      while (cursor.next()) names.push(cursor.quoted ? cursor.value() : cursor.value().trim());
      this.setPlan(names);
      return false;
    }
    const plan = this.plan!;
    const b = this.builder!;
    const { fields } = plan;
    let found = 0;
    while (found < fields.length && cursor.next()) {
      const field = cursor.index;
      for (let c = 0; c < fields.length; c++) {
        if (fields[c] !== field) continue;
        const v = cursor.escaped ? undefined : parseDecimal(r.text, cursor.start, cursor.end);
        if (v === undefined) {
          throw new DataSourceError(`${this.caller}: line ${r.line}, column ${JSON.stringify(plan.names[c])}: cannot read ${describeCell(cursor.value())} as a number`);
        }
        b.set(c, v);
        found++;
      }
    }
    if (found < fields.length) {
      throw new DataSourceError(`${this.caller}: line ${r.line} has too few fields (needs column ${Math.max(...fields)} counting from 0)`);
    }
    b.rows++;
    return b.full;
  }
}

/** A cell for a message: quoted as JSON (so tabs and quotes show), shortened when long; "an empty cell" when empty. */
function describeCell(cell: string): string {
  if (cell.trim().length === 0) return cell.length === 0 ? 'an empty cell' : `a blank cell ${JSON.stringify(cell)}`;
  return JSON.stringify(cell.length > 40 ? cell.slice(0, 37) + '...' : cell);
}
