/**
 * The functions model expressions may call: names, arities and their double-precision
 * implementations.
 *
 * The same implementation objects are used by constant folding, the IR interpreter and the
 * compiled JS kernels, so all three give bit-for-bit identical results.
 *
 * @module
 */

import { erf, erfc } from '../stats/erf.ts';
import { faddeevaIm, faddeevaRe } from '../stats/faddeeva.ts';
import type { IrFunctionName } from './ir.ts';

/** Heaviside step: 1 for a ≥ 0, 0 for a < 0, NaN for NaN (used by derivatives of min/max). */
function step(a: number): number {
  return a >= 0 ? 1 : a < 0 ? 0 : NaN;
}

/**
 * Implementations of every IR function (see `ir.ts` for their semantics). A frozen object with a
 * null prototype, so a lookup by a user-supplied name never reaches `Object.prototype`.
 */
export const RUNTIME_FUNCTIONS: Readonly<Record<IrFunctionName, (...args: number[]) => number>> = Object.freeze(
  Object.assign(Object.create(null) as Record<IrFunctionName, (...args: number[]) => number>, {
    exp: Math.exp, log: Math.log, log10: Math.log10, log2: Math.log2, sqrt: Math.sqrt, cbrt: Math.cbrt,
    abs: Math.abs, sign: Math.sign, sin: Math.sin, cos: Math.cos, tan: Math.tan, asin: Math.asin,
    acos: Math.acos, atan: Math.atan, sinh: Math.sinh, cosh: Math.cosh, tanh: Math.tanh,
    erf, erfc, step, atan2: Math.atan2, min: Math.min, max: Math.max, hypot: Math.hypot,
    faddeeva_re: faddeevaRe, faddeeva_im: faddeevaIm,
  }),
);

/** `Math.pow`, the implementation of the IR `pow` op and of `^`. */
export const runtimePow: (a: number, b: number) => number = Math.pow;

/**
 * Functions callable from user expressions, with their arity. `pow(a, b)` is accepted as a
 * synonym of `a^b`. `step` is internal (it only appears in derivatives) and not callable.
 */
const USER_FUNCTIONS: ReadonlyMap<string, number> = new Map([
  ['exp', 1], ['log', 1], ['log10', 1], ['log2', 1], ['sqrt', 1], ['cbrt', 1], ['abs', 1], ['sign', 1],
  ['sin', 1], ['cos', 1], ['tan', 1], ['asin', 1], ['acos', 1], ['atan', 1], ['sinh', 1], ['cosh', 1],
  ['tanh', 1], ['erf', 1], ['erfc', 1], ['atan2', 2], ['pow', 2], ['min', 2], ['max', 2], ['hypot', 2],
  ['faddeeva_re', 2], ['faddeeva_im', 2],
]);

/**
 * Arity of a user-callable function, or undefined when `name` is not one.
 *
 * @param name - identifier as written in the expression.
 * @returns the number of arguments it takes, or undefined.
 */
export function userFunctionArity(name: string): number | undefined {
  return USER_FUNCTIONS.get(name);
}

/** Names of all user-callable functions, for error messages. */
export function userFunctionNames(): string[] {
  return [...USER_FUNCTIONS.keys()];
}

/**
 * True when `name` is an IR function name (see {@link RUNTIME_FUNCTIONS}).
 *
 * @param name - function name.
 */
export function isIrFunction(name: string): name is IrFunctionName {
  return Object.prototype.hasOwnProperty.call(RUNTIME_FUNCTIONS, name);
}
