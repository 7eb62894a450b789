/**
 * Which models' IR programs the library trusts: those it built itself.
 *
 * A backend that compiles a model's IR (`program`) into its own kernel (the WASM generators)
 * replaces the model's `createKernel` with code generated from that IR. For a model the library
 * built, both come from the same expression, so they agree. An arbitrary object that implements
 * `FittableModel` may carry a `program` that is not its kernel's model (a different expression,
 * gradient entries swapped, one function swapped for another), and compiling it would silently
 * fit another model than the one the cpu backend fits. So the IR is taken only from models
 * registered here, by the code that built them (`model()`, `Model.fromJSON`, the model library,
 * through the `Model` constructor): a module-private `WeakMap` (a "private brand", as ECMAScript's
 * `#x in o` checks) that no caller can add an object to. Every other model runs through its own
 * `createKernel`.
 *
 * @module
 */
import type { Program } from './ir.ts';

/** Models the library built → how to get their program (undefined when it can no longer be trusted). */
const built = new WeakMap<object, () => Program | undefined>();

/**
 * Register a model the library built, with the function that returns its IR program.
 *
 * @param model - the model object (e.g. a `Model` instance, from its constructor).
 * @param program - returns the program, computed from the model's own expression — the one its
 *   `createKernel` evaluates — or undefined when the object was altered so that the two may differ.
 * @internal only library code that builds models calls this.
 */
export function registerBuiltModel(model: object, program: () => Program | undefined): void {
  built.set(model, program);
}

/**
 * The IR program of a model the library built, or undefined for any other model (whose
 * `program`, if it has one, is not trusted to be its kernel's model).
 *
 * @param model - a fit's model: a `FittableModel` or a function.
 * @returns the program to compile, or undefined: run the model's own kernel.
 * @example
 * ```ts
 * trustedProgram(model('a*exp(-b*x)'));                      // its program
 * trustedProgram({ ...model('a*x'), program: other.program }); // undefined
 * ```
 */
export function trustedProgram(model: unknown): Program | undefined {
  if ((typeof model !== 'object' && typeof model !== 'function') || model === null) return undefined;
  return built.get(model)?.();
}

/**
 * Whether `model` is one the library built ({@link trustedProgram} would return its program).
 *
 * @param model - anything.
 * @returns true for a model registered by the code that built it.
 */
export function isBuiltModel(model: unknown): boolean {
  return (typeof model === 'object' || typeof model === 'function') && model !== null && built.has(model);
}
