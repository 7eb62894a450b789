/**
 * Finite-difference Jacobian steps with SciPy's rules, applied block by block.
 *
 * Three schemes, each reproducing the SciPy routine named:
 * - `'2-point'` — `approx_derivative(method='2-point')`: forward differences,
 *   h_j = √ε · sign(x_j) · max(1, |x_j|) (or relStep_j · sign(x_j) · |x_j| when `diffStep` is
 *   given), flipped or shortened to stay inside the bounds (`_adjust_scheme_to_bounds`, 1-sided),
 *   J_:j = (f(x + h_j e_j) − f(x)) / ((x_j + h_j) − x_j).
 * - `'3-point'` — central differences with h_j = ε^⅓ · max(1, |x_j|), falling back to one-sided
 *   second-order differences (−3f₀ + 4f₁ − f₂)/(2h) near a bound (2-sided scheme).
 * - `'minpack'` — MINPACK `fdjac2` as used by `leastsq`/`curve_fit(method='lm')`:
 *   h_j = √max(epsfcn, ε) · |x_j| (or √max(epsfcn, ε) when x_j = 0), forward differences.
 *
 * Because each column of J depends only on its own perturbed parameter vector, evaluating the
 * differences per block of points gives exactly the Jacobian SciPy forms for the whole vector,
 * without ever holding more than one block.
 *
 * @module
 */

const EPS = 2.220446049250313e-16;

/** How the Jacobian is obtained. */
export type JacobianScheme =
  | { readonly kind: 'analytic' }
  | {
      readonly kind: '2-point' | '3-point';
      /** Relative steps (`diffStep`), or null for SciPy's defaults. */
      readonly relStep: Float64Array | null;
      readonly lb: Float64Array;
      readonly ub: Float64Array;
    }
  | { readonly kind: 'minpack'; readonly epsfcn: number };

/**
 * The perturbed parameter vectors of one Jacobian evaluation and how to combine them.
 * Column j uses `thetas[2j]` (and `thetas[2j+1]` for central/second-order schemes).
 */
export interface DifferencePlan {
  /** Number of model evaluations per column: 1 (forward) or 2. */
  readonly evalsPerColumn: 1 | 2;
  /** Perturbed parameter vectors, `evalsPerColumn` per column. */
  readonly thetas: readonly Float64Array[];
  /** Per column: 0 forward (f₁ − f₀)/dx, 1 central (f₂ − f₁)/dx, 2 one-sided (−3f₀ + 4f₁ − f₂)/dx. */
  readonly formula: Uint8Array;
  /** Per column: the denominator dx. */
  readonly dx: Float64Array;
}

/** SciPy's `_compute_absolute_step` for '2-point' / '3-point'. */
function absoluteSteps(x: Float64Array, relStep: Float64Array | null, rstep: number): Float64Array {
  const h = new Float64Array(x.length);
  for (let j = 0; j < x.length; j++) {
    const sign = x[j]! >= 0 ? 1 : -1;
    const fallback = rstep * sign * Math.max(1, Math.abs(x[j]!));
    let step = relStep === null ? fallback : relStep[j]! * sign * Math.abs(x[j]!);
    if (x[j]! + step - x[j]! === 0) step = fallback;
    h[j] = step;
  }
  return h;
}

/** SciPy's `_adjust_scheme_to_bounds` with num_steps = 1; returns one-sided flags. */
function adjustToBounds(x: Float64Array, h: Float64Array, twoSided: boolean, lb: Float64Array, ub: Float64Array): Uint8Array {
  const oneSided = new Uint8Array(x.length).fill(twoSided ? 0 : 1);
  if (twoSided) for (let j = 0; j < h.length; j++) h[j] = Math.abs(h[j]!);
  for (let j = 0; j < x.length; j++) {
    if (lb[j] === -Infinity && ub[j] === Infinity) continue;
    const lower = x[j]! - lb[j]!;
    const upper = ub[j]! - x[j]!;
    if (!twoSided) {
      const xt = x[j]! + h[j]!;
      const fitting = Math.abs(h[j]!) <= Math.max(lower, upper);
      if ((xt < lb[j]! || xt > ub[j]!) && fitting) h[j] = -h[j]!;
      else if (!fitting) h[j] = upper >= lower ? upper : -lower;
      continue;
    }
    if (lower >= h[j]! && upper >= h[j]!) continue;
    const step = upper >= lower ? Math.min(h[j]!, 0.5 * upper) : -Math.min(h[j]!, 0.5 * lower);
    const minDist = Math.min(upper, lower);
    if (Math.abs(step) <= minDist) {
      h[j] = minDist;
      oneSided[j] = 0;
    } else {
      h[j] = step;
      oneSided[j] = 1;
    }
  }
  return oneSided;
}

