/**
 * A {@link ResidualProblem} for a residual-*vector* function r: ℝᵖ → ℝᵐ — what `leastSquares`
 * minimizes, and what `curveFit` uses with a 2-D sigma (residuals L⁻¹(f − y), which couple all
 * points and so cannot be evaluated block by block).
 *
 * One evaluation calls r(x) once (and, for the Jacobian, p or 2p more times by SciPy's
 * `approx_derivative` rules via `planDifferences`, or the user's Jacobian function), applies the
 * robust-loss scaling of SciPy's `scale_for_robust_loss_function`
 *
 * ```
 *   s_i = √max(ρ'_i + 2ρ''_i f_i², ε),   J_s = diag(s) J,   f_s = f ∘ ρ' / s,   cost = ½ Σ ρ(f_i²)
 * ```
 *
 * and folds the rows [J_s | f_s] into the triangle T with the backend, `blockRows` rows at a
 * time. Everything is dense and resident: m-vectors and one m×p Jacobian.
 *
 * `fun` is called no more often than SciPy's `least_squares` calls it: the unscaled residuals of
 * the last call and of the last Jacobian evaluation are kept (2m doubles) with the point they
 * were computed at, so the Jacobian request at an accepted trial point (which SciPy serves from
 * `f_new`), the first request at x0 (whose residuals the caller's probe for m already has) and
 * `residualVector` at the solution (SciPy's `res.fun`) read them instead of calling `fun` again.
 * The points are compared bit for bit (`sameVector`), so a cached value is exactly what `fun`
 * returned there.
 *
 * @module
 */
import type { Backend, Workspace } from '../backends/backend.ts';
import { describeValue, ModelEvaluationError, NlsqRangeError, NlsqTypeError } from '../errors.ts';
import type { Evaluation, ResidualProblem } from '../optim/evaluation.ts';
import { differenceColumns, type JacobianScheme, planDifferences } from '../optim/finite-difference.ts';
import { applyRobustLoss, type Loss } from '../optim/loss.ts';
import type { VectorFunction, VectorJacobian } from '../options/types.ts';
import { sameVector } from '../util/same-vector.ts';
import { blockRowsFor, VECTOR_BLOCK_ROWS } from '../workflow/block-rows.ts';


/** Options of {@link createVectorProblem}. */
export interface VectorProblemOptions {
  /** Backend folding the rows. */
  readonly backend: Backend;
  /** The residual function. */
  readonly fun: VectorFunction;
  /** Its Jacobian, when `scheme.kind === 'analytic'`. */
  readonly jac?: VectorJacobian | undefined;
  /** Number of parameters p. */
  readonly p: number;
  /** Number of residuals m (from a first call of `fun`). */
  readonly m: number;
  /** Robust loss, or null for linear. */
  readonly loss: Loss | null;
  /** How the Jacobian is obtained. */
  readonly scheme: JacobianScheme;
  /** Rows folded per backend call (default min(m, `VECTOR_BLOCK_ROWS` = 4096); see `workflow/block-rows.ts`). */
  readonly blockRows?: number;
  /** Public function name for messages. */
  readonly caller?: string;
  /**
   * A call of `fun` already made (the one that told m): the first evaluation at `initial.x` reads
   * these residuals instead of calling `fun` again. `residuals` is copied.
   */
  readonly initial?: { readonly x: Float64Array; readonly residuals: ArrayLike<number> } | undefined;
}

/** The vector problem, with access to plain residuals and the last Jacobian. */
export interface VectorProblem extends ResidualProblem {
  /** Number of residuals. */
  readonly m: number;
  /** Evaluate synchronously (the vector function is plain JS). */
  evaluate(x: Float64Array, jacobian: boolean): Evaluation;
  /** r(x), unscaled by the loss (read from the cache when `fun` was last called, or the Jacobian last taken, at x). */
  residualVector(x: Float64Array): Float64Array;
  /** The loss-scaled Jacobian J_s (m×p row-major) at x: reused from the last evaluation at x, else computed. */
  jacobianAt(x: Float64Array): Float64Array;
  /** Release the block workspace on the backend (the problem is unusable afterwards). */
  dispose(): void;
}

/**
 * Check that what a residual function returned is a flat array of numbers — not strings (which
 * `Float64Array` would silently convert: `'1'` → 1) nor nested arrays (`[[1, 2], [3, 4]]`, which
 * would become NaN) — so that the message names the real fault rather than a non-finite value.
 * A `Float64Array` passes without a scan.
 *
 * @param caller - public function name for messages.
 * @param r - the return value of `fun`.
 * @throws NlsqTypeError (argument `fun`) when r is not array-like, or names the first entry that
 *   is not a number, e.g. `leastSquares: fun must return numbers, got a string ("1") at index 0`.
 */
