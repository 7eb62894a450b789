/**
 * fitBatch on workers: every fit's row bitwise equal to the single-thread engine's for 1 … 4
 * workers (failing fits, per-fit x, offsets, sigma, vary, p0 'auto', params, bounds, a robust
 * loss), progress from every worker, cancellation reaching every worker, a worker that dies
 * failing the batch with a WorkerError and the pool recovering, and the plan saying how many
 * workers ran and why (closures and loss functions stay on the main thread).
 */
import { fc, test } from '@fast-check/vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { batchShare, runBatchShare } from '../../src/batch/batch-share.ts';
import { AbortError } from '../../src/errors.ts';
import { batchChunks } from '../../src/batch/worker-engine.ts';
import { fitBatch } from '../../src/fit-batch.ts';
import { model } from '../../src/model/model.ts';
import { models } from '../../src/model/models/index.ts';
import { params } from '../../src/model/params.ts';
import { WorkerError } from '../../src/parallel/worker-error.ts';
import { acquireWorkerPool, terminateWorkers } from '../../src/parallel/worker-pool.ts';
import type { BatchResult } from '../../src/batch/batch-result.ts';
import type { FitBatchData, FitBatchOptions } from '../../src/batch/batch-options.ts';
import { gauss, gaussians, grid, lcg } from './gaussian-batches.ts';

afterAll(() => terminateWorkers());


/** Every per-fit output of two results bitwise equal (NaN equal to NaN), messages included. */
function expectSameRows(a: BatchResult, b: BatchResult): void {
  for (const key of ['popt', 'perr', 'status', 'cost', 'chiSquare', 'nfev', 'nit'] as const) {
    const [u, v] = [a[key], b[key]];
    expect(v.length).toBe(u.length);
    const differ = Array.from(u).findIndex((value, i) => !Object.is(value, v[i]));
    expect(differ, `${key}[${differ}]: ${u[differ]} vs ${v[differ]}`).toBe(-1);
  }
  for (let i = 0; i < a.nFits; i++) expect(b.message(i)).toBe(a.message(i));
}

async function expectWorkerCountsAgree(data: FitBatchData, options: FitBatchOptions, counts = [1, 2, 3, 4]): Promise<BatchResult> {
  const single = await fitBatch(currentModel, data, options);
  expect(single.plan.workers).toBe(1);
  for (const workers of counts) {
    const r = await fitBatch(currentModel, data, { ...options, workers });
    expect(r.plan.workers).toBe(Math.min(workers, single.nFits));
    expectSameRows(single, r);
  }
  return single;
}
let currentModel: Parameters<typeof fitBatch>[0] = gauss;

