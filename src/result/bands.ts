/**
 * Predictions and their uncertainty bands at new x, by the delta method.
 *
 * For a new point x with model gradient g = ∂f(x; θ)/∂θ at popt and parameter covariance P:
 *
 * ```
 *   confidence band (of the mean curve):  ŷ ± t_{(1+level)/2, dof} · √(gᵀ P g)
 *   prediction band (of a new observation): ŷ ± t_{(1+level)/2, dof} · √(gᵀ P g + s²_new)
 * ```
 *
 * where the variance of a new observation is σ_new²·χ²_ν when the caller gives σ at the new
 * points (σ_new² alone with `absoluteSigma`), and otherwise the unweighted residual variance
 * RSS/dof — with a 1-D sigma the σ of an arbitrary new x is unknown, so the band then describes
 * the typical scatter of the data in y units. The gradient comes from the kernel's fused
 * Jacobian when it has one, else from central differences (SciPy's '3-point' steps, one-sided
 * next to a bound).
 *
 * @module
 */
import { NlsqRangeError, NlsqTypeError, describeValue } from '../errors.ts';
import type { DataColumns, ModelKernel } from '../model/model-kernel.ts';
import { differenceColumns, planDifferences } from '../optim/finite-difference.ts';
import { isArrayLike, toFloat64 } from '../options/validate.ts';
import { twoSidedTCritical } from '../stats/student-t.ts';

/** New x: a number or n numbers (one variable), or k arrays of n numbers. */
export type NewX = number | ArrayLike<number> | ArrayLike<ArrayLike<number>>;

/** A band around the fitted curve at new points. */
export interface Band {
  /** Confidence level. */
  readonly level: number;
  /** Fitted values ŷ. */
  readonly yhat: Float64Array;
  /** ŷ − half-width. */
  readonly lower: Float64Array;
  /** ŷ + half-width. */
  readonly upper: Float64Array;
  /** Standard error at each point (√ of the variance before the t multiplier). */
  readonly stderr: Float64Array;
}

/** What the band computations need from a fit. */
export interface BandContext {
  /** Public function name for messages. */
  readonly caller: string;
  /** The fit's kernel. */
  readonly kernel: ModelKernel;
  /** Optimal parameters. */
  readonly popt: Float64Array;
  /** p×p row-major. */
  readonly pcov: Float64Array;
  /** Lower bounds (finite differences stay inside). */
  readonly lb: Float64Array;
  /** Upper bounds. */
  readonly ub: Float64Array;
  /** Degrees of freedom n − p. */
  readonly dof: number;
  /** Variance of a new observation when no σ is given (RSS/dof). */
  readonly residualVariance: number;
  /** Multiplier of σ_new² (χ²_ν, or 1 with absoluteSigma). */
  readonly sigmaScale: number;
}

/** Turn new x into k columns of equal length. */
export function parseNewX(caller: string, x: NewX, k: number): Float64Array[] {
  if (typeof x === 'number') {
    if (k !== 1) throw new NlsqRangeError(`${caller}: x must be ${k} arrays (one per variable), got a number`, 'x', 'ERR_SHAPE');
    return [Float64Array.of(x)];
  }
  if (!isArrayLike(x)) throw new NlsqTypeError(`${caller}: x must be numbers or ${k} arrays, got ${describeValue(x)}`, 'x');
  const nested = x.length > 0 && isArrayLike(x[0]);
  if (!nested) {
    if (k !== 1) throw new NlsqRangeError(`${caller}: x must be ${k} arrays (one per variable), got one array`, 'x', 'ERR_SHAPE');
    return [toFloat64(caller, 'x', x)];
  }
  if (x.length !== k) throw new NlsqRangeError(`${caller}: x must have ${k} row(s) (one per variable), got ${x.length}`, 'x', 'ERR_SHAPE');
  const n = (x[0] as ArrayLike<number>).length;
  return Array.from({ length: k }, (_, v) => toFloat64(caller, `x[${v}]`, x[v], n, '(as long as x[0])'));
}

function plainData(columns: readonly Float64Array[]): DataColumns {
  return { x: columns, y: new Float64Array(columns[0]!.length), w: null };
}

