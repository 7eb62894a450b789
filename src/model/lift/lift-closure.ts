/**
 * Closure lifting: a plain model function `(x, a, b, c) => a * Math.exp(-b * x) + c` turned
 * into the expression model `model('a*exp(-b*x) + c')`, so that it gets exact symbolic
 * derivatives and runs on every backend (the compiled JS, WASM and WGSL kernels included).
 *
 * The steps: read the function's source with `Function.prototype.toString` (never the
 * function's own, possibly overridden, `toString`); parse it with acorn (`js-parser.ts`, loaded
 * lazily); translate the accepted subset into an expression tree (`translate.ts`); print it and
 * build a {@link Model} from the text with the function's parameter and variable names; finally
 * check the model against the closure at a few points (`verify-lift.ts`). Nothing of the source
 * is evaluated or pasted into generated code: the model is built from the translated tree.
 *
 * Translation results are cached per function (and per k, p and constants), so refitting the
 * same closure parses it once; the check against the closure runs on every fit, with its data.
 *
 * @module
 */
import { NlsqError } from '../../errors.ts';
import type { ModelFunction } from '../closure-kernel.ts';
import type { DataColumns } from '../model-kernel.ts';
import { Model } from '../model.ts';
import { printNode } from '../printer.ts';
import { jsParserFailure, loadedJsParser } from './js-parser.ts';
import { translateFunction } from './translate.ts';
import { verifyLift } from './verify-lift.ts';

/** What lifting did with a closure: the lifted model, or why it was not lifted. */
export type ClosureLift =
  | {
      /** The closure became an expression model. */
      readonly lifted: true;
      /** The lifted model (an ordinary expression model: kernels, derivatives, JSON). */
      readonly model: Model;
    }
  | {
      /** The closure is evaluated per point. */
      readonly lifted: false;
      /** Why, with what the caller can do about it (e.g. `free variable \`k\` at 1:23; pass \`constants\` or use model()`). */
      readonly reason: string;
    };

/** What {@link liftClosure} needs. */
export interface LiftRequest {
  /** The user's model function. */
  readonly f: ModelFunction;
  /** Number of independent variables k. */
  readonly k: number;
  /** Number of parameters p. */
  readonly p: number;
  /** Values of the closure's free identifiers (the `constants` option). */
  readonly constants: ReadonlyMap<string, number>;
  /** The fit's data (points for the check). */
  readonly data: DataColumns;
  /** The starting parameters (for the check). */
  readonly theta: Float64Array;
}

type Translated = { readonly model: Model } | { readonly reason: string };

const cache = new WeakMap<object, Map<string, Translated>>();

/** `Function.prototype.toString` as it was when this module loaded (a later replacement cannot lie to the lifter). */
const functionSource = Function.prototype.toString;

const NATIVE = /\{\s*\[native code\]\s*\}\s*$/;

function notLifted(reason: string): ClosureLift {
  return { lifted: false, reason };
}

function cacheKey(request: LiftRequest): string {
  const constants = [...request.constants].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${request.k}|${request.p}|${constants.map(([name, v]) => `${name}=${v}`).join(',')}`;
}

/** Parse and translate the closure's source into a model, or say why not. */
function translateClosure(request: LiftRequest): Translated {
  const parser = loadedJsParser();
  if (parser === undefined) {
    const failure = jsParserFailure();
    return failure === undefined
      ? { reason: 'parser not loaded in a synchronous call (an async curveFit or fit loads it, or await preloadClosureLifting() once); use curveFit or model()' }
      : { reason: `the JavaScript parser (acorn) could not be loaded (${failure}); use model()` };
  }
  let source: string;
  try {
    source = functionSource.call(request.f);
  } catch {
    return { reason: 'its source cannot be read; use model()' };
  }
  if (NATIVE.test(source)) return { reason: 'it is a built-in or bound function, whose source cannot be read; use model()' };
  let ast;
  try {
    ast = parser.parseExpressionAt(source, 0, { ecmaVersion: 'latest', sourceType: 'script', locations: true });
  } catch (e) {
    return { reason: `its source does not parse as a function expression (${e instanceof Error ? e.message : String(e)}); use model()` };
  }
  if (source.slice(ast.end).trim() !== '') return { reason: 'its source does not parse as one function expression; use model()' };
  const translated = translateFunction(ast, { k: request.k, p: request.p, constants: request.constants });
  if ('refused' in translated) {
    return { reason: `${translated.reason}; ${translated.freeVariable ? 'pass `constants` or use model()' : 'use model()'}` };
  }
  try {
    return { model: new Model(printNode(translated.tree), { params: translated.params, variables: translated.variables }) };
  } catch (e) {
    if (e instanceof NlsqError) return { reason: `the expression model rejects it (${e.message}); use model()` };
    throw e;
  }
}

/**
 * Lift a closure to an expression model (see the module documentation).
 *
 * @param request - the closure, the fit's shape, the constants, data and starting point.
 * @returns the lifted model, or the reason it was not lifted.
 * @example
 * ```ts
 * await loadJsParser();
 * const r = liftClosure({ f: (x, a, b) => a * Math.exp(-b * x), k: 1, p: 2, constants: new Map(), data, theta });
 * r.lifted && r.model.expression; // 'a*exp(-b*x)'
 * ```
 */
export function liftClosure(request: LiftRequest): ClosureLift {
  let perFunction = cache.get(request.f);
  if (perFunction === undefined) {
    perFunction = new Map();
    cache.set(request.f, perFunction);
  }
  const key = cacheKey(request);
  let translated = perFunction.get(key);
  if (translated === undefined) {
    translated = translateClosure(request);
    // A refusal for want of a parser is not kept: a later call may have it.
    if ('model' in translated || loadedJsParser() !== undefined) perFunction.set(key, translated);
  }
  if (!('model' in translated)) return notLifted(translated.reason);
  const disagreement = verifyLift(translated.model, request.f, request.data, request.theta);
  return disagreement === undefined ? { lifted: true, model: translated.model } : notLifted(`${disagreement}; use model()`);
}
