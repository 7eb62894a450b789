/**
 * The model and parameter flags of `nlsq fit` / `nlsq batch`, read into what `fit()` takes:
 *
 * - `--model NAME|EXPR`: a library model by name (`gaussian`, `exponentialDecay`,
 *   `polynomial:3`; see `nlsq models`) or an expression (`'a*exp(-b*t) + c'`). In an expression the
 *   independent variables are the `--x` column names when they occur in it, else `x` (and `y`
 *   for a second column) — so `--x time` fits `a*exp(-b*time)` as well as `a*exp(-b*x)`; an
 *   HDF5 dataset path names its variable by its last part (`--x /grp/t` → `t`).
 * - `--p0 1,1,0` (one value per parameter, in model order) or `--p0 auto` (the model's
 *   estimator, for library models).
 * - `--param` (repeatable), lmfit-style per-parameter settings mapped onto `params()`
 *   (`model/params.ts`): `c=0:fixed` holds c at 0, `b=1:0..10` starts b at 1 within [0, 10]
 *   (`0..` and `..10` for one side, `inf` allowed), `w=2*s` ties w to an expression.
 *
 * @module
 */
import type { GlobalSearchOptions } from '../options/global-option.ts';
import { NlsqRangeError } from '../errors.ts';
import { Model, model as makeModel } from '../model/model.ts';
import { models } from '../model/models/index.ts';
import type { ParamInput, ParamSpecInput } from '../model/params.ts';

/** The library's model names, as `nlsq models` lists them (`polynomial` takes `:degree`). */
export const MODEL_NAMES: readonly string[] = Object.freeze(Object.keys(models));

