/**
 * The result of `leastSquares`, shaped like SciPy's `OptimizeResult` of `least_squares`:
 * x, cost, fun, jac, grad, optimality, activeMask, status, message, success, nfev, njev — plus
 * the profile likelihood and the residual bootstrap of the residual function (`profile.ts`,
 * `bootstrap.ts`; the refits are attached by the entry point, `batch/refit-runner.ts`).
 *
 * @module
 */
import type { ResolvedBackend } from '../backends/registry.ts';
import { describeValue, NlsqRangeError, NlsqTypeError } from '../errors.ts';
import { EPS, normInf, thinSvd } from '../linalg/small-linalg.ts';
import { resolveBootstrapOptions, runBootstrap, type BootstrapOptions, type BootstrapResult } from './bootstrap.ts';
import { profileParameter, resolveProfileOptions, type ProfileOptions, type ProfileResult } from './profile.ts';
import { refitSourceOf } from './refit-source.ts';
import { STATUS_CODE, type SolverOutcome, type SolverStatus } from '../optim/evaluation.ts';
import type { ResolvedLeastSquares } from '../options/resolve-least-squares.ts';
import type { FitWarning } from '../options/solver-settings.ts';
import type { GlobalSummary } from './global-summary.ts';
import { type FitChoices, walkChoices } from './choice.ts';
import { renderReport } from './report.ts';

/** The result of a least-squares minimization. */
export interface LeastSquaresResult {
  /** Solution. */
  readonly x: number[];
  /** ½Σρ(f²) at x. */
  readonly cost: number;
  /** Residuals at x (unscaled by the loss). */
  readonly fun: Float64Array;
  /** The (loss-scaled, as SciPy's) Jacobian at x, m rows of p. */
  readonly jac: number[][];
  /** Gradient Jᵀf_s at x. */
  readonly grad: number[];
  /** First-order optimality measure. */
  readonly optimality: number;
  /** 0 free, −1 at lower bound, 1 at upper bound. */
  readonly activeMask: number[];
  /** Termination reason. */
  readonly status: SolverStatus;
  /** SciPy's numeric status. */
  readonly statusCode: number;
  /** Message with numbers. */
  readonly message: string;
  /** statusCode > 0. */
  readonly success: boolean;
  /** Function evaluations. */
  readonly nfev: number;
  /** Jacobian evaluations. */
  readonly njev: number;
  /** Iterations. */
  readonly nit: number;
  /** Backend name. */
  readonly backend: string;
  /** Method used. */
  readonly method: string;
  /** Warnings (SciPy's warnings as entries). */
  readonly warnings: FitWarning[];
  /** Decisions, given / used / reason. */
  readonly choices: FitChoices;
  /** With the `global` option: what the search did (absent otherwise). */
  readonly global?: GlobalSummary;
  /** Brief or full text report. */
  report(options?: { readonly full?: boolean }): string;
  /**
   * The profile likelihood of x_j on the cost surface of the residual function (lmfit's
   * `conf_interval`, F-test form, as `CurveFitResult.profile`): hold x_j on a grid, minimise the
   * cost over the others (each refit `leastSquares`' solver with the same method, bounds,
   * tolerances and loss, one after another), and find where
   * F(t) = (2C(t) − 2C_min)/(2C_min) · (m − p) crosses F⁻¹_{1,m−p}(level). The covariance that
   * starts the grid is s²(JᵀJ)⁺ from `jac` (s² = 2·cost/(m − p)). On residuals linear in x the
   * interval is x_j ± t·σ_j; it assumes, like every F-test interval, that r is a weighted
   * regression residual with independent errors.
   *
   * @param param - the index j, or its name `'x<j>'`.
   * @param options - as `CurveFitResult.profile`.
   * @returns the profile (parameter names `x0 … x<p−1>`).
   * @throws NlsqRangeError naming `param`, an option, or `result` (m ≤ p, an exact fit, a loss
   *   function); AbortError on abort.
   * @example
   * ```ts
   * const r = await leastSquares((x) => data.map((d) => x[0]! * Math.exp(-x[1]! * d.t) - d.y), [1, 1]);
   * const pr = await r.profile(1);   // asymmetric interval of the rate
   * ```
   */
  profile(param: number | string, options?: ProfileOptions): Promise<ProfileResult>;
  /**
   * The residual bootstrap of the residual function: with r̂ = r(x̂) the residuals at the
   * solution, each resample minimises ½Σρ((r(x) − r̂ − e*)²) for e* drawn with replacement from
   * −r̂ centred and inflated by √(m/(m − p)) — for r = w(f − y) exactly the curve-fit residual
   * bootstrap y* = ŷ + e* (Davison & Hinkley 1997, §6.2.3). Refits one after another with
   * `leastSquares`' solver; percentile and BCa intervals, covariance and distributions as
   * `CurveFitResult.bootstrap`. `kind: 'pairs'` is refused: there are no data rows to draw.
   *
   * @param options - as `CurveFitResult.bootstrap` (`kind` must be `'residual'`).
   * @returns the bootstrap (parameter names `x0 … x<p−1>`).
   * @throws NlsqRangeError naming `kind` for `'pairs'`, an option, or `result`; AbortError on abort.
   * @example
   * ```ts
   * const b = await r.bootstrap({ resamples: 500, seed: 1 });
   * b.percentile.lower;
   * ```
   */
  bootstrap(options?: BootstrapOptions): Promise<BootstrapResult>;
}

/**
 * Assemble a {@link LeastSquaresResult}.
 *
 * @param outcome - the solver's outcome.
 * @param resolved - the resolved problem.
 * @param backend - the backend used.
 * @param fun - residuals at x.
 * @param jac - loss-scaled Jacobian at x, m×p row-major.
 */
