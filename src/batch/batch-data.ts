/**
 * The data of a batch, validated once into flat arrays: y (and σ) as one Float64Array of all
 * fits' points, the `offsets` that cut it into fits, and x either shared by every fit or laid
 * out per fit. Nothing is copied when the caller's arrays are already Float64Arrays of the right
 * shape; `number[][]` inputs are flattened once.
 *
 * Shape errors are thrown here, naming the argument (`y`, `x`, `offsets`, `sigma`); problems that
 * touch one fit only (non-finite values, too few points) are left to the engine, which gives that
 * fit a status and a message and runs the others.
 *
 * @module
 */
import { describeValue, NlsqRangeError, NlsqTypeError } from '../errors.ts';
import { isArrayLike, toFloat64 } from '../options/validate.ts';
import type { DataColumns } from '../model/model-kernel.ts';
import type { FitBatchData } from './batch-options.ts';

/** How x is laid out: one set for every fit, k columns over all points, or one array of points × k. */
export type BatchX =
  | { readonly kind: 'shared'; readonly columns: readonly Float64Array[] }
  | { readonly kind: 'columns'; readonly columns: readonly Float64Array[] }
  | { readonly kind: 'interleaved'; readonly values: Float64Array };

/** A validated batch: fit i owns the points offsets[i] … offsets[i+1] − 1 of y, sigma and a per-fit x. */
export interface BatchData {
  /** Number of fits. */
  readonly nFits: number;
  /** Number of independent variables. */
  readonly k: number;
  /** nFits + 1 increasing indices into y, offsets[0] = 0. */
  readonly offsets: Int32Array;
  /** Largest number of points of a fit. */
  readonly maxPoints: number;
  /** All observations, fit after fit. */
  readonly y: Float64Array;
  /** σ per observation, or null. */
  readonly sigma: Float64Array | null;
  /** The independent variables. */
  readonly x: BatchX;
  /**
   * Set when every fit reads the same n = `maxPoints` resident points in place (the starts of a
   * multi-start search, `global/batch-starts.ts`): `offsets` is then [0, n], and the engine reads
   * these columns without copying them per fit.
   */
  readonly resident?: DataColumns;
}

/**
 * Where fit i's points are: its first index into y (and a per-fit x, σ) and its length.
 *
 * @param data - the batch.
 * @param i - the fit.
 * @returns `{ o, n }`.
 */
export function fitRange(data: BatchData, i: number): { readonly o: number; readonly n: number } {
  if (data.resident !== undefined) return { o: 0, n: data.maxPoints };
  const o = data.offsets[i]!;
  return { o, n: data.offsets[i + 1]! - o };
}

/**
 * A batch of `nFits` fits of the same resident points (x, y and weights w = 1/σ as `curveFit`
 * resolved them; checked finite there): the fits differ only in their starts.
 *
 * @param data - the resolved data columns.
 * @param nFits - the number of fits.
 * @returns the batch, reading `data` in place.
 */
export function residentBatchData(data: DataColumns, nFits: number): BatchData {
  const n = data.y.length;
  const sigma = data.w === null ? null : Float64Array.from(data.w, (w) => 1 / w);
  return { nFits, k: data.x.length, offsets: Int32Array.of(0, n), maxPoints: n, y: data.y, sigma, x: { kind: 'shared', columns: data.x }, resident: data };
}

function isNested(value: unknown): value is ArrayLike<ArrayLike<number>> {
  return isArrayLike(value) && !ArrayBuffer.isView(value) && value.length > 0 && isArrayLike((value as ArrayLike<unknown>)[0]);
}

/** Flatten y-shaped input (flat, or one array per fit) and the lengths it implies. */
function flatten(caller: string, name: string, value: unknown): { flat: Float64Array; rows: number[] | null } {
  if (value instanceof Float64Array) return { flat: value, rows: null };
  if (!isArrayLike(value)) throw new NlsqTypeError(`${caller}: ${name} must be a Float64Array (nFits × n, row-major) or an array of arrays, got ${describeValue(value)}`, name);
  if (!isNested(value)) return { flat: toFloat64(caller, name, value), rows: null };
  const rows: number[] = [];
  let total = 0;
  for (let i = 0; i < value.length; i++) {
    const row = value[i];
    if (!isArrayLike(row)) throw new NlsqTypeError(`${caller}: ${name}[${i}] must be an array of numbers, got ${describeValue(row)}`, name);
    rows.push(row.length);
    total += row.length;
  }
  const flat = new Float64Array(total);
  let at = 0;
  for (let i = 0; i < value.length; i++) {
    const row = value[i]!;
    for (let j = 0; j < row.length; j++) {
      const v = row[j];
      if (typeof v !== 'number') throw new NlsqTypeError(`${caller}: ${name}[${i}][${j}] must be a number, got ${describeValue(v)}`, name);
      flat[at++] = v;
    }
  }
  return { flat, rows };
}

