/**
 * Issue 13: a Jacobian function's output is numbers only, shape m × p, and a model returning
 * something other than a number per point says so — instead of being silently coerced
 * (`[[[4]]]` → 4, `[['4']]` → 4, `[v] − y` → v − y) and "converging".
 */
import { describe, expect, it } from 'vitest';
import { NlsqRangeError, NlsqTypeError } from '../../src/errors.ts';
import { curveFitSync, leastSquaresSync } from '../../src/index.ts';
import type { VectorJacobian } from '../../src/options/types.ts';

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

const square = (x: Float64Array) => [x[0]! * x[0]! - 4];

describe('leastSquares: the output of jac', () => {
  it.each([
    [[[[4]]], 'leastSquaresSync: jac must return an m × p matrix of numbers, got a nested array (an array of length 1) at row 0, column 0; each row must hold p numbers'],
    [[['4']], 'leastSquaresSync: jac must return numbers, got a string ("4") at row 0, column 0'],
    [[[null]], 'leastSquaresSync: jac must return numbers, got null at row 0, column 0'],
    [[[undefined]], 'leastSquaresSync: jac must return numbers, got undefined at row 0, column 0'],
  ])('rejects %j with an NlsqTypeError naming jac', (value, message) => {
    const error = thrown(() => leastSquaresSync(square, [2], { jac: (() => value) as unknown as VectorJacobian }));
    expect(error).toBeInstanceOf(NlsqTypeError);
    expect(error.message).toBe(message);
    expect((error as NlsqTypeError).argument).toBe('jac');
  });

  it('rejects a wrong shape with an NlsqRangeError (ERR_SHAPE)', () => {
    const error = thrown(() => leastSquaresSync(square, [2], { jac: (() => [[4, 1]]) as unknown as VectorJacobian }));
    expect(error).toBeInstanceOf(NlsqRangeError);
    expect((error as NlsqRangeError).code).toBe('ERR_SHAPE');
  });

  it('accepts rows as Float64Arrays and a flat Float64Array, with the same solution as nested arrays', () => {
    const fun = (x: Float64Array) => [x[0]! - 1, x[1]! * x[0]! - 2, x[1]! - 3];
    const rows = (x: Float64Array) => [[1, 0], [x[1]!, x[0]!], [0, 1]];
    const a = leastSquaresSync(fun, [0.5, 0.5], { jac: rows });
    const b = leastSquaresSync(fun, [0.5, 0.5], { jac: (x) => rows(x).map((r) => Float64Array.from(r)) });
    const c = leastSquaresSync(fun, [0.5, 0.5], { jac: (x) => Float64Array.from(rows(x).flat()) });
    expect(Array.from(b.x)).toEqual(Array.from(a.x));
    expect(Array.from(c.x)).toEqual(Array.from(a.x));
  });
});

describe('curveFit: a closure model or its jac that returns other than numbers', () => {
  const xs = [1, 2, 3];
  const ys = [2, 4, 6];

  it.each([
    [(x: number, a: number) => [a * x], 'an array (an array of length 1)'],
    [(x: number, a: number) => String(a * x), 'a string ("2")'],
    [(_x: number, _a: number) => undefined, 'undefined'],
  ])('%s is rejected naming f and the point', (f, what) => {
    const error = thrown(() => curveFitSync(f as unknown as (x: number, a: number) => number, xs, ys, { p0: [2], lift: false }));
    expect(error).toBeInstanceOf(NlsqTypeError);
    expect(error.message).toBe(`curveFitSync: the model f must return one number per point, got ${what} at point 0`);
    expect((error as NlsqTypeError).argument).toBe('f');
  });

  it("a per-point jac returning a string is rejected naming jac, the parameter and the point", () => {
    const error = thrown(() =>
      curveFitSync((x: number, a: number) => a * x, xs, ys, { p0: [1], lift: false, jac: ((x: number) => [String(x)]) as unknown as (x: number, a: number) => number[] }),
    );
    expect(error).toBeInstanceOf(NlsqTypeError);
    expect(error.message).toBe('curveFitSync: jac must return numbers (one per parameter), got a string ("1") for parameter 0 at point 0');
    expect((error as NlsqTypeError).argument).toBe('jac');
  });
});
