/**
 * The JavaScript parser that closure lifting reads model functions with: acorn
 * (https://github.com/acornjs/acorn), loaded lazily.
 *
 * Nothing imports acorn at module load: the first asynchronous fit that receives a plain
 * function calls {@link loadJsParser}, which runs `import('acorn')` once; afterwards
 * {@link loadedJsParser} hands the loaded parser to synchronous callers too. A synchronous fit
 * in a process that never loaded it does not lift (the fit's `model` choice says so). acorn is
 * pure ECMAScript, so this works in every runtime the library supports.
 *
 * Why not a static import, so that `curveFitSync` could lift from the first call: importing acorn
 * costs about 25 ms in a fresh Node process (`npm run bench -- small`, "import acorn alone") —
 * more than a hundred small fits — and every user who never passes a closure would pay it. A
 * synchronous program that fits closures calls {@link preloadClosureLifting} once at start-up.
 *
 * @module
 */
import type { Expression, Options } from 'acorn';

/** The part of acorn's API that lifting uses. */
export interface JsParser {
  /**
   * Parse one expression starting at `pos` (acorn's `parseExpressionAt`).
   * @param input - source text. @param pos - start offset. @param options - acorn options.
   * @returns the ESTree expression node.
   */
  parseExpressionAt(input: string, pos: number, options: Options): Expression;
}

let parser: JsParser | undefined;
let failure: string | undefined;
let pending: Promise<JsParser | undefined> | undefined;

/** The parser when it has been loaded, else undefined (never loads it). */
export function loadedJsParser(): JsParser | undefined {
  return parser;
}

/** Why loading failed (e.g. acorn is not installed), or undefined when it has not failed. */
export function jsParserFailure(): string | undefined {
  return failure;
}

/**
 * Load acorn once (later calls share the first load).
 *
 * @returns the parser, or undefined when it cannot be loaded ({@link jsParserFailure} says why).
 */
export function loadJsParser(): Promise<JsParser | undefined> {
  if (parser !== undefined) return Promise.resolve(parser);
  pending ??= import('acorn').then(
    (acorn) => {
      parser = { parseExpressionAt: acorn.parseExpressionAt };
      return parser;
    },
    (e: unknown) => {
      failure = e instanceof Error ? e.message : String(e);
      return undefined;
    },
  );
  return pending;
}

/**
 * Load the closure parser now, so that synchronous fits (`curveFitSync`) lift plain model
 * functions to expression models from their first call — as `await curveFit` does by itself.
 * The parser (acorn, ~25 ms to import in a fresh Node process) is otherwise loaded only by the
 * first asynchronous fit that receives a closure. Calling it again costs nothing.
 *
 * @returns true when closures can be lifted from now on; false when the parser cannot be loaded
 *   here (closures are then evaluated per point, and the fit's `choices.model` says why).
 * @example
 * ```ts
 * await preloadClosureLifting();
 * const r = curveFitSync((x, a, b) => a * Math.exp(-b * x), xdata, ydata, { p0: [1, 1] });
 * r.choices.model?.used; // the closure was lifted to an expression
 * ```
 */
export async function preloadClosureLifting(): Promise<boolean> {
  return (await loadJsParser()) !== undefined;
}
