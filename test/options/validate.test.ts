import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { asFloat64, firstNonFinite, toFloat64 } from '../../src/options/validate.ts';
import { validateFitData } from '../../src/options/data.ts';

describe('asFloat64 / toFloat64', () => {
  it('returns a Float64Array of the right length itself, and converts everything else into a new array', () => {
    const f = Float64Array.of(1, 2, 3);
    expect(asFloat64('c', 'ydata', f)).toBe(f);
    expect(asFloat64('c', 'ydata', f, 3)).toBe(f);
    expect(toFloat64('c', 'ydata', f)).not.toBe(f);
    const g = asFloat64('c', 'ydata', Float32Array.of(1.5, 2));
    expect(g).toBeInstanceOf(Float64Array);
    expect(Array.from(g)).toEqual([1.5, 2]);
    expect(Array.from(asFloat64('c', 'ydata', [4, 5]))).toEqual([4, 5]);
  });

  it('still checks the length and the element type', () => {
    expect(() => asFloat64('curveFit', 'xdata', Float64Array.of(1, 2), 3, '(one per ydata value)')).toThrow('curveFit: xdata must have length 3 (one per ydata value), got 2');
    expect(() => asFloat64('curveFit', 'ydata', [1, 'a'])).toThrow('curveFit: ydata[1] must be a number, got');
  });

  test.prop([fc.array(fc.double(), { maxLength: 40 })])('firstNonFinite finds the first NaN or ±Infinity', (values) => {
    const expected = values.findIndex((v) => !Number.isFinite(v));
    expect(firstNonFinite(Float64Array.from(values))).toBe(expected);
  });

  // The Float64Array fast path against the generic scan (a number array) and the definition, with
  // NaN, +∞ and −∞ planted at any index (the unrolled body and its tail alike), on plain and
  // shared buffers.
  const bad = fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY);
  test.prop([fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { maxLength: 70 }), fc.array(fc.tuple(fc.nat(), bad), { maxLength: 3 }), fc.boolean()])(
    'firstNonFinite on a Float64Array agrees with the generic scan and findIndex wherever NaN or ±Infinity sits',
    (finite, planted, shared) => {
      const values = [...finite];
      for (const [at, v] of planted) if (values.length > 0) values[at % values.length] = v;
      const f64 = shared ? new Float64Array(new SharedArrayBuffer(values.length * 8)) : new Float64Array(values.length);
      f64.set(values);
      const expected = values.findIndex((v) => !Number.isFinite(v));
      expect(firstNonFinite(f64)).toBe(expected);
      expect(firstNonFinite(values)).toBe(expected);
      expect(firstNonFinite(f64.subarray(1))).toBe(values.slice(1).findIndex((v) => !Number.isFinite(v)));
    },
  );
});

describe('validateFitData reads Float64Array data in place', () => {
  it('keeps the caller’s Float64Array columns and observations, and checks them', () => {
    const x = Float64Array.of(0, 1, 2);
    const y = Float64Array.of(1, 2, 4);
    const d = validateFitData('curveFit', x, y, undefined, undefined, undefined);
    expect(d.x[0]).toBe(x);
    expect(d.y).toBe(y);
    expect(() => validateFitData('curveFit', x, Float64Array.of(1, NaN, 4), undefined, undefined, undefined)).toThrow('curveFit: ydata must be finite, got NaN at index 1');
  });

  it('copies only what it must change: nanPolicy omit compresses into new arrays and leaves the input alone', () => {
    const x = Float64Array.of(0, 1, 2);
    const y = Float64Array.of(1, NaN, 4);
    const d = validateFitData('curveFit', x, y, undefined, undefined, 'omit');
    expect(Array.from(d.y)).toEqual([1, 4]);
    expect(Array.from(d.x[0]!)).toEqual([0, 2]);
    expect(Number.isNaN(y[1])).toBe(true);
  });
});
