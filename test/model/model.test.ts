import { describe, expect, it } from 'vitest';
import { curveFitSync } from '../../src/curve-fit.ts';
import { ModelParseError, NlsqRangeError, NlsqTypeError } from '../../src/errors.ts';
import type { Node } from '../../src/model/ast.ts';
import { MAX_PROGRAM_INSTRUCTIONS, lowerNodes } from '../../src/model/lower.ts';
import { MAX_COMPILED_INSTRUCTIONS, MODEL_JSON_VERSION, Model, model } from '../../src/model/model.ts';
import { MAX_EXPRESSION_TOKENS } from '../../src/model/parser.ts';
import { isFittableModel } from '../../src/model/model-kernel.ts';

/** Structural equality of two syntax trees with an explicit stack, so a 3000-long chain cannot overflow the call stack. */
function sameTree(a: unknown, b: unknown): boolean {
  const stack: [unknown, unknown][] = [[a, b]];
  while (stack.length > 0) {
    const [u, v] = stack.pop()!;
    if (u === v) continue;
    if (typeof u !== 'object' || typeof v !== 'object' || u === null || v === null) return false;
    const ku = Object.keys(u).sort();
    const kv = Object.keys(v).sort();
    if (ku.join() !== kv.join()) return false;
    for (const k of ku) stack.push([(u as Record<string, unknown>)[k], (v as Record<string, unknown>)[k]]);
  }
  return true;
}

describe('model', () => {
  it('takes parameters in order of first appearance, x as the variable and pi/e as constants', () => {
    const m = model('b*x + a*sin(pi*x) + e');
    expect(m.params).toEqual(['b', 'a']);
    expect(m.variables).toEqual(['x']);
    expect(Array.from(m.evaluate([2, 3], [0.5]))).toEqual([2 * 0.5 + 3 * Math.sin(Math.PI * 0.5) + Math.E]);
    expect(isFittableModel(m)).toBe(true);
  });

  it('lets explicit params shadow the constants and rejects unknown names with a caret', () => {
    expect(model('e*x', { params: ['e'] }).params).toEqual(['e']);
    expect(() => model('a*x + q', { params: ['a'] })).toThrow(ModelParseError);
    expect(() => model('a*x + q', { params: ['a'] })).toThrow("model: unknown name 'q' (params: a; variables: x) at position 6\n  a*x + q\n        ^");
    expect(() => model('a*x', { params: ['a', 'a'] })).toThrow(/lists 'a' twice/);
    expect(() => model('a*x', { params: ['x'] })).toThrow(NlsqRangeError);
    expect(() => model('a*x', { params: ['exp'] })).toThrow(/function name/);
    expect(() => model('a*x', { params: ['a b'] })).toThrow(/identifiers/);
    expect(() => model('2*x')).toThrow(/has no parameters/);
  });

  it('supports several variables', () => {
    const m = model('a*x + b*y', { variables: ['x', 'y'] });
    expect(m.params).toEqual(['a', 'b']);
    expect(Array.from(m.evaluate([1, 10], [[1, 2], [3, 4]]))).toEqual([31, 42]);
    expect(() => m.evaluate([1, 10], [1, 2])).toThrow(/x must have 2 columns/);
    expect(() => m.evaluate([1], [[1], [2]])).toThrow(/params must have length 2/);
  });

  it('pretty-prints the expression and its derivatives', () => {
    const m = model('a * (x ^ 2) + ((b))');
    expect(m.expression).toBe('a*x^2 + b');
    expect(m.derivatives).toEqual(['x^2', '1']);
    expect(model('a/(1+exp(-(x-b)/c))').derivatives[0]).toBe('1/(1 + exp(-(x - b)/c))');
  });

  it('survives toJSON / fromJSON (as a Web Worker message would carry it)', () => {
    const m = model('a*exp(-b*t) + c', { variables: ['t'], params: ['a', 'b', 'c'], name: 'decay' });
    const json = JSON.parse(JSON.stringify(m));
    const back = model.fromJSON(json);
    expect(back).toBeInstanceOf(Model);
    expect(back.params).toEqual(m.params);
    expect(back.variables).toEqual(['t']);
    expect(back.name).toBe('decay');
    expect(back.expression).toBe(m.expression);
    expect(Array.from(back.evaluate([1, 2, 3], [0.1, 0.2]))).toEqual(Array.from(m.evaluate([1, 2, 3], [0.1, 0.2])));
    expect(model.fromJSON(JSON.stringify(m)).params).toEqual(m.params);
    expect(() => model.fromJSON({ type: 'other' } as never)).toThrow(/output of Model.toJSON/);
  });
});

