import { readFileSync } from 'node:fs';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { NlsqRangeError, NlsqTypeError } from '../../src/errors.ts';
import { createHalton, firstPrimes } from '../../src/sampling/halton.ts';
import { createLatinHypercube } from '../../src/sampling/latin-hypercube.ts';
import { samplePoints } from '../../src/sampling/sample-points.ts';
import type { SamplerKind } from '../../src/sampling/sampler.ts';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/qmc-scipy.json', import.meta.url), 'utf8')) as { halton5_first50: number[][] };

describe('Halton (sampling/halton.ts)', () => {
  it('equals SciPy’s unscrambled points (scipy.stats.qmc.Halton) to the last bits', () => {
    const h = createHalton(5);
    for (const row of fixture.halton5_first50) expect(Array.from(h.next())).toBeAllclose(row, { rtol: 1e-15, atol: 1e-16 });
  });

  it('uses the primes as bases', () => {
    expect(firstPrimes(10)).toEqual([2, 3, 5, 7, 11, 13, 17, 19, 23, 29]);
    expect(firstPrimes(1000).at(-1)).toBe(7919);
  });

  test.prop([fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 2 ** 32 - 1 })])('scrambled points lie in [0, 1), the first b^k of a base-b coordinate in distinct b^-k cells', (d, seed) => {
    const pts = samplePoints('halton', 125, d, { scramble: true, seed });
    expect(pts.every((v) => v >= 0 && v < 1)).toBe(true);
    const j = Math.min(d, 3) - 1; // bases 2, 3 or 5
    const b = [2, 3, 5][j] as number;
    const k = b === 2 ? 6 : b === 3 ? 4 : 3;
    const cells = new Set<number>();
    for (let i = 0; i < b ** k; i++) cells.add(Math.floor((pts[i * d + j] as number) * b ** k));
    expect(cells.size).toBe(b ** k);
  });
});

describe('Latin hypercube (sampling/latin-hypercube.ts)', () => {
  test.prop([fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 200 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.boolean()])(
    'every coordinate has exactly one point in each of the n strata',
    (d, n, seed, centered) => {
      const pts = samplePoints('lhs', n, d, { seed });
      const cen = createLatinHypercube(d, n, { seed, centered });
      for (let j = 0; j < d; j++) {
        const strata = new Set<number>();
        for (let i = 0; i < n; i++) strata.add(Math.floor((pts[i * d + j] as number) * n));
        expect(strata.size).toBe(n);
      }
      if (centered) for (let i = 0; i < n; i++) for (const v of cen.next()) expect((v * n) % 1).toBeCloseTo(0.5, 9);
    },
  );

  it('is the same design for the same seed and refuses a point past n', () => {
    expect(samplePoints('lhs', 10, 3, { seed: 4 })).toEqual(samplePoints('lhs', 10, 3, { seed: 4 }));
    const s = createLatinHypercube(2, 1);
    s.next();
    expect(() => s.next()).toThrow(/the design has 1 points; asked for point 2/);
  });
});

describe('samplePoints', () => {
  it('rejects an unknown kind and a bad count with the argument named', () => {
    expect(() => samplePoints('grid' as SamplerKind, 4, 2)).toThrow(NlsqTypeError);
    expect(() => samplePoints('grid' as SamplerKind, 4, 2)).toThrow(/kind must be one of 'sobol', 'halton', 'lhs', 'random', got "grid"/);
    expect(() => samplePoints('sobol', 0, 2)).toThrow(NlsqRangeError);
  });

  it('random points are seeded uniforms', () => {
    const a = samplePoints('random', 1000, 2, { seed: 5 });
    expect(samplePoints('random', 1000, 2, { seed: 5 })).toEqual(a);
    expect(a.every((v) => v >= 0 && v < 1)).toBe(true);
  });
});
