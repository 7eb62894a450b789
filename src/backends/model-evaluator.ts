/**
 * Device evaluation of a model: the optional {@link Backend} capability `createModelEvaluator`.
 *
 * A backend with its own memory far from the host (a GPU) only pays when the *model* runs there
 * too, next to the data: folding host-computed rows on a device would ship N·(p+1) numbers per
 * evaluation across the bus. So such a backend takes the model's IR and the data once and, per
 * evaluation, takes θ and returns what the optimizer needs — the cost and the augmented triangle T
 * of `backend.ts` — with everything N-sized staying on the device:
 *
 * ```
 *   upload x, y, w once
 *   evaluate(θ):  device:  r_i = w_i (f(x_i; θ) − y_i),  J_ij = w_i ∂f/∂θ_j   (robust loss: scaled rows)
 *                          partial sums of G = [J r]ᵀ[J r]  (upper triangle, (p+1)(p+2)/2 entries)
 *                 host:    Σ partials in f64 → G;  G = TᵀT (semidefinite Cholesky);  cost = ½ G_rr
 * ```
 *
 * TᵀT = G means RᵀR = JᵀJ, Rᵀz = Jᵀr and ‖z‖² + ρ² = rᵀr, so T is, up to row signs and rounding,
 * the triangle a Householder fold of the same rows would give (`Backend.foldRows`): the solvers run
 * unchanged on it. Forming the Gram matrix squares κ(J), which is why the fit path watches κ(R)
 * and polishes on an f64 backend (`run/device-fit.ts`).
 *
 * This module defines the contract only and knows nothing of the optimizer: `evaluate/device-problem.ts`
 * adapts a {@link DeviceModelEvaluator} to the solvers' `ResidualProblem`. The WebGPU backend
 * implements it (`webgpu/webgpu-evaluator.ts`).
 *
 * @module
 */
import type { Program } from '../model/ir.ts';

/**
 * A loss a device applies per point: SciPy's built-in losses (`least_squares(loss=…)`).
 * A JS loss function cannot run on a device.
 */
export type DeviceLoss = 'linear' | 'soft_l1' | 'huber' | 'cauchy' | 'arctan';

/** Every {@link DeviceLoss}, for validation. */
export const DEVICE_LOSSES: readonly DeviceLoss[] = ['linear', 'soft_l1', 'huber', 'cauchy', 'arctan'];

/** The fit data as a device evaluator receives it (copied to the device once). */
export interface DeviceData {
  /** k columns of independent variables, each of length m. */
  readonly x: readonly Float64Array[];
  /** Observations (length m). */
  readonly y: Float64Array;
  /** Weights 1/σ (length m), or null for unit weights. */
  readonly w: Float64Array | null;
}

/** What `Backend.createModelEvaluator` needs. */
export interface ModelEvaluatorRequest {
  /** The model's IR (`lowerToProgram(model)`): the value f and its gradient ∂f/∂θ. */
  readonly program: Program;
  /** The data: k x columns, y, and weights 1/σ or null. */
  readonly data: DeviceData;
  /**
   * The loss ρ, applied per point on the device as SciPy's `scale_for_robust_loss_function` does
   * on the host; default `'linear'`.
   */
  readonly loss?: DeviceLoss;
  /** The loss scale C (SciPy `f_scale`), > 0; default 1. */
  readonly fScale?: number;
}

/** One device evaluation at θ. */
export interface DeviceEvaluation {
  /** Number of residuals m. */
  readonly m: number;
  /**
   * ½ Σ C²·ρ((r_i/C)²) (½‖r‖² for `'linear'`); NaN when θ is not finite, non-finite when a
   * residual overflows.
   */
  readonly cost: number;
  /**
   * The augmented triangle T ((p+1)×(p+1) row-major, zeros below the diagonal) with TᵀT the Gram
   * matrix of the loss-scaled rows [J_s r_s], when the Jacobian was asked for and every Gram entry
   * is finite; otherwise null.
   */
  readonly T: Float64Array | null;
}

/**
 * A model evaluator holding one fit's data on a device.
 *
 * Contract (every implementation):
 * - `evaluate` copies θ when called; concurrent calls are served in call order and each gets the
 *   evaluation of its own θ.
 * - a non-finite θ gives `{ cost: NaN, T: null }` without touching the device.
 * - θ of the wrong length rejects with an `NlsqRangeError` (argument `'theta'`); after
 *   {@link DeviceModelEvaluator.destroy} every call rejects with an `NlsqError`
 *   (`ERR_BACKEND_UNAVAILABLE`), as does a lost device (its own subclass).
 *
 * Precision: stated by the backend's `info.precision` and `info.epsilon`. The WebGPU
 * implementation stores x and w in f32 and y as an exact f32 pair (y_hi + y_lo, ~48 bits),
 * evaluates the model and accumulates the per-workgroup partial sums in f32 (about 16 points per
 * invocation, then a 64-wide tree), and combines the partials, factors G and keeps every p-sized
 * quantity in f64 on the host. Expected error: each Gram entry within ~10⁻⁵·√(G_aa·G_bb) (the
 * device checks assert 2·10⁻⁵ for exp models on 20 000 points, 10⁻⁴ with erf, pow, hypot and the
 * robust losses), the cost within ~10⁻⁴ relative, and R's relative error of order ε₃₂·κ(J)², so
 * past κ ≈ 10³ the f32 factor carries no correct digit (`F32_CONDITION_LIMIT` in `run/device-fit.ts`).
 */
export interface DeviceModelEvaluator {
  /** Number of parameters p. */
  readonly p: number;
  /** Number of residuals m. */
  readonly m: number;
  /** Number of device chunks the data were split into (dispatches per evaluation). */
  readonly chunks: number;
  /**
   * Evaluate the cost and, when `jacobian`, the triangle T at θ.
   *
   * @param theta - the parameters (length p).
   * @param jacobian - also form the Gram matrix and its triangle.
   */
  evaluate(theta: Float64Array, jacobian: boolean): Promise<DeviceEvaluation>;
  /** Release the device memory; later evaluations reject. Idempotent. */
  destroy(): void;
}
