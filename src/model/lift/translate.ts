/**
 * Translate the ESTree of a model function into an expression tree (`ast.ts` nodes), or say
 * why it cannot be.
 *
 * The accepted subset is what real model functions are written in:
 *
 * - an arrow function, or a function expression / declaration, neither async nor a generator,
 *   whose parameters are `(x, p1, …, pm)` — plain identifiers, no defaults, no rest — where x
 *   may also be destructured as `[x1, …, xk]`;
 * - a body that is one expression, or `const` / `let` bindings (each initialised, never
 *   reassigned) followed by one `return`;
 * - number literals, `+ - * / **`, unary `-` and `+`, parentheses, the `Math` functions and
 *   constants of `math-table.ts`, and free identifiers whose values the caller passes as
 *   `constants`.
 *
 * With k = 1 variable, x is a number; with k > 1 it is an array and is read as `x[0]` … `x[k−1]`
 * (the variables are then named `x0` … `x{k−1}`) or destructured. Bindings are substituted where
 * they are used (the model's common-subexpression elimination shares them again). Anything else
 * — `this`, templates, getters, `with`, calls of anything but `Math.*`, assignments, conditionals,
 * comparisons, `%`, a shadowed `Math`, a binding used before its declaration — is refused with a
 * reason and the line:column where it occurs in the function's source.
 *
 * @module
 */
import type * as es from 'acorn';
import { bin, call, neg, num, type Node } from '../ast.ts';
import { userFunctionArity } from '../functions.ts';
import { mathConstant, mathFunction } from './math-table.ts';

/** A closure translated into an expression tree over named parameters and variables. */
export interface LiftedSource {
  /** The unresolved expression tree (`sym` leaves name parameters and variables). */
  readonly tree: Node;
  /** Parameter names, in the order of the function's parameters after x. */
  readonly params: readonly string[];
  /** Variable names (`x`; `x0` … for an indexed x; the destructured names). */
  readonly variables: readonly string[];
}

/** Why a closure was not translated. */
export interface LiftRefusal {
  /** Marks a refusal. */
  readonly refused: true;
  /** The reason, ending with the line:column of the construct when there is one. */
  readonly reason: string;
  /** True when the reason is a free variable (the caller may pass `constants`). */
  readonly freeVariable: boolean;
}

/** What the translation needs to know besides the function. */
export interface TranslateContext {
  /** Number of independent variables k of the data. */
  readonly k: number;
  /** Number of parameters p of the fit. */
  readonly p: number;
  /** Values of free identifiers. */
  readonly constants: ReadonlyMap<string, number>;
}

/** Largest translated tree, in nodes, after bindings are substituted (the model parser's token budget). */
export const MAX_LIFTED_NODES = 20_000;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

const DESCRIPTIONS: Readonly<Record<string, string>> = {
  ThisExpression: '`this`', TemplateLiteral: 'a template literal', TaggedTemplateExpression: 'a tagged template',
  AssignmentExpression: 'an assignment', UpdateExpression: 'an increment or decrement', ConditionalExpression: 'a conditional (?:)',
  LogicalExpression: 'a logical operator', SequenceExpression: 'a comma expression', ObjectExpression: 'an object literal',
  ArrayExpression: 'an array literal', NewExpression: '`new`', FunctionExpression: 'a nested function',
  ArrowFunctionExpression: 'a nested function', ChainExpression: 'optional chaining', AwaitExpression: '`await`',
  YieldExpression: '`yield`', ClassExpression: 'a class', ImportExpression: '`import()`', MetaProperty: 'a meta property',
  WithStatement: '`with`', IfStatement: '`if`', ExpressionStatement: 'a statement other than const/let/return',
};

class Refusal {
  constructor(readonly reason: string, readonly freeVariable = false) {}
}

function at(node: es.Node): string {
  const loc = node.loc;
  return loc ? ` at ${loc.start.line}:${loc.start.column + 1}` : '';
}

function refuse(node: es.Node, what: string, freeVariable = false): Refusal {
  return new Refusal(`${what}${at(node)}`, freeVariable);
}

function describe(node: es.Node): string {
  return DESCRIPTIONS[node.type] ?? `${node.type}`;
}

type Binding = { readonly kind: 'node'; readonly node: Node } | { readonly kind: 'pending' } | { readonly kind: 'self' };

