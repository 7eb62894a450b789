/**
 * fast-check arbitraries of expression trees drawn from the model grammar (shared by the
 * parser, differentiation and kernel tests).
 */
import { fc } from '@fast-check/vitest';
import type { BinaryOperator, Node } from '../../src/model/ast.ts';

const UNARY = ['exp', 'log', 'log10', 'log2', 'sqrt', 'cbrt', 'abs', 'sign', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'erf', 'erfc'];
const BINARY = ['atan2', 'min', 'max', 'hypot'];
const OPS: BinaryOperator[] = ['+', '-', '*', '/', '^'];

/** Non-negative literals as the parser produces them (never −0). */
export const literal = fc.oneof(
  fc.integer({ min: 0, max: 20 }),
  fc.double({ min: 0, max: 1e6, noNaN: true, noDefaultInfinity: true }).filter((v) => !Object.is(v, -0)),
  fc.constantFrom(0.5, 1e-3, 2.5, 1e21),
);

/**
 * Random unresolved trees over the given symbol names.
 * @param symbols - identifiers to use as leaves.
 * @param depth - maximum depth.
 */
export function exprTree(symbols: string[], depth = 4): fc.Arbitrary<Node> {
  const { tree } = fc.letrec<{ tree: Node; leaf: Node }>((tie) => ({
    leaf: fc.oneof(
      literal.map((value): Node => ({ type: 'num', value })),
      fc.constantFrom(...symbols).map((name): Node => ({ type: 'sym', name })),
    ),
    tree: fc.oneof(
      { depthSize: 'small', maxDepth: depth, withCrossShrink: true },
      tie('leaf'),
      tie('tree').map((arg): Node => ({ type: 'neg', arg })),
      fc.tuple(fc.constantFrom(...OPS), tie('tree'), tie('tree')).map(([op, left, right]): Node => ({ type: 'bin', op, left, right })),
      fc.tuple(fc.constantFrom(...UNARY), tie('tree')).map(([fn, a]): Node => ({ type: 'call', fn, args: [a] })),
      fc.tuple(fc.constantFrom(...BINARY), tie('tree'), tie('tree')).map(([fn, a, b]): Node => ({ type: 'call', fn, args: [a, b] })),
    ),
  }));
  return tree;
}

/** Smooth-ish trees for derivative checks: no sign/abs/min/max kinks (tested separately), powers with integer exponents or positive bases. */
export function smoothTree(symbols: string[], depth = 4): fc.Arbitrary<Node> {
  const smoothUnary = ['exp', 'log', 'sqrt', 'cbrt', 'sin', 'cos', 'tan', 'atan', 'sinh', 'cosh', 'tanh', 'erf', 'erfc', 'asin', 'acos', 'log10', 'log2'];
  const { tree } = fc.letrec<{ tree: Node; leaf: Node }>((tie) => ({
    leaf: fc.oneof(
      fc.double({ min: 0.1, max: 5, noNaN: true }).map((value): Node => ({ type: 'num', value })),
      fc.constantFrom(...symbols).map((name): Node => ({ type: 'sym', name })),
    ),
    tree: fc.oneof(
      { depthSize: 'small', maxDepth: depth, withCrossShrink: true },
      tie('leaf'),
      tie('tree').map((arg): Node => ({ type: 'neg', arg })),
      fc.tuple(fc.constantFrom<BinaryOperator>('+', '-', '*', '/'), tie('tree'), tie('tree')).map(([op, left, right]): Node => ({ type: 'bin', op, left, right })),
      fc.tuple(tie('tree'), fc.integer({ min: -3, max: 5 })).map(([left, n]): Node => ({ type: 'bin', op: '^', left, right: { type: 'num', value: n } })),
      fc.tuple(tie('tree'), tie('tree')).map(([left, right]): Node => ({ type: 'bin', op: '^', left: { type: 'call', fn: 'exp', args: [left] }, right })),
      fc.tuple(fc.constantFrom(...smoothUnary), tie('tree')).map(([fn, a]): Node => ({ type: 'call', fn, args: [a] })),
      fc.tuple(fc.constantFrom('atan2'), tie('tree'), tie('tree')).map(([fn, a, b]): Node => ({ type: 'call', fn, args: [a, b] })),
    ),
  }));
  return tree;
}
