/**
 * Streaming data sources: what the streaming strategy reads, and how a chunk becomes a
 * validated {@link DataColumns} window.
 *
 * A *source* yields chunks `{ x, y, sigma? }`. `x` is one column (a `number[]` or a
 * `Float64Array`) for a model of one variable, or an array of k columns for k variables; `y`
 * and `sigma` are one column each, all of the same length within a chunk. A source is
 *
 * - an `AsyncIterable` or `Iterable` of chunks whose `[Symbol.asyncIterator]()` /
 *   `[Symbol.iterator]()` starts a fresh pass each time (e.g. an array of chunks, the file readers
 *   of `nlsq/node`, {@link arraySource}, a `blobSource`) — *re-readable*;
 * - a function returning such an iterable, called once per pass — re-readable unless it returns
 *   the same object twice;
 * - a plain iterator (an async generator object, a `ReadableStream` reader wrapper): it can be
 *   read only once — *one-pass*; the streaming fit then runs mini-batches only and says its result
 *   is approximate.
 *
 * NLSQ (Python) streaming ignores `sigma`; here each chunk's `sigma` becomes the weights
 * w = 1/σ of the model-kernel contract. Every chunk is checked: lengths agree, every value is
 * finite, σ > 0 — errors name the chunk (0-based) and the index inside it, e.g.
 * `fit: source chunk 3 has NaN in y at index 17`.
 *
 * @module
 */
import { AbortError, DataSourceError, NlsqTypeError, describeValue, throwIfAborted } from '../errors.ts';
import type { DataColumns } from '../model/model-kernel.ts';
import { createYielder } from '../util/yield-control.ts';

/** A column of numbers: a plain array or a `Float64Array` (used without copying). */
export type NumericColumn = Float64Array | readonly number[];

/** One chunk of a streaming source. */
export interface SourceChunk {
  /** One column (k = 1) or k columns of the independent variables. */
  readonly x: NumericColumn | readonly NumericColumn[];
  /** Observations. */
  readonly y: NumericColumn;
  /** Standard deviations of y (weights 1/σ); omitted or null for unit weights. */
  readonly sigma?: NumericColumn | null | undefined;
}

/** An iterable of chunks (sync or async). */
export type ChunkIterable = AsyncIterable<SourceChunk> | Iterable<SourceChunk>;

/** What the streaming strategy accepts as a source. */
export type DataSource = ChunkIterable | (() => ChunkIterable | Promise<ChunkIterable>);

/** A chunk after validation: a window of n points (start 0) in the kernel's layout. */
export interface NormalizedChunk {
  /** The columns (x views, y, weights or null). */
  readonly data: DataColumns;
  /** Number of points. */
  readonly n: number;
  /** 0-based chunk number within the pass. */
  readonly index: number;
  /**
   * Per column, in the order y, x_0 … x_{k−1}, w: Σv and Σ|v| over the chunk (2(k + 2) numbers;
   * unit weights, w null, give n and n) — summed by the validation's own read of each value
   * ({@link ChunkNormalizer}), for the pass fingerprint of `streaming/pass-fingerprint.ts`.
   */
  readonly sums: Float64Array;
}

/**
 * A classified source: opens passes and says whether it can be read again.
 */
export interface PassSource {
  /** False for sources that can be read only once (plain iterators). */
  readonly rereadable: boolean;
  /** Start a pass; throws a {@link DataSourceError} for a one-pass source read twice. */
  open(): Promise<AsyncIterator<SourceChunk> | Iterator<SourceChunk>>;
}

function isIterator(v: unknown): boolean {
  return typeof v === 'object' && v !== null && typeof (v as { next?: unknown }).next === 'function';
}

function iteratorOf(it: ChunkIterable, caller: string): AsyncIterator<SourceChunk> | Iterator<SourceChunk> {
  if (it !== null && typeof it === 'object') {
    const a = (it as AsyncIterable<SourceChunk>)[Symbol.asyncIterator];
    if (typeof a === 'function') return a.call(it);
    const s = (it as Iterable<SourceChunk>)[Symbol.iterator];
    if (typeof s === 'function') return s.call(it);
  }
  throw new NlsqTypeError(
    `${caller}: source must be an (async) iterable of { x, y, sigma? } chunks or a function returning one, got ${describeValue(it)}`,
    'source',
  );
}

