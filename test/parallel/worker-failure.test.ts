/**
 * A worker that dies fails the fit with a WorkerError (never a partial answer) and the pool
 * recovers for the next fit; cancellation reaches the workers (an abort during a pass cancels
 * every worker's task) and the next fit runs on fresh workers.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { AbortError, createWasmBackend, curveFit, model } from '../../src/index.ts';
import { createParallelProblem } from '../../src/parallel/parallel-problem.ts';
import { WorkerError } from '../../src/parallel/worker-error.ts';
import { acquireWorkerPool, terminateWorkers, type WorkerPool } from '../../src/parallel/worker-pool.ts';
import { trustedProgram } from '../../src/model/trusted-program.ts';

const decay = model('a*exp(-b*x) + c');
const n = 30_000;
const x = Float64Array.from({ length: n }, (_, i) => (8 * i) / n);
const y = Float64Array.from(x, (t, i) => 2 * Math.exp(-0.7 * t) + 0.4 + 0.01 * Math.sin(i * 7.1));
const p0 = [1, 0.2, 0];

afterAll(() => terminateWorkers());

describe('a worker that dies', () => {
  it('fails the fit with a WorkerError, and the next fit succeeds on a fresh worker', async () => {
    const single = await curveFit(decay, x, y, { p0, backend: 'wasm' });
    const pool = await acquireWorkerPool(2);
    let killed = false;
    const failing = curveFit(decay, x, y, {
      p0,
      backend: 'wasm',
      workers: 2,
      onIteration: () => {
        if (killed) return;
        killed = true;
        void pool.exec(1, 'exit', []).catch(() => undefined); // the worker of share 2 exits
      },
    });
    const error = await failing.then(() => null, (e: unknown) => e);
    pool.release();
    expect(killed).toBe(true);
    expect(error).toBeInstanceOf(WorkerError);
    expect(error).toMatchObject({ code: 'ERR_WORKER', argument: 'workers', worker: 1 });
    expect((error as Error).message).toMatch(/^curveFit: worker 2 of 2 failed \(.+\); the fit has no result, and the pool replaces the worker for the next fit$/);

    const again = await curveFit(decay, x, y, { p0, backend: 'wasm', workers: 2 });
    expect(again.success).toBe(true);
    expect(again.popt).toBeAllclose(single.popt, { rtol: 1e-12, atol: 0 });
  }, 60_000);
});

describe('a worker that dies while the rows cross', () => {
  it('fails the crossing with a WorkerError naming it; the pool serves the next fit', async () => {
    const backend = await createWasmBackend();
    const pool = await acquireWorkerPool(2);
    let loads = 0;
    // The pool as the problem sees it, except that worker 2 exits just before its third chunk.
    const dying: WorkerPool = {
      size: pool.size, script: pool.script, run: pool.run.bind(pool), release: () => pool.release(),
      exec: (lane, method, args, options) => {
        if (lane === 1 && method === 'load' && ++loads === 3) void pool.exec(1, 'exit', []).catch(() => undefined);
        return pool.exec(lane, method, args, options);
      },
    };
    const crossing = createParallelProblem({
      caller: 'curveFit', pool: dying, workers: 2, program: trustedProgram(decay)!, kernel: decay.createKernel(),
      data: { x: [x], y, w: null }, loss: null, blockRows: undefined, backend, signal: undefined, crossingChunkRows: 1000,
    });
    const error = await crossing.then(() => null, (e: unknown) => e);
    expect(loads).toBeGreaterThanOrEqual(3);
    expect(error).toBeInstanceOf(WorkerError);
    expect(error).toMatchObject({ code: 'ERR_WORKER', worker: 1 });
    expect((error as Error).message).toMatch(/^curveFit: worker 2 of 2 failed \(.+\); the fit has no result/);
    const r = await curveFit(decay, x, y, { p0, backend: 'wasm', workers: 2 });
    expect(r.success).toBe(true);
  }, 60_000);
});

describe('cancellation reaches every worker', () => {
  it('an abort while the rows cross stops the crossing with the AbortError; no share stays open', async () => {
    const backend = await createWasmBackend();
    const pool = await acquireWorkerPool(2);
    const controller = new AbortController();
    let loads = 0;
    const counting: WorkerPool = {
      size: pool.size, script: pool.script, run: pool.run.bind(pool), release: () => pool.release(),
      exec: (lane, method, args, options) => {
        if (method === 'load' && ++loads === 5) queueMicrotask(() => controller.abort(new Error('stop'))); // as a caller's abort: between our steps
        return pool.exec(lane, method, args, options);
      },
    };
    const crossing = createParallelProblem({
      caller: 'curveFit', pool: counting, workers: 2, program: trustedProgram(decay)!, kernel: decay.createKernel(),
      data: { x: [x], y, w: null }, loss: null, blockRows: undefined, backend, signal: controller.signal, crossingChunkRows: 500,
    });
    await expect(crossing).rejects.toMatchObject({ code: 'ERR_ABORTED', message: 'curveFit: the fit was aborted by its AbortSignal' });
    expect(loads).toBeLessThan(30); // 60 chunks in all: the rest were never sent
    const after = await acquireWorkerPool(2);
    await new Promise((done) => setTimeout(done, 50)); // the closes are sent without waiting
    expect(await Promise.all([after.exec<number>(0, 'ping', []), after.exec<number>(1, 'ping', [])])).toEqual([0, 0]);
    after.release();
    const r = await curveFit(decay, x, y, { p0, backend: 'wasm', workers: 2 });
    expect(r.success).toBe(true);
  }, 60_000);

  it('an abort between evaluations stops the fit with the AbortError; the pool serves the next fit', async () => {
    const controller = new AbortController();
    const aborted = curveFit(decay, x, y, {
      p0, backend: 'wasm', workers: 2, signal: controller.signal,
      onIteration: (info) => {
        if (info.iteration === 2) controller.abort();
      },
    });
    await expect(aborted).rejects.toBeInstanceOf(AbortError);
    const r = await curveFit(decay, x, y, { p0, backend: 'wasm', workers: 2 });
    expect(r.success).toBe(true);
  }, 60_000);

  it('an abort during a pass cancels the tasks in flight on every worker', async () => {
    const big = 400_000;
    const bx = Float64Array.from({ length: big }, (_, i) => (8 * i) / big);
    const by = Float64Array.from(bx, (t) => 2 * Math.exp(-0.7 * t) + 0.4);
    const backend = await createWasmBackend();
    const pool = await acquireWorkerPool(3);
    const controller = new AbortController();
    const problem = await createParallelProblem({
      caller: 'curveFit', pool, workers: 3, program: trustedProgram(decay)!, kernel: decay.createKernel(),
      data: { x: [bx], y: by, w: null }, loss: null, blockRows: undefined, backend, signal: controller.signal,
    });
    const pass = problem.evaluate(Float64Array.from(p0), true);
    controller.abort(new Error('stop'));
    await expect(pass).rejects.toMatchObject({ code: 'ERR_ABORTED', message: 'curveFit: the fit was aborted by its AbortSignal' });
    await expect(problem.evaluate(Float64Array.from(p0), true)).rejects.toBeInstanceOf(AbortError);
    problem.dispose();
    const r = await curveFit(decay, x, y, { p0, backend: 'wasm', workers: 3 });
    expect(r.success).toBe(true);
  }, 60_000);
});
