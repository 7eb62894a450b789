/**
 * `resolveLeastSquaresOptions`: leastSquares's arguments validated and defaulted with SciPy
 * `least_squares`'s rules (method 'trf' by default, "x0 is infeasible", lm without bounds or
 * robust loss, `check_tolerance`, `check_x_scale`).
 *
 * @module
 */
import type { BackendOption } from '../backends/registry.ts';
import { describeValue, NlsqTypeError } from '../errors.ts';
import type { IterationInfo } from '../optim/evaluation.ts';
import type { VectorFunction, VectorJacobian } from './types.ts';
import { checkOptionKeys } from './option-table.ts';
import { resolveLog, resolveWorkers } from './resolve-curve-fit.ts';
import { resolveSolverSettings, type SolverSettings } from './solver-settings.ts';
import type { LeastSquaresOptions } from './types.ts';
import { prepareBounds, requireFeasible, requireFinite, toFloat64 } from './validate.ts';

/** leastSquares's inputs, fully validated and defaulted. */
export interface ResolvedLeastSquares {
  /** Public function name for messages. */
  readonly caller: string;
  /** The residual function. */
  readonly fun: VectorFunction;
  /** Its Jacobian function, when given. */
  readonly jac: VectorJacobian | undefined;
  /** Number of parameters. */
  readonly p: number;
  /** Solver options, loss, Jacobian scheme, method choice and warnings. */
  readonly settings: SolverSettings;
  /** The backend option as given. */
  readonly backend: BackendOption;
  /** Cancellation. */
  readonly signal: AbortSignal | undefined;
  /** Iteration callback. */
  readonly onIteration: ((info: IterationInfo) => boolean | void) | undefined;
  /** Verbosity 0, 1, 2. */
  readonly verbose: 0 | 1 | 2;
  /** Where verbose lines go (a no-op when verbose is 0). */
  readonly log: (line: string) => void;
  /** The `workers` option as given (validated); `fun` is a closure, so the solve stays on the main thread. */
  readonly workers: 'auto' | number | undefined;
}

/**
 * Validate and default leastSquares's arguments.
 *
 * @param caller - public function name.
 * @param fun - r(x) → m residuals.
 * @param x0 - starting point (p numbers).
 * @param options - {@link LeastSquaresOptions}.
 * @returns the resolved problem description.
 * @throws NlsqTypeError / NlsqRangeError naming the argument.
 */
export function resolveLeastSquaresOptions(caller: string, fun: unknown, x0: unknown, options: LeastSquaresOptions = {}): ResolvedLeastSquares {
  if (typeof options !== 'object' || options === null) throw new NlsqTypeError(`${caller}: options must be an object, got ${describeValue(options)}`, 'options');
  checkOptionKeys(caller, options);
  if (typeof fun !== 'function') throw new NlsqTypeError(`${caller}: fun must be a function (x) => residuals, got ${describeValue(fun)}`, 'fun');
  const start = typeof x0 === 'number' ? Float64Array.of(x0) : toFloat64(caller, 'x0', x0);
  requireFinite(caller, 'x0', start);
  const p = start.length;
  const { lb, ub } = prepareBounds(caller, options.bounds, p);
  requireFeasible(caller, 'x0', start, lb, ub);
  const jac = options.jac;
  if (jac !== undefined && typeof jac !== 'function' && jac !== '2-point' && jac !== '3-point') {
    throw new NlsqTypeError(`${caller}: jac must be one of '2-point', '3-point' or a function, got ${describeValue(jac)}`, 'jac');
  }
  const analyticJacobian = typeof jac === 'function';
  const settings = resolveSolverSettings({ caller, options, x0: start, lb, ub, defaultMethod: 'trf', analyticJacobian, convention: 'least_squares' });
  const { verbose, log } = resolveLog(caller, options.verbose, options.log);
  if (options.onIteration !== undefined && typeof options.onIteration !== 'function') {
    throw new NlsqTypeError(`${caller}: onIteration must be a function, got ${describeValue(options.onIteration)}`, 'onIteration');
  }
  return {
    caller, fun: fun as VectorFunction, jac: analyticJacobian ? (jac as VectorJacobian) : undefined, p, settings,
    backend: options.backend, signal: options.signal, onIteration: options.onIteration, verbose, log, workers: resolveWorkers(caller, options.workers),
  };
}