/** One translation: the scope and the variables seen. */
class Translator {
  private readonly locals = new Map<string, Binding>();
  private readonly paramSet: ReadonlySet<string>;
  readonly usedVariables = new Set<string>();

  constructor(
    private readonly context: TranslateContext,
    private readonly params: readonly string[],
    private readonly x: { readonly kind: 'scalar' | 'indexed'; readonly name: string } | { readonly kind: 'destructured'; readonly names: readonly string[] },
  ) {
    this.paramSet = new Set(params);
  }

  declare(name: string, kind: 'pending' | 'self' = 'pending'): void {
    this.locals.set(name, { kind });
  }

  bind(name: string, node: Node): void {
    this.locals.set(name, { kind: 'node', node });
  }

  expression(node: es.Node): Node | Refusal {
    switch (node.type) {
      case 'Literal': {
        const { value } = node as es.Literal;
        return typeof value === 'number' ? num(value) : refuse(node, `the literal ${(node as es.Literal).raw ?? String(value)}`);
      }
      case 'Identifier':
        return this.identifier(node as es.Identifier);
      case 'UnaryExpression': {
        const u = node as es.UnaryExpression;
        if (u.operator !== '-' && u.operator !== '+') return refuse(node, `the operator ${u.operator}`);
        const arg = this.expression(u.argument);
        if (arg instanceof Refusal || u.operator === '+') return arg;
        return neg(arg);
      }
      case 'BinaryExpression': {
        const b = node as es.BinaryExpression;
        const op = b.operator === '**' ? '^' : b.operator;
        if (op !== '+' && op !== '-' && op !== '*' && op !== '/' && op !== '^') return refuse(node, `the operator ${b.operator}`);
        const left = this.expression(b.left);
        if (left instanceof Refusal) return left;
        const right = this.expression(b.right);
        return right instanceof Refusal ? right : bin(op, left, right);
      }
      case 'CallExpression':
        return this.call(node as es.CallExpression);
      case 'MemberExpression':
        return this.member(node as es.MemberExpression);
      default:
        return refuse(node, describe(node));
    }
  }

  private identifier(node: es.Identifier): Node | Refusal {
    const { name } = node;
    const local = this.locals.get(name);
    if (local !== undefined) {
      if (local.kind === 'node') return local.node;
      return refuse(node, local.kind === 'self' ? `the function refers to itself (\`${name}\`)` : `\`${name}\` is used before its declaration`);
    }
    if (this.paramSet.has(name)) return { type: 'sym', name };
    const x = this.x;
    if (x.kind === 'destructured') {
      if (x.names.includes(name)) {
        this.usedVariables.add(name);
        return { type: 'sym', name };
      }
    } else if (x.name === name) {
      if (x.kind === 'indexed') return refuse(node, `\`${name}\` is used whole, but with ${this.context.k} variables it is an array: read it as ${name}[0] … ${name}[${this.context.k - 1}]`);
      this.usedVariables.add(name);
      return { type: 'sym', name };
    }
    if (name === 'Math') return refuse(node, '`Math` used as a value');
    if (name === 'arguments') return refuse(node, '`arguments`');
    const value = this.context.constants.get(name);
    if (value !== undefined) return num(value);
    return refuse(node, `free variable \`${name}\``, true);
  }

  private member(node: es.MemberExpression): Node | Refusal {
    if (node.optional) return refuse(node, 'optional chaining');
    const object = node.object;
    if (object.type === 'Identifier' && object.name === 'Math' && this.mathIsGlobal()) {
      if (node.computed || node.property.type !== 'Identifier') return refuse(node, 'a computed Math member');
      const value = mathConstant(node.property.name);
      return value !== undefined ? num(value) : refuse(node, `Math.${node.property.name} used as a value`);
    }
    const x = this.x;
    if (object.type === 'Identifier' && x.kind !== 'destructured' && object.name === x.name && this.locals.get(x.name) === undefined) {
      const index = node.property;
      if (!node.computed || index.type !== 'Literal' || typeof index.value !== 'number') return refuse(node, `\`${x.name}\` read other than as ${x.name}[<integer>]`);
      const i = index.value;
      if (x.kind === 'scalar') return refuse(node, `${x.name}[${i}] indexes \`${x.name}\`, but with one variable it is a number`);
      if (!Number.isInteger(i) || i < 0 || i >= this.context.k) return refuse(node, `${x.name}[${index.raw ?? i}] is outside the ${this.context.k} variables`);
      const name = `${x.name}${i}`;
      this.usedVariables.add(name);
      return { type: 'sym', name };
    }
    const inner = this.expression(object);
    return inner instanceof Refusal ? inner : refuse(node, 'a member access');
  }

