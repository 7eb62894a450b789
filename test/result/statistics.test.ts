import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { computeStatistics, statisticsFromWeightedResiduals } from '../../src/result/statistics.ts';

describe('computeStatistics', () => {
  it('uses weighted residuals for χ², AIC and BIC and unweighted ones for R², RMSE and MAE', () => {
    const y = Float64Array.of(1, 2, 3, 4);
    const yhat = Float64Array.of(1.5, 2, 2.5, 4);
    const weighted = Float64Array.of(1, 0, -1, 0); // σ = 0.5 at the two misses
    const s = computeStatistics(y, yhat, weighted, 2);
    expect(s.dof).toBe(2);
    expect(s.chiSquare).toBe(2);
    expect(s.reducedChiSquare).toBe(1);
    expect(s.rss).toBe(0.5);
    expect(s.rSquared).toBeCloseTo(1 - 0.5 / 5, 14);
    expect(s.adjRSquared).toBeCloseTo(1 - (0.1 * 3) / 2, 14);
    expect(s.rmse).toBeCloseTo(Math.sqrt(0.125), 14);
    expect(s.mae).toBeCloseTo(0.25, 14);
    expect(s.aic).toBeCloseTo(4 * Math.log(0.5) + 4, 14);
    expect(s.bic).toBeCloseTo(4 * Math.log(0.5) + 2 * Math.log(4), 14);
  });

  it('gives NaN where a statistic is undefined: no degrees of freedom, constant data', () => {
    const s = computeStatistics(Float64Array.of(2, 2), Float64Array.of(2, 2), Float64Array.of(0, 0), 2);
    expect(s.reducedChiSquare).toBeNaN();
    expect(s.adjRSquared).toBeNaN();
    expect(s.rSquared).toBeNaN();
  });

  it('keeps χ² of a million equal terms to the blocked-summation bound (≈ 1e-13), where one running sum drifts', () => {
    const n = 1_000_000;
    const r = new Float64Array(n).fill(0.1);
    const y = new Float64Array(n);
    const s = computeStatistics(y, r, r, 1);
    const exact = n * 0.1 * 0.1;
    let naive = 0;
    for (let i = 0; i < n; i++) naive += r[i]! * r[i]!;
    expect(Math.abs(s.chiSquare - exact) / exact).toBeLessThan(1e-13);
    expect(Math.abs(naive - exact) / exact).toBeGreaterThan(1e-13);
  });
});

describe('statisticsFromWeightedResiduals', () => {
  test.prop([fc.array(fc.tuple(fc.integer({ min: -5000, max: 5000 }), fc.integer({ min: -500, max: 500 }), fc.integer({ min: 1, max: 9 })), { minLength: 3, maxLength: 700 }), fc.boolean()], { numRuns: 60 })(
    'equals computeStatistics with ŷ formed explicitly',
    (rows, weighted) => {
      const y = Float64Array.from(rows, ([v]) => v / 100);
      const yhat = Float64Array.from(rows, ([v, e]) => v / 100 + e / 1000);
      const w = weighted ? Float64Array.from(rows, ([, , k]) => 1 / k) : null;
      const r = Float64Array.from(yhat, (v, i) => (v - y[i]!) * (w === null ? 1 : w[i]!));
      const a = statisticsFromWeightedResiduals(y, r, w, 2);
      const b = computeStatistics(y, yhat, r, 2);
      for (const key of ['chiSquare', 'rss', 'rSquared', 'rmse', 'mae', 'aic', 'bic'] as const) {
        if (Number.isNaN(b[key])) expect(a[key]).toBeNaN();
        else expect(Math.abs(a[key] - b[key])).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(b[key])));
      }
    },
  );
});
