import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { AbortError, NlsqRangeError, NlsqTypeError } from '../../src/errors.ts';
import { createBoxTransform, linQuad, linQuadInverse } from '../../src/optim/box-transform.ts';
import { type PopulationObjective, minimizeCmaes, minimizeCmaesSync } from '../../src/optim/cmaes-restarts.ts';

/** A population objective from a point function. */
const each =
  (f: (x: Float64Array) => number): PopulationObjective =>
  (X, k, n) =>
    Float64Array.from({ length: k }, (_, i) => f(X.subarray(i * n, (i + 1) * n)));

const sphere = each((x) => x.reduce((s, v) => s + (v - 1) ** 2, 0));
const rosenbrock = each((x) => {
  let s = 0;
  for (let i = 0; i + 1 < x.length; i++) s += 100 * ((x[i + 1] as number) - (x[i] as number) ** 2) ** 2 + (1 - (x[i] as number)) ** 2;
  return s;
});
const rastrigin = each((x) => 10 * x.length + x.reduce((s, v) => s + v * v - 10 * Math.cos(2 * Math.PI * v), 0));

describe('the linear–quadratic box transform (optim/box-transform.ts)', () => {
  test.prop([fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: -100, max: 100, noNaN: true }), fc.double({ min: 1e-3, max: 100, noNaN: true })])(
    'maps every real into [l, u]; is the identity inside the margins; the inverse undoes it',
    (x, l, width) => {
      const u = l + width;
      const box = createBoxTransform(Float64Array.of(l), Float64Array.of(u));
      const y = box.toBox(Float64Array.of(x), new Float64Array(1))[0] as number;
      expect(y).toBeGreaterThanOrEqual(l);
      expect(y).toBeLessThanOrEqual(u);
      const back = box.toBox(box.fromBox(Float64Array.of(y), new Float64Array(1)), new Float64Array(1))[0] as number;
      expect(back).toBeCloseTo(y, 6);
    },
  );

  it('is the identity in the interior, quadratic at the edges, periodic far out, and handles one-sided bounds', () => {
    // l = 0, u = 10: a_l = min(5, 1/20) = 0.05, a_u = min(5, 11/20) = 0.55
    expect(linQuad(5, 0, 10, 0.05, 0.55)).toBe(5);
    expect(linQuad(0.05, 0, 10, 0.05, 0.55)).toBeCloseTo(0.05, 15); // C¹ joint: value
    expect(linQuad(-0.05, 0, 10, 0.05, 0.55)).toBe(0); // the vertex of the parabola sits on the bound
    expect(linQuad(-0.1, 0, 10, 0.05, 0.55)).toBeCloseTo(linQuad(0, 0, 10, 0.05, 0.55), 15); // mirrored about l − a_l
    const period = 2 * (10 + 0.05 + 0.55);
    expect(linQuad(3 + 7 * period, 0, 10, 0.05, 0.55)).toBeCloseTo(3, 9);
    expect(linQuad(-1e9, 0, Number.POSITIVE_INFINITY, 0.05, 1)).toBeGreaterThanOrEqual(0);
    expect(linQuad(1e9, 0, Number.POSITIVE_INFINITY, 0.05, 1)).toBe(1e9);
    expect(linQuadInverse(0, 0, 10, 0.05, 0.55)).toBeCloseTo(-0.05, 15);
  });
});

