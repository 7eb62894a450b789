/**
 * The `params` option of `curveFit` / `fit`: a {@link ParameterSet} turned into what the solver
 * reads — the model over the free parameters, their starting values p0 and bounds, and the
 * layout that maps the solver's free parameters back to every name (see `tie-params.ts`).
 *
 * - An expression model ({@link Model}) gets fixed and tied parameters substituted into its
 *   expression, so the solver, the exact derivatives and every backend see only free parameters.
 * - A plain function `f(x, ...params)` takes its parameter names from the set, in the set's order
 *   (one per argument after x); fixed ones are passed through by a wrapping closure, whose
 *   arguments are the free parameters (and a `jac` function's columns are picked the same way).
 *   Ties need an expression to substitute into, so a function with a tie is an error.
 *
 * @module
 */
import { describeValue, NlsqRangeError, NlsqTypeError } from '../errors.ts';
import type { ModelFunction, PointJacobian } from '../model/closure-kernel.ts';
import { Model } from '../model/model.ts';
import { isFittableModel, type FittableModel } from '../model/model-kernel.ts';
import { isParameterSet, ParameterSet, type ParamInput } from '../model/params.ts';
import { layoutParams, substituteModel, type ParamLayout } from '../model/tie-params.ts';
import type { CurveFitOptions } from './types.ts';

/** The `params` option resolved for the solver. */
export interface ResolvedParams {
  /** The model over the free parameters. */
  readonly model: ModelFunction | FittableModel;
  /** Starting values of the free parameters (solver order). */
  readonly p0: Float64Array;
  /** `[lb, ub]` of the free parameters (±∞ for none; a model's `defaultBounds` does not apply). */
  readonly bounds: readonly [Float64Array, Float64Array];
  /** The `jac` option, with a function's columns restricted to the free parameters. */
  readonly jac: CurveFitOptions['jac'];
  /** Every name, its kind, and the map from the free parameters. */
  readonly layout: ParamLayout;
}

/** `f(x, ...free)` calling `f(x, ...all)` with the fixed values in place. */
function passFixed<R>(fn: (x: any, ...p: number[]) => R, layout: ParamLayout): (x: any, ...free: number[]) => R {
  const template = Array.from(layout.initial);
  const free = layout.free;
  return (x, ...theta) => {
    const all = template.slice();
    for (let j = 0; j < free.length; j++) all[free[j]!] = theta[j]!;
    return fn(x, ...all);
  };
}

function resolveFunction(caller: string, f: ModelFunction, set: ParameterSet, jac: CurveFitOptions['jac']): { model: ModelFunction; layout: ParamLayout; jac: CurveFitOptions['jac'] } {
  const tie = set.list.find((s) => s.expr !== undefined);
  if (tie !== undefined) {
    throw new NlsqRangeError(`${caller}: params: ${tie.name} is tied (expr ${JSON.stringify(tie.expr)}), which needs an expression model to substitute into; use model('…') instead of a function`, 'params');
  }
  if (f.length >= 2 && f.length - 1 !== set.list.length) {
    throw new NlsqRangeError(`${caller}: params must name ${f.length - 1} parameters (one per parameter of f, in order), got ${set.list.length} (${set.names.join(', ')})`, 'params', 'ERR_SHAPE');
  }
  const layout = layoutParams(caller, set, set.names);
  if (layout.free.length === layout.names.length) return { model: f, layout, jac };
  const cols = layout.free;
  const pointJac =
    typeof jac === 'function'
      ? (passFixed((x: any, ...all: number[]) => Array.from(cols, (c) => (jac as PointJacobian)(x, ...all)[c]!), layout) as PointJacobian)
      : jac;
  return { model: passFixed(f, layout), layout, jac: pointJac };
}

/**
 * Resolve the `params` option (nothing when it is absent).
 *
 * @param caller - public function name for messages.
 * @param model - the model as given (already checked to be a function or a FittableModel).
 * @param options - the curveFit options.
 * @returns the model over the free parameters, their p0 and bounds, and the layout; undefined
 *   when `options.params` is not given.
 * @throws NlsqRangeError when `p0` or `bounds` is given too, for a tie with a function model,
 *   fixed or tied parameters with a FittableModel that is not an expression model, and the
 *   errors of `params()` and `layoutParams` (each naming the parameter).
 */
export function resolveParams(caller: string, model: ModelFunction | FittableModel, options: CurveFitOptions): ResolvedParams | undefined {
  const given = options.params;
  if (given === undefined) return undefined;
  for (const key of ['p0', 'bounds'] as const) {
    if (options[key] !== undefined) {
      throw new NlsqRangeError(`${caller}: give either params or ${key}, not both (params holds each parameter's value, min and max)`, key);
    }
  }
  if (typeof given !== 'object' || given === null) {
    throw new NlsqTypeError(`${caller}: params must be params({ … }) or an object { name: value | { value, min, max, vary, expr } }, got ${describeValue(given)}`, 'params');
  }
  const set = isParameterSet(given) ? given : new ParameterSet(given as Readonly<Record<string, ParamInput>>);
  let derived: ModelFunction | FittableModel;
  let layout: ParamLayout;
  let jac = options.jac;
  if (typeof model === 'function') {
    ({ model: derived, layout, jac } = resolveFunction(caller, model, set, options.jac));
  } else {
    layout = layoutParams(caller, set, model.params);
    const substituted = layout.free.length !== model.params.length || layout.free.some((i, j) => i !== j);
    if (substituted && !(model instanceof Model)) {
      throw new NlsqRangeError(`${caller}: params: fixed or tied parameters need an expression model (model('…')) or a plain function, got a FittableModel of another kind`, 'params');
    }
    derived = model instanceof Model ? substituteModel(model, layout) : model;
  }
  const p0 = Float64Array.from(layout.free, (i) => layout.initial[i]!);
  const lb = Float64Array.from(layout.free, (i) => layout.min[i]!);
  const ub = Float64Array.from(layout.free, (i) => layout.max[i]!);
  return { model: derived, p0, bounds: [lb, ub], jac, layout };
}
