/**
 * Streaming passes on workers: chunks handed to workers as they are read (bounded queue), folded
 * there, merged in chunk order — popt to 1e-12, perr to 1e-10, the same nfev and status as the
 * single-thread streaming fit for 1 … 4 workers (more than this machine's cores included), bitwise
 * the same for every worker count and every run; a worker that dies fails the fit with a
 * WorkerError and the pool recovers; an abort cancels every chunk in flight.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { AbortError, createWasmBackend, fit, model } from '../../src/index.ts';
import { StreamingProblem } from '../../src/evaluate/streaming-problem.ts';
import { trustedProgram } from '../../src/model/trusted-program.ts';
import { createParallelChunkFold } from '../../src/parallel/parallel-chunk-fold.ts';
import { WorkerError } from '../../src/parallel/worker-error.ts';
import { acquireWorkerPool, terminateWorkers } from '../../src/parallel/worker-pool.ts';
import { arraySource, classifySource, type SourceChunk } from '../../src/sources/data-source.ts';

afterAll(() => terminateWorkers());

const gaussian = model('A*exp(-(x-mu)^2/(2*s^2)) + k*x + c', { params: ['A', 'mu', 's', 'k', 'c'] });
const p0 = [2, 0.2, 1.5, 0, 1];
const n = 60_000;
const x = Float64Array.from({ length: n }, (_, i) => -5 + (10 * i) / (n - 1));
const y = Float64Array.from(x, (t, i) => 3 * Math.exp(-((t - 0.7) ** 2) / (2 * 1.1 ** 2)) + 0.3 * t + 1.5 + 0.02 * (((Math.sin(i * 12.9898) * 43758.5453) % 1) - 0.5));
const streaming = { p0, workflow: 'streaming' as const, chunkSize: 4096, backend: 'wasm' as const };

function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!) / Math.max(Math.abs(b[i]!), 1e-300));
  return d;
}

describe('streaming passes on workers against the single-thread streaming fit', () => {
  it.each(['trf', 'lm'] as const)('%s: 1 … 4 workers agree (popt 1e-12, perr 1e-10, nfev, status), bitwise across counts and runs', async (method) => {
    const single = await fit(gaussian, x, y, { ...streaming, method });
    expect(single.choices.strategy?.used).toBe('streaming');
    let first: Float64Array | null = null;
    for (const workers of [1, 2, 3, 4]) {
      const r = await fit(gaussian, x, y, { ...streaming, method, workers });
      expect(r.choices.workers?.used).toBe(`${workers} worker${workers === 1 ? '' : 's'} × wasm-simd`);
      expect(r.choices.workers?.reason).toMatch(/each folds the chunks of a pass as they are read \(bounded queue\), merged in chunk order/);
      expect(relDiff(r.popt, single.popt)).toBeLessThan(1e-12);
      expect(relDiff(r.perr, single.perr)).toBeLessThan(1e-10);
      expect(r.nfev).toBe(single.nfev);
      expect(r.status).toBe(single.status);
      // each chunk is folded from zero and merged in chunk order: the count does not matter
      first ??= Float64Array.from(r.popt);
      expect(Array.from(r.popt)).toEqual(Array.from(first));
    }
    const again = await fit(gaussian, x, y, { ...streaming, method, workers: 2 });
    expect(Array.from(again.popt)).toEqual(Array.from(first!));
    expect(Array.from(again.perr)).toEqual(Array.from((await fit(gaussian, x, y, { ...streaming, method, workers: 3 })).perr));
  }, 180_000);

  it('a re-readable source with sigma and a robust loss (trf, soft_l1) cross too', async () => {
    const sigma = Float64Array.from(x, (_, i) => 0.02 * (1 + 0.5 * Math.abs(Math.sin(i))));
    const source = () => arraySource({ x, y, sigma }, 5000);
    const options = { p0, method: 'trf' as const, loss: 'soft_l1' as const, fScale: 0.05, backend: 'wasm' as const };
    const single = await fit(gaussian, source, options);
    const r = await fit(gaussian, source, { ...options, workers: 2 });
    expect(r.choices.workers?.used).toBe('2 workers × wasm-simd');
    expect(relDiff(r.popt, single.popt)).toBeLessThan(1e-12);
    expect(relDiff(r.perr, single.perr)).toBeLessThan(1e-10);
    expect(r.nfev).toBe(single.nfev);
    expect(r.chiSquare).toBeAllclose(single.chiSquare, { rtol: 1e-12 });
  }, 120_000);

  it("'auto' on a source takes every core (its size is unknown before the first pass); a one-pass source stays on the main thread", async () => {
    const r = await fit(gaussian, () => arraySource({ x, y }, 5000), { p0, backend: 'wasm', workers: 'auto' });
    expect(r.choices.workers?.reason).toMatch(/one worker per core \(\d+ here\): a streaming source's size is unknown|only 1 core/);
    function* once(): Generator<SourceChunk> {
      for (let s = 0; s < n; s += 5000) yield { x: x.subarray(s, s + 5000), y: y.subarray(s, s + 5000) };
    }
    const one = await fit(gaussian, once(), { p0, backend: 'wasm', workers: 2 });
    expect(one.choices.workers).toMatchObject({ used: 'main thread' });
    expect(one.choices.workers?.reason).toMatch(/a source that can be read only once gets the one-pass mini-batch fit, on the main thread/);
  }, 60_000);
});

describe('the chunk fold itself', () => {
  it('never has more than queueDepth chunks in flight (back-pressure), hands waiting chunks over together, and equals the single-thread pass', async () => {
    const backend = await createWasmBackend({ simd: true });
    const pool = await acquireWorkerPool(2);
    const fold = await createParallelChunkFold({ caller: 'test', pool, workers: 2, program: trustedProgram(gaussian)!, loss: null, blockRows: 512, backend, signal: undefined, queueDepth: 3 });
    const source = await classifySource(() => arraySource({ x, y }, 1000), 'test');
    const kernel = gaussian.createKernel();
    const parallel = new StreamingProblem({ backend, kernel, source, loss: null, scheme: { kind: 'analytic' }, blockRows: 512, fold });
    const local = new StreamingProblem({ backend, kernel, source, loss: null, scheme: { kind: 'analytic' }, blockRows: 512 });
    const theta = Float64Array.from(p0);
    const a = await parallel.evaluate(theta, true);
    const b = await local.evaluate(theta, true);
    expect(fold.queueDepth).toBe(3);
    expect(fold.peakInFlight).toBe(3); // 60 chunks, 2 workers: the queue fills, and never past its depth
    expect(fold.tasks).toBe(60); // 1.5 chunks per worker: never two waiting for one worker
    expect(a.m).toBe(n);
    expect(a.cost).toBeAllclose(b.cost, { rtol: 1e-13 });
    // R is unique up to the signs of its rows: compare RᵀR-invariant |diagonal| and the cost
    const cols = 6;
    for (let j = 0; j < cols; j++) expect(Math.abs(a.T![j * cols + j]!)).toBeAllclose(Math.abs(b.T![j * cols + j]!), { rtol: 1e-11 });
    const c = await parallel.evaluate(theta, false);
    expect(c.T).toBeNull();
    expect(c.cost).toBe(a.cost);
    fold.dispose();
    // the default depth (3 per worker): chunks that wait for a busy worker go over together, as one task
    const batched = await createParallelChunkFold({ caller: 'test', pool: await acquireWorkerPool(2), workers: 2, program: trustedProgram(gaussian)!, loss: null, blockRows: 512, backend, signal: undefined });
    const together = new StreamingProblem({ backend, kernel, source, loss: null, scheme: { kind: 'analytic' }, blockRows: 512, fold: batched });
    const d = await together.evaluate(theta, true);
    expect(batched.queueDepth).toBe(6);
    expect(batched.tasks).toBeLessThan(60);
    expect(d.cost).toBe(a.cost); // the same chunks, folded from zero, merged in chunk order
    expect(Array.from(d.T!)).toEqual(Array.from(a.T!));
    batched.dispose();
    // transferred chunk buffers (no SharedArrayBuffer, as in a page without cross-origin isolation): the same bits
    const moved = await createParallelChunkFold({ caller: 'test', pool: await acquireWorkerPool(2), workers: 2, program: trustedProgram(gaussian)!, loss: null, blockRows: 512, backend, signal: undefined, transferOnly: true });
    const byTransfer = new StreamingProblem({ backend, kernel, source, loss: null, scheme: { kind: 'analytic' }, blockRows: 512, fold: moved });
    for (let pass = 0; pass < 2; pass++) {
      const e = await byTransfer.evaluate(theta, true); // the second pass reuses the buffers handed back
      expect(e.cost).toBe(a.cost);
      expect(Array.from(e.T!)).toEqual(Array.from(a.T!));
    }
    moved.dispose();
    byTransfer.dispose();
    together.dispose();
    local.dispose();
    parallel.dispose();
  }, 60_000);
});

describe('failure and cancellation', () => {
  it('a worker that dies fails the fit with a WorkerError; the pool recovers for the next fit', async () => {
    const pool = await acquireWorkerPool(2);
    let killed = false;
    const failing = fit(gaussian, x, y, {
      ...streaming, workers: 2, warmup: false,
      onIteration: () => {
        if (killed) return;
        killed = true;
        const lanes = (pool as unknown as { lanes: { pool: { workers: { worker: { terminate(): void } }[] } }[] }).lanes;
        lanes[1]!.pool.workers[0]!.worker.terminate();
      },
    });
    const error = await failing.then(() => null, (e: unknown) => e);
    pool.release();
    expect(killed).toBe(true);
    expect(error).toBeInstanceOf(WorkerError);
    expect(error).toMatchObject({ code: 'ERR_WORKER', argument: 'workers', worker: 1 });
    expect((error as Error).message).toMatch(/^fit: worker 2 of 2 failed \(.+\); the fit has no result, and the pool replaces the worker for the next fit$/);
    const single = await fit(gaussian, x, y, streaming);
    const again = await fit(gaussian, x, y, { ...streaming, workers: 2 });
    expect(relDiff(again.popt, single.popt)).toBeLessThan(1e-12);
  }, 120_000);

  it('an abort during a pass cancels the chunks in flight and rejects with the AbortError', async () => {
    const ac = new AbortController();
    const run = fit(gaussian, x, y, { ...streaming, workers: 2, warmup: false, signal: ac.signal, onIteration: (info) => { if (info.iteration === 1) ac.abort(); } });
    await expect(run).rejects.toBeInstanceOf(AbortError);
    const r = await fit(gaussian, x, y, { ...streaming, workers: 2 });
    expect(r.success).toBe(true);
  }, 120_000);
});

describe("fit()'s plan carries the worker decision the run made", () => {
  it('standard, streaming over arrays and a source: plan.workers.used is choices.workers.used', async () => {
    const standard = await fit(gaussian, x, y, { p0, backend: 'wasm', workers: 2 });
    expect(standard.plan.workers.used).toBe(standard.choices.workers?.used);
    expect(standard.plan.workers.used).toBe('2 workers × wasm-simd');
    const streamed = await fit(gaussian, x, y, { ...streaming, workers: 2 });
    expect(streamed.plan.workers).toMatchObject({ used: streamed.choices.workers?.used, reason: streamed.choices.workers?.reason });
    const source = await fit(gaussian, () => arraySource({ x, y }, 5000), { p0, backend: 'wasm', workers: 'auto' });
    expect(source.plan.workers.used).toBe(source.choices.workers?.used);
    const none = await fit(gaussian, x, y, { p0, backend: 'wasm' });
    expect(none.plan.workers.workers).toBe(0);
  }, 120_000);
});
