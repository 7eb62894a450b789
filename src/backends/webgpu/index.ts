/**
 * The WebGPU backend's public surface, loaded lazily by the registry (`await import(...)`), so a
 * CPU-only user never loads WGSL generators.
 *
 * @module
 */
export { createWebGPUBackend } from './webgpu-backend.ts';
export type { WebGPUBackend, WebGPUBackendOptions } from './webgpu-backend.ts';
export type { DeviceProblem, DeviceProblemOptions } from './device-problem.ts';
export type { DeviceData } from './data-layout.ts';
export type { DeviceLoss } from './gram-partials.wgsl.ts';
export { assertWebGPUModel } from './assert-model.ts';
export { isWebGPUBackend } from './is-webgpu-backend.ts';
export { DeviceLostError } from './device-lost-error.ts';
export { isSoftwareAdapter } from './adapter-info.ts';
export type { AdapterInfoLike } from './adapter-info.ts';
export { PipelineCache } from './pipeline-cache.ts';
export type { ComputePipelineRequest, CompileMessage } from './pipeline-cache.ts';
