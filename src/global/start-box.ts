/**
 * The sampling box of a global search: for each free parameter, the range its starts are drawn
 * from and whether uniformly or log-uniformly, chosen from the bounds and p0 and always reported
 * in words (issue 15: "where bounds are infinite, a documented inference from p0, always reported").
 *
 * | bounds of coordinate i | range | scale |
 * |---|---|---|
 * | both finite, lb > 0 and ub/lb ≥ 10³ | [lb, ub] | log-uniform |
 * | both finite otherwise | [lb, ub] | uniform |
 * | a positive half-line: lb ≥ 0, ub = +∞ | [c·10⁻³, c·10³] ∩ [lb, ∞), c = p0 (1 when p0 = 0) | log-uniform |
 * | otherwise (unbounded, or one infinite side) | [p0 − 10·max(|p0|, 1), p0 + 10·max(|p0|, 1)] ∩ [lb, ub] | uniform |
 *
 * A point u of the unit cube maps to x_i = lo_i + u_i (hi_i − lo_i), or on a log coordinate to
 * x_i = lo_i (hi_i/lo_i)^{u_i} (so that each decade is drawn equally often, as NLSQ and
 * SciPy's `loguniform` do for scale parameters).
 *
 * @module
 */
import type { GlobalBoxCoordinate } from '../result/global-summary.ts';
import { formatNumber } from '../util/format.ts';

/** The ratio ub/lb from which a finite positive box is drawn log-uniformly. */
export const LOG_RATIO = 1e3;
/** A positive half-line is searched over [p0/HALF_LINE_FACTOR, p0·HALF_LINE_FACTOR]. */
export const HALF_LINE_FACTOR = 1e3;
/** An unbounded coordinate is searched over p0 ± SPAN·max(|p0|, 1). */
export const SPAN = 10;

/** The sampling box: one {@link GlobalBoxCoordinate} per free parameter. */
export type StartBox = readonly GlobalBoxCoordinate[];

function coordinate(x0: number, lb: number, ub: number): GlobalBoxCoordinate {
  const f = formatNumber;
  if (Number.isFinite(lb) && Number.isFinite(ub)) {
    const log = lb > 0 && ub / lb >= LOG_RATIO;
    return { lo: lb, hi: ub, log, how: `finite bounds [${f(lb)}, ${f(ub)}], ${log ? `log-uniform (ub/lb ≥ ${f(LOG_RATIO)})` : 'uniform'}` };
  }
  if (lb >= 0 && ub === Number.POSITIVE_INFINITY) {
    const c = x0 > 0 ? x0 : 1;
    const lo = Math.max(c / HALF_LINE_FACTOR, lb);
    const hi = c * HALF_LINE_FACTOR;
    const centre = x0 > 0 ? `p0 = ${f(x0)}` : 'p0 = 0, so 1';
    // p0 so small that p0·10⁻³ underflows: the logarithm has no floor, draw uniformly from 0.
    if (lo <= 0) return { lo: 0, hi, log: false, how: `positive half-line [${f(lb)}, ∞): uniform over [0, ${f(hi)}] (${centre} ×10³; p0·10⁻³ underflows)` };
    return { lo, hi, log: true, how: `positive half-line [${f(lb)}, ∞): log-uniform over [${f(lo)}, ${f(hi)}] (${centre} ×/÷ 10³)` };
  }
  const half = SPAN * Math.max(Math.abs(x0), 1);
  const lo = Math.max(x0 - half, lb);
  const hi = Math.min(x0 + half, ub);
  const side = Number.isFinite(lb) || Number.isFinite(ub) ? `bounds [${f(lb)}, ${f(ub)}]` : 'no bounds';
  return { lo, hi, log: false, how: `${side}: uniform over p0 ± 10·max(|p0|, 1) = [${f(lo)}, ${f(hi)}]` };
}

/**
 * The sampling box of a search.
 *
 * @param x0 - the start p0 (free parameters, within the bounds).
 * @param lb - lower bounds (−∞ where none).
 * @param ub - upper bounds (+∞ where none).
 * @returns one coordinate per parameter.
 * @example
 * ```ts
 * startBox([2], [0], [Infinity])[0]; // { lo: 0.002, hi: 2000, log: true, how: 'positive half-line …' }
 * ```
 */
export function startBox(x0: ArrayLike<number>, lb: ArrayLike<number>, ub: ArrayLike<number>): StartBox {
  return Array.from({ length: x0.length }, (_, i) => Object.freeze(coordinate(x0[i]!, lb[i]!, ub[i]!)));
}

/**
 * Map a point of the unit cube into the box (uniform or log-uniform per coordinate).
 *
 * @param box - the box.
 * @param u - p numbers in [0, 1].
 * @returns x, p numbers in [lo, hi].
 */
export function fromUnit(box: StartBox, u: ArrayLike<number>): Float64Array {
  const x = new Float64Array(box.length);
  for (let i = 0; i < box.length; i++) {
    const { lo, hi, log } = box[i]!;
    const t = Math.min(Math.max(u[i]!, 0), 1);
    x[i] = log ? Math.min(Math.max(lo * Math.pow(hi / lo, t), lo), hi) : Math.min(lo + t * (hi - lo), hi);
  }
  return x;
}

/**
 * Map x into the unit cube (the inverse of {@link fromUnit}, clamped to [0, 1]).
 *
 * @param box - the box.
 * @param x - p numbers.
 * @returns u, p numbers in [0, 1].
 */
export function toUnit(box: StartBox, x: ArrayLike<number>): Float64Array {
  const u = new Float64Array(box.length);
  for (let i = 0; i < box.length; i++) {
    const { lo, hi, log } = box[i]!;
    const t = hi === lo ? 0.5 : log ? Math.log(x[i]! / lo) / Math.log(hi / lo) : (x[i]! - lo) / (hi - lo);
    u[i] = Number.isNaN(t) ? 0.5 : Math.min(Math.max(t, 0), 1);
  }
  return u;
}
