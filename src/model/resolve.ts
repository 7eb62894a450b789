/**
 * Name resolution: decide which identifiers of an expression are parameters, variables or
 * named constants, and replace `sym` nodes accordingly.
 *
 * Rules (as `model()` documents): variables default to `['x']`; parameters default to every
 * other identifier that is not a named constant (`pi`, `e`), in order of first appearance; a
 * name listed explicitly as a parameter or variable shadows the constant of that name; with
 * explicit `params`, an identifier that is none of these is an error; an explicitly listed
 * variable that the expression does not use is an error (with `variables: ['t']`, the `x` of
 * `a*x + b` would otherwise silently become a parameter).
 *
 * @module
 */

import { ModelParseError, NlsqRangeError, NlsqTypeError, describeValue } from '../errors.ts';
import { NAMED_CONSTANTS, type Node } from './ast.ts';
import { mapLeaves } from './fold-tree.ts';
import { userFunctionArity } from './functions.ts';
import { parseError, type ParseResult } from './parser.ts';

/** Resolved names of a model. */
export interface ResolvedNames {
  /** Parameter names in order. */
  readonly params: readonly string[];
  /** Variable names in order. */
  readonly variables: readonly string[];
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function checkNames(names: unknown, argument: 'params' | 'variables'): string[] {
  if (!Array.isArray(names)) {
    throw new NlsqTypeError(`model: ${argument} must be an array of names, got ${describeValue(names)}`, argument);
  }
  const seen = new Set<string>();
  for (const name of names) {
    if (typeof name !== 'string' || !IDENTIFIER.test(name)) {
      throw new NlsqRangeError(`model: ${argument} must hold identifiers ([A-Za-z_][A-Za-z0-9_]*), got ${describeValue(name)}`, argument);
    }
    if (userFunctionArity(name) !== undefined) {
      throw new NlsqRangeError(`model: ${argument} must not use the function name '${name}'`, argument);
    }
    if (seen.has(name)) throw new NlsqRangeError(`model: ${argument} lists '${name}' twice`, argument);
    seen.add(name);
  }
  return [...names] as string[];
}

function checkOverlap(ps: readonly string[], vars: readonly string[]): void {
  const both = ps.find((p) => vars.includes(p));
  if (both !== undefined) throw new NlsqRangeError(`model: '${both}' is listed both as a parameter and as a variable`, 'params');
}

/**
 * Decide the parameter and variable names of a parsed expression.
 *
 * @param parsed - output of `parseExpression`.
 * @param source - the expression text (for error carets).
 * @param params - explicit parameter names, or undefined for the default rule.
 * @param variables - explicit variable names, or undefined for `['x']`.
 * @returns the names.
 * @throws ModelParseError for an identifier that is neither (with explicit params).
 * @throws NlsqRangeError for invalid, repeated, overlapping or unused names, or no parameters.
 */
export function resolveNames(parsed: ParseResult, source: string, params?: readonly string[], variables?: readonly string[]): ResolvedNames {
  const vars = variables === undefined ? ['x'] : checkNames(variables, 'variables');
  const unused = variables === undefined ? [] : vars.filter((v) => !parsed.symbols.has(v));
  if (unused.length > 0) {
    const names = [...parsed.symbols.keys()];
    throw new NlsqRangeError(
      `model: variables lists ${unused.map((v) => `'${v}'`).join(', ')}, which the expression does not use ` +
        `(its names: ${names.join(', ') || 'none'}); every listed variable must appear in the expression`,
      'variables',
    );
  }
  let ps: string[];
  if (params === undefined) {
    ps = [...parsed.symbols.keys()].filter((s) => !vars.includes(s) && !NAMED_CONSTANTS.has(s));
  } else {
    ps = checkNames(params, 'params');
    checkOverlap(ps, vars);
    for (const [name, pos] of parsed.symbols) {
      if (!ps.includes(name) && !vars.includes(name) && !NAMED_CONSTANTS.has(name)) {
        throw parseError(source, pos, `unknown name '${name}' (params: ${ps.join(', ') || 'none'}; variables: ${vars.join(', ') || 'none'})`);
      }
    }
  }
  checkOverlap(ps, vars);
  if (ps.length === 0) throw new NlsqRangeError(`model: the expression ${JSON.stringify(source)} has no parameters to fit`, 'params');
  return { params: ps, variables: vars };
}

/**
 * Replace the `sym` nodes of a tree by `param`, `var` or `const` nodes (without recursion: the
 * tree may be any depth).
 *
 * @param node - the parsed tree.
 * @param names - resolved names.
 * @returns the resolved tree.
 * @throws ModelParseError if a symbol is unknown (only possible when names were not derived from this tree).
 */
export function resolveSymbols(node: Node, names: ResolvedNames): Node {
  return mapLeaves(node, (n) => {
    if (n.type !== 'sym') return undefined;
    const p = names.params.indexOf(n.name);
    if (p >= 0) return { type: 'param', index: p, name: n.name };
    const v = names.variables.indexOf(n.name);
    if (v >= 0) return { type: 'var', index: v, name: n.name };
    const c = NAMED_CONSTANTS.get(n.name);
    if (c !== undefined) return { type: 'const', name: n.name, value: c };
    throw new ModelParseError(`model: unknown name '${n.name}'`, 0);
  });
}
