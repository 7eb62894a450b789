/**
 * Bitwise equality of parameter vectors, for the caches keyed by the point of an evaluation.
 *
 * @module
 */

/**
 * Whether two vectors hold the same values bit for bit (`Object.is` element by element: NaN
 * equals NaN, −0 differs from +0), so a value cached at `a` is exactly the value at `b`.
 *
 * @param a - a vector.
 * @param b - another vector.
 * @returns true when the lengths and every element agree.
 * @example
 * ```ts
 * sameVector(Float64Array.of(1, NaN), Float64Array.of(1, NaN)); // true
 * sameVector(Float64Array.of(0), Float64Array.of(-0));          // false
 * ```
 */
export function sameVector(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}