/**
 * Model values f(x_i; θ) at the given columns.
 *
 * @param kernel - the fit's kernel.
 * @param theta - parameters.
 * @param columns - k columns of n values.
 * @returns n values.
 */
export function predictValues(kernel: ModelKernel, theta: Float64Array, columns: readonly Float64Array[]): Float64Array {
  const data = plainData(columns);
  const n = data.y.length;
  const out = new Float64Array(n);
  kernel.residuals(theta, data, 0, n, out, 0, 1);
  return out;
}

/** Model values and gradients (n×p row-major) at the columns. */
export function predictWithGradient(ctx: BandContext, columns: readonly Float64Array[]): { yhat: Float64Array; G: Float64Array } {
  const { kernel, popt } = ctx;
  const p = popt.length;
  const data = plainData(columns);
  const n = data.y.length;
  const G = new Float64Array(n * p);
  if (kernel.residualRows !== undefined && kernel.analyticJacobian) {
    const rows = new Float64Array(n * (p + 1));
    kernel.residualRows(popt, data, 0, n, rows, 0);
    const yhat = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < p; j++) G[i * p + j] = rows[i * (p + 1) + j]!;
      yhat[i] = rows[i * (p + 1) + p]!;
    }
    return { yhat, G };
  }
  const yhat = predictValues(kernel, popt, columns);
  const plan = planDifferences(popt, { kind: '3-point', relStep: null, lb: ctx.lb, ub: ctx.ub });
  const at = (theta: Float64Array, out: Float64Array): void => kernel.residuals(theta, data, 0, n, out, 0, 1);
  differenceColumns(plan, yhat, n, G, p, at, new Float64Array(n), new Float64Array(n));
  return { yhat, G };
}

/** gᵀ P g for each row g of G. */
function quadraticForms(G: Float64Array, P: Float64Array, n: number, p: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let a = 0; a < p; a++) {
      const ga = G[i * p + a]!;
      if (ga === 0) continue;
      let t = 0;
      for (let b = 0; b < p; b++) t += P[a * p + b]! * G[i * p + b]!;
      s += ga * t;
    }
    out[i] = s;
  }
  return out;
}

/**
 * Confidence or prediction band at new points.
 *
 * @param ctx - the fit.
 * @param x - new points.
 * @param level - confidence level in (0, 1).
 * @param prediction - false: band of the mean curve; true: of a new observation.
 * @param sigmaNew - σ at the new points (a number or one per point), prediction bands only.
 * @returns the band.
 * @throws NlsqRangeError for a level outside (0, 1), dof ≤ 0, or a wrongly sized sigmaNew.
 */
export function computeBand(ctx: BandContext, x: NewX, level: number, prediction: boolean, sigmaNew?: number | ArrayLike<number>): Band {
  const { caller } = ctx;
  if (!(typeof level === 'number' && level > 0 && level < 1)) {
    throw new NlsqRangeError(`${caller}: level must be in (0, 1), got ${describeValue(level)}`, 'level');
  }
  if (!(ctx.dof > 0)) throw new NlsqRangeError(`${caller}: bands need dof = n − p > 0, got ${ctx.dof}`, 'level');
  const columns = parseNewX(caller, x, ctx.kernel.nVariables);
  const n = columns[0]!.length;
  const p = ctx.popt.length;
  const { yhat, G } = predictWithGradient(ctx, columns);
  const variance = quadraticForms(G, ctx.pcov, n, p);
  if (prediction) {
    const s = sigmaNew === undefined ? null : typeof sigmaNew === 'number' ? new Float64Array(n).fill(sigmaNew) : toFloat64(caller, 'sigma', sigmaNew, n, '(one per new x)');
    for (let i = 0; i < n; i++) variance[i] = variance[i]! + (s === null ? ctx.residualVariance : s[i]! * s[i]! * ctx.sigmaScale);
  }
  const t = twoSidedTCritical(level, ctx.dof);
  const stderr = variance.map(Math.sqrt);
  const lower = new Float64Array(n);
  const upper = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    lower[i] = yhat[i]! - t * stderr[i]!;
    upper[i] = yhat[i]! + t * stderr[i]!;
  }
  return { level, yhat, lower, upper, stderr };
}
