/**
 * Clustering the local minima of a multi-start search: two local fits found the same minimum
 * when their costs agree to 10⁻⁶ relative and every parameter agrees to 10⁻³ relative (NLSQ's
 * tolerances; a local solver stops within ~xtol of its minimum, so 10⁻³ separates distinct minima
 * without splitting one). Fits are taken best first, each joining the first cluster whose
 * representative (its best fit) it matches, so the result is independent of the start order
 * except for `firstStart`.
 *
 * @module
 */
import type { GlobalMinimum } from '../result/global-summary.ts';

/** Relative agreement of costs for one minimum. */
export const COST_RTOL = 1e-6;
/** Relative agreement of every parameter for one minimum. */
export const PARAM_RTOL = 1e-3;

/** One finished local fit. */
export interface LocalFit {
  /** The start's index. */
  readonly start: number;
  /** Its final cost. */
  readonly cost: number;
  /** Its parameters. */
  readonly x: readonly number[];
}

const close = (a: number, b: number, rtol: number): boolean => Math.abs(a - b) <= rtol * Math.max(Math.abs(a), Math.abs(b)) || a === b;

/**
 * Whether two local fits reached the same minimum.
 *
 * @param a - a fit.
 * @param b - another fit (same number of parameters).
 * @returns true when the costs agree to {@link COST_RTOL} and every parameter to {@link PARAM_RTOL}, relative.
 */
export function sameMinimum(a: Pick<LocalFit, 'cost' | 'x'>, b: Pick<LocalFit, 'cost' | 'x'>): boolean {
  if (!close(a.cost, b.cost, COST_RTOL)) return false;
  for (let i = 0; i < a.x.length; i++) if (!close(a.x[i]!, b.x[i]!, PARAM_RTOL)) return false;
  return true;
}

/**
 * Cluster local fits into distinct minima, best first. Fits with a non-finite cost are left out.
 *
 * @param fits - the finished fits.
 * @returns the minima: cost and x of each cluster's best fit, how many fits reached it, the first start that did.
 */
export function distinctMinima(fits: readonly LocalFit[]): GlobalMinimum[] {
  const order = fits.filter((f) => Number.isFinite(f.cost)).sort((a, b) => a.cost - b.cost || a.start - b.start);
  const clusters: { best: LocalFit; count: number; firstStart: number }[] = [];
  for (const fit of order) {
    const home = clusters.find((c) => sameMinimum(c.best, fit));
    if (home === undefined) clusters.push({ best: fit, count: 1, firstStart: fit.start });
    else {
      home.count++;
      home.firstStart = Math.min(home.firstStart, fit.start);
    }
  }
  return clusters.map((c) => Object.freeze({ cost: c.best.cost, x: Object.freeze([...c.best.x]), count: c.count, firstStart: c.firstStart }));
}
