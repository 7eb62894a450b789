/**
 * A fit's components: each part of a composite expression model (`a.plus(b)`, `model/compose.ts`)
 * evaluated at the fitted parameters, keyed by prefix — lmfit's `ModelResult.eval_components`
 * (https://lmfit.github.io/lmfit-py/model.html#lmfit.model.ModelResult.eval_components).
 *
 * @module
 */

import { NlsqRangeError } from '../errors.ts';
import { Model } from '../model/model.ts';
import { parseNewX, type NewX } from './bands.ts';
import type { NamedParams } from './named-params.ts';

/**
 * Evaluate each component of `model` at the fitted values.
 *
 * @param caller - e.g. `'curveFit.components'`, for messages.
 * @param model - the fitted model (an expression {@link Model}).
 * @param fitted - the fitted parameters by name (fixed and tied ones included).
 * @param x - the points.
 * @returns key → values, the key a component's prefix, or its name when it has none (with `#2`, `#3`
 *   appended to repeats).
 * @throws NlsqRangeError when `model` is not an expression model.
 */
export function evaluateComponents(caller: string, model: unknown, fitted: NamedParams, x: NewX): Record<string, Float64Array> {
  if (!(model instanceof Model)) {
    throw new NlsqRangeError(`${caller}: components need an expression model (model(...), models.*, or a composite of them); this fit's model is a function`, 'x');
  }
  const cols = parseNewX(caller, x, model.variables.length);
  const out: Record<string, Float64Array> = {};
  for (const part of model.components) {
    const base = part.prefix !== '' ? part.prefix : part.name;
    let key = base;
    for (let k = 2; key in out; k++) key = `${base}#${k}`;
    const theta = part.params.map((name) => fitted[name]!.value);
    out[key] = part.evaluate(theta, part.variables.map((v) => cols[model.variables.indexOf(v)]!));
  }
  return out;
}
