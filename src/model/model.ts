/**
 * Expression models: `model('a*exp(-b*x) + c')` parses an expression, differentiates it
 * symbolically, and yields a {@link FittableModel} whose kernel computes residuals and exact
 * Jacobian rows in one fused pass.
 *
 * @module
 */

import { NlsqRangeError, NlsqTypeError, describeValue } from '../errors.ts';
import type { Node } from './ast.ts';
import { differentiate } from './differentiate.ts';
import { ExpressionKernel, tryCompile, type CompiledKernels } from './expression-kernel.ts';
import type { Program } from './ir.ts';
import { lowerNodes, lowerToProgram } from './lower.ts';
import type { FittableModel } from './model-kernel.ts';
import { parseExpression } from './parser.ts';
import { printNode } from './printer.ts';
import { resolveNames, resolveSymbols } from './resolve.ts';
import { registerBuiltModel } from './trusted-program.ts';
import { simplify } from './simplify.ts';

/** The format version {@link Model.toJSON} writes and {@link Model.fromJSON} reads. */
export const MODEL_JSON_VERSION = 1;

/**
 * Largest program (f and its derivatives, in IR instructions) compiled to JavaScript: 2^15.
 * A larger one runs on the IR interpreter, with identical results — a generated function that
 * long needs a stack frame larger than engines give.
 */
export const MAX_COMPILED_INSTRUCTIONS = 2 ** 15;

/** Options of {@link model}. */
export interface ModelOptions {
  /** Parameter names in order (default: identifiers that are not variables or constants, by first appearance). */
  readonly params?: readonly string[];
  /** Variable names (default `['x']`); each one listed must appear in the expression. */
  readonly variables?: readonly string[];
  /** Default for {@link Model.createKernel}: false forces the interpreter (default true). */
  readonly compile?: boolean;
  /** A display name. */
  readonly name?: string;
  /** Data-driven starting values (library models). */
  readonly estimateP0?: (x: readonly Float64Array[], y: Float64Array) => number[];
  /** Default bounds [lb, ub] (library models). */
  readonly defaultBounds?: readonly [readonly number[], readonly number[]];
}

/** The JSON form of a {@link Model} (see {@link Model.toJSON}); crosses to a Web Worker. */
export interface ModelJSON {
  /** Format tag. */
  readonly type: 'nlsq.model';
  /** Format version. */
  readonly version: 1;
  /** The expression as given. */
  readonly expression: string;
  /** Parameter names. */
  readonly params: readonly string[];
  /** Variable names. */
  readonly variables: readonly string[];
  /** Display name, if any. */
  readonly name?: string;
  /** Default bounds, if any. */
  readonly defaultBounds?: readonly [readonly number[], readonly number[]];
}

/** An expression model; create one with {@link model}. Immutable. */
export class Model implements FittableModel {
  /** The expression as given by the user. */
  readonly source: string;
  /** The resolved expression tree. */
  readonly ast: Node;
  /** Parameter names, in the order of p0 and popt. */
  readonly params: readonly string[];
  /** Variable names. */
  readonly variables: readonly string[];
  /** Display name (defaults to the pretty-printed expression). */
  readonly name: string;
  /** Default bounds [lb, ub], when the model defines them. */
  readonly defaultBounds?: readonly [readonly number[], readonly number[]];
  /** Data-driven starting values, when the model defines them. */
  readonly estimateP0?: (x: readonly Float64Array[], y: Float64Array) => number[];
  private readonly compileDefault: boolean;
  private cache: { program?: Program; valueProgram?: Program; derivatives?: string[]; compiled?: CompiledKernels } = {};

