/**
 * Test helper: a WebGPU backend in Node through the optional `webgpu` package on its OpenGL ES
 * path (llvmpipe here), or the reason there is none. Software adapters are allowed explicitly.
 */
import { createWebGPUBackend, type WebGPUBackend } from '../../../src/backends/webgpu/webgpu-backend.ts';

/** Create a GPU entry point from the `webgpu` package, or return the reason it is unavailable. */
export async function nodeGpu(): Promise<{ gpu: GPU | null; reason: string }> {
  process.env['EGL_PLATFORM'] ??= 'surfaceless';
  try {
    const mod = (await import('webgpu')) as unknown as { create: (flags: string[]) => GPU };
    return { gpu: mod.create(['backend=opengles']), reason: '' };
  } catch (err) {
    return { gpu: null, reason: `the 'webgpu' package could not be loaded: ${String(err)}` };
  }
}

/** A software-allowed WebGPU backend for tests, or null with the reason. */
export async function nodeWebGPUBackend(): Promise<{ backend: WebGPUBackend | null; reason: string }> {
  const { gpu, reason } = await nodeGpu();
  if (gpu === null) return { backend: null, reason };
  try {
    return { backend: await createWebGPUBackend({ gpu, allowSoftware: true }), reason: '' };
  } catch (err) {
    return { backend: null, reason: `no WebGPU adapter in Node: ${String(err)}` };
  }
}