/**
 * Plan the perturbations of one finite-difference Jacobian at `x`.
 * @param x - the parameters.
 * @param scheme - a non-analytic scheme.
 */
export function planDifferences(x: Float64Array, scheme: Exclude<JacobianScheme, { kind: 'analytic' }>): DifferencePlan {
  const p = x.length;
  const formula = new Uint8Array(p);
  const dx = new Float64Array(p);
  const thetas: Float64Array[] = [];
  if (scheme.kind === 'minpack') {
    const eps = Math.sqrt(Math.max(scheme.epsfcn, EPS));
    for (let j = 0; j < p; j++) {
      const h = eps * Math.abs(x[j]!) || eps;
      const t = Float64Array.from(x);
      t[j] = x[j]! + h;
      thetas.push(t);
      dx[j] = h;
    }
    return { evalsPerColumn: 1, thetas, formula, dx };
  }
  const twoSided = scheme.kind === '3-point';
  const h = absoluteSteps(x, scheme.relStep, twoSided ? EPS ** (1 / 3) : Math.sqrt(EPS));
  const oneSided = adjustToBounds(x, h, twoSided, scheme.lb, scheme.ub);
  for (let j = 0; j < p; j++) {
    const t1 = Float64Array.from(x);
    if (!twoSided) {
      t1[j] = x[j]! + h[j]!;
      thetas.push(t1);
      dx[j] = t1[j]! - x[j]!;
      continue;
    }
    const t2 = Float64Array.from(x);
    if (oneSided[j]) {
      t1[j] = x[j]! + h[j]!;
      t2[j] = x[j]! + 2 * h[j]!;
      formula[j] = 2;
      dx[j] = t2[j]! - x[j]!;
    } else {
      t1[j] = x[j]! - h[j]!;
      t2[j] = x[j]! + h[j]!;
      formula[j] = 1;
      dx[j] = t2[j]! - t1[j]!;
    }
    thetas.push(t1, t2);
  }
  return { evalsPerColumn: twoSided ? 2 : 1, thetas, formula, dx };
}

/** Writes the residuals at a perturbed parameter vector into `out` (the first `rows` entries). */
export type ResidualsAt = (theta: Float64Array, out: Float64Array) => void;

/**
 * Fill a block's finite-difference Jacobian, column by column — the one home of the difference
 * loop: column j evaluates the residuals at `thetas[evalsPerColumn·j]` (and
 * `thetas[2j + 1]` for two-evaluation formulas) and writes `A[i·stride + j]` by the column's
 * formula (forward (f₁ − f₀)/dx, central (f₂ − f₁)/dx or one-sided (−3f₀ + 4f₁ − f₂)/dx),
 * as SciPy's `approx_derivative` / MINPACK `fdjac2` do over the whole vector.
 *
 * @param plan - the perturbations (from {@link planDifferences}).
 * @param f0 - the residuals at x.
 * @param rows - number of residuals in the block.
 * @param A - the block, row-major with row length `stride`; columns 0 … p−1 are written.
 * @param stride - row length of `A`.
 * @param residualsAt - evaluates the residuals at a perturbed point.
 * @param f1 - scratch of at least `rows` values.
 * @param f2 - scratch of at least `rows` values (used by two-evaluation formulas).
 */
export function differenceColumns(
  plan: DifferencePlan,
  f0: Float64Array,
  rows: number,
  A: Float64Array,
  stride: number,
  residualsAt: ResidualsAt,
  f1: Float64Array,
  f2: Float64Array,
): void {
  const per = plan.evalsPerColumn;
  for (let j = 0; j < plan.dx.length; j++) {
    residualsAt(plan.thetas[per * j]!, f1);
    if (per === 2) residualsAt(plan.thetas[2 * j + 1]!, f2);
    writeDifferenceColumn(plan, j, f0, f1, f2, rows, A, stride);
  }
}

/** Column j of a block's Jacobian from f0, f1 (and f2): `A[i·stride + j] = difference_i / dx_j`. */
function writeDifferenceColumn(
  plan: DifferencePlan,
  j: number,
  f0: Float64Array,
  f1: Float64Array,
  f2: Float64Array,
  rows: number,
  A: Float64Array,
  stride: number,
): void {
  const dx = plan.dx[j]!;
  const kind = plan.formula[j];
  if (kind === 0) {
    for (let i = 0, q = j; i < rows; i++, q += stride) A[q] = (f1[i]! - f0[i]!) / dx;
  } else if (kind === 1) {
    for (let i = 0, q = j; i < rows; i++, q += stride) A[q] = (f2[i]! - f1[i]!) / dx;
  } else {
    for (let i = 0, q = j; i < rows; i++, q += stride) A[q] = (-3 * f0[i]! + 4 * f1[i]! - f2[i]!) / dx;
  }
}
