/**
 * Algebraic simplification of expression trees.
 *
 * Smart constructors ({@link add}, {@link sub}, {@link mul}, {@link div}, {@link negate},
 * {@link power}, {@link apply}) build a node and simplify it locally; {@link simplify} rebuilds
 * a tree bottom-up through them. Rules:
 *
 * - constant folding of number literals, with the same double arithmetic and `Math` functions
 *   the kernels use (so folding never changes a result), only when the result is finite;
 * - identities: a + 0 = a, a − 0 = a, 0 − a = −a, a·1 = a, a·(−1) = −a, a/1 = a, a^1 = a,
 *   a^0 = 1, 1^a = 1, −(−a) = a, a + (−b) = a − b, a − (−b) = a + b;
 * - a·0 = 0, 0/a = 0 and 0^n = 0 (n > 0): exact for finite a. These are what keep derivative
 *   trees small; they assume the model is evaluated where it is finite (a non-finite value
 *   makes the residual non-finite anyway, which the solver treats as a failed trial point);
 * - signs move outwards: (−a)·b = −(a·b), a/(−b) = −(a/b) (exact in IEEE arithmetic);
 * - a number times a product with a leading number folds the numbers: 2·(3·x) = 6·x.
 *
 * @module
 */

import { bin, call, isNum, neg, num, type Node } from './ast.ts';
import { foldTree, type FoldMemo } from './fold-tree.ts';
import { RUNTIME_FUNCTIONS, isIrFunction, runtimePow } from './functions.ts';

function isZero(n: Node): boolean {
  return n.type === 'num' && n.value === 0;
}

function foldable(value: number): boolean {
  return Number.isFinite(value);
}

/** a + b, simplified. @param a - left. @param b - right. @returns the node. */
export function add(a: Node, b: Node): Node {
  if (a.type === 'num' && b.type === 'num' && foldable(a.value + b.value)) return num(a.value + b.value);
  if (isZero(a)) return b;
  if (isZero(b)) return a;
  if (b.type === 'neg') return sub(a, b.arg);
  if (b.type === 'num' && b.value < 0) return sub(a, num(-b.value));
  if (a.type === 'neg') return sub(b, a.arg);
  return bin('+', a, b);
}

/** a − b, simplified. @param a - left. @param b - right. @returns the node. */
export function sub(a: Node, b: Node): Node {
  if (a.type === 'num' && b.type === 'num' && foldable(a.value - b.value)) return num(a.value - b.value);
  if (isZero(b)) return a;
  if (isZero(a)) return negate(b);
  if (b.type === 'neg') return add(a, b.arg);
  if (b.type === 'num' && b.value < 0) return add(a, num(-b.value));
  return bin('-', a, b);
}

/** a · b, simplified. @param a - left. @param b - right. @returns the node. */
export function mul(a: Node, b: Node): Node {
  if (a.type === 'num' && b.type === 'num' && foldable(a.value * b.value)) return num(a.value * b.value);
  if (isZero(a) || isZero(b)) return num(0);
  if (isNum(a, 1)) return b;
  if (isNum(b, 1)) return a;
  if (isNum(a, -1)) return negate(b);
  if (isNum(b, -1)) return negate(a);
  if (a.type === 'neg') return negate(mul(a.arg, b));
  if (b.type === 'neg') return negate(mul(a, b.arg));
  if (a.type === 'num' && a.value < 0) return negate(mul(num(-a.value), b));
  if (b.type === 'num' && a.type !== 'num') return mul(b, a);
  if (a.type === 'num' && b.type === 'bin' && b.op === '*' && b.left.type === 'num') {
    const c = a.value * b.left.value;
    if (foldable(c)) return mul(num(c), b.right);
  }
  return bin('*', a, b);
}

/** a / b, simplified. @param a - numerator. @param b - denominator. @returns the node. */
export function div(a: Node, b: Node): Node {
  if (a.type === 'num' && b.type === 'num' && b.value !== 0 && foldable(a.value / b.value)) return num(a.value / b.value);
  if (isZero(a)) return num(0);
  if (isNum(b, 1)) return a;
  if (isNum(b, -1)) return negate(a);
  if (a.type === 'neg') return negate(div(a.arg, b));
  if (b.type === 'neg') return negate(div(a, b.arg));
  return bin('/', a, b);
}

/** −a, simplified. @param a - operand. @returns the node. */
export function negate(a: Node): Node {
  if (a.type === 'num') return num(a.value === 0 ? 0 : -a.value);
  if (a.type === 'neg') return a.arg;
  return neg(a);
}

/** a ^ b, simplified. @param a - base. @param b - exponent. @returns the node. */
export function power(a: Node, b: Node): Node {
  if (a.type === 'num' && b.type === 'num' && foldable(runtimePow(a.value, b.value))) return num(runtimePow(a.value, b.value));
  if (isNum(b, 1)) return a;
  if (isZero(b) || isNum(a, 1)) return num(1);
  if (isZero(a) && b.type === 'num' && b.value > 0) return num(0);
  return bin('^', a, b);
}

/** fn(args…), folded when every argument is a number. @param fn - function name. @param args - arguments. @returns the node. */
export function apply(fn: string, ...args: Node[]): Node {
  if (isIrFunction(fn) && args.every((a) => a.type === 'num')) {
    const value = RUNTIME_FUNCTIONS[fn](...args.map((a) => (a as { value: number }).value));
    if (foldable(value)) return num(value);
  }
  return call(fn, ...args);
}

/**
 * Simplify a tree bottom-up with the rules of this module, without recursion (any depth). Shared
 * subtrees are simplified once.
 *
 * @param node - the tree.
 * @param memo - cache for shared subtrees (optional; a `WeakMap` lets trees folded before go).
 * @returns the simplified tree.
 */
export function simplify(node: Node, memo: FoldMemo<Node> = new Map()): Node {
  return foldTree<Node>(
    node,
    (n, kids) => {
      switch (n.type) {
        case 'neg':
          return negate(kids[0]!);
        case 'bin': {
          const l = kids[0]!;
          const r = kids[1]!;
          return n.op === '+' ? add(l, r) : n.op === '-' ? sub(l, r) : n.op === '*' ? mul(l, r) : n.op === '/' ? div(l, r) : power(l, r);
        }
        case 'call':
          return apply(n.fn, ...kids);
        default:
          return n;
      }
    },
    memo,
  );
}
