/**
 * Which points a figure draws: all of them up to a limit, else an evenly strided subset, so that
 * an SVG of a million-point fit stays a few hundred kilobytes. The fitted curve and the bands are
 * computed on their own grid and are never thinned.
 *
 * @module
 */
import { describeValue, NlsqRangeError } from '../errors.ts';

/** Default most points a figure draws. */
export const DEFAULT_MAX_POINTS = 1000;

/** 2nd, 3rd, 11th, 21st, 40th, … */
function ordinal(k: number): string {
  const tens = k % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][k % 10] ?? 'th');
  return `${k}${suffix}`;
}

/** The points drawn out of n. */
export interface PointSelection {
  /** Indices into the data, ascending. */
  readonly indices: Int32Array;
  /** Every `stride`-th point is drawn (1: all). */
  readonly stride: number;
  /** The sentence for the spec's description, e.g. `showing 1,000 of 1,000,000 points (every 1000th)`. */
  readonly note: string;
}

/**
 * Select at most `maxPoints` of n points: i = 0, s, 2s, … with s = ⌈n / maxPoints⌉, an even
 * subsample in the data's own order (deterministic: the same figure for the same data).
 *
 * @param caller - public function name.
 * @param n - number of points.
 * @param maxPoints - most points drawn (a positive integer).
 * @returns the selection.
 * @throws NlsqRangeError naming `maxPoints` when it is not a positive integer.
 */
export function selectPoints(caller: string, n: number, maxPoints: number = DEFAULT_MAX_POINTS): PointSelection {
  if (!(Number.isInteger(maxPoints) && maxPoints > 0)) {
    throw new NlsqRangeError(`${caller}: maxPoints must be a positive integer, got ${describeValue(maxPoints)}`, 'maxPoints');
  }
  const stride = Math.max(1, Math.ceil(n / maxPoints));
  const indices = new Int32Array(Math.ceil(n / stride));
  for (let j = 0; j < indices.length; j++) indices[j] = j * stride;
  const note = stride === 1 ? `all ${n.toLocaleString('en-US')} points` : `showing ${indices.length.toLocaleString('en-US')} of ${n.toLocaleString('en-US')} points (every ${ordinal(stride)}, downsampled to keep the figure small)`;
  return { indices, stride, note };
}
