import { describe, expect, it } from 'vitest';
import { NlsqRangeError } from '../../src/errors.ts';
import { provideRefits, refitSourceOf, type RefitSource } from '../../src/result/refit-source.ts';
import { curveFitSync } from '../../src/curve-fit.ts';

/** A source whose members are never called here (only its identity matters). */
function fakeSource(): RefitSource {
  const never = (): never => {
    throw new Error('not called');
  };
  return {
    names: ['a'], popt: Float64Array.of(1), lb: Float64Array.of(-Infinity), ub: Float64Array.of(Infinity),
    x: [], y: new Float64Array(0), w: null, loss: 'linear', resident: true, values: never, chiSquares: never, dataSumSquares: never, pairs: null, run: never,
  };
}

describe('provideRefits / refitSourceOf', () => {
  it('builds a lazily given source once, on the first read, and keeps it', () => {
    const result = { popt: [1] };
    let built = 0;
    const source = fakeSource();
    provideRefits(result, () => {
      built += 1;
      return source;
    });
    expect(built).toBe(0);
    expect(refitSourceOf('r.profile', result)).toBe(source);
    expect(refitSourceOf('r.bootstrap', result)).toBe(source);
    expect(built).toBe(1);
  });

  it('leaves no trace in the keys, JSON or spread of the result', () => {
    const result = { popt: [1], cost: 0.5 };
    provideRefits(result, fakeSource());
    expect(Object.keys(result)).toEqual(['popt', 'cost']);
    expect(JSON.stringify(result)).toBe('{"popt":[1],"cost":0.5}');
    expect(() => refitSourceOf('copy.profile', { ...result })).toThrow(NlsqRangeError);
  });

  it('says which call needs refits when a result has none', () => {
    expect(() => refitSourceOf('r.profile', {})).toThrow(/^r\.profile: needs a fit that can be refitted/);
  });

  it('gives a curveFit result its source (the fit\'s names and popt) on the first refit', () => {
    const x = Float64Array.from({ length: 12 }, (_, i) => i / 2);
    const y = x.map((t) => 2 * Math.exp(-0.7 * t) + 0.1 + 0.01 * Math.sin(5 * t));
    const r = curveFitSync((t: number, a: number, b: number, c: number) => a * Math.exp(-b * t) + c, x, y, { p0: [1, 1, 0] });
    const source = refitSourceOf('r.profile', r);
    expect(source.names).toEqual(r.paramNames);
    expect([...source.popt]).toEqual(r.popt);
    expect(refitSourceOf('r.profile', r)).toBe(source);
  });
});
