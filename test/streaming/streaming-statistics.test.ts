import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { StatisticsAccumulator } from '../../src/streaming/streaming-statistics.ts';
import { computeStatistics } from '../../src/result/statistics.ts';
import { testKernel } from '../support/test-kernels.ts';

const line = testKernel(2, (x, p) => p[0]! * x + p[1]!);

describe('StatisticsAccumulator', () => {
  test.prop([fc.array(fc.integer({ min: -10000, max: 10000 }).map((v) => v / 100), { minLength: 3, maxLength: 200 }), fc.integer({ min: 1, max: 50 }), fc.boolean()], { numRuns: 50 })(
    'accumulated over chunks equals the resident statistics',
    (ys, chunk, weighted) => {
      const n = ys.length;
      const x = Float64Array.from(ys, (_, i) => i / 10);
      const y = Float64Array.from(ys);
      const w = weighted ? Float64Array.from(ys, (_, i) => 1 / (1 + (i % 4))) : null;
      const popt = Float64Array.from([0.7, -1.5]);
      const acc = new StatisticsAccumulator(line, popt);
      for (let s = 0; s < n; s += chunk) {
        const e = Math.min(n, s + chunk);
        acc.add({ x: [x.subarray(s, e)], y: y.subarray(s, e), w: w === null ? null : w.subarray(s, e) }, e - s);
      }
      const yhat = Float64Array.from(x, (t) => 0.7 * t - 1.5);
      const r = Float64Array.from(yhat, (v, i) => (v - y[i]!) * (w === null ? 1 : w[i]!));
      const ref = computeStatistics(y, yhat, r, 2);
      const got = acc.result(2);
      for (const key of ['chiSquare', 'rss', 'rSquared', 'rmse', 'mae', 'aic', 'bic'] as const) {
        const a = got[key];
        const b = ref[key];
        if (Number.isNaN(b)) expect(a).toBeNaN();
        else expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(b)));
      }
      expect(got.dof).toBe(n - 2);
    },
  );
});
