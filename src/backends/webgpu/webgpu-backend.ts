/**
 * The WebGPU backend: expression models evaluated as fused WGSL kernels on device-resident data,
 * with per-workgroup f32 partials of the augmented Gram matrix combined in f64 on the host.
 *
 * A GPU only pays when the model runs on it, so the backend's real work is the optional
 * {@link Backend} member `createModelEvaluator` (`webgpu-evaluator.ts`): upload x, y, w once, then
 * per evaluation upload θ and read back a few hundred partial sums (`gram-partials.wgsl.ts`,
 * `gram-combine.ts`). The fit path uses it because the member is there (`run/device-fit.ts`).
 * For many small fits, the optional member `createBatchSolver` (`webgpu-batch-solver.ts`) runs
 * each fit's whole Levenberg–Marquardt loop in one workgroup (`fitBatch`, `batch/device-engine.ts`).
 *
 * Every other member of the {@link Backend} interface (`createWorkspace`, `releaseWorkspace`,
 * `foldRows`, `mergeTriangles`, `gram`, `sumSquares`, `dot`, `maxAbs`) is *delegated*, unchanged,
 * to the f64 CPU backend on the host: no N-sized block ever goes to the device, since shipping
 * rows there would cost more than folding them. `info.hostDelegated` lists them, and their results
 * are bit-identical to the CPU backend's. (No fit path calls them on this backend today: device
 * fits go through the evaluator, streaming fits are swapped to a host backend; they keep the
 * backend usable wherever a `Backend` is taken.)
 *
 * Precision: `info.precision` is `'f32'` (ε = 2⁻²³): it describes `createModelEvaluator`, whose
 * N-sized arithmetic is f32 on the device (contract in `../model-evaluator.ts`); the fit path
 * polishes the last iterations on an f64 backend. The delegated members are f64.
 *
 * This module never imports a WebGPU implementation: browsers and Deno provide `navigator.gpu`;
 * in Node the caller passes `gpu` (e.g. `create(['backend=opengles'])` from the `webgpu`
 * package). The registry loads it lazily with `await import(...)`.
 *
 * @module
 */
import { BLOCK_MEMBERS, type Backend, type BackendInfo } from '../backend.ts';
import { createCpuBackend } from '../cpu/cpu-backend.ts';
import { BackendUnavailableError } from '../../errors.ts';
import { type AdapterInfoLike, describeAdapter, isSoftwareAdapter } from './adapter-info.ts';
import type { DeviceContext } from './device-context.ts';
import { type WebGPUEvaluatorRequest, type WebGPUModelEvaluator, createWebGPUEvaluator } from './webgpu-evaluator.ts';
import type { BatchSolverRequest, DeviceBatchSolver } from '../batch-solver.ts';
import { createWebGPUBatchSolver, type WebGPUBatchSolverOptions } from './webgpu-batch-solver.ts';
import { DeviceLostError } from './device-lost-error.ts';
import { PipelineCache } from './pipeline-cache.ts';

/** `GPUShaderStage.COMPUTE`. */
const STAGE_COMPUTE = 4;

/** Options of {@link createWebGPUBackend}. */
export interface WebGPUBackendOptions {
  /** The WebGPU entry point (`navigator.gpu` when omitted; required in Node). */
  readonly gpu?: GPU;
  /** An adapter to use (skips `requestAdapter`). */
  readonly adapter?: GPUAdapter;
  /** A device to use (skips adapter and device requests; its limits are taken as they are). */
  readonly device?: GPUDevice;
  /** Passed to `requestAdapter`. */
  readonly powerPreference?: GPUPowerPreference;
  /**
   * Accept a software (CPU-emulated) adapter. Default false: a software adapter is then an error,
   * since it is slower than the CPU backends (use it for correctness tests only).
   */
  readonly allowSoftware?: boolean;
}

