/**
 * Translation of model-function sources into expression trees: the accepted subset, a structural
 * round trip of random trees printed as JavaScript, and a named reason for every construct
 * outside the subset (hostile ones included).
 */
import { fc, test } from '@fast-check/vitest';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Node } from '../../../src/model/ast.ts';
import { loadJsParser, type JsParser } from '../../../src/model/lift/js-parser.ts';
import { translateFunction, type LiftedSource, type LiftRefusal } from '../../../src/model/lift/translate.ts';
import { printNode } from '../../../src/model/printer.ts';
import { exprTree } from '../arbitraries.ts';

let parser: JsParser;
beforeAll(async () => {
  parser = (await loadJsParser())!;
});

function translate(source: string, k = 1, p?: number, constants: Record<string, number> = {}): LiftedSource | LiftRefusal {
  const ast = parser.parseExpressionAt(source, 0, { ecmaVersion: 'latest', locations: true });
  const params = p ?? Number(/^[^(]*\(([^)]*)\)/.exec(source)?.[1]?.split(',').length ?? 1) - 1;
  return translateFunction(ast, { k, p: params, constants: new Map(Object.entries(constants)) });
}

function lifted(source: string, k = 1, p?: number, constants: Record<string, number> = {}): { expression: string; params: readonly string[]; variables: readonly string[] } {
  const t = translate(source, k, p, constants);
  if ('refused' in t) throw new Error(`refused: ${t.reason}`);
  return { expression: printNode(t.tree), params: t.params, variables: t.variables };
}

function reason(source: string, k = 1, p?: number, constants: Record<string, number> = {}): string {
  const t = translate(source, k, p, constants);
  if (!('refused' in t)) throw new Error(`lifted: ${printNode(t.tree)}`);
  return t.reason;
}

/** Print a tree as JavaScript: every operand parenthesised, `^` as `**`, functions as Math.*. */
function toJs(node: Node): string {
  switch (node.type) {
    case 'num':
      return String(node.value);
    case 'sym':
      return node.name;
    case 'neg':
      return `-(${toJs(node.arg)})`;
    case 'bin':
      return `(${toJs(node.left)}) ${node.op === '^' ? '**' : node.op} (${toJs(node.right)})`;
    case 'call':
      return `Math.${node.fn}(${node.args.map(toJs).join(', ')})`;
    default:
      throw new Error(`unexpected node ${node.type}`);
  }
}

function uses(node: Node, name: string): boolean {
  switch (node.type) {
    case 'sym':
      return node.name === name;
    case 'neg':
      return uses(node.arg, name);
    case 'bin':
      return uses(node.left, name) || uses(node.right, name);
    case 'call':
      return node.args.some((a) => uses(a, name));
    default:
      return false;
  }
}

