/**
 * What a WebGPU model evaluator needs from its backend — the device, its pipeline cache and
 * layouts, its limits and its loss state — and the error handling every device call shares:
 * racing work against device loss and turning error scopes into {@link NlsqError}s.
 *
 * @module
 */
import { NlsqError } from '../../errors.ts';
import type { DeviceLostError } from './device-lost-error.ts';
import type { PipelineCache } from './pipeline-cache.ts';

/** What a device evaluator needs from its backend. */
export interface DeviceContext {
  /** The device everything is allocated on. */
  readonly device: GPUDevice;
  /** The backend's pipeline cache. */
  readonly cache: PipelineCache;
  /** Pipeline layout shared by every Gram kernel (one bind group, four bindings). */
  readonly pipelineLayout: GPUPipelineLayout;
  /** The bind group layout: 0 uniform cfg, 1 uniform θ, 2 read-only data, 3 partials. */
  readonly bindGroupLayout: GPUBindGroupLayout;
  /** `maxStorageBufferBindingSize` of the device. */
  readonly maxBindingBytes: number;
  /** `maxBufferSize` of the device. */
  readonly maxBufferBytes: number;
  /** `maxComputeWorkgroupsPerDimension` of the device. */
  readonly maxWorkgroups: number;
  /** `minStorageBufferOffsetAlignment` of the device, in bytes. */
  readonly offsetAlignment: number;
  /** The loss error, once the device is lost (null before). */
  lostError(): DeviceLostError | null;
  /** Resolves with the loss error when the device is lost. */
  readonly lost: Promise<DeviceLostError>;
}

/**
 * Await `work`, rejecting instead with the loss error if the device is lost first.
 *
 * @param ctx - the device context.
 * @param work - the pending device work.
 * @returns what `work` resolves to.
 */
export function raceLoss<T>(ctx: DeviceContext, work: Promise<T>): Promise<T> {
  return Promise.race([work, ctx.lost.then((e) => Promise.reject(e))]);
}

/**
 * The loss error if the device is lost now or within a short grace period (100 ms): loss is
 * reported asynchronously, after the failure it causes.
 *
 * @param ctx - the device context.
 * @returns the loss error, or null when the device is still alive.
 */
export function lostSoon(ctx: DeviceContext): Promise<DeviceLostError | null> {
  const now = ctx.lostError();
  if (now !== null) return Promise.resolve(now);
  return Promise.race([ctx.lost, new Promise<null>((resolve) => setTimeout(() => resolve(null), 100))]);
}

/**
 * Pop the two error scopes pushed as `validation` then `out-of-memory`, and throw the first error.
 *
 * @param device - the device whose scopes were pushed.
 * @param caller - the public function name for the message.
 * @throws NlsqError (`ERR_BACKEND_UNAVAILABLE`, argument `'backend'`) carrying the device's message.
 */
export async function popScopes(device: GPUDevice, caller: string): Promise<void> {
  const oom = await device.popErrorScope();
  const validation = await device.popErrorScope();
  const err = oom ?? validation;
  if (err !== null) throw new NlsqError(`${caller}: the WebGPU device reported an error: ${err.message}`, 'ERR_BACKEND_UNAVAILABLE', 'backend');
}