  /** True when `Math` is not shadowed by a parameter, a variable or a binding. */
  private mathIsGlobal(): boolean {
    return !this.locals.has('Math') && !this.paramSet.has('Math') && (this.x.kind === 'destructured' ? !this.x.names.includes('Math') : this.x.name !== 'Math');
  }

  private call(node: es.CallExpression): Node | Refusal {
    const callee = node.callee;
    if (node.optional) return refuse(node, 'optional chaining');
    if (callee.type !== 'MemberExpression' || callee.object.type !== 'Identifier' || callee.object.name !== 'Math') {
      const what = callee.type === 'Identifier' ? `a call of \`${callee.name}\`` : 'a call of something other than Math.*';
      return refuse(node, `${what} (only Math functions are lifted)`);
    }
    if (!this.mathIsGlobal()) return refuse(node, '`Math` is shadowed');
    if (callee.computed || callee.property.type !== 'Identifier' || callee.optional) return refuse(node, 'a computed Math member');
    const name = callee.property.name;
    const fn = mathFunction(name);
    if (fn === undefined) return refuse(node, `Math.${name} has no counterpart in the expression language`);
    const count = node.arguments.length;
    if (count < fn.minArgs || count > fn.maxArgs) return refuse(node, `Math.${name} with ${count} argument${count === 1 ? '' : 's'}`);
    const args: Node[] = [];
    for (const a of node.arguments) {
      if (a.type === 'SpreadElement') return refuse(a, 'a spread argument');
      const t = this.expression(a);
      if (t instanceof Refusal) return t;
      args.push(t);
    }
    if (fn.target === '^') return bin('^', args[0]!, args[1]!);
    if (fn.minArgs === 2 && fn.maxArgs === Infinity) return args.slice(1).reduce((acc, b) => call(fn.target, acc, b), args[0]!);
    return call(fn.target, ...args);
  }
}

function checkName(node: es.Node, name: string, what: string): Refusal | undefined {
  if (!IDENTIFIER.test(name)) return refuse(node, `${what} \`${name}\` is not a model-expression identifier ([A-Za-z_][A-Za-z0-9_]*)`);
  if (userFunctionArity(name) !== undefined) return refuse(node, `${what} \`${name}\` is a function name of the expression language`);
  if (name === 'Math') return refuse(node, `\`Math\` is shadowed by a ${what}`);
  return undefined;
}

type FunctionNode = es.ArrowFunctionExpression | es.FunctionExpression;

/** The x pattern: its shape and variable names, or a refusal. */
function xShape(first: es.Pattern, k: number): { shape: ConstructorParameters<typeof Translator>[2]; variables: string[] } | Refusal {
  if (first.type === 'Identifier') {
    const bad = checkName(first, first.name, 'variable');
    if (bad) return bad;
    if (k === 1) return { shape: { kind: 'scalar', name: first.name }, variables: [first.name] };
    return { shape: { kind: 'indexed', name: first.name }, variables: Array.from({ length: k }, (_, i) => `${first.name}${i}`) };
  }
  if (first.type !== 'ArrayPattern') return refuse(first, 'x is neither a name nor [x1, …, xk]');
  if (k === 1) return refuse(first, 'x is destructured, but with one variable it is a number');
  const names: string[] = [];
  for (const el of first.elements) {
    if (el === null || el.type !== 'Identifier') return refuse(el ?? first, 'a destructured x holds something other than names');
    const bad = checkName(el, el.name, 'variable');
    if (bad) return bad;
    names.push(el.name);
  }
  if (names.length !== k) return refuse(first, `x is destructured into ${names.length} names, but the data have ${k} variables`);
  return { shape: { kind: 'destructured', names }, variables: names };
}

function nodeCount(root: Node, limit: number): number {
  const memo = new Map<Node, number>();
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const n = stack[stack.length - 1]!;
    if (memo.has(n)) {
      stack.pop();
      continue;
    }
    const kids = n.type === 'neg' ? [n.arg] : n.type === 'bin' ? [n.left, n.right] : n.type === 'call' ? n.args : [];
    const pending = kids.filter((c) => !memo.has(c));
    if (pending.length > 0) {
      stack.push(...pending);
      continue;
    }
    stack.pop();
    memo.set(n, Math.min(limit + 1, 1 + kids.reduce((s, c) => s + memo.get(c)!, 0)));
  }
  return memo.get(root)!;
}

