/**
 * The options every library model factory takes: `models.gaussian({ prefix: 'g1_' })`.
 *
 * @module
 */

import { describeValue, NlsqTypeError } from '../../errors.ts';
import type { ModelOptions } from '../model.ts';

/** Options of the library model factories. */
export interface LibraryModelOptions {
  /**
   * Prepended to every parameter name, e.g. `'g1_'` (g1_a, g1_mu, g1_sigma), so that components of
   * a composite (`a.plus(b)`) keep their names apart and a result's `components(x)` is keyed by it.
   */
  readonly prefix?: string;
}

/**
 * The {@link ModelOptions} a factory adds from its {@link LibraryModelOptions}.
 *
 * @param caller - e.g. `'models.gaussian'`, for messages.
 * @param options - the factory's options.
 * @param peak - whether the model is a peak (see {@link ModelOptions.peak}).
 * @returns prefix and peak options.
 * @throws NlsqTypeError when `options` is not an object or `prefix` not a string.
 */
export function libraryOptions(caller: string, options: LibraryModelOptions | undefined, peak = false): Pick<ModelOptions, 'prefix' | 'peak'> {
  if (options === undefined) return peak ? { peak } : {};
  if (typeof options !== 'object' || options === null) throw new NlsqTypeError(`${caller}: options must be an object { prefix }, got ${describeValue(options)}`, 'options');
  if (options.prefix !== undefined && typeof options.prefix !== 'string') {
    throw new NlsqTypeError(`${caller}: prefix must be a string such as 'g1_', got ${describeValue(options.prefix)}`, 'prefix');
  }
  return { ...(options.prefix === undefined || options.prefix === '' ? {} : { prefix: options.prefix }), ...(peak ? { peak } : {}) };
}
