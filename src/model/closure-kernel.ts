/**
 * A plain JavaScript model function turned into a {@link ModelKernel}.
 *
 * `curveFit(f, xdata, ydata)` accepts SciPy's calling convention: `f(x, p0, p1, …)` returns the
 * model value at one point. Unlike SciPy (which calls `f(xdata, *params)` once on whole arrays)
 * the function is called per point, so it is plain scalar JS:
 *
 * - with one independent variable, `x` is a number;
 * - with k > 1 variables (xdata given as k arrays), `x` is an array of k numbers. **One array is
 *   reused for every call**: the model must read it and must not keep a reference to it.
 *
 * The kernel writes r_i = w_i·(f(x_i; θ) − y_i). An optional per-point Jacobian
 * `jac(x, p0, p1, …) → ArrayLike<number>` (length p, ∂f/∂θ_j) makes the kernel analytic
 * (`residualRows`), otherwise the data walk differentiates it numerically.
 *
 * A model that throws is reported as a {@link ModelEvaluationError} naming the point and the
 * parameters, with the model's own error as `cause`.
 *
 * @module
 */
import { describeValue, ModelEvaluationError, NlsqRangeError, NlsqTypeError } from '../errors.ts';
import type { DataColumns, ModelKernel } from './model-kernel.ts';

/** A model function: `f(x, ...params)` → value at one point. */
export type ModelFunction = (x: any, ...params: number[]) => number;

/** A per-point Jacobian: `jac(x, ...params)` → [∂f/∂θ_0, …, ∂f/∂θ_{p−1}]. */
export type PointJacobian = (x: any, ...params: number[]) => ArrayLike<number>;

/** Options of {@link createClosureKernel}. */
export interface ClosureKernelOptions {
  /** The model function. */
  readonly f: ModelFunction;
  /** Number of parameters p. */
  readonly nParams: number;
  /** Number of independent variables k (1: x is a number; > 1: x is a reused array). */
  readonly nVariables: number;
  /** Optional per-point Jacobian of f. */
  readonly jac?: PointJacobian | undefined;
  /** Name of the calling function, for error messages (default `'curveFit'`). */
  readonly caller?: string;
}

/** Bind θ into a caller `(x) => fn(x, θ0, θ1, …)`, specialised for small p (no per-point allocation). */
function bindParams<R>(fn: (x: any, ...params: number[]) => R, theta: Float64Array): (x: unknown) => R {
  const p = theta.length;
  const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0] = theta;
  switch (p) {
    case 0:
      return (x) => fn(x);
    case 1:
      return (x) => fn(x, a);
    case 2:
      return (x) => fn(x, a, b);
    case 3:
      return (x) => fn(x, a, b, c);
    case 4:
      return (x) => fn(x, a, b, c, d);
    case 5:
      return (x) => fn(x, a, b, c, d, e);
    case 6:
      return (x) => fn(x, a, b, c, d, e, f);
    default: {
      const args: unknown[] = [0, ...theta];
      return (x) => {
        args[0] = x;
        return fn.apply(undefined, args as [unknown, ...number[]]);
      };
    }
  }
}

/** A reusable point accessor: returns x_i as a number (k = 1) or in one reused array (k > 1). */
function pointReader(data: DataColumns, k: number, buffer: number[]): (i: number) => unknown {
  if (k === 1) {
    const x0 = data.x[0]!;
    return (i) => x0[i];
  }
  const cols = data.x;
  return (i) => {
    for (let v = 0; v < k; v++) buffer[v] = cols[v]![i]!;
    return buffer;
  };
}

function modelError(caller: string, what: string, i: number, theta: Float64Array, cause: unknown): ModelEvaluationError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new ModelEvaluationError(
    `${caller}: the model ${what} threw at point ${i} with params [${Array.from(theta).join(', ')}]: ${reason}`,
    what === 'jacobian' ? 'jac' : 'f',
    { cause },
  );
}

/** A per-point Jacobian of the wrong length: say the length expected and the one received. */
function jacobianLengthError(caller: string, nParams: number, g: unknown, i: number): NlsqRangeError {
  return new NlsqRangeError(`${caller}: jac must return ${nParams} values per point (one per parameter), got ${describeValue(g)} at point ${i}`, 'jac', 'ERR_SHAPE');
}