  /**
   * Prefer {@link model}. @param expression - the expression. @param options - see {@link ModelOptions}.
   * @throws ModelParseError on a syntax error or unknown name; NlsqRangeError on invalid or unused
   *   names, malformed default bounds, or an expression past the parser's size limit;
   *   NlsqTypeError on options of the wrong type.
   */
  constructor(expression: string, options: ModelOptions = {}) {
    if (typeof options !== 'object' || options === null) {
      throw new NlsqTypeError(`model: options must be an object, got ${describeValue(options)}`, 'options');
    }
    checkOptionTypes(options);
    const parsed = parseExpression(expression);
    const names = resolveNames(parsed, expression, options.params, options.variables);
    this.source = expression;
    this.params = Object.freeze([...names.params]);
    this.variables = Object.freeze([...names.variables]);
    this.ast = resolveSymbols(parsed.ast, names);
    this.compileDefault = options.compile ?? true;
    this.name = options.name ?? this.expression;
    if (options.defaultBounds !== undefined) this.defaultBounds = checkBounds(options.defaultBounds, this.params.length);
    if (options.estimateP0 !== undefined) this.estimateP0 = options.estimateP0;
    // Only a plain Model is trusted to compile its IR in place of createKernel: a subclass may
    // override either; an instance may be given its own createKernel or program afterwards.
    if (new.target === Model) registerBuiltModel(this, () => (this.isUnaltered() ? this.builtProgram() : undefined));
  }

  /** Whether this instance still evaluates its own program: Model's `createKernel` and `program`, none of its own. */
  private isUnaltered(): boolean {
    return (
      Object.getPrototypeOf(this) === Model.prototype &&
      !Object.prototype.hasOwnProperty.call(this, 'createKernel') &&
      !Object.prototype.hasOwnProperty.call(this, 'program') &&
      this.createKernel === MODEL_CREATE_KERNEL
    );
  }

  private builtProgram(): Program {
    this.cache.program ??= lowerToProgram(this);
    return this.cache.program;
  }

  /** The expression, pretty-printed with minimal parentheses. */
  get expression(): string {
    return printNode(this.ast);
  }

  /** ∂f/∂θ_j for each parameter, simplified and pretty-printed. */
  get derivatives(): readonly string[] {
    if (this.cache.derivatives === undefined) {
      const f = simplify(this.ast); // once: the derivatives share its product chains
      this.cache.derivatives = this.params.map((_, j) => printNode(simplify(differentiate(f, j)), true));
    }
    return this.cache.derivatives;
  }

  /** The IR program (f and gradient, with CSE); see `ir.ts`. */
  get program(): Program {
    return this.builtProgram();
  }

  /** The IR program computing only f. */
  get valueProgram(): Program {
    if (this.cache.valueProgram === undefined) {
      const { instructions, roots } = lowerNodes([simplify(this.ast)]);
      this.cache.valueProgram = { params: this.params, variables: this.variables, instructions, value: roots[0]!, gradient: [] };
    }
    return this.cache.valueProgram;
  }

  /**
   * A kernel for block evaluation: fused residual rows with exact derivatives.
   *
   * @param options - `compile: false` forces the IR interpreter (default: the model's `compile`
   *   option); a program of more than 2^15 instructions (`MAX_COMPILED_INSTRUCTIONS`) is always
   *   interpreted.
   * @returns an {@link ExpressionKernel} (`mode` tells whether it is compiled).
   */
  createKernel(options: { readonly compile?: boolean } = {}): ExpressionKernel {
    const compile = (options.compile ?? this.compileDefault) && this.program.instructions.length <= MAX_COMPILED_INSTRUCTIONS;
    if (!compile) return new ExpressionKernel(this.program, this.valueProgram, null);
    if (this.cache.compiled === undefined) this.cache.compiled = tryCompile(this.program, this.valueProgram);
    return new ExpressionKernel(this.program, this.valueProgram, this.cache.compiled);
  }

