/**
 * Validation of curveFit's data: xdata (one array, or k arrays), ydata, sigma (1-D or an n×n
 * covariance), SciPy's `check_finite` and `nan_policy`.
 *
 * @module
 */
import { describeValue, NlsqRangeError, NlsqTypeError } from '../errors.ts';
import { asFloat64, firstNonFinite, isArrayLike, requireFinite, toFloat64 } from './validate.ts';

/** How the observations are weighted. */
export type SigmaForm =
  | { readonly kind: 'none' }
  /** σ per point (a scalar σ is broadcast): residuals (f − y)/σ. */
  | { readonly kind: '1d'; readonly sigma: Float64Array }
  /** Covariance C = LLᵀ (L lower triangular, n×n row-major): residuals L⁻¹(f − y). */
  | { readonly kind: '2d'; readonly L: Float64Array };

/** Validated data. */
export interface FitData {
  /** k columns of the independent variables, each of length n. */
  readonly x: Float64Array[];
  /** Observations, length n. */
  readonly y: Float64Array;
  /** Weighting. */
  readonly sigma: SigmaForm;
  /** Points dropped by `nanPolicy: 'omit'`. */
  readonly omitted: number;
}

/** Split xdata into k columns: a flat array is one variable, an array of arrays is k variables. */
function parseXData(caller: string, xdata: unknown, n: number): Float64Array[] {
  if (!isArrayLike(xdata)) {
    throw new NlsqTypeError(`${caller}: xdata must be an array of numbers or an array of k arrays, got ${describeValue(xdata)}`, 'xdata');
  }
  const nested = xdata.length > 0 && isArrayLike(xdata[0]);
  if (!nested) return [asFloat64(caller, 'xdata', xdata, n, '(one per ydata value)')];
  const columns: Float64Array[] = [];
  for (let v = 0; v < xdata.length; v++) {
    columns.push(asFloat64(caller, `xdata[${v}]`, xdata[v], n, '(one per ydata value)'));
  }
  return columns;
}

/** Parse sigma: undefined, a scalar, n values, or an n×n matrix (rows). */
function parseSigma(caller: string, sigma: unknown, n: number): { values: Float64Array; matrix: boolean } | null {
  if (sigma === undefined || sigma === null) return null;
  if (typeof sigma === 'number') return { values: new Float64Array(n).fill(sigma), matrix: false };
  if (!isArrayLike(sigma)) throw new NlsqTypeError(`${caller}: sigma must be a number, an array or a matrix, got ${describeValue(sigma)}`, 'sigma');
  if (sigma.length === 1 && !isArrayLike(sigma[0])) return { values: new Float64Array(n).fill(sigma[0] as number), matrix: false };
  if (sigma.length > 0 && isArrayLike(sigma[0])) {
    if (sigma.length !== n) {
      throw new NlsqRangeError(`${caller}: sigma as a covariance matrix must have ${n} rows (one per ydata value), got ${sigma.length}`, 'sigma', 'ERR_SHAPE');
    }
    const values = new Float64Array(n * n);
    for (let i = 0; i < n; i++) values.set(toFloat64(caller, `sigma[${i}]`, sigma[i], n, '(an n×n covariance matrix)'), i * n);
    return { values, matrix: true };
  }
  return { values: toFloat64(caller, 'sigma', sigma, n, '(one per ydata value)'), matrix: false };
}

/** Lower Cholesky factor of the n×n row-major C (only its lower triangle is read, as LAPACK potrf). */
function choleskyLower(caller: string, C: Float64Array, n: number): Float64Array {
  const L = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = C[j * n + j]!;
    for (let k = 0; k < j; k++) d -= L[j * n + k]! * L[j * n + k]!;
    if (!(d > 0)) {
      throw new NlsqRangeError(
        `${caller}: sigma (a covariance matrix) must be positive definite; the Cholesky factorization failed at row ${j} (pivot ${d})`,
        'sigma',
      );
    }
    const ljj = Math.sqrt(d);
    L[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = C[i * n + j]!;
      for (let k = 0; k < j; k++) s -= L[i * n + k]! * L[j * n + k]!;
      L[i * n + j] = s / ljj;
    }
  }
  return L;
}

/**
 * The rows `nanPolicy: 'omit'` keeps: those whose x (every column) and y are finite. Used for
 * resident data here and for each chunk of a data source (`streaming/omit-non-finite.ts`).
 *
 * @param x - k columns of length n.
 * @param y - n observations.
 * @returns 1 for a kept row and 0 for a dropped one, or null when every row is kept.
 */
