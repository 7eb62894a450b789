/**
 * Streaming CSV parsing into source chunks, isomorphic: it consumes any async iterable of byte
 * blocks (a Node file stream, a `Blob` stream) and never holds more than one byte block, one
 * partial line and one chunk of `chunkRows` parsed rows.
 *
 * The dialect is the numeric subset of RFC 4180 that data files use: one record per line (`\n`
 * or `\r\n`), a one-character delimiter, an optional header line whose names may be quoted,
 * blank lines and comment lines (starting with `comment`) skipped. Columns are chosen by header
 * name or by 0-based index. Values are decimal numbers (`NaN`, `Infinity`, `inf` are read as such
 * and then rejected by the chunk validation with their chunk and index); anything else is a
 * parse error naming the line and column.
 *
 * Numbers with at most 15 significant digits and a decimal exponent within ±22 are converted
 * without allocating, by Clinger's exact fast path (one correctly rounded multiplication or
 * division by an exact power of ten: W. D. Clinger, "How to read floating point numbers
 * accurately", PLDI 1990); all others go through `Number()` — both give the correctly rounded
 * double.
 *
 * @module
 */
import { DataSourceError, NlsqRangeError } from '../errors.ts';
import type { SourceChunk } from './data-source.ts';

/** A column chosen by header name or by 0-based index. */
export type ColumnRef = string | number;

/** Options of the CSV readers. */
export interface CsvOptions {
  /** Column(s) of the independent variable(s): one reference, or k of them. */
  readonly x: ColumnRef | readonly ColumnRef[];
  /** Column of the observations. */
  readonly y: ColumnRef;
  /** Column of the standard deviations, if any. */
  readonly sigma?: ColumnRef | undefined;
  /** Whether the first record is a header (default: true when any column is named by a string). */
  readonly header?: boolean | undefined;
  /** Field delimiter, one character (default `','`). */
  readonly delimiter?: string | undefined;
  /** Lines starting with this character are skipped (default `'#'`; `''` for none). */
  readonly comment?: string | undefined;
  /** Rows per yielded chunk (default 65536). */
  readonly chunkRows?: number | undefined;
  /** Longest accepted line in characters (default 1 MiB): bounds the memory of a malformed file. */
  readonly maxLineLength?: number | undefined;
}

/** Default rows per chunk of the file readers. */
export const DEFAULT_CHUNK_ROWS = 65536;

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/**
 * Parse the decimal number in `s[start, end)` (surrounding spaces allowed).
 *
 * @param s - text.
 * @param start - first character.
 * @param end - one past the last character.
 * @returns the correctly rounded double, NaN for `NaN`, or `undefined` when the text is not a number.
 */
export function parseDecimal(s: string, start: number, end: number): number | undefined {
  while (start < end && s.charCodeAt(start) === 32) start++;
  while (end > start && s.charCodeAt(end - 1) === 32) end--;
  if (start >= end) return undefined;
  let i = start;
  let neg = false;
  let c = s.charCodeAt(i);
  if (c === 43 || c === 45) {
    neg = c === 45;
    i++;
  }
  let mant = 0;
  let digits = 0; // significant digits in mant
  let exp10 = 0;
  let any = false;
  for (; i < end && (c = s.charCodeAt(i)) >= 48 && c <= 57; i++, any = true) {
    if (mant !== 0 || c !== 48) (mant = mant * 10 + (c - 48)), digits++;
  }
  if (i < end && s.charCodeAt(i) === 46) {
    for (i++; i < end && (c = s.charCodeAt(i)) >= 48 && c <= 57; i++, any = true) {
      if (mant !== 0 || c !== 48) (mant = mant * 10 + (c - 48)), digits++;
      exp10--;
    }
  }
  if (any && i < end && ((c = s.charCodeAt(i)) === 101 || c === 69)) {
    let j = i + 1;
    let eneg = false;
    if (j < end && ((c = s.charCodeAt(j)) === 43 || c === 45)) (eneg = c === 45), j++;
    let e = 0;
    const j0 = j;
    for (; j < end && (c = s.charCodeAt(j)) >= 48 && c <= 57; j++) e = Math.min(e * 10 + (c - 48), 1e6);
    if (j > j0) (exp10 += eneg ? -e : e), (i = j);
  }
  if (any && i === end) {
    if (digits <= 15 && exp10 >= -22 && exp10 <= 22) {
      const v = exp10 >= 0 ? mant * POW10[exp10]! : mant / POW10[-exp10]!;
      return neg ? -v : v;
    }
    return Number(s.slice(start, end)); // syntax checked above; more digits than the fast path takes
  }
  return slowDecimal(s.slice(start, end));
}

function slowDecimal(t: string): number | undefined {
  const lower = t.toLowerCase();
  if (lower === 'nan') return NaN;
  if (lower === 'inf' || lower === '+inf' || lower === 'infinity' || lower === '+infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return undefined;
  return Number(t);
}

/** Resolved column plan: wanted field indices in x…, y, sigma order. */
interface ColumnPlan {
  readonly fields: Int32Array;
  readonly k: number;
  readonly hasSigma: boolean;
  readonly names: readonly string[];
}

function splitHeader(line: string, delimiter: string): string[] {
  return line.split(delimiter).map((f) => {
    const t = f.trim();
    return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).replace(/""/g, '"') : t;
  });
}

