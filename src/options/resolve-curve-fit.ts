/**
 * `resolveCurveFitOptions`: curveFit's arguments validated and defaulted, once, into the object
 * that everything downstream (problem construction, solver, result) reads. It follows SciPy's
 * `curve_fit` step by step: parameter count from p0 or the function's arity, `prepare_bounds`,
 * `_initialize_feasible`, the method rule, `check_finite` / `nan_policy`, sigma's two forms, the
 * m ≥ n check of `leastsq`.
 *
 * @module
 */
import type { BackendOption } from '../backends/registry.ts';
import { describeValue, NlsqRangeError, NlsqTypeError } from '../errors.ts';
import { isFittableModel, type DataColumns, type FittableModel, type ModelKernel } from '../model/model-kernel.ts';
import { createClosureKernel, type ModelFunction } from '../model/closure-kernel.ts';
import { loadJsParser } from '../model/lift/js-parser.ts';
import { liftClosure, type ClosureLift } from '../model/lift/lift-closure.ts';
import { modelFactoryCall } from '../model/models/index.ts';
import type { IterationInfo } from '../optim/evaluation.ts';
import { validateFitData, type SigmaForm } from './data.ts';
import { checkOptionKeys } from './option-table.ts';
import { resolveParams } from './resolve-params.ts';
import type { ParamLayout } from '../model/tie-params.ts';
import { resolveSolverSettings, type SolverSettings } from './solver-settings.ts';
import type { CurveFitOptions } from './types.ts';
import { initializeFeasible, prepareBounds, requireFeasible, requireFinite, requireNumber, toFloat64 } from './validate.ts';

/** curveFit's inputs, fully validated and defaulted. */
export interface ResolvedCurveFit {
  /** Public function name for messages. */
  readonly caller: string;
  /** The model as given, or the expression model a plain function was lifted to. */
  readonly model: ModelFunction | FittableModel;
  /** For a plain function: whether it was lifted, and why not (undefined for a FittableModel). */
  readonly lift: ClosureLift | undefined;
  /** Parameter names (`p0`, `p1`, … for a plain function); the free ones, in solver order, with `params`. */
  readonly paramNames: readonly string[];
  /** With the `params` option: every name and the map from the solver's free parameters to it. */
  readonly paramLayout?: ParamLayout;
  /** The kernel that evaluates the model over blocks. */
  readonly kernel: ModelKernel;
  /** Resident data (after `nanPolicy: 'omit'`), with w = 1/σ for a 1-D sigma. */
  readonly data: DataColumns;
  /** Number of points n. */
  readonly n: number;
  /** Number of independent variables k. */
  readonly k: number;
  /** Number of parameters p. */
  readonly p: number;
  /** The weighting. */
  readonly sigma: SigmaForm;
  /** SciPy `absolute_sigma`. */
  readonly absoluteSigma: boolean;
  /** Solver options, loss, Jacobian scheme, method choice and warnings. */
  readonly settings: SolverSettings;
  /** Points dropped by `nanPolicy: 'omit'`. */
  readonly omitted: number;
  /** The backend option as given. */
  readonly backend: BackendOption;
  /** Rows per block (undefined: the default cache-sized block, `DEFAULT_BLOCK_ROWS`). */
  readonly blockRows: number | undefined;
  /** The `workers` option as given (validated: `'auto'` or an integer in [0, 256]). */
  readonly workers: 'auto' | number | undefined;
  /** WebGPU: finish on an f64 backend (default true). */
  readonly polish: boolean;
  /** Cancellation. */
  readonly signal: AbortSignal | undefined;
  /** Iteration callback. */
  readonly onIteration: ((info: IterationInfo) => boolean | void) | undefined;
  /** Verbosity 0, 1, 2. */
  readonly verbose: 0 | 1 | 2;
  /** Where verbose lines go (a no-op when verbose is 0). */
  readonly log: (line: string) => void;
}

/** The most workers one fit may ask for. */
const MAX_WORKERS = 256;

/**
 * Validate the `workers` option: `'auto'` or an integer in [0, 256].
 *
 * @param caller - public function name. @param workers - the option as given.
 * @returns it, when valid.
 * @throws NlsqRangeError naming `workers`.
 */