/**
 * Classify a source and give it one `open()` per pass.
 *
 * A function source is called twice up front: if both calls return the same object the source
 * is one-pass (the second call's fresh iterable, if any, is closed unread). An object that is its
 * own iterator (a generator object) is one-pass; other iterables are re-readable.
 *
 * @param source - the caller's source.
 * @param caller - function name for messages.
 * @returns the classified source.
 * @throws NlsqTypeError when `source` is not an iterable or a function.
 */
export async function classifySource(source: DataSource, caller = 'fit'): Promise<PassSource> {
  if (typeof source === 'function') {
    const first = await source();
    const second = await source();
    if (first === second) return onePass(first, caller);
    const secondIt = iteratorOf(second, caller);
    await secondIt.return?.();
    let pending: ChunkIterable | null = first;
    return {
      rereadable: true,
      async open() {
        const it: ChunkIterable = pending ?? (await source());
        pending = null;
        return iteratorOf(it, caller);
      },
    };
  }
  if (isIterator(source)) return onePass(source, caller);
  iteratorOf(source, caller); // type check only; iterables that are not iterators start fresh passes
  return { rereadable: true, open: async () => iteratorOf(source, caller) };
}

function onePass(it: ChunkIterable, caller: string): PassSource {
  let used = false;
  return {
    rereadable: false,
    async open() {
      if (used) throw new DataSourceError(`${caller}: source can be read only once (it is an iterator, not a re-readable iterable)`);
      used = true;
      return iteratorOf(it, caller);
    },
  };
}

/** Column input of {@link arraySource}: one column or k columns. */
export interface ArrayData {
  /** One column (k = 1) or k columns. */
  readonly x: NumericColumn | readonly NumericColumn[];
  /** Observations. */
  readonly y: NumericColumn;
  /** Standard deviations of y, if any. */
  readonly sigma?: NumericColumn | null;
}

/** True when x is a list of columns (its first entry is an array or typed array), not one column. */
function isColumnList(x: unknown): boolean {
  return Array.isArray(x) && x.length > 0 && (Array.isArray(x[0]) || ArrayBuffer.isView(x[0]));
}

function toF64(c: NumericColumn): Float64Array {
  return c instanceof Float64Array ? c : Float64Array.from(c);
}

/**
 * Resident arrays as a re-readable source of `chunkSize`-point chunks. `Float64Array` columns are
 * served as `subarray` views (no copies); plain arrays are converted to `Float64Array` once.
 * Lengths are checked per chunk by the reader, like any source.
 *
 * @param data - x (one column or k columns), y, optional sigma.
 * @param chunkSize - points per chunk (a positive integer).
 * @returns an iterable whose every iteration is a new pass.
 * @throws NlsqTypeError for a chunkSize that is not a positive integer.
 * @example
 * ```ts
 * const src = arraySource({ x: xs, y: ys }, 10_000);
 * ```
 */
export function arraySource(data: ArrayData, chunkSize: number): Iterable<SourceChunk> {
  if (!Number.isInteger(chunkSize) || chunkSize < 1) {
    throw new NlsqTypeError(`arraySource: chunkSize must be a positive integer, got ${describeValue(chunkSize)}`, 'chunkSize');
  }
  const multi = isColumnList(data.x);
  const xs = multi ? (data.x as readonly NumericColumn[]).map(toF64) : [toF64(data.x as NumericColumn)];
  const y = toF64(data.y);
  const sigma = data.sigma ? toF64(data.sigma) : null;
  return {
    *[Symbol.iterator]() {
      const n = y.length;
      for (let s = 0; s < n; s += chunkSize) {
        const e = Math.min(n, s + chunkSize);
        const xv = xs.map((c) => c.subarray(s, e));
        yield { x: multi ? xv : xv[0]!, y: y.subarray(s, e), sigma: sigma ? sigma.subarray(s, e) : null };
      }
    },
  };
}

/**
 * Validates chunks and converts them to the kernel's {@link DataColumns} layout, reusing one
 * weight buffer across chunks (grown when a larger chunk arrives).
 */
export class ChunkNormalizer {
  private wBuf = new Float64Array(0);