function checkOffsets(caller: string, value: unknown, total: number): Int32Array {
  if (!isArrayLike(value) || value.length < 2) {
    throw new NlsqTypeError(`${caller}: offsets must be an Int32Array of nFits + 1 indices (at least 2), got ${describeValue(value)}`, 'offsets');
  }
  const offsets = value instanceof Int32Array ? value : Int32Array.from(value as ArrayLike<number>);
  for (let i = 0; i < value.length; i++) {
    const v = (value as ArrayLike<number>)[i]!;
    if (!Number.isInteger(v)) throw new NlsqRangeError(`${caller}: offsets must be integers, got offsets[${i}] = ${v}`, 'offsets');
  }
  if (offsets[0] !== 0) throw new NlsqRangeError(`${caller}: offsets[0] must be 0, got ${offsets[0]}`, 'offsets');
  for (let i = 1; i < offsets.length; i++) {
    if (offsets[i]! < offsets[i - 1]!) {
      throw new NlsqRangeError(`${caller}: offsets must not decrease, got offsets[${i}] = ${offsets[i]} < offsets[${i - 1}] = ${offsets[i - 1]}`, 'offsets');
    }
  }
  const last = offsets[offsets.length - 1]!;
  if (last !== total) {
    throw new NlsqRangeError(`${caller}: offsets must end at the number of y values (${total}), got offsets[${offsets.length - 1}] = ${last}`, 'offsets', 'ERR_SHAPE');
  }
  return offsets;
}

function evenOffsets(nFits: number, n: number): Int32Array {
  if (nFits * n > 0x7fffffff) throw new NlsqRangeError(`${n * nFits} points exceed the 2³¹ − 1 an Int32Array offset holds; split the batch`, 'y');
  const offsets = new Int32Array(nFits + 1);
  for (let i = 1; i <= nFits; i++) offsets[i] = i * n;
  return offsets;
}

/** The x columns as given: k arrays, or one array. */
function xColumns(caller: string, x: unknown): { columns: Float64Array[]; nested: boolean } {
  if (isNested(x)) {
    const columns = Array.from(x, (c, v) => (c instanceof Float64Array ? c : toFloat64(caller, `x[${v}]`, c)));
    return { columns, nested: true };
  }
  if (!isArrayLike(x)) throw new NlsqTypeError(`${caller}: x must be an array of numbers or k arrays (one per variable), got ${describeValue(x)}`, 'x');
  return { columns: [x instanceof Float64Array ? x : toFloat64(caller, 'x', x)], nested: false };
}

/**
 * Validate the data of a batch.
 *
 * @param caller - public function name for messages.
 * @param data - `{ x, y, offsets?, nPoints? }`.
 * @param sigma - the `sigma` option (same shape as y), or undefined.
 * @param k - variables of the model (undefined for a closure: one, or the number of x arrays).
 * @returns the flat, validated batch.
 * @throws NlsqTypeError / NlsqRangeError naming `data`, `x`, `y`, `offsets`, `nPoints` or `sigma`.
 */