  /**
   * Evaluate f at many points.
   *
   * @param params - θ (length p).
   * @param x - the points: an array of numbers when the model has one variable, else an array of
   *   k columns of equal length.
   * @returns f at each point.
   * @throws NlsqRangeError on wrong lengths.
   */
  evaluate(params: ArrayLike<number>, x: ArrayLike<number> | readonly ArrayLike<number>[]): Float64Array {
    if (params.length !== this.params.length) {
      throw new NlsqRangeError(`Model.evaluate: params must have length ${this.params.length} (${this.params.join(', ')}), got ${params.length}`, 'params', 'ERR_SHAPE');
    }
    const cols = toColumns(x, this.variables.length);
    const n = cols[0]?.length ?? 0;
    const out = new Float64Array(n);
    const kernel = this.createKernel();
    kernel.residuals(Float64Array.from(params), { x: cols, y: new Float64Array(n), w: null }, 0, n, out, 0, 1);
    return out;
  }

  /** The JSON form: expression, names and bounds (functions such as `estimateP0` do not travel). */
  toJSON(): ModelJSON {
    const json: ModelJSON = { type: 'nlsq.model', version: MODEL_JSON_VERSION, expression: this.source, params: [...this.params], variables: [...this.variables], name: this.name };
    return this.defaultBounds === undefined ? json : { ...json, defaultBounds: this.defaultBounds };
  }

  /**
   * Rebuild a model from {@link Model.toJSON} output (e.g. inside a Web Worker).
   *
   * @param json - the JSON object (or its string form), of format version 1 (`MODEL_JSON_VERSION`).
   * @returns the model.
   * @throws NlsqTypeError when `json` is not a model's JSON (text that is not JSON included);
   *   NlsqRangeError for another format version; the errors of {@link model} for its contents.
   */
  static fromJSON(json: ModelJSON | string): Model {
    let obj: unknown = json;
    if (typeof json === 'string') {
      try {
        obj = JSON.parse(json);
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        throw new NlsqTypeError(`model.fromJSON: json must be the output of Model.toJSON() or its JSON text, got text that is not JSON (${why})`, 'json', { cause: e });
      }
    }
    const o = obj as Partial<Record<keyof ModelJSON, unknown>> | null;
    if (o === null || typeof o !== 'object' || o.type !== 'nlsq.model' || typeof o.expression !== 'string') {
      throw new NlsqTypeError(`model.fromJSON: json must be the output of Model.toJSON(), got ${describeValue(obj)}`, 'json');
    }
    if (o.version !== MODEL_JSON_VERSION) {
      throw new NlsqRangeError(`model.fromJSON: json.version must be ${MODEL_JSON_VERSION} (the model format this version of nlsq reads), got ${describeValue(o.version)}`, 'json');
    }
    // toJSON always lists the variables; the default ['x'] is passed as the default, so that a
    // model that does not use x (model('a')) comes back as it was made.
    const vars = o.variables;
    const isDefault = Array.isArray(vars) && vars.length === 1 && vars[0] === 'x';
    return new Model(o.expression, {
      ...(o.params !== undefined ? { params: o.params as readonly string[] } : {}),
      ...(vars !== undefined && !isDefault ? { variables: vars as readonly string[] } : {}),
      ...(o.name !== undefined ? { name: o.name as string } : {}),
      ...(o.defaultBounds !== undefined ? { defaultBounds: o.defaultBounds as readonly [readonly number[], readonly number[]] } : {}),
    });
  }
}

/** Model's own createKernel, as loaded: a model whose createKernel is another is not trusted. */
const MODEL_CREATE_KERNEL = Model.prototype.createKernel;

function checkOptionTypes(options: ModelOptions): void {
  if (options.compile !== undefined && typeof options.compile !== 'boolean') {
    throw new NlsqTypeError(`model: compile must be a boolean, got ${describeValue(options.compile)}`, 'compile');
  }
  if (options.name !== undefined && typeof options.name !== 'string') {
    throw new NlsqTypeError(`model: name must be a string, got ${describeValue(options.name)}`, 'name');
  }
  if (options.estimateP0 !== undefined && typeof options.estimateP0 !== 'function') {
    throw new NlsqTypeError(`model: estimateP0 must be a function (x, y) => p0, got ${describeValue(options.estimateP0)}`, 'estimateP0');
  }
}

