import { describe, expect, it } from 'vitest';
import { createWebGPUBackend } from '../../../src/backends/webgpu/webgpu-backend.ts';
import { BLOCK_MEMBERS } from '../../../src/backends/backend.ts';
import { createCpuBackend } from '../../../src/backends/cpu/cpu-backend.ts';
import { BackendUnavailableError } from '../../../src/errors.ts';
import { nodeGpu, nodeWebGPUBackend } from './node-device.ts';

/** A GPU entry point whose only adapter is the given stand-in. */
function gpuWith(adapter: GPUAdapter | null): GPU {
  return { requestAdapter: async () => adapter } as unknown as GPU;
}

describe('createWebGPUBackend', () => {
  it('says WebGPU is unavailable when there is no navigator.gpu and no gpu option', async () => {
    const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
    if (nav?.gpu !== undefined) return; // a runtime with WebGPU: nothing to check
    const err = await createWebGPUBackend().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as Error).message).toMatch(/^createWebGPUBackend: WebGPU is not available in this runtime \(navigator.gpu is undefined\)/);
  });

  it('says so when requestAdapter finds no adapter', async () => {
    await expect(createWebGPUBackend({ gpu: gpuWith(null) })).rejects.toThrow(
      "createWebGPUBackend: requestAdapter() returned no adapter; use backend 'cpu' or 'wasm'",
    );
  });

  it('refuses a software adapter unless allowSoftware is set, before requesting a device', async () => {
    let requested = false;
    const adapter = {
      info: { vendor: 'google', architecture: 'swiftshader', device: '', description: '', isFallbackAdapter: false },
      limits: {},
      requestDevice: async () => {
        requested = true;
        throw new Error('unreachable');
      },
    } as unknown as GPUAdapter;
    const err = await createWebGPUBackend({ gpu: gpuWith(adapter) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as Error).message).toBe(
      'createWebGPUBackend: the adapter is a software renderer (google swiftshader), slower than the CPU backends; pass allowSoftware: true to use it anyway',
    );
    expect(requested).toBe(false);
  });
});

const { gpu, reason } = await nodeGpu();
const probe = gpu === null ? null : await nodeWebGPUBackend();
const available = probe?.backend ?? null;
if (available === null) console.log(`WebGPU backend tests on a real adapter skipped: ${probe?.reason ?? reason}`);
available?.destroy();

describe.skipIf(available === null)('createWebGPUBackend on the Node adapter', () => {
  it('runs the generic Backend members on the host with the f64 CPU kernels, and says so in info.hostDelegated', async () => {
    const { backend } = await nodeWebGPUBackend();
    expect(backend!.info.hostDelegated).toEqual(BLOCK_MEMBERS);
    expect(Object.isFrozen(backend!.info.hostDelegated)).toBe(true);
    const cpu = createCpuBackend();
    const rows = 7;
    const cols = 3;
    const A = Float64Array.from({ length: rows * cols }, (_, i) => Math.cos(i * 1.3));
    const fold = (b: typeof cpu) => {
      const ws = b.createWorkspace(rows, cols);
      ws.data().set(A);
      const T = new Float64Array(cols * cols);
      b.foldRows(T, ws, rows);
      b.releaseWorkspace(ws);
      return T;
    };
    expect(fold(backend!)).toEqual(fold(cpu));
    expect(backend!.sumSquares(A, 0, A.length)).toBe(cpu.sumSquares(A, 0, A.length));
    expect(backend!.dot(A, A, 2, 10)).toBe(cpu.dot(A, A, 2, 10));
    expect(backend!.maxAbs(A, 0, A.length)).toBe(cpu.maxAbs(A, 0, A.length));
    backend!.destroy();
  });

  it('accepts a device created by the caller and does not destroy it', async () => {
    const adapter = await gpu!.requestAdapter({ featureLevel: 'compatibility' } as GPURequestAdapterOptions);
    const device = await adapter!.requestDevice();
    const backend = await createWebGPUBackend({ device, adapter: adapter! });
    expect(backend.info.software).toBe(true);
    backend.destroy();
    const lost = await Promise.race([device.lost.then(() => 'lost'), new Promise((r) => setTimeout(() => r('alive'), 200))]);
    expect(lost).toBe('alive');
    device.destroy();
  });
});
