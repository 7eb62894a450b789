/**
 * The line-shape gallery (models/line-shapes.ts, models/steps.ts): each model's estimator starts a
 * fit that converges to the parameters the data were made with (noise-free up to a small
 * deterministic ripple), and each formula matches an independent implementation.
 */
import { describe, expect, it } from 'vitest';
import { curveFitSync } from '../../../src/curve-fit.ts';
import { erf, erfc } from '../../../src/stats/erf.ts';
import type { Model } from '../../../src/model/model.ts';
import { models } from '../../../src/model/models/index.ts';

const grid = (a: number, b: number, n: number): number[] => Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));
const edges = {
  erf: (u: number) => (1 + erf(u)) / 2,
  atan: (u: number) => 0.5 + Math.atan(u) / Math.PI,
  logistic: (u: number) => 1 / (1 + Math.exp(-u)),
};

interface Case { name: string; m: Model; x: number[]; truth: number[]; f: (t: number, ...p: number[]) => number }
const cases: Case[] = [
  { name: 'moffat', m: models.moffat(), x: grid(-10, 10, 201), truth: [3, 1.2, 1.5, 2.2], f: (t, a, x0, w, b) => a * (((t - x0) / w) ** 2 + 1) ** -b },
  { name: 'pearson7', m: models.pearson7(), x: grid(-10, 10, 201), truth: [2, -0.5, 1.3, 2.5], f: (t, a, x0, w, m) => a * (1 + (2 ** (1 / m) - 1) * ((t - x0) / w) ** 2) ** -m },
  {
    name: 'skewedGaussian', m: models.skewedGaussian(), x: grid(-6, 8, 281), truth: [2, 0.5, 1.5, 2],
    f: (t, a, mu, s, g) => a * Math.exp(-((t - mu) ** 2) / (2 * s * s)) * (1 + erf((g * (t - mu)) / (Math.SQRT2 * s))),
  },
  {
    name: 'expGaussian', m: models.expGaussian(), x: grid(-4, 12, 321), truth: [5, 1, 0.7, 0.6],
    f: (t, A, mu, s, g) => ((A * g) / 2) * Math.exp(g * (mu - t + (g * s * s) / 2)) * erfc((mu + g * s * s - t) / (Math.SQRT2 * s)),
  },
  { name: 'dampedOscillator', m: models.dampedOscillator(), x: grid(0.1, 10, 200), truth: [1.5, 4, 0.1], f: (t, a, x0, g) => a / Math.sqrt((1 - (t / x0) ** 2) ** 2 + ((2 * g * t) / x0) ** 2) },
  { name: 'breitWigner', m: models.breitWigner(), x: grid(-10, 10, 201), truth: [0.1, 0.5, 2, 5], f: (t, a, x0, s, q) => (a * ((q * s) / 2 + t - x0) ** 2) / ((s / 2) ** 2 + (t - x0) ** 2) },
  {
    name: 'logNormal', m: models.logNormal(), x: grid(0.05, 12, 240), truth: [4, 1, 0.4],
    f: (t, A, mu, s) => (A / (t * s * Math.sqrt(2 * Math.PI))) * Math.exp(-((Math.log(t) - mu) ** 2) / (2 * s * s)),
  },
  ...(['erf', 'atan', 'logistic'] as const).flatMap((form): Case[] => [
    { name: `step ${form}`, m: models.step({ form }), x: grid(-10, 10, 201), truth: [2.5, 1.5, 0.8], f: (t, a, x0, w) => a * edges[form]((t - x0) / w) },
    {
      name: `rectangle ${form}`, m: models.rectangle({ form }), x: grid(-10, 10, 401), truth: [2, -2, 0.5, 3, 0.7],
      f: (t, a, x1, w1, x2, w2) => a * (edges[form]((t - x1) / w1) - edges[form]((t - x2) / w2)),
    },
  ]),
];

describe('the model gallery', () => {
  for (const c of cases) {
    it(`${c.name}: matches an independent formula and converges from its estimator`, () => {
      expect(Array.from(c.m.evaluate(c.truth, c.x))).toBeAllclose(c.x.map((t) => c.f(t, ...c.truth)), { rtol: 1e-12, atol: 1e-14 });
      const y = c.x.map((t, i) => c.f(t, ...c.truth) + 1e-3 * Math.sin(7.3 * i));
      const r = curveFitSync(c.m, c.x, y, { params: c.m.guess(c.x, y) });
      expect(r.success).toBe(true);
      expect(r.popt).toBeAllclose(c.truth, { rtol: 2e-2, atol: 2e-2 });
    });
  }

  it('a bad step form is an error naming it', () => {
    expect(() => models.step({ form: 'tanh' as never })).toThrow(/models\.step: form must be 'erf', 'atan' or 'logistic', got "tanh"/);
  });
});
