/**
 * liftClosure: random expressions written as JS arrow functions lift to models whose values
 * agree with the closures; the safety check rejects closures whose text is not what they compute;
 * hostile sources are never lifted and never called by the lifter.
 */
import { fc, test } from '@fast-check/vitest';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { Node } from '../../../src/model/ast.ts';
import type { ModelFunction } from '../../../src/model/closure-kernel.ts';
import { loadJsParser } from '../../../src/model/lift/js-parser.ts';
import { liftClosure, type ClosureLift } from '../../../src/model/lift/lift-closure.ts';
import { valuesAgree } from '../../../src/model/lift/verify-lift.ts';
import { Model } from '../../../src/model/model.ts';
import { printNode } from '../../../src/model/printer.ts';
import { smoothTree } from '../arbitraries.ts';

/** erf and erfc are expression functions that Math lacks. */
const noErf = (t: Node): boolean => !/\berfc?\(/.test(printNode(t));

beforeAll(async () => {
  expect(await loadJsParser()).toBeDefined();
});

const xs = Float64Array.from({ length: 40 }, (_, i) => 0.5 + i / 26);
const data = { x: [xs], y: new Float64Array(xs.length), w: null };

function lift(f: ModelFunction, p: number, theta: number[] = Array.from({ length: p }, () => 1), constants: Record<string, number> = {}, d = data): ClosureLift {
  return liftClosure({ f, k: d.x.length, p, constants: new Map(Object.entries(constants)), data: d, theta: Float64Array.from(theta) });
}

function reasonOf(r: ClosureLift): string {
  return r.lifted ? `lifted: ${r.model.expression}` : r.reason;
}

/** JavaScript text of a tree, every operand parenthesised. */
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

/** A real arrow function from source text (the test builds closures the way a user's module would). */
function arrow(source: string): ModelFunction {
  return new Function(`return ${source};`)() as ModelFunction;
}

describe('liftClosure on random expressions', () => {
  const tree = smoothTree(['x', 'a', 'b'], 3).filter(noErf);
  test.prop([tree, fc.double({ min: 0.6, max: 1.6, noNaN: true }), fc.double({ min: 0.6, max: 1.6, noNaN: true })], { numRuns: 60 })(
    'lifts to a model whose values agree with the closure (x + tree, so x is always used)',
    (t, a, b) => {
      const f = arrow(`(x, a, b) => x + (${toJs(t)})`);
      const r = lift(f, 2, [a, b]);
      if (!r.lifted) {
        // Only the safety check may refuse a tree of the subset, and only where the closure
        // itself is ill-conditioned (its value changes in the 12th digit under rounding).
        expect(r.reason).toMatch(/^lifted expression disagrees with the closure at /);
        return;
      }
      expect(r.model.params).toEqual(['a', 'b']);
      const points = Float64Array.from({ length: 9 }, (_, i) => 0.55 + i * 0.17);
      const values = r.model.evaluate([a, b], points);
      points.forEach((x, i) => {
        const want = f(x, a, b);
        if (Number.isFinite(want) && Math.abs(want) < 1e12) expect(Math.abs(values[i]! - want)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want)));
        else expect(Number.isFinite(values[i]!) && Math.abs(values[i]!) < 1e11).toBe(false);
      });
    },
  );

  it('lifts the common model shapes exactly, and the closure and the model agree at the data points', () => {
    const r = lift((x: number, a: number, b: number, c: number) => a * Math.exp(-b * x) + c, 3, [2, 0.5, 1]);
    expect(r.lifted).toBe(true);
    if (!r.lifted) return;
    expect(r.model.params).toEqual(['a', 'b', 'c']);
    expect(r.model.derivatives.length).toBe(3);
    const v = r.model.evaluate([2, 0.5, 1], xs);
    xs.forEach((x, i) => expect(valuesAgree(2 * Math.exp(-0.5 * x) + 1, v[i]!)).toBe(true));
  });

  it('reads several variables and crosses to a Worker as JSON like any expression model', () => {
    const x2 = Float64Array.from(xs, (v) => v * v);
    const d = { x: [xs, x2], y: new Float64Array(xs.length), w: null };
    const r = lift((x: number[], a: number, b: number) => a * x[0]! + b * Math.sqrt(x[1]!), 2, [1, 2], {}, d);
    expect(reasonOf(r)).toBe('lifted: a*x0 + b*sqrt(x1)');
    if (!r.lifted) return;
    const back = Model.fromJSON(JSON.parse(JSON.stringify(r.model.toJSON())));
    expect(back.expression).toBe(r.model.expression);
    expect(back.variables).toEqual(['x0', 'x1']);
    expect(back.evaluate([1, 2], [xs, x2])).toEqual(r.model.evaluate([1, 2], [xs, x2]));
  });

  it('uses constants for free identifiers, and refuses when they are missing', () => {
    const k = 2.5;
    const f = (x: number, a: number) => a * Math.exp(-k * x);
    expect(reasonOf(lift(f, 1))).toMatch(/^free variable `k` at 1:\d+; pass `constants` or use model\(\)$/);
    expect(reasonOf(lift(f, 1, [1], { k: 2.5 }))).toBe('lifted: a*exp(-2.5*x)');
  });
});

