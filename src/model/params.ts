/**
 * Named parameters: `params({ A: 1, mu: { value: 5, min: 0, max: 10 }, c: { value: 0, vary: false },
 * w: { expr: '2.3548*s' } })` puts starting values, bounds, fixed parameters and ties in one
 * place (after lmfit's `Parameters`, Newville et al., https://lmfit.github.io/lmfit-py/parameters.html).
 *
 * A {@link ParameterSet} is a validated, frozen value: every error (a non-finite value, `min > max`,
 * a value outside its bounds, a malformed or self-referencing tie) is thrown here, naming the
 * parameter. How a set applies to a model (substitution into the expression, cycles of ties) is
 * `tie-params.ts`.
 *
 * **Inequalities (the slack pattern).** A constraint such as `mu2 ≥ mu1` is written with an
 * auxiliary parameter that is not in the model: `params({ mu1: 1, delta: { value: 1, min: 0 },
 * mu2: { expr: 'mu1 + delta' } })` — the solver fits `mu1` and `delta ≥ 0`, and `mu2 = mu1 + delta`
 * is substituted into the model. A parameter not in the model is accepted only when it has an
 * `expr` (a derived quantity, reported with its standard error) or some `expr` uses it.
 *
 * @module
 */

import { describeValue, ModelParseError, NlsqRangeError, NlsqTypeError } from '../errors.ts';
import { NAMED_CONSTANTS } from './ast.ts';
import { userFunctionArity } from './functions.ts';
import { parseExpression } from './parser.ts';

/** How one parameter is given: a number (its starting value) or the full form. */
export type ParamInput = number | ParamSpecInput;

/** The full form of one parameter (lmfit's `Parameter` arguments). */
export interface ParamSpecInput {
  /** Starting value (required unless `expr` is given). */
  readonly value?: number;
  /** Lower bound (default −∞). */
  readonly min?: number;
  /** Upper bound (default +∞). */
  readonly max?: number;
  /** false: held at `value`, removed from the solver (default true). */
  readonly vary?: boolean;
  /** A tie: the parameter equals this expression of other parameters (e.g. `'2.3548*s'`). */
  readonly expr?: string;
}

/** One validated parameter of a {@link ParameterSet}. */
export interface ParamSpec {
  /** The name. */
  readonly name: string;
  /** Starting value (the held value when fixed; NaN for a tie, whose value follows its expression). */
  readonly value: number;
  /** Lower bound (−∞ for none). */
  readonly min: number;
  /** Upper bound (+∞ for none). */
  readonly max: number;
  /** Whether the solver moves it (false for fixed and tied parameters). */
  readonly vary: boolean;
  /** The tie, when the parameter is tied. */
  readonly expr: string | undefined;
  /** The names the tie uses (empty without a tie). */
  readonly uses: readonly string[];
}

/** The kind of a parameter: moved by the solver, held at its value, or tied to an expression. */
export type ParamKind = 'free' | 'fixed' | 'tied';

/** The kind of a validated parameter. @param spec - the parameter. @returns its kind. */
export function paramKind(spec: ParamSpec): ParamKind {
  return spec.expr !== undefined ? 'tied' : spec.vary ? 'free' : 'fixed';
}

const PARAMETER_SET = Symbol.for('nlsq.ParameterSet');
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SPEC_KEYS = new Set(['value', 'min', 'max', 'vary', 'expr']);

/** A validated, immutable set of named parameters; create one with {@link params}. */
export class ParameterSet {
  /** The parameters, in the order given. */
  readonly list: readonly ParamSpec[];
  readonly #byName: ReadonlyMap<string, ParamSpec>;

  /** Prefer {@link params}. @param input - see {@link params}. */
  constructor(input: Readonly<Record<string, ParamInput>>) {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new NlsqTypeError(`params: the argument must be an object { name: value | { value, min, max, vary, expr } }, got ${describeValue(input)}`, 'params');
    }
    const names = Object.keys(input);
    if (names.length === 0) throw new NlsqRangeError('params: the argument must name at least one parameter, got {}', 'params');
    this.list = Object.freeze(names.map((name) => Object.freeze(checkParam(name, input[name], names))));
    this.#byName = new Map(this.list.map((s) => [s.name, s]));
    Object.freeze(this);
  }

  /** The names, in the order given. */
  get names(): string[] {
    return this.list.map((s) => s.name);
  }

  /** The parameter of that name, or undefined. @param name - the name. */
  get(name: string): ParamSpec | undefined {
    return this.#byName.get(name);
  }

  /** @internal brand checked by {@link isParameterSet} (works across module copies). */
  get [PARAMETER_SET](): true {
    return true;
  }
}

/** True when `value` is a {@link ParameterSet}. @param value - anything. */
export function isParameterSet(value: unknown): value is ParameterSet {
  return typeof value === 'object' && value !== null && (value as { [PARAMETER_SET]?: unknown })[PARAMETER_SET] === true;
}

function checkNumber(name: string, key: string, v: unknown, allowInfinite: boolean): number {
  if (typeof v !== 'number' || Number.isNaN(v) || (!allowInfinite && !Number.isFinite(v))) {
    throw new NlsqRangeError(`params: ${name}.${key} must be a ${allowInfinite ? 'number (±Infinity for none)' : 'finite number'}, got ${describeValue(v)}`, 'params', 'ERR_NON_FINITE');
  }
  return v;
}

