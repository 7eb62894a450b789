import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { model } from '../../src/model/model.ts';
import { printNode } from '../../src/model/printer.ts';
import { simplify } from '../../src/model/simplify.ts';
import { exprTree } from './arbitraries.ts';
import type { Node } from '../../src/model/ast.ts';
import { RUNTIME_FUNCTIONS } from '../../src/model/functions.ts';

const simplified = (s: string, params?: string[]): string => printNode(simplify(model(s, params ? { params } : {}).ast));

describe('simplify', () => {
  it('folds constants with the kernels\' arithmetic and removes neutral elements', () => {
    expect(simplified('a*(2*3) + 0')).toBe('6*a');
    expect(simplified('1*a + x*0')).toBe('a');
    expect(simplified('a^1 + 0^2 + b^0')).toBe('a + 1');
    expect(simplified('a - -b')).toBe('a + b');
    expect(simplified('a + -b')).toBe('a - b');
    expect(simplified('-(-a)')).toBe('a');
    expect(simplified('2*(3*a)')).toBe('6*a');
    expect(simplified('a*exp(0)')).toBe('a');
    expect(simplified('a/1 - 0')).toBe('a');
  });

  it('keeps non-finite folds symbolic and named constants by name', () => {
    expect(simplified('a + log(0)')).toBe('a + log(0)');
    expect(simplified('a*pi')).toBe('a*pi');
  });

  const point = fc.double({ min: -3, max: 3, noNaN: true });
  test.prop([exprTree(['a', 'b', 'x'], 4), point, point, point], { numRuns: 200 })('does not change finite values beyond rounding', (tree, a, b, x) => {
    const text = printNode(tree);
    const raw = model(text, { params: ['a', 'b'] });
    const f = raw.evaluate([a, b], [x])[0]!;
    // Evaluate the unsimplified tree with a direct recursive evaluator as the reference.
    const ref = evalTree(raw.ast, [a, b], x);
    if (!Number.isFinite(ref) || Math.abs(ref) > 1e8) return;
    expect(Math.abs(f - ref)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(ref)));
  });
});


function evalTree(n: Node, theta: number[], x: number): number {
  switch (n.type) {
    case 'num': case 'const': return n.value;
    case 'param': return theta[n.index]!;
    case 'var': return x;
    case 'neg': return -evalTree(n.arg, theta, x);
    case 'bin': {
      const l = evalTree(n.left, theta, x);
      const r = evalTree(n.right, theta, x);
      return n.op === '+' ? l + r : n.op === '-' ? l - r : n.op === '*' ? l * r : n.op === '/' ? l / r : Math.pow(l, r);
    }
    case 'call': return (RUNTIME_FUNCTIONS as Record<string, (...a: number[]) => number>)[n.fn]!(...n.args.map((a) => evalTree(a, theta, x)));
    default: throw new Error('unresolved');
  }
}
