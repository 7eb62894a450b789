/**
 * Bound-constraint helpers shared by `trf` and `dogbox`: SciPy's `optimize/_lsq/common.py`
 * (`in_bounds`, `step_size_to_bound`, `find_active_constraints`, `make_strictly_feasible`) on
 * p-sized vectors. The Coleman–Li scaling vector lives with the other scalings in `scaling.ts`.
 *
 * Notation: x the parameters, lb ≤ x ≤ ub the bounds (±∞ where absent), s a direction,
 * g = Jᵀf the gradient of the cost.
 *
 * @module
 */

/** True when lb ≤ x ≤ ub componentwise (SciPy `in_bounds`; false if any x is NaN). */
export function inBounds(x: Float64Array, lb: Float64Array, ub: Float64Array): boolean {
  for (let i = 0; i < x.length; i++) {
    if (!(x[i]! >= lb[i]! && x[i]! <= ub[i]!)) return false;
  }
  return true;
}

/** Result of {@link stepSizeToBound}. */
export interface StepToBound {
  /** The smallest t ≥ 0 with x + t·s on a bound (∞ when no component can reach one). */
  readonly step: number;
  /** Per component: −1 the lower bound is hit, 1 the upper, 0 not hit (at the minimal t). */
  readonly hits: Int8Array;
}

/**
 * The step length to the nearest bound along s (SciPy `step_size_to_bound`):
 *
 * ```
 *   t_i = max((lb_i − x_i)/s_i, (ub_i − x_i)/s_i)  for s_i ≠ 0,   t_i = ∞ otherwise
 *   t = min_i t_i,   hits_i = [t_i = t]·sign(s_i)
 * ```
 *
 * @param x - a point within the bounds.
 * @param s - direction.
 * @param lb - lower bounds.
 * @param ub - upper bounds.
 * @returns the step length and which bounds it hits.
 */
export function stepSizeToBound(x: Float64Array, s: Float64Array, lb: Float64Array, ub: Float64Array): StepToBound {
  const n = x.length;
  const steps = new Float64Array(n);
  let minStep = Infinity;
  let sawNaN = false;
  for (let i = 0; i < n; i++) {
    const si = s[i]!;
    let t = Infinity;
    if (si !== 0) t = Math.max((lb[i]! - x[i]!) / si, (ub[i]! - x[i]!) / si);
    steps[i] = t;
    if (Number.isNaN(t)) sawNaN = true;
    else if (t < minStep) minStep = t;
  }
  if (sawNaN) minStep = NaN;
  const hits = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    if (steps[i] === minStep) hits[i] = s[i]! > 0 ? 1 : s[i]! < 0 ? -1 : 0;
  }
  return { step: minStep, hits };
}

/**
 * Which bounds are active at x (SciPy `find_active_constraints`): component i is at its lower
 * bound when lb_i is finite and x_i − lb_i ≤ min(ub_i − x_i, rtol·max(1, |lb_i|)), likewise for
 * the upper bound; with rtol = 0, when x_i ≤ lb_i (x_i ≥ ub_i).
 *
 * @param x - point.
 * @param lb - lower bounds.
 * @param ub - upper bounds.
 * @param rtol - relative tolerance (SciPy's default 1e-10; least_squares reports with rtol = xtol).
 * @returns per component −1 (lower active), 1 (upper active) or 0.
 */
export function findActiveConstraints(x: Float64Array, lb: Float64Array, ub: Float64Array, rtol = 1e-10): Int8Array {
  const n = x.length;
  const active = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    const xi = x[i]!;
    const l = lb[i]!;
    const u = ub[i]!;
    if (rtol === 0) {
      if (xi <= l) active[i] = -1;
      if (xi >= u) active[i] = 1;
      continue;
    }
    const lowerDist = xi - l;
    const upperDist = u - xi;
    const lowerThreshold = rtol * Math.max(1, Math.abs(l));
    const upperThreshold = rtol * Math.max(1, Math.abs(u));
    if (Number.isFinite(l) && lowerDist <= Math.min(upperDist, lowerThreshold)) active[i] = -1;
    if (Number.isFinite(u) && upperDist <= Math.min(lowerDist, upperThreshold)) active[i] = 1;
  }
  return active;
}

/**
 * The next representable double after `a` in the direction of `b` (C's `nextafter`).
 *
 * @param a - start.
 * @param b - direction.
 * @returns the neighbour of a towards b (b itself when a = b; NaN if either is NaN).
 */
export function nextAfter(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
  if (a === b) return b;
  if (a === 0) return b > 0 ? Number.MIN_VALUE : -Number.MIN_VALUE;
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, a);
  let bits = buf.getBigUint64(0);
  if (b > a === a > 0) bits += 1n;
  else bits -= 1n;
  buf.setBigUint64(0, bits);
  return buf.getFloat64(0);
}

/**
 * Shift x into the interior of the box (SciPy `make_strictly_feasible`): components active
 * within `rstep` (see {@link findActiveConstraints}) move to lb + rstep·max(1, |lb|) (or the
 * mirror for ub); with rstep = 0 to the next double inside the bound. Components that then fall
 * outside (very tight bounds) go to the midpoint.
 *
 * @param x - point (not modified).
 * @param lb - lower bounds.
 * @param ub - upper bounds.
 * @param rstep - relative step (SciPy's default 1e-10).
 * @returns a new, strictly feasible point.
 */
export function makeStrictlyFeasible(x: Float64Array, lb: Float64Array, ub: Float64Array, rstep = 1e-10): Float64Array {
  const xNew = Float64Array.from(x);
  const active = findActiveConstraints(x, lb, ub, rstep);
  for (let i = 0; i < x.length; i++) {
    const l = lb[i]!;
    const u = ub[i]!;
    if (active[i] === -1) xNew[i] = rstep === 0 ? nextAfter(l, u) : l + rstep * Math.max(1, Math.abs(l));
    else if (active[i] === 1) xNew[i] = rstep === 0 ? nextAfter(u, l) : u - rstep * Math.max(1, Math.abs(u));
    if (xNew[i]! < l || xNew[i]! > u) xNew[i] = 0.5 * (l + u);
  }
  return xNew;
}
