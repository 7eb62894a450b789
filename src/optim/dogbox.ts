/**
 * Dogleg with a rectangular trust region — SciPy's `least_squares(method='dogbox',
 * tr_solver='exact')`.
 *
 * Problem: minimize C(x) = ½ Σ ρ(f_i(x)²) subject to lb ≤ x ≤ ub. The trust region is the box
 * |x_i − x_i⁰| ≤ Δ·scale_i intersected with the bounds (Voglis & Lagaris, "A rectangular trust
 * region dogleg approach for unconstrained and bound constrained nonlinear optimization",
 * WSEAS 2004). Variables on a bound whose gradient pushes outward are frozen (the *active set*,
 * on_bound·g < 0); on the free ones the Gauss–Newton step is the minimum-norm least-squares
 * solution of J_free·s = −f, here of R_free·s = −z (J = QR, so ‖J_free s + f‖² = ‖R_free s + z‖² +
 * ρ²), and the dogleg path from the constrained Cauchy point towards it is cut at the box.
 *
 * The loop (evaluate, accept or reject, radius, termination, progress) is the shared
 * `trust-region-minimizer.ts`; this file supplies the steps ({@link dogboxSteps}).
 *
 * Counting and outputs follow SciPy: nfev = 1 + trial points, njev = 1 + accepted steps,
 * `optimality` = ‖g_free‖∞, `grad` the full gradient, `activeMask` the final on_bound flags.
 *
 * @module
 */
import { inBounds, stepSizeToBound } from './bounds.ts';
import type { ResidualProblem, SolverGenerator } from './evaluation.ts';
import type { SolverOptions } from './solver-options.ts';
import { lstsqMinNorm } from '../linalg/small-linalg.ts';
import type { Linearization } from './solver-common.ts';
import { type LinearizedPoint, type LocalModel, type MinimizerSteps, type TrialStep, trustRegionMinimizer } from './trust-region-minimizer.ts';
import { buildQuadratic1d, type DenseMatrix, evaluateQuadratic, minimizeQuadratic1d } from './trust-region.ts';

/** Result of {@link doglegStep}. */
export interface DoglegResult {
  /** The step on the free variables. */
  readonly step: Float64Array;
  /** Per free variable: −1/1 when the step lands on the lower/upper bound, else 0. */
  readonly boundHits: Int8Array;
  /** Whether the step reached the trust-region box. */
  readonly trHit: boolean;
}

/**
 * The dogleg step in the box [max(lb − x, −Δ_i), min(ub − x, Δ_i)] (SciPy dogbox
 * `dogleg_step` with `find_intersection`): the Newton step if it fits; otherwise from the
 * Cauchy point (the minimizer of a t² + b t along −g within the box) towards the Newton step
 * until the box is hit.
 *
 * @param x - free variables.
 * @param newtonStep - Gauss–Newton step on the free variables.
 * @param g - free gradient.
 * @param a - quadratic coefficient along −g.
 * @param b - linear coefficient along −g.
 * @param trBounds - Δ·scale on the free variables.
 * @param lb - lower bounds of the free variables.
 * @param ub - upper bounds of the free variables.
 * @returns the step, the bound hits and whether the trust region was hit.
 */