function planColumns(options: CsvOptions, header: string[] | null, caller: string): ColumnPlan {
  const xs = Array.isArray(options.x) ? (options.x as readonly ColumnRef[]) : [options.x as ColumnRef];
  const refs: ColumnRef[] = [...xs, options.y];
  if (options.sigma !== undefined) refs.push(options.sigma);
  const fields = new Int32Array(refs.length);
  refs.forEach((r, i) => {
    if (typeof r === 'number') {
      if (!Number.isInteger(r) || r < 0) throw new NlsqRangeError(`${caller}: a column index must be a non-negative integer, got ${r}`, 'columns');
      fields[i] = r;
      return;
    }
    if (header === null) throw new NlsqRangeError(`${caller}: column "${r}" is named but the file is read without a header (header: false)`, 'columns');
    const at = header.indexOf(r);
    if (at < 0) throw new DataSourceError(`${caller}: column "${r}" is not in the header (columns: ${header.map((h) => JSON.stringify(h)).join(', ')})`);
    fields[i] = at;
  });
  const names = refs.map((r, i) => (header !== null ? header[fields[i]!]! : `#${String(r)}`));
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
 * Parse CSV bytes into chunks of `chunkRows` rows.
 *
 * @param bytes - the file's bytes in blocks of any size (block boundaries may split lines and characters).
 * @param options - columns, header, delimiter, comment character, chunk size.
 * @param caller - function name for messages.
 * @returns an async generator of chunks.
 * @throws DataSourceError for a missing column, an unparsable value, a short row or an over-long
 *   line (naming the line); NlsqRangeError for bad options.
 */
export async function* parseCsv(bytes: AsyncIterable<Uint8Array>, options: CsvOptions, caller = 'csvSource'): AsyncGenerator<SourceChunk, void, undefined> {
  const delimiter = options.delimiter ?? ',';
  const comment = options.comment ?? '#';
  const chunkRows = options.chunkRows ?? DEFAULT_CHUNK_ROWS;
  const maxLine = options.maxLineLength ?? 1 << 20;
  if (delimiter.length !== 1) throw new NlsqRangeError(`${caller}: delimiter must be one character, got ${JSON.stringify(delimiter)}`, 'delimiter');
  if (!Number.isInteger(chunkRows) || chunkRows < 1) throw new NlsqRangeError(`${caller}: chunkRows must be a positive integer, got ${String(chunkRows)}`, 'chunkRows');
  const refs = [...(Array.isArray(options.x) ? options.x : [options.x]), options.y, options.sigma];
  const wantHeader = options.header ?? refs.some((r) => typeof r === 'string');
  const decoder = new TextDecoder('utf-8');
  const state = new LineState(delimiter, comment, wantHeader, options, caller, chunkRows);
  let carry = '';
  for await (const block of bytes) {
    const text = carry + decoder.decode(block, { stream: true });
    const last = text.lastIndexOf('\n');
    if (last < 0) {
      if (text.length > maxLine) throw new DataSourceError(`${caller}: line ${state.lineNo + 1} is longer than ${maxLine} characters`);
      carry = text;
      continue;
    }
    let s = 0;
    for (let e = text.indexOf('\n', s); e >= 0 && e <= last; s = e + 1, e = text.indexOf('\n', s)) {
      if (state.line(text, s, e)) yield state.builder!.take();
    }
    carry = text.slice(last + 1);
    if (carry.length > maxLine) throw new DataSourceError(`${caller}: line ${state.lineNo + 1} is longer than ${maxLine} characters`);
  }
  const rest = carry + decoder.decode();
  if (rest.length > 0 && state.line(rest, 0, rest.length)) yield state.builder!.take();
  if (state.builder !== null && state.builder.rows > 0) yield state.builder.take();
}

/** Per-file line state: header handling, column plan, current chunk. */
class LineState {
  lineNo = 0;
  builder: ChunkBuilder | null = null;
  private plan: ColumnPlan | null = null;
  constructor(
    private readonly delim: string,
    private readonly comment: string,
    private headerPending: boolean,
    private readonly options: CsvOptions,
    private readonly caller: string,
    private readonly chunkRows: number,
  ) {
    if (!headerPending) this.setPlan(null);
  }

  private setPlan(header: string[] | null): void {
    this.plan = planColumns(this.options, header, this.caller);
    this.builder = new ChunkBuilder(this.plan, this.chunkRows);
  }

  /** Process text[s, e) as one line; returns true when the chunk became full. */
  line(text: string, s: number, e: number): boolean {
    this.lineNo++;
    if (e > s && text.charCodeAt(e - 1) === 13) e--;
    let t = s;
    while (t < e && (text.charCodeAt(t) === 32 || text.charCodeAt(t) === 9)) t++;
    if (t === e || (this.comment !== '' && text.startsWith(this.comment, t))) return false;
    if (this.headerPending) {
      this.headerPending = false;
      this.setPlan(splitHeader(text.slice(s, e), this.delim));
      return false;
    }
    this.readFields(text, s, e);
    return this.builder!.full;
  }

  private readFields(text: string, s: number, e: number): void {
    const plan = this.plan!;
    const b = this.builder!;
    const { fields } = plan;
    let found = 0;
    for (let field = 0, a = s; a <= e && found < fields.length; field++) {
      let z = text.indexOf(this.delim, a);
      if (z < 0 || z > e) z = e;
      for (let c = 0; c < fields.length; c++) {
        if (fields[c] !== field) continue;
        const v = parseDecimal(text, a, z);
        if (v === undefined) {
          throw new DataSourceError(`${this.caller}: line ${this.lineNo}, column ${JSON.stringify(plan.names[c])}: cannot read ${JSON.stringify(text.slice(a, z).trim())} as a number`);
        }
        b.set(c, v);
        found++;
      }
      a = z + 1;
    }
    if (found < fields.length) {
      throw new DataSourceError(`${this.caller}: line ${this.lineNo} has too few fields (needs column ${Math.max(...fields)} counting from 0)`);
    }
    b.rows++;
  }
}