describe('model size (issue 21, defect 4)', () => {
  it('fits a flat sum of 3000 terms: parsing, resolution, printing, simplification, differentiation and lowering never recurse along a chain', () => {
    const text = 'a' + '+x'.repeat(3000);
    const m = model(text);
    expect(m.params).toEqual(['a']);
    expect(m.expression).toBe('a' + ' + x'.repeat(3000));
    expect(sameTree(model(m.expression).ast, m.ast)).toBe(true); // expect().toEqual recurses 3000 deep and can overflow a worker's stack
    expect(m.derivatives).toEqual(['1']);
    expect(m.program.instructions).toHaveLength(3000);
    expect(m.createKernel().mode).toBe('compiled');
    expect(Array.from(m.evaluate([0.5], [2]))).toEqual([0.5 + 2 * 3000]);
    const r = curveFitSync(m, [1, 2, 3], [3001.5, 6001.5, 9001.5], { p0: [0] });
    expect(r.popt[0]).toBeCloseTo(1.5, 9);
    const chain = model('a*x' + '*x'.repeat(2999) + '-b' + '/x'.repeat(3000), { params: ['a', 'b'] });
    expect(chain.derivatives[1] === '-1' + '/x'.repeat(3000)).toBe(true);
    expect(Array.from(chain.evaluate([2, 1], [1]))).toEqual([2 - 1]);
  });

  it('rejects an expression past MAX_EXPRESSION_TOKENS (1 MB of terms) with a clear NlsqRangeError, quickly', () => {
    const t0 = performance.now();
    const err = (() => {
      try {
        model('a' + '+x'.repeat(500_000));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(NlsqRangeError);
    expect((err as NlsqRangeError).argument).toBe('expression');
    expect((err as Error).message).toBe(
      `model: the expression has more than ${MAX_EXPRESSION_TOKENS} tokens (numbers, names, operators; the limit is MAX_EXPRESSION_TOKENS), ` +
        'the first one past it at position 65536 of 1000001 characters; write a model this large as a function f(x, ...params)',
    );
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(model('a*x' + ' '.repeat(1_000_000)).params).toEqual(['a']); // 1 MB of blanks is 3 tokens
  });

  it('interprets a program too long to compile, with the same values', () => {
    const n = MAX_COMPILED_INSTRUCTIONS / 2 + 10; // f = a/x/…/x and ∂f/∂a = 1/x/…/x: n divisions each
    const m = model('a' + '/x'.repeat(n));
    expect(m.program.instructions.length).toBeGreaterThan(MAX_COMPILED_INSTRUCTIONS);
    expect(m.createKernel().mode).toBe('interpreted');
    expect(m.createKernel({ compile: true }).mode).toBe('interpreted');
    expect(Array.from(m.evaluate([3], [1, 2]))).toEqual([3, 3 / 2 ** n]);
  });

  it('stops lowering past MAX_PROGRAM_INSTRUCTIONS with an NlsqRangeError', () => {
    let chain: Node = { type: 'param', index: 0, name: 'a' };
    for (let i = 1; i <= MAX_PROGRAM_INSTRUCTIONS + 1; i++) chain = { type: 'bin', op: '+', left: chain, right: { type: 'num', value: i } };
    const err = (() => {
      try {
        lowerNodes([chain]);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(NlsqRangeError);
    expect((err as Error).message).toContain(`model: f and its derivatives need more than ${MAX_PROGRAM_INSTRUCTIONS} instructions (MAX_PROGRAM_INSTRUCTIONS)`);
  });
});

describe('model and model.fromJSON argument errors (issue 21, defect 7)', () => {
  it('checks defaultBounds with the library error', () => {
    const bad: [unknown, string][] = [
      [[{ length: 1 }, { length: 1 }], 'model: defaultBounds must be [lb, ub], two arrays of 1 numbers (one per parameter), got lb = object'],
      [[[0]], 'model: defaultBounds must be [lb, ub], two arrays of 1 numbers (one per parameter), got an array of length 1'],
      [[[0, 1], [2, 3]], 'got lb = an array of length 2'],
      [[['0'], [1]], 'model: defaultBounds lb[0] must be a number (±Infinity for none), got "0"'],
      [[[0], [NaN]], 'model: defaultBounds ub[0] must be a number (±Infinity for none), got NaN'],
      [[[1], [1]], 'model: defaultBounds must have each lower bound strictly less than its upper bound, got lb[0] = 1 ≥ ub[0] = 1'],
    ];
    for (const [defaultBounds, message] of bad) {
      expect(() => model('a*x', { defaultBounds: defaultBounds as never })).toThrow(NlsqRangeError);
      expect(() => model('a*x', { defaultBounds: defaultBounds as never })).toThrow(message);
    }
    expect(model('a*x', { defaultBounds: [[-Infinity], [0]] }).defaultBounds).toEqual([[-Infinity], [0]]);
  });

  it('checks the types of the other options', () => {
    expect(() => model('a*x', { name: 3 as never })).toThrow('model: name must be a string, got 3');
    expect(() => model('a*x', { compile: 'no' as never })).toThrow(NlsqTypeError);
    expect(() => model('a*x', { estimateP0: [1] as never })).toThrow(/estimateP0 must be a function/);
  });

  it('turns text that is not JSON into NlsqTypeError, as documented, and rejects unknown format versions', () => {
    expect(() => model.fromJSON('{"type":')).toThrow(NlsqTypeError);
    expect(() => model.fromJSON('{"type":')).toThrow(/^model.fromJSON: json must be the output of Model.toJSON\(\) or its JSON text, got text that is not JSON \(/);
    const json = { ...model('a*x').toJSON() };
    expect(() => model.fromJSON({ ...json, version: 999 } as never)).toThrow('model.fromJSON: json.version must be 1 (the model format this version of nlsq reads), got 999');
    expect(() => model.fromJSON({ ...json, version: undefined } as never)).toThrow(NlsqRangeError);
    expect(MODEL_JSON_VERSION).toBe(1);
  });

  it('rejects a declared variable the expression does not use, instead of fitting x as a parameter', () => {
    expect(() => model('a*x + b', { variables: ['t'] })).toThrow(NlsqRangeError);
    expect(() => model('a*x + b', { variables: ['t'] })).toThrow(
      "model: variables lists 't', which the expression does not use (its names: a, x, b); every listed variable must appear in the expression",
    );
    expect(() => model('a*x + b*y', { variables: ['x', 'y', 'z'] })).toThrow(/variables lists 'z'/);
    const constant = model('a'); // the default x may be absent
    expect(constant.variables).toEqual(['x']);
    expect(model.fromJSON(JSON.stringify(constant)).expression).toBe('a');
  });
});
