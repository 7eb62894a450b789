/**
 * The check of the figures' integer options (sizes, grid points, bins), one message for all.
 *
 * @module
 */
import { describeValue, NlsqRangeError } from '../errors.ts';

/**
 * An optional integer option ≥ `min`, or its default.
 *
 * @param caller - public function name.
 * @param name - the option's name.
 * @param value - what the caller gave (undefined: the default).
 * @param fallback - the default.
 * @param min - the smallest value allowed (default 1).
 * @returns the value.
 * @throws NlsqRangeError naming the option when it is not an integer ≥ min.
 */
export function positiveInteger(caller: string, name: string, value: number | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!(Number.isInteger(value) && value >= min)) throw new NlsqRangeError(`${caller}: ${name} must be an integer ≥ ${min}, got ${describeValue(value)}`, name);
  return value;
}
