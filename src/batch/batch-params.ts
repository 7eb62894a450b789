/**
 * The parameters of a batch, validated once: the model's kernel, which parameters vary, and the
 * starting values and bounds of every fit — shared by all fits or one row per fit, read in place
 * (row i of an nFits × p array) without a copy per fit.
 *
 * Three ways to name parameters, as in `curveFit`: the model's own (`p0`, `bounds`), a hold mask
 * (`vary`: held parameters keep their p0 of each fit; the solver sees the free ones through
 * {@link heldKernel}), or a `ParameterSet` (`params`: fixed values, bounds and ties shared by
 * every fit, resolved by `resolveParams` exactly as `curveFit` resolves them).
 *
 * @module
 */
import { describeValue, NlsqRangeError, NlsqTypeError } from '../errors.ts';
import { createClosureKernel, type ModelFunction } from '../model/closure-kernel.ts';
import { isFittableModel, type FittableModel, type ModelKernel } from '../model/model-kernel.ts';
import type { ParamLayout } from '../model/tie-params.ts';
import { resolveParams } from '../options/resolve-params.ts';
import { isArrayLike, toFloat64 } from '../options/validate.ts';
import type { CurveFitOptions } from '../options/types.ts';
import type { BatchModel, BatchParamArray, FitBatchOptions } from './batch-options.ts';
import { heldKernel, type HeldKernel } from './held-kernel.ts';

/** Values for every fit: one row shared by all, or nFits rows of p (row-major). */
export interface ParamRows {
  /** True when row i is at i·p; false when every fit reads row 0. */
  readonly perFit: boolean;
  /** The values. */
  readonly values: Float64Array;
}

/** The resolved parameters of a batch. */
export interface BatchParams {
  /** The model the kernel evaluates (with `params`: over its free parameters). */
  readonly model: BatchModel;
  /** The kernel the solver sees (over the free parameters). */
  readonly kernel: ModelKernel;
  /** The model's kernel over all p parameters (the same object as `kernel` without `vary`). */
  readonly fullKernel: ModelKernel;
  /** With `vary`: the kernel whose held values are set per fit (the same object as `kernel`). */
  readonly held: HeldKernel | null;
  /** Columns of p0, bounds and the model kernel (`vary`: all of the model's parameters). */
  readonly p: number;
  /** Positions of the free parameters among the p (all of them without `vary`). */
  readonly free: Int32Array;
  /** Names of the p columns. */
  readonly names: readonly string[];
  /** Starting values, `'auto'` (the model's estimator per fit) or null (SciPy's default per fit). */
  readonly p0: ParamRows | 'auto' | null;
  /** Lower bounds. */
  readonly lb: ParamRows;
  /** Upper bounds. */
  readonly ub: ParamRows;
  /** True when some bound is finite. */
  readonly bounded: boolean;
  /** With `params`: the layout that expands the free solution to every named parameter. */
  readonly layout: ParamLayout | null;
}

function closureParamCount(caller: string, f: ModelFunction, p0: unknown, nFits: number): number {
  if (f.length >= 2) return f.length - 1;
  if (isArrayLike(p0) && !ArrayBuffer.isView(p0) && p0.length > 0 && isArrayLike((p0 as ArrayLike<unknown>)[0])) return (p0 as ArrayLike<ArrayLike<number>>)[0]!.length;
  if (isArrayLike(p0) && nFits === 1) return p0.length;
  if (isArrayLike(p0) && p0.length > 0 && p0.length < nFits) return p0.length;
  throw new NlsqTypeError(
    `${caller}: cannot determine the number of parameters of f: f.length is ${f.length}; pass p0 as one row of p values or nFits arrays of p`,
    'p0',
  );
}

/**
 * Read a parameter array: p values (shared), nFits·p values, or nFits arrays of p.
 *
 * @throws NlsqRangeError (ERR_SHAPE) naming `name`.
 */
export function readRows(caller: string, name: string, value: BatchParamArray | number, p: number, nFits: number): ParamRows {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) throw new NlsqRangeError(`${caller}: ${name} must not be NaN`, name);
    return { perFit: false, values: new Float64Array(p).fill(value) };
  }
  if (!isArrayLike(value)) throw new NlsqTypeError(`${caller}: ${name} must be an array of ${p} numbers or nFits × ${p}, got ${describeValue(value)}`, name);
  if (!ArrayBuffer.isView(value) && value.length > 0 && isArrayLike((value as ArrayLike<unknown>)[0])) {
    const rows = value as ArrayLike<ArrayLike<number>>;
    if (rows.length !== nFits) throw new NlsqRangeError(`${caller}: ${name} must have ${nFits} rows (one per fit), got ${rows.length}`, name, 'ERR_SHAPE');
    const values = new Float64Array(nFits * p);
    for (let i = 0; i < nFits; i++) values.set(toFloat64(caller, `${name}[${i}]`, rows[i], p, '(one per parameter)'), i * p);
    return { perFit: true, values };
  }
  const flat = value instanceof Float64Array ? value : toFloat64(caller, name, value);
  if (flat.length === p) return { perFit: false, values: flat };
  if (flat.length === nFits * p) return { perFit: true, values: flat };
  throw new NlsqRangeError(`${caller}: ${name} must have ${p} values (one row for every fit) or nFits × p = ${nFits * p}, got ${flat.length}`, name, 'ERR_SHAPE');
}

