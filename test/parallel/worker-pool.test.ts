/**
 * The shared pool's life cycle (lazy, held, torn down when idle, terminated on demand), the
 * general "run this task on a worker" surface, the share split, and the two ways the data cross
 * (shared memory and one transfer per worker), which must give bitwise the same evaluations.
 */
import { blockedSum, weightedResidualSums } from '../../src/stats/residual-sums.ts';
import { fc, test } from '@fast-check/vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { createWasmBackend, model } from '../../src/index.ts';
import { trustedProgram } from '../../src/model/trusted-program.ts';
import { createParallelProblem, shareBounds } from '../../src/parallel/parallel-problem.ts';
import { acquireWorkerPool, setWorkerPoolIdleMs, terminateWorkers } from '../../src/parallel/worker-pool.ts';

const IDLE_MS = 300;
import { fileUrlToPath, poolWorkerScript } from '../../src/parallel/worker-script.ts';

const defaultIdle = setWorkerPoolIdleMs(IDLE_MS);
afterAll(async () => {
  setWorkerPoolIdleMs(defaultIdle);
  await terminateWorkers();
});

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe('the shared pool', () => {
  it('is created lazily, kept while held, torn down when idle', async () => {
    await terminateWorkers();
    const a = await acquireWorkerPool(2);
    expect(a.size).toBe(2);
    await expect(a.run<number>('ping', [])).resolves.toBe(0);
    await sleep(IDLE_MS + 300);
    const b = await acquireWorkerPool(1); // still held by `a`: the same pool, not shrunk
    expect(b).toBe(a);
    expect(b.size).toBe(2);
    a.release();
    b.release();
    await sleep(IDLE_MS + 300);
    const c = await acquireWorkerPool(1);
    expect(c).not.toBe(a);
    c.release();
  }, 30_000);

  it('terminateWorkers ends the pool at once; the next acquire starts a fresh one', async () => {
    const a = await acquireWorkerPool(1);
    await a.exec(0, 'ping', []);
    await terminateWorkers();
    const b = await acquireWorkerPool(1);
    expect(b).not.toBe(a);
    await expect(b.exec(0, 'ping', [])).resolves.toBe(0);
    b.release();
  }, 30_000);

  it('refuses a lane that does not exist and a lane count out of range', async () => {
    const pool = await acquireWorkerPool(1);
    expect(() => pool.exec(pool.size, 'ping', [])).toThrow(/workers: lane must be an integer in \[0, \d+\), got \d+/);
    pool.release();
    await expect(acquireWorkerPool(0)).rejects.toMatchObject({ code: 'ERR_RANGE', argument: 'workers' });
    await expect(acquireWorkerPool(257)).rejects.toThrow('workers: the lane count must be an integer in [1, 256], got 257');
    expect(() => setWorkerPoolIdleMs(-1)).toThrow('setWorkerPoolIdleMs: ms must be a finite number ≥ 0, got -1');
  });
});

describe('the worker entry', () => {
  it('runs the TypeScript entry through tsx from src/ under Node, the emitted .js from dist/', () => {
    const fromSource = poolWorkerScript('file:///pkg/src/parallel/worker-script.ts');
    expect(fromSource).toMatchObject({ script: '/pkg/src/pool-worker-tsx.mjs', type: 'thread' });
    const fromDist = poolWorkerScript('file:///pkg/dist/parallel/worker-script.js');
    expect(fromDist).toMatchObject({ script: '/pkg/dist/pool-worker.js', type: 'thread' });
  });

  it('turns file URLs into paths, Windows drives included', () => {
    expect(fileUrlToPath(new URL('file:///a%20b/c.js'))).toBe('/a b/c.js');
    expect(fileUrlToPath(new URL('file:///C:/x/y.js'))).toBe('C:/x/y.js');
  });
});

