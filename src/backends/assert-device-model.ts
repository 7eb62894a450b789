/**
 * A backend that evaluates models on its device (`Backend.createModelEvaluator`) takes the
 * model's IR, so it runs *expression* models only: a JS closure cannot run on a device. Forcing
 * such a backend (`backend: 'webgpu'`) with a closure is a clear error, raised before anything is
 * uploaded.
 *
 * @module
 */
import { NlsqTypeError, describeValue } from '../errors.ts';
import type { LowerableModel } from '../model/lower.ts';

/**
 * Assert that a model can run on a device-evaluating backend: an expression model (from
 * `model('…')` or anything carrying its parsed `ast`, `params` and `variables`), which
 * `lowerToProgram` turns into the IR the device's code generator consumes.
 *
 * @param model - the model given to `curveFit`.
 * @param caller - the public function name for the message (default `'curveFit'`).
 * @param backend - the backend's name for the message (default `'webgpu'`).
 * @throws NlsqTypeError (argument `'f'`) for a JS function or any other non-expression model,
 *   saying to use an expression model or another backend.
 * @example
 * ```ts
 * assertDeviceModel((x, a) => a * x);
 * // NlsqTypeError: curveFit: the webgpu backend runs expression models only; f must be an
 * // expression model such as model('a*exp(-b*x)+c'), got a function. Use backend 'cpu' or 'wasm' for JS functions.
 * ```
 */
export function assertDeviceModel(model: unknown, caller: string = 'curveFit', backend: string = 'webgpu'): asserts model is LowerableModel {
  if (isDeviceModel(model)) return;
  throw new NlsqTypeError(
    `${caller}: the ${backend} backend runs expression models only; f must be an expression model such as ` +
      `model('a*exp(-b*x)+c'), got ${describeValue(model)}. Use backend 'cpu' or 'wasm' for JS functions.`,
    'f',
  );
}

/**
 * Whether a model can run on a device-evaluating backend: an expression model carrying its parsed
 * `ast`, `params` and `variables` (what `lowerToProgram` needs).
 *
 * @param model - any value.
 * @returns true for a lowerable expression model.
 */
export function isDeviceModel(model: unknown): model is LowerableModel {
  const candidate = model as Partial<LowerableModel> | null;
  return (
    typeof model === 'object' &&
    candidate !== null &&
    typeof candidate.ast === 'object' &&
    candidate.ast !== null &&
    Array.isArray(candidate.params) &&
    Array.isArray(candidate.variables)
  );
}