describe('CMA-ES (optim/cmaes.ts, optim/cmaes-restarts.ts)', () => {
  it('finds the minimum of a shifted sphere in 8 dimensions to 1e-10 without restarts', () => {
    const r = minimizeCmaesSync(sphere, { x0: new Float64Array(8).fill(-3), restarts: 'none', seed: 1 });
    expect(r.f).toBeLessThan(1e-10);
    expect(Array.from(r.x)).toBeAllclose(new Array(8).fill(1), { atol: 1e-5 });
    expect(r.runs).toHaveLength(1);
    expect(['tolfun', 'tolx']).toContain(r.runs[0]?.stop);
  });

  it('follows the Rosenbrock valley to (1, …, 1) in 6 dimensions', () => {
    const r = minimizeCmaesSync(rosenbrock, { x0: new Float64Array(6), seed: 2, restarts: 'none', sigma0: 0.5 });
    expect(Array.from(r.x)).toBeAllclose(new Array(6).fill(1), { atol: 1e-6 });
  });

  it('BIPOP finds the global minimum of 5-D Rastrigin in [−5.12, 5.12]⁵ where a single run from the same start stalls in a local one', () => {
    const box = { x0: new Float64Array(5).fill(3.3), lb: new Float64Array(5).fill(-5.12), ub: new Float64Array(5).fill(5.12) };
    const single = minimizeCmaesSync(rastrigin, { ...box, restarts: 'none', seed: 3 });
    expect(single.f).toBeGreaterThan(0.5);
    const bipop = minimizeCmaesSync(rastrigin, { ...box, restarts: 'bipop', seed: 3, ftarget: 1e-8 });
    expect(bipop.f).toBeLessThan(1e-8);
    expect(bipop.runs.length).toBeGreaterThan(1);
    expect(bipop.runs.some((r) => r.regime === 'large')).toBe(true);
    expect(bipop.runs.some((r) => r.regime === 'small')).toBe(true);
    expect(bipop.evaluations).toBe(bipop.runs.reduce((s, r) => s + r.evaluations, 0));
  });

  it('reaches an optimum on a bound (the transform, not a clip) and never evaluates outside the box', () => {
    let outside = 0;
    const f: PopulationObjective = (X, k, n) => {
      for (const v of X) if (v < -1 || v > 1) outside++;
      return Float64Array.from({ length: k }, (_, i) => X.subarray(i * n, (i + 1) * n).reduce((s, v) => s + (v - 2) ** 2, 0));
    };
    const r = minimizeCmaesSync(f, { x0: [0, 0, 0], lb: [-1, -1, -1], ub: [1, 1, 1], seed: 4, restarts: 'none' });
    expect(outside).toBe(0);
    expect(Array.from(r.x)).toBeAllclose([1, 1, 1], { atol: 1e-6 });
  });

  it('IPOP doubles the population at each restart', () => {
    const r = minimizeCmaesSync(rastrigin, { x0: new Float64Array(3).fill(2), lb: new Float64Array(3).fill(-5), ub: new Float64Array(3).fill(5), restarts: 'ipop', maxRestarts: 3, seed: 5, ftarget: -1 });
    expect(r.runs.map((x) => x.popsize)).toEqual([7, 14, 28, 56]);
  });

  it('is deterministic for a seed, and another seed explores differently', () => {
    const opts = { x0: [2, 2, 2, 2], lb: [-5, -5, -5, -5], ub: [5, 5, 5, 5], maxRestarts: 2 };
    const a = minimizeCmaesSync(rastrigin, { ...opts, seed: 6 });
    const b = minimizeCmaesSync(rastrigin, { ...opts, seed: 6 });
    const c = minimizeCmaesSync(rastrigin, { ...opts, seed: 7 });
    expect(b.x).toEqual(a.x);
    expect(b.evaluations).toBe(a.evaluations);
    expect(c.evaluations === a.evaluations && c.f === a.f).toBe(false);
  });

  it('keeps to the evaluation budget', () => {
    const r = minimizeCmaesSync(rastrigin, { x0: [3, 3], lb: [-5, -5], ub: [5, 5], maxEvaluations: 500, seed: 8 });
    expect(r.evaluations).toBeLessThanOrEqual(500);
  });

  it('runs asynchronously, yields to the event loop and stops on an AbortSignal', async () => {
    const r = await minimizeCmaes(async (X, k, n) => sphere(X, k, n), { x0: [0, 0], restarts: 'none', seed: 9 });
    expect(r.f).toBeLessThan(1e-10);
    const controller = new AbortController();
    let generations = 0;
    const p = minimizeCmaes(
      (X, k, n) => {
        if (++generations === 5) controller.abort();
        return rastrigin(X, k, n);
      },
      { x0: [3, 3], lb: [-5, -5], ub: [5, 5], signal: controller.signal },
    );
    await expect(p).rejects.toThrow(AbortError);
    expect(generations).toBe(5);
  });

  it('rejects bad options with the argument named', () => {
    expect(() => minimizeCmaesSync(sphere, { x0: [] })).toThrow(/x0 must have at least one coordinate/);
    expect(() => minimizeCmaesSync(sphere, { x0: [0, 0], lb: [0] })).toThrow(/lb must have length 2/);
    expect(() => minimizeCmaesSync(sphere, { x0: [2], lb: [0], ub: [1] })).toThrow(/x0 must lie inside the bounds, got 2 outside \[0, 1\]/);
    expect(() => minimizeCmaesSync(sphere, { x0: [0], popsize: 1 })).toThrow(NlsqRangeError);
    expect(() => minimizeCmaesSync(sphere, { x0: [0], restarts: 'sometimes' as 'ipop' })).toThrow(NlsqTypeError);
    expect(() => minimizeCmaesSync(() => new Float64Array(1), { x0: [0, 0] })).toThrow(/must return a Float64Array of 6 costs/);
  });
});
