/**
 * The safety check of a lifted closure: the lifted model and the user's own function must agree
 * at a few data points, at the starting parameters and at a second parameter vector, to a
 * relative 1e−12 (NaN agrees with NaN, ±∞ with itself).
 *
 * Rounding can differ between the two (the model simplifies, and expands small integer powers
 * into products), hence a tolerance rather than equality; a closure whose text is not what it
 * computes (a source that lies, a `Math` replaced at run time, a constant that changed) disagrees
 * and is not lifted. The closure is called exactly as the per-point kernel calls it:
 * `f(x, θ0, θ1, …)` with x a number (k = 1) or an array of k numbers.
 *
 * @module
 */
import type { DataColumns } from '../model-kernel.ts';
import type { Model } from '../model.ts';
import type { ModelFunction } from '../closure-kernel.ts';

/** Relative agreement a lifted model must reach against its closure. */
export const LIFT_TOLERANCE = 1e-12;

/**
 * True when two model values agree (see the module documentation).
 *
 * @param closure - the closure's value (anything it returned).
 * @param lifted - the lifted model's value.
 */
export function valuesAgree(closure: unknown, lifted: number): boolean {
  if (typeof closure !== 'number') return false;
  if (Object.is(closure, lifted) || (Number.isNaN(closure) && Number.isNaN(lifted))) return true;
  return Math.abs(closure - lifted) <= LIFT_TOLERANCE * Math.max(Math.abs(closure), Math.abs(lifted));
}

/** Up to five distinct rows spread over n points: first, last, and three inside. */
function checkRows(n: number): number[] {
  return [...new Set([0, n - 1, n >> 1, Math.floor(n / 3), Math.floor((2 * n) / 3)])].filter((i) => i >= 0 && i < n);
}

function formatPoint(x: unknown, theta: Float64Array): string {
  const xs = typeof x === 'number' ? String(x) : `[${(x as number[]).join(', ')}]`;
  return `x = ${xs}, p = [${Array.from(theta).join(', ')}]`;
}

/**
 * Compare a lifted model with its closure.
 *
 * @param model - the lifted model.
 * @param f - the user's function.
 * @param data - the fit's data (the x columns are read).
 * @param theta - the starting parameters.
 * @returns undefined when they agree everywhere checked, else the reason they do not.
 */
export function verifyLift(model: Model, f: ModelFunction, data: DataColumns, theta: Float64Array): string | undefined {
  const rows = checkRows(data.x[0]?.length ?? 0);
  if (rows.length === 0) return 'there is no data point to check the lifted expression at';
  const k = data.x.length;
  const cols = data.x.map((c) => Float64Array.from(rows, (i) => c[i]!));
  const second = theta.map((t, j) => t * (1 + 0.125 * (j + 1)) + 0.0625 * (j + 1));
  for (const th of [theta, second]) {
    const lifted = model.evaluate(th, k === 1 ? cols[0]! : cols);
    for (let r = 0; r < rows.length; r++) {
      const x: unknown = k === 1 ? cols[0]![r]! : cols.map((c) => c[r]!);
      let value: unknown;
      try {
        value = f(x, ...th);
      } catch {
        return `the closure threw at ${formatPoint(x, th)}`;
      }
      if (!valuesAgree(value, lifted[r]!)) {
        return `lifted expression disagrees with the closure at ${formatPoint(x, th)} (${String(value)} vs ${lifted[r]})`;
      }
    }
  }
  return undefined;
}
