/**
 * A type guard core code can import statically (it pulls in no WGSL and no device code): tell a
 * WebGPU backend instance, whose real work is `createDeviceProblem`, from the host backends.
 *
 * @module
 */
import type { Backend } from '../backend.ts';
import type { WebGPUBackend } from './webgpu-backend.ts';

/**
 * True when `backend` is a {@link WebGPUBackend}: family `'webgpu'` and a `createDeviceProblem`
 * method. The fit layer then evaluates on the device (`lowerToProgram(model)` →
 * `backend.createDeviceProblem({ program, data: { x, y, w: 1/σ or null }, loss, fScale })`)
 * instead of walking host blocks.
 *
 * @param backend - any backend.
 * @returns whether it is a WebGPU backend.
 */
export function isWebGPUBackend(backend: Backend): backend is WebGPUBackend {
  return backend.info.family === 'webgpu' && typeof (backend as Partial<WebGPUBackend>).createDeviceProblem === 'function';
}