export function keepMask(x: readonly Float64Array[], y: Float64Array): Uint8Array | null {
  const n = y.length;
  let mask: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    let ok = Number.isFinite(y[i]!);
    for (let v = 0; ok && v < x.length; v++) ok = Number.isFinite(x[v]![i]!);
    if (!ok) (mask ??= new Uint8Array(n).fill(1))[i] = 0;
  }
  return mask;
}

/**
 * The entries of `a` whose mask is 1, in order.
 *
 * @param a - a column.
 * @param mask - from {@link keepMask}, same length.
 * @returns a new column of the kept entries.
 */
export function compress(a: Float64Array, mask: Uint8Array): Float64Array {
  const out: number[] = [];
  for (let i = 0; i < a.length; i++) if (mask[i]) out.push(a[i]!);
  return Float64Array.from(out);
}

function compressMatrix(C: Float64Array, n: number, mask: Uint8Array): Float64Array {
  const keep: number[] = [];
  for (let i = 0; i < n; i++) if (mask[i]) keep.push(i);
  const m = keep.length;
  const out = new Float64Array(m * m);
  for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) out[a * m + b] = C[keep[a]! * n + keep[b]!]!;
  return out;
}

/**
 * Validate xdata, ydata and sigma with SciPy's `check_finite` / `nan_policy` rules.
 *
 * `nanPolicy: 'omit'` drops every point whose x or y is NaN or ±Infinity (SciPy drops NaN only;
 * an infinite observation cannot be fitted either), with the matching sigma entries (rows and
 * columns of a covariance).
 *
 * @param caller - public function name.
 * @param xdata - one array or k arrays of length n.
 * @param ydata - n observations.
 * @param sigma - optional σ (scalar, n values) or n×n covariance.
 * @param checkFinite - reject non-finite data (SciPy default: true unless nanPolicy).
 * @param nanPolicy - `'raise'`, `'omit'` or undefined.
 * @returns the columns, observations, weighting and number of points omitted.
 * @throws NlsqTypeError / NlsqRangeError naming the argument and the first bad index.
 */
export function validateFitData(
  caller: string,
  xdata: unknown,
  ydata: unknown,
  sigma: unknown,
  checkFinite: boolean | undefined,
  nanPolicy: unknown,
): FitData {
  let y = asFloat64(caller, 'ydata', ydata);
  if (y.length === 0) throw new NlsqRangeError(`${caller}: ydata must not be empty, got length 0`, 'ydata', 'ERR_SHAPE');
  let n = y.length;
  let x = parseXData(caller, xdata, n);
  const parsed = parseSigma(caller, sigma, n);
  if (nanPolicy !== undefined && nanPolicy !== 'raise' && nanPolicy !== 'omit') {
    const extra = nanPolicy === 'propagate' ? " ('propagate' is not supported: a NaN would make every residual NaN)" : '';
    throw new NlsqRangeError(`${caller}: nanPolicy must be one of 'raise', 'omit', got ${describeValue(nanPolicy)}${extra}`, 'nanPolicy');
  }
  const check = checkFinite ?? nanPolicy === undefined;
  if (check || nanPolicy === 'raise') {
    requireFinite(caller, 'ydata', y);
    for (let v = 0; v < x.length; v++) requireFinite(caller, x.length === 1 ? 'xdata' : `xdata[${v}]`, x[v]!);
  }
  let omitted = 0;
  let values = parsed?.values ?? null;
  if (nanPolicy === 'omit') {
    const mask = keepMask(x, y);
    if (mask !== null) {
      const kept = mask.reduce((a, b) => a + b, 0);
      if (kept === 0) throw new NlsqRangeError(`${caller}: nanPolicy 'omit' left no data: every point has a non-finite x or y`, 'ydata');
      if (values !== null) values = parsed!.matrix ? compressMatrix(values, n, mask) : compress(values, mask);
      x = x.map((col) => compress(col, mask));
      y = compress(y, mask);
      omitted = n - kept;
      n = kept;
    }
  }
  if (values === null) return { x, y, sigma: { kind: 'none' }, omitted };
  if (parsed!.matrix) {
    requireFinite(caller, 'sigma', values, 'a covariance matrix, row-major');
    return { x, y, sigma: { kind: '2d', L: choleskyLower(caller, values, n) }, omitted };
  }
  const bad = firstNonFinite(values);
  for (let i = 0; i < n; i++) {
    if (i === bad || !(values[i]! > 0)) {
      throw new NlsqRangeError(`${caller}: sigma must be positive and finite, got ${describeValue(values[i])} at index ${i}`, 'sigma');
    }
  }
  return { x, y, sigma: { kind: '1d', sigma: values }, omitted };
}
