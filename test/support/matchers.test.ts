import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toBeAllclose } from './matchers.ts';

describe('toBeAllclose', () => {
  it('passes within atol + rtol·|expected| and fails beyond, element by element', () => {
    expect([1, 2, 3]).toBeAllclose([1 + 1e-6, 2, 3]);
    expect(Float64Array.of(100, 0)).toBeAllclose([100.05, 1e-9], { rtol: 1e-3, atol: 1e-8 });
    expect([1, 2, 3]).not.toBeAllclose([1, 2.001, 3]);
    expect(() => expect([1, 2]).toBeAllclose([1, 3], { rtol: 0.1 })).toThrow(/1 of 2 differ; worst at \[1\]: got 2, expected 3/);
  });

  it('compares nested arrays by shape and broadcasts a scalar expected value', () => {
    expect([[1, 2], [3, 4]]).toBeAllclose([Float64Array.of(1, 2), [3, 4 + 1e-9]]);
    expect(() => expect([[1, 2], [3, 4]]).toBeAllclose([[1, 2], [3, 5]])).toThrow(/worst at \[1\]\[1\]/);
    expect(() => expect([1, 2, 3]).toBeAllclose([1, 2])).toThrow(/expected shape \[2\], got \[3\]/);
    expect(new Float64Array(4).fill(0.5)).toBeAllclose(0.5);
    expect(2).toBeAllclose(2 + 1e-9);
  });

  it('needs equal infinities, and NaN matches NaN only with equalNan', () => {
    expect([Infinity, -Infinity]).toBeAllclose([Infinity, -Infinity]);
    expect([Infinity]).not.toBeAllclose([-Infinity]);
    expect([1e308]).not.toBeAllclose([Infinity], { rtol: 1 });
    expect([NaN]).not.toBeAllclose([NaN]);
    expect([NaN, 1]).toBeAllclose([NaN, 1], { equalNan: true });
    expect([NaN]).not.toBeAllclose([1], { equalNan: true });
  });

  it('agrees with the definition |a − e| ≤ atol + rtol·|e| (numpy.isclose) on random values', () => {
    const finite = fc.double({ min: -1e6, max: 1e6, noNaN: true });
    fc.assert(
      fc.property(finite, finite, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (a, e, rtol, atol) => {
        const want = Math.abs(a - e) <= atol + rtol * Math.abs(e);
        expect(toBeAllclose([a], [e], { rtol, atol }).pass).toBe(want);
      }),
    );
  });

  it('passes a relative perturbation below rtol and fails one above it', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 1e-3, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 20 }), fc.integer({ min: 0, max: 19 }), (xs, k) => {
        const near = xs.map((x) => x * (1 + 4e-6));
        const far = xs.map((x, i) => (i === k % xs.length ? x * (1 + 1e-4) : x));
        expect(toBeAllclose(near, xs, { atol: 0 }).pass).toBe(true);
        expect(toBeAllclose(far, xs, { atol: 0 }).pass).toBe(false);
      }),
    );
  });
});
