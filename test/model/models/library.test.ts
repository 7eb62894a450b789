import { describe, expect, it } from 'vitest';
import { curveFit, curveFitSync } from '../../../src/curve-fit.ts';
import { NlsqTypeError } from '../../../src/errors.ts';
import { modelFactoryCall, models } from '../../../src/model/models/index.ts';
import type { Model } from '../../../src/model/model.ts';

/** Deterministic normal noise (mulberry32 + Box–Muller). */
function noise(seed: number): () => number {
  let s = seed >>> 0;
  const uniform = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

const grid = (lo: number, hi: number, n: number): number[] => Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));

interface Case {
  readonly name: string;
  readonly model: Model;
  readonly truth: number[];
  readonly x: number[][];
  /** Noise standard deviation. */
  readonly sd: number;
  /** Per-parameter tolerance of the estimate |p0 − truth| (absolute). */
  readonly p0Tol: number[];
}

const logGrid = grid(-2, 2, 40).map((t) => 10 ** t);
const xy = (() => {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const a of grid(-3, 3, 25)) for (const b of grid(-2, 4, 25)) {
    xs.push(a);
    ys.push(b);
  }
  return [xs, ys];
})();

const CASES: Case[] = [
  { name: 'linear', model: models.linear(), truth: [2.5, -1], x: [grid(0, 10, 50)], sd: 0.3, p0Tol: [0.1, 0.5] },
  { name: 'polynomial', model: models.polynomial(3), truth: [1, -2, 0.5, 0.1], x: [grid(-3, 4, 60)], sd: 0.2, p0Tol: [0.3, 0.3, 0.1, 0.05] },
  { name: 'exponentialDecay', model: models.exponentialDecay(), truth: [3, 0.8, 0.5], x: [grid(0, 6, 60)], sd: 0.03, p0Tol: [0.5, 0.2, 0.2] },
  { name: 'exponentialGrowth', model: models.exponentialGrowth(), truth: [0.5, 0.6, 1], x: [grid(0, 5, 50)], sd: 0.1, p0Tol: [0.3, 0.2, 0.6] },
  { name: 'doubleExponential', model: models.doubleExponential(), truth: [3, 2, 1.5, 0.2, 0.3], x: [grid(0, 15, 150)], sd: 0.01, p0Tol: [1.5, 1.2, 0.8, 0.1, 0.3] },
  { name: 'gaussian', model: models.gaussian(), truth: [4, 1.5, 0.7], x: [grid(-3, 6, 80)], sd: 0.1, p0Tol: [0.5, 0.2, 0.2] },
  { name: 'lorentzian', model: models.lorentzian(), truth: [-2, 0.5, 0.4], x: [grid(-4, 4, 80)], sd: 0.05, p0Tol: [0.4, 0.2, 0.15] },
  { name: 'pseudoVoigt', model: models.pseudoVoigt(), truth: [5, 2, 0.6, 0.3], x: [grid(-2, 6, 100)], sd: 0.05, p0Tol: [1, 0.2, 0.2, 0.5] },
  { name: 'sigmoid', model: models.sigmoid(), truth: [3, 2, 1.5, 0.5], x: [grid(-3, 7, 60)], sd: 0.05, p0Tol: [0.4, 0.3, 0.6, 0.3] },
  { name: 'hill', model: models.hill(), truth: [10, 2, 1.8], x: [logGrid.map((v) => v * 2)], sd: 0.1, p0Tol: [1.5, 0.6, 0.6] },
  { name: 'fourPL', model: models.fourPL(), truth: [0.1, 1.3, 1.5, 2], x: [logGrid], sd: 0.03, p0Tol: [0.2, 0.5, 0.5, 0.2] },
  { name: 'fivePL', model: models.fivePL(), truth: [0.1, 1.2, 1, 2, 1.5], x: [logGrid], sd: 0.01, p0Tol: [0.2, 0.6, 0.8, 0.2, 0.6] },
  { name: 'michaelisMenten', model: models.michaelisMenten(), truth: [5, 1.2], x: [grid(0.1, 10, 40)], sd: 0.05, p0Tol: [0.6, 0.4] },
  { name: 'powerLaw', model: models.powerLaw(), truth: [2, 1.5], x: [grid(0.5, 10, 40)], sd: 0.1, p0Tol: [0.3, 0.1] },
  { name: 'dampedSine', model: models.dampedSine(), truth: [2, 0.3, 3, 0.5, 1], x: [grid(0, 10, 200)], sd: 0.05, p0Tol: [0.4, 0.1, 0.1, 0.4, 0.1] },
  { name: 'gompertz', model: models.gompertz(), truth: [5, 4, 0.8], x: [grid(0, 10, 60)], sd: 0.05, p0Tol: [0.3, 1.5, 0.3] },
  { name: 'gaussian2d', model: models.gaussian2d(), truth: [3, 0.5, 1, 0.8, 1.2, 0.2], x: xy, sd: 0.05, p0Tol: [0.5, 0.2, 0.2, 0.3, 0.3, 0.15] },
];

