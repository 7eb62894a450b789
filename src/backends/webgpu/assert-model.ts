/**
 * The WebGPU backend evaluates *expression* models only: their IR compiles to WGSL. A JS closure
 * cannot run on the device, so forcing `backend: 'webgpu'` with one is a clear error.
 *
 * @module
 */
import { NlsqTypeError, describeValue } from '../../errors.ts';
import type { LowerableModel } from '../../model/lower.ts';

/**
 * Assert that a model can run on the WebGPU backend: an expression model (from `model('…')` or
 * anything carrying its parsed `ast`, `params` and `variables`), which `lowerToProgram` turns
 * into the IR the WGSL generator consumes.
 *
 * @param model - the model given to `curveFit`.
 * @param caller - the public function name for the message (default `'curveFit'`).
 * @throws NlsqTypeError (argument `'f'`) for a JS function or any other non-expression model,
 *   saying to use an expression model or another backend.
 * @example
 * ```ts
 * assertWebGPUModel((x, a) => a * x);
 * // NlsqTypeError: curveFit: the WebGPU backend runs expression models only; f must be an
 * // expression model such as model('a*exp(-b*x)+c'), got a function. Use backend 'cpu' or 'wasm' for JS functions.
 * ```
 */
export function assertWebGPUModel(model: unknown, caller: string = 'curveFit'): asserts model is LowerableModel {
  const candidate = model as Partial<LowerableModel> | null;
  const ok =
    typeof model === 'object' &&
    candidate !== null &&
    typeof candidate.ast === 'object' &&
    candidate.ast !== null &&
    Array.isArray(candidate.params) &&
    Array.isArray(candidate.variables);
  if (ok) return;
  throw new NlsqTypeError(
    `${caller}: the WebGPU backend runs expression models only; f must be an expression model such as ` +
      `model('a*exp(-b*x)+c'), got ${describeValue(model)}. Use backend 'cpu' or 'wasm' for JS functions.`,
    'f',
  );
}