  /**
   * @param k - number of independent variables the model expects.
   * @param caller - function name for messages.
   */
  constructor(
    private readonly k: number,
    private readonly caller = 'fit',
  ) {}

  /**
   * Validate one chunk. The returned weights live in a buffer reused by the next call.
   *
   * @param chunk - what the source yielded.
   * @param index - 0-based chunk number (for messages).
   * @returns the normalized chunk.
   * @throws DataSourceError for a malformed chunk, mismatched lengths, non-finite values, σ ≤ 0.
   */
  normalize(chunk: SourceChunk, index: number): NormalizedChunk {
    const where = `${this.caller}: source chunk ${index}`;
    if (chunk === null || typeof chunk !== 'object') {
      throw new DataSourceError(`${where} must be an object { x, y, sigma? }, got ${describeValue(chunk)}`);
    }
    const y = this.column(chunk.y, `${where}: y`);
    const n = y.length;
    const x = this.columns(chunk.x, where, n);
    const sums = new Float64Array(2 * (this.k + 2));
    finiteSums(y, where, 'y', sums, 0);
    for (let j = 0; j < x.length; j++) finiteSums(x[j]!, where, this.k === 1 ? 'x' : `x[${j}]`, sums, 2 * (j + 1));
    let w: Float64Array | null = null;
    let wSum = n;
    if (chunk.sigma !== undefined && chunk.sigma !== null) {
      const s = this.column(chunk.sigma, `${where}: sigma`);
      if (s.length !== n) throw new DataSourceError(`${where}: sigma must have length ${n} (one per y value), got ${s.length}`);
      if (this.wBuf.length < n) this.wBuf = new Float64Array(Math.max(n, 2 * this.wBuf.length));
      w = this.wBuf.subarray(0, n);
      wSum = 0;
      for (let i = 0; i < n; i++) {
        const v = s[i]!;
        if (!(v > 0) || v === Infinity) {
          throw new DataSourceError(`${where} has ${Number.isNaN(v) ? 'NaN' : `an invalid sigma ${v} (must be positive and finite)`} in sigma at index ${i}`);
        }
        const wi = 1 / v;
        w[i] = wi;
        wSum += wi;
      }
    }
    sums[2 * (this.k + 1)] = wSum;
    sums[2 * (this.k + 1) + 1] = wSum; // w > 0: Σ|w| = Σw
    return { data: { x, y, w }, n, index, sums };
  }

  private column(c: unknown, what: string): Float64Array {
    if (c instanceof Float64Array) return c;
    if (Array.isArray(c) || ArrayBuffer.isView(c)) {
      const a = c as ArrayLike<unknown>;
      const out = new Float64Array(a.length);
      for (let i = 0; i < a.length; i++) {
        const v = a[i];
        if (typeof v !== 'number') throw new DataSourceError(`${what} must hold numbers, got ${describeValue(v)} at index ${i}`);
        out[i] = v;
      }
      return out;
    }
    throw new DataSourceError(`${what} must be a number array or Float64Array, got ${describeValue(c)}`);
  }

  private columns(x: unknown, where: string, n: number): Float64Array[] {
    const multi = isColumnList(x);
    const cols = multi ? (x as unknown[]).map((c, j) => this.column(c, `${where}: x[${j}]`)) : [this.column(x, `${where}: x`)];
    if (cols.length !== this.k) {
      throw new DataSourceError(`${where}: x must have ${this.k} column${this.k === 1 ? '' : 's'} (one per model variable), got ${cols.length}`);
    }
    for (let j = 0; j < cols.length; j++) {
      if (cols[j]!.length !== n) {
        const name = this.k === 1 ? 'x' : `x[${j}]`;
        throw new DataSourceError(`${where}: ${name} must have length ${n} (one per y value), got ${cols[j]!.length}`);
      }
    }
    return cols;
  }
}

/**
 * Σv and Σ|v| of a column into sums[at] and sums[at + 1], and a {@link DataSourceError} naming the
 * first non-finite value, if any — one read of each value. Every value is finite exactly when Σ|v|
 * is (∞ and NaN propagate; a finite sum cannot hide one), so only a column whose Σ|v| is not finite
 * is scanned again, for the index (a column of huge finite values whose Σ|v| overflows passes that
 * scan). Plain sums on two interleaved accumulators (even and odd indices), so the adds of the two
 * chains overlap; the fingerprint's tolerance holds for any order of the additions.
 */