function checkParam(name: string, raw: unknown, names: readonly string[]): ParamSpec {
  if (!IDENTIFIER.test(name) || userFunctionArity(name) !== undefined) {
    throw new NlsqRangeError(`params: parameter names must be identifiers ([A-Za-z_][A-Za-z0-9_]*) and not function names, got '${name}'`, 'params');
  }
  if (typeof raw === 'number') return { name, value: checkNumber(name, 'value', raw, false), min: -Infinity, max: Infinity, vary: true, expr: undefined, uses: [] };
  if (typeof raw !== 'object' || raw === null) {
    throw new NlsqTypeError(`params: ${name} must be a number or { value, min, max, vary, expr }, got ${describeValue(raw)}`, 'params');
  }
  const spec = raw as Record<string, unknown>;
  const unknown = Object.keys(spec).find((k) => !SPEC_KEYS.has(k));
  if (unknown !== undefined) throw new NlsqRangeError(`params: ${name} has an unknown key '${unknown}' (accepted: value, min, max, vary, expr)`, 'params');
  const min = spec.min === undefined ? -Infinity : checkNumber(name, 'min', spec.min, true);
  const max = spec.max === undefined ? Infinity : checkNumber(name, 'max', spec.max, true);
  if (spec.vary !== undefined && typeof spec.vary !== 'boolean') throw new NlsqTypeError(`params: ${name}.vary must be a boolean, got ${describeValue(spec.vary)}`, 'params');
  if (spec.expr !== undefined) return checkTie(name, spec, names);
  if (!(min < max)) {
    throw new NlsqRangeError(`params: ${name} must have min < max, got min = ${min} ≥ max = ${max} (to hold a parameter at a value, use vary: false)`, 'params');
  }
  if (spec.value === undefined) throw new NlsqRangeError(`params: ${name} needs a value (or an expr)`, 'params');
  const value = checkNumber(name, 'value', spec.value, false);
  if (value < min || value > max) throw new NlsqRangeError(`params: ${name}.value must lie in [min, max] = [${min}, ${max}], got ${value}`, 'params');
  return { name, value, min, max, vary: spec.vary !== false, expr: undefined, uses: [] };
}

function checkTie(name: string, spec: Record<string, unknown>, names: readonly string[]): ParamSpec {
  const expr = spec.expr;
  if (typeof expr !== 'string') throw new NlsqTypeError(`params: ${name}.expr must be a string, got ${describeValue(expr)}`, 'params');
  for (const key of ['value', 'min', 'max', 'vary'] as const) {
    if (spec[key] !== undefined) {
      throw new NlsqRangeError(`params: ${name} has an expr, so it cannot have ${key} (a tied parameter's value follows its expression; bound it with the slack pattern, see params())`, 'params');
    }
  }
  let symbols: ReadonlyMap<string, number>;
  try {
    symbols = parseExpression(expr).symbols;
  } catch (e) {
    if (!(e instanceof ModelParseError)) throw e;
    throw new NlsqRangeError(`params: ${name}.expr ${JSON.stringify(expr)} is not a valid expression: ${e.message}`, 'params', undefined, { cause: e });
  }
  const uses = [...symbols.keys()].filter((s) => names.includes(s) || !NAMED_CONSTANTS.has(s));
  if (uses.includes(name)) throw new NlsqRangeError(`params: ${name}.expr ${JSON.stringify(expr)} refers to ${name} itself`, 'params');
  const unknown = uses.find((s) => !names.includes(s));
  if (unknown !== undefined) {
    throw new NlsqRangeError(`params: ${name}.expr ${JSON.stringify(expr)} uses '${unknown}', which is not a parameter (parameters: ${names.join(', ')})`, 'params');
  }
  return { name, value: NaN, min: -Infinity, max: Infinity, vary: false, expr, uses: Object.freeze(uses) };
}

/**
 * Create a set of named parameters for `curveFit`/`fit`'s `params` option: starting values,
 * bounds, fixed parameters (`vary: false`) and ties (`expr`), after lmfit's `Parameters`.
 *
 * A fixed parameter is substituted into an expression model, so the solver never sees it (its
 * Jacobian column is never computed); a tie `expr` is substituted too, so derivatives stay exact
 * and every backend runs the tied model. Inequalities use an auxiliary parameter (the slack
 * pattern, see the module notes): `mu2: { expr: 'mu1 + delta' }` with `delta: { value: 1, min: 0 }`.
 *
 * @param input - `{ name: value }` or `{ name: { value, min, max, vary, expr } }`, in any order.
 * @returns the validated set.
 * @throws NlsqRangeError naming the parameter for a non-finite value, `min ≥ max`, a value outside
 *   `[min, max]`, a tie that refers to itself or to an unknown name, or a tie with value/bounds;
 *   NlsqTypeError for wrong types. Cycles among ties are found when the set meets a model.
 * @example
 * ```ts
 * const P = params({ A: 1, mu: { value: 5, min: 0, max: 10 }, s: { value: 1, min: 0 }, c: { value: 0, vary: false } });
 * const r = await curveFit(model('A*exp(-((x-mu)^2)/(2*s^2)) + c'), x, y, { params: P });
 * r.params.mu.value; r.params.mu.stderr; r.params.mu.correl.s;
 * ```
 */
export function params(input: Readonly<Record<string, ParamInput>>): ParameterSet {
  return new ParameterSet(input);
}
