import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { ModelEvaluationError } from '../../src/errors.ts';
import { createClosureKernel } from '../../src/model/closure-kernel.ts';

const data = (x: number[][], y: number[], w: number[] | null = null) => ({ x: x.map((c) => Float64Array.from(c)), y: Float64Array.from(y), w: w === null ? null : Float64Array.from(w) });

describe('createClosureKernel', () => {
  test.prop([fc.integer({ min: 0, max: 9 }), fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 9, maxLength: 9 })], { numRuns: 30 })(
    'writes w·(f(x; θ) − y) for any number of parameters, at the requested offset and stride',
    (p, values) => {
      const theta = Float64Array.from(values.slice(0, p));
      const f = (x: number, ...t: number[]) => t.reduce((s, v, j) => s + v * x ** j, 0.5);
      const kernel = createClosureKernel({ f, nParams: p, nVariables: 1 });
      const d = data([[0.5, 1, 2]], [1, 2, 3], [2, 1, 0.5]);
      const out = new Float64Array(8).fill(-7);
      kernel.residuals(theta, d, 1, 2, out, 1, 3);
      expect(out[1]).toBeCloseTo(1 * (f(1, ...theta) - 2), 12);
      expect(out[4]).toBeCloseTo(0.5 * (f(2, ...theta) - 3), 12);
      expect(out[0]).toBe(-7);
      expect(out[2]).toBe(-7);
    },
  );

  it('passes x as a number for one variable and as one reused array for k variables', () => {
    const seen: unknown[] = [];
    const kernel = createClosureKernel({ f: (x: number[], a: number) => (seen.push(x), a * (x[0]! + x[1]!)), nParams: 1, nVariables: 2 });
    const out = new Float64Array(3);
    kernel.residuals(Float64Array.of(2), data([[1, 2, 3], [10, 20, 30]], [0, 0, 0]), 0, 3, out, 0, 1);
    expect([...out]).toEqual([22, 44, 66]);
    expect(new Set(seen).size).toBe(1);
  });

  it('builds augmented rows [w·∂f/∂θ | w·(f − y)] from a per-point jac', () => {
    const kernel = createClosureKernel({
      f: (x: number, a: number, b: number) => a * Math.exp(b * x),
      jac: (x: number, a: number, b: number) => [Math.exp(b * x), a * x * Math.exp(b * x)],
      nParams: 2,
      nVariables: 1,
    });
    expect(kernel.analyticJacobian).toBe(true);
    const rows = new Float64Array(6);
    kernel.residualRows!(Float64Array.of(2, 0.5), data([[0, 1]], [1, 1], [1, 3]), 0, 2, rows, 0);
    const e = Math.exp(0.5);
    expect([...rows].map((v) => +v.toPrecision(12))).toEqual([1, 0, 1, 3 * e, 3 * 2 * e, 3 * (2 * e - 1)].map((v) => +v.toPrecision(12)));
  });

  it('wraps a throwing model in a ModelEvaluationError naming the point, with the cause', () => {
    const cause = new RangeError('bad');
    const kernel = createClosureKernel({ f: (x: number) => { if (x === 2) throw cause; return x; }, nParams: 1, nVariables: 1, caller: 'fit' });
    let error: unknown;
    try {
      kernel.residuals(Float64Array.of(1), data([[1, 2]], [0, 0]), 0, 2, new Float64Array(2), 0, 1);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ModelEvaluationError);
    expect((error as Error).message).toBe('fit: the model function threw at point 1 with params [1]: bad');
    expect((error as Error).cause).toBe(cause);
  });
});