describe('every row is the single-thread engine’s, bit for bit, on 1 … 4 workers', () => {
  const x = grid(24, -3, 3);
  const n = x.length;

  it('shared x, failing fits (NaN, too few points, max-nfev via offsets), lm', async () => {
    currentModel = gauss;
    const Y = gaussians(x, 37, 3);
    Y[5 * n + 4] = NaN; // fit 5 cannot start
    const offsets = Int32Array.from({ length: 38 }, (_, i) => i * n);
    const X = new Float64Array(37 * n);
    for (let f = 0; f < 37; f++) X.set(x, f * n);
    offsets[37] = 37 * n;
    // fit 36 keeps only 3 points: fewer than the 4 free parameters
    const short = Int32Array.from(offsets);
    short[36] = 37 * n - 3;
    const single = await expectWorkerCountsAgree({ x: X, y: Y, offsets: short }, { p0: [1, 0, 1, 0], method: 'lm' });
    expect(single.status[5]).toBe(-1);
    expect(single.message(5)).toMatch(/^fitBatch: fit 5: y has NaN at point 4/);
    expect(single.message(36)).toMatch(/^fitBatch: fit 36: 3 points, fewer than the 4 free parameters/);
    await expectWorkerCountsAgree({ x, y: Y.subarray(0, 9 * n) }, { p0: [1, 0, 1, 0], method: 'trf', maxNfev: 3 }, [2, 3]);
  }, 120_000);

  it('per-fit x, per-fit p0, sigma and bounds (trf), a robust loss, a vary mask', async () => {
    currentModel = gauss;
    const nFits = 23;
    const Y = gaussians(x, nFits, 11);
    const X = new Float64Array(nFits * n);
    for (let f = 0; f < nFits; f++) for (let i = 0; i < n; i++) X[f * n + i] = x[i]! * (1 + 0.01 * f);
    const S = Float64Array.from(Y, (_, q) => 0.02 * (1 + 0.5 * Math.abs(Math.sin(q))));
    const P0 = Float64Array.from({ length: nFits * 4 }, (_, q) => [1, 0, 1, 0][q % 4]! + 0.01 * (q % 7));
    const lb = Float64Array.from({ length: nFits * 4 }, (_, q) => [0, -1, 0.1, -1][q % 4]!);
    const ub = Float64Array.from({ length: nFits * 4 }, (_, q) => [3, 1, 5, 1][q % 4]!);
    await expectWorkerCountsAgree({ x: X, y: Y, nPoints: n }, { p0: P0, sigma: S, bounds: [lb, ub], method: 'trf', loss: 'soft_l1', fScale: 0.05 }, [2, 4]);
    await expectWorkerCountsAgree({ x: X, y: Y, nPoints: n }, { p0: P0, vary: [true, true, true, false], method: 'lm' }, [3]);
  }, 120_000);

  it("p0 'auto' (2-D Gaussian from the model library, estimator on the main thread) and params", async () => {
    const g2 = models.gaussian2d();
    currentModel = g2;
    const k = 5;
    const gx = new Float64Array(k * k);
    const gy = new Float64Array(k * k);
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) [gx[i * k + j], gy[i * k + j]] = [j, i];
    const nFits = 19;
    const r = lcg(5);
    const Y = new Float64Array(nFits * k * k);
    for (let f = 0; f < nFits; f++) {
      for (let q = 0; q < k * k; q++) Y[f * k * k + q] = 10 * Math.exp(-((gx[q]! - 2 - 0.1 * Math.sin(f)) ** 2 + (gy[q]! - 2) ** 2) / 2) + 1 + 0.3 * r();
    }
    Y.fill(3, 7 * k * k, 8 * k * k); // fit 7: flat — the estimator still answers; the fit may fail
    await expectWorkerCountsAgree({ x: [gx, gy], y: Y }, { p0: 'auto' }, [2, 4]);
    currentModel = gauss;
    const set = params({ a: 1, mu: { value: 0, vary: false }, s: { value: 1, min: 0.1 }, b: 0 });
    await expectWorkerCountsAgree({ x, y: gaussians(x, 9, 2) }, { params: set }, [2]);
  }, 120_000);

  test.prop([fc.integer({ min: 1, max: 30 }), fc.integer({ min: 2, max: 4 }), fc.integer({ min: 1, max: 1000 })], { numRuns: 4 })(
    'random batches: the worker rows equal the single-thread rows',
    async (nFits, workers, seed) => {
      const Y = gaussians(x, nFits, seed);
      const single = await fitBatch(gauss, { x, y: Y }, { p0: [1, 0, 1, 0] });
      const r = await fitBatch(gauss, { x, y: Y }, { p0: [1, 0, 1, 0], workers });
      expectSameRows(single, r);
    },
    120_000,
  );
});

