import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import type { Backend, BackendInfo } from '../../src/backends/backend.ts';
import { createCpuBackend } from '../../src/backends/cpu/cpu-backend.ts';
import {
  BACKEND_NAMES,
  BACKEND_REQUEST_NAMES,
  listBackends,
  readRuntimeEnv,
  resolveBackend,
  resolveBackendSync,
} from '../../src/backends/registry.ts';
import type { BackendNeeds, BackendStatus } from '../../src/backends/registry.ts';
import { BackendUnavailableError, NlsqTypeError } from '../../src/errors.ts';
import { loadBackend, loadBackendSync, outstandingBackendLoads } from '../../src/backends/list-backends.ts';

const closureAsync: BackendNeeds = { closures: true, synchronous: false };
const expressionAsync: BackendNeeds = { closures: false, synchronous: false };
const closureSync: BackendNeeds = { closures: true, synchronous: true };
const noEnv = { env: (): undefined => undefined };
const envWith = (value: string) => ({ env: (name: string) => (name === 'NLSQ_BACKEND' ? value : undefined) });

/** A CPU backend dressed up with other capabilities (a stand-in for an instance the caller made). */
function fakeBackend(overrides: Partial<BackendInfo>): Backend {
  const cpu = createCpuBackend();
  return { ...cpu, info: { ...cpu.info, ...overrides } };
}

