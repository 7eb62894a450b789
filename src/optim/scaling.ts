/**
 * Variable scaling for the trust-region solvers `trf` and `dogbox`: SciPy's `x_scale` (a fixed
 * vector or Moré's running Jacobian column norms, `compute_jac_scale`) and the Coleman–Li
 * scaling vector of `trf` (`CL_scaling_vector`).
 *
 * Notation: `scale` multiplies a step in scaled variables back into the original ones
 * (x = scale ∘ x̂), `scaleInv` = 1/scale; the trust region is a ball (trf) or box (dogbox) in the
 * scaled variables. g = Jᵀf is the gradient, lb ≤ x ≤ ub the bounds (±∞ where absent).
 *
 * References: J. J. Moré, "The Levenberg–Marquardt algorithm: implementation and theory",
 * Numerical Analysis, Lecture Notes in Mathematics 630, Springer, 1977 (the column-norm scaling);
 * M. A. Branch, T. F. Coleman, Y. Li, "A subspace, interior, and conjugate gradient method for
 * large-scale bound-constrained minimization problems", SIAM J. Sci. Comput. 21(1), 1999, eq. 2.2
 * (the scaling vector v); SciPy `optimize/_lsq/common.py` and `trf.py`.
 *
 * @module
 */
import { normInf } from '../linalg/small-linalg.ts';

/** A variable scaling: scale and its elementwise inverse. */
export interface VariableScale {
  /** Characteristic scale of each variable (x = scale ∘ x̂). */
  readonly scale: Float64Array;
  /** 1/scale (for the Jacobian scaling, the column norms of J). */
  readonly scaleInv: Float64Array;
}

/**
 * The fixed variable scaling of a numeric `xScale`: scale = xScale, scaleInv = 1/xScale.
 *
 * @param xScale - positive scales, one per parameter.
 * @returns copies of scale and its inverse.
 */
export function fixedScale(xScale: Float64Array): VariableScale {
  return { scale: Float64Array.from(xScale), scaleInv: Float64Array.from(xScale, (s) => 1 / s) };
}

/**
 * Variable scaling from the Jacobian (SciPy `compute_jac_scale`, Moré 1977): scaleInv_j = ‖J_:j‖
 * (zeros replaced by 1 on the first call), afterwards max(‖J_:j‖, scaleInv_old_j); scale = 1/scaleInv.
 * On the first call every nonzero column of J·diag(scale) has unit norm, so the scaled problem
 * does not depend on the units of the parameters.
 *
 * @param colNorms - column norms of J (= of R).
 * @param scaleInvOld - the previous scaleInv, or null on the first call.
 * @returns scale and scaleInv.
 */
export function computeJacScale(colNorms: Float64Array, scaleInvOld: Float64Array | null = null): VariableScale {
  const n = colNorms.length;
  const scaleInv = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const c = colNorms[j]!;
    scaleInv[j] = scaleInvOld === null ? (c === 0 ? 1 : c) : Math.max(c, scaleInvOld[j]!);
  }
  const scale = new Float64Array(n);
  for (let j = 0; j < n; j++) scale[j] = 1 / scaleInv[j]!;
  return { scale, scaleInv };
}

/**
 * The scaling at the starting point: {@link computeJacScale} for `'jac'`, {@link fixedScale}
 * otherwise.
 *
 * @param xScale - the resolved `xScale` option.
 * @param colNorms - column norms of J at x0.
 * @returns scale and scaleInv.
 */
export function initialScale(xScale: Float64Array | 'jac', colNorms: Float64Array): VariableScale {
  return xScale === 'jac' ? computeJacScale(colNorms) : fixedScale(xScale);
}

/**
 * The scaling after an accepted step: for `'jac'` the running maximum of the column norms
 * ({@link computeJacScale} with the previous scaleInv); a fixed scaling is returned unchanged.
 *
 * @param xScale - the resolved `xScale` option.
 * @param previous - the scaling before the step.
 * @param colNorms - column norms of J at the new point.
 * @returns the new scaling.
 */
export function updateScale(xScale: Float64Array | 'jac', previous: VariableScale, colNorms: Float64Array): VariableScale {
  return xScale === 'jac' ? computeJacScale(colNorms, previous.scaleInv) : previous;
}

/** Result of {@link clScalingVector}. */
export interface ClScaling {
  /** The Coleman–Li scaling vector v ≥ 0. */
  readonly v: Float64Array;
  /** dv_i/dx_i ∈ {−1, 0, 1}. */
  readonly dv: Float64Array;
}

/**
 * Coleman–Li scaling vector (SciPy `CL_scaling_vector`; Branch, Coleman & Li 1999, eq. 2.2):
 *
 * ```
 *          | ub_i − x_i   if g_i < 0 and ub_i < ∞      (dv_i = −1)
 *   v_i =  | x_i − lb_i   if g_i > 0 and lb_i > −∞     (dv_i =  1)
 *          | 1            otherwise                    (dv_i =  0)
 * ```
 *
 * @param x - point within the bounds.
 * @param g - gradient of the cost.
 * @param lb - lower bounds.
 * @param ub - upper bounds.
 * @returns v and its derivative dv.
 */
export function clScalingVector(x: Float64Array, g: Float64Array, lb: Float64Array, ub: Float64Array): ClScaling {
  const n = x.length;
  const v = new Float64Array(n).fill(1);
  const dv = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (g[i]! < 0 && Number.isFinite(ub[i]!)) {
      v[i] = ub[i]! - x[i]!;
      dv[i] = -1;
    }
    if (g[i]! > 0 && Number.isFinite(lb[i]!)) {
      v[i] = x[i]! - lb[i]!;
      dv[i] = 1;
    }
  }
  return { v, dv };
}

/**
 * The Coleman–Li vector in the units of the scaled variables, as SciPy's `trf_bounds` uses it:
 * v_i·scaleInv_i where dv_i ≠ 0 (a distance to a bound, rescaled), v_i = 1 elsewhere. The hat
 * scaling of trf is then d = √v ∘ scale.
 *
 * @param x - point within the bounds.
 * @param g - gradient of the cost.
 * @param lb - lower bounds.
 * @param ub - upper bounds.
 * @param scaleInv - 1/scale.
 * @returns the rescaled v and dv.
 */
export function hatScalingVector(x: Float64Array, g: Float64Array, lb: Float64Array, ub: Float64Array, scaleInv: Float64Array): ClScaling {
  const { v, dv } = clScalingVector(x, g, lb, ub);
  for (let i = 0; i < v.length; i++) if (dv[i] !== 0) v[i] = v[i]! * scaleInv[i]!;
  return { v, dv };
}

/**
 * trf's first-order optimality ‖g∘v‖∞ with v the Coleman–Li vector at x: it vanishes at a
 * constrained stationary point, where each gradient component is zero or pushes against its
 * active bound (SciPy trf's `g_norm`).
 *
 * @param x - point within the bounds.
 * @param g - gradient of the cost.
 * @param lb - lower bounds.
 * @param ub - upper bounds.
 * @returns ‖g∘v‖∞.
 */
export function clOptimality(x: Float64Array, g: Float64Array, lb: Float64Array, ub: Float64Array): number {
  const { v } = clScalingVector(x, g, lb, ub);
  const gv = new Float64Array(g.length);
  for (let i = 0; i < g.length; i++) gv[i] = g[i]! * v[i]!;
  return normInf(gv);
}