function readBounds(caller: string, bounds: unknown, p: number, nFits: number): { lb: ParamRows; ub: ParamRows } {
  if (bounds === undefined || bounds === null) {
    return { lb: { perFit: false, values: new Float64Array(p).fill(-Infinity) }, ub: { perFit: false, values: new Float64Array(p).fill(Infinity) } };
  }
  if (!Array.isArray(bounds) || bounds.length !== 2) throw new NlsqTypeError(`${caller}: bounds must be a pair [lb, ub], got ${describeValue(bounds)}`, 'bounds');
  const lb = readRows(caller, 'bounds', bounds[0] as BatchParamArray, p, nFits);
  const ub = readRows(caller, 'bounds', bounds[1] as BatchParamArray, p, nFits);
  const rows = lb.perFit || ub.perFit ? nFits : 1;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < p; j++) {
      const l = lb.values[(lb.perFit ? i * p : 0) + j]!;
      const u = ub.values[(ub.perFit ? i * p : 0) + j]!;
      if (Number.isNaN(l) || Number.isNaN(u)) throw new NlsqRangeError(`${caller}: bounds must not be NaN, got ${l}, ${u} for parameter ${j}${rows > 1 ? ` of fit ${i}` : ''}`, 'bounds');
      if (!(l < u)) {
        throw new NlsqRangeError(`${caller}: each lower bound must be strictly less than its upper bound, got lb[${j}] = ${l} ≥ ub[${j}] = ${u}${rows > 1 ? ` for fit ${i}` : ''}`, 'bounds');
      }
    }
  }
  return { lb, ub };
}

function readVary(caller: string, vary: unknown, p: number): Int32Array {
  if (vary === undefined) return Int32Array.from({ length: p }, (_, j) => j);
  if (!isArrayLike(vary) || vary.length !== p) throw new NlsqRangeError(`${caller}: vary must have ${p} booleans (one per parameter), got ${describeValue(vary)}`, 'vary', 'ERR_SHAPE');
  const free: number[] = [];
  for (let j = 0; j < p; j++) {
    const v = (vary as ArrayLike<unknown>)[j];
    if (typeof v !== 'boolean') throw new NlsqTypeError(`${caller}: vary[${j}] must be a boolean, got ${describeValue(v)}`, 'vary');
    if (v) free.push(j);
  }
  if (free.length === 0) throw new NlsqRangeError(`${caller}: vary must leave at least one parameter free, got all ${p} held`, 'vary');
  return Int32Array.from(free);
}

function modelKernel(caller: string, model: BatchModel, p: number, k: number | undefined): ModelKernel {
  if (isFittableModel(model)) return model.createKernel();
  return createClosureKernel({ f: model, nParams: p, nVariables: k ?? 1, caller });
}

/**
 * Resolve the parameters of a batch.
 *
 * @param caller - public function name for messages.
 * @param model - an expression model / FittableModel, or a closure f(x, ...params).
 * @param options - the batch options (p0, bounds, vary, params).
 * @param nFits - the number of fits.
 * @param k - the number of x variables of the data.
 * @returns kernel, free positions, p0 and bounds.
 * @throws NlsqTypeError / NlsqRangeError naming `f`, `p0`, `bounds`, `vary` or `params`.
 */
export function resolveBatchParams(caller: string, model: unknown, options: FitBatchOptions, nFits: number, k: number): BatchParams {
  if (typeof model !== 'function' && !isFittableModel(model)) throw new NlsqTypeError(`${caller}: f must be a model or a function f(x, ...params), got ${describeValue(model)}`, 'f');
  if (isFittableModel(model) && model.variables.length !== k) {
    throw new NlsqRangeError(`${caller}: x must have ${model.variables.length} variable(s) (${model.variables.join(', ')}), got ${k}`, 'x', 'ERR_SHAPE');
  }
  let layout: ParamLayout | null = null;
  let m = model as BatchModel;
  let p0Given = options.p0;
  let boundsGiven: unknown = options.bounds;
  if (options.params !== undefined) {
    if (options.vary !== undefined) throw new NlsqRangeError(`${caller}: give either params or vary, not both (params marks held parameters with vary: false)`, 'vary');
    const named = resolveParams(caller, m, { params: options.params, p0: options.p0 as CurveFitOptions['p0'], bounds: options.bounds as CurveFitOptions['bounds'] });
    if (named !== undefined) {
      layout = named.layout;
      m = named.model;
      p0Given = named.p0;
      boundsGiven = [named.bounds[0], named.bounds[1]];
    }
  } else if (boundsGiven === undefined && isFittableModel(m)) boundsGiven = m.defaultBounds;
  const p = isFittableModel(m) ? m.params.length : layout !== null ? layout.free.length : closureParamCount(caller, m, p0Given, nFits);
  const names = isFittableModel(m) ? [...m.params] : Array.from({ length: p }, (_, j) => `p${j}`);
  const free = readVary(caller, options.vary, p);
  const full = modelKernel(caller, m, p, k);
  const held = free.length < p ? heldKernel(full, free) : null;
  const { lb, ub } = readBounds(caller, boundsGiven, p, nFits);
  let p0: ParamRows | 'auto' | null = null;
  if (p0Given === 'auto') {
    if (!isFittableModel(m) || (m as FittableModel).estimateP0 === undefined) {
      throw new NlsqRangeError(`${caller}: p0 'auto' needs a model with estimateP0, got ${isFittableModel(m) ? 'a model without one' : 'a plain function'}`, 'p0');
    }
    p0 = 'auto';
  } else if (p0Given !== undefined) {
    p0 = readRows(caller, 'p0', p0Given as BatchParamArray, p, nFits);
  }
  let bounded = false;
  for (const side of [lb, ub]) for (let j = 0; j < side.values.length; j++) if (Number.isFinite(side.values[j]!) && free.includes(j % p)) bounded = true;
  return { model: m, kernel: held ?? full, fullKernel: full, held, p, free, names, p0, lb, ub, bounded, layout };
}