function checkBounds(bounds: unknown, p: number): readonly [readonly number[], readonly number[]] {
  const shape = `[lb, ub], two arrays of ${p} numbers (one per parameter)`;
  if (!Array.isArray(bounds) || bounds.length !== 2) {
    throw new NlsqRangeError(`model: defaultBounds must be ${shape}, got ${describeValue(bounds)}`, 'defaultBounds', 'ERR_SHAPE');
  }
  const sides = bounds.map((side: unknown, s: number) => {
    const name = s === 0 ? 'lb' : 'ub';
    if (!Array.isArray(side) || side.length !== p) {
      throw new NlsqRangeError(`model: defaultBounds must be ${shape}, got ${name} = ${describeValue(side)}`, 'defaultBounds', 'ERR_SHAPE');
    }
    const bad = side.findIndex((v: unknown) => typeof v !== 'number' || Number.isNaN(v));
    if (bad >= 0) {
      throw new NlsqRangeError(`model: defaultBounds ${name}[${bad}] must be a number (±Infinity for none), got ${describeValue(side[bad])}`, 'defaultBounds', 'ERR_NON_FINITE');
    }
    return Object.freeze([...(side as number[])]);
  });
  const [lb, ub] = sides as [readonly number[], readonly number[]];
  const j = lb.findIndex((l, i) => !(l < ub[i]!));
  if (j >= 0) {
    throw new NlsqRangeError(`model: defaultBounds must have each lower bound strictly less than its upper bound, got lb[${j}] = ${lb[j]} ≥ ub[${j}] = ${ub[j]}`, 'defaultBounds');
  }
  return [lb, ub];
}

function toColumns(x: ArrayLike<number> | readonly ArrayLike<number>[], k: number): Float64Array[] {
  const nested = x.length > 0 && typeof (x as ArrayLike<unknown>)[0] === 'object';
  const cols = nested ? Array.from(x as readonly ArrayLike<number>[], (c) => Float64Array.from(c)) : [Float64Array.from(x as ArrayLike<number>)];
  if (cols.length !== k) {
    throw new NlsqRangeError(`Model.evaluate: x must have ${k} column${k === 1 ? '' : 's'} (one per variable), got ${cols.length}`, 'x', 'ERR_SHAPE');
  }
  if (cols.some((c) => c.length !== cols[0]!.length)) {
    throw new NlsqRangeError('Model.evaluate: x columns must have equal lengths', 'x', 'ERR_SHAPE');
  }
  return cols;
}

/**
 * Create an expression model.
 *
 * The expression grammar: numbers, identifiers, `+ - * /`, `^` (or `**`, right-associative),
 * unary minus (`-x^2` is −(x²)), parentheses, and the functions `exp log log10 log2 sqrt cbrt
 * abs sign sin cos tan asin acos atan atan2 sinh cosh tanh pow min max erf erfc hypot`;
 * constants `pi` and `e` (unless listed as parameters). Derivatives are symbolic; the kernel
 * computes f and ∂f/∂θ with shared subexpressions computed once.
 *
 * @param expression - e.g. `'a*exp(-b*x) + c'`.
 * @param options - names, compile default, display name (see {@link ModelOptions}).
 * @returns the model.
 * @throws ModelParseError on a syntax error, unknown function, wrong arity or unknown name.
 * @example
 * ```ts
 * const m = model('a*exp(-b*x) + c');
 * m.params;       // ['a', 'b', 'c']
 * m.derivatives;  // ['exp(-b*x)', '-(a*(x*exp(-b*x)))', '1']
 * ```
 */
export const model: ((expression: string, options?: ModelOptions) => Model) & {
  /** Rebuild a model from the output of {@link Model.toJSON} (or its string form); see {@link Model.fromJSON}. */
  fromJSON: (json: ModelJSON | string) => Model;
} = Object.assign(
  (expression: string, options?: ModelOptions): Model => new Model(expression, options),
  { fromJSON: (json: ModelJSON | string): Model => Model.fromJSON(json) },
);
