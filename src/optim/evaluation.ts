/**
 * The protocol between the minimizer and the data: what a solver asks for and what it gets.
 *
 * Solvers (`trf`, `lm`, `dogbox`) are written once as generators that *yield requests* and
 * *receive replies*; a synchronous driver (`curveFitSync`) and an asynchronous one (`curveFit`,
 * streaming sources, WebGPU) run the same generator. The solver never sees N-sized data: an
 * evaluation returns the cost and, when asked, the augmented triangle T of the (loss-scaled)
 * linearization — see `backends/backend.ts` for T's definition:
 *
 * ```
 *   T = [ R  z ]   with  J_s = Q R,  z = Qᵀ f_s,  ‖f_s‖² = ‖z‖² + ρ²
 *       [ 0  ρ ]
 * ```
 *
 * where, as in SciPy's `scale_for_robust_loss_function`, f_s and J_s are the residuals and the
 * Jacobian scaled for the robust loss (for the linear loss f_s = f and J_s = J).
 *
 * @module
 */

/** One evaluation of the residuals at a parameter vector. */
export interface Evaluation {
  /**
   * ½ Σ ρ(f_i²) with the loss and `fScale` applied (½‖f‖² for the linear loss).
   * Non-finite when any residual is non-finite (the solver then shrinks its trust region).
   */
  readonly cost: number;
  /** Number of residuals m. */
  readonly m: number;
  /**
   * The augmented triangle ((p+1)×(p+1), row-major) of the loss-scaled `[J_s f_s]`, when the
   * request asked for the Jacobian and every residual and derivative was finite; otherwise null.
   * A fresh array the receiver owns: an evaluator never writes to it after returning it (the
   * solvers keep it without a copy).
   */
  readonly T: Float64Array | null;
}

/** Progress of one solver iteration, passed to `onIteration`. */
export interface IterationInfo {
  /** Iteration number (1-based). */
  readonly iteration: number;
  /** Current cost ½Σρ(f²). */
  readonly cost: number;
  /** Current parameters (a copy). */
  readonly params: number[];
  /** ‖g‖∞ of the (scaled) gradient. */
  readonly gradientNorm: number;
  /** ‖Δx‖₂ of the last accepted step (0 before the first). */
  readonly stepNorm: number;
  /** Function evaluations so far. */
  readonly nfev: number;
}

/**
 * One entry of a fit's iteration history: the {@link IterationInfo} of an iteration without its
 * parameter copy (a few numbers per iteration, so recording every fit's history stays cheap).
 */
export type IterationRecord = Omit<IterationInfo, 'params'>;

/** A request yielded by a solver generator. */
export type SolverRequest =
  | { readonly kind: 'evaluate'; readonly x: Float64Array; readonly jacobian: boolean }
  | { readonly kind: 'iteration'; readonly info: IterationInfo };

/**
 * The reply a driver sends back: an {@link Evaluation} for `'evaluate'`, and for `'iteration'`
 * `true` to continue or `false` to stop (the user's `onIteration` returned false).
 */
export type SolverReply = Evaluation | boolean;

/**
 * A residual problem as the drivers see it: something that evaluates at x.
 * Implementations: an in-memory data walk (standard / chunked), a streaming source, a
 * residual-vector function (`leastSquares`), a WebGPU device evaluator.
 */
export interface ResidualProblem {
  /** Number of parameters p. */
  readonly p: number;
  /**
   * True when the Jacobian comes with the residuals at little extra cost (exact, fused model
   * code): solvers may then ask for it at every trial point and save a pass on acceptance.
   */
  readonly jacobianIsCheap: boolean;
  /** Evaluate the cost (and the triangle T when `jacobian`) at `x`. */
  evaluate(x: Float64Array, jacobian: boolean): Evaluation | Promise<Evaluation>;
}

/** Termination status, with SciPy's numeric codes. */
export type SolverStatus =
  | 'max-nfev' // -> 0
  | 'gtol' // -> 1
  | 'ftol' // -> 2
  | 'xtol' // -> 3
  | 'ftol-xtol' // -> 4
  | 'improper-input' // -> -1
  | 'stopped'; // -> -2: stopped by the onIteration callback

/** SciPy's numeric status code for each {@link SolverStatus}. */
export const STATUS_CODE: Readonly<Record<SolverStatus, number>> = Object.freeze({
  'max-nfev': 0,
  gtol: 1,
  ftol: 2,
  xtol: 3,
  'ftol-xtol': 4,
  'improper-input': -1,
  stopped: -2,
});

/** What a solver generator returns when it finishes. */
export interface SolverOutcome {
  /** Solution. */
  readonly x: Float64Array;
  /** Cost at x. */
  readonly cost: number;
  /** Triangle T at x (of the loss-scaled linearization), for the covariance; null if unavailable. */
  readonly T: Float64Array | null;
  /** Gradient Jᵀf_s at x. */
  readonly grad: Float64Array;
  /** First-order optimality measure (SciPy's definition for the method). */
  readonly optimality: number;
  /** Per parameter: 0 free, −1 at the lower bound, 1 at the upper bound. */
  readonly activeMask: Int8Array;
  /** Termination reason. */
  readonly status: SolverStatus;
  /** Message with the numbers that triggered termination, e.g. `xtol satisfied: ‖dx‖ = 3.1e-10 ≤ 4.0e-9`. */
  readonly message: string;
  /** Function evaluations (SciPy's counting for the method). */
  readonly nfev: number;
  /** Jacobian evaluations. */
  readonly njev: number;
  /** Iterations. */
  readonly nit: number;
  /**
   * True when `T` and `grad` are the linearization at the point before `x`: `lm` on a problem
   * whose Jacobian is not cheap (finite differences, a `jac` function) ends on an accepted step
   * without asking for the Jacobian there, as MINPACK does — so `T` is leastsq's `fjac`, the
   * triangle SciPy's `curve_fit` makes the covariance from, and the user's function is called no
   * more often than leastsq calls it. Callers that report the gradient at `x` (`leastSquares`,
   * like SciPy's `call_minpack`) compute it from the Jacobian they evaluate at `x`.
   */
  readonly staleLinearization?: boolean;
  /**
   * Cost, step and gradient norm of every iteration the solver reported, in order (recorded by
   * the driver core, `optim/driver.ts`); absent where no driver ran the solver (the one-pass
   * streaming estimate).
   */
  readonly history?: readonly IterationRecord[] | undefined;
}

/** A solver: a generator of requests that returns an outcome. */
export type SolverGenerator = Generator<SolverRequest, SolverOutcome, SolverReply>;