/**
 * Translate a parsed model function (see the module documentation).
 *
 * @param fn - the function's ESTree node (acorn, with `locations: true` for line:column).
 * @param context - k, p and the constants.
 * @returns the tree and names, or a refusal with its reason.
 */
export function translateFunction(fn: es.Node, context: TranslateContext): LiftedSource | LiftRefusal {
  const result = translate(fn, context);
  return result instanceof Refusal ? { refused: true, reason: result.reason, freeVariable: result.freeVariable } : result;
}

function translate(node: es.Node, context: TranslateContext): LiftedSource | Refusal {
  if (node.type !== 'ArrowFunctionExpression' && node.type !== 'FunctionExpression') return refuse(node, 'the source is not a function expression');
  const fn = node as FunctionNode;
  if (fn.async || fn.generator) return refuse(fn, fn.async ? 'an async function' : 'a generator');
  const [first, ...rest] = fn.params;
  if (first === undefined) return refuse(fn, 'the function has no x parameter');
  const x = xShape(first, context.k);
  if (x instanceof Refusal) return x;
  const params: string[] = [];
  for (const p of rest) {
    if (p.type !== 'Identifier') return refuse(p, 'a parameter with a default, a rest parameter or a pattern');
    const bad = checkName(p, p.name, 'parameter');
    if (bad) return bad;
    if (params.includes(p.name) || x.variables.includes(p.name)) return refuse(p, `the name \`${p.name}\` is used twice`);
    params.push(p.name);
  }
  if (params.length !== context.p) return refuse(fn, `the function has ${params.length} parameters after x, but the fit has ${context.p}`);
  if (fn.type === 'FunctionExpression' && fn.id) {
    if (params.includes(fn.id.name) || x.variables.includes(fn.id.name)) return refuse(fn.id, `the function's name \`${fn.id.name}\` is also a parameter`);
  }
  const t = new Translator(context, params, x.shape);
  if (fn.type === 'FunctionExpression' && fn.id) t.declare(fn.id.name, 'self');
  const tree = fn.body.type === 'BlockStatement' ? block(t, fn.body as es.BlockStatement) : t.expression(fn.body);
  if (tree instanceof Refusal) return tree;
  const unused = x.variables.filter((v) => !t.usedVariables.has(v));
  if (unused.length > 0) return refuse(first, `the variable${unused.length > 1 ? 's' : ''} ${unused.join(', ')} ${unused.length > 1 ? 'are' : 'is'} not used`);
  if (nodeCount(tree, MAX_LIFTED_NODES) > MAX_LIFTED_NODES) return refuse(fn, `the expression has more than ${MAX_LIFTED_NODES} nodes once its bindings are substituted`);
  return { tree, params, variables: x.variables };
}

function block(t: Translator, body: es.BlockStatement): Node | Refusal {
  const statements = body.body;
  for (const s of statements) {
    if (s.type !== 'VariableDeclaration') continue;
    for (const d of s.declarations) if (d.id.type === 'Identifier') t.declare(d.id.name);
  }
  for (let i = 0; i < statements.length; i++) {
    const s = statements[i]!;
    if (s.type === 'ReturnStatement') {
      if (i !== statements.length - 1) return refuse(statements[i + 1]!, 'a statement after return');
      if (!s.argument) return refuse(s, '`return` without a value');
      return t.expression(s.argument);
    }
    if (s.type !== 'VariableDeclaration') return refuse(s, describe(s));
    if (s.kind !== 'const' && s.kind !== 'let') return refuse(s, `a \`${s.kind}\` declaration (only const and let)`);
    for (const d of s.declarations) {
      if (d.id.type !== 'Identifier') return refuse(d, 'a destructuring declaration');
      if (!d.init) return refuse(d, `\`${d.id.name}\` declared without a value`);
      if (d.id.name === 'Math') return refuse(d, '`Math` is shadowed by a binding');
      const value = t.expression(d.init);
      if (value instanceof Refusal) return value;
      t.bind(d.id.name, value);
    }
  }
  return refuse(body, 'no return statement');
}