describe('a batch cut into more chunks than workers (the queue)', () => {
  it('chunk counts: 8 per worker, none under 16384 points, at least one per worker, at most one per fit', () => {
    expect(batchChunks(100_000, 2_500_000, 2)).toBe(16);
    expect(batchChunks(6000, 180_000, 1)).toBe(8);
    expect(batchChunks(6000, 180_000, 3)).toBe(10);
    expect(batchChunks(400, 12_000, 2)).toBe(2);
    expect(batchChunks(3, 90, 4)).toBe(3);
    expect(batchChunks(1, 10, 1)).toBe(1);
  });

  it('every row is still the single-thread engine’s, bit for bit, on 1 … 3 workers', async () => {
    currentModel = gauss;
    const x = grid(30, -3, 3);
    const Y = gaussians(x, 6000, 21);
    Y[4321 * 30 + 3] = NaN; // a failing fit inside a later chunk keeps its message and index
    const single = await expectWorkerCountsAgree({ x, y: Y }, { p0: [1, 0, 1, 0] }, [1, 2, 3]);
    expect(single.message(4321)).toMatch(/^fitBatch: fit 4321: y has NaN at point 3/);
  }, 120_000);
});

describe('a range run in this thread (the worker’s half)', () => {
  it('returns the rows of its fits with the messages keyed and worded for the whole batch', async () => {
    const x = grid(12, -3, 3);
    const Y = gaussians(x, 10, 4);
    Y[12 * 7] = Infinity; // fit 7
    const single = await fitBatch(gauss, { x, y: Y }, { p0: [1, 0, 1, 0] });
    // Rebuild the validated problem the way runBatch does, through the public result's inputs.
    const { validateBatchData } = await import('../../src/batch/batch-data.ts');
    const { resolveBatchParams } = await import('../../src/batch/batch-params.ts');
    const { resolveBatchSettings } = await import('../../src/batch/batch-settings.ts');
    const { batchWorkerModel } = await import('../../src/batch/worker-engine.ts');
    const data = validateBatchData('fitBatch', { x, y: Y }, undefined, 1);
    const p = resolveBatchParams('fitBatch', gauss, { p0: [1, 0, 1, 0] }, data.nFits, 1);
    const settings = resolveBatchSettings('fitBatch', {}, 4, false, true);
    const problem = { caller: 'fitBatch', data, params: p, settings, absoluteSigma: false };
    const crossing = batchWorkerModel(problem, false);
    if (!('ir' in crossing)) throw new Error(crossing.blocked);
    const { setup } = batchShare(problem, crossing.ir, {}, p.p0 as never, 6, 10, 2);
    const seen: number[] = [];
    const out = await runBatchShare(setup, (d) => seen.push(d));
    expect(seen).toEqual([2, 4]);
    expect(Array.from(out.popt)).toEqual(Array.from(single.popt.subarray(6 * 4, 10 * 4)));
    expect(out.messages).toEqual([[7, single.message(7)]]);
    expect(single.message(7)).toMatch(/^fitBatch: fit 7: y has Infinity at point 0/);
  });
});