/** A number as written on the command line: decimal, `inf`, `-inf`. */
export function parseNumber(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  if (t === 'inf' || t === '+inf' || t === 'infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t)) return undefined;
  return Number(t);
}

/**
 * The model named or written by `--model`.
 *
 * @param text - a library model name (`polynomial:DEGREE` for polynomials) or an expression.
 * @param xRefs - the `--x` column names (or HDF5 dataset paths), for the expression's variables.
 * @param caller - command name for messages.
 * @returns the model.
 * @throws NlsqRangeError naming `--model` for an unknown name or an expression that does not parse.
 */
export function resolveModel(text: string, xRefs: readonly string[], caller: string): Model {
  const trimmed = text.trim();
  const xColumns = xRefs.map((c) => c.slice(c.lastIndexOf('/') + 1)); // an HDF5 dataset path names its variable by its last part
  const poly = /^poly(?:nomial)?[:(]?\s*(\d+)\s*\)?$/.exec(trimmed);
  try {
    if (poly !== null) return models.polynomial(Number(poly[1]));
    if (trimmed === 'polynomial') throw new NlsqRangeError(`${caller}: --model polynomial needs a degree, e.g. polynomial:3`, '--model');
    const factory = (models as unknown as Record<string, (() => Model) | undefined>)[trimmed];
    if (factory !== undefined && Object.prototype.hasOwnProperty.call(models, trimmed)) return factory();
    if (/^[A-Za-z_]\w*$/.test(trimmed) && trimmed.length > 2) {
      throw new NlsqRangeError(`${caller}: --model ${trimmed} is not a library model (known: ${MODEL_NAMES.join(', ')}; see nlsq models) and not an expression with parameters`, '--model');
    }
    const names = xColumns.filter((c) => /^[A-Za-z_]\w*$/.test(c) && new RegExp(`\\b${c}\\b`).test(trimmed));
    const variables = names.length === xColumns.length && names.length > 0 ? names : xColumns.length > 1 ? ['x', 'y', 'z'].slice(0, xColumns.length) : ['x'];
    const missing = variables.filter((v) => !new RegExp(`\\b${v}\\b`).test(trimmed));
    if (missing.length > 0) {
      const cols = xColumns.length === 0 ? '' : `the --x column name${xColumns.length > 1 ? 's' : ''} (${xColumns.join(', ')}) or `;
      throw new NlsqRangeError(`${caller}: --model ${JSON.stringify(trimmed)} does not use its variable: write it with ${cols}${variables.join(', ')}`, '--model');
    }
    return makeModel(trimmed, { variables });
  } catch (e) {
    if (e instanceof NlsqRangeError && e.argument === '--model') throw e;
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new NlsqRangeError(`${caller}: --model ${JSON.stringify(trimmed)} is not a library model or a valid expression: ${why}`, '--model', 'ERR_RANGE', { cause: e });
  }
}

/**
 * Read `--p0`: `auto`, or one number per parameter separated by commas.
 *
 * @param text - the flag's value.
 * @param names - the model's parameter names.
 * @param caller - command name for messages.
 * @returns `'auto'` or the values.
 * @throws NlsqRangeError naming `--p0` for a wrong count or a value that is not a finite number.
 */
export function parseP0(text: string, names: readonly string[], caller: string): number[] | 'auto' {
  if (text.trim() === 'auto') return 'auto';
  const parts = text.split(',');
  if (parts.length !== names.length) {
    throw new NlsqRangeError(`${caller}: --p0 must have ${names.length} values (${names.join(', ')}) or be auto, got ${parts.length} (${text})`, '--p0', 'ERR_SHAPE');
  }
  return parts.map((s, j) => {
    const v = parseNumber(s);
    if (v === undefined || !Number.isFinite(v)) throw new NlsqRangeError(`${caller}: --p0 value ${j + 1} (${names[j]}) must be a finite number, got ${JSON.stringify(s)}`, '--p0');
    return v;
  });
}

/** One `--param` flag read: its name and settings. */
export interface ParamFlag {
  /** The parameter's name. */
  readonly name: string;
  /** Its settings for `params()`. */
  readonly spec: ParamSpecInput;
}

/**
 * Read one `--param` flag: `NAME=VALUE`, `NAME=VALUE:fixed`, `NAME=VALUE:LO..HI` or `NAME=EXPR`.
 *
 * @param text - the flag's value.
 * @param caller - command name for messages.
 * @returns the name and its `params()` settings.
 * @throws NlsqRangeError naming `--param` for text that does not follow the grammar.
 */
export function parseParamFlag(text: string, caller: string): ParamFlag {
  const bad = (why: string): NlsqRangeError =>
    new NlsqRangeError(`${caller}: --param ${JSON.stringify(text)}: ${why} (forms: b=1, b=1:0..10, c=0:fixed, w=2*s)`, '--param');
  const eq = text.indexOf('=');
  if (eq < 0) throw bad('expected NAME=…');
  const name = text.slice(0, eq).trim();
  if (!/^[A-Za-z_]\w*$/.test(name)) throw bad(`${JSON.stringify(name)} is not a parameter name`);
  const [valueText = '', modifier, extra] = text.slice(eq + 1).split(':');
  if (extra !== undefined) throw bad('more than one ":"');
  const value = parseNumber(valueText);
  if (value === undefined) {
    if (modifier !== undefined) throw bad('a tie (NAME=EXPR) takes no ":" part');
    if (valueText.trim() === '') throw bad('no value');
    return { name, spec: { expr: valueText.trim() } };
  }
  if (!Number.isFinite(value)) throw bad('the value must be finite');
  if (modifier === undefined) return { name, spec: { value } };
  if (modifier.trim() === 'fixed') return { name, spec: { value, vary: false } };
  const range = /^(.*)\.\.(.*)$/.exec(modifier.trim());
  if (range === null) throw bad(`expected "fixed" or LO..HI after ":", got ${JSON.stringify(modifier)}`);
  const min = range[1]!.trim() === '' ? -Infinity : parseNumber(range[1]!);
  const max = range[2]!.trim() === '' ? Infinity : parseNumber(range[2]!);
  if (min === undefined || max === undefined) throw bad('the bounds must be numbers');
  if (!(min < max)) throw bad(`the lower bound must be below the upper, got ${min}..${max}`);
  return { name, spec: { value, min, max } };
}

/**
 * The `params()` input for the `--param` flags: every model parameter, the flagged ones as given
 * and the others starting at `start[j]` within the model's default bounds.
 *
 * @param flags - the `--param` values.
 * @param m - the model.
 * @param start - a starting value per model parameter (from `--p0`, the estimator, or 1).
 * @param caller - command name for messages.
 * @returns the input of `params()`.
 * @throws NlsqRangeError naming `--param` for a name the model lacks or one given twice.
 */
export function paramsInput(flags: readonly string[], m: Model, start: readonly number[], caller: string): Record<string, ParamInput> {
  const given = new Map<string, ParamSpecInput>();
  for (const text of flags) {
    const { name, spec } = parseParamFlag(text, caller);
    if (!m.params.includes(name)) throw new NlsqRangeError(`${caller}: --param ${name}: the model has no parameter ${name} (parameters: ${m.params.join(', ')})`, '--param');
    if (given.has(name)) throw new NlsqRangeError(`${caller}: --param ${name} is given twice`, '--param');
    given.set(name, spec);
  }
  const out: Record<string, ParamInput> = {};
  m.params.forEach((name, j) => {
    const min = m.defaultBounds?.[0][j] ?? -Infinity;
    const max = m.defaultBounds?.[1][j] ?? Infinity;
    const spec = given.get(name);
    const value = Math.min(Math.max(start[j]!, min), max);
    out[name] = spec === undefined ? { value, min, max } : spec.expr !== undefined || spec.value !== undefined ? spec : { ...spec, value };
  });
  return out;
}

/**
 * Check an enumerated flag.
 *
 * @param flag - the flag, e.g. `'--method'`.
 * @param value - its value, or undefined when absent.
 * @param allowed - the accepted values.
 * @param caller - command name for messages.
 * @returns the value, or undefined.
 * @throws NlsqRangeError naming the flag for another value.
 */
export function choice<T extends string>(flag: string, value: string | undefined, allowed: readonly T[], caller: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new NlsqRangeError(`${caller}: ${flag} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`, flag);
  return value as T;
}

/**
 * Check a positive number flag.
 *
 * @param flag - the flag. @param value - its text, or undefined. @param caller - command name.
 * @returns the number, or undefined when absent.
 * @throws NlsqRangeError naming the flag for text that is not a positive finite number.
 */
export function positive(flag: string, value: string | undefined, caller: string): number | undefined {
  if (value === undefined) return undefined;
  const v = parseNumber(value);
  if (v === undefined || !(v > 0) || !Number.isFinite(v)) throw new NlsqRangeError(`${caller}: ${flag} must be a positive number, got ${JSON.stringify(value)}`, flag);
  return v;
}

/**
 * `--global SPEC` → `fit()`'s `global` option: `sobol`, `halton`, `lhs` or `random` with an optional
 * number of starts and seed (`sobol:32`, `lhs:16:7`), or `cmaes` with an optional seed (`cmaes:3`).
 *
 * @param value - the flag's text, or undefined.
 * @param caller - command name for messages.
 * @returns the option, or undefined when the flag is absent.
 * @throws NlsqRangeError naming `--global` for any other text.
 */
export function parseGlobal(value: string | undefined, caller: string): GlobalSearchOptions | undefined {
  if (value === undefined) return undefined;
  const expected = "a sampler with optional starts and seed ('sobol', 'sobol:32', 'lhs:16:7'; samplers sobol, halton, lhs, random) or 'cmaes' with an optional seed ('cmaes:3')";
  const parts = value.trim().split(':');
  const count = (text: string | undefined, what: string, min: number): number | undefined => {
    if (text === undefined) return undefined;
    const v = /^\d+$/.test(text) ? Number(text) : NaN;
    if (!(v >= min)) throw new NlsqRangeError(`${caller}: --global ${what} must be an integer ≥ ${min}, got ${JSON.stringify(text)} in ${JSON.stringify(value)}`, '--global');
    return v;
  };
  const [name, a, b, ...rest] = parts;
  if (rest.length > 0) throw new NlsqRangeError(`${caller}: --global must be ${expected}, got ${JSON.stringify(value)}`, '--global');
  if (name === 'cmaes') {
    if (b !== undefined) throw new NlsqRangeError(`${caller}: --global cmaes takes only a seed ('cmaes:3'), got ${JSON.stringify(value)}`, '--global');
    const seed = count(a, 'seed', 0);
    return { method: 'cmaes', ...(seed === undefined ? {} : { seed }) };
  }
  if (name !== 'sobol' && name !== 'halton' && name !== 'lhs' && name !== 'random') throw new NlsqRangeError(`${caller}: --global must be ${expected}, got ${JSON.stringify(value)}`, '--global');
  const starts = count(a, 'starts', 1);
  const seed = count(b, 'seed', 0);
  return { method: 'multistart', sampler: name, ...(starts === undefined ? {} : { starts }), ...(seed === undefined ? {} : { seed }) };
}