describe('shares', () => {
  test.prop([fc.integer({ min: 0, max: 1e7 }), fc.integer({ min: 1, max: 64 })])('split n rows into contiguous shares differing by at most one row', (n, workers) => {
    const b = shareBounds(n, workers);
    expect(b).toHaveLength(workers + 1);
    expect(b[0]).toBe(0);
    expect(b[workers]).toBe(n);
    const sizes = b.slice(1).map((e, i) => e - b[i]!);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect(sizes.every((s) => s >= 0)).toBe(true);
  });

  it('every way the rows cross (shared memory, transfer, many small chunks, columns already shared and read in place) gives bitwise the same evaluations', async () => {
    const m = model('a*exp(-b*x) + c*sin(x)');
    const n = 50_001;
    const x = Float64Array.from({ length: n }, (_, i) => (10 * i) / n);
    const y = Float64Array.from(x, (t, i) => 2 * Math.exp(-0.3 * t) + 0.2 * Math.sin(t) + 0.01 * Math.cos(13 * i));
    const w = Float64Array.from(x, (t) => 1 / (0.1 + 0.01 * t));
    const inShared = (a: Float64Array) => {
      const c = new Float64Array(new SharedArrayBuffer(a.length * 8));
      c.set(a);
      return c;
    };
    const backend = await createWasmBackend();
    const theta = Float64Array.of(1.5, 0.2, 0.1);
    const results = [];
    const ways = [
      { transferOnly: false },
      { transferOnly: true },
      // 997 rows a chunk: ~17 chunks per share, buffers recycled, a short last chunk
      { transferOnly: false, crossingChunkRows: 997 },
      { transferOnly: true, crossingChunkRows: 997 },
      { transferOnly: false, shared: true },
    ];
    for (const way of ways) {
      const pool = await acquireWorkerPool(3);
      const data = way.shared === true ? { x: [inShared(x)], y: inShared(y), w: inShared(w) } : { x: [x], y, w };
      const problem = await createParallelProblem({
        caller: 'curveFit', pool, workers: 3, program: trustedProgram(m)!, kernel: m.createKernel(),
        data, loss: null, blockRows: 1000, backend, signal: undefined, transferOnly: way.transferOnly,
        ...(way.crossingChunkRows === undefined ? {} : { crossingChunkRows: way.crossingChunkRows }),
      });
      expect(problem.crossing).toBe(way.transferOnly ? 'transfer' : 'shared');
      results.push({ ev: await problem.evaluate(theta, true), r: await problem.residualVectorAsync(theta) });
      problem.dispose();
    }
    for (const other of results.slice(1)) {
      expect(other.ev.cost).toBe(results[0]!.ev.cost);
      expect(other.ev.m).toBe(n);
      expect(other.ev.T).toEqual(results[0]!.ev.T);
      expect(other.r).toEqual(results[0]!.r);
    }
    // the residuals are the main thread's own (same kernel operations, to rounding of the wasm math)
    const own = new Float64Array(n);
    m.createKernel().residuals(theta, { x: [x], y, w }, 0, n, own, 0, 1);
    for (let i = 0; i < n; i += 997) expect(Math.abs(results[0]!.r.fun[i]! - own[i]!)).toBeLessThan(1e-12 * (1 + Math.abs(own[i]!)));
    // the statistics sums each worker makes over its rows add up to the single-thread sums (to rounding)
    const reference = weightedResidualSums(y, results[0]!.r.fun, w, blockedSum(y) / n);
    for (const key of ['chiSquare', 'rss', 'tss', 'absSum'] as const) {
      expect(Math.abs(results[0]!.r.sums[key] - reference[key]) / reference[key], key).toBeLessThan(1e-13);
    }
    // the caller's arrays are untouched (each chunk is a copy; only its buffer is transferred)
    expect(x.length).toBe(n);
    expect(y.length).toBe(n);
    expect(w.length).toBe(n);
    expect(y[n - 1]).toBe(2 * Math.exp(-0.3 * x[n - 1]!) + 0.2 * Math.sin(x[n - 1]!) + 0.01 * Math.cos(13 * (n - 1)));
  }, 60_000);
});
