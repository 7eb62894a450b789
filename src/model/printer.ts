/**
 * Pretty printer for expression trees with minimal parentheses.
 *
 * Precedence, lowest first: `+ −` (left-assoc), `* /` (left-assoc), unary minus, `^`
 * (right-assoc). Parentheses are written only where the parser would otherwise build a
 * different tree, plus around a negation that is the right operand of a binary operator
 * (`a - (-b)`, `a*(-b)`) for readability. So `parseExpression(print(t))` rebuilds `t` exactly for
 * every tree the parser produces; numbers are printed with the shortest text that reads back as
 * the same double.
 *
 * @module
 */

import type { Node } from './ast.ts';
import { foldTree } from './fold-tree.ts';

const PREC_ADD = 1;
const PREC_MUL = 2;
const PREC_NEG = 3;
const PREC_POW = 4;
const PREC_ATOM = 5;

function precedence(node: Node): number {
  switch (node.type) {
    case 'neg':
      return PREC_NEG;
    case 'bin':
      return node.op === '+' || node.op === '-' ? PREC_ADD : node.op === '^' ? PREC_POW : PREC_MUL;
    case 'num':
      return node.value < 0 || Object.is(node.value, -0) || !Number.isFinite(node.value) ? PREC_NEG : PREC_ATOM;
    default:
      return PREC_ATOM;
  }
}

/**
 * Format a number so that parsing it gives back the same double (shortest round-trip text).
 * Negative numbers, −0 and non-finite values (which only simplification can create) are
 * written as expressions: `-2`, `-0`, `1/0`, `-1/0`, `0/0`.
 *
 * @param value - the number.
 * @returns its text.
 */
function formatNumber(value: number): string {
  if (Number.isNaN(value)) return '0/0';
  if (value === Infinity) return '1/0';
  if (value === -Infinity) return '-1/0';
  if (Object.is(value, -0)) return '-0';
  return String(value);
}

function wrap(text: string, yes: boolean): string {
  return yes ? `(${text})` : text;
}

function printBinary(node: Extract<Node, { type: 'bin' }>, left: string, right: string): string {
  const p = precedence(node);
  if (node.op === '^') {
    const base = wrap(left, precedence(node.left) <= PREC_POW || node.left.type === 'num' && precedence(node.left) < PREC_ATOM);
    return `${base}^${wrap(right, precedence(node.right) < PREC_POW)}`;
  }
  const rp = precedence(node.right);
  const sep = p === PREC_ADD ? ` ${node.op} ` : node.op;
  return `${wrap(left, precedence(node.left) < p)}${sep}${wrap(right, rp <= p || rp === PREC_NEG)}`;
}

/** One node's text from its children's texts. */
function printOne(node: Node, kids: readonly string[], relaxed: boolean): string {
  switch (node.type) {
    case 'num':
      return formatNumber(node.value);
    case 'sym':
    case 'param':
    case 'var':
    case 'const':
      return node.name;
    case 'neg':
      return `-${wrap(kids[0]!, precedence(node.arg) < (relaxed ? PREC_MUL : PREC_POW))}`;
    case 'bin':
      return printBinary(node, kids[0]!, kids[1]!);
    case 'call':
      return `${node.fn}(${kids.join(', ')})`;
  }
}

/**
 * Print an expression tree as text with minimal parentheses, without recursion (any depth).
 *
 * @param node - the tree (resolved or not).
 * @param relaxed - when true, a negated product or quotient is written `-a*b` instead of
 *   `-(a*b)` (the same value in IEEE arithmetic, but it parses as `(-a)*b`); used for display
 *   of derivatives. Default false: the output parses back to the identical tree.
 * @returns the text, e.g. `a*exp(-b*x) + c`.
 */
export function printNode(node: Node, relaxed = false): string {
  return foldTree<string>(node, (n, kids) => printOne(n, kids, relaxed));
}