export function resolveWorkers(caller: string, workers: unknown): 'auto' | number | undefined {
  if (workers === undefined || workers === 'auto') return workers;
  if (typeof workers !== 'number' || !Number.isInteger(workers) || workers < 0 || workers > MAX_WORKERS) {
    throw new NlsqRangeError(`${caller}: workers must be 'auto' or an integer in [0, ${MAX_WORKERS}], got ${describeValue(workers)}`, 'workers');
  }
  return workers;
}

/** The log of a fit at verbose 0 (nothing is logged). */
const SILENT: { verbose: 0; log: (line: string) => void } = Object.freeze({ verbose: 0, log: () => {} });

/** Resolve the verbosity and the sink for its lines (the one place that may reach `globalThis.console`). */
export function resolveLog(caller: string, verbose: unknown, log: unknown): { verbose: 0 | 1 | 2; log: (line: string) => void } {
  const level = verbose === undefined || verbose === false ? 0 : verbose === true ? 1 : verbose;
  if (level !== 0 && level !== 1 && level !== 2) {
    throw new NlsqRangeError(`${caller}: verbose must be 0, 1, 2 or a boolean, got ${describeValue(verbose)}`, 'verbose');
  }
  if (log !== undefined && typeof log !== 'function') {
    throw new NlsqTypeError(`${caller}: log must be a function, got ${describeValue(log)}`, 'log');
  }
  if (level === 0) return SILENT;
  if (log !== undefined) return { verbose: level, log: log as (line: string) => void };
  const sink = (globalThis as { console?: { log(line: string): void } }).console;
  return { verbose: level, log: (line) => sink?.log(line) };
}

function parameterCount(caller: string, model: ModelFunction | FittableModel, p0: CurveFitOptions['p0']): number {
  if (p0 !== undefined && p0 !== 'auto') {
    const p = toFloat64(caller, 'p0', p0).length;
    // f.length counts the parameters before the first default or rest parameter: when it names
    // some, p0 must match them (JS would silently ignore extra arguments).
    if (typeof model === 'function' && model.length >= 2 && model.length - 1 !== p) {
      throw new NlsqRangeError(`${caller}: p0 must have length ${model.length - 1} (one per parameter of f, whose f.length is ${model.length}), got ${p}`, 'p0', 'ERR_SHAPE');
    }
    return p;
  }
  if (isFittableModel(model)) return model.params.length;
  if (model.length < 2) {
    throw new NlsqTypeError(
      `${caller}: cannot determine the number of parameters: f.length is ${model.length} (f(x, ...params) with rest or default parameters hides them); pass p0`,
      'p0',
    );
  }
  return model.length - 1;
}

/**
 * The starting point of a fit: `p0` as given, the model's `estimateP0` on `data` for `'auto'`,
 * or SciPy's feasible default for none — checked finite and inside [lb, ub].
 *
 * @throws NlsqRangeError (argument `p0`) when it is not finite, infeasible, of the wrong length,
 *   or `'auto'` for a model without an estimator.
 */
export function startingPoint(caller: string, model: ModelFunction | FittableModel, data: DataColumns, p: number, p0: CurveFitOptions['p0'], lb: Float64Array, ub: Float64Array): Float64Array {
  let x0: Float64Array;
  if (p0 === 'auto') {
    if (!isFittableModel(model) || model.estimateP0 === undefined) {
      throw new NlsqRangeError(`${caller}: p0 'auto' needs a model with estimateP0, got ${isFittableModel(model) ? 'a model without one' : 'a plain function'}`, 'p0');
    }
    x0 = toFloat64(caller, 'p0 (from estimateP0)', model.estimateP0(data.x, data.y), p, '(one per parameter)');
  } else if (p0 === undefined) {
    x0 = initializeFeasible(lb, ub);
  } else {
    x0 = toFloat64(caller, 'p0', p0, p, '(one per parameter)');
  }
  requireFinite(caller, 'p0', x0);
  requireFeasible(caller, 'p0', x0, lb, ub);
  return x0;
}

function readConstants(caller: string, constants: unknown): ReadonlyMap<string, number> {
  if (constants === undefined) return new Map();
  if (typeof constants !== 'object' || constants === null || Array.isArray(constants)) {
    throw new NlsqTypeError(`${caller}: constants must be an object of numbers such as { k: 2.5 }, got ${describeValue(constants)}`, 'constants');
  }
  const out = new Map<string, number>();
  for (const [name, value] of Object.entries(constants)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new NlsqRangeError(`${caller}: constants.${name} must be a finite number, got ${describeValue(value)}`, 'constants', 'ERR_NON_FINITE');
    }
    out.set(name, value);
  }
  return out;
}