export function buildLeastSquaresResult(outcome: SolverOutcome, resolved: ResolvedLeastSquares, backend: ResolvedBackend, fun: Float64Array, jac: Float64Array): LeastSquaresResult {
  const { settings, p } = resolved;
  const m = fun.length;
  const info = backend.backend.info;
  const walk = walkChoices({ kind: 'vector', m });
  const choices: FitChoices = {
    backend: { given: backend.given, used: info.name, reason: backend.reason },
    strategy: walk.strategy,
    method: settings.methodChoice,
    blockSize: walk.blockSize,
    precision: { given: 'default', used: info.precision, reason: `the ${info.name} backend computes in ${info.precision}` },
    jacobian: { given: settings.scheme.kind === 'analytic' ? 'function' : 'default', used: settings.scheme.kind, reason: 'SciPy approx_derivative steps unless a function is given' },
    loss: { given: settings.lossName, used: settings.lossName, reason: `fScale = ${settings.fScale}` },
    ...(resolved.workers === undefined
      ? {}
      : { workers: { given: String(resolved.workers), used: 'main thread', reason: `${resolved.caller}'s fun is a closure, which cannot cross to a worker (only a model's IR does); curveFit and fit fold an expression model on workers` } }),
  };
  const statusCode = STATUS_CODE[outcome.status];
  const grad = outcome.staleLinearization === true ? gradientAt(jac, fun, m, p) : outcome.grad;
  const base = {
    x: Array.from(outcome.x), cost: outcome.cost, fun,
    jac: Array.from({ length: m }, (_, i) => Array.from(jac.subarray(i * p, (i + 1) * p))),
    grad: Array.from(grad), optimality: outcome.staleLinearization === true ? normInf(grad) : outcome.optimality, activeMask: Array.from(outcome.activeMask),
    status: outcome.status, statusCode, message: outcome.message, success: statusCode > 0,
    nfev: outcome.nfev, njev: outcome.njev, nit: outcome.nit, backend: info.name, method: settings.solver.method,
    warnings: [...settings.warnings], choices,
  };
  // Object.assign onto base rather than `{ ...base, report }`: the spread literal takes a slow
  // path in V8 (a few µs per result, measured on Node 20), a fixed cost of every small fit.
  const result: LeastSquaresResult = Object.assign(base, {
    async profile(param: number | string, options: ProfileOptions = {}): Promise<ProfileResult> {
      const caller = `${resolved.caller}.profile`;
      const resolvedOptions = resolveProfileOptions(caller, options);
      const j = typeof param === 'string' && /^x\d+$/.test(param) ? Number(param.slice(1)) : param;
      if (typeof j !== 'number') throw new NlsqTypeError(`${caller}: param must be an index or a name 'x<j>', got ${describeValue(param)}`, 'param');
      if (!(Number.isInteger(j) && j >= 0 && j < p)) throw new NlsqRangeError(`${caller}: param must be an index in [0, ${p - 1}] or a name 'x<j>', got ${describeValue(param)}`, 'param');
      const source = refitSourceOf(caller, result);
      const dof = m - p;
      if (!(dof > 0)) throw new NlsqRangeError(`${caller}: a profile needs dof = m − p > 0, got ${dof}`, 'result');
      return profileParameter(caller, source, { chiSquareMin: 2 * base.cost, dof, pcov: covarianceOf(jac, m, p, (2 * base.cost) / dof) }, j, resolvedOptions);
    },
    async bootstrap(options: BootstrapOptions = {}): Promise<BootstrapResult> {
      const caller = `${resolved.caller}.bootstrap`;
      const resolvedOptions = resolveBootstrapOptions(caller, options);
      return runBootstrap(caller, refitSourceOf(caller, result), resolvedOptions);
    },
    report(options: { readonly full?: boolean } = {}): string {
      return renderReport(
        {
          caller: resolved.caller, success: base.success, status: base.status, message: base.message, nfev: base.nfev,
          njev: base.njev, nit: base.nit, cost: base.cost, optimality: base.optimality,
          names: base.x.map((_, j) => `x${j}`), values: base.x, errors: null, activeMask: base.activeMask,
          statistics: [], choices, warnings: base.warnings,
        },
        options.full === true,
      );
    },
  });
  return result;
}

/**
 * s²(JᵀJ)⁺ from the SVD of J (m×p) with SciPy's cut-off ε·max(m, p)·s₀, as `curve_fit` after
 * `least_squares` (the start of the profile's grid and its linearised path).
 */
function covarianceOf(jac: Float64Array, m: number, p: number, s2: number): Float64Array {
  const C = new Float64Array(p * p);
  if (m < p || !jac.every(Number.isFinite)) return C.fill(NaN);
  const { s, V } = thinSvd(jac, m, p);
  const threshold = EPS * Math.max(m, p) * s[0]!;
  for (let k = 0; k < p; k++) {
    if (!(s[k]! > threshold)) continue;
    const inv = s2 / (s[k]! * s[k]!);
    for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) C[a * p + b] = C[a * p + b]! + V[a * p + k]! * V[b * p + k]! * inv;
  }
  return C;
}

/**
 * g = Jᵀf at the solution (SciPy's `call_minpack` after `lmdif`/`lmder`: `g = J.T.dot(f)`), for an
 * outcome whose own gradient is from the point before it (`SolverOutcome.staleLinearization`).
 */
function gradientAt(jac: Float64Array, fun: Float64Array, m: number, p: number): Float64Array {
  const g = new Float64Array(p);
  for (let i = 0; i < m; i++) {
    const fi = fun[i]!;
    for (let j = 0; j < p; j++) g[j] = g[j]! + jac[i * p + j]! * fi;
  }
  return g;
}
