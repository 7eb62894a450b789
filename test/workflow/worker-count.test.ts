import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { MIN_BATCH_WORK_PER_WORKER, MIN_POINTS_PER_WORKER, MIN_WASM_BATCH_WORK_PER_WORKER, minPointsPerWorker, planBatchWorkers, planWorkers } from '../../src/workflow/worker-count.ts';

const base = { nParams: 3, cores: 8, blocked: null, backend: 'wasm-simd' } as const;

describe('planWorkers', () => {
  it('uses the main thread when workers are not asked for, or 0', () => {
    expect(planWorkers({ ...base, given: undefined, nPoints: 1e7 })).toMatchObject({ workers: 0, used: 'main thread' });
    expect(planWorkers({ ...base, given: 0, nPoints: 1e7 })).toMatchObject({ workers: 0, reason: 'workers: 0 asks for the main thread' });
  });

  it('honours a count, more than the cores included, and says so', () => {
    const plan = planWorkers({ ...base, given: 12, nPoints: 1000 });
    expect(plan).toMatchObject({ workers: 12, given: '12', used: '12 workers × wasm-simd' });
    expect(plan.reason).toMatch(/more than the 8 cores here/);
  });

  it('keeps a fit that cannot cross on the main thread, with the reason', () => {
    const plan = planWorkers({ ...base, given: 4, nPoints: 1e7, blocked: 'a loss function cannot cross to a worker' });
    expect(plan).toEqual({ workers: 0, given: '4', used: 'main thread', reason: 'the fit cannot run on workers: a loss function cannot cross to a worker' });
  });

  it("'auto': no pool below two workers' worth of points, one per core above", () => {
    expect(planWorkers({ ...base, given: 'auto', nPoints: 2 * MIN_POINTS_PER_WORKER - 1 })).toMatchObject({ workers: 0 });
    expect(planWorkers({ ...base, given: 'auto', nPoints: 2 * MIN_POINTS_PER_WORKER })).toMatchObject({ workers: 2, used: '2 workers × wasm-simd' });
    expect(planWorkers({ ...base, given: 'auto', nPoints: 1e8 })).toMatchObject({ workers: 8 });
    expect(planWorkers({ ...base, given: 'auto', nPoints: 1e8, cores: 1 }).reason).toBe('only 1 core is available here');
  });

  test.prop([fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 1, max: 128 }), fc.integer({ min: 1, max: 30 })])("'auto' never exceeds the cores, and every worker gets at least the threshold", (nPoints, cores, nParams) => {
    const plan = planWorkers({ ...base, nParams, cores, given: 'auto', nPoints });
    expect(plan.workers).toBeLessThanOrEqual(cores);
    if (plan.workers > 0) {
      expect(plan.workers).toBeGreaterThanOrEqual(2);
      expect(nPoints / plan.workers).toBeGreaterThanOrEqual(minPointsPerWorker(nParams));
    }
  });
});

describe('planBatchWorkers', () => {
  // Gpufit's test: 25 points, p = 5, so 900 units of work a fit.
  const batch = (nFits: number, engine: string) => planBatchWorkers({ given: 'auto', nFits, nPoints: 25 * nFits, nParams: 5, cores: 2, blocked: null, engine });

  it("'auto' weighs the engine the workers run: the WASM engine needs about 4× the work of the CPU engine", () => {
    const between = Math.ceil((2 * MIN_BATCH_WORK_PER_WORKER) / 900); // enough for 2 CPU-engine workers
    expect(batch(between, 'cpu').workers).toBe(2);
    expect(batch(between, 'wasm').workers).toBe(0);
    expect(batch(between, 'wasm').reason).toMatch(/too few to gain from workers \(at least 8000000 points·\(p\+1\)² per worker for the wasm engine/);
    expect(batch(Math.ceil((2 * MIN_WASM_BATCH_WORK_PER_WORKER) / 900), 'wasm')).toMatchObject({ workers: 2, used: '2 workers × wasm engine' });
  });

  it('a count is honoured whatever the engine', () => {
    expect(planBatchWorkers({ given: 2, nFits: 10, nPoints: 250, nParams: 5, cores: 2, blocked: null, engine: 'wasm' }).workers).toBe(2);
  });
});