export function validateBatchData(caller: string, data: FitBatchData, sigma: unknown, k: number | undefined): BatchData {
  if (typeof data !== 'object' || data === null) throw new NlsqTypeError(`${caller}: data must be an object { x, y, offsets? }, got ${describeValue(data)}`, 'data');
  const { flat: y, rows } = flatten(caller, 'y', data.y);
  const { columns, nested } = xColumns(caller, data.x);
  const kk = k ?? (nested ? columns.length : 1);
  const interleaved = !nested && kk > 1;
  if (nested && columns.length !== kk) {
    throw new NlsqRangeError(`${caller}: x must have ${kk} arrays (one per model variable), got ${columns.length}`, 'x', 'ERR_SHAPE');
  }
  const len = columns[0]!.length;
  for (let v = 1; v < columns.length; v++) {
    if (columns[v]!.length !== len) throw new NlsqRangeError(`${caller}: x[${v}] must have length ${len} like x[0], got ${columns[v]!.length}`, 'x', 'ERR_SHAPE');
  }
  const xPoints = interleaved ? len / kk : len;
  let offsets: Int32Array;
  if (data.offsets !== undefined) {
    offsets = checkOffsets(caller, data.offsets, y.length);
    if (rows !== null) {
      rows.forEach((r, i) => {
        if (r !== offsets[i + 1]! - offsets[i]!) throw new NlsqRangeError(`${caller}: y[${i}] has ${r} values but offsets give fit ${i} ${offsets[i + 1]! - offsets[i]!}`, 'offsets', 'ERR_SHAPE');
      });
    }
  } else if (rows !== null) {
    const n = rows[0]!;
    const bad = rows.findIndex((r) => r !== n);
    if (bad >= 0) throw new NlsqRangeError(`${caller}: y is ragged (y[0] has ${n} values, y[${bad}] has ${rows[bad]}); pass offsets (Int32Array, nFits + 1) for fits of different lengths`, 'y', 'ERR_SHAPE');
    offsets = evenOffsets(rows.length, n);
  } else {
    const n = data.nPoints ?? (xPoints === y.length ? y.length : xPoints);
    if (data.nPoints !== undefined && !(Number.isInteger(n) && n >= 1)) throw new NlsqRangeError(`${caller}: nPoints must be a positive integer, got ${describeValue(data.nPoints)}`, 'nPoints');
    if (!(n >= 1) || y.length % n !== 0) {
      throw new NlsqRangeError(`${caller}: y must hold nFits × ${n} values (x has ${n} points per fit), got ${y.length}, not a multiple`, 'y', 'ERR_SHAPE');
    }
    offsets = evenOffsets(y.length / n, n);
  }
  const nFits = offsets.length - 1;
  let maxPoints = 0;
  for (let i = 0; i < nFits; i++) maxPoints = Math.max(maxPoints, offsets[i + 1]! - offsets[i]!);
  const x = layoutX(caller, columns, interleaved, xPoints, y.length, maxPoints, offsets, data.offsets !== undefined);
  return { nFits, k: kk, offsets, maxPoints, y, sigma: readSigma(caller, sigma, y.length, rows), x };
}

function layoutX(caller: string, columns: Float64Array[], interleaved: boolean, xPoints: number, total: number, maxPoints: number, offsets: Int32Array, ragged: boolean): BatchX {
  if (xPoints === total) return interleaved ? { kind: 'interleaved', values: columns[0]! } : { kind: 'columns', columns };
  const even = !ragged || offsets.every((o, i) => i === 0 || o - offsets[i - 1]! === maxPoints);
  if (!interleaved && even && xPoints === maxPoints) return { kind: 'shared', columns };
  const k = interleaved ? columns[0]!.length / xPoints : columns.length;
  throw new NlsqRangeError(
    `${caller}: x must have ${ragged ? '' : `${maxPoints} points (shared by every fit) or `}${total} points (one per y value)${k > 1 ? `, in ${k} arrays or one array of points × ${k}` : ''}, got ${xPoints}`,
    'x',
    'ERR_SHAPE',
  );
}

function readSigma(caller: string, sigma: unknown, total: number, yRows: number[] | null): Float64Array | null {
  if (sigma === undefined || sigma === null) return null;
  const { flat, rows } = flatten(caller, 'sigma', sigma);
  if (flat.length !== total || (yRows !== null && rows !== null && rows.some((r, i) => r !== yRows[i]))) {
    throw new NlsqRangeError(`${caller}: sigma must have the shape of y (${total} values), got ${flat.length}`, 'sigma', 'ERR_SHAPE');
  }
  for (let i = 0; i < flat.length; i++) {
    if (!(flat[i]! > 0 && flat[i]! < Infinity)) throw new NlsqRangeError(`${caller}: sigma must be positive and finite, got sigma[${i}] = ${flat[i]}`, 'sigma');
  }
  return flat;
}