/** The WebGPU backend: a {@link Backend} whose `createModelEvaluator` runs on the device. */
export interface WebGPUBackend extends Backend {
  /** The device. */
  readonly device: GPUDevice;
  /** A one-line description of the adapter. */
  readonly adapterDescription: string;
  /** The pipeline cache of this device. */
  readonly pipelines: PipelineCache;
  /**
   * Upload data and compile the fused kernels of an expression model's IR; the returned evaluator
   * runs on the device (see `webgpu-evaluator.ts`). Always present on this backend.
   */
  createModelEvaluator(request: WebGPUEvaluatorRequest): Promise<WebGPUModelEvaluator>;
  /**
   * Compile the whole-loop batch kernel of an expression model (`webgpu-batch-solver.ts`): one
   * workgroup per fit, every Levenberg–Marquardt iteration on the device. Always present on this
   * backend; `fitBatch` uses it (`batch/device-engine.ts`).
   */
  createBatchSolver(request: BatchSolverRequest & WebGPUBatchSolverOptions): Promise<DeviceBatchSolver>;
  /** Resolves with a {@link DeviceLostError} when the device is lost. */
  readonly lost: Promise<DeviceLostError>;
  /** Destroy the device (only when the backend created it). */
  destroy(): void;
}

/** Find an adapter: core feature level first, then compatibility (OpenGL ES backends). */
async function requestAdapter(gpu: GPU, powerPreference: GPUPowerPreference | undefined): Promise<GPUAdapter | null> {
  const base: GPURequestAdapterOptions = powerPreference === undefined ? {} : { powerPreference };
  const core = await gpu.requestAdapter(base);
  if (core !== null) return core;
  return gpu.requestAdapter({ ...base, featureLevel: 'compatibility' } as GPURequestAdapterOptions);
}

/** The limits the kernels need, at the adapter's maximum for buffer sizes. */
function requiredLimits(adapter: GPUAdapter): Record<string, number> {
  const l = adapter.limits;
  return {
    maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
    maxBufferSize: l.maxBufferSize,
    maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
  };
}

/** A device with what it came from (kept referenced: some native bindings free the instance on GC). */
interface Obtained {
  readonly device: GPUDevice;
  readonly info: AdapterInfoLike | undefined;
  readonly owned: boolean;
  readonly keepAlive: readonly unknown[];
}

