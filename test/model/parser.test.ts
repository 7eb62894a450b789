import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { ModelParseError, NlsqRangeError } from '../../src/errors.ts';
import { MAX_EXPRESSION_TOKENS, parseExpression } from '../../src/model/parser.ts';
import { printNode } from '../../src/model/printer.ts';
import { exprTree } from './arbitraries.ts';

describe('parseExpression', () => {
  it('gives ^ higher precedence than unary minus and makes it right-associative', () => {
    expect(printNode(parseExpression('-x^2').ast)).toBe('-x^2');
    expect(parseExpression('-x^2').ast).toEqual({ type: 'neg', arg: { type: 'bin', op: '^', left: { type: 'sym', name: 'x' }, right: { type: 'num', value: 2 } } });
    expect(parseExpression('a^b^c').ast).toEqual(parseExpression('a^(b^c)').ast);
    expect(parseExpression('a**b').ast).toEqual(parseExpression('a^b').ast);
    expect(parseExpression('2^-x').ast).toEqual(parseExpression('2^(-x)').ast);
  });

  it('reads the number forms 1, 2.5, 1e-3, .5, 1E+21 and 3.', () => {
    const values = ['1', '2.5', '1e-3', '.5', '1E+21', '3.'].map((s) => parseExpression(s).ast);
    expect(values).toEqual([1, 2.5, 1e-3, 0.5, 1e21, 3].map((value) => ({ type: 'num', value })));
  });

  it('makes + - * / left-associative and treats pow(a, b) as a^b', () => {
    expect(parseExpression('a-b-c').ast).toEqual(parseExpression('(a-b)-c').ast);
    expect(parseExpression('a/b/c').ast).toEqual(parseExpression('(a/b)/c').ast);
    expect(parseExpression('pow(a, b)').ast).toEqual(parseExpression('a^b').ast);
  });

  it('lists identifiers in order of first appearance', () => {
    expect([...parseExpression('b*x + a*b + c').symbols.keys()]).toEqual(['b', 'x', 'a', 'c']);
  });

  it('reports a missing parenthesis with a caret under the position', () => {
    expect(() => parseExpression('a*(x+1')).toThrow(ModelParseError);
    try {
      parseExpression('a*(x+1');
    } catch (e) {
      const err = e as ModelParseError;
      expect(err.position).toBe(6);
      expect(err.message).toBe("model: expected ')', found end of expression at position 6\n  a*(x+1\n        ^");
    }
  });

  it('names unknown functions, wrong arities and functions used without a call', () => {
    expect(() => parseExpression('foo(x)')).toThrow(/unknown function 'foo'/);
    expect(() => parseExpression('atan2(x)')).toThrow(/function 'atan2' takes 2 arguments, got 1/);
    expect(() => parseExpression('exp(x, 1)')).toThrow(/function 'exp' takes 1 argument, got 2/);
    expect(() => parseExpression('exp + 1')).toThrow(/'exp' is a function, expected '\(' after it/);
    expect(() => parseExpression('')).toThrow(/expected a number, a name or '\('/);
    expect(() => parseExpression('1e999*x')).toThrow(/out of range/);
  });

  it('refuses hostile inputs with ModelParseError and never evaluates them', () => {
    for (const s of ['process.exit()', '`x`', '};alert(1);{', 'x.constructor', 'a[0]', "'a'", 'a;b', 'a=1', 'x=>x', '${x}']) {
      expect(() => parseExpression(s), s).toThrow(ModelParseError);
    }
    for (const s of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(parseExpression(`${s}*x`).symbols.has(s)).toBe(true);
      expect(() => parseExpression(`${s}(x)`)).toThrow(/unknown function/);
    }
  });

  it('refuses nesting deeper than the limit with ModelParseError instead of overflowing the stack', () => {
    expect(() => parseExpression('('.repeat(5000) + 'x' + ')'.repeat(5000))).toThrow(/nested too deeply/);
    expect(() => parseExpression('-'.repeat(5000) + 'x')).toThrow(ModelParseError);
    expect(() => parseExpression('x' + '^x'.repeat(5000))).toThrow(ModelParseError);
  });

  test.prop([exprTree(['a', 'b', 'x', 'constructor'])], { numRuns: 300 })('print then parse rebuilds the same tree', (tree) => {
    const text = printNode(tree);
    expect(parseExpression(text).ast).toEqual(tree);
  });

  const grammarChars = fc.string({ unit: fc.constantFrom(...'ax1.e+-*/^(),_ 2E'.split('')), maxLength: 30 });
  test.prop([fc.oneof(fc.string({ maxLength: 40 }), grammarChars)], { numRuns: 500 })('random text either parses or throws ModelParseError', (text) => {
    try {
      parseExpression(text);
    } catch (e) {
      expect(e).toBeInstanceOf(ModelParseError);
      expect((e as ModelParseError).message).toContain('^');
    }
  });
});

describe('parseExpression size limits', () => {
  it('reads a flat chain of 15000 terms (no recursion along + - * /)', () => {
    const { ast, symbols } = parseExpression('a' + '+x*2'.repeat(15000));
    expect([...symbols.keys()]).toEqual(['a', 'x']);
    let depth = 0;
    for (let n = ast; n.type === 'bin' && n.op === '+'; n = n.left) depth++;
    expect(depth).toBe(15000);
  });

  it('stops at MAX_EXPRESSION_TOKENS with an NlsqRangeError naming the limit, without reading the rest', () => {
    expect(() => parseExpression('x+'.repeat(MAX_EXPRESSION_TOKENS / 2) + 'x')).toThrow(NlsqRangeError);
    expect(() => parseExpression('x+'.repeat(MAX_EXPRESSION_TOKENS / 2) + 'x')).toThrow(/more than 65536 tokens .* at position 65536 of 65537 characters/);
    expect(() => parseExpression(' x + '.repeat(MAX_EXPRESSION_TOKENS / 2 - 1) + 'x ')).not.toThrow(); // exactly the limit; blanks are no tokens
  });

  it('shows a window of a long expression around the caret', () => {
    const text = 'a*x + ' + 'x + '.repeat(100) + ')';
    try {
      parseExpression(text);
      expect.unreachable();
    } catch (e) {
      const [, shown, caret] = (e as ModelParseError).message.split('\n');
      expect(shown!.length).toBeLessThan(130);
      expect(shown!.startsWith('  …')).toBe(true);
      expect(shown![caret!.length - 1]).toBe(')');
      expect((e as ModelParseError).position).toBe(text.length - 1);
    }
    expect(() => parseExpression('('.repeat(300) + 'x')).toThrow('expression is nested too deeply (more than 256 levels of parentheses, unary signs or powers)');
  });
});
