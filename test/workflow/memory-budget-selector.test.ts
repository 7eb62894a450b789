import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import type { BackendInfo } from '../../src/backends/backend.ts';
import { BackendUnavailableError, NlsqRangeError } from '../../src/errors.ts';
import {
  backendCapacity,
  computeBatchSize,
  computeChunkSize,
  MemoryBudgetSelector,
  STRATEGY_RANK,
} from '../../src/workflow/memory-budget-selector.ts';
import type { ModelKind, Selection } from '../../src/workflow/memory-budget-selector.ts';
import { validateBudgetInput } from '../../src/workflow/memory-budget.ts';
import { backendsArb, cpuInfo, gpuInfo, softwareGpuInfo, wasmInfo } from '../support/fake-backends.ts';

const selector = new MemoryBudgetSelector();

describe('MemoryBudgetSelector: NLSQ’s decision tree', () => {
  it('picks standard, chunked and streaming for 1.2M points and 3 parameters at 16, 0.2 and 0.01 GB', () => {
    const pick = (m: number) => selector.select({ nPoints: 1_200_000, nParams: 3, memoryLimitGb: m });
    expect(pick(16)).toMatchObject({ strategy: 'standard', config: null, backend: null });
    expect(pick(0.2)).toMatchObject({ strategy: 'chunked', config: { chunkSize: 1_000_000, minChunkSize: 1000, maxChunkSize: 1_000_000 } });
    expect(pick(0.01)).toMatchObject({ strategy: 'streaming', config: { batchSize: 100_663 } });
  });

  it('sizes the streaming batch as ⌊0.5 · threshold · 2^30 / (16 + 8p)⌋ = 100,663 for 0.01 GB and 3 parameters', () => {
    expect(computeBatchSize(0.01 * 0.75, 3)).toBe(Math.floor((0.5 * 0.0075 * 1024 ** 3) / 40));
    expect(computeBatchSize(0.0075, 3)).toBe(100_663);
  });

  it('sizes chunks as ⌊0.75 · threshold · 2^30 / (16 + 8p)⌋, clamped to [1,000, 1,000,000]', () => {
    expect(computeChunkSize(0.0375, 5)).toBe(539_267);
    expect(computeChunkSize(1000, 5)).toBe(1_000_000);
    expect(computeChunkSize(1e-6, 5)).toBe(1_000);
    expect(computeBatchSize(7.5e-6, 5)).toBe(1_000); // 71 before clamping
    const s = selector.select({ nPoints: 100_000, nParams: 5, memoryLimitGb: 0.05 });
    expect(s).toMatchObject({ strategy: 'chunked', config: { chunkSize: 539_267 } });
  });

  it('streams only once the data exceeds the threshold (data equal to it still fits)', () => {
    const exact = new MemoryBudgetSelector({ safetyFactor: 1 });
    // 2^26 points, 1 feature: data = 2^26 · 2 · 8 bytes = 1 GB exactly; peak = 1 + 1.3 · 0.5 + 0.1.
    expect(exact.select({ nPoints: 2 ** 26, nParams: 1, memoryLimitGb: 1 }).strategy).toBe('chunked');
    expect(exact.select({ nPoints: 2 ** 26, nParams: 1, memoryLimitGb: 1 - 1e-9 }).strategy).toBe('streaming');
  });

  it('chunks once the peak exceeds 90% of the threshold (not at 100%)', () => {
    const exact = new MemoryBudgetSelector({ safetyFactor: 1 });
    const peak = 1 + 1.3 * 0.5 + 0.1;
    expect(exact.select({ nPoints: 2 ** 26, nParams: 1, memoryLimitGb: (peak / 0.9) * (1 + 1e-9) }).strategy).toBe('standard');
    expect(exact.select({ nPoints: 2 ** 26, nParams: 1, memoryLimitGb: (peak / 0.9) * (1 - 1e-9) }).strategy).toBe('chunked');
    expect(exact.select({ nPoints: 2 ** 26, nParams: 1, memoryLimitGb: peak }).strategy).toBe('chunked');
  });

  it('explains its choice in one sentence with the numbers', () => {
    const s = selector.select({ nPoints: 50_000_000, nParams: 5, memoryLimitGb: 4 });
    expect(s.reason).toBe(
      'peak 3.27 GB exceeds 2.70 GB, 90% of the 3.00 GB threshold (memory limit 4 GB × 0.75): chunked, 1,000,000 points per chunk',
    );
    const t = selector.select({ nPoints: 1_200_000, nParams: 3, memoryLimitGb: 0.01 });
    expect(t.reason).toBe('data 0.018 GB exceeds the 0.0075 GB threshold (memory limit 0.01 GB × 0.75): streaming, batches of 100,663 points');
  });

  it('rejects a safety factor outside (0, 1] and an unknown model kind', () => {
    expect(() => new MemoryBudgetSelector({ safetyFactor: 0 })).toThrow(NlsqRangeError);
    expect(() => new MemoryBudgetSelector({ safetyFactor: 1.01 })).toThrow(/safetyFactor must be in \(0, 1\], got 1.01/);
    expect(() => selector.select({ nPoints: 10, nParams: 1, modelKind: 'shader' as ModelKind })).toThrow(/modelKind must be 'closure' or 'expression', got "shader"/);
    expect(() => selector.select({ nPoints: 0, nParams: 1 })).toThrow(/^MemoryBudgetSelector\.select: nPoints must be a positive integer, got 0$/);
  });
});

