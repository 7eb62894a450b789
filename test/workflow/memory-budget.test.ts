import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { NlsqRangeError } from '../../src/errors.ts';
import { MemoryBudget } from '../../src/workflow/memory-budget.ts';
import { MemoryEstimator } from '../../src/workflow/memory-estimator.ts';

describe('MemoryBudget.compute', () => {
  // NLSQ's seed table for 5 parameters (data / Jacobian / peak, GB = 2^30 bytes).
  const seed: [number, number, number, number][] = [
    [100_000, 0.0015, 0.0037, 0.1063],
    [1_000_000, 0.0149, 0.0373, 0.1633],
    [10_000_000, 0.149, 0.3725, 0.7333],
    [50_000_000, 0.7451, 1.8626, 3.2665],
  ];
  it.each(seed)('reproduces NLSQ’s figures for %i points and 5 parameters', (n, data, jac, peak) => {
    const b = MemoryBudget.compute({ nPoints: n, nParams: 5, memoryLimitGb: 16 });
    expect(b.dataGb.toFixed(4)).toBe(data.toFixed(4));
    expect(b.jacobianGb.toFixed(4)).toBe(jac.toFixed(4));
    expect(b.peakGb.toFixed(4)).toBe(peak.toFixed(4));
  });

  it('counts GB as 2^30 bytes and n·(k+1) data elements', () => {
    const b = MemoryBudget.compute({ nPoints: 2 ** 27, nParams: 2, nFeatures: 3, dtypeBytes: 4, memoryLimitGb: 8 });
    expect(b.dataGb).toBe(2); // 2^27 · 4 · 4 bytes = 2^31
    expect(b.jacobianGb).toBe(1); // 2^27 · 2 · 4 = 2^30
    expect(b.peakGb).toBeCloseTo(2 + 1.3 + 0.1, 12);
  });

  it('takes the threshold as the memory limit times the safety factor', () => {
    const b = MemoryBudget.compute({ nPoints: 1000, nParams: 3, memoryLimitGb: 4, safetyFactor: 0.5 });
    expect(b.availableGb).toBe(4);
    expect(b.availableFrom).toBe('memoryLimitGb');
    expect(b.thresholdGb).toBe(2);
  });

  it('asks the estimator when no memory limit is given', () => {
    const b = MemoryBudget.compute({ nPoints: 1000, nParams: 3 });
    expect(b.availableFrom).toBe('estimator');
    expect(b.availableGb).toBeGreaterThan(0);
    expect(Math.abs(b.availableGb - MemoryEstimator.getAvailableMemoryGb())).toBeLessThan(b.availableGb * 0.5);
  });

  it('says the fit fits when the peak is at most the threshold, and the data fits when the data is', () => {
    // 50M points, 5 params: data 0.745, peak 3.27 GB.
    const tight = MemoryBudget.compute({ nPoints: 50_000_000, nParams: 5, memoryLimitGb: 4 });
    expect(tight).toMatchObject({ fitsInMemory: false, dataFits: true });
    const roomy = MemoryBudget.compute({ nPoints: 50_000_000, nParams: 5, memoryLimitGb: 8 });
    expect(roomy).toMatchObject({ fitsInMemory: true, dataFits: true });
    const tiny = MemoryBudget.compute({ nPoints: 50_000_000, nParams: 5, memoryLimitGb: 0.5 });
    expect(tiny).toMatchObject({ fitsInMemory: false, dataFits: false });
  });

  it.each([
    [{ nPoints: 0, nParams: 3 }, 'nPoints'],
    [{ nPoints: -5, nParams: 3 }, 'nPoints'],
    [{ nPoints: 10.5, nParams: 3 }, 'nPoints'],
    [{ nPoints: 10, nParams: 0 }, 'nParams'],
    [{ nPoints: 10, nParams: 2.5 }, 'nParams'],
    [{ nPoints: 10, nParams: 2, nFeatures: 0 }, 'nFeatures'],
    [{ nPoints: 10, nParams: 2, dtypeBytes: 0 }, 'dtypeBytes'],
    [{ nPoints: 10, nParams: 2, safetyFactor: 0 }, 'safetyFactor'],
    [{ nPoints: 10, nParams: 2, safetyFactor: 1.5 }, 'safetyFactor'],
    [{ nPoints: 10, nParams: 2, memoryLimitGb: 0 }, 'memoryLimitGb'],
    [{ nPoints: 10, nParams: 2, memoryLimitGb: -1 }, 'memoryLimitGb'],
    [{ nPoints: 10, nParams: 2, memoryLimitGb: Infinity }, 'memoryLimitGb'],
    [{ nPoints: 10, nParams: 2, memoryLimitGb: Number.NaN }, 'memoryLimitGb'],
  ])('rejects %o naming the argument %s', (input, argument) => {
    let caught: unknown;
    try {
      MemoryBudget.compute(input);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(NlsqRangeError);
    expect((caught as NlsqRangeError).argument).toBe(argument);
    expect((caught as Error).message).toMatch(new RegExp(`^MemoryBudget\\.compute: ${argument} must be .*, got `));
  });

  it('accepts a safety factor of exactly 1', () => {
    expect(MemoryBudget.compute({ nPoints: 10, nParams: 2, safetyFactor: 1, memoryLimitGb: 2 }).thresholdGb).toBe(2);
  });

  test.prop([fc.integer({ min: 1, max: 1e9 }), fc.integer({ min: 1, max: 50 }), fc.double({ min: 0.01, max: 1024, noNaN: true })])(
    'grows with the number of points and keeps peak ≥ data + jacobian',
    (n, p, limit) => {
      const a = MemoryBudget.compute({ nPoints: n, nParams: p, memoryLimitGb: limit });
      const b = MemoryBudget.compute({ nPoints: n + 1, nParams: p, memoryLimitGb: limit });
      expect(b.peakGb).toBeGreaterThan(a.peakGb);
      expect(a.peakGb).toBeGreaterThanOrEqual(a.dataGb + a.jacobianGb);
      expect(a.fitsInMemory).toBe(a.peakGb <= a.thresholdGb);
      expect(a.dataFits).toBe(a.dataGb <= a.thresholdGb);
    },
  );
});