export function doglegStep(
  x: Float64Array,
  newtonStep: Float64Array,
  g: Float64Array,
  a: number,
  b: number,
  trBounds: Float64Array,
  lb: Float64Array,
  ub: Float64Array,
): DoglegResult {
  const n = x.length;
  const lbTotal = new Float64Array(n);
  const ubTotal = new Float64Array(n);
  const origL = new Uint8Array(n);
  const origU = new Uint8Array(n);
  const trL = new Uint8Array(n);
  const trU = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const lc = lb[i]! - x[i]!;
    const uc = ub[i]! - x[i]!;
    lbTotal[i] = Math.max(lc, -trBounds[i]!);
    ubTotal[i] = Math.min(uc, trBounds[i]!);
    origL[i] = lbTotal[i] === lc ? 1 : 0;
    origU[i] = ubTotal[i] === uc ? 1 : 0;
    trL[i] = lbTotal[i] === -trBounds[i]! ? 1 : 0;
    trU[i] = ubTotal[i] === trBounds[i]! ? 1 : 0;
  }
  const boundHits = new Int8Array(n);
  if (inBounds(newtonStep, lbTotal, ubTotal)) return { step: newtonStep, boundHits, trHit: false };
  const minusG = Float64Array.from(g, (v) => -v);
  const toBounds = stepSizeToBound(new Float64Array(n), minusG, lbTotal, ubTotal).step;
  const tCauchy = minimizeQuadratic1d(a, b, 0, toBounds).t;
  const cauchy = Float64Array.from(g, (v) => -tCauchy * v);
  const diff = new Float64Array(n);
  for (let i = 0; i < n; i++) diff[i] = newtonStep[i]! - cauchy[i]!;
  const { step: size, hits } = stepSizeToBound(cauchy, diff, lbTotal, ubTotal);
  let trHit = false;
  for (let i = 0; i < n; i++) {
    if (hits[i]! < 0 && origL[i]) boundHits[i] = -1;
    if (hits[i]! > 0 && origU[i]) boundHits[i] = 1;
    if ((hits[i]! < 0 && trL[i]) || (hits[i]! > 0 && trU[i])) trHit = true;
  }
  const step = new Float64Array(n);
  for (let i = 0; i < n; i++) step[i] = cauchy[i]! + size * diff[i]!;
  return { step, boundHits, trHit };
}

/** The free-variable model of one outer iteration: J_free as R's free columns. */
interface FreeModel {
  readonly free: Int32Array;
  readonly Jfree: DenseMatrix;
  readonly gFree: Float64Array;
  readonly newton: Float64Array;
  readonly a: number;
  readonly b: number;
}

/** The active set's complement, J_free, g_free, the Gauss–Newton step and the quadratic along −g_free. */
function freeModel(lin: Linearization, p: number, activeSet: Uint8Array): FreeModel {
  const freeList: number[] = [];
  for (let j = 0; j < p; j++) if (!activeSet[j]) freeList.push(j);
  const free = Int32Array.from(freeList);
  const k = free.length;
  const data = new Float64Array(p * k);
  for (let i = 0; i < p; i++) for (let c = 0; c < k; c++) data[i * k + c] = lin.R[i * p + free[c]!]!;
  const Jfree: DenseMatrix = { rows: p, cols: k, data };
  const gFree = Float64Array.from(free, (j) => lin.g[j]!);
  const minusZ = Float64Array.from(lin.z, (v) => -v);
  const newton = lstsqMinNorm(data, p, k, minusZ);
  const { a, b } = buildQuadratic1d(Jfree, gFree, Float64Array.from(gFree, (v) => -v));
  return { free, Jfree, gFree, newton, a, b };
}

/** src at the given indices. */
function pick(src: Float64Array, idx: Int32Array): Float64Array {
  return Float64Array.from(idx, (j) => src[j]!);
}

/** A dogbox trial: the step, and the bound flags of the free variables it lands on. */
export interface DogboxTrial extends TrialStep {
  /** The free variables of the iteration (indices into x). */
  readonly free: Int32Array;
  /** Per free variable: −1/1 when the step lands on its lower/upper bound, else 0. */
  readonly boundHits: Int8Array;
}

/**
 * One trial step: the dogleg step on the free variables in the box Δ·scale ∩ bounds, scattered
 * back to all p variables (zeros on the active ones), with its predicted reduction. The trial
 * point is x + step clipped to the bounds; on acceptance x moves there with the variables the
 * step landed on put exactly on their bounds. ‖step‖ in the trust-region norm is ‖step ∘ scaleInv‖∞.
 */
function proposeDogleg(at: LinearizedPoint, model: FreeModel, Delta: number, onBound: Int8Array, lb: Float64Array, ub: Float64Array): DogboxTrial {
  const { x } = at;
  const { scale, scaleInv } = at.scale;
  const { free } = model;
  const p = x.length;
  const trBounds = Float64Array.from(free, (j) => Delta * scale[j]!);
  const dl = doglegStep(pick(x, free), model.newton, model.gFree, model.a, model.b, trBounds, pick(lb, free), pick(ub, free));
  const step = new Float64Array(p);
  for (let c = 0; c < free.length; c++) step[free[c]!] = dl.step[c]!;
  const predicted = -evaluateQuadratic(model.Jfree, model.gFree, dl.step);
  const xTrial = new Float64Array(p);
  for (let i = 0; i < p; i++) xTrial[i] = Math.min(Math.max(x[i]! + step[i]!, lb[i]!), ub[i]!);
  let norm = 0;
  for (let i = 0; i < p; i++) norm = Math.max(norm, Math.abs(step[i]! * scaleInv[i]!));
  const xNext = snapToBounds(xTrial, mergeFlags(onBound, free, dl.boundHits), lb, ub);
  return { step, xTrial, xNext, norm, predicted, boundaryHit: dl.trHit, free, boundHits: dl.boundHits };
}