describe('MemoryBudgetSelector: backends', () => {
  const all = [cpuInfo, wasmInfo, gpuInfo, softwareGpuInfo];

  it('runs closure models on the fastest backend that runs closures, never on webgpu', () => {
    const s = selector.select({ nPoints: 10_000, nParams: 3, memoryLimitGb: 16, backends: all, modelKind: 'closure' });
    expect(s.backend?.name).toBe('wasm-simd');
    expect(s.reason).toMatch(/on wasm-simd \(fastest available that runs closure models; .*webgpu runs expression models only/);
  });

  it('runs expression models on hardware webgpu when it is there', () => {
    const s = selector.select({ nPoints: 10_000, nParams: 3, memoryLimitGb: 16, backends: all, modelKind: 'expression' });
    expect(s).toMatchObject({ strategy: 'standard', backend: { name: 'webgpu' } });
  });

  it('never chooses a software adapter automatically, however fast it claims to be', () => {
    const s = selector.select({ nPoints: 10_000, nParams: 3, memoryLimitGb: 16, backends: [softwareGpuInfo, cpuInfo], modelKind: 'expression' });
    expect(s.backend?.name).toBe('cpu');
    expect(s.reason).toMatch(/webgpu-software is a software adapter, never chosen automatically/);
  });

  it('chunks on wasm when the data fits host memory but not the 4 GiB wasm32 memory', () => {
    // 100M points, 5 params: peak 6.4 GB fits a 64 GB host; wasm holds ⌊0.75 · 4 GiB / 64 B⌋ points.
    const s = selector.select({ nPoints: 100_000_000, nParams: 5, memoryLimitGb: 64, backends: [cpuInfo, wasmInfo] });
    expect(s).toMatchObject({ strategy: 'chunked', backend: { name: 'wasm-simd' }, config: { chunkSize: 1_000_000 } });
    expect(s.reason).toContain('but wasm-simd holds at most 50,331,648 points at once (0.75 × wasm-simd\'s 4 GiB memory)');
  });

  it('caps chunks so one block fits the backend’s largest buffer', () => {
    const small: BackendInfo = { ...gpuInfo, maxBufferBytes: 1024 ** 2 };
    const s = selector.select({ nPoints: 5_000_000, nParams: 5, memoryLimitGb: 64, backends: [cpuInfo, small], modelKind: 'expression' });
    // f32 rows of 6 values: ⌊2^20 / 24⌋ = 43,690 rows.
    expect(s).toMatchObject({ strategy: 'chunked', backend: { name: 'webgpu' }, config: { chunkSize: 43_690 } });
    const streaming = selector.select({ nPoints: 50_000_000, nParams: 5, memoryLimitGb: 0.5, backends: [small], modelKind: 'expression' });
    expect(streaming).toMatchObject({ strategy: 'streaming', config: { batchSize: 43_690 } });
    expect(streaming.reason).toContain("(capped so a block fits webgpu's 1 MiB buffer limit)");
  });

  it('falls back to the next backend when a faster one cannot hold even a 1,000-point chunk', () => {
    const tiny: BackendInfo = { ...gpuInfo, maxBufferBytes: 16 * 1024 };
    const s = selector.select({ nPoints: 5_000_000, nParams: 5, memoryLimitGb: 64, backends: [cpuInfo, tiny, wasmInfo], modelKind: 'expression' });
    expect(s.backend?.name).toBe('wasm-simd');
    expect(s.reason).toMatch(/fastest available that can hold it; webgpu cannot hold 1,000 points at once \(webgpu's 16 KiB buffer limit\)/);
  });

  it('keeps to synchronous backends for a synchronous fit', () => {
    const asyncWasm: BackendInfo = { ...wasmInfo, synchronous: false };
    const s = selector.select({ nPoints: 1000, nParams: 2, memoryLimitGb: 8, backends: [asyncWasm, cpuInfo], synchronous: true });
    expect(s.backend?.name).toBe('cpu');
  });

  it('throws BackendUnavailableError when no backend may run the model automatically', () => {
    const run = () => selector.select({ nPoints: 1000, nParams: 2, memoryLimitGb: 8, backends: [gpuInfo, softwareGpuInfo], modelKind: 'closure' });
    expect(run).toThrow(BackendUnavailableError);
    expect(run).toThrow(/no backend can run this fit automatically \(available: webgpu, webgpu-software\): webgpu runs expression models only; webgpu-software is a software adapter/);
  });
});

// ---- properties -------------------------------------------------------------------------------

const kindArb = fc.constantFrom<ModelKind>('closure', 'expression');
const rank = (s: Selection) => STRATEGY_RANK[s.strategy];

describe('MemoryBudgetSelector: invariants', () => {
  test.prop([fc.integer({ min: 1, max: 2e9 }), fc.integer({ min: 1, max: 2e9 }), fc.integer({ min: 1, max: 30 }), fc.double({ min: 0.001, max: 512, noNaN: true }), backendsArb, kindArb], { numRuns: 200 })(
    'never picks a lower strategy for more points',
    (n1, n2, p, limit, backends, modelKind) => {
      const [lo, hi] = n1 <= n2 ? [n1, n2] : [n2, n1];
      const a = selector.select({ nPoints: lo, nParams: p, memoryLimitGb: limit, backends, modelKind });
      const b = selector.select({ nPoints: hi, nParams: p, memoryLimitGb: limit, backends, modelKind });
      expect(rank(b)).toBeGreaterThanOrEqual(rank(a));
    },
  );

  test.prop([fc.integer({ min: 1, max: 2e9 }), fc.integer({ min: 1, max: 30 }), fc.double({ min: 0.001, max: 512, noNaN: true }), fc.double({ min: 0.001, max: 512, noNaN: true }), backendsArb, kindArb], { numRuns: 200 })(
    'never picks a lower strategy for less memory',
    (n, p, m1, m2, backends, modelKind) => {
      const [less, more] = m1 <= m2 ? [m1, m2] : [m2, m1];
      const a = selector.select({ nPoints: n, nParams: p, memoryLimitGb: less, backends, modelKind });
      const b = selector.select({ nPoints: n, nParams: p, memoryLimitGb: more, backends, modelKind });
      expect(rank(a)).toBeGreaterThanOrEqual(rank(b));
    },
  );

  test.prop([fc.integer({ min: 1, max: 2e9 }), fc.integer({ min: 1, max: 30 }), fc.double({ min: 0.001, max: 512, noNaN: true }), backendsArb, kindArb], { numRuns: 300 })(
    'never runs a closure on a backend without closures, never picks a software adapter, and fits every block',
    (n, p, limit, backends, modelKind) => {
      const s = selector.select({ nPoints: n, nParams: p, memoryLimitGb: limit, backends, modelKind });
      const info = s.backend!;
      expect(info.software).toBe(false);
      if (modelKind === 'closure') expect(info.runsClosures).toBe(true);
      const size = s.config === null ? n : 'chunkSize' in s.config ? s.config.chunkSize : s.config.batchSize;
      const { maxRows } = backendCapacity(info, validateBudgetInput('t', { nPoints: n, nParams: p, memoryLimitGb: limit }));
      expect(size).toBeLessThanOrEqual(maxRows);
      expect(size).toBeGreaterThanOrEqual(Math.min(1000, n));
      const faster = backends.filter((b) => b.speedClass > info.speedClass && !b.software && (modelKind === 'expression' || b.runsClosures));
      for (const b of faster) {
        const cap = backendCapacity(b, validateBudgetInput('t', { nPoints: n, nParams: p, memoryLimitGb: limit })).maxRows;
        expect(cap).toBeLessThan(Math.min(1000, n)); // a faster eligible backend was passed over only if it cannot hold a chunk
      }
    },
  );
});
