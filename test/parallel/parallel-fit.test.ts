/**
 * The parallel pass against the single-thread fit: for 1 … 8 workers (more than this machine's
 * cores included) popt agrees to 1e-12 relative and perr to 1e-10, with the same nfev and status;
 * a fixed worker count gives bitwise the same result on every run; the shared-memory and transfer
 * paths agree bitwise; robust losses, `fit()`'s chunked strategy and lifted closures cross.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { CurveFitResult } from '../../src/result/curve-fit-result.ts';
import { curveFit, curveFitSync, fit, leastSquares, model } from '../../src/index.ts';
import { terminateWorkers } from '../../src/parallel/worker-pool.ts';

/** Gaussian peak on a linear background, 5 parameters, deterministic pseudo-noise. */
function gaussianData(n: number): { x: Float64Array; y: Float64Array } {
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = -5 + (10 * i) / (n - 1);
    x[i] = t;
    const noise = 0.02 * (((Math.sin(i * 12.9898) * 43758.5453) % 1) - 0.5);
    y[i] = 3 * Math.exp(-((t - 0.7) ** 2) / (2 * 1.1 ** 2)) + 0.3 * t + 1.5 + noise;
  }
  return { x, y };
}

const gaussian = model('A*exp(-(x-mu)^2/(2*s^2)) + k*x + c', { params: ['A', 'mu', 's', 'k', 'c'] });
const p0 = [2, 0.2, 1.5, 0, 1];
const { x, y } = gaussianData(24_000);

afterAll(() => terminateWorkers());

function relDiff(a: readonly number[], b: readonly number[]): number {
  return Math.max(...a.map((v, i) => Math.abs(v - b[i]!) / Math.max(Math.abs(b[i]!), 1e-300)));
}

/** χ², RSS, R², RMSE, MAE, AIC and BIC of a worker fit (summed by the workers) against the main thread's. */
function expectSameStatistics(r: CurveFitResult, single: CurveFitResult, workers: number): void {
  for (const key of ['chiSquare', 'rss', 'rSquared', 'adjRSquared', 'rmse', 'mae', 'aic', 'bic', 'reducedChiSquare'] as const) {
    expect(Math.abs(r[key] - single[key]) / Math.abs(single[key]), `${key}, ${workers} workers`).toBeLessThan(1e-12);
  }
  expect(r.dof).toBe(single.dof);
}

describe('workers: n against the single-thread fit', () => {
  it.each(['trf', 'lm', 'dogbox'] as const)('%s: 1 … 8 workers agree with the main thread', async (method) => {
    const single = await curveFit(gaussian, x, y, { p0, method, backend: 'wasm' });
    expect(single.backend).toBe('wasm-simd');
    for (let workers = 1; workers <= 8; workers++) {
      const r = await curveFit(gaussian, x, y, { p0, method, backend: 'wasm', workers });
      expect(r.choices.workers?.used).toBe(`${workers} worker${workers === 1 ? '' : 's'} × wasm-simd`);
      expect(relDiff(r.popt, single.popt), `popt, ${workers} workers`).toBeLessThan(1e-12);
      expect(relDiff(r.perr, single.perr), `perr, ${workers} workers`).toBeLessThan(1e-10);
      expect(r.nfev).toBe(single.nfev);
      expect(r.status).toBe(single.status);
      expect(r.success).toBe(true);
      // fun comes back from the workers: the same per-point arithmetic as the single-thread walk.
      expect(r.fun).toEqual(single.fun);
      // the statistics are summed by the workers, each over its rows: equal to rounding
      expectSameStatistics(r, single, workers);
    }
  }, 120_000);

  it('a fixed worker count gives bitwise the same popt, pcov and cost on every run', async () => {
    const runs = [];
    for (let k = 0; k < 3; k++) runs.push(await curveFit(gaussian, x, y, { p0, backend: 'wasm', workers: 3 }));
    for (const r of runs.slice(1)) {
      expect(Object.is(r.cost, runs[0]!.cost)).toBe(true);
      expect(r.popt).toEqual(runs[0]!.popt);
      expect(r.pcov).toEqual(runs[0]!.pcov);
    }
  }, 60_000);

  it('a robust loss crosses by name and agrees with the main thread', async () => {
    const single = await curveFit(gaussian, x, y, { p0, method: 'trf', backend: 'wasm', loss: 'soft_l1', fScale: 0.05 });
    const r = await curveFit(gaussian, x, y, { p0, method: 'trf', backend: 'wasm', loss: 'soft_l1', fScale: 0.05, workers: 2 });
    expect(r.choices.workers?.used).toBe('2 workers × wasm-simd');
    expect(relDiff(r.popt, single.popt)).toBeLessThan(1e-12);
    expect(r.nfev).toBe(single.nfev);
  }, 60_000);

  it('a 1-D sigma crosses as the weight column', async () => {
    const sigma = Float64Array.from(x, (t) => 0.05 + 0.01 * Math.abs(t));
    const single = await curveFit(gaussian, x, y, { p0, backend: 'wasm', sigma });
    const r = await curveFit(gaussian, x, y, { p0, backend: 'wasm', sigma, workers: 2 });
    expect(relDiff(r.popt, single.popt)).toBeLessThan(1e-12);
    expect(relDiff(r.perr, single.perr)).toBeLessThan(1e-10);
    expectSameStatistics(r, single, 2); // weighted: RSS and MAE from −r_i/w_i on the workers
  }, 60_000);

  it('a lifted closure crosses as its expression model', async () => {
    const f = (t: number, a: number, b: number, c: number) => a * Math.exp(-b * t) + c;
    const ys = Float64Array.from(x, (t, i) => 2 * Math.exp(-0.4 * t) + 0.5 + 0.01 * Math.cos(i));
    const single = await curveFit(f, x, ys, { p0: [1, 0.1, 0], backend: 'wasm' });
    const r = await curveFit(f, x, ys, { p0: [1, 0.1, 0], backend: 'wasm', workers: 2 });
    expect(r.choices.model?.used).toBe('expression');
    expect(r.choices.workers?.used).toBe('2 workers × wasm-simd');
    expect(relDiff(r.popt, single.popt)).toBeLessThan(1e-12);
  }, 60_000);

  it("fit(): the chunked strategy on workers agrees with chunked on the main thread", async () => {
    const options = { p0, backend: 'wasm' as const, workflow: 'chunked' as const, chunkSize: 4096 };
    const single = await fit(gaussian, x, y, options);
    const r = await fit(gaussian, x, y, { ...options, workers: 2 });
    expect(r.plan.strategy).toBe('chunked');
    expect(r.choices.workers?.used).toBe('2 workers × wasm-simd');
    expect(relDiff(r.popt, single.popt)).toBeLessThan(1e-12);
    expect(relDiff(r.perr, single.perr)).toBeLessThan(1e-10);
    expect(r.nfev).toBe(single.nfev);
  }, 60_000);
});

