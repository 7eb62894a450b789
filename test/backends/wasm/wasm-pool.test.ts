import { describe, expect, it } from 'vitest';
import { createWasmBackend, type WasmBackend } from '../../../src/backends/wasm/wasm-backend.ts';
import { peekIdleWasmBackend, POOL_MEMORY_LIMIT, returnWasmBackend, takeIdleWasmBackend, wasmPoolStats } from '../../../src/backends/wasm/wasm-pool.ts';
import { curveFit } from '../../../src/curve-fit.ts';
import { leastSquares } from '../../../src/least-squares.ts';
import { model } from '../../../src/model/model.ts';
import { fit } from '../../../src/fit.ts';

const fresh = async (simd = true) => (await createWasmBackend({ simd })) as WasmBackend;

function drain(): void {
  while (takeIdleWasmBackend(true) !== undefined);
  while (takeIdleWasmBackend(false) !== undefined);
}

describe('wasm backend pool', () => {
  it('keeps one idle backend per build, hands it out once, and refuses a second of the same build', async () => {
    drain();
    const a = await fresh();
    const b = await fresh();
    const s = await fresh(false);
    expect(returnWasmBackend(a)).toBe(true);
    expect(returnWasmBackend(b)).toBe(false);
    expect(returnWasmBackend(s)).toBe(true);
    expect(takeIdleWasmBackend(true)).toBe(a);
    expect(takeIdleWasmBackend(true)).toBeUndefined();
    expect(takeIdleWasmBackend(false)).toBe(s);
  });

  it('refuses a backend that still holds a workspace, or whose memory grew past the limit', async () => {
    drain();
    const busy = await fresh();
    const ws = busy.createWorkspace(16, 4);
    expect(busy.isIdle(POOL_MEMORY_LIMIT)).toBe(false);
    expect(returnWasmBackend(busy)).toBe(false);
    busy.releaseWorkspace(ws);
    expect(busy.isIdle(POOL_MEMORY_LIMIT)).toBe(true);
    const grown = await fresh();
    grown.releaseWorkspace(grown.createWorkspace(POOL_MEMORY_LIMIT / 32, 4)); // 64 MiB: memory now exceeds the limit
    expect(grown.isIdle(POOL_MEMORY_LIMIT)).toBe(false);
    expect(returnWasmBackend(grown)).toBe(false);
    expect(takeIdleWasmBackend(true)).toBeUndefined();
  });

  it('gets back an idle backend after curveFit, fit and leastSquares by name (nothing left allocated), and the next fit reuses it', async () => {
    drain();
    const x = Float64Array.from({ length: 5000 }, (_, i) => i / 1000);
    const y = Float64Array.from(x, (t) => 2 * Math.exp(-0.7 * t) + 0.1);
    const m = model('a*exp(-b*x) + c');
    const first = await curveFit(m, x, y, { p0: [1, 1, 0], backend: 'wasm-simd' });
    expect(first.reason).toMatch(/instantiated/);
    const pooled = takeIdleWasmBackend(true);
    expect(pooled).toBeDefined();
    expect(returnWasmBackend(pooled!)).toBe(true);
    const second = await curveFit(m, x, y, { p0: [1, 1, 0], backend: 'wasm-simd' });
    expect(second.reason).toMatch(/an idle instance reused/);
    expect(second.popt).toEqual(first.popt);
    await fit(m, x, y, { p0: [1, 1, 0], backend: 'wasm-simd', workflow: 'chunked', chunkSize: 1000 });
    expect(takeIdleWasmBackend(true)).toBeDefined();
    await leastSquares((p) => [p[0]! - 1, 10 * (p[1]! - p[0]! ** 2)], [0, 0], { backend: 'wasm-simd' });
    expect(takeIdleWasmBackend(true)).toBeDefined();
  });

  it('counts what it does (reused, missed, kept, dropped), and peeking takes nothing', async () => {
    drain();
    const a = await fresh();
    const b = await fresh();
    const before = wasmPoolStats();
    expect(takeIdleWasmBackend(true)).toBeUndefined();
    expect(returnWasmBackend(a)).toBe(true);
    expect(returnWasmBackend(b)).toBe(false);
    expect(peekIdleWasmBackend(true)).toBe(a);
    expect(peekIdleWasmBackend(true)).toBe(a);
    expect(takeIdleWasmBackend(true)).toBe(a);
    expect(peekIdleWasmBackend(true)).toBeUndefined();
    const after = wasmPoolStats();
    expect([after.reused - before.reused, after.missed - before.missed, after.kept - before.kept, after.dropped - before.dropped]).toEqual([1, 1, 1, 1]);
  });

  it('never pools a backend the caller passed in', async () => {
    drain();
    const mine = await fresh();
    const x = Float64Array.from({ length: 100 }, (_, i) => i / 10);
    const y = Float64Array.from(x, (t) => 3 * t + 1);
    await curveFit(model('a*x + b'), x, y, { p0: [1, 0], backend: mine });
    expect(takeIdleWasmBackend(true)).toBeUndefined();
  });
});

describe('a loaded wasm backend’s release', () => {
  it('pools the instance once: a second release cannot hand it out while another fit holds it', async () => {
    drain();
    const { loadBackend } = await import('../../../src/backends/list-backends.ts');
    const first = await loadBackend('wasm-simd');
    if (!first.ok) throw new Error(first.reason);
    first.release!();
    const second = await loadBackend('wasm-simd');
    if (!second.ok) throw new Error(second.reason);
    expect(second.backend).toBe(first.backend);
    expect(second.reason).toMatch(/an idle instance reused/);
    first.release!(); // a stray second release while `second` holds it
    expect(takeIdleWasmBackend(true)).toBeUndefined();
    second.release!();
    expect(takeIdleWasmBackend(true)).toBe(first.backend);
  });
});

describe('fits on a caller’s wasm instance', () => {
  it('leave nothing allocated in it (async and sync)', async () => {
    const { curveFitSync } = await import('../../../src/curve-fit.ts');
    const mine = await fresh();
    const x = Float64Array.from({ length: 3000 }, (_, i) => i / 300);
    const y = Float64Array.from(x, (t) => 2 * Math.exp(-0.4 * t) + 0.3);
    const m = model('a*exp(-b*x) + c');
    await curveFit(m, x, y, { p0: [1, 1, 0], backend: mine });
    curveFitSync(m, x, y, { p0: [1, 1, 0], backend: mine });
    curveFitSync((t, a, b, c) => a * Math.exp(-b * t) + c, x, y, { p0: [1, 1, 0], backend: mine });
    expect(mine.isIdle(Infinity)).toBe(true);
  });
});