export function checkResidualArray(caller: string, r: unknown): asserts r is ArrayLike<number> {
  if (r instanceof Float64Array) return;
  if (r === null || typeof r !== 'object' || typeof (r as { length?: unknown }).length !== 'number') {
    throw new NlsqTypeError(`${caller}: fun must return an array of numbers, got ${describeValue(r)}`, 'fun');
  }
  const a = r as ArrayLike<unknown>;
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (typeof v === 'number') continue;
    if (Array.isArray(v) || ArrayBuffer.isView(v)) {
      throw new NlsqTypeError(
        `${caller}: fun must return a flat array of numbers (one per residual), got a nested array (${describeValue(v)}) at index ${i}; flatten it`,
        'fun',
      );
    }
    const what = typeof v === 'string' ? `a string (${describeValue(v)})` : describeValue(v);
    throw new NlsqTypeError(`${caller}: fun must return numbers, got ${what} at index ${i}`, 'fun');
  }
}

function callFunction(caller: string, fun: VectorFunction, x: Float64Array, m: number, out: Float64Array): void {
  let r: ArrayLike<number>;
  try {
    r = fun(Float64Array.from(x));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ModelEvaluationError(`${caller}: fun threw at x = [${Array.from(x).join(', ')}]: ${reason}`, 'fun', { cause: error });
  }
  checkResidualArray(caller, r);
  if (r.length !== m) {
    throw new NlsqRangeError(`${caller}: fun must return ${m} residuals at every x (as at x0), got ${r.length}`, 'fun', 'ERR_SHAPE');
  }
  for (let i = 0; i < m; i++) out[i] = r[i]!;
}

function callJacobian(caller: string, jac: VectorJacobian, x: Float64Array, m: number, p: number, out: Float64Array): void {
  let J: ArrayLike<ArrayLike<number>> | Float64Array;
  try {
    J = jac(Float64Array.from(x));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ModelEvaluationError(`${caller}: jac threw at x = [${Array.from(x).join(', ')}]: ${reason}`, 'jac', { cause: error });
  }
  if (J instanceof Float64Array) {
    if (J.length !== m * p) {
      throw new NlsqRangeError(`${caller}: jac must return an m × p = ${m} × ${p} matrix (${m * p} values row-major in a Float64Array), got ${J.length} values`, 'jac', 'ERR_SHAPE');
    }
    out.set(J);
    return;
  }
  const shape = `an m × p = ${m} × ${p} matrix (${m} rows of ${p} values, or a Float64Array of ${m * p} values row-major)`;
  if (J === null || typeof J !== 'object' || J.length !== m) {
    const flat = J !== null && typeof J === 'object' && J.length === m * p && typeof J[0] === 'number' ? '; a flat row-major matrix must be a Float64Array' : '';
    throw new NlsqRangeError(`${caller}: jac must return ${shape}, got ${describeValue(J)}${flat}`, 'jac', 'ERR_SHAPE');
  }
  for (let i = 0; i < m; i++) {
    const row = J[i]!;
    if (row === null || typeof row !== 'object' || row.length !== p) {
      throw new NlsqRangeError(`${caller}: jac must return ${shape}, got ${describeValue(row)} as row ${i}`, 'jac', 'ERR_SHAPE');
    }
    if (row instanceof Float64Array) {
      out.set(row, i * p);
      continue;
    }
    for (let j = 0; j < p; j++) {
      const v: unknown = row[j];
      if (typeof v !== 'number') throw jacobianEntryError(caller, v, i, j);
      out[i * p + j] = v;
    }
  }
}

/**
 * The error for a Jacobian entry that is not a number — a string (`'4'`, which `Float64Array`
 * would silently convert), a nested array (`[[[4]]]`, which it would unwrap) or anything else.
 */
function jacobianEntryError(caller: string, v: unknown, i: number, j: number): NlsqTypeError {
  if (Array.isArray(v) || ArrayBuffer.isView(v)) {
    return new NlsqTypeError(
      `${caller}: jac must return an m × p matrix of numbers, got a nested array (${describeValue(v)}) at row ${i}, column ${j}; each row must hold p numbers`,
      'jac',
    );
  }
  const what = typeof v === 'string' ? `a string (${describeValue(v)})` : describeValue(v);
  return new NlsqTypeError(`${caller}: jac must return numbers, got ${what} at row ${i}, column ${j}`, 'jac');
}

/** The dense evaluation state: m-vectors, one m×p Jacobian and one block workspace, reused. */
class DenseVectorProblem implements VectorProblem {
  readonly p: number;
  readonly m: number;
  readonly jacobianIsCheap = false;
  private readonly options: VectorProblemOptions;
  private readonly caller: string;
  private readonly blockRows: number;
  private readonly ws: Workspace;
  private readonly f0: Float64Array;
  private readonly f1: Float64Array;
  private readonly f2: Float64Array;
  private readonly J: Float64Array;
  private readonly rho = new Float64Array(3);
  private lastJx: Float64Array | null = null;
  /** Unscaled residuals of the last call of `fun`, and where it was made. */
  private readonly lastF: Float64Array;
  private lastFx: Float64Array | null = null;
  /** Unscaled residuals at `lastJx` (the last Jacobian evaluation). */
  private readonly fAtJ: Float64Array;

