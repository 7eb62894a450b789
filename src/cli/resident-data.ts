/**
 * A data file read whole into columns, for fits that hold the data in memory (the standard and
 * chunked workflows, and `--p0 auto` estimates): the chunks of a source concatenated into one
 * `Float64Array` per column.
 *
 * @module
 */
import type { NumericColumn, SourceChunk } from '../sources/data-source.ts';

/** The columns of a file in memory. */
export interface ResidentData {
  /** The x columns (k of them). */
  readonly x: Float64Array[];
  /** The observations. */
  readonly y: Float64Array;
  /** The standard deviations, or null. */
  readonly sigma: Float64Array | null;
}

function columnsOf(chunk: SourceChunk): NumericColumn[] {
  const x = chunk.x;
  return Array.isArray(x) && typeof x[0] !== 'number' ? (x as NumericColumn[]) : [x as NumericColumn];
}

/** Grows a Float64Array by doubling. */
class Column {
  data = new Float64Array(1024);
  length = 0;
  append(values: NumericColumn): void {
    if (this.length + values.length > this.data.length) {
      const next = new Float64Array(Math.max(this.data.length * 2, this.length + values.length));
      next.set(this.data.subarray(0, this.length));
      this.data = next;
    }
    this.data.set(values, this.length);
    this.length += values.length;
  }
  take(): Float64Array {
    return this.data.slice(0, this.length);
  }
}

/**
 * Read a source to its end and keep every column.
 *
 * @param source - the file's source.
 * @returns the columns; `sigma` is null when the chunks carry none.
 */
export async function readResident(source: AsyncIterable<SourceChunk> | Iterable<SourceChunk>): Promise<ResidentData> {
  let xs: Column[] | null = null;
  const y = new Column();
  let sigma: Column | null = null;
  for await (const chunk of source) {
    const cols = columnsOf(chunk);
    xs ??= cols.map(() => new Column());
    cols.forEach((c, j) => xs![j]!.append(c));
    y.append(chunk.y);
    if (chunk.sigma !== null && chunk.sigma !== undefined) (sigma ??= new Column()).append(chunk.sigma);
  }
  return { x: (xs ?? [new Column()]).map((c) => c.take()), y: y.take(), sigma: sigma?.take() ?? null };
}

/**
 * The first chunk of a source (for a starting-value estimate without reading the whole file).
 *
 * @param source - the file's source.
 * @returns the first chunk as resident columns (empty when the source has none).
 */
export async function readFirstChunk(source: AsyncIterable<SourceChunk>): Promise<ResidentData> {
  for await (const chunk of source) {
    return readResident([chunk]);
  }
  return { x: [new Float64Array(0)], y: new Float64Array(0), sigma: null };
}
