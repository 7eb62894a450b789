import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { BackendUnavailableError, NlsqRangeError } from '../../src/errors.ts';
import { MemoryBudgetSelector } from '../../src/workflow/memory-budget-selector.ts';
import { buildPlan } from '../../src/workflow/plan.ts';
import type { Workflow } from '../../src/workflow/plan.ts';
import { DEFAULT_BLOCK_ROWS } from '../../src/workflow/block-rows.ts';
import { backendsArb, cpuInfo, gpuInfo, softwareGpuInfo, wasmInfo } from '../support/fake-backends.ts';

const backends = [cpuInfo, wasmInfo, gpuInfo, softwareGpuInfo];

describe('buildPlan', () => {
  it('agrees with the selector when everything is left to auto', () => {
    const plan = buildPlan({ nPoints: 1_200_000, nParams: 3, memoryLimitGb: 0.2, backends: [cpuInfo] });
    const sel = new MemoryBudgetSelector().select({ nPoints: 1_200_000, nParams: 3, memoryLimitGb: 0.2, backends: [cpuInfo] });
    expect(plan).toMatchObject({ strategy: 'chunked', backend: 'cpu', chunkSize: 1_000_000, batchSize: null, blockRows: 1_000_000, reason: sel.reason });
    expect(plan.given).toEqual({ workflow: null, backend: null, chunkSize: null, memoryLimitGb: 0.2 });
    expect(plan.used).toMatchObject({ workflow: 'chunked', backend: 'cpu', chunkSize: 1_000_000, memoryGb: 0.2, memoryFrom: 'memoryLimitGb', safetyFactor: 0.75 });
  });

  it('keeps all points resident for the standard strategy', () => {
    const plan = buildPlan({ nPoints: 1000, nParams: 3, memoryLimitGb: 8, backends });
    expect(plan).toMatchObject({ strategy: 'standard', backend: 'wasm-simd', chunkSize: 1000, batchSize: null, blockRows: 1000 });
  });

  it('decides the block height of the data walk once: the chunk when chunked, else cache-sized blocks capped at n', () => {
    const standard = buildPlan({ nPoints: 50_000, nParams: 3, memoryLimitGb: 16, backends: [cpuInfo] });
    expect(standard).toMatchObject({ strategy: 'standard', chunkSize: 50_000, blockRows: DEFAULT_BLOCK_ROWS, used: { blockRows: DEFAULT_BLOCK_ROWS } });
    const chunked = buildPlan({ nPoints: 50_000, nParams: 3, memoryLimitGb: 16, chunkSize: 5000, backends: [cpuInfo] });
    expect(chunked).toMatchObject({ strategy: 'chunked', blockRows: 5000, used: { blockRows: 5000 } });
    const streaming = buildPlan({ nPoints: 1_200_000, nParams: 3, memoryLimitGb: 0.01, backends: [cpuInfo] });
    expect(streaming).toMatchObject({ strategy: 'streaming', blockRows: DEFAULT_BLOCK_ROWS });
  });

  it('streams in NLSQ-sized batches', () => {
    const plan = buildPlan({ nPoints: 1_200_000, nParams: 3, memoryLimitGb: 0.01, backends: [cpuInfo] });
    expect(plan).toMatchObject({ strategy: 'streaming', chunkSize: 100_663, batchSize: 100_663 });
  });

  it('lets an explicit workflow win and says what auto would have chosen', () => {
    const plan = buildPlan({ workflow: 'chunked', nPoints: 50_000, nParams: 3, memoryLimitGb: 16, backends: [cpuInfo] });
    expect(plan).toMatchObject({ strategy: 'chunked', given: { workflow: 'chunked' }, used: { workflow: 'chunked' } });
    expect(plan.reason).toMatch(/^workflow 'chunked' given by the caller \(auto would choose standard: peak 0\.10 GB is within .*\): chunked, 1,000,000 points per chunk, on cpu/);
    const streaming = buildPlan({ workflow: 'streaming', nPoints: 50_000, nParams: 3, memoryLimitGb: 16, backends: [cpuInfo] });
    expect(streaming).toMatchObject({ strategy: 'streaming', batchSize: 1_000_000 });
    const standard = buildPlan({ workflow: 'standard', nPoints: 50_000_000, nParams: 5, memoryLimitGb: 4, backends: [cpuInfo] });
    expect(standard).toMatchObject({ strategy: 'standard', chunkSize: 50_000_000 });
    expect(standard.reason).toContain('auto would choose chunked');
  });

  it('lets an explicit chunkSize win, turning an auto standard into chunked', () => {
    const plan = buildPlan({ nPoints: 50_000, nParams: 3, memoryLimitGb: 16, chunkSize: 5000, backends: [cpuInfo] });
    expect(plan).toMatchObject({ strategy: 'chunked', chunkSize: 5000, given: { chunkSize: 5000 }, used: { chunkSize: 5000 } });
    expect(plan.reason).toContain('5,000 points per chunk (chunkSize given by the caller)');
    const whole = buildPlan({ nPoints: 4000, nParams: 3, memoryLimitGb: 16, chunkSize: 5000, backends: [cpuInfo] });
    expect(whole).toMatchObject({ strategy: 'standard', chunkSize: 4000 });
    const batch = buildPlan({ nPoints: 1_200_000, nParams: 3, memoryLimitGb: 0.01, chunkSize: 2048, backends: [cpuInfo] });
    expect(batch).toMatchObject({ strategy: 'streaming', chunkSize: 2048, batchSize: 2048 });
  });

  it('lets an explicit backend win, even a software adapter', () => {
    const plan = buildPlan({ nPoints: 1000, nParams: 3, memoryLimitGb: 8, backends, backendGiven: 'cpu' });
    expect(plan).toMatchObject({ backend: 'cpu', given: { backend: 'cpu' } });
    expect(plan.reason).toMatch(/on cpu \(given by the caller\)$/);
    const sw = buildPlan({ nPoints: 1000, nParams: 3, memoryLimitGb: 8, backends, backendGiven: 'webgpu-software', modelKind: 'expression' });
    expect(sw.backend).toBe('webgpu-software');
  });

  it('refuses a named backend that is absent or cannot run the model', () => {
    expect(() => buildPlan({ nPoints: 1000, nParams: 3, backends: [cpuInfo], backendGiven: 'webgpu' })).toThrow(
      "buildPlan: backend 'webgpu' is not available here; available: 'cpu'",
    );
    expect(() => buildPlan({ nPoints: 1000, nParams: 3, backends, backendGiven: 'webgpu', modelKind: 'closure' })).toThrow(BackendUnavailableError);
    expect(() => buildPlan({ nPoints: 1000, nParams: 3, backends, backendGiven: 'webgpu', modelKind: 'expression', synchronous: true })).toThrow(/asynchronous/);
  });

  it('refuses what would fail mid-fit: standard beyond a buffer, a chunk larger than the backend holds', () => {
    expect(() => buildPlan({ workflow: 'standard', nPoints: 20_000_000, nParams: 5, memoryLimitGb: 64, backends: [gpuInfo], modelKind: 'expression' })).toThrow(
      /cannot hold all 20,000,000 points at once \(at most 11,184,810: webgpu's 256 MiB buffer limit\)/,
    );
    expect(() => buildPlan({ workflow: 'chunked', chunkSize: 20_000_000, nPoints: 50_000_000, nParams: 5, memoryLimitGb: 64, backends: [gpuInfo], backendGiven: 'webgpu', modelKind: 'expression' })).toThrow(
      /the given backend cannot run this fit: webgpu cannot hold the given chunkSize 20,000,000/,
    );
  });

  it('moves to a backend that can hold a forced standard block', () => {
    const plan = buildPlan({ workflow: 'standard', nPoints: 20_000_000, nParams: 5, memoryLimitGb: 64, backends: [gpuInfo, cpuInfo], modelKind: 'expression' });
    expect(plan.backend).toBe('cpu');
  });

  it('rejects invalid options with messages naming the argument', () => {
    const base = { nPoints: 1000, nParams: 3, backends: [cpuInfo] };
    expect(() => buildPlan({ ...base, workflow: 'fast' as Workflow })).toThrow(/^buildPlan: workflow must be one of 'auto', 'standard', 'chunked', 'streaming', got "fast"$/);
    expect(() => buildPlan({ ...base, chunkSize: 0 })).toThrow(/chunkSize must be a positive integer, got 0/);
    expect(() => buildPlan({ ...base, chunkSize: 10.5 })).toThrow(NlsqRangeError);
    expect(() => buildPlan({ ...base, workflow: 'standard', chunkSize: 100 })).toThrow(/chunkSize is used by the 'chunked' and 'streaming' workflows only/);
    expect(() => buildPlan({ ...base, backends: [] })).toThrow(/backends must list at least one available backend/);
    expect(() => buildPlan({ ...base, memoryLimitGb: -2 })).toThrow(/^buildPlan: memoryLimitGb must be a positive finite number of GB, got -2$/);
  });

  test.prop([fc.integer({ min: 1, max: 1e9 }), fc.integer({ min: 1, max: 20 }), fc.double({ min: 0.001, max: 256, noNaN: true }), fc.constantFrom<Workflow>('auto', 'chunked', 'streaming'), fc.option(fc.integer({ min: 1000, max: 1e6 }), { nil: undefined })], { numRuns: 150 })(
    'uses what was given and records it',
    (n, p, limit, workflow, chunkSize) => {
      const plan = buildPlan({ workflow, nPoints: n, nParams: p, memoryLimitGb: limit, chunkSize, backends: [cpuInfo, wasmInfo] });
      if (workflow !== 'auto') expect(plan.strategy).toBe(workflow);
      if (chunkSize !== undefined && plan.strategy !== 'standard') expect(plan.chunkSize).toBe(chunkSize);
      expect(plan.used.chunkSize).toBe(plan.chunkSize);
      expect(plan.given).toEqual({ workflow, backend: null, chunkSize: chunkSize ?? null, memoryLimitGb: limit });
      expect(plan.batchSize === null).toBe(plan.strategy !== 'streaming');
    },
  );

  test.prop([fc.integer({ min: 1, max: 1e9 }), fc.integer({ min: 1, max: 20 }), fc.double({ min: 0.001, max: 256, noNaN: true }), backendsArb, fc.constantFrom('closure', 'expression' as const), fc.boolean()], { numRuns: 150 })(
    'chooses automatically only backends that run the model, are not software, and are synchronous when asked',
    (n, p, limit, list, modelKind, synchronous) => {
      const plan = buildPlan({ nPoints: n, nParams: p, memoryLimitGb: limit, backends: list, modelKind, synchronous });
      const candidates = list.filter((b) => b.name === plan.backend);
      expect(candidates.some((b) => !b.software && (modelKind === 'expression' || b.runsClosures) && (!synchronous || b.synchronous))).toBe(true);
    },
  );
});

describe('buildPlan: the worker count', () => {
  it('is the main thread when workers are not asked for', () => {
    const plan = buildPlan({ nPoints: 1e7, nParams: 3, memoryLimitGb: 16, backends: [wasmInfo] });
    expect(plan.workers).toMatchObject({ workers: 0, used: 'main thread', given: 'default' });
  });

  it("'auto' on a big fit: one worker per core, shares of the rows (standard) or chunks (streaming)", () => {
    const standard = buildPlan({ nPoints: 1e7, nParams: 3, memoryLimitGb: 16, backends: [wasmInfo], backendGiven: wasmInfo.name, workers: { given: 'auto', cores: 4, blocked: null } });
    expect(standard.strategy).toBe('standard');
    expect(standard.workers).toMatchObject({ workers: 4, used: `4 workers × ${wasmInfo.name}` });
    expect(standard.workers.reason).toMatch(/one worker per core \(4 here\)/);
    const streamed = buildPlan({ workflow: 'streaming', nPoints: 1e7, nParams: 3, memoryLimitGb: 16, backends: [wasmInfo], workers: { given: 2, cores: 4, blocked: null } });
    expect(streamed.workers.reason).toMatch(/each folds the chunks of a pass as they are read \(bounded queue\), merged in chunk order/);
    const source = buildPlan({ workflow: 'streaming', nPoints: 1000, nParams: 3, memoryLimitGb: 16, backends: [wasmInfo], workers: { given: 'auto', cores: 4, blocked: null, nPoints: null } });
    expect(source.workers).toMatchObject({ workers: 4 });
  });

  it('keeps a fit off workers on a backend other than wasm, or when the caller says why', () => {
    const cpu = buildPlan({ nPoints: 1e7, nParams: 3, memoryLimitGb: 16, backends: [cpuInfo], workers: { given: 2, cores: 4, blocked: null } });
    expect(cpu.workers).toMatchObject({ workers: 0, reason: `the fit cannot run on workers: workers run the WebAssembly engine, and this fit runs on ${cpuInfo.name}` });
    const closure = buildPlan({ nPoints: 1e7, nParams: 3, memoryLimitGb: 16, backends: [wasmInfo], workers: { given: 2, cores: 4, blocked: 'a loss function cannot cross to a worker' } });
    expect(closure.workers.reason).toBe('the fit cannot run on workers: a loss function cannot cross to a worker');
  });
});