let statusesPromise: Promise<BackendStatus[]> | undefined;
function statuses(): Promise<BackendStatus[]> {
  statusesPromise ??= listBackends();
  return statusesPromise;
}
async function isAvailable(name: string): Promise<boolean> {
  return (await statuses()).some((s) => s.name === name && s.available);
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('listBackends', () => {
  it('reports every backend once, in catalogue order, each with a reason', async () => {
    const list = await statuses();
    expect(list.map((s) => s.name)).toEqual([...BACKEND_NAMES]);
    for (const s of list) {
      expect(s.reason.length).toBeGreaterThan(10);
      expect(s.available).toBe(s.info !== undefined);
      if (s.info) expect(s.info.name).toBe(s.name);
    }
  });

  it('always reports the CPU backend as available with f64 synchronous info', async () => {
    const cpu = (await statuses()).find((s) => s.name === 'cpu');
    expect(cpu?.available).toBe(true);
    expect(cpu?.info?.precision).toBe('f64');
    expect(cpu?.info?.synchronous).toBe(true);
  });

  it('reports the same catalogue when software adapters are excluded', async () => {
    const list = await listBackends({ allowSoftware: false });
    expect(list.map((s) => s.name)).toEqual([...BACKEND_NAMES]);
    expect(list.every((s) => !s.available || s.info?.software === false)).toBe(true);
  });

  it('reports WebGPU as unavailable where navigator.gpu is absent, saying so', async (ctx) => {
    if ((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu !== undefined) ctx.skip();
    const gpu = (await statuses()).find((s) => s.name === 'webgpu');
    expect(gpu?.available).toBe(false);
    expect(gpu?.reason).toMatch(/navigator\.gpu is absent/);
  });
});

describe('resolveBackend: explicit option', () => {
  it('returns a fresh CPU backend per call when cpu is named', async () => {
    const a = await resolveBackend('cpu', closureAsync, noEnv);
    const b = await resolveBackend('cpu', closureAsync, noEnv);
    expect(a.backend.info.name).toBe('cpu');
    expect(a.backend).not.toBe(b.backend);
    expect(a.given).toBe('cpu');
    expect(a.source).toBe('option');
    expect(a.reason).toMatch(/named by the backend option/);
  });

  it('returns the caller’s own instance unchanged', async () => {
    const mine = createCpuBackend();
    const r = await resolveBackend(mine, closureAsync, noEnv);
    expect(r.backend).toBe(mine);
    expect(resolveBackendSync(mine, closureSync, noEnv).backend).toBe(mine);
  });

  it('rejects an unknown name with the list of known names', async () => {
    const error = await caught(resolveBackend('cdu', closureAsync, noEnv));
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as Error).message).toMatch(/^curveFit: backend must name a backend \('cpu', 'wasm', .*\), got "cdu"$/);
  });

  it('names the calling function in its messages', async () => {
    const error = await caught(resolveBackend('gpu', closureAsync, { ...noEnv, caller: 'leastSquares' }));
    expect((error as Error).message).toMatch(/^leastSquares: /);
  });

  it('refuses WebGPU by name where it is unusable, listing what is available and why the rest is not', async (ctx) => {
    if (await isAvailable('webgpu')) ctx.skip();
    const error = await caught(resolveBackend('webgpu', expressionAsync, noEnv));
    expect(error).toBeInstanceOf(BackendUnavailableError);
    const message = (error as Error).message;
    expect(message).toMatch(/^curveFit: backend webgpu is not usable here; available: 'cpu'/);
    expect(message).toMatch(/\n {2}webgpu: navigator\.gpu is absent/);
  });

  it('refuses an instance that cannot run closures for a closure model, pointing to expression models', async () => {
    const gpu = fakeBackend({ name: 'webgpu', family: 'webgpu', runsClosures: false, synchronous: false });
    const error = await caught(resolveBackend(gpu, closureAsync, noEnv));
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as Error).message).toMatch(/webgpu cannot run JS closure models; use an expression model/);
    expect((await resolveBackend(gpu, expressionAsync, noEnv)).backend).toBe(gpu);
  });

  it('never releases an instance the caller owns, even when refusing it', async () => {
    let destroyed = 0;
    const gpu = { ...fakeBackend({ name: 'webgpu', runsClosures: false }), destroy: () => void destroyed++ };
    await caught(resolveBackend(gpu, closureAsync, noEnv));
    expect(() => resolveBackendSync(gpu, closureSync, noEnv)).toThrow(BackendUnavailableError);
    expect(destroyed).toBe(0);
  });

  it('falls through a list of instances to the first that can serve the fit', async () => {
    const gpu = fakeBackend({ name: 'webgpu', runsClosures: false });
    const cpu = createCpuBackend();
    const r = await resolveBackend([gpu, cpu], closureAsync, noEnv);
    expect(r.backend).toBe(cpu);
    expect(r.reason).toMatch(/skipped webgpu \(instance\): webgpu cannot run JS closure models/);
  });

  it('tries an ordered list and reports what it skipped', async (ctx) => {
    if (await isAvailable('webgpu')) ctx.skip();
    const r = await resolveBackend(['webgpu', 'cpu'], expressionAsync, noEnv);
    expect(r.backend.info.name).toBe('cpu');
    expect(r.given).toBe('[webgpu, cpu]');
    expect(r.reason).toMatch(/first usable of \[webgpu, cpu\].*skipped webgpu: navigator\.gpu is absent/);
  });

  it('rejects malformed options with a type error naming the argument', async () => {
    for (const bad of [3, {}, [], [42], null]) {
      const error = await caught(resolveBackend(bad as never, closureAsync, noEnv));
      expect(error).toBeInstanceOf(NlsqTypeError);
      expect((error as NlsqTypeError).argument).toBe('backend');
    }
  });

  it('resolves wasm to the SIMD build where SIMD loads, else the scalar build', async (ctx) => {
    const simd = await isAvailable('wasm-simd');
    const scalar = await isAvailable('wasm-scalar');
    if (!simd && !scalar) ctx.skip();
    const r = await resolveBackend('wasm', closureAsync, noEnv);
    expect(r.backend.info.name).toBe(simd ? 'wasm-simd' : 'wasm-scalar');
    expect(r.backend.info.family).toBe('wasm');
  });

  it('names each wasm build that loads here by its own name', async () => {
    for (const name of ['wasm-simd', 'wasm-scalar'] as const) {
      if (await isAvailable(name)) {
        expect((await resolveBackend(name, closureAsync, noEnv)).backend.info.name).toBe(name);
      } else {
        expect(await caught(resolveBackend(name, closureAsync, noEnv))).toBeInstanceOf(BackendUnavailableError);
      }
    }
  });
});

