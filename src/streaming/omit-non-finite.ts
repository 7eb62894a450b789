/**
 * `nanPolicy: 'omit'` for a data source: every chunk loses the rows whose x (any variable) or y
 * is NaN or ±Infinity, with their σ — the rule `validateFitData` applies to resident arrays
 * (`options/data.ts`, whose row mask is reused here), applied chunk by chunk as the source is
 * read, so a fit of arrays and a fit of the same arrays as a source drop the same points.
 *
 * As for resident data, σ is not a reason to drop a row: a kept row with a bad σ (NaN, ≤ 0) is
 * still an error. Under `'raise'` (or no `nanPolicy`) every non-finite value is an error naming
 * the chunk and index; `'propagate'` is rejected when the options are resolved (a NaN would make
 * every residual NaN).
 *
 * The wrapped source keeps the kind of the original — a function stays a function (returning
 * the same wrapper for the same iterable, so a one-pass function source is still recognised), an
 * iterator stays a one-pass iterator, an iterable stays re-readable — and closing a pass early
 * closes the original's pass. A chunk without a non-finite x or y, or one that is malformed (left
 * for the reader to report), is passed on unchanged, not copied.
 *
 * @module
 */
import { compress, keepMask } from '../options/data.ts';
import type { ChunkIterable, DataSource, NumericColumn, SourceChunk } from '../sources/data-source.ts';

/** A source with the non-finite rows of every chunk dropped, and how many its last complete pass dropped. */
export interface OmittingSource {
  /** The wrapped source. */
  readonly source: DataSource;
  /** Rows dropped by the last pass that read the whole source (0 before one has). */
  omitted(): number;
}

function isIterator(v: unknown): boolean {
  return typeof v === 'object' && v !== null && typeof (v as { next?: unknown }).next === 'function';
}

function isIterable(v: object): boolean {
  return typeof (v as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function' || typeof (v as Iterable<unknown>)[Symbol.iterator] === 'function';
}

/** A column as a Float64Array, or null when it is not an array of numbers (the reader reports it). */
function numbers(c: unknown): Float64Array | null {
  if (c instanceof Float64Array) return c;
  if (!Array.isArray(c) && !ArrayBuffer.isView(c)) return null;
  const a = c as ArrayLike<unknown>;
  for (let i = 0; i < a.length; i++) if (typeof a[i] !== 'number') return null;
  return Float64Array.from(a as ArrayLike<number>);
}

function isColumnList(x: unknown): boolean {
  return Array.isArray(x) && x.length > 0 && (Array.isArray(x[0]) || ArrayBuffer.isView(x[0]));
}

/**
 * One chunk with its non-finite rows dropped.
 *
 * @param chunk - what the source yielded.
 * @returns the kept rows and how many were dropped; the chunk itself when none was (or it is malformed).
 */
export function omitNonFiniteRows(chunk: SourceChunk): { chunk: SourceChunk; omitted: number } {
  const same = { chunk, omitted: 0 };
  if (chunk === null || typeof chunk !== 'object') return same;
  const y = numbers(chunk.y);
  if (y === null) return same;
  const multi = isColumnList(chunk.x);
  const xs = (multi ? (chunk.x as readonly NumericColumn[]) : [chunk.x as NumericColumn]).map(numbers);
  if (xs.some((c) => c === null || c.length !== y.length)) return same;
  const sigma = chunk.sigma === undefined || chunk.sigma === null ? null : numbers(chunk.sigma);
  if (sigma !== null && sigma.length !== y.length) return same;
  const mask = keepMask(xs as Float64Array[], y);
  if (mask === null) return same;
  const kept = (xs as Float64Array[]).map((c) => compress(c, mask));
  const yk = compress(y, mask);
  return {
    chunk: { x: multi ? kept : kept[0]!, y: yk, sigma: sigma === null ? chunk.sigma : compress(sigma, mask) },
    omitted: y.length - yk.length,
  };
}

/**
 * Wrap a source so that every chunk loses its non-finite rows (see the module documentation).
 *
 * @param source - the caller's source.
 * @returns the wrapped source and the count of rows its last complete pass dropped.
 */
export function omitNonFinite(source: DataSource): OmittingSource {
  let last = 0;
  /** One pass: the original's chunks, filtered; the count recorded when the pass ends. */
  async function* pass(inner: ChunkIterable): AsyncGenerator<SourceChunk> {
    let dropped = 0;
    for await (const c of inner as AsyncIterable<SourceChunk>) {
      const r = omitNonFiniteRows(c);
      dropped += r.omitted;
      yield r.chunk;
    }
    last = dropped;
  }
  const reReadable = (inner: ChunkIterable): AsyncIterable<SourceChunk> => ({ [Symbol.asyncIterator]: () => pass(inner) });
  let wrapped: DataSource;
  if (typeof source === 'function') {
    const seen = new WeakMap<object, ChunkIterable>();
    wrapped = async () => {
      const inner = await source();
      if (inner === null || typeof inner !== 'object' || !isIterable(inner)) return inner; // not an iterable: the classifier reports it
      let w = seen.get(inner);
      if (w === undefined) {
        w = isIterator(inner) ? pass(inner) : reReadable(inner);
        seen.set(inner, w);
      }
      return w;
    };
  } else if (source === null || typeof source !== 'object' || !isIterable(source)) {
    wrapped = source; // not an iterable: the classifier reports it
  } else if (isIterator(source)) {
    wrapped = pass(source);
  } else {
    wrapped = reReadable(source);
  }
  return { source: wrapped, omitted: () => last };
}
