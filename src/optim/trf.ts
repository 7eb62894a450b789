/**
 * Trust Region Reflective (TRF) — SciPy's `least_squares(method='trf', tr_solver='exact')`.
 *
 * Problem: minimize C(x) = ½ Σ ρ(f_i(x)²) subject to lb ≤ x ≤ ub. Notation as in SciPy's
 * `trf.py`: g = Jᵀf the gradient (of the loss-scaled problem), v the Coleman–Li scaling vector
 * with derivative dv (see `scaling.ts`), `scale` the variable scaling (x_scale or Moré's Jacobian
 * column norms), and in the "hat" variables
 *
 * ```
 *   d = √v ∘ scale,   J_h = J·diag(d),   g_h = d ∘ g,   diag_h = g ∘ dv ∘ scale  (the matrix C)
 * ```
 *
 * Each outer iteration solves min ½‖J_h p_h + f‖² + ½ p_hᵀ diag_h p_h, ‖p_h‖ ≤ Δ exactly from one
 * SVD. Here J never exists: with J = Q R from the folded triangle, the SVD of the p×p
 * [R·diag(d)] — or of the 2p×p [R·diag(d); diag(√diag_h)] with right-hand side [z; 0] when
 * bounds make diag_h nonzero — has exactly J_h's (or J_augmented's) singular values, right
 * vectors and Uᵀf. Then the best of three steps is taken (`select_step`): the trust-region step
 * cut back at the first bound, its reflection off that bound, and the constrained Cauchy step,
 * each pulled back by θ = max(0.995, 1 − ‖g_scaled‖∞) to stay strictly feasible.
 *
 * The loop itself (evaluate, accept or reject, radius, termination, progress) is the shared
 * `trust-region-minimizer.ts`; this file supplies the steps ({@link trfSteps}). SciPy writes two
 * loops, `trf_bounds` and `trf_no_bounds`; here they are one set of steps. With all bounds
 * infinite, v ≡ 1 and dv ≡ 0, so d = scale, diag_h = 0, Δ₀ = ‖x₀/scale‖ and ‖g∘v‖∞ = ‖g‖∞ —
 * the bounded formulas reduce to the unbounded ones. The two places where `trf_no_bounds` differs
 * in code, not only in value, are branched on `bounded`: the step is the trust-region step itself
 * (no `select_step`, no θ) and x + step is not pushed off the bounds with `make_strictly_feasible`.
 *
 * References: M. A. Branch, T. F. Coleman, Y. Li, "A subspace, interior, and conjugate gradient
 * method for large-scale bound-constrained minimization problems", SIAM J. Sci. Comput. 21(1),
 * 1999; J. J. Moré, "The Levenberg–Marquardt algorithm: implementation and theory", 1977.
 *
 * @module
 */
import type { ResidualProblem, SolverGenerator } from './evaluation.ts';
import { findActiveConstraints, inBounds, makeStrictlyFeasible, stepSizeToBound } from './bounds.ts';
import { clOptimality, hatScalingVector } from './scaling.ts';
import type { SolverOptions } from './solver-options.ts';
import { norm2, thinSvd } from '../linalg/small-linalg.ts';
import type { Linearization } from './solver-common.ts';
import { type LinearizedPoint, type LocalModel, type MinimizerSteps, type TrialStep, trustRegionMinimizer } from './trust-region-minimizer.ts';
import {
  buildQuadratic1d,
  type DenseMatrix,
  evaluateQuadratic,
  intersectTrustRegion,
  minimizeQuadratic1d,
  solveLsqTrustRegion,
} from './trust-region.ts';

/** A candidate step in original and hat variables with its predicted reduction. */
export interface SelectedStep {
  /** Step in the original variables. */
  readonly step: Float64Array;
  /** Step in the hat variables. */
  readonly stepH: Float64Array;
  /** Predicted cost reduction −q(step_h). */
  readonly predicted: number;
}

/** The hat-space model of one outer iteration. */
interface HatModel {
  readonly d: Float64Array;
  readonly gH: Float64Array;
  readonly diagH: Float64Array;
  readonly Jh: DenseMatrix;
  readonly s: Float64Array;
  readonly V: Float64Array;
  readonly uf: Float64Array;
}