async function obtainDevice(options: WebGPUBackendOptions): Promise<Obtained> {
  if (options.device !== undefined) {
    const info = (options.device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo ?? options.adapter?.info;
    return { device: options.device, info, owned: false, keepAlive: [options.gpu, options.adapter] };
  }
  let gpu: GPU | undefined;
  let adapter = options.adapter ?? null;
  if (adapter === null) {
    gpu = options.gpu ?? (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
    if (gpu === undefined) {
      throw new BackendUnavailableError(
        "createWebGPUBackend: WebGPU is not available in this runtime (navigator.gpu is undefined); in Node pass { gpu } from the 'webgpu' package, or use backend 'cpu' or 'wasm'",
      );
    }
    adapter = await requestAdapter(gpu, options.powerPreference);
    if (adapter === null) throw new BackendUnavailableError('createWebGPUBackend: requestAdapter() returned no adapter; use backend \'cpu\' or \'wasm\'');
  }
  const info = adapter.info;
  if (isSoftwareAdapter(info) && options.allowSoftware !== true) {
    throw new BackendUnavailableError(
      `createWebGPUBackend: the adapter is a software renderer (${describeAdapter(info)}), slower than the CPU backends; pass allowSoftware: true to use it anyway`,
    );
  }
  const device = await adapter.requestDevice({ label: 'nlsq', requiredLimits: requiredLimits(adapter) });
  return { device, info, owned: true, keepAlive: [gpu ?? options.gpu, adapter] };
}

function makeInfo(device: GPUDevice, software: boolean): BackendInfo {
  const l = device.limits;
  return Object.freeze({
    name: 'webgpu',
    family: 'webgpu',
    precision: 'f32',
    epsilon: 2 ** -23,
    synchronous: false,
    maxBufferBytes: l.maxStorageBufferBindingSize,
    // WebGPU does not expose device memory; estimate four of the largest buffers.
    memoryBytes: 4 * l.maxBufferSize,
    speedClass: software ? 0.5 : 4,
    software,
    runsClosures: false,
    hostDelegated: BLOCK_MEMBERS,
  });
}

function makeLayouts(device: GPUDevice): { bindGroupLayout: GPUBindGroupLayout; pipelineLayout: GPUPipelineLayout } {
  const bindGroupLayout = device.createBindGroupLayout({
    label: 'nlsq-gram-bind-group-layout',
    entries: [
      { binding: 0, visibility: STAGE_COMPUTE, buffer: { type: 'uniform' } },
      { binding: 1, visibility: STAGE_COMPUTE, buffer: { type: 'uniform' } },
      { binding: 2, visibility: STAGE_COMPUTE, buffer: { type: 'read-only-storage' } },
      { binding: 3, visibility: STAGE_COMPUTE, buffer: { type: 'storage' } },
    ],
  });
  const pipelineLayout = device.createPipelineLayout({ label: 'nlsq-gram-pipeline-layout', bindGroupLayouts: [bindGroupLayout] });
  return { bindGroupLayout, pipelineLayout };
}

/**
 * Create the WebGPU backend.
 *
 * Requests an adapter (core, else compatibility feature level) and a device with the adapter's
 * largest `maxStorageBufferBindingSize` and `maxBufferSize`, unless `adapter` or `device` is
 * given. A software adapter (`isFallbackAdapter`, or SwiftShader / llvmpipe / lavapipe / WARP in
 * its info) is refused unless `allowSoftware` is set, and reported as `info.software = true`
 * with `speedClass` 0.5 (hardware: 4).
 *
 * @param options - where the device comes from, and whether software adapters are acceptable.
 * @returns the backend; its `info.precision` is `'f32'` (the device evaluator's), and
 *   `info.hostDelegated` lists the members that run on the host in f64.
 * @throws BackendUnavailableError when there is no WebGPU, no adapter, or only a software adapter
 *   without `allowSoftware`.
 * @example
 * ```ts
 * // Node: import { create } from 'webgpu'
 * const backend = await createWebGPUBackend({ gpu: create([]) });
 * const evaluator = await backend.createModelEvaluator({ program: lowerToProgram(model('a*exp(-b*x)')), data: { x: [x], y, w: null } });
 * const ev = await evaluator.evaluate(Float64Array.of(1, 0.5), true); // { cost, m, T }
 * evaluator.destroy();
 * ```
 */
export async function createWebGPUBackend(options: WebGPUBackendOptions = {}): Promise<WebGPUBackend> {
  const { device, info: adapterInfo, owned, keepAlive } = await obtainDevice(options);
  const software = isSoftwareAdapter(adapterInfo);
  const info = makeInfo(device, software);
  let lostError: DeviceLostError | null = null;
  const lost = device.lost.then((li) => {
    lostError = new DeviceLostError('webgpu', li.reason ?? 'unknown', li.message ?? '');
    return lostError;
  });
  const cache = new PipelineCache(device);
  const layouts = makeLayouts(device);
  const l = device.limits;
  const ctx: DeviceContext = {
    device,
    cache,
    ...layouts,
    maxBindingBytes: l.maxStorageBufferBindingSize,
    maxBufferBytes: l.maxBufferSize,
    maxWorkgroups: l.maxComputeWorkgroupsPerDimension,
    offsetAlignment: l.minStorageBufferOffsetAlignment,
    lostError: () => lostError,
    lost,
  };
  const host = createCpuBackend();
  return {
    info,
    device,
    adapterDescription: describeAdapter(adapterInfo),
    pipelines: cache,
    lost,
    createModelEvaluator: (request) => createWebGPUEvaluator(ctx, request),
    createBatchSolver: (request) => createWebGPUBatchSolver(ctx, request, request),
    destroy: () => {
      if (owned) device.destroy();
      void keepAlive; // the GPU instance and adapter live as long as the backend
    },
    // delegated to the f64 CPU kernels on the host (info.hostDelegated)
    createWorkspace: (capacity, cols) => host.createWorkspace(capacity, cols),
    releaseWorkspace: (ws) => host.releaseWorkspace(ws),
    foldRows: (T, ws, rows) => host.foldRows(T, ws, rows),
    mergeTriangles: (T, S, cols) => host.mergeTriangles(T, S, cols),
    gram: (G, ws, rows) => host.gram(G, ws, rows),
    sumSquares: (a, offset, n, stride) => host.sumSquares(a, offset, n, stride),
    dot: (a, b, offset, n) => host.dot(a, b, offset, n),
    maxAbs: (a, offset, n) => host.maxAbs(a, offset, n),
  };
}