function synthesize(c: Case, seed: number): { x: Float64Array[]; y: Float64Array } {
  const x = c.x.map((col) => Float64Array.from(col));
  const clean = c.model.evaluate(c.truth, c.x.length === 1 ? c.x[0]! : c.x);
  const rand = noise(seed);
  return { x, y: Float64Array.from(clean, (v) => v + c.sd * rand()) };
}

describe('the model library', () => {
  it('offers the 27 models (17 + the 9 of the gallery, tested in gallery.test.ts, + voigt, in voigt.test.ts), each with estimateP0 and defaultBounds of the right length', () => {
    expect(Object.keys(models)).toHaveLength(27);
    for (const c of CASES) {
      expect(c.model.estimateP0, c.name).toBeTypeOf('function');
      expect(c.model.defaultBounds![0]).toHaveLength(c.model.params.length);
      expect(c.model.defaultBounds![1]).toHaveLength(c.model.params.length);
      expect(c.truth).toHaveLength(c.model.params.length);
    }
    expect(models.polynomial(2).expression).toBe('c0 + c1*x + c2*x^2');
    expect(() => models.polynomial(1.5)).toThrow(/degree must be an integer/);
    expect(() => models.gaussian2d().estimateP0!([new Float64Array(3)], new Float64Array(3))).toThrow(/two columns/);
  });

  describe.each(CASES)('$name', (c) => {
    it('estimates starting values near the truth from noisy synthetic data', () => {
      const { x, y } = synthesize(c, 12345);
      const p0 = c.model.estimateP0!(x, y);
      expect(p0).toHaveLength(c.truth.length);
      p0.forEach((v, j) => expect(Math.abs(v - c.truth[j]!), `${c.name}.${c.model.params[j]}: p0 ${v} vs ${c.truth[j]}`).toBeLessThanOrEqual(c.p0Tol[j]!));
    });

    it('fits from estimateP0 within its default bounds to the truth (within 6 standard errors)', () => {
      for (const seed of [1, 2]) {
        const { x, y } = synthesize(c, seed);
        const p0 = c.model.estimateP0!(x, y);
        const r = curveFitSync(c.model, x.length === 1 ? x[0]! : x, y, { p0, bounds: [c.model.defaultBounds![0], c.model.defaultBounds![1]] });
        r.popt.forEach((v, j) => {
          expect(Math.abs(v - c.truth[j]!), `${c.name}.${c.model.params[j]} seed ${seed}: ${v} vs ${c.truth[j]} ± ${r.perr[j]}`).toBeLessThanOrEqual(6 * r.perr[j]! + 1e-9);
        });
      }
    });
  });
});

describe('a model factory passed as the model (issue 21)', () => {
  it('says to call it, instead of blaming f.length and p0', async () => {
    const x = [1, 2, 3, 4];
    const y = [1, 3, 2, 1];
    for (const [name, call] of Object.entries({ gaussian: 'models.gaussian()', polynomial: 'models.polynomial(degree)', gaussian2d: 'models.gaussian2d()' })) {
      const factory = models[name as keyof typeof models];
      expect(modelFactoryCall(factory)).toBe(call);
      const message = `curveFit: f is models.${name}, a model factory, not a model; call it: ${call}`;
      await expect(curveFit(factory as never, x, y, { p0: 'auto' })).rejects.toThrow(message);
      expect(() => curveFitSync(factory as never, x, y, { p0: [1, 2, 3] })).toThrow(NlsqTypeError);
    }
    expect(Object.keys(models).every((k) => modelFactoryCall(models[k as keyof typeof models]) === (k === 'polynomial' ? 'models.polynomial(degree)' : `models.${k}()`))).toBe(true);
    expect(modelFactoryCall(models.gaussian())).toBeUndefined();
    expect(modelFactoryCall((x: number, a: number) => a * x)).toBeUndefined();
    expect(() => curveFitSync((...p: number[]) => p[1]! * p[0]!, x, y)).toThrow(/f.length is 0 .* pass p0/); // a real function keeps its message
  });
});
