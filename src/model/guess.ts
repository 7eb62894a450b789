/**
 * `model.guess(x, y)`: starting values as a {@link ParameterSet}, from the components' own
 * estimators (lmfit's `Model.guess`, https://lmfit.github.io/lmfit-py/model.html#lmfit.model.Model.guess).
 *
 * For a sum of components (built with `plus` only), the components share out the data: each peak
 * component (in the order of the sum) guesses on what the earlier peaks left — its estimate is
 * evaluated and subtracted before the next one guesses, so two Gaussians find two different
 * peaks — with the median of that remainder taken off first when the sum also has a background
 * (so a peak's height is measured from the baseline). The other components then guess on what all
 * peaks left (a linear background fits the baseline). For any other composite each component
 * guesses on the data itself. Each starting value is clamped into its default bounds, which become
 * the set's `min`/`max`.
 *
 * @module
 */

import { NlsqRangeError } from '../errors.ts';
import { params, type ParamInput, type ParameterSet } from './params.ts';

/** What a component needs to guess (a {@link Model} has all of it). */
export interface GuessablePart {
  /** Parameter names. */
  readonly params: readonly string[];
  /** Display name. */
  readonly name: string;
  /** Parameter-name prefix ('' for none). */
  readonly prefix: string;
  /** Whether it is a peak (shares out peaks in a sum). */
  readonly peak: boolean;
  /** Data-driven starting values, in `params` order. */
  readonly estimateP0?: (x: readonly Float64Array[], y: Float64Array) => number[];
  /** Default bounds. */
  readonly defaultBounds?: readonly [readonly number[], readonly number[]];
  /** Variables. */
  readonly variables: readonly string[];
  /** f at many points. */
  evaluate(params: ArrayLike<number>, x: readonly ArrayLike<number>[]): Float64Array;
}

/** The x columns of a component from the composite's columns (by variable name). */
function columnsFor(part: GuessablePart, variables: readonly string[], x: readonly Float64Array[]): Float64Array[] {
  return part.variables.map((v) => x[variables.indexOf(v)]!);
}

function estimate(caller: string, part: GuessablePart, x: readonly Float64Array[], y: Float64Array): number[] {
  if (part.estimateP0 === undefined) {
    throw new NlsqRangeError(
      `${caller}: component ${part.prefix === '' ? part.name : `'${part.prefix}' (${part.name})`} has no estimator, so its parameters (${part.params.join(', ')}) cannot be guessed; give them with params()`,
      'model',
    );
  }
  return part.estimateP0(x, y);
}

function median(v: Float64Array): number {
  const s = Float64Array.from(v).sort();
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Starting values of every parameter of a (composite) model by its components' estimators.
 *
 * @param caller - for messages.
 * @param parts - the components, in order.
 * @param additive - whether the model is the sum of its components.
 * @param variables - the composite's variables (the order of `x`).
 * @param x - the x columns.
 * @param y - the observations.
 * @returns name → starting value.
 * @throws NlsqRangeError for a component without an estimator (naming it), or the estimators' errors.
 */
export function guessValues(caller: string, parts: readonly GuessablePart[], additive: boolean, variables: readonly string[], x: readonly Float64Array[], y: Float64Array): Map<string, number> {
  const values = new Map<string, number>();
  const record = (part: GuessablePart, p: readonly number[]): void => part.params.forEach((name, j) => values.set(name, p[j]!));
  if (!additive) {
    for (const part of parts) record(part, estimate(caller, part, columnsFor(part, variables, x), y));
    return values;
  }
  const rest = Float64Array.from(y);
  const peaks = parts.filter((q) => q.peak);
  const others = parts.filter((q) => !q.peak);
  for (const part of peaks) {
    const cols = columnsFor(part, variables, x);
    const base = others.length > 0 ? median(rest) : 0;
    const p = estimate(caller, part, cols, rest.map((v) => v - base));
    record(part, p);
    const f = part.evaluate(p, cols);
    for (let i = 0; i < rest.length; i++) rest[i]! -= f[i]!;
  }
  for (const part of others) {
    const cols = columnsFor(part, variables, x);
    const p = estimate(caller, part, cols, rest);
    record(part, p);
    const f = part.evaluate(p, cols);
    for (let i = 0; i < rest.length; i++) rest[i]! -= f[i]!;
  }
  return values;
}

/**
 * A parameter set from guessed values: each value clamped into the model's default bounds, which
 * become `min`/`max`.
 *
 * @param names - the model's parameters.
 * @param values - name → value.
 * @param bounds - the model's default bounds, if any.
 * @returns the set.
 */
export function guessedSet(names: readonly string[], values: ReadonlyMap<string, number>, bounds: readonly [readonly number[], readonly number[]] | undefined): ParameterSet {
  const input: Record<string, ParamInput> = {};
  names.forEach((name, j) => {
    const min = bounds?.[0][j] ?? -Infinity;
    const max = bounds?.[1][j] ?? Infinity;
    const v = values.get(name)!;
    const value = Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : Number.isFinite(min) ? min : Number.isFinite(max) ? max : 0;
    input[name] = min === -Infinity && max === Infinity ? value : { value, min, max };
  });
  return params(input);
}