/**
 * The steps of dogbox for the shared trust-region loop: Δ₀ = ‖x0 ∘ scaleInv‖∞ (1 when 0), the
 * active set {i : on_bound_i·g_i < 0} and the free Gauss–Newton step at each iterate, the dogleg
 * step in the rectangular trust region, and the on_bound flags committed on acceptance.
 *
 * @param options - resolved options (the bounds are read).
 * @returns the steps.
 */
export function dogboxSteps(options: Pick<SolverOptions, 'lb' | 'ub'>): MinimizerSteps<DogboxTrial> {
  const { lb, ub } = options;
  let onBound: Int8Array = new Int8Array(0);
  return {
    measure: '‖g_free‖∞',
    start(at: LinearizedPoint): number {
      const { x } = at;
      const { scaleInv } = at.scale;
      onBound = Int8Array.from(x, (xi, i) => (xi === lb[i] ? -1 : xi === ub[i] ? 1 : 0));
      let Delta = 0;
      for (let i = 0; i < x.length; i++) Delta = Math.max(Delta, Math.abs(x[i]! * scaleInv[i]!));
      return Delta === 0 ? 1 : Delta;
    },
    linearize(at: LinearizedPoint): LocalModel<DogboxTrial> {
      const p = at.x.length;
      const activeSet = Uint8Array.from(onBound, (b, i) => (b * at.lin.g[i]! < 0 ? 1 : 0));
      const flags = onBound;
      let model: FreeModel | null = null;
      return {
        optimality: freeGradientNorm(activeSet, at.lin.g),
        compute(Delta: number): DogboxTrial {
          model ??= freeModel(at.lin, p, activeSet);
          return proposeDogleg(at, model, Delta, flags, lb, ub);
        },
      };
    },
    accept(trial: DogboxTrial): void {
      onBound = mergeFlags(onBound, trial.free, trial.boundHits);
    },
    activeMask: (): Int8Array => Int8Array.from(onBound),
  };
}

/**
 * The dogbox solver generator (SciPy `dogbox`, exact trust-region solver): the shared
 * {@link trustRegionMinimizer} with {@link dogboxSteps}, started from x0 as given.
 *
 * @param problem - p and whether the Jacobian is cheap (then it is requested at trial points).
 * @param options - resolved options (method 'dogbox').
 * @returns the solver generator.
 * @throws ModelEvaluationError when the residuals or the Jacobian are not finite at x0.
 */
export function dogbox(problem: Pick<ResidualProblem, 'p' | 'jacobianIsCheap'>, options: SolverOptions): SolverGenerator {
  return trustRegionMinimizer(problem, options, dogboxSteps(options));
}

/** The on_bound flags after a step: those of the free variables replaced by the step's hits. */
function mergeFlags(onBound: Int8Array, free: Int32Array, boundHits: Int8Array): Int8Array {
  const flags = Int8Array.from(onBound);
  for (let c = 0; c < free.length; c++) flags[free[c]!] = boundHits[c]!;
  return flags;
}

/** Put flagged variables exactly on their bound (SciPy: `x[on_bound == -1] = lb`, ...). */
function snapToBounds(xNew: Float64Array, flags: Int8Array, lb: Float64Array, ub: Float64Array): Float64Array {
  const x = Float64Array.from(xNew);
  for (let i = 0; i < x.length; i++) {
    if (flags[i] === -1) x[i] = lb[i]!;
    else if (flags[i] === 1) x[i] = ub[i]!;
  }
  return x;
}

/** ‖g‖∞ over the free variables (those not in the active set). */
function freeGradientNorm(activeSet: Uint8Array, g: Float64Array): number {
  let s = 0;
  for (let i = 0; i < g.length; i++) if (!activeSet[i]) s = Math.max(s, Math.abs(g[i]!));
  return s;
}