/** The inputs of {@link selectStep}, in SciPy trf's notation. */
export interface SelectStepInput {
  /** The current point (strictly feasible). */
  readonly x: Float64Array;
  /** J_h (as R·diag(d)). */
  readonly Jh: DenseMatrix;
  /** The diagonal C in hat variables (g ∘ dv ∘ scale). */
  readonly diagH: Float64Array;
  /** The gradient in hat variables. */
  readonly gH: Float64Array;
  /** The trust-region step in the original variables (modified). */
  readonly p: Float64Array;
  /** The trust-region step in hat variables (modified). */
  readonly pH: Float64Array;
  /** The hat scaling d = √v ∘ scale. */
  readonly d: Float64Array;
  /** The trust-region radius. */
  readonly Delta: number;
  /** Lower bounds. */
  readonly lb: Float64Array;
  /** Upper bounds. */
  readonly ub: Float64Array;
  /** The step-back ratio from the bounds, θ = max(0.995, 1 − ‖g_scaled‖∞). */
  readonly theta: number;
}

/**
 * Choose among the trust-region step, its reflection and the Cauchy step (SciPy trf
 * `select_step`): when x + p leaves the box, the candidates are p cut back at the first bound,
 * p's reflection off that bound (minimized along the reflected line within the trust region and
 * the box), and the constrained Cauchy step along −g_h, each pulled back by θ; the one with the
 * smallest model value q(s_h) = ½‖J_h s_h‖² + g_hᵀs_h + ½s_hᵀdiag_h s_h wins. `p` and `pH` are
 * modified.
 *
 * @param input - the point, the hat model, the trust-region step, Δ, the bounds and θ.
 * @returns the chosen step and its predicted reduction.
 */
export function selectStep(input: SelectStepInput): SelectedStep {
  const { x, Jh, diagH, gH, p, pH, d, Delta, lb, ub, theta } = input;
  const n = x.length;
  const xp = new Float64Array(n);
  for (let i = 0; i < n; i++) xp[i] = x[i]! + p[i]!;
  if (inBounds(xp, lb, ub)) return { step: p, stepH: pH, predicted: -evaluateQuadratic(Jh, gH, pH, diagH) };
  const { step: pStride, hits } = stepSizeToBound(x, p, lb, ub);
  const rH = Float64Array.from(pH);
  for (let i = 0; i < n; i++) if (hits[i] !== 0) rH[i] = -rH[i]!;
  let r = new Float64Array(n);
  for (let i = 0; i < n; i++) r[i] = d[i]! * rH[i]!;
  for (let i = 0; i < n; i++) {
    p[i] = p[i]! * pStride;
    pH[i] = pH[i]! * pStride;
  }
  const xOnBound = new Float64Array(n);
  for (let i = 0; i < n; i++) xOnBound[i] = x[i]! + p[i]!;
  const toTr = intersectTrustRegion(pH, rH, Delta)[1];
  const toBound = stepSizeToBound(xOnBound, r, lb, ub).step;
  const rStride = Math.min(toBound, toTr);
  let rStrideL = 0;
  let rStrideU = -1;
  if (rStride > 0) {
    rStrideL = ((1 - theta) * pStride) / rStride;
    rStrideU = rStride === toBound ? theta * toBound : toTr;
  }
  let rValue = Infinity;
  if (rStrideL <= rStrideU) {
    const { a, b, c } = buildQuadratic1d(Jh, gH, rH, diagH, pH);
    const best = minimizeQuadratic1d(a, b, rStrideL, rStrideU, c);
    rValue = best.y;
    for (let i = 0; i < n; i++) rH[i] = rH[i]! * best.t + pH[i]!;
    r = new Float64Array(n);
    for (let i = 0; i < n; i++) r[i] = rH[i]! * d[i]!;
  }
  for (let i = 0; i < n; i++) {
    p[i] = p[i]! * theta;
    pH[i] = pH[i]! * theta;
  }
  const pValue = evaluateQuadratic(Jh, gH, pH, diagH);
  const agH = new Float64Array(n);
  const ag = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    agH[i] = -gH[i]!;
    ag[i] = d[i]! * agH[i]!;
  }
  const toTrAg = Delta / norm2(agH);
  const toBoundAg = stepSizeToBound(x, ag, lb, ub).step;
  const agLimit = toBoundAg < toTrAg ? theta * toBoundAg : toTrAg;
  const q = buildQuadratic1d(Jh, gH, agH, diagH);
  const agBest = minimizeQuadratic1d(q.a, q.b, 0, agLimit);
  for (let i = 0; i < n; i++) {
    agH[i] = agH[i]! * agBest.t;
    ag[i] = ag[i]! * agBest.t;
  }
  const agValue = agBest.y;
  if (pValue < rValue && pValue < agValue) return { step: p, stepH: pH, predicted: -pValue };
  if (rValue < pValue && rValue < agValue) return { step: r, stepH: rH, predicted: -rValue };
  return { step: ag, stepH: agH, predicted: -agValue };
}