  constructor(options: VectorProblemOptions) {
    const { p, m } = options;
    if (options.scheme.kind === 'analytic' && options.jac === undefined) throw new NlsqTypeError('createVectorProblem: the analytic scheme needs jac', 'jac');
    this.options = options;
    this.p = p;
    this.m = m;
    this.caller = options.caller ?? 'leastSquares';
    this.blockRows = blockRowsFor(m, options.blockRows, VECTOR_BLOCK_ROWS);
    this.ws = options.backend.createWorkspace(this.blockRows, p + 1);
    this.f0 = new Float64Array(m);
    this.f1 = new Float64Array(m);
    this.f2 = new Float64Array(m);
    this.J = new Float64Array(m * p);
    this.lastF = new Float64Array(m);
    this.fAtJ = new Float64Array(m);
    const initial = options.initial;
    if (initial !== undefined) {
      for (let i = 0; i < m; i++) this.lastF[i] = initial.residuals[i]!;
      this.lastFx = Float64Array.from(initial.x);
    }
  }

  /** r(x) into f0: from a cache when r was computed at exactly x, else one call of `fun` (then cached). */
  private residualsInto(x: Float64Array): void {
    if (this.lastFx !== null && sameVector(this.lastFx, x)) {
      this.f0.set(this.lastF);
      return;
    }
    if (this.lastJx !== null && sameVector(this.lastJx, x)) {
      this.f0.set(this.fAtJ);
      return;
    }
    callFunction(this.caller, this.options.fun, x, this.m, this.f0);
    this.lastF.set(this.f0);
    this.lastFx = Float64Array.from(x);
  }

  evaluate(x: Float64Array, withJacobian: boolean): Evaluation {
    const { m } = this;
    this.residualsInto(x);
    if (!withJacobian) return { cost: this.scale(false), m, T: null };
    this.fAtJ.set(this.f0);
    this.lastJx = null;
    this.jacobian(x);
    const cost = this.scale(true);
    this.lastJx = Float64Array.from(x);
    const finite = Number.isFinite(cost) && this.J.every(Number.isFinite) && this.f0.every(Number.isFinite);
    return { cost, m, T: finite ? this.fold() : null };
  }

  residualVector(x: Float64Array): Float64Array {
    this.residualsInto(x);
    return Float64Array.from(this.f0);
  }

  dispose(): void {
    this.options.backend.releaseWorkspace(this.ws);
  }

  jacobianAt(x: Float64Array): Float64Array {
    const last = this.lastJx;
    if (last === null || !sameVector(last, x)) this.evaluate(x, true);
    return Float64Array.from(this.J);
  }

  /** J at x (f0 must hold r(x)): the user's function, or SciPy's difference formulas. */
  private jacobian(x: Float64Array): void {
    const { scheme, jac, fun } = this.options;
    const { m, p, J } = this;
    if (scheme.kind === 'analytic') {
      callJacobian(this.caller, jac!, x, m, p, J);
      return;
    }
    const at = (theta: Float64Array, out: Float64Array): void => callFunction(this.caller, fun, theta, m, out);
    differenceColumns(planDifferences(x, scheme), this.f0, m, J, p, at, this.f1, this.f2);
  }

  /** Scale J and f0 for the loss in place (SciPy `scale_for_robust_loss_function`); returns the cost. */
  private scale(withJacobian: boolean): number {
    const { loss, backend } = this.options;
    const { m, p, f0 } = this;
    if (loss === null) return 0.5 * backend.sumSquares(f0, 0, m);
    return applyRobustLoss(loss, m, f0, 0, 1, withJacobian ? this.J : null, p, p, this.rho);
  }

  /** Fold the rows [J_s | f_s] into a fresh triangle, blockRows at a time. */
  private fold(): Float64Array {
    const { m, p, J, f0, blockRows, ws } = this;
    const cols = p + 1;
    const T = new Float64Array(cols * cols);
    for (let start = 0; start < m; start += blockRows) {
      const rows = Math.min(blockRows, m - start);
      const A = ws.data();
      for (let i = 0; i < rows; i++) {
        const src = (start + i) * p;
        for (let j = 0; j < p; j++) A[i * cols + j] = J[src + j]!;
        A[i * cols + p] = f0[start + i]!;
      }
      this.options.backend.foldRows(T, ws, rows);
    }
    return T;
  }
}

/**
 * Create the residual problem of a vector function.
 *
 * @param options - function, optional Jacobian, sizes, loss, scheme, backend.
 * @returns a {@link VectorProblem}.
 * @throws NlsqTypeError when the analytic scheme is asked for without `jac`; (from `evaluate`)
 *   ModelEvaluationError when `fun`/`jac` throw, NlsqRangeError when they return the wrong shape.
 */
export function createVectorProblem(options: VectorProblemOptions): VectorProblem {
  return new DenseVectorProblem(options);
}
