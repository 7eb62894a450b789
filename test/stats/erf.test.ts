import { describe, expect, it } from 'vitest';
import { erf, erfc } from '../../src/stats/erf.ts';
import table from '../fixtures/models/erf.json' with { type: 'json' };

function relErr(got: number, want: number): number {
  return want === 0 ? Math.abs(got) : Math.abs(got - want) / Math.abs(want);
}

describe('erf and erfc', () => {
  it('match 50-digit mpmath values to 1e-14 relative across all three of Cody\'s intervals', () => {
    for (const row of table as { x: number; erf: number; erfc: number }[]) {
      expect(relErr(erf(row.x), row.erf), `erf(${row.x})`).toBeLessThanOrEqual(1e-14);
      // Cody's erfc underflows to 0 beyond x = 26.543, where erfc(x) < 1e-308 is subnormal.
      if (Math.abs(row.erfc) > 1e-300) expect(relErr(erfc(row.x), row.erfc), `erfc(${row.x})`).toBeLessThanOrEqual(1e-14);
      else expect(erfc(row.x)).toBeLessThan(1e-300);
    }
  });

  it('is odd, with erf + erfc = 1, and handles ±∞ and NaN', () => {
    for (const x of [0.1, 0.7, 2.2, 5.5]) {
      expect(erf(-x)).toBe(-erf(x));
      expect(erf(x) + erfc(x)).toBeCloseTo(1, 15);
    }
    expect(erf(Infinity)).toBe(1);
    expect(erf(-Infinity)).toBe(-1);
    expect(erfc(Infinity)).toBe(0);
    expect(erfc(-Infinity)).toBe(2);
    expect(erf(NaN)).toBeNaN();
    expect(erfc(NaN)).toBeNaN();
  });
});
