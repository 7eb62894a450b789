/**
 * The box constraint of CMA-ES as a coordinate transformation, not a clip: Hansen's
 * linear–quadratic periodic map (pycma's `BoxConstraintsLinQuadTransformation`; N. Hansen, "The
 * CMA evolution strategy: a tutorial", arXiv:1604.00772, and pycma's `transformations.py`).
 *
 * Each coordinate with bounds [l, u] and margins a_l = min((u−l)/2, (1+|l|)/20),
 * a_u = min((u−l)/2, (1+|u|)/20) is first shifted by the period 2(u − l + a_l + a_u) and mirrored
 * into [l − a_l, u + a_u], then mapped
 *
 *     y = l + (x − (l − a_l))² / (4 a_l)     for x < l + a_l
 *     y = x                                  for l + a_l ≤ x ≤ u − a_u
 *     y = u − (x − (u + a_u))² / (4 a_u)     for x > u − a_u
 *
 * so y ∈ [l, u] always, the map is the identity in the interior, continuous with a continuous
 * derivative everywhere, and points near a bound are reached without the search piling up on it
 * (clipping makes a flat plateau outside the box that misleads the step-size and covariance
 * adaptation). One-sided bounds use the half of the map they need (margin as above, or 1 where
 * the other bound is infinite).
 *
 * @module
 */

/** A per-coordinate box with its margins. */
export interface BoxTransform {
  /** Map a genotype coordinate vector into the box (in place into `out`). */
  toBox(x: Float64Array, out: Float64Array): Float64Array;
  /** A genotype that maps to `y` (y inside the box): the inverse on the map's invertible part. */
  fromBox(y: Float64Array, out: Float64Array): Float64Array;
}

function margin(l: number, u: number, at: number): number {
  if (!Number.isFinite(l) || !Number.isFinite(u)) return Number.isFinite(at) ? (1 + Math.abs(at)) / 20 : 1;
  return Math.min((u - l) / 2, (1 + Math.abs(at)) / 20);
}

/** The transform of one coordinate (exported for the tests). */
export function linQuad(x: number, l: number, u: number, al: number, au: number): number {
  const lowFinite = Number.isFinite(l);
  const upFinite = Number.isFinite(u);
  if (!lowFinite && !upFinite) return x;
  if (lowFinite && upFinite) {
    const start = l - 2 * al - (u - l) / 2;
    const end = u + 2 * au + (u - l) / 2;
    if (x < start || x > end) {
      const period = 2 * (u - l + al + au);
      x -= period * Math.floor((x - start) / period);
    }
  }
  if (upFinite && x > u + au) x -= 2 * (x - u - au);
  if (lowFinite && x < l - al) x += 2 * (l - al - x);
  if (lowFinite && x < l + al) return l + (x - (l - al)) ** 2 / (4 * al);
  if (upFinite && x > u - au) return u - (x - (u + au)) ** 2 / (4 * au);
  return x;
}

/** The inverse of {@link linQuad} on its invertible part, for y in [l, u]. */
export function linQuadInverse(y: number, l: number, u: number, al: number, au: number): number {
  if (Number.isFinite(l) && y < l + al) return l - al + 2 * Math.sqrt(al * Math.max(0, y - l));
  if (Number.isFinite(u) && y > u - au) return u + au - 2 * Math.sqrt(au * Math.max(0, u - y));
  return y;
}

/**
 * The transform for bounds `lb`, `ub` (±Infinity where a side is free).
 *
 * @param lb - lower bounds.
 * @param ub - upper bounds, ub > lb.
 */
export function createBoxTransform(lb: Float64Array, ub: Float64Array): BoxTransform {
  const n = lb.length;
  const al = new Float64Array(n);
  const au = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    al[i] = margin(lb[i] as number, ub[i] as number, lb[i] as number);
    au[i] = margin(lb[i] as number, ub[i] as number, ub[i] as number);
  }
  return {
    toBox(x, out) {
      for (let i = 0; i < n; i++) out[i] = linQuad(x[i] as number, lb[i] as number, ub[i] as number, al[i] as number, au[i] as number);
      return out;
    },
    fromBox(y, out) {
      for (let i = 0; i < n; i++) out[i] = linQuadInverse(y[i] as number, lb[i] as number, ub[i] as number, al[i] as number, au[i] as number);
      return out;
    },
  };
}
