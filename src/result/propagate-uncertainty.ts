/**
 * The uncertainty of a quantity derived from the fitted parameters, by the delta method with an
 * exact gradient: for g(θ) written as an expression over the parameter names,
 *
 *     Var g(θ̂) ≈ ∇g(θ̂)ᵀ · pcov · ∇g(θ̂),
 *
 * the first-order (linear) propagation of the covariance (e.g. J. R. Taylor, "An Introduction to
 * Error Analysis", 2nd ed., §3.11; the GUM, JCGM 100:2008, §5.1.2). lmfit gets the same number
 * from the `uncertainties` package (`result.uvars`); here ∇g comes from the expression compiler's
 * symbolic derivatives (`model()`), not from differences. Like the parameter standard errors it is
 * exact for a g that is linear in θ and an approximation otherwise: for a strongly nonlinear g
 * far from θ̂ on the scale of the errors, a bootstrap or profile interval is the honest answer.
 *
 * @module
 */
import { NlsqRangeError } from '../errors.ts';
import { model } from '../model/model.ts';

/** A derived quantity with its propagated standard error. */
export interface DerivedUncertainty {
  /** The expression, as given. */
  readonly expression: string;
  /** g(θ̂). */
  readonly value: number;
  /** √(∇gᵀ pcov ∇g). */
  readonly stderr: number;
  /** ∇g(θ̂), one entry per parameter (in the order of the parameter names). */
  readonly gradient: readonly number[];
}

/**
 * Propagate pcov to g(θ) given as an expression over the parameter names.
 *
 * @param caller - the public method name, for messages.
 * @param expression - g, e.g. `'a*b/c'` or `'2.3548*s'`; names other than the parameters are errors.
 * @param names - the parameter names, in pcov's order.
 * @param popt - θ̂.
 * @param pcov - the covariance, rows of `names.length`.
 * @returns g(θ̂), its standard error and ∇g(θ̂).
 * @throws {ModelParseError} the expression does not parse or names an unknown symbol.
 * @throws {NlsqRangeError} g or ∇g is not finite at θ̂.
 * @example
 * ```ts
 * const r = await curveFit(model('a*exp(-b*x)'), x, y);
 * r.uncertainty('log(2)/b'); // the half-life ± its error
 * ```
 */
export function propagateUncertainty(caller: string, expression: string, names: readonly string[], popt: readonly number[], pcov: readonly (readonly number[])[]): DerivedUncertainty {
  const g = model(expression, { params: [...names], variables: [] });
  const p = names.length;
  const kernel = g.createKernel();
  const row = new Float64Array(p + 1);
  // residualRows writes [∂g/∂θ_0 … ∂g/∂θ_{p−1}, g − y] for one point with no variables and y = 0
  const rows = kernel.residualRows;
  if (rows === undefined) throw new NlsqRangeError(`${caller}: ${JSON.stringify(expression)} has no analytic gradient`, 'expression');
  rows.call(kernel, Float64Array.from(popt), { x: [], y: new Float64Array(1), w: null }, 0, 1, row, 0);
  const value = row[p] as number;
  const gradient = Array.from(row.subarray(0, p));
  if (!Number.isFinite(value) || gradient.some((v) => !Number.isFinite(v))) {
    throw new NlsqRangeError(`${caller}: ${JSON.stringify(expression)} or its gradient is not finite at popt (value ${value}, gradient [${gradient.join(', ')}])`, 'expression', 'ERR_NON_FINITE');
  }
  let variance = 0;
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) variance += (gradient[i] as number) * ((pcov[i] as readonly number[])[j] as number) * (gradient[j] as number);
  return { expression, value, stderr: Math.sqrt(Math.max(variance, 0)), gradient };
}
