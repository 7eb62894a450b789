/**
 * Many small fits solved on a backend's device: the optional {@link Backend} capability
 * `createBatchSolver` (today the WebGPU backend's, `webgpu/webgpu-batch-solver.ts`).
 *
 * Where `createModelEvaluator` keeps one fit's N points on the device and leaves the optimizer on
 * the host, a batch solver keeps the *whole loop* on the device — Gpufit's layout (Przybylski,
 * Thiele, Jakobs, Rorabaugh, Uhl, Sci. Rep. 7:15722, 2017): one workgroup per fit, its threads over
 * the fit's points, and per iteration
 *
 * ```
 *   threads:  r_q = w_q((f(x_q; θ) − y_q)),  J_qj = w_q ∂f/∂θ_j        (free parameters j only)
 *             H = JᵀJ, g = Jᵀr, χ² = rᵀr reduced in workgroup memory
 *   thread 0: Levenberg–Marquardt: solve (H + λ·diag H) δ = −g by Cholesky, θ' = clamp(θ + δ, lb, ub),
 *             accept when χ²(θ') < χ²(θ) (λ ← λ/10) else reject (λ ← 10λ); stopping tests
 * ```
 *
 * all iterations on the device; θ, χ², the final state, the iteration count and H are read back
 * once per dispatch. The arithmetic is the device's ({@link BackendInfo.precision}: f32 on
 * WebGPU); `batch/device-engine.ts` polishes each answer on the f64 host engine.
 *
 * This module is the contract only: it knows neither the device nor `fitBatch`.
 *
 * @module
 */
import type { Program } from '../model/ir.ts';

/** Most free parameters a device batch solver takes (its p×p solve lives in one thread's registers). */
export const MAX_DEVICE_FREE_PARAMS = 32;

/** How a fit ended on the device ({@link DeviceBatchResult.state}). */
export const DEVICE_FIT_STATE = Object.freeze({
  /** Not finished (never returned: a solver ends every fit). */
  running: 0,
  /** The gradient test: max_j |g_j| / √(H_jj·χ²) ≤ gtol (MINPACK's cosine test). */
  gtol: 1,
  /** The χ² test: actual and predicted relative reductions both ≤ ftol. */
  ftol: 2,
  /** The step test: ‖δ‖ ≤ xtol·(xtol + ‖θ‖) over the free parameters. */
  xtol: 3,
  /** The iteration limit was reached. */
  maxIterations: 4,
  /** The damped normal matrix could not be factored (a parameter without effect on the model, or λ beyond its limit). */
  singular: 5,
  /** χ² was not finite at the start (or the start was marked as skipped with a NaN θ). */
  nonFinite: 6,
  /** The fit's points alone exceed a device buffer: not run on the device. */
  tooLarge: 7,
} as const);

/** A {@link DEVICE_FIT_STATE} value. */
export type DeviceFitState = (typeof DEVICE_FIT_STATE)[keyof typeof DEVICE_FIT_STATE];

/** What is fixed for every fit of a batch (compiled once). */
export interface BatchSolverRequest {
  /** The model's IR over all p parameters (`lowerToProgram(model)`), with its gradient. */
  readonly program: Program;
  /** Positions of the free parameters among the p (increasing, at least one). */
  readonly free: Int32Array;
  /** The x columns shared by every fit (k arrays of the same length), or null when x is per point. */
  readonly sharedX: readonly Float64Array[] | null;
  /** Whether weights 1/σ come with the points. */
  readonly weighted: boolean;
  /** Largest number of points of a fit (sizes the workgroup). */
  readonly maxPoints: number;
  /** Iteration limit per fit (steps tried after the start). */
  readonly maxIterations: number;
  /** Relative χ² reduction tolerance (the device floors it at its own resolution). */
  readonly ftol: number;
  /** Relative step tolerance (floored likewise). */
  readonly xtol: number;
  /** Gradient (cosine) tolerance (floored likewise). */
  readonly gtol: number;
}

/** The fits of one call: contiguous points, f64 on the host (the solver converts them). */
export interface BatchSolverFits {
  /** Number of fits. */
  readonly nFits: number;
  /** nFits + 1 increasing indices into y, starting at 0. */
  readonly offsets: Int32Array;
  /** Observations, fit after fit. */
  readonly y: Float64Array;
  /** Weights 1/σ per point, or null (must match `weighted`). */
  readonly w: Float64Array | null;
  /** Per-point x: k columns over all points (null when the request's x is shared). */
  readonly x: readonly Float64Array[] | null;
  /** nFits × p starting values (held parameters at their values); a NaN row skips that fit. */
  readonly theta0: Float64Array;
  /** nFits × f lower bounds of the free parameters (−∞ allowed). */
  readonly lb: Float64Array;
  /** nFits × f upper bounds of the free parameters (+∞ allowed). */
  readonly ub: Float64Array;
}

/** What the device returns for the fits of one call. */
export interface DeviceBatchResult {
  /** nFits × p final parameters (the device's precision, widened). */
  readonly theta: Float64Array;
  /** χ² = Σ r² at θ per fit, accumulated on the device. */
  readonly chiSquare: Float64Array;
  /** {@link DEVICE_FIT_STATE} per fit. */
  readonly state: Uint8Array;
  /** Iterations (steps tried) per fit. */
  readonly nit: Int32Array;
  /** Evaluations (passes over the fit's points) per fit. */
  readonly nfev: Int32Array;
  /** nFits × f(f+1)/2: the packed upper triangle of H = JᵀJ at θ (free parameters). */
  readonly hessian: Float64Array;
}

/** The stopping tolerances a device applies (the caller's, floored at the device's resolution). */
export interface DeviceTolerances {
  /** Relative χ² reduction. */
  readonly ftol: number;
  /** Relative step. */
  readonly xtol: number;
  /** Gradient cosine. */
  readonly gtol: number;
}

/** A compiled batch solver on one device. */
export interface DeviceBatchSolver {
  /** Free parameters f. */
  readonly free: number;
  /** The tolerances the device applies after flooring (for the plan). */
  readonly tolerances: DeviceTolerances;
  /** Human-readable layout (workgroup size, fits per dispatch), for the plan. */
  readonly layout: string;
  /**
   * Solve the fits on the device, split into dispatches under the device's limits.
   *
   * @param fits - the fits.
   * @param signal - aborts between dispatches.
   * @returns per-fit results.
   */
  solve(fits: BatchSolverFits, signal?: AbortSignal): Promise<DeviceBatchResult>;
  /** Release the device buffers. */
  destroy(): void;
}
