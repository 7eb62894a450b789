/**
 * The result of `leastSquares`, shaped like SciPy's `OptimizeResult` of `least_squares`:
 * x, cost, fun, jac, grad, optimality, activeMask, status, message, success, nfev, njev.
 *
 * @module
 */
import type { ResolvedBackend } from '../backends/registry.ts';
import { normInf } from '../linalg/small-linalg.ts';
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
  return Object.assign(base, {
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
