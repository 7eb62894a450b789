/**
 * Small numerical helpers shared by the model library's starting-value estimators
 * (`estimateP0`): sorting by x, linear least squares on a few columns, crossings and peaks.
 *
 * Estimators need to land in the basin of the right minimum, not to be exact; they are O(n)
 * or O(n log n) and tolerate noise by using integrals and regressions rather than single points.
 *
 * @module
 */

import { NlsqRangeError } from '../../errors.ts';

/** Points sorted by x, with non-finite pairs removed. */
export interface SortedData {
  /** Increasing x. */
  readonly x: Float64Array;
  /** y in the same order. */
  readonly y: Float64Array;
}

/**
 * Sort (x, y) by x and drop non-finite pairs.
 *
 * @param x - abscissae. @param y - ordinates (same length).
 * @param caller - name for error messages.
 * @param minPoints - fewest finite points required.
 * @returns the sorted data.
 * @throws NlsqRangeError when lengths differ or fewer than `minPoints` finite points remain.
 */
export function sortByX(x: ArrayLike<number>, y: ArrayLike<number>, caller: string, minPoints: number): SortedData {
  if (x.length !== y.length) {
    throw new NlsqRangeError(`${caller}: x and y must have equal lengths, got ${x.length} and ${y.length}`, 'y', 'ERR_SHAPE');
  }
  const idx: number[] = [];
  for (let i = 0; i < x.length; i++) if (Number.isFinite(x[i]) && Number.isFinite(y[i])) idx.push(i);
  if (idx.length < minPoints) {
    throw new NlsqRangeError(`${caller}: needs at least ${minPoints} finite points to estimate p0, got ${idx.length}`, 'y', 'ERR_SHAPE');
  }
  idx.sort((a, b) => x[a]! - x[b]!);
  return { x: Float64Array.from(idx, (i) => x[i]!), y: Float64Array.from(idx, (i) => y[i]!) };
}

/**
 * Least-squares solution of A c ≈ b for a few columns, by Householder QR with column scaling.
 * Returns NaN coefficients when A is rank deficient.
 *
 * @param columns - the k columns of A (each of length n ≥ k).
 * @param b - right-hand side (length n).
 * @returns c (length k).
 */
export function linearLeastSquares(columns: readonly ArrayLike<number>[], b: ArrayLike<number>): number[] {
  const k = columns.length;
  const n = b.length;
  const scale = columns.map((c) => {
    let s = 0;
    for (let i = 0; i < n; i++) s = Math.max(s, Math.abs(c[i]!));
    return s > 0 ? s : 1;
  });
  const a = columns.map((c, j) => Float64Array.from({ length: n }, (_, i) => c[i]! / scale[j]!));
  const r = Float64Array.from(b);
  for (let j = 0; j < k; j++) {
    const col = a[j]!;
    let norm = 0;
    for (let i = j; i < n; i++) norm = Math.hypot(norm, col[i]!);
    if (norm === 0) return new Array<number>(k).fill(NaN);
    const alpha = col[j]! > 0 ? -norm : norm;
    const v0 = col[j]! - alpha;
    col[j] = v0;
    let vv = v0 * v0;
    for (let i = j + 1; i < n; i++) vv += col[i]! * col[i]!;
    const apply = (t: Float64Array): void => {
      let s = 0;
      for (let i = j; i < n; i++) s += col[i]! * t[i]!;
      const f = (2 * s) / vv;
      for (let i = j; i < n; i++) t[i] = t[i]! - f * col[i]!;
    };
    for (let q = j + 1; q < k; q++) apply(a[q]!);
    apply(r);
    a[j]![j] = alpha; // store R's diagonal; the rest of column j below is no longer needed
  }
  const c = new Array<number>(k).fill(0);
  for (let j = k - 1; j >= 0; j--) {
    let s = r[j]!;
    for (let q = j + 1; q < k; q++) s -= a[q]![j]! * c[q]!;
    c[j] = s / a[j]![j]!;
  }
  const rmax = Math.max(...a.map((col, j) => Math.abs(col[j]!)));
  if (a.some((col, j) => Math.abs(col[j]!) <= 1e-12 * rmax)) return new Array<number>(k).fill(NaN);
  return c.map((v, j) => v / scale[j]!);
}