/**
 * A model value (or Jacobian entry) that is not a number — `[v]`, `'1.5'`, undefined — which
 * arithmetic would silently coerce (`[v] − y` is `v − y`): name what it is and where.
 */
function notANumberError(caller: string, what: 'function' | 'jacobian', v: unknown, i: number, j = -1): NlsqTypeError {
  const name = what === 'jacobian' ? 'jac' : 'f';
  const kind = Array.isArray(v) || ArrayBuffer.isView(v) ? `an array (${describeValue(v)})` : typeof v === 'string' ? `a string (${describeValue(v)})` : describeValue(v);
  const entry = j >= 0 ? ` for parameter ${j}` : '';
  const one = what === 'jacobian' ? `${name} must return numbers (one per parameter)` : `the model ${name} must return one number per point`;
  return new NlsqTypeError(`${caller}: ${one}, got ${kind}${entry} at point ${i}`, name);
}

/**
 * Wrap a per-point JS model function as a {@link ModelKernel}.
 *
 * @param options - the function, p, k and optional per-point Jacobian.
 * @returns a kernel; `analyticJacobian` is true when `jac` is given.
 * @throws ModelEvaluationError (from the kernel's methods) when the model or its Jacobian throws;
 *   NlsqTypeError (argument `f` or `jac`) when either returns something other than numbers.
 * @example
 * ```ts
 * const kernel = createClosureKernel({ f: (x, a, b) => a * Math.exp(b * x), nParams: 2, nVariables: 1 });
 * kernel.analyticJacobian; // false
 * ```
 */
export function createClosureKernel(options: ClosureKernelOptions): ModelKernel {
  const { f, nParams, nVariables, jac } = options;
  const caller = options.caller ?? 'curveFit';
  const buffer = new Array<number>(nVariables).fill(0); // the one x array reused for every call
  const residuals: ModelKernel['residuals'] = (theta, data, start, n, out, outOffset, outStride) => {
    const call = bindParams(f, theta);
    const read = pointReader(data, nVariables, buffer);
    const { y, w } = data;
    let i = start;
    try {
      for (let q = outOffset; i < start + n; i++, q += outStride) {
        const v = call(read(i));
        if (typeof v !== 'number') throw notANumberError(caller, 'function', v, i);
        const r = v - y[i]!;
        out[q] = w === null ? r : w[i]! * r;
      }
    } catch (error) {
      if (error instanceof NlsqTypeError) throw error;
      throw modelError(caller, 'function', i, theta, error);
    }
  };
  if (jac === undefined) return { nParams, nVariables, analyticJacobian: false, residuals };
  const residualRows: NonNullable<ModelKernel['residualRows']> = (theta, data, start, n, out, outOffset) => {
    const call = bindParams(f, theta);
    const callJac = bindParams(jac, theta);
    const read = pointReader(data, nVariables, buffer);
    const { y, w } = data;
    const cols = nParams + 1;
    let i = start;
    let what = 'function';
    try {
      for (let q = outOffset; i < start + n; i++, q += cols) {
        const xi = read(i);
        const wi = w === null ? 1 : w[i]!;
        what = 'function';
        const v = call(xi);
        if (typeof v !== 'number') throw notANumberError(caller, 'function', v, i);
        out[q + nParams] = wi * (v - y[i]!);
        what = 'jacobian';
        const g = callJac(xi);
        if (g?.length !== nParams) throw jacobianLengthError(caller, nParams, g, i);
        for (let j = 0; j < nParams; j++) {
          const gj: unknown = g[j];
          if (typeof gj !== 'number') throw notANumberError(caller, 'jacobian', gj, i, j);
          out[q + j] = wi * gj;
        }
      }
    } catch (error) {
      if (error instanceof NlsqRangeError || error instanceof NlsqTypeError) throw error;
      throw modelError(caller, what, i, theta, error);
    }
  };
  return { nParams, nVariables, analyticJacobian: true, residuals, residualRows };
}
