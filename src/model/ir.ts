/**
 * The target-independent intermediate representation (IR) of an expression model.
 *
 * A {@link Program} is a straight-line program in static single assignment form that computes,
 * for one data point, the model value f(x; θ) and every partial derivative ∂f/∂θ_j. It is what
 * every code generator consumes: the JS compiler and the interpreter in this folder, and the
 * WGSL / WASM generators of the other backends. It is produced from the parsed expression by
 * symbolic differentiation, simplification and common-subexpression elimination (hash-consing),
 * so a subexpression shared by f and several derivatives (e.g. `exp(-b*x)` in
 * `a*exp(-b*x)+c`) is computed exactly once.
 *
 * ## Layout
 *
 * - `instructions[i]` defines temporary `i` (`{ kind: 'tmp', index: i }`); an instruction only
 *   reads constants, parameters, variables and temporaries with a smaller index.
 * - `value` is the operand holding f; `gradient[j]` the operand holding ∂f/∂θ_j
 *   (`gradient.length === params.length`). Either may be a constant, a parameter, a variable or
 *   a temporary.
 * - Parameters are read from the parameter vector θ (`index` into `params`), variables from the
 *   data columns (`index` into `variables`) at the current point.
 *
 * ## Operation semantics (IEEE-754 binary64; a target must reproduce them)
 *
 * | op    | args   | result                                                                 |
 * |-------|--------|------------------------------------------------------------------------|
 * | `add` | a, b   | a + b                                                                  |
 * | `sub` | a, b   | a − b                                                                  |
 * | `mul` | a, b   | a · b                                                                  |
 * | `div` | a, b   | a / b (IEEE: ±∞ or NaN on division by zero)                            |
 * | `neg` | a      | −a (sign flip, exact)                                                  |
 * | `pow` | a, b   | `Math.pow(a, b)`: for negative a it is real only when b is an integer  |
 * |       |        | (then (−1)^b·|a|^b); NaN otherwise. `pow(a, 0) = 1` for every a.       |
 * | `call`| fn, …  | one of {@link IR_FUNCTIONS}, with the semantics listed there           |
 *
 * Integer powers with small exponents (|n| ≤ 4) never reach `pow`: lowering expands them into
 * `mul` (and one `div` for negative n) by binary exponentiation, so `x^2` is `x*x`. A `pow` whose
 * exponent is a constant integer may still appear (e.g. `x^7`); targets whose `pow` is undefined
 * for negative bases (WGSL) must compute such a power as sign-corrected `|a|^n`.
 *
 * Functions (`call`, `fn` is the name) — all as JavaScript's `Math` unless noted:
 * `exp log log10 log2 sqrt cbrt abs sin cos tan asin acos atan sinh cosh tanh` (one argument),
 * `atan2(y, x)`, `min(a, b)`, `max(a, b)`, `hypot(a, b)` (two arguments), and
 * - `sign(a)`: −1, 0 or 1; `sign(0) = 0` (and `sign(−0) = −0`), `sign(NaN) = NaN`;
 * - `erf(a)`, `erfc(a)`: the error function and its complement in double precision
 *   (W. J. Cody's rational Chebyshev approximations, relative error < 1e−15; see `erf.ts`);
 * - `faddeeva_re(x, y)`, `faddeeva_im(x, y)`: Re w(z) and Im w(z) of the Faddeeva function
 *   w(z) = exp(−z²)·erfc(−iz) at z = x + iy (Weideman's N = 32 rational approximation for |z| < 8,
 *   the Laplace continued fraction beyond, the reflection w(z) = 2exp(−z²) − w(−z) for y < 0;
 *   error below 3.2e−13·|w|; see `stats/faddeeva.ts`). Re w is the Voigt function;
 * - `step(a)`: the Heaviside step with `step(a) = 1` for a ≥ 0, 0 for a < 0, NaN for NaN. It
 *   only appears in derivatives: d min(a,b) = a'·step(b−a) + b'·(1 − step(b−a)), likewise max.
 *
 * Derivative conventions at non-smooth points: d|a| = sign(a)·a' (so 0 at a = 0); d sign(a) = 0;
 * d min / d max take the first argument's derivative on ties.
 *
 * @module
 */


/** An instruction operand: an inline constant, a parameter θ_j, a variable x_k or a temporary. */
export type Operand =
  | {
      /** An inline constant. */
      readonly kind: 'const';
      /** The constant's value. */
      readonly value: number;
    }
  | {
      /** A parameter θ_j. */
      readonly kind: 'param';
      /** j, the index into `params` (and the parameter vector θ). */
      readonly index: number;
    }
  | {
      /** A variable x_k at the current point. */
      readonly kind: 'var';
      /** k, the index into `variables` (and the data columns). */
      readonly index: number;
    }
  | {
      /** A temporary, defined by an earlier instruction. */
      readonly kind: 'tmp';
      /** The index of the instruction that defines it. */
      readonly index: number;
    };

/** Operation codes of the IR; see the module documentation for their exact semantics. */
export type Op = 'add' | 'sub' | 'mul' | 'div' | 'neg' | 'pow' | 'call';

/** Names of the functions an IR `call` may name, with their arity. */
export const IR_FUNCTIONS: Readonly<Record<IrFunctionName, number>> = Object.freeze({
  exp: 1, log: 1, log10: 1, log2: 1, sqrt: 1, cbrt: 1, abs: 1, sign: 1,
  sin: 1, cos: 1, tan: 1, asin: 1, acos: 1, atan: 1, sinh: 1, cosh: 1, tanh: 1,
  erf: 1, erfc: 1, step: 1,
  atan2: 2, min: 2, max: 2, hypot: 2, faddeeva_re: 2, faddeeva_im: 2,
});

/** A function an IR `call` may name. */
export type IrFunctionName =
  | 'exp' | 'log' | 'log10' | 'log2' | 'sqrt' | 'cbrt' | 'abs' | 'sign'
  | 'sin' | 'cos' | 'tan' | 'asin' | 'acos' | 'atan' | 'sinh' | 'cosh' | 'tanh'
  | 'erf' | 'erfc' | 'step' | 'atan2' | 'min' | 'max' | 'hypot' | 'faddeeva_re' | 'faddeeva_im';

/** One SSA instruction; instruction i defines temporary i. `fn` is present exactly when `op === 'call'`. */
export interface Instr {
  /** Operation code. */
  readonly op: Op;
  /** The function called, for `op === 'call'`. */
  readonly fn?: IrFunctionName;
  /** Operands: 2 for add/sub/mul/div/pow, 1 for neg, the function's arity for call. */
  readonly args: readonly Operand[];
}

/** A straight-line program computing f and ∂f/∂θ_j at one point (see the module documentation). */
export interface Program {
  /** Parameter names θ_0 … θ_{p−1}. */
  readonly params: readonly string[];
  /** Variable names x_0 … x_{k−1}. */
  readonly variables: readonly string[];
  /** The instructions, in evaluation order. */
  readonly instructions: readonly Instr[];
  /** Where f ends up. */
  readonly value: Operand;
  /** Where ∂f/∂θ_j ends up, one per parameter. */
  readonly gradient: readonly Operand[];
}
