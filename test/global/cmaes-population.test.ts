/**
 * CMA-ES evaluates each generation as one population (`run/cost-function.ts`, `Costs.population`):
 * on resident data one walk over the data (`BlockEvaluator.costs`), block by block. Each cost
 * must be bitwise the point-by-point cost (`Costs.one`), on the CPU and the WASM backend, with
 * weights, a robust loss, held parameters and a model that throws; and a seeded search must be
 * the same search whichever way its generations are evaluated.
 */
import { describe, expect, it } from 'vitest';
import { cmaesInBox, cmaesInBoxSync } from '../../src/global/cmaes-fit.ts';
import { startBox } from '../../src/global/start-box.ts';
import { model } from '../../src/model/model.ts';
import { resolveGlobal } from '../../src/options/global-option.ts';
import { resolveCurveFitOptions, type CurveFitOptions } from '../../src/options/resolve-curve-fit.ts';
import { createRandom } from '../../src/sampling/random.ts';
import { pointByPoint, withCurveFitCost, withCurveFitCostSync, type Costs } from '../../src/run/cost-function.ts';

const sine = model('A*exp(-k*x)*sin(w*x + phi)');
const truth = [2, 0.05, 4, 0.5];
const bounds: [number[], number[]] = [[1.5, 0.02, 0, -4], [3, 0.1, 10, 4]];
const p0 = [2.5, 0.03, 1, 0];
// 5000 points: three blocks of the walk (2048 rows each), the last one short.
const n = 5000;
const x = Float64Array.from({ length: n }, (_, i) => (i * 10) / n);
const y = Float64Array.from(sine.evaluate(truth, [x]), (v, i) => v + 0.05 * Math.sin(i * 12.9898 + 78.233 * Math.cos(i)));
const sigma = Float64Array.from({ length: n }, (_, i) => 0.04 + 0.02 * Math.abs(Math.sin(i)));

/** count points in the bounds (seeded), with a few far outside where exp overflows. */
function population(count: number, dims: number, lb: number[], ub: number[], rate = 1): Float64Array {
  const rng = createRandom(7, 'test');
  const pts = new Float64Array(count * dims);
  for (let k = 0; k < count; k++) for (let j = 0; j < dims; j++) pts[k * dims + j] = lb[j]! + rng.next() * (ub[j]! - lb[j]!);
  pts[3 * dims + rate] = -400; // exp(400·x): Inf residuals, cost +∞
  return pts;
}

function expectSame(costs: Costs, pts: Float64Array, count: number, dims: number): void {
  const batched = new Float64Array(count);
  costs.population(pts, count, dims, batched);
  const single = new Float64Array(count);
  pointByPoint(costs.one)(pts, count, dims, single);
  for (let k = 0; k < count; k++) expect(Object.is(batched[k], single[k]), `point ${k}: ${batched[k]} vs ${single[k]}`).toBe(true);
  expect(batched[3]).toBe(Number.POSITIVE_INFINITY);
  expect(batched.filter(Number.isFinite).length).toBe(count - 1);
}

describe('a CMA-ES population evaluated in one walk equals point-by-point evaluation bitwise', () => {
  const cases: [string, CurveFitOptions][] = [
    ['linear loss', {}],
    ['1-D sigma', { sigma }],
    ["robust loss 'soft_l1'", { loss: 'soft_l1', fScale: 0.1, sigma }],
  ];
  for (const backend of ['cpu', 'wasm'] as const) {
    for (const [label, extra] of cases) {
      it(`${backend}, ${label}`, async () => {
        const resolved = resolveCurveFitOptions('curveFit', sine, x, y, { p0, bounds, backend, ...extra });
        await withCurveFitCost(resolved, async (costs) => expectSame(costs, population(14, 4, bounds[0], bounds[1]), 14, 4));
      });
    }
  }

  it('held parameters (a fixed parameter of a params set): the population is over the free ones', () => {
    const resolved = resolveCurveFitOptions('curveFit', sine, x, y, { params: { A: { value: 2, vary: false }, k: { value: 0.03, min: 0.02, max: 0.1 }, w: { value: 1, min: 0, max: 10 }, phi: { value: 0, min: -4, max: 4 } } } as CurveFitOptions);
    withCurveFitCostSync(resolved, (costs) => expectSame(costs, population(9, 3, [0.02, 0, -4], [0.1, 10, 4], 0), 9, 3));
  });

  it('a closure model that throws for some points: those cost +∞, the others as point by point', () => {
    const f = (t: number, a: number, b: number): number => {
      if (a > 0.5) throw new Error('not here');
      return a * Math.exp(-b * t);
    };
    const xs = Array.from({ length: 3000 }, (_, i) => i / 300);
    const ys = xs.map((t) => 0.3 * Math.exp(-0.7 * t));
    const resolved = resolveCurveFitOptions('curveFitSync', f, xs, ys, { p0: [0.2, 1] });
    withCurveFitCostSync(resolved, (costs) => {
      const pts = Float64Array.of(0.2, 1, 0.9, 1, 0.3, 0.7, 0.6, 2);
      const out = new Float64Array(4);
      costs.population(pts, 4, 2, out);
      expect(out[1]).toBe(Number.POSITIVE_INFINITY);
      expect(out[3]).toBe(Number.POSITIVE_INFINITY);
      expect(Object.is(out[0], costs.one(pts.subarray(0, 2)))).toBe(true);
      expect(Object.is(out[2], costs.one(pts.subarray(4, 6)))).toBe(true);
      expect(out[2]).toBeLessThan(1e-25);
    });
  });
});

describe('the same seed gives the same CMA-ES search, batched or point by point', () => {
  const search = resolveGlobal({ method: 'cmaes', seed: 3, maxEvaluations: 3000 }, 'test')!;
  const box = startBox(p0, bounds[0], bounds[1]);
  for (const backend of ['cpu', 'wasm'] as const) {
    it(backend, async () => {
      const resolved = resolveCurveFitOptions('curveFit', sine, x, y, { p0, bounds, backend, sigma });
      await withCurveFitCost(resolved, async (costs) => {
        const x0 = Float64Array.from(p0);
        const batched = await cmaesInBox(search, box, x0, costs, undefined, 'test');
        const single = await cmaesInBox(search, box, x0, { one: costs.one, population: pointByPoint(costs.one) }, undefined, 'test');
        expect(Array.from(batched.x)).toEqual(Array.from(single.x));
        expect(batched.result.f).toBe(single.result.f);
        expect(batched.result.evaluations).toBe(single.result.evaluations);
        expect(batched.result.runs).toEqual(single.result.runs);
        // The search found the damped sine's minimum from the wrong frequency.
        expect(Math.abs(batched.x[2]! - 4)).toBeLessThan(0.3);
      });
    });
  }

  it('the synchronous search too', () => {
    const resolved = resolveCurveFitOptions('curveFitSync', sine, x, y, { p0, bounds, loss: 'huber', fScale: 0.1 });
    withCurveFitCostSync(resolved, (costs) => {
      const x0 = Float64Array.from(p0);
      const batched = cmaesInBoxSync(search, box, x0, costs, undefined, 'test');
      const single = cmaesInBoxSync(search, box, x0, { one: costs.one, population: pointByPoint(costs.one) }, undefined, 'test');
      expect(Array.from(batched.x)).toEqual(Array.from(single.x));
      expect(batched.result.runs).toEqual(single.result.runs);
    });
  });
});