/** Build J_h, g_h, diag_h and the SVD for one outer iteration. */
function hatModel(lin: Linearization, p: number, v: Float64Array, dv: Float64Array, scale: Float64Array): HatModel {
  const d = new Float64Array(p);
  const gH = new Float64Array(p);
  const diagH = new Float64Array(p);
  let augmented = false;
  for (let j = 0; j < p; j++) {
    d[j] = Math.sqrt(v[j]!) * scale[j]!;
    diagH[j] = lin.g[j]! * dv[j]! * scale[j]!;
    gH[j] = d[j]! * lin.g[j]!;
    if (diagH[j] !== 0) augmented = true;
  }
  const rows = augmented ? 2 * p : p;
  const A = new Float64Array(rows * p);
  for (let i = 0; i < p; i++) for (let j = i; j < p; j++) A[i * p + j] = lin.R[i * p + j]! * d[j]!;
  const Jh: DenseMatrix = { rows: p, cols: p, data: A.slice(0, p * p) };
  if (augmented) for (let j = 0; j < p; j++) A[(p + j) * p + j] = Math.sqrt(diagH[j]!);
  const { s, U, V } = thinSvd(A, rows, p);
  const uf = new Float64Array(p);
  for (let k = 0; k < p; k++) {
    let sum = 0;
    for (let i = 0; i < p; i++) sum += U[i * p + k]! * lin.z[i]!;
    uf[k] = sum;
  }
  return { d, gH, diagH, Jh, s, V, uf };
}

/** A proposed trial point. */
interface Proposal extends SelectedStep {
  /** The trial point x + step (pushed strictly inside the bounds when bounded). */
  readonly xNew: Float64Array;
  /** The Levenberg–Marquardt parameter of the trust-region solution. */
  readonly alpha: number;
}

/**
 * One trial step: the exact trust-region solution in hat variables, then — with bounds —
 * SciPy's `select_step` and `make_strictly_feasible(x + step, rstep=0)`; without bounds the
 * step itself (`trf_no_bounds`).
 */
function proposeStep(
  x: Float64Array,
  model: HatModel,
  m: number,
  Delta: number,
  alpha: number,
  box: { lb: Float64Array; ub: Float64Array; theta: number } | null,
): Proposal {
  const p = x.length;
  const sol = solveLsqTrustRegion(p, m, model.uf, model.s, model.V, Delta, alpha);
  const pH = sol.p;
  const pStep = new Float64Array(p);
  for (let i = 0; i < p; i++) pStep[i] = model.d[i]! * pH[i]!;
  const chosen =
    box === null
      ? { step: pStep, stepH: pH, predicted: -evaluateQuadratic(model.Jh, model.gH, pH) }
      : selectStep({ x, Jh: model.Jh, diagH: model.diagH, gH: model.gH, p: pStep, pH, d: model.d, Delta, lb: box.lb, ub: box.ub, theta: box.theta });
  const xTrial = new Float64Array(p);
  for (let i = 0; i < p; i++) xTrial[i] = x[i]! + chosen.step[i]!;
  const xNew = box === null ? xTrial : makeStrictlyFeasible(xTrial, box.lb, box.ub, 0);
  return { ...chosen, xNew, alpha: sol.alpha };
}

