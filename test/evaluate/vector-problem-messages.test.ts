import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../src/backends/cpu/cpu-backend.ts';
import { NlsqRangeError, NlsqTypeError } from '../../src/errors.ts';
import { checkResidualArray, createVectorProblem } from '../../src/evaluate/vector-problem.ts';
import { leastSquares, leastSquaresSync } from '../../src/index.ts';
import type { VectorFunction, VectorJacobian } from '../../src/options/types.ts';

/** Issue 21, "messages that point at the wrong cause": a residual or Jacobian function of the wrong kind. */
const backend = createCpuBackend();
const fun = (x: Float64Array) => [x[0]! - 1, x[1]! - 2, x[0]! * x[1]!];
const x0 = Float64Array.of(0.5, 0.5);

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

function withJac(jac: unknown): () => unknown {
  const problem = createVectorProblem({ backend, fun, jac: jac as VectorJacobian, p: 2, m: 3, loss: null, scheme: { kind: 'analytic' } });
  return () => problem.evaluate(x0, true);
}

describe('checkResidualArray', () => {
  it('accepts arrays of numbers and Float64Arrays (including NaN: finiteness is checked elsewhere)', () => {
    expect(() => checkResidualArray('leastSquares', [1, NaN, -Infinity])).not.toThrow();
    expect(() => checkResidualArray('leastSquares', new Float64Array(3))).not.toThrow();
    expect(() => checkResidualArray('leastSquares', new Float32Array(3))).not.toThrow();
  });

  it.each([
    [['1', '2'], 'leastSquares: fun must return numbers, got a string ("1") at index 0'],
    [[1, 2, '3'], 'leastSquares: fun must return numbers, got a string ("3") at index 2'],
    [[1, null], 'leastSquares: fun must return numbers, got null at index 1'],
    [[1, undefined], 'leastSquares: fun must return numbers, got undefined at index 1'],
    [[[1, 2], [3, 4]], 'leastSquares: fun must return a flat array of numbers (one per residual), got a nested array (an array of length 2) at index 0; flatten it'],
    [[1, Float64Array.of(2)], 'leastSquares: fun must return a flat array of numbers (one per residual), got a nested array (a Float64Array of length 1) at index 1; flatten it'],
    [3, 'leastSquares: fun must return an array of numbers, got 3'],
    [undefined, 'leastSquares: fun must return an array of numbers, got undefined'],
  ] as const)('rejects %j naming the entry and what it is', (value, message) => {
    const error = thrown(() => checkResidualArray('leastSquares', value));
    expect(error).toBeInstanceOf(NlsqTypeError);
    expect(error.message).toBe(message);
    expect((error as NlsqTypeError).argument).toBe('fun');
  });
});

describe('leastSquares: a residual function that returns strings or nested arrays', () => {
  it('says it must return numbers and names the string, at x0 (was "must be finite, got 1")', async () => {
    const strings = (() => ['1', '2', '3']) as unknown as VectorFunction;
    await expect(leastSquares(strings, [0, 0])).rejects.toThrow('leastSquares: fun must return numbers, got a string ("1") at index 0');
    expect(() => leastSquaresSync(strings, [0, 0])).toThrow('leastSquaresSync: fun must return numbers, got a string ("1") at index 0');
  });

  it('says a nested array must be flattened', async () => {
    const nested = (() => [[1], [2], [3]]) as unknown as VectorFunction;
    await expect(leastSquares(nested, [0, 0])).rejects.toThrow(NlsqTypeError);
    await expect(leastSquares(nested, [0, 0])).rejects.toThrow(/got a nested array \(an array of length 1\) at index 0; flatten it/);
  });

  it('catches strings returned after x0 too, during the fit', () => {
    let calls = 0;
    const later = ((x: Float64Array) => (++calls > 1 ? [String(x[0]! - 1), '0', '0'] : fun(x))) as unknown as VectorFunction;
    expect(() => leastSquaresSync(later, [0.5, 0.5])).toThrow(/leastSquaresSync: fun must return numbers, got a string \("-?[0-9.e-]+"\) at index 0/);
  });
});

describe('a Jacobian function of the wrong shape says the shape expected and what it got', () => {
  it.each([
    ['a Float64Array of 5 values', new Float64Array(5), 'leastSquares: jac must return an m × p = 3 × 2 matrix (6 values row-major in a Float64Array), got 5 values'],
    ['2 rows', [[1, 0], [0, 1]], 'leastSquares: jac must return an m × p = 3 × 2 matrix (3 rows of 2 values, or a Float64Array of 6 values row-major), got an array of length 2'],
    ['a short row', [[1, 0], [0, 1], [1]], 'leastSquares: jac must return an m × p = 3 × 2 matrix (3 rows of 2 values, or a Float64Array of 6 values row-major), got an array of length 1 as row 2'],
    ['numbers as rows', [1, 2, 3], 'leastSquares: jac must return an m × p = 3 × 2 matrix (3 rows of 2 values, or a Float64Array of 6 values row-major), got 1 as row 0'],
    [
      'a flat plain array',
      [1, 0, 0, 1, 1, 1],
      'leastSquares: jac must return an m × p = 3 × 2 matrix (3 rows of 2 values, or a Float64Array of 6 values row-major), got an array of length 6; a flat row-major matrix must be a Float64Array',
    ],
  ])('%s', (_name, J, message) => {
    const error = thrown(withJac(() => J));
    expect(error).toBeInstanceOf(NlsqRangeError);
    expect(error.message).toBe(message);
    expect((error as NlsqRangeError).code).toBe('ERR_SHAPE');
    expect((error as NlsqRangeError).argument).toBe('jac');
  });

  it('through leastSquares, with the public name', async () => {
    await expect(leastSquares(fun, [0.5, 0.5], { jac: () => new Float64Array(4) })).rejects.toThrow(
      'leastSquares: jac must return an m × p = 3 × 2 matrix (6 values row-major in a Float64Array), got 4 values',
    );
  });
});
