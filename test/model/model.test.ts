import { describe, expect, it } from 'vitest';
import { ModelParseError, NlsqRangeError } from '../../src/errors.ts';
import { Model, model } from '../../src/model/model.ts';
import { isFittableModel } from '../../src/model/model-kernel.ts';

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
