/**
 * Composite models at the expression level: `a.plus(b)`, `times`, `minus`, `divide` join two
 * expression trees under one operator, `compose` substitutes models for variables
 * (`outer.compose({ x: inner })` is outer(inner(x))), and a prefix renames a model's parameters
 * (`models.gaussian({ prefix: 'g1_' })` has g1_a, g1_mu, g1_sigma) — after lmfit's `CompositeModel`
 * and `prefix` (Newville et al., https://lmfit.github.io/lmfit-py/model.html#composite-models-adding-or-multiplying-models).
 *
 * Unlike lmfit, which calls each component's Python function and combines the arrays, the
 * composite here is one expression: the joined tree is printed (the printer round-trips trees
 * exactly) and compiled once as an ordinary expression model, so its Jacobian is exact (symbolic)
 * and every backend (JS, WASM, WGSL) runs it. Parameter names must be distinct across components;
 * a name in two components is an error naming it (give the components prefixes).
 *
 * This module works on trees and names only; `model.ts` builds the {@link Model}s.
 *
 * @module
 */

import { NlsqRangeError } from '../errors.ts';
import { bin, type Node } from './ast.ts';
import { mapLeaves } from './fold-tree.ts';
import { printNode } from './printer.ts';

/** The operators that join two models. */
export type CompositeOperator = '+' | '-' | '*' | '/';

/** What composition reads from a model (a {@link Model} has all of it). */
export interface ComposablePart {
  /** The resolved expression tree. */
  readonly ast: Node;
  /** Parameter names, in order. */
  readonly params: readonly string[];
  /** Variable names. */
  readonly variables: readonly string[];
  /** Display name. */
  readonly name: string;
  /** Default bounds [lb, ub], if any. */
  readonly defaultBounds?: readonly [readonly number[], readonly number[]];
}

/**
 * A composed expression, ready to build a model from: a {@link ComposablePart} with the
 * expression text (which parses back to the joined tree) in place of the tree. Its `params` are
 * the left model's, then the right model's (or the outer's, then each substituted model's); its
 * `variables` the union by first appearance; its `defaultBounds` ±∞ for a component without them.
 */
export type ComposedExpression = Omit<ComposablePart, 'ast'> & { readonly expression: string };

/** Reject a parameter of `b` that `a` uses as a parameter or variable (and the converse). */
function checkDistinct(caller: string, argument: string, a: ComposablePart, b: ComposablePart): void {
  const clash = b.params.find((p) => a.params.includes(p));
  if (clash !== undefined) {
    throw new NlsqRangeError(
      `${caller}: parameter '${clash}' is in both ${a.name} (${a.params.join(', ')}) and ${b.name} (${b.params.join(', ')}); ` +
        "give the components distinct prefixes, e.g. models.gaussian({ prefix: 'g1_' }), or tie one to the other with params({ … expr })",
      argument,
    );
  }
  const asVariable = b.params.find((p) => a.variables.includes(p)) ?? a.params.find((p) => b.variables.includes(p));
  if (asVariable !== undefined) {
    throw new NlsqRangeError(`${caller}: '${asVariable}' is a parameter of one component and a variable of the other (${a.name}, ${b.name}); rename it with a prefix`, argument);
  }
}

/** Concatenate default bounds of parts, or undefined when none has them. */
function joinBounds(parts: readonly ComposablePart[]): [number[], number[]] | undefined {
  if (parts.every((q) => q.defaultBounds === undefined)) return undefined;
  const lb = parts.flatMap((q) => (q.defaultBounds === undefined ? q.params.map(() => -Infinity) : [...q.defaultBounds[0]]));
  const ub = parts.flatMap((q) => (q.defaultBounds === undefined ? q.params.map(() => Infinity) : [...q.defaultBounds[1]]));
  return [lb, ub];
}

function unionVariables(lists: readonly (readonly string[])[]): string[] {
  return [...new Set(lists.flat())];
}

function withBounds(base: Omit<ComposedExpression, 'defaultBounds'>, bounds: [number[], number[]] | undefined): ComposedExpression {
  return bounds === undefined ? base : { ...base, defaultBounds: bounds };
}

/**
 * Join two models under a binary operator: f = a ∘ b, parameters a's then b's.
 *
 * @param caller - e.g. `'Model.plus'`, for messages.
 * @param op - `+ - * /`.
 * @param a - the left model.
 * @param b - the right model.
 * @returns the composed expression.
 * @throws NlsqRangeError naming the parameter that both use (or that one uses as a variable).
 */
export function combineParts(caller: string, op: CompositeOperator, a: ComposablePart, b: ComposablePart): ComposedExpression {
  checkDistinct(caller, 'other', a, b);
  const base = {
    expression: printNode(bin(op, a.ast, b.ast)),
    params: [...a.params, ...b.params],
    variables: unionVariables([a.variables, b.variables]),
    name: `(${a.name} ${op} ${b.name})`,
  };
  return withBounds(base, joinBounds([a, b]));
}

/**
 * Substitute models for variables of `outer`: `outer.compose({ x: inner })` is outer(inner(x)).
 * The substituted models' parameters join outer's (after them, in the order given); their
 * variables replace the substituted ones.
 *
 * @param caller - for messages.
 * @param outer - the outer model.
 * @param substitutions - variable name → model.
 * @returns the composed expression.
 * @throws NlsqRangeError for a name that is not a variable of outer, or a parameter used twice.
 */
export function substituteParts(caller: string, outer: ComposablePart, substitutions: ReadonlyMap<string, ComposablePart>): ComposedExpression {
  const inners = [...substitutions.entries()];
  for (const [v] of inners) {
    if (!outer.variables.includes(v)) {
      throw new NlsqRangeError(`${caller}: '${v}' is not a variable of ${outer.name} (variables: ${outer.variables.join(', ')})`, 'substitutions');
    }
  }
  let seen: ComposablePart = outer;
  for (const [, inner] of inners) {
    checkDistinct(caller, 'substitutions', seen, inner);
    seen = { ast: seen.ast, params: [...seen.params, ...inner.params], variables: [...seen.variables, ...inner.variables], name: seen.name };
  }
  const ast = mapLeaves(outer.ast, (n) => (n.type === 'var' ? substitutions.get(n.name)?.ast : undefined));
  const kept = outer.variables.filter((v) => !substitutions.has(v));
  const base = {
    expression: printNode(ast),
    params: [...outer.params, ...inners.flatMap(([, m]) => m.params)],
    variables: unionVariables([kept, ...inners.map(([, m]) => m.variables)]),
    name: `${outer.name}(${inners.map(([v, m]) => `${v} = ${m.name}`).join(', ')})`,
  };
  return withBounds(base, joinBounds([outer, ...inners.map(([, m]) => m)]));
}

const PREFIX = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Rename every parameter of a resolved tree to `prefix + name`.
 *
 * @param caller - for messages.
 * @param ast - the resolved tree.
 * @param prefix - an identifier-like prefix, e.g. `'g1_'`.
 * @returns the renamed tree.
 * @throws NlsqRangeError when `prefix` is not an identifier.
 */
export function prefixTree(caller: string, ast: Node, prefix: string): Node {
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) {
    throw new NlsqRangeError(`${caller}: prefix must be an identifier such as 'g1_' ([A-Za-z_][A-Za-z0-9_]*), got ${JSON.stringify(prefix)}`, 'prefix');
  }
  return mapLeaves(ast, (n) => (n.type === 'param' ? { type: 'param', index: n.index, name: prefix + n.name } : undefined));
}