describe('liftClosure safety', () => {
  it('rejects a closure whose constants differ from what it computes', () => {
    const k = 2.5;
    const r = lift((x: number, a: number) => a * Math.exp(-k * x), 1, [1], { k: 2 });
    expect(reasonOf(r)).toMatch(/^lifted expression disagrees with the closure at x = 0\.5, p = \[1\] \(.* vs .*\); use model\(\)$/);
  });

  it('reads the real source, not an overridden toString', () => {
    const f = (x: number, a: number) => a * x * 3;
    Object.defineProperty(f, 'toString', { value: () => '(x, a) => a * x' });
    expect(reasonOf(lift(f, 1))).toBe('lifted: a*x*3');
  });

  it('reads sources with the toString of load time, not a later replacement of Function.prototype.toString', () => {
    const f = (x: number, a: number) => a * x * 3;
    const original = Function.prototype.toString;
    try {
      Function.prototype.toString = () => '(x, a) => a * x';
      expect(reasonOf(lift(f, 1))).toBe('lifted: a*x*3');
    } finally {
      Function.prototype.toString = original;
    }
  });

  it('rejects a closure when Math is replaced at run time (the check calls the real closure)', () => {
    const f = arrow('(x, a) => a * Math.exp(x)');
    const exp = Math.exp;
    try {
      Math.exp = (v: number) => exp(v) + 1;
      expect(reasonOf(lift(f, 1))).toMatch(/^lifted expression disagrees with the closure at /);
    } finally {
      Math.exp = exp;
    }
  });

  it('never calls a closure it refuses, and never touches getters or side effects in its source', () => {
    let calls = 0;
    let reads = 0;
    const obj = {
      get v() {
        reads++;
        return 2;
      },
    };
    const getter = (x: number, a: number) => {
      calls++;
      return a * x * obj.v;
    };
    expect(reasonOf(lift(getter, 1))).toContain('a statement other than const/let/return');
    let counter = 0;
    const effect = (x: number, a: number) => (counter++, a * x);
    expect(reasonOf(lift(effect, 1))).toContain('a comma expression');
    const member = (x: number, a: number) => a * x * obj.v;
    expect(reasonOf(lift(member, 1))).toMatch(/^free variable `obj`/);
    expect([calls, reads, counter]).toEqual([0, 0, 0]);
  });

  it('refuses bound functions, proxies, methods and classes of source it cannot read as a function expression', () => {
    const f = (x: number, a: number) => a * x;
    expect(reasonOf(lift(f.bind(null), 1))).toContain('a built-in or bound function');
    expect(reasonOf(lift(new Proxy(f, {}), 1))).toContain('a built-in or bound function');
    const holder = { m(x: number, a: number) { return a * x; } };
    expect(reasonOf(lift(holder.m, 1))).toMatch(/^its source does not parse as (a|one) function expression/);
    expect(reasonOf(lift(Math.hypot as ModelFunction, 1))).toContain('a built-in or bound function');
  });

  it('caches a translation per function and shape, and checks against the closure on every call', () => {
    const f = arrow('(x, a) => a * x');
    const one = lift(f, 1);
    const two = lift(f, 1);
    expect(one.lifted && two.lifted && one.model === two.model).toBe(true);
    expect(lift(f, 1, [1], { unused: 1 }).lifted).toBe(true);
  });

  it('refuses in a synchronous call of a runtime that has not loaded the parser', async () => {
    vi.resetModules();
    const fresh = await import('../../../src/model/lift/lift-closure.ts');
    const r = fresh.liftClosure({ f: (x: number, a: number) => a * x, k: 1, p: 1, constants: new Map(), data, theta: Float64Array.of(1) });
    expect(reasonOf(r)).toBe('parser not loaded in a synchronous call (an async curveFit or fit loads it, or await preloadClosureLifting() once); use curveFit or model()');
  });
});

describe('liftClosure refusal rate on random expressions', () => {
  it('lifts every one of 300 random trees of the subset (a fixed sample: the safety check refuses none)', () => {
    const trees = fc.sample(smoothTree(['x', 'a', 'b'], 3).filter(noErf), { numRuns: 300, seed: 20261205 });
    const reasons = trees.flatMap((t) => {
      const r = lift(arrow(`(x, a, b) => x + (${toJs(t)})`), 2, [1.1, 0.9]);
      return r.lifted ? [] : [r.reason];
    });
    expect(reasons).toEqual([]);
  });
});