/**
 * The steps of TRF for the shared trust-region loop: Δ₀ from x0, the hat model (one SVD) at each
 * iterate, built on the first step from it, and the exact trust-region step with `select_step`.
 * The Levenberg–Marquardt parameter α carries over from step to step (SciPy passes it as the
 * initial guess) and is rescaled by Δ/Δ_new when the radius changes.
 *
 * @param options - resolved options (bounds and xtol are read).
 * @returns the steps.
 */
export function trfSteps(options: Pick<SolverOptions, 'lb' | 'ub' | 'xtol'>): MinimizerSteps {
  const { lb, ub, xtol } = options;
  const bounded = lb.some((l) => l !== -Infinity) || ub.some((u) => u !== Infinity);
  let m = 0;
  let alpha = 0;
  return {
    measure: '‖g∘v‖∞',
    start(at: LinearizedPoint, residuals: number): number {
      m = residuals;
      return initialRadius(at.x, at.lin.g, lb, ub, at.scale.scaleInv);
    },
    linearize(at: LinearizedPoint): LocalModel {
      const optimality = clOptimality(at.x, at.lin.g, lb, ub);
      const theta = Math.max(0.995, 1 - optimality);
      let model: HatModel | null = null;
      return {
        optimality,
        compute(Delta: number): TrialStep {
          if (model === null) {
            const { v, dv } = hatScalingVector(at.x, at.lin.g, lb, ub, at.scale.scaleInv);
            model = hatModel(at.lin, at.x.length, v, dv, at.scale.scale);
          }
          const chosen = proposeStep(at.x, model, m, Delta, alpha, bounded ? { lb, ub, theta } : null);
          alpha = chosen.alpha;
          const norm = norm2(chosen.stepH);
          return { step: chosen.step, xTrial: chosen.xNew, xNext: chosen.xNew, norm, predicted: chosen.predicted, boundaryHit: norm > 0.95 * Delta };
        },
      };
    },
    radiusChanged(from: number, to: number): void {
      alpha *= from / to;
    },
    activeMask: (x: Float64Array): Int8Array => findActiveConstraints(x, lb, ub, xtol),
  };
}

/**
 * The TRF solver generator (SciPy `trf`, exact trust-region solver): the shared
 * {@link trustRegionMinimizer} with {@link trfSteps}, started from x0 pushed strictly inside the
 * bounds (`make_strictly_feasible(x0, lb, ub, rstep=1e-10)`). Counts as SciPy: nfev = 1 + trial
 * points, njev = 1 + accepted steps; `optimality` = ‖g∘v‖∞; `activeMask` from
 * `find_active_constraints(x, lb, ub, rtol=xtol)`.
 *
 * When `problem.jacobianIsCheap`, the Jacobian is requested with every trial point and reused
 * on acceptance; otherwise it is requested once per accepted step. A trial point whose cost (or,
 * when requested, Jacobian) is not finite shrinks the radius to ¼‖step_h‖, as SciPy does for
 * non-finite residuals.
 *
 * @param problem - p and whether the Jacobian is cheap.
 * @param options - resolved options (method 'trf').
 * @returns the solver generator.
 * @throws ModelEvaluationError when the residuals or the Jacobian are not finite at x0.
 */
export function trf(problem: Pick<ResidualProblem, 'p' | 'jacobianIsCheap'>, options: SolverOptions): SolverGenerator {
  const x0 = makeStrictlyFeasible(options.x0, options.lb, options.ub, 1e-10);
  return trustRegionMinimizer(problem, { ...options, x0 }, trfSteps(options));
}

/** Δ₀ = ‖x₀ ∘ scaleInv / √v‖ with v the hat scaling vector ({@link hatScalingVector}); 1 when that is 0. */
function initialRadius(x: Float64Array, g: Float64Array, lb: Float64Array, ub: Float64Array, scaleInv: Float64Array): number {
  const { v } = hatScalingVector(x, g, lb, ub, scaleInv);
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const t = (x[i]! * scaleInv[i]!) / Math.sqrt(v[i]!);
    sum += t * t;
  }
  const Delta = Math.sqrt(sum);
  return Delta === 0 ? 1 : Delta;
}
