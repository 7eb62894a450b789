import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backends/backend.ts';
import { outstandingBackendLoads } from '../../src/backends/list-backends.ts';
import type { ResolvedBackend } from '../../src/backends/registry.ts';
import { wasmSupport } from '../../src/backends/wasm/wasm-backend.ts';
import { model } from '../../src/model/model.ts';
import { resolveCurveFitOptions } from '../../src/options/resolve-curve-fit.ts';
import type { CurveFitOptions } from '../../src/options/types.ts';
import { withLease } from '../../src/run/backend-lease.ts';
import { hostBackendFor, planFit } from '../../src/run/plan-fit.ts';
import { gpuInfo } from '../support/fake-backends.ts';

const n = 500;
const x = Float64Array.from({ length: n }, (_, i) => i / 100);
const y = Float64Array.from(x, (t) => 2 * Math.exp(-0.5 * t) + 1);
const seed = model('a*exp(-b*x) + c');
const closure = (t: number, a: number, b: number, c: number): number => a * Math.exp(-b * t) + c;
const resolve = (options: CurveFitOptions = {}, f: typeof closure | typeof seed = seed) => resolveCurveFitOptions('fit', f, x, y, { p0: [1, 1, 0], ...options });
const support = await wasmSupport();

// The plan reads NLSQ_BACKEND as fit() does; these tests decide the backend themselves.
let saved: string | undefined;
beforeEach(() => {
  saved = process.env['NLSQ_BACKEND'];
  delete process.env['NLSQ_BACKEND'];
});
afterEach(() => {
  if (saved === undefined) delete process.env['NLSQ_BACKEND'];
  else process.env['NLSQ_BACKEND'] = saved;
});

describe('planFit', () => {
  it('plans on the backend the options name, and the lease releases it when the run ends', async () => {
    const before = outstandingBackendLoads();
    const { plan, backend } = await withLease(async (lease) => {
      const planned = await planFit(resolve({ backend: 'cpu' }), {}, undefined, lease);
      expect(outstandingBackendLoads()).toBe(before + 1);
      return planned;
    });
    expect(outstandingBackendLoads()).toBe(before);
    expect([plan.backend, plan.given.backend, plan.strategy]).toEqual(['cpu', 'cpu', 'standard']);
    expect([backend.backend.info.name, backend.given, backend.source]).toEqual(['cpu', 'cpu', 'option']);
  });

  it.skipIf(!support.simd)('chooses the fastest backend available here when none is named, and says so', async () => {
    const before = outstandingBackendLoads();
    const { plan, backend } = await withLease((lease) => planFit(resolve(), {}, 'auto', lease));
    expect(outstandingBackendLoads()).toBe(before);
    expect(plan.backend).toBe('wasm-simd');
    expect(plan.given.backend).toBeNull();
    expect(backend.backend.info.name).toBe('wasm-simd');
    expect([backend.given, backend.source]).toEqual(['default', 'automatic']);
    expect(backend.reason).toMatch(/^the workflow plan chose wasm-simd among the backends available here \(cpu, wasm-simd, wasm-scalar.*\)$/);
    expect(backend.release).toBeUndefined(); // the lease, not the caller, releases it
  });

  it('uses NLSQ_BACKEND like a named backend', async () => {
    process.env['NLSQ_BACKEND'] = 'cpu';
    const { plan, backend } = await withLease((lease) => planFit(resolve(), {}, undefined, lease));
    expect([plan.backend, backend.backend.info.name, backend.given]).toEqual(['cpu', 'cpu', 'NLSQ_BACKEND=cpu']);
  });

  it('plans the forced workflow with the chunk size given, for a closure model too', async () => {
    const chunked = await withLease((lease) => planFit(resolve({ backend: 'cpu' }, closure), { chunkSize: 128 }, 'chunked', lease));
    expect([chunked.plan.strategy, chunked.plan.chunkSize]).toEqual(['chunked', 128]);
    const streaming = await withLease((lease) => planFit(resolve({ backend: 'cpu' }), { chunkSize: 100 }, 'streaming', lease));
    expect([streaming.plan.strategy, streaming.plan.batchSize]).toEqual(['streaming', 100]);
  });

  it.skipIf(!support.scalar)('releases the named backend when the plan cannot be built', async () => {
    const before = outstandingBackendLoads();
    await expect(withLease((lease) => planFit(resolve({ backend: 'wasm' }), { chunkSize: 10 }, 'standard', lease))).rejects.toThrow(/chunkSize is used by the 'chunked' and 'streaming' workflows only/);
    expect(outstandingBackendLoads()).toBe(before);
  });
});

describe('hostBackendFor', () => {
  const cpuPlanned = (): Promise<ResolvedBackend> => withLease((lease) => planFit(resolve({ backend: 'cpu' }), {}, undefined, lease)).then((r) => r.backend);

  it('returns a host backend as it is, acquiring nothing', async () => {
    const planned = await cpuPlanned();
    const before = outstandingBackendLoads();
    const host = await withLease(async (lease) => {
      const h = await hostBackendFor(planned, lease);
      expect(outstandingBackendLoads()).toBe(before);
      return h;
    });
    expect(host).toBe(planned);
  });

  it.skipIf(!support.scalar)('swaps a WebGPU plan for an f64 host backend, says why, and the lease releases it', async () => {
    const gpu = { info: gpuInfo, createModelEvaluator: () => { throw new Error('not used'); } } as unknown as Backend;
    const planned: ResolvedBackend = { backend: gpu, given: 'webgpu', reason: 'named' };
    const before = outstandingBackendLoads();
    const host = await withLease(async (lease) => {
      const h = await hostBackendFor(planned, lease);
      expect(outstandingBackendLoads()).toBe(before + 1);
      return h;
    });
    expect(outstandingBackendLoads()).toBe(before);
    expect(host.backend.info.family).toBe('wasm');
    expect(host.given).toBe('webgpu');
    expect(host.reason).toBe(`streaming passes fold on the host, so ${host.backend.info.name} (f64) runs them instead of webgpu`);
  });
});
