import { describe, expect, it } from 'vitest';
import { curveFit } from '../../src/curve-fit.ts';
import { model } from '../../src/model/model.ts';

const xs = Array.from({ length: 20 }, (_, i) => i / 2);
const noise = xs.map((_, i) => 0.3 * Math.sin(7.3 * i + 1));

describe('profile', () => {
  it('smoke', async () => {
    const y = xs.map((x, i) => 1.5 + 0.8 * x + noise[i]!);
    const r = await curveFit(model('a + b*x'), xs, y, { p0: [1, 1] });
    const ci = r.confidenceIntervals(0.95);
    const pr = await r.confidenceIntervals(0.95, { method: 'profile' });
    console.log(ci, pr.lower, pr.upper, pr.notes, pr.profiles['a']!.fits);
    const y2 = xs.map((x, i) => 3 * Math.exp(-0.4 * x) + 0.5 + 0.05 * noise[i]!);
    const r2 = await curveFit(model('A*exp(-k*x) + c'), xs, y2, { p0: [1, 1, 0] });
    const pr2 = await r2.confidenceIntervals(0.95, { method: 'profile' });
    console.log(r2.confidenceIntervals(0.95), pr2.lower, pr2.upper, pr2.notes, Object.values(pr2.profiles).map((q) => q.fits));
    const b = await r2.bootstrap({ resamples: 200, seed: 3 });
    console.log(b.percentile, b.bca, b.stderr, r2.perr, b.notes);
    const b2 = await r2.bootstrap({ resamples: 200, seed: 3, kind: 'pairs' });
    console.log(b2.percentile, b2.bca, b2.stderr, b2.notes);
    console.log(r2.report({ full: true }));
    const r3 = await curveFit(model('a*b*x + c'), xs, y, { p0: [1, 1, 0] });
    console.log(JSON.stringify(r3.diagnostics(), null, 1));
  });
});
