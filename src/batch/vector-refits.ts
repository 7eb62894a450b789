/**
 * The refits of a fit whose residuals are a vector no pointwise batch can walk — a covariance
 * (2-D) sigma, where r(θ) = L⁻¹(f(x; θ) − y) couples every row, and `leastSquares`, whose residual
 * function is a closure — for the profile likelihood and the bootstrap (`result/profile.ts`,
 * `result/bootstrap.ts`).
 *
 * Such a fit is written as observations y and a model vector g(θ) (`result/refit-source.ts`): for
 * the covariance sigma y' = L⁻¹y and g(θ) = L⁻¹f(x; θ) (whitened, w = 1), as SciPy's `curve_fit`
 * whitens with `solve_triangular(L, …, lower=True)`; for `leastSquares` y = 0 and g = r. Refit i
 * minimises ½Σρ(((g(θ) − y_i)/σ_i)²) over its rows (all n, or the rows a jackknife keeps) with the
 * held parameters at their values, by `leastSquares`' own solver (the fit's method, bounds over
 * the free parameters, tolerances — `lm`'s gtol at least ε, the least `leastSquares` takes, where
 * `curveFit`'s leastsq uses 0 — maxNfev, loss, fScale, xScale), on the CPU backend, one refit
 * after another — what it costs is one local solve per refit, B solves for a bootstrap of B
 * resamples, with the event loop served between refits. The Jacobian is the fit's where it has
 * one (a `jac` function; L⁻¹ times the model's exact rows for an expression model), else
 * finite differences (`'2-point'`, or the fit's scheme).
 *
 * A refit whose residuals cannot be evaluated at its start reports status −1 (could not start),
 * as the batch engine does.
 *
 * @module
 */
import { AbortError, NlsqError, throwIfAborted } from '../errors.ts';
import { EPS } from '../linalg/small-linalg.ts';
import type { SolverMethod } from '../optim/solver-options.ts';
import type { LossName } from '../optim/loss.ts';
import { resolveLeastSquaresOptions } from '../options/resolve-least-squares.ts';
import type { LeastSquaresOptions } from '../options/types.ts';
import type { RefitReply, RefitRequest, RefitRunner } from '../result/refit-source.ts';
import { leastSquaresResolvedSync } from '../run/run-least-squares.ts';
import { createYielder } from '../util/yield-control.ts';

/** What a vector refit needs of the fit. */
export interface VectorRefitSpec {
  /** The model vector g(θ) over all n rows, θ over the solver's (free) parameters. */
  readonly values: (theta: Float64Array) => Float64Array;
  /** Its Jacobian ∂g/∂θ (n×p row-major), or undefined for finite differences. */
  readonly jacobian: ((theta: Float64Array) => Float64Array) | undefined;
  /** The solver's lower bounds over the parameters. */
  readonly lb: Float64Array;
  /** The solver's upper bounds over the parameters. */
  readonly ub: Float64Array;
  /** The fit's method. */
  readonly method: SolverMethod;
  /** The fit's ftol. */
  readonly ftol: number;
  /** The fit's xtol. */
  readonly xtol: number;
  /** The fit's gtol (raised to ε for `lm`, see the module header). */
  readonly gtol: number;
  /** The fit's evaluation limit. */
  readonly maxNfev: number;
  /** The fit's loss by name. */
  readonly loss: LossName;
  /** The fit's fScale. */
  readonly fScale: number;
  /** The fit's xScale over the parameters. */
  readonly xScale: Float64Array | 'jac';
  /** `'2-point'` or `'3-point'` when g has no Jacobian. */
  readonly differences: '2-point' | '3-point';
}

/**
 * The runner of a vector fit's refits.
 *
 * @param spec - the fit's model vector, Jacobian and solver settings.
 * @returns a {@link RefitRunner} that solves the request's fits one after another.
 */
export function vectorRefitRunner(spec: VectorRefitSpec): RefitRunner {
  return async (caller: string, request: RefitRequest): Promise<RefitReply> => {
    const { y, sigma, offsets, p0, vary, signal, onProgress, rows } = request;
    const nFits = offsets.length - 1;
    const p = spec.lb.length;
    const free = Int32Array.from(Array.from({ length: p }, (_, j) => j).filter((j) => vary === undefined || vary[j]!));
    const f = free.length;
    const popt = new Float64Array(nFits * p);
    const cost = new Float64Array(nFits);
    const status = new Int8Array(nFits);
    const yielder = createYielder();
    const lb = Array.from(free, (j) => spec.lb[j]!);
    const ub = Array.from(free, (j) => spec.ub[j]!);
    const xScale = spec.xScale === 'jac' ? 'jac' : Array.from(free, (j) => (spec.xScale as Float64Array)[j]!);
    for (let i = 0; i < nFits; i++) {
      throwIfAborted(signal, caller);
      const a = offsets[i]!;
      const m = offsets[i + 1]! - a;
      const theta = Float64Array.from(p0.subarray(i * p, (i + 1) * p));
      const expand = (t: Float64Array): Float64Array => {
        for (let q = 0; q < f; q++) theta[free[q]!] = t[q]!;
        return theta;
      };
      const rowOf = (r: number): number => (rows === undefined ? r : rows[a + r]!);
      const weight = (r: number): number => (sigma === null ? 1 : 1 / sigma[a + r]!);
      const fun = (t: Float64Array): Float64Array => {
        const g = spec.values(expand(t));
        const out = new Float64Array(m);
        for (let r = 0; r < m; r++) out[r] = (g[rowOf(r)]! - y[a + r]!) * weight(r);
        return out;
      };
      const jacobian = spec.jacobian;
      const options: LeastSquaresOptions = {
        // curveFit's lm runs MINPACK's leastsq with gtol = 0, which leastSquares' lm refuses below ε.
        method: spec.method, ftol: spec.ftol, xtol: spec.xtol, gtol: spec.method === 'lm' ? Math.max(spec.gtol, EPS) : spec.gtol, maxNfev: spec.maxNfev, loss: spec.loss, fScale: spec.fScale,
        xScale, bounds: [lb, ub], backend: 'cpu',
        jac: jacobian === undefined ? spec.differences : (t: Float64Array) => {
          const J = jacobian(expand(t));
          const out = new Float64Array(m * f);
          for (let r = 0; r < m; r++) {
            const row = rowOf(r) * p;
            const wr = weight(r);
            for (let q = 0; q < f; q++) out[r * f + q] = J[row + free[q]!]! * wr;
          }
          return out;
        },
      };
      const start = Float64Array.from(free, (j) => theta[j]!);
      try {
        const resolved = resolveLeastSquaresOptions(caller, fun, start, options);
        const r = leastSquaresResolvedSync(resolved);
        expand(Float64Array.from(r.x));
        popt.set(theta, i * p);
        cost[i] = r.cost;
        status[i] = r.statusCode;
      } catch (error) {
        if (error instanceof AbortError || !(error instanceof NlsqError)) throw error;
        popt.set(theta, i * p);
        cost[i] = NaN;
        status[i] = -1;
      }
      onProgress?.(i + 1, nFits);
      const turn = yielder();
      if (turn) await turn;
    }
    return { popt, cost, status };
  };
}
