/**
 * Expression models: `model('a*exp(-b*x) + c')` parses an expression, differentiates it
 * symbolically, and yields a {@link FittableModel} whose kernel computes residuals and exact
 * Jacobian rows in one fused pass.
 *
 * @module
 */

import { NlsqRangeError, NlsqTypeError, describeValue } from '../errors.ts';
import type { Node } from './ast.ts';
import { combineParts, prefixTree, substituteParts, type CompositeOperator, type ComposedExpression } from './compose.ts';
import { differentiate } from './differentiate.ts';
import { ExpressionKernel, tryCompile, type CompiledKernels } from './expression-kernel.ts';
import { guessedSet, guessValues } from './guess.ts';
import type { Program } from './ir.ts';
import { lowerNodes, lowerToProgram } from './lower.ts';
import { indicatorBlocks } from './kernel-blocks.ts';
import type { FittableModel, KernelBlock } from './model-kernel.ts';
import type { ParameterSet } from './params.ts';
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
  /**
   * Prepended to every parameter name (`'g1_'` turns a, mu, sigma into g1_a, g1_mu, g1_sigma), so
   * that components of a composite keep their names apart; `params` lists the names without it.
   */
  readonly prefix?: string;
  /** Marks a peak: in a sum, {@link Model.guess} shares the data's peaks out among peak components. */
  readonly peak?: boolean;
  /**
   * The components of a composite (set by {@link Model.plus} and its siblings): what
   * {@link Model.guess} and a result's `components(x)` evaluate one by one.
   */
  readonly components?: readonly Model[];
  /** With `components`: whether the model is their sum (so that peaks are shared out by {@link Model.guess}). */
  readonly additive?: boolean;
  /**
   * Variables that are one-hot row indicators of a stacked model F = Σ_i d_i·f_i (`fitGlobal`'s):
   * on every row of the data exactly one of them is 1 and the others 0. The kernel then carries
   * the blocks (`ModelKernel.blocks`, `kernel-blocks.ts`): the data walk evaluates only the row's
   * own f_i and folds its columns alone. Rows that are not one-hot are folded whole.
   */
  readonly indicators?: readonly string[];
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