function finiteSums(a: Float64Array, where: string, name: string, sums: Float64Array, at: number): void {
  const n = a.length;
  let s0 = 0;
  let s1 = 0;
  let a0 = 0;
  let a1 = 0;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const v0 = a[i]!;
    const v1 = a[i + 1]!;
    s0 += v0;
    s1 += v1;
    a0 += Math.abs(v0);
    a1 += Math.abs(v1);
  }
  if (i < n) {
    s0 += a[i]!;
    a0 += Math.abs(a[i]!);
  }
  const scale = a0 + a1;
  if (scale - scale !== 0) {
    for (let j = 0; j < n; j++) {
      const v = a[j]!;
      if (v - v !== 0) throw new DataSourceError(`${where} has ${Number.isNaN(v) ? 'NaN' : String(v)} in ${name} at index ${j}`);
    }
  }
  sums[at] = s0 + s1;
  sums[at + 1] = scale;
}

/**
 * Read one pass of a source chunk by chunk: validates each chunk, wraps errors the source throws
 * in a {@link DataSourceError} naming the chunk (with `cause`), checks the abort signal between
 * chunks and while waiting for one, and closes the source's iterator when the pass stops early.
 * Between chunks it yields to the event loop once 10 ms of work have passed since the last turn
 * (`util/yield-control.ts`), so that a synchronous, in-memory source — even a never-ending one —
 * lets timers and the signal's abort run.
 *
 * @param iterator - an iterator from {@link PassSource.open}.
 * @param normalizer - the chunk validator.
 * @param visit - called with each non-empty chunk; may be async; returning `false` ends the pass early
 *   (the source's iterator is then closed).
 * @param signal - optional abort signal.
 * @param caller - function name for messages.
 * @returns the number of points read.
 * @throws DataSourceError, AbortError (when `signal` aborts), or whatever `visit` throws.
 */
export async function readPass(
  iterator: AsyncIterator<SourceChunk> | Iterator<SourceChunk>,
  normalizer: ChunkNormalizer,
  visit: (chunk: NormalizedChunk) => void | boolean | Promise<void | boolean>,
  signal?: AbortSignal,
  caller = 'fit',
): Promise<number> {
  let index = 0;
  let points = 0;
  let done = false;
  const pause = createYielder();
  try {
    for (;;) {
      const turn = pause();
      if (turn !== null) await turn;
      throwIfAborted(signal, caller);
      let r: IteratorResult<SourceChunk>;
      try {
        r = await nextChunk(iterator, signal, caller);
      } catch (e) {
        if (e instanceof AbortError) {
          done = true; // the pending next() may never settle: close the source without waiting for it
          void Promise.resolve(iterator.return?.()).catch(() => {});
          throw e;
        }
        done = true; // a throwing iterator is finished; do not call return()
        const msg = e instanceof Error ? e.message : String(e);
        throw new DataSourceError(`${caller}: source threw while reading chunk ${index}: ${msg}`, { cause: e });
      }
      if (r.done) {
        done = true;
        return points;
      }
      const c = normalizer.normalize(r.value, index);
      index++;
      if (c.n === 0) continue;
      points += c.n;
      if ((await visit(c)) === false) return points;
    }
  } finally {
    if (!done) await iterator.return?.();
  }
}

/**
 * The source's next chunk, or an {@link AbortError} as soon as `signal` aborts — even while the
 * source is still producing the chunk (a stalled file or network read), so cancellation never
 * waits on the source.
 */
function nextChunk(
  iterator: AsyncIterator<SourceChunk> | Iterator<SourceChunk>,
  signal: AbortSignal | undefined,
  caller: string,
): IteratorResult<SourceChunk> | Promise<IteratorResult<SourceChunk>> {
  const pending = iterator.next();
  if (signal === undefined || !(pending instanceof Promise)) return pending;
  let onAbort = (): void => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new AbortError(`${caller}: the fit was aborted by its AbortSignal`, { cause: signal.reason }));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([pending, aborted]).finally(() => signal.removeEventListener('abort', onAbort));
}
