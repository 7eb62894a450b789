/**
 * The `Math` members a lifted closure may use, and what each becomes in the expression language.
 *
 * - Functions of one argument map onto the expression function of the same name
 *   (`Math.exp(u)` → `exp(u)`); `Math.atan2` and `Math.hypot` take exactly two arguments;
 *   `Math.pow(a, b)` becomes `a^b` (the IR `pow` is `Math.pow`); `Math.min` / `Math.max` take
 *   two or more and become nested binary calls (`Math.max(a, b, c)` → `max(max(a, b), c)`, exact:
 *   min and max round nothing and propagate NaN alike).
 * - Constants (`Math.PI`, `Math.E`, `Math.SQRT2`, …) become number literals with the values
 *   ECMAScript specifies, so no name of the expression language (`pi`, `e`) can be captured by a
 *   parameter of the same name.
 *
 * A member outside this table (e.g. `Math.log1p`, `Math.random`) has no counterpart, and the
 * closure is not lifted. ECMA-262 §21.3 (the Math object) is the reference for the semantics.
 *
 * @module
 */
import { userFunctionArity } from '../functions.ts';

/** How a `Math` function call translates. */
export interface MathFunction {
  /** The expression-language function (or `'^'` for `Math.pow`). */
  readonly target: string;
  /** Least number of arguments. */
  readonly minArgs: number;
  /** Largest number of arguments. */
  readonly maxArgs: number;
}

const UNARY = ['exp', 'log', 'log10', 'log2', 'sqrt', 'cbrt', 'abs', 'sign', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh'];

const FUNCTIONS: ReadonlyMap<string, MathFunction> = new Map<string, MathFunction>([
  ...UNARY.map((name): [string, MathFunction] => [name, { target: name, minArgs: 1, maxArgs: 1 }]),
  ['atan2', { target: 'atan2', minArgs: 2, maxArgs: 2 }],
  ['hypot', { target: 'hypot', minArgs: 2, maxArgs: 2 }],
  ['pow', { target: '^', minArgs: 2, maxArgs: 2 }],
  ['min', { target: 'min', minArgs: 2, maxArgs: Infinity }],
  ['max', { target: 'max', minArgs: 2, maxArgs: Infinity }],
]);

/** The value properties of `Math` (ECMA-262 §21.3.1), as literals. */
const CONSTANTS: ReadonlyMap<string, number> = new Map([
  ['PI', 3.141592653589793],
  ['E', 2.718281828459045],
  ['LN2', 0.6931471805599453],
  ['LN10', 2.302585092994046],
  ['LOG2E', 1.4426950408889634],
  ['LOG10E', 0.4342944819032518],
  ['SQRT2', 1.4142135623730951],
  ['SQRT1_2', 0.7071067811865476],
]);

/**
 * The translation of `Math.<name>(…)`, or undefined when the expression language has no such
 * function (checked against the expression language's own function list).
 *
 * @param name - the property name after `Math.`.
 * @returns its arity range and target, or undefined.
 */
export function mathFunction(name: string): MathFunction | undefined {
  const f = FUNCTIONS.get(name);
  if (f === undefined) return undefined;
  return f.target === '^' || userFunctionArity(f.target) !== undefined ? f : undefined;
}

/**
 * The value of `Math.<name>` for a constant, or undefined.
 *
 * @param name - the property name after `Math.`.
 * @returns the number.
 */
export function mathConstant(name: string): number | undefined {
  return CONSTANTS.get(name);
}