describe('fits that stay on the main thread say why', () => {
  it('a closure that cannot be lifted', async () => {
    const f = (t: number, a: number, b: number) => a * Math.exp(-b * t) + (t > 100 ? Number.NaN : 0);
    const r = await curveFit(f, x.subarray(0, 200), y.subarray(0, 200), { p0: [1, 0.1], workers: 2, lift: false });
    expect(r.choices.workers).toMatchObject({ given: '2', used: 'main thread' });
    expect(r.choices.workers?.reason).toMatch(/closure that was not lifted \(lift: false\); a closure cannot cross to a worker/);
  });

  it("'auto' keeps a small fit off the pool", async () => {
    const r = await curveFit(gaussian, x.subarray(0, 5000), y.subarray(0, 5000), { p0, backend: 'wasm', workers: 'auto' });
    expect(r.choices.workers?.used).toBe('main thread');
    expect(r.choices.workers?.reason).toMatch(/too few to gain from workers|only 1 core/);
  });

  it('a non-wasm backend, and the report lists the row', async () => {
    const r = await curveFit(gaussian, x.subarray(0, 500), y.subarray(0, 500), { p0, backend: 'cpu', workers: 2 });
    expect(r.choices.workers?.reason).toBe('the fit cannot run on workers: workers run the WebAssembly engine, and this fit runs on cpu');
    expect(r.report({ full: true })).toMatch(/workers\s+2\s+main thread/);
  });

  it('curveFitSync, and a streaming fit too small for workers, say they ran on the main thread', async () => {
    const sync = curveFitSync(gaussian, x.subarray(0, 2000), y.subarray(0, 2000), { p0, workers: 2 });
    expect(sync.choices.workers).toEqual({ given: '2', used: 'main thread', reason: 'curveFitSync runs on the calling thread (workers answer asynchronously); curveFit folds on workers' });
    const streamed = await fit(gaussian, x.subarray(0, 4000), y.subarray(0, 4000), { p0, workflow: 'streaming', chunkSize: 1000, workers: 'auto' });
    expect(streamed.choices.workers).toMatchObject({ given: 'auto', used: 'main thread' });
    expect(streamed.choices.workers?.reason).toMatch(/^4000 points are too few to gain from workers|only 1 core/);
  });

  it('leastSquares: a fun closure stays on the main thread, and the choice says why', async () => {
    const rosen = (v: Float64Array) => [10 * (v[1]! - v[0]! ** 2), 1 - v[0]!];
    const r = await leastSquares(rosen, [-1.2, 1], { workers: 2 });
    expect(r.success).toBe(true);
    expect(r.choices.workers).toEqual({ given: '2', used: 'main thread', reason: "leastSquares's fun is a closure, which cannot cross to a worker (only a model's IR does); curveFit and fit fold an expression model on workers" });
    expect(r.report({ full: true })).toMatch(/workers\s+2\s+main thread/);
    expect((await leastSquares(rosen, [-1.2, 1])).choices.workers).toBeUndefined();
    await expect(leastSquares(rosen, [-1.2, 1], { workers: 'all' as never })).rejects.toThrow("leastSquares: workers must be 'auto' or an integer in [0, 256], got \"all\"");
  });

  it('rejects a bad workers value naming the option', async () => {
    await expect(curveFit(gaussian, x, y, { p0, workers: -1 })).rejects.toMatchObject({ code: 'ERR_RANGE', argument: 'workers' });
    await expect(curveFit(gaussian, x, y, { p0, workers: 1.5 })).rejects.toThrow("curveFit: workers must be 'auto' or an integer in [0, 256], got 1.5");
  });
});