const noErf = (n: Node): boolean => !/\berfc?\(/.test(printNode(n));

describe('translateFunction accepts the pure subset', () => {
  it('reads arrows, function expressions and declarations, with an expression body or bindings and return', () => {
    expect(lifted('(x, a, b, c) => a * Math.exp(-b * x) + c')).toEqual({ expression: 'a*exp(-b*x) + c', params: ['a', 'b', 'c'], variables: ['x'] });
    expect(lifted('function (t, a, k) { return a * Math.exp(-k * t); }').expression).toBe('a*exp(-k*t)');
    expect(lifted('function decay(t, a, k) { const u = k * t; let v = Math.exp(-u); return a * v; }').expression).toBe('a*exp(-(k*t))');
    expect(lifted('(x, a) => (((a)) * (x))').expression).toBe('a*x');
  });

  it('maps powers, unary signs, Math constants and the variadic min/max', () => {
    expect(lifted('(x, a) => a ** 2 * Math.pow(x, 3)').expression).toBe('a^2*x^3');
    expect(lifted('(x, a) => +a * -x').expression).toBe('a*(-x)');
    expect(lifted('(x, a) => a * Math.sin(Math.PI * x) + Math.E').expression).toBe('a*sin(3.141592653589793*x) + 2.718281828459045');
    expect(lifted('(x, a, b) => Math.max(a, b, x) + Math.min(x, a)').expression).toBe('max(max(a, b), x) + min(x, a)');
    expect(lifted('(x, a) => Math.hypot(x, a) + Math.atan2(a, x) + Math.cbrt(x) + Math.log2(a) + Math.sign(x)').expression).toBe('hypot(x, a) + atan2(a, x) + cbrt(x) + log2(a) + sign(x)');
    expect(lifted('(x, a) => 0x10 * a + 1e-3 * x').expression).toBe('16*a + 0.001*x');
  });

  it('reads several variables as x[i], or destructured', () => {
    expect(lifted('(x, a, b) => a * x[0] + b * x[1]', 2)).toEqual({ expression: 'a*x0 + b*x1', params: ['a', 'b'], variables: ['x0', 'x1'] });
    expect(lifted('([u, v], a) => a * u * v', 2, 1)).toEqual({ expression: 'a*u*v', params: ['a'], variables: ['u', 'v'] });
  });

  it('substitutes the constants the caller passes for free identifiers (parameters shadow them)', () => {
    expect(lifted('(x, a) => a * Math.exp(-k * x)', 1, 1, { k: 2.5 }).expression).toBe('a*exp(-2.5*x)');
    expect(lifted('(x, a) => a * x', 1, 1, { a: 7 }).expression).toBe('a*x');
    expect(lifted('(x, a) => a * x + k', 1, 1, { k: -2 }).expression).toBe('a*x + (-2)');
  });

  test.prop([exprTree(['x', 'a', 'b']).filter(noErf)])('a random tree printed as a JS arrow function translates back to the same tree', (tree) => {
    const t = translate(`(x, a, b) => ${toJs(tree)}`, 1, 2);
    if ('refused' in t) {
      expect(uses(tree, 'x')).toBe(false);
      expect(t.reason).toMatch(/^the variable x is not used at 1:2$/);
      return;
    }
    expect(printNode(t.tree)).toBe(printNode(tree));
  });
});

describe('translateFunction refuses everything else, naming the reason and where', () => {
  const cases: [string, string | RegExp, Record<string, number>?][] = [
    ['(x, a) => a * Math.exp(-k * x)', 'free variable `k` at 1:25'],
    ['(x, a) => a * x % 2', 'the operator % at 1:11'],
    ['(x, a) => a > 0 ? a * x : x', 'a conditional (?:) at 1:11'],
    ['(x, a) => a * x || 0', 'a logical operator at 1:11'],
    ['(x, a) => this.a * x', '`this` at 1:11'],
    ['(x, a) => `${a}` * x', 'a template literal at 1:11'],
    ['(x, a) => ({ get v() { return a; } }).v * x', 'an object literal at 1:12'],
    ['(x, a) => k.v * x', 'free variable `k` at 1:11'],
    ['(x, a) => k.v * x', 'a member access at 1:11', { k: 1 }],
    ['(x, a) => ({ get v() { return a; } }) * x', 'an object literal at 1:12'],
    ['function (x, a) { with (Math) { return a * exp(x); } }', '`with` at 1:19'],
    ['(x, a) => (b = a) * x', 'an assignment at 1:12'],
    ['(x, a) => (counter++, a * x)', 'a comma expression'],
    ['(x, a) => fetch(a) * x', 'a call of `fetch` (only Math functions are lifted) at 1:11'],
    ['(x, a) => a.toFixed(2) * x', 'a call of something other than Math.*'],
    ['(x, a) => Math.log1p(a * x)', 'Math.log1p has no counterpart in the expression language at 1:11'],
    ['(x, a) => Math.random() * a * x', 'Math.random has no counterpart'],
    ['(x, a) => Math["exp"](a * x)', 'a computed Math member'],
    ['(x, a) => Math.exp(a, x)', 'Math.exp with 2 arguments'],
    ['(x, a) => Math.max(a) * x', 'Math.max with 1 argument'],
    ['(x, a) => Math.hypot(a, x, 1)', 'Math.hypot with 3 arguments'],
    ['(x, a) => Math.exp(...[a]) * x', 'a spread argument'],
    ['(x, Math) => Math.exp(x)', '`Math` is shadowed by a parameter'],
    ['(x, a) => { const Math = { exp: (v) => v }; return a * Math.exp(x); }', '`Math` is shadowed by a binding'],
    ['function Math(x, a) { return a * Math.exp(x); }', '`Math` is shadowed at 1:34'],
    ['(x, a) => Math * x', '`Math` used as a value'],
    ['(x, a) => arguments[0] * a', '`arguments`'],
    ['(x, a) => new Number(a) * x', '`new`'],
    ['(x, a) => a?.b * x', 'optional chaining'],
    ['(x, a) => a * x + 1n', 'the literal 1n'],
    ['(x, a) => a * x + "1"', 'the literal "1"'],
    ['(x, a) => typeof a', 'the operator typeof'],
    ['(x, a) => { var u = a * x; return u; }', 'a `var` declaration (only const and let)'],
    ['(x, a) => { let u = a; u = u * x; return u; }', 'a statement other than const/let/return'],
    ['(x, a) => { const u = v * a; const v = x; return u; }', '`v` is used before its declaration'],
    ['(x, a) => { if (a) return x; return a; }', '`if`'],
    ['(x, a) => { return a * x; a = 1; }', 'a statement after return'],
    ['(x, a) => { const u = a * x; }', 'no return statement'],
    ['(x, a) => { const [u] = [a]; return u * x; }', 'a destructuring declaration'],
    ['async (x, a) => a * x', 'an async function'],
    ['function* (x, a) { return a * x; }', 'a generator'],
    ['(x, a = 1) => a * x', 'a parameter with a default, a rest parameter or a pattern'],
    ['(x, ...p) => p[0] * x', 'a parameter with a default, a rest parameter or a pattern'],
    ['(x, a, $b) => a * x', 'parameter `$b` is not a model-expression identifier'],
    ['(x, exp) => exp * x', 'parameter `exp` is a function name of the expression language'],
    ['(x, a) => a', 'the variable x is not used'],
    ['(x, a) => (() => a * x)()', 'a call of something other than Math.*'],
    ['(x, a) => import("fs") * a', '`import()`'],
    ['function f(x, a) { return a * x * f.length; }', 'the function refers to itself (`f`) at 1:35'],
  ];
  it.each(cases)('%s → %s', (source, why, constants) => {
    const r = reason(source, 1, source.includes('...') ? 1 : undefined, constants);
    if (typeof why === 'string') expect(r).toContain(why);
    else expect(r).toMatch(why);
  });

  it('refuses shapes of x that do not fit the data', () => {
    expect(reason('(x, a) => a * x', 2)).toContain('`x` is used whole, but with 2 variables it is an array');
    expect(reason('(x, a) => a * x[0]', 1)).toContain('x[0] indexes `x`, but with one variable it is a number');
    expect(reason('(x, a) => a * x[0] + x[2]', 2)).toContain('x[2] is outside the 2 variables');
    expect(reason('(x, a) => a * x[0] + x[0.5]', 2)).toContain('x[0.5] is outside the 2 variables');
    expect(reason('(x, a) => a * x[0] + x.length', 2)).toContain('`x` read other than as x[<integer>]');
    expect(reason('(x, a) => a * x[0]', 2)).toContain('the variable x1 is not used');
    expect(reason('([u, v], a) => a * u', 2, 1)).toContain('the variable v is not used');
    expect(reason('([u, v], a) => a * u * v', 3, 1)).toContain('x is destructured into 2 names, but the data have 3 variables');
    expect(reason('([u], a) => a * u', 1, 1)).toContain('x is destructured, but with one variable it is a number');
    expect(reason('(x, a, b) => a * x', 1, 3)).toContain('the function has 2 parameters after x, but the fit has 3');
  });

  it('refuses a source that is not a function, and bindings that would blow up when substituted', () => {
    expect(reason('x => 1', 1, 0)).toContain('the variable x is not used');
    const chain = Array.from({ length: 20 }, (_, i) => `const u${i + 1} = u${i} * u${i};`).join(' ');
    expect(reason(`(x, a) => { const u0 = a * x; ${chain} return u20; }`)).toContain('more than 20000 nodes');
    const t = translateFunction(parser.parseExpressionAt('a * x', 0, { ecmaVersion: 'latest', locations: true }), { k: 1, p: 1, constants: new Map() });
    expect('refused' in t && t.reason).toContain('the source is not a function expression');
  });
});