describe('progress, cancellation, failure', () => {
  const x = grid(30, -3, 3);
  const Y = gaussians(x, 2000, 9);

  it('progress from every worker reaches onProgress, summed, up to the total', async () => {
    const seen: number[] = [];
    const r = await fitBatch(gauss, { x, y: Y.subarray(0, 400 * 30) }, { p0: [1, 0, 1, 0], workers: 2, onProgress: ({ done, total }) => { expect(total).toBe(400); seen.push(done); } });
    expect(r.plan.workers).toBe(2);
    expect(seen.length).toBeGreaterThanOrEqual(8); // ~8 reports per worker
    expect(seen.at(-1)).toBe(400); // the sum of both workers' ranges (200 fits each): both reported
    expect(seen.every((d, i) => i === 0 || d > seen[i - 1]!)).toBe(true);
  }, 60_000);

  it('the signal cancels every worker; the pool serves the next batch', async () => {
    const ac = new AbortController();
    let first = -1;
    const run = fitBatch(gauss, { x, y: Y }, { p0: [1, 0, 1, 0], workers: 2, signal: ac.signal, onProgress: ({ done }) => { if (first < 0) { first = done; ac.abort(); } } });
    await expect(run).rejects.toBeInstanceOf(AbortError);
    expect(first).toBeGreaterThan(0);
    const again = await fitBatch(gauss, { x, y: Y.subarray(0, 40 * 30) }, { p0: [1, 0, 1, 0], workers: 2 });
    expect(again.summary().converged).toBe(40);
  }, 60_000);

  it('a worker that dies fails the batch with a WorkerError; the pool recovers for the next batch', async () => {
    const pool = await acquireWorkerPool(2);
    let killed = false;
    const failing = fitBatch(gauss, { x, y: Y }, {
      p0: [1, 0, 1, 0], workers: 2,
      onProgress: () => {
        if (killed) return;
        killed = true;
        // kill worker 2 from outside, as the OS or an out-of-memory would
        const lanes = (pool as unknown as { lanes: { pool: { workers: { worker: { terminate(): void } }[] } }[] }).lanes;
        lanes[1]!.pool.workers[0]!.worker.terminate();
      },
    });
    const error = await failing.then(() => null, (e: unknown) => e);
    pool.release();
    expect(killed).toBe(true);
    expect(error).toBeInstanceOf(WorkerError);
    expect(error).toMatchObject({ code: 'ERR_WORKER', argument: 'workers', worker: 1 });
    expect((error as Error).message).toMatch(/^fitBatch: worker 2 of 2 failed \(.+\); the batch has no result, and the pool replaces the worker for the next batch$/);
    const single = await fitBatch(gauss, { x, y: Y.subarray(0, 50 * 30) }, { p0: [1, 0, 1, 0] });
    const again = await fitBatch(gauss, { x, y: Y.subarray(0, 50 * 30) }, { p0: [1, 0, 1, 0], workers: 2 });
    expectSameRows(single, again);
  }, 60_000);
});

describe('the plan says how many workers ran and why', () => {
  const x = grid(20, -3, 3);
  const Y = gaussians(x, 30, 1);

  it('a closure and a loss function stay on the main thread', async () => {
    const closure = (t: number, a: number, mu: number, s: number, b: number) => a * Math.exp(-((t - mu) ** 2) / (2 * s * s)) + b;
    const r = await fitBatch(closure, { x, y: Y }, { p0: [1, 0, 1, 0], workers: 2 });
    expect(r.plan.workers).toBe(1);
    expect(r.plan.reason).toMatch(/main thread: the batch cannot run on workers: the model is a closure, which cannot cross to a worker/);
    const loss = (z: Float64Array, out: Float64Array) => { for (let i = 0; i < z.length; i++) { out[3 * i] = z[i]!; out[3 * i + 1] = 1; out[3 * i + 2] = 0; } };
    const l = await fitBatch(gauss, { x, y: Y }, { p0: [1, 0, 1, 0], workers: 2, method: 'trf', loss: loss as never });
    expect(l.plan.reason).toMatch(/a loss function cannot cross to a worker/);
  });

  it('workers: 0 asks for the main thread; a bad count names the option', async () => {
    const r = await fitBatch(gauss, { x, y: Y }, { p0: [1, 0, 1, 0], workers: 0 });
    expect(r.plan).toMatchObject({ workers: 1 });
    expect(r.plan.reason).toMatch(/main thread: workers: 0 asks for the main thread/);
    await expect(fitBatch(gauss, { x, y: Y }, { workers: 2.5 })).rejects.toMatchObject({ code: 'ERR_RANGE', argument: 'workers' });
  });

  it("'auto' keeps a small batch on the main thread and says why", async () => {
    const r = await fitBatch(gauss, { x, y: Y }, { p0: [1, 0, 1, 0], workers: 'auto' });
    expect(r.plan.workers).toBe(1);
    expect(r.plan.reason).toMatch(/30 fits \(600 points, 4 free parameters\) are too few to gain from workers|only 1 core is available here/);
  });
});