/** A block of a stacked model with its own model (the kernel is made per `createKernel`). */
type BlockModel = Omit<KernelBlock, 'kernel' | 'model'> & { readonly model: Model };

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
  /** The parameter-name prefix ('' for none); a composite's components are named by it. */
  readonly prefix: string;
  /** Whether the model is a peak (see {@link ModelOptions.peak}). */
  readonly peak: boolean;
  /** Whether the model is the sum of its {@link Model.components}. */
  readonly additive: boolean;
  /** The one-hot indicator variables of a stacked model (see {@link ModelOptions.indicators}), if any. */
  readonly indicators?: readonly string[];
  readonly #components: readonly Model[] | undefined;
  private readonly compileDefault: boolean;
  private cache: { program?: Program; valueProgram?: Program; derivatives?: string[]; compiled?: CompiledKernels; blocks?: readonly BlockModel[] | null } = {};

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
    const ast = resolveSymbols(parsed.ast, names);
    this.prefix = options.prefix ?? '';
    this.peak = options.peak === true;
    this.additive = options.additive === true;
    this.#components = options.components === undefined ? undefined : Object.freeze([...options.components]);
    // A prefix renames the parameters; the source becomes the renamed expression so that
    // toJSON/fromJSON round-trip without it.
    this.ast = options.prefix === undefined ? ast : prefixTree('model', ast, options.prefix);
    this.source = options.prefix === undefined ? expression : printNode(this.ast);
    this.params = Object.freeze(names.params.map((p) => this.prefix + p));
    this.variables = Object.freeze([...names.variables]);
    this.compileDefault = options.compile ?? true;
    this.name = options.name ?? this.expression;
    if (options.defaultBounds !== undefined) this.defaultBounds = checkBounds(options.defaultBounds, this.params.length);
    if (options.indicators !== undefined) this.indicators = checkIndicators(options.indicators, this.variables);
    if (options.estimateP0 !== undefined) this.estimateP0 = options.estimateP0;
    else if (this.#components !== undefined && this.#components.every((c) => c.estimateP0 !== undefined)) {
      this.estimateP0 = (x, y) => {
        const values = guessValues('model.estimateP0', this.components, this.additive, this.variables, x, y);
        return this.params.map((p) => values.get(p)!);
      };
    }
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
    const blocks = this.blockModels()?.map((b): KernelBlock => ({ ...b, kernel: b.model.createKernel(options) }));
    if (!compile) return new ExpressionKernel(this.program, this.valueProgram, null, blocks);
    if (this.cache.compiled === undefined) this.cache.compiled = tryCompile(this.program, this.valueProgram);
    return new ExpressionKernel(this.program, this.valueProgram, this.cache.compiled, blocks);
  }

  /** The blocks of a stacked model (see {@link ModelOptions.indicators}), each with its own model; undefined when it has none. */
  private blockModels(): readonly BlockModel[] | undefined {
    if (this.indicators === undefined) return undefined;
    if (this.cache.blocks === undefined) {
      const trees = indicatorBlocks(this.ast, this.params.length, this.indicators.map((d) => this.variables.indexOf(d)));
      this.cache.blocks =
        trees?.map((t) => {
          const expression = printNode(t.ast);
          const model = derivedModel(expression, { params: t.columns.map((j) => this.params[j]!), variables: t.variables.map((v) => this.variables[v]!), compile: this.compileDefault, name: `block of a stacked model: ${expression}` });
          return { indicator: t.indicator, variables: t.variables, columns: t.columns, model };
        }) ?? null;
    }
    return this.cache.blocks ?? undefined;
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

  /**
   * The components: the models a composite was built from (each with its prefixed parameters),
   * or `[this]` for a model that is not a composite.
   */
  get components(): readonly Model[] {
    return this.#components ?? [this];
  }

  /**
   * f + g as one expression model (lmfit's `model1 + model2`): parameters this model's, then
   * `other`'s; compiled once, with an exact Jacobian, on every backend.
   * @param other - the model to add. @returns the sum.
   * @throws NlsqRangeError naming a parameter that both models have (give them prefixes).
   */
  plus(other: Model): Model {
    return this.combine('+', other, 'Model.plus');
  }

  /** f − g as one expression model (see {@link Model.plus}). @param other - the model to subtract. @returns the difference. */
  minus(other: Model): Model {
    return this.combine('-', other, 'Model.minus');
  }

  /** f · g as one expression model (see {@link Model.plus}). @param other - the factor. @returns the product. */
  times(other: Model): Model {
    return this.combine('*', other, 'Model.times');
  }

  /** f / g as one expression model (see {@link Model.plus}). @param other - the divisor. @returns the quotient. */
  divide(other: Model): Model {
    return this.combine('/', other, 'Model.divide');
  }

  /**
   * Substitute models for variables: `outer.compose({ x: inner })` is outer(inner(x)), one
   * expression model whose parameters are outer's then the inner models'.
   * @param substitutions - variable name → model. @returns the composition (a single component).
   * @throws NlsqRangeError for an unknown variable or a parameter in two of the models.
   */
  compose(substitutions: Readonly<Record<string, Model>>): Model {
    if (typeof substitutions !== 'object' || substitutions === null) {
      throw new NlsqTypeError(`Model.compose: substitutions must be an object { variable: model }, got ${describeValue(substitutions)}`, 'substitutions');
    }
    const map = new Map<string, Model>();
    for (const [v, m] of Object.entries(substitutions)) {
      if (!(m instanceof Model)) throw new NlsqTypeError(`Model.compose: substitutions.${v} must be a model, got ${describeValue(m)}`, 'substitutions');
      map.set(v, m);
    }
    return fromComposed(substituteParts('Model.compose', this, map), {});
  }

  /**
   * Starting values from the data as a {@link ParameterSet} (lmfit's `guess`): each component's
   * estimator, with peaks shared out in a sum (see `guess.ts`), values clamped into the default
   * bounds, which become min/max.
   * @param x - the points (an array, or one array per variable). @param y - the observations.
   * @returns the set, ready for `curveFit(m, x, y, { params: m.guess(x, y) })`.
   * @throws NlsqRangeError naming a component without an estimator.
   */
  guess(x: ArrayLike<number> | readonly ArrayLike<number>[], y: ArrayLike<number>): ParameterSet {
    const cols = toColumns(x, this.variables.length, 'Model.guess');
    const ys = Float64Array.from(y);
    if (ys.length !== (cols[0]?.length ?? 0)) {
      throw new NlsqRangeError(`Model.guess: y must have length ${cols[0]?.length ?? 0} (one per x value), got ${ys.length}`, 'y', 'ERR_SHAPE');
    }
    const values = guessValues('Model.guess', this.components, this.additive, this.variables, cols, ys);
    return guessedSet(this.params, values, this.defaultBounds);
  }

  private combine(op: CompositeOperator, other: Model, caller: string): Model {
    if (!(other instanceof Model)) throw new NlsqTypeError(`${caller}: other must be a model (e.g. models.linear()), got ${describeValue(other)}`, 'other');
    return fromComposed(combineParts(caller, op, this, other), { components: [...this.components, ...other.components], additive: op === '+' && this.isSum() && other.isSum() });
  }

  /** A sum of components, or a single model (which sums trivially). */
  private isSum(): boolean {
    return this.#components === undefined || this.additive;
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

/** Models built by {@link derivedModel}, by expression and options (least recently used evicted first). */
const derivedModels = new Map<string, Model>();
const DERIVED_MODEL_CACHE_SIZE = 64;

/** The options of a {@link derivedModel}: names and flags only (no functions), so they key a cache. */
export type DerivedModelOptions = Pick<ModelOptions, 'params' | 'variables' | 'indicators' | 'compile' | 'name'>;

/**
 * A model the library derives from others — the stacked model of a global fit and its blocks —
 * shared between equal derivations (the same global fit again, the datasets of one model), so
 * that its program, JS kernel and WASM modules are built once. Models are immutable, so sharing
 * is safe; a bounded LRU cache of 64.
 *
 * @param expression - the expression.
 * @param options - names and flags (see {@link ModelOptions}).
 * @returns the model.
 * @internal used by `global-model.ts` and by the blocks of a stacked model.
 */
export function derivedModel(expression: string, options: DerivedModelOptions): Model {
  const key = JSON.stringify([expression, options.params, options.variables, options.indicators, options.compile, options.name]);
  let m = derivedModels.get(key);
  if (m !== undefined) derivedModels.delete(key);
  else {
    m = new Model(expression, options);
    if (derivedModels.size >= DERIVED_MODEL_CACHE_SIZE) derivedModels.delete(derivedModels.keys().next().value!);
  }
  derivedModels.set(key, m);
  return m;
}

function checkIndicators(indicators: unknown, variables: readonly string[]): readonly string[] {
  if (!Array.isArray(indicators)) {
    throw new NlsqTypeError(`model: indicators must be an array of the model's variable names, got ${describeValue(indicators)}`, 'indicators');
  }
  const bad = (indicators as unknown[]).find((d) => typeof d !== 'string' || !variables.includes(d));
  if (bad !== undefined) {
    throw new NlsqRangeError(`model: indicators must name variables of the model (${variables.join(', ')}), got ${describeValue(bad)}`, 'indicators');
  }
  return Object.freeze([...(indicators as string[])]);
}

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

/** A model from a composed expression. */
function fromComposed(c: ComposedExpression, extra: ModelOptions): Model {
  const isDefault = c.variables.length === 1 && c.variables[0] === 'x';
  return new Model(c.expression, {
    ...extra,
    params: c.params,
    ...(isDefault ? {} : { variables: c.variables }),
    name: c.name,
    ...(c.defaultBounds === undefined ? {} : { defaultBounds: c.defaultBounds }),
  });
}

function toColumns(x: ArrayLike<number> | readonly ArrayLike<number>[], k: number, caller = 'Model.evaluate'): Float64Array[] {
  const nested = x.length > 0 && typeof (x as ArrayLike<unknown>)[0] === 'object';
  const cols = nested ? Array.from(x as readonly ArrayLike<number>[], (c) => Float64Array.from(c)) : [Float64Array.from(x as ArrayLike<number>)];
  if (cols.length !== k) {
    throw new NlsqRangeError(`${caller}: x must have ${k} column${k === 1 ? '' : 's'} (one per variable), got ${cols.length}`, 'x', 'ERR_SHAPE');
  }
  if (cols.some((c) => c.length !== cols[0]!.length)) {
    throw new NlsqRangeError(`${caller}: x columns must have equal lengths`, 'x', 'ERR_SHAPE');
  }
  return cols;
}

/**
 * Create an expression model.
 *
 * The expression grammar: numbers, identifiers, `+ - * /`, `^` (or `**`, right-associative),
 * unary minus (`-x^2` is −(x²)), parentheses, and the functions `exp log log10 log2 sqrt cbrt
 * abs sign sin cos tan asin acos atan atan2 sinh cosh tanh pow min max erf erfc hypot`, and
 * `faddeeva_re(x, y)`, `faddeeva_im(x, y)` (Re and Im of the Faddeeva function w(x + iy), whose real
 * part is the Voigt function: `stats/faddeeva.ts`); constants `pi` and `e` (unless listed as parameters). Derivatives are symbolic; the kernel
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