describe('resolveBackend: NLSQ_BACKEND and automatic choice', () => {
  it('uses NLSQ_BACKEND when the call names no backend', async () => {
    const r = await resolveBackend(undefined, closureAsync, envWith('cpu'));
    expect(r.backend.info.name).toBe('cpu');
    expect(r.source).toBe('environment');
    expect(r.given).toBe('NLSQ_BACKEND=cpu');
    expect(r.reason).toMatch(/named by NLSQ_BACKEND=cpu/);
  });

  it('lets the explicit option win over NLSQ_BACKEND', async () => {
    const r = await resolveBackend('cpu', closureAsync, envWith('webgpu'));
    expect(r.backend.info.name).toBe('cpu');
    expect(r.source).toBe('option');
  });

  it('rejects an unknown NLSQ_BACKEND value instead of falling back', async () => {
    const error = await caught(resolveBackend(undefined, closureAsync, envWith('fastest')));
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as Error).message).toMatch(/NLSQ_BACKEND=fastest must name a backend/);
  });

  it('accepts a comma-separated NLSQ_BACKEND list and ignores an empty one', async () => {
    const listed = await resolveBackend(undefined, closureAsync, envWith(' webgpu , cpu '));
    expect(listed.source).toBe('environment');
    expect(['cpu', 'webgpu']).toContain(listed.backend.info.name);
    const empty = await resolveBackend(undefined, closureAsync, envWith('  '));
    expect(empty.source).toBe('automatic');
  });

  it('chooses automatically the fastest backend that loads here and runs closures', async () => {
    const r = await resolveBackend(undefined, closureAsync, noEnv);
    const usable = (await statuses()).filter((s) => s.available && s.info?.runsClosures);
    const fastest = Math.max(...usable.map((s) => s.info?.speedClass ?? 0));
    expect(r.backend.info.speedClass).toBe(fastest);
    expect(r.backend.info.runsClosures).toBe(true);
    expect(r.source).toBe('automatic');
    expect(r.given).toBe('default');
    expect(r.reason).toMatch(/^automatic choice: /);
  });

  it('never picks a software WebGPU adapter automatically', async () => {
    const r = await resolveBackend(undefined, expressionAsync, noEnv);
    expect(r.backend.info.software).toBe(false);
  });

  it('reads NLSQ_BACKEND from process.env at call time', async () => {
    const before = process.env.NLSQ_BACKEND;
    try {
      process.env.NLSQ_BACKEND = 'cpu';
      expect(readRuntimeEnv('NLSQ_BACKEND')).toBe('cpu');
      expect((await resolveBackend(undefined, closureAsync)).given).toBe('NLSQ_BACKEND=cpu');
      process.env.NLSQ_BACKEND = 'nonsense';
      expect(await caught(resolveBackend(undefined, closureAsync))).toBeInstanceOf(BackendUnavailableError);
    } finally {
      if (before === undefined) delete process.env.NLSQ_BACKEND;
      else process.env.NLSQ_BACKEND = before;
    }
  });

  test.prop([fc.constantFrom(...BACKEND_REQUEST_NAMES), fc.boolean()], { numRuns: 20 })(
    'an explicit CPU option or instance always wins over any NLSQ_BACKEND value',
    async (envName, asInstance) => {
      const option = asInstance ? createCpuBackend() : 'cpu';
      const r = await resolveBackend(option, closureAsync, envWith(envName));
      expect(r.backend.info.name).toBe('cpu');
      expect(r.source).toBe('option');
      const s = resolveBackendSync(option, closureSync, envWith(envName));
      expect(s.backend.info.name).toBe('cpu');
    },
  );
});

