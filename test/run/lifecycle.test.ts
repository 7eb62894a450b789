/**
 * Every run path, many times over: each backend the registry hands out is released, each wasm
 * workspace, model kernel and resident copy freed (the instance is idle again: heap back to its
 * own scratch), and the pool hands the same instance out again on the next run.
 */
import { describe, expect, it } from 'vitest';
import { BackendUnavailableError, ModelEvaluationError, AbortError } from '../../src/errors.ts';
import { outstandingBackendLoads } from '../../src/backends/list-backends.ts';
import { resolveBackendSync } from '../../src/backends/registry.ts';
import { createWasmBackend, wasmSupport, type WasmBackend } from '../../src/backends/wasm/wasm-backend.ts';
import { peekIdleWasmBackend, POOL_MEMORY_LIMIT, takeIdleWasmBackend, wasmPoolStats } from '../../src/backends/wasm/wasm-pool.ts';
import type { WebGPUBackend } from '../../src/backends/webgpu/webgpu-backend.ts';
import { curveFit, curveFitSync } from '../../src/curve-fit.ts';
import { fit } from '../../src/fit.ts';
import { leastSquares, leastSquaresSync } from '../../src/least-squares.ts';
import { model } from '../../src/model/model.ts';
import { arraySource } from '../../src/sources/data-source.ts';
import { nodeWebGPUBackend } from '../backends/webgpu/node-device.ts';

const RUNS = 20;
const n = 240;
const x = Float64Array.from({ length: n }, (_, i) => (4 * i) / n);
const sigma = Float64Array.from(x, (_, i) => 0.05 + 0.01 * (i % 3));
const y = Float64Array.from(x, (t, i) => 2.5 * Math.exp(-0.9 * t) + 0.4 + sigma[i]! * Math.sin(577 * i));
const seed = model('a*exp(-b*x) + c');
const closure = (t: number, a: number, b: number, c: number): number => a * Math.exp(-b * t) + c;
const p0 = [1, 1, 0];
const rosenbrock = (p: Float64Array): number[] => [10 * (p[1]! - p[0]! ** 2), 1 - p[0]!];
const covariance = Array.from({ length: 40 }, (_, i) => Array.from({ length: 40 }, (_, j) => (i === j ? 0.01 : 0.002 * Math.exp(-Math.abs(i - j)))));
const support = await wasmSupport();

/** Builds whose idle instance a path takes from the pool and hands back. */
type Builds = readonly ('simd' | 'scalar')[];

/**
 * Run `path` once to fill the pool, then RUNS times, checking after each run that no load is
 * outstanding and that every build's pooled instance is the same one, idle, within the limit.
 */
async function proveLifecycle(path: () => unknown, builds: Builds): Promise<void> {
  const loads = outstandingBackendLoads(); // 0 unless an earlier test leaked (which that test reports)
  await path();
  const pooled = builds.map((b) => peekIdleWasmBackend(b === 'simd'));
  pooled.forEach((instance) => expect(instance).toBeDefined());
  const before = wasmPoolStats();
  for (let i = 0; i < RUNS; i++) {
    await path();
    expect(outstandingBackendLoads()).toBe(loads);
    builds.forEach((b, j) => {
      const instance = peekIdleWasmBackend(b === 'simd');
      expect(instance).toBe(pooled[j]); // handed back, and handed out again next time
      expect(instance!.isIdle(POOL_MEMORY_LIMIT)).toBe(true); // heap back to the backend's own scratch
    });
  }
  const after = wasmPoolStats();
  expect(after.missed - before.missed).toBe(0);
  expect(after.dropped - before.dropped).toBe(0);
  expect(after.reused - before.reused).toBeGreaterThanOrEqual(builds.length > 0 ? RUNS : 0);
}

/** Run `path` RUNS times on the caller's instance: it stays idle and never enters the pool. */
async function proveCallerInstance(mine: WasmBackend, path: () => unknown): Promise<void> {
  const before = wasmPoolStats();
  const loads = outstandingBackendLoads();
  for (let i = 0; i < RUNS; i++) {
    await path();
    expect(mine.isIdle(Infinity)).toBe(true);
    expect(outstandingBackendLoads()).toBe(loads);
  }
  const after = wasmPoolStats();
  expect(after.kept - before.kept).toBe(0);
  expect(after.dropped - before.dropped).toBe(0);
}