/** Lift a plain function to an expression model when it can be (options `lift`, `constants`). */
function liftModel(caller: string, f: ModelFunction | FittableModel, options: CurveFitOptions, k: number, p: number, data: DataColumns, x0: Float64Array): ClosureLift | undefined {
  if (options.lift !== undefined && typeof options.lift !== 'boolean') throw new NlsqTypeError(`${caller}: lift must be a boolean, got ${describeValue(options.lift)}`, 'lift');
  const constants = readConstants(caller, options.constants);
  if (typeof f !== 'function') {
    if (options.constants !== undefined) throw new NlsqTypeError(`${caller}: constants is only for plain function models; a FittableModel has no free identifiers`, 'constants');
    return undefined;
  }
  if (options.lift === false) return { lifted: false, reason: 'lift: false' };
  if (typeof options.jac === 'function') return { lifted: false, reason: 'jac is a function: the closure and its own Jacobian are used' };
  // An invalid jac stays on the closure path, whose kernel check names it.
  if (options.jac !== undefined && options.jac !== '2-point' && options.jac !== '3-point') return { lifted: false, reason: 'invalid jac' };
  return liftClosure({ f, k, p, constants, data, theta: x0 });
}

/**
 * Load what {@link resolveCurveFitOptions} needs to lift a plain function (the JavaScript
 * parser), when `model` is one and `lift` is not false. Asynchronous entry points await it first;
 * synchronous ones lift only when an earlier call loaded the parser.
 *
 * @param model - the model as given.
 * @param options - the caller's options.
 */
export async function prepareCurveFitModel(model: unknown, options: CurveFitOptions | undefined): Promise<void> {
  if (typeof model === 'function' && options?.lift !== false) await loadJsParser();
}

function createKernel(caller: string, model: ModelFunction | FittableModel, p: number, k: number, jac: unknown): ModelKernel {
  if (isFittableModel(model)) {
    if (typeof jac === 'function') throw new NlsqTypeError(`${caller}: jac as a function is only for plain function models; a FittableModel supplies its own derivatives`, 'jac');
    if (model.params.length !== p) {
      throw new NlsqRangeError(`${caller}: p0 must have length ${model.params.length} (one per model parameter), got ${p}`, 'p0', 'ERR_SHAPE');
    }
    if (model.variables.length !== k) {
      throw new NlsqRangeError(`${caller}: xdata must have ${model.variables.length} row(s) (one per model variable: ${model.variables.join(', ')}), got ${k}`, 'xdata', 'ERR_SHAPE');
    }
    return model.createKernel();
  }
  if (jac !== undefined && typeof jac !== 'function' && jac !== '2-point' && jac !== '3-point') {
    throw new NlsqRangeError(`${caller}: jac must be one of '2-point', '3-point' or a function, got ${describeValue(jac)}`, 'jac');
  }
  const pointJac = typeof jac === 'function' ? (jac as Parameters<typeof createClosureKernel>[0]['jac']) : undefined;
  return createClosureKernel({ f: model, nParams: p, nVariables: k, jac: pointJac, caller });
}

/**
 * Validate and default curveFit's arguments (SciPy `curve_fit` semantics).
 *
 * @param caller - `'curveFit'` or `'curveFitSync'` (or a wrapping function's name).
 * @param model - `f(x, ...params)` or a {@link FittableModel}.
 * @param xdata - one array of n values, or k arrays of n values.
 * @param ydata - n observations.
 * @param options - {@link CurveFitOptions}.
 * @param extraKeys - option keys a wrapping function accepts besides curveFit's.
 * @returns the fully resolved fit description.
 * @throws NlsqTypeError / NlsqRangeError for every invalid argument (see the messages).
 */