/**
 * Straight-line fit y ≈ slope·x + intercept.
 * @param x - abscissae. @param y - ordinates. @returns [slope, intercept] (NaN when x is constant).
 */
export function lineFit(x: ArrayLike<number>, y: ArrayLike<number>): [number, number] {
  const ones = new Float64Array(x.length).fill(1);
  const [slope, intercept] = linearLeastSquares([x, ones], y);
  return [slope!, intercept!];
}

/**
 * Cumulative trapezoid integral ∫ y dx from x[0] (same length as x, starting at 0).
 * @param x - increasing abscissae. @param y - ordinates. @returns the running integral.
 */
export function cumulativeIntegral(x: ArrayLike<number>, y: ArrayLike<number>): Float64Array {
  const s = new Float64Array(x.length);
  for (let i = 1; i < x.length; i++) s[i] = s[i - 1]! + 0.5 * (y[i]! + y[i - 1]!) * (x[i]! - x[i - 1]!);
  return s;
}

/**
 * Index of the largest value of sign·y (sign = 1 for a maximum, −1 for a minimum).
 * @param y - values. @param sign - ±1. @returns the index.
 */
export function argExtreme(y: ArrayLike<number>, sign: number): number {
  let best = 0;
  for (let i = 1; i < y.length; i++) if (sign * y[i]! > sign * y[best]!) best = i;
  return best;
}

/**
 * Median of an array (a copy is sorted). @param v - values. @returns the median (NaN when empty).
 */
export function median(v: ArrayLike<number>): number {
  const s = Float64Array.from(v).sort();
  if (s.length === 0) return NaN;
  const h = s.length >> 1;
  return s.length % 2 === 1 ? s[h]! : 0.5 * (s[h - 1]! + s[h]!);
}

/**
 * x where the piecewise-linear interpolant of (x, y) first crosses `level`, searching outwards
 * from index `from` in direction `dir` (±1); NaN when it never does.
 *
 * @param x - increasing abscissae. @param y - ordinates. @param level - the level.
 * @param from - start index. @param dir - +1 (rightwards) or −1 (leftwards).
 * @returns the crossing abscissa or NaN.
 */
export function crossing(x: ArrayLike<number>, y: ArrayLike<number>, level: number, from: number, dir: number): number {
  for (let i = from; i + dir >= 0 && i + dir < x.length; i += dir) {
    const a = y[i]! - level;
    const b = y[i + dir]! - level;
    if (a === 0) return x[i]!;
    if ((a > 0) !== (b > 0)) return x[i]! + ((x[i + dir]! - x[i]!) * a) / (a - b);
  }
  return NaN;
}

/**
 * Mean of y over the first or last `fraction` of the points (at least 1, at most 10 % + 1).
 * @param y - values. @param fromEnd - true for the tail. @param fraction - share of points.
 * @returns the mean.
 */
export function edgeMean(y: ArrayLike<number>, fromEnd: boolean, fraction = 0.1): number {
  const k = Math.max(1, Math.min(y.length, Math.round(y.length * fraction)));
  let s = 0;
  for (let i = 0; i < k; i++) s += y[fromEnd ? y.length - 1 - i : i]!;
  return s / k;
}

/**
 * Exponential with offset, y ≈ a·e^(r·x) + c, by the integral method (J. Jacquelin,
 * "Régressions et équations intégrales", 2009): y − y₀ = r·∫(y − c)dx is linear in the running
 * integral S and in x, so a regression on [S, x, 1] gives r, then a and c by linear least squares.
 *
 * @param x - increasing abscissae. @param y - ordinates.
 * @returns [a, r, c] (NaN entries when the data are degenerate).
 */
export function exponentialOffsetFit(x: ArrayLike<number>, y: ArrayLike<number>): [number, number, number] {
  const s = cumulativeIntegral(x, y);
  const ones = new Float64Array(x.length).fill(1);
  const [r] = linearLeastSquares([s, x, ones], y);
  if (!Number.isFinite(r) || r === 0) return [NaN, NaN, NaN];
  const e = Float64Array.from(x, (v) => Math.exp(r! * (v - x[0]!)));
  const [a0, c] = linearLeastSquares([e, ones], y);
  return [a0! * Math.exp(-r! * x[0]!), r!, c!];
}