describe.skipIf(!support.simd || !support.scalar)('every run path releases its backends and frees its workspaces', () => {
  it('curveFit: expression model on wasm-simd, closure on wasm-scalar, covariance sigma, and the automatic choice', async () => {
    await proveLifecycle(() => curveFit(seed, x, y, { p0, sigma, backend: 'wasm-simd' }), ['simd']);
    await proveLifecycle(() => curveFit(closure, x, y, { p0, backend: 'wasm-scalar', method: 'trf', loss: 'soft_l1' }), ['scalar']);
    await proveLifecycle(() => curveFit(seed, x.subarray(0, 40), y.subarray(0, 40), { p0, sigma: covariance, backend: 'wasm' }), ['simd']);
    // The automatic choice (a covariance sigma keeps this fit off the small-fit fast path).
    await proveLifecycle(() => curveFit(seed, x.subarray(0, 40), y.subarray(0, 40), { p0, sigma: covariance }), ['simd']);
    // The fast path (src/batch/fast-fit.ts) leases nothing: it runs on its own process-wide instance.
    await proveLifecycle(() => curveFit(seed, x, y, { p0 }), []);
  });

  it('curveFit that fails (not finite at p0, aborted) still frees everything', async () => {
    const bad = (t: number, a: number): number => (t > 2 ? Math.log(a - 5) : a);
    await proveLifecycle(() => expect(curveFit(bad, x, y, { p0: [1], backend: 'wasm-simd' })).rejects.toThrow(ModelEvaluationError), ['simd']);
    const aborted = AbortSignal.abort();
    await proveLifecycle(() => expect(curveFit(seed, x, y, { p0, backend: 'wasm-simd', signal: aborted })).rejects.toThrow(AbortError), ['simd']);
  });

  it('curveFitSync and leastSquaresSync on the CPU backend release it', async () => {
    await proveLifecycle(() => curveFitSync(seed, x, y, { p0, sigma }), []);
    await proveLifecycle(() => leastSquaresSync(rosenbrock, [-1.2, 1]), []);
  });

  it('leastSquares on wasm', async () => {
    await proveLifecycle(() => leastSquares(rosenbrock, [-1.2, 1], { backend: 'wasm' }), ['simd']);
  });

  it('fit: standard, chunked and streaming over arrays, named and automatic', async () => {
    await proveLifecycle(() => fit(seed, x, y, { p0, sigma, backend: 'wasm-simd', workflow: 'standard' }), ['simd']);
    await proveLifecycle(() => fit(seed, x, y, { p0, sigma, backend: 'wasm-simd', workflow: 'chunked', chunkSize: 50 }), ['simd']);
    await proveLifecycle(() => fit(seed, x, y, { p0, backend: 'wasm-simd', workflow: 'streaming', chunkSize: 60, warmup: false }), ['simd']);
    await proveLifecycle(() => fit(seed, x, y, { p0, workflow: 'chunked', chunkSize: 80 }), ['simd', 'scalar']); // the plan probes every backend
  });

  it('fit from a source: re-readable (with the statistics pass) and one-pass', async () => {
    await proveLifecycle(() => fit(seed, arraySource({ x, y }, 70), { p0, backend: 'wasm-simd', warmup: false }), ['simd']);
    const onePass = async function* () {
      for (let i = 0; i < n; i += 80) yield { x: x.subarray(i, i + 80), y: y.subarray(i, i + 80) };
    };
    await proveLifecycle(() => fit(closure, onePass(), { p0, backend: 'wasm-scalar', warmup: false }), ['scalar']);
  });

  it('fits on the caller’s own wasm instance leave it idle and never pool it', async () => {
    const mine = (await createWasmBackend()) as WasmBackend;
    await proveCallerInstance(mine, () => curveFit(seed, x, y, { p0, backend: mine }));
    await proveCallerInstance(mine, () => curveFitSync(seed, x, y, { p0, sigma, backend: mine }));
    await proveCallerInstance(mine, () => curveFitSync(closure, x, y, { p0, backend: mine }));
    await proveCallerInstance(mine, () => leastSquaresSync(rosenbrock, [-1.2, 1], { backend: mine }));
    await proveCallerInstance(mine, () => fit(seed, x, y, { p0, backend: mine, workflow: 'streaming', chunkSize: 60, warmup: false }));
  });

  it('the registry’s synchronous fallback releases the backends it probed for its message', () => {
    const loads = outstandingBackendLoads();
    for (let i = 0; i < RUNS; i++) {
      expect(() => resolveBackendSync('webgpu', { closures: true, synchronous: true }, { caller: 'curveFitSync' })).toThrow(BackendUnavailableError);
      expect(outstandingBackendLoads()).toBe(loads);
    }
  });

  it('leaves nothing outstanding once every path above has run', () => {
    expect(outstandingBackendLoads()).toBe(0);
  });

  it('a pooled instance is handed out once: a fit that holds it makes the next fit instantiate another', async () => {
    while (takeIdleWasmBackend(true) !== undefined);
    await curveFit(seed, x, y, { p0, backend: 'wasm-simd' });
    const loads = outstandingBackendLoads();
    const before = wasmPoolStats();
    const [a, b] = await Promise.all([curveFit(seed, x, y, { p0, backend: 'wasm-simd' }), curveFit(seed, x, y, { p0, backend: 'wasm-simd' })]);
    expect([a.reason, b.reason].filter((r) => /an idle instance reused/.test(r))).toHaveLength(1);
    expect(a.popt).toEqual(b.popt);
    expect(outstandingBackendLoads()).toBe(loads);
    const after = wasmPoolStats();
    expect([after.reused - before.reused, after.missed - before.missed]).toEqual([1, 1]);
    expect([after.kept - before.kept, after.dropped - before.dropped]).toEqual([1, 1]); // one per build is kept
    expect(peekIdleWasmBackend(true)!.isIdle(POOL_MEMORY_LIMIT)).toBe(true);
  });
});

const gpu = (await nodeWebGPUBackend()) as { backend: WebGPUBackend | null; reason: string };

describe.skipIf(gpu.backend === null || !support.simd)(`the WebGPU polish path${gpu.backend === null ? ` — skipped: ${gpu.reason}` : ''}`, () => {
  const device = gpu.backend!;

  it('releases its f64 backend and frees its problem and model kernel, polished or not', async () => {
    await proveLifecycle(() => curveFit(seed, x, y, { p0, sigma, method: 'trf', backend: device }), ['simd']);
    await proveLifecycle(() => curveFit(seed, x, y, { p0, sigma, method: 'trf', backend: device, polish: false }), ['simd']);
  });

  it('the streaming strategy swaps the device for a host backend and releases it', async () => {
    await proveLifecycle(() => fit(seed, x, y, { p0, backend: device, workflow: 'streaming', chunkSize: 60, warmup: false }), ['simd']);
    await proveLifecycle(() => fit(seed, arraySource({ x, y }, 70), { p0, backend: device, warmup: false }), ['simd']);
    device.destroy();
  });
});