export function resolveCurveFitOptions(
  caller: string,
  model: unknown,
  xdata: unknown,
  ydata: unknown,
  options: CurveFitOptions = {},
  extraKeys: readonly string[] = [],
): ResolvedCurveFit {
  if (typeof options !== 'object' || options === null) throw new NlsqTypeError(`${caller}: options must be an object, got ${describeValue(options)}`, 'options');
  checkOptionKeys(caller, options, extraKeys);
  const factory = modelFactoryCall(model);
  if (factory !== undefined) {
    throw new NlsqTypeError(`${caller}: f is ${factory.replace(/\(.*\)$/, '')}, a model factory, not a model; call it: ${factory}`, 'f');
  }
  if (typeof model !== 'function' && !isFittableModel(model)) {
    throw new NlsqTypeError(`${caller}: f must be a function f(x, ...params) or a model, got ${describeValue(model)}`, 'f');
  }
  const named = resolveParams(caller, model as ModelFunction | FittableModel, options);
  const f = named?.model ?? (model as ModelFunction | FittableModel);
  if (named !== undefined) options = { ...options, p0: named.p0, bounds: named.bounds, jac: named.jac };
  const fitData = validateFitData(caller, xdata, ydata, options.sigma, options.checkFinite, options.nanPolicy);
  const n = fitData.y.length;
  const k = fitData.x.length;
  const w = fitData.sigma.kind === '1d' ? fitData.sigma.sigma.map((s) => 1 / s) : null;
  const data: DataColumns = { x: fitData.x, y: fitData.y, w };
  const p = parameterCount(caller, f, options.p0);
  const bounds = options.bounds ?? (isFittableModel(f) ? f.defaultBounds : undefined);
  const { lb, ub } = prepareBounds(caller, bounds, p);
  const x0 = startingPoint(caller, f, data, p, options.p0, lb, ub);
  const lift = liftModel(caller, f, options, k, p, data, x0);
  const fitModel = lift?.lifted === true ? lift.model : f;
  const kernel = createKernel(caller, fitModel, p, k, options.jac);
  const analyticJacobian = typeof options.jac === 'function' || (options.jac === undefined && kernel.analyticJacobian);
  const settings = resolveSolverSettings({ caller, options, x0, lb, ub, defaultMethod: 'by-bounds', analyticJacobian, convention: 'leastsq' });
  if (settings.solver.method === 'lm' && n !== 1 && p > n) {
    throw new NlsqRangeError(`${caller}: improper input: method 'lm' needs at least as many points as parameters, got ${n} points (m) < ${p} parameters (n)`, 'ydata');
  }
  const blockRows = options.blockRows === undefined ? undefined : requireNumber(caller, 'blockRows', options.blockRows, { integer: true, min: 1 });
  if (options.signal !== undefined && !(typeof options.signal === 'object' && options.signal !== null && 'aborted' in options.signal)) {
    throw new NlsqTypeError(`${caller}: signal must be an AbortSignal, got ${describeValue(options.signal)}`, 'signal');
  }
  if (options.onIteration !== undefined && typeof options.onIteration !== 'function') {
    throw new NlsqTypeError(`${caller}: onIteration must be a function, got ${describeValue(options.onIteration)}`, 'onIteration');
  }
  if (options.absoluteSigma !== undefined && typeof options.absoluteSigma !== 'boolean') {
    throw new NlsqTypeError(`${caller}: absoluteSigma must be a boolean, got ${describeValue(options.absoluteSigma)}`, 'absoluteSigma');
  }
  if (options.polish !== undefined && typeof options.polish !== 'boolean') {
    throw new NlsqTypeError(`${caller}: polish must be a boolean, got ${describeValue(options.polish)}`, 'polish');
  }
  const workers = resolveWorkers(caller, options.workers);
  const { verbose, log } = resolveLog(caller, options.verbose, options.log);
  const paramNames = named !== undefined ? named.layout.free.map((i) => named.layout.names[i]!) : isFittableModel(f) ? [...f.params] : Array.from({ length: p }, (_, j) => `p${j}`);
  // A plain literal (no leading spread, which V8 builds through a slow path): paramLayout is added only with `params`.
  const resolved: ResolvedCurveFit = {
    caller, model: fitModel, lift, paramNames, kernel, data, n, k, p, sigma: fitData.sigma, absoluteSigma: options.absoluteSigma === true,
    settings, omitted: fitData.omitted, backend: options.backend, blockRows, workers, polish: options.polish !== false, signal: options.signal,
    onIteration: options.onIteration, verbose, log,
  };
  return named === undefined ? resolved : { paramLayout: named.layout, ...resolved };
}