describe('resolveBackendSync', () => {
  // Before WebAssembly is loaded in a process the CPU backend is the only synchronous choice:
  // test/backends/registry-sync-cold.test.ts covers that (this file loads wasm in listBackends).
  it('chooses the fastest backend that loads synchronously: wasm once its modules are loaded', async () => {
    const usable = new Set((await statuses()).filter((s) => s.available).map((s) => s.name as string));
    const expected = ['wasm-simd', 'wasm-scalar', 'cpu'].find((n) => usable.has(n));
    const r = resolveBackendSync(undefined, closureSync, noEnv);
    expect(r.backend.info.name).toBe(expected);
    expect(r.backend.info.synchronous).toBe(true);
    expect(r.source).toBe('automatic');
    r.release?.();
  });

  it('refuses an asynchronous instance', () => {
    const gpu = fakeBackend({ name: 'webgpu', synchronous: false, runsClosures: false });
    expect(() => resolveBackendSync(gpu, { closures: false, synchronous: true }, noEnv)).toThrow(
      /webgpu is asynchronous and cannot serve a synchronous fit/,
    );
  });

  it('follows an NLSQ_BACKEND list: its first backend that loads synchronously', async () => {
    const usable = new Set((await statuses()).filter((s) => s.available).map((s) => s.name as string));
    const r = resolveBackendSync(undefined, closureSync, envWith('wasm,cpu'));
    expect(r.backend.info.name).toBe(['wasm-simd', 'wasm-scalar', 'cpu'].find((n) => usable.has(n)));
    r.release?.();
    const s = resolveBackendSync(undefined, closureSync, envWith('webgpu,cpu'));
    expect(s.backend.info.name).toBe('cpu');
    expect(s.reason).toMatch(/skipped webgpu: .*asynchronously/);
  });

  it('releases the backends it loads only to list them in its error', () => {
    const before = outstandingBackendLoads();
    expect(() => resolveBackendSync('webgpu', closureSync, noEnv)).toThrow(/available: 'cpu'/);
    expect(outstandingBackendLoads()).toBe(before);
  });
});

describe('releasing what the loaders hand out', () => {
  it('every successful load carries a release, counted once however often it is called', async () => {
    const before = outstandingBackendLoads();
    const loads = [loadBackendSync('cpu'), await loadBackend('cpu'), await loadBackend('wasm-scalar')].filter((l) => l.ok);
    expect(outstandingBackendLoads()).toBe(before + loads.length);
    for (const load of loads) {
      if (!load.ok) continue;
      expect(load.release).toBeTypeOf('function');
      load.release!();
      load.release!();
    }
    expect(outstandingBackendLoads()).toBe(before);
  });

  it('resolveBackend, a refused candidate and listBackends leave nothing outstanding once released', async () => {
    const before = outstandingBackendLoads();
    const r = await resolveBackend(['wasm-scalar', 'cpu'], closureAsync, noEnv);
    expect(outstandingBackendLoads()).toBe(before + 1);
    r.release!();
    await listBackends();
    await caught(resolveBackend('webgpu', closureAsync, noEnv));
    expect(outstandingBackendLoads()).toBe(before);
  });
});

describe('ordered lists', () => {
  const names = fc.constantFrom(...BACKEND_REQUEST_NAMES);

  test.prop([fc.array(names, { minLength: 1, maxLength: 4 })], { numRuns: 25 })(
    'resolve to the first listed backend that loads here and runs the model, else an error',
    async (list) => {
      const usable = new Set((await statuses()).filter((s) => s.available && s.info?.runsClosures).map((s) => s.name as string));
      const concrete = list.flatMap((n) => (n === 'wasm' ? ['wasm-simd', 'wasm-scalar'] : [n]));
      const expected = concrete.find((n) => usable.has(n));
      if (expected === undefined) {
        expect(await caught(resolveBackend(list, closureAsync, noEnv))).toBeInstanceOf(BackendUnavailableError);
      } else {
        expect((await resolveBackend(list, closureAsync, noEnv)).backend.info.name).toBe(expected);
      }
    },
  );

  test.prop([fc.array(names, { minLength: 1, maxLength: 4 })], { numRuns: 50 })(
    'resolve synchronously to the first listed backend that loads synchronously (never webgpu), else an error',
    async (list) => {
      const usable = new Set((await statuses()).filter((s) => s.available && s.name !== 'webgpu').map((s) => s.name as string));
      const concrete = list.flatMap((n) => (n === 'wasm' ? ['wasm-simd', 'wasm-scalar'] : [n]));
      const expected = concrete.find((n) => usable.has(n));
      if (expected === undefined) expect(() => resolveBackendSync(list, closureSync, noEnv)).toThrow(BackendUnavailableError);
      else {
        const r = resolveBackendSync(list, closureSync, noEnv);
        expect(r.backend.info.name).toBe(expected);
        r.release?.();
      }
    },
  );
});
