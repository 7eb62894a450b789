/**
 * The WebGPU device evaluator: a {@link ResidualProblem} whose data stay resident on the device
 * for the whole fit and whose model runs as a fused WGSL kernel generated from the expression IR.
 *
 * Per evaluation only the parameter vector goes up (one small uniform write) and
 * `groups × E` f32 partial sums come back (E = (p+1)(p+2)/2, or 1 for a cost-only evaluation,
 * plus one for Σρ with a robust loss, which is applied per point on the device);
 * the host combines them in f64 and factors the augmented Gram matrix into T (`gram-combine.ts`).
 * Large data are split into chunks that respect `maxStorageBufferBindingSize` / `maxBufferSize`;
 * each chunk is one dispatch of the same pipeline within one compute pass and one submission.
 *
 * Evaluations are serialized (one staging buffer); a device loss rejects the pending and all later
 * evaluations with {@link DeviceLostError}.
 *
 * @module
 */
import { NlsqError, NlsqRangeError } from '../errors.ts';
import type { Program } from '../model/ir.ts';
import type { Evaluation, ResidualProblem } from '../optim/evaluation.ts';
import { type DeviceData, type ChunkSpan, packChunk, planChunks, validateDeviceData } from '../backends/webgpu/data-layout.ts';
import type { DeviceLostError } from '../backends/webgpu/device-lost-error.ts';
import { type PartialRegion, combinePartials, gramToTriangle } from '../backends/webgpu/gram-combine.ts';
import {
  DEFAULT_POINTS_PER_THREAD,
  DEVICE_LOSSES,
  type DeviceLoss,
  type GramKernel,
  generateGramKernel,
  triangleEntries,
  workgroupsFor,
} from '../backends/webgpu/gram-partials.wgsl.ts';
import type { PipelineCache } from '../backends/webgpu/pipeline-cache.ts';

/** `GPUBufferUsage` / `GPUMapMode` bits (numeric, so no global WebGPU constants are needed). */
const USAGE = { MAP_READ: 1, COPY_SRC: 4, COPY_DST: 8, UNIFORM: 64, STORAGE: 128 } as const;
const MAP_MODE_READ = 1;

/** What a device problem needs from its backend. */
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

/** Options of `backend.createDeviceProblem`. */
export interface DeviceProblemOptions {
  /** The model's IR (`lowerToProgram(model)`). */
  readonly program: Program;
  /** The data: k x columns, y, and weights 1/σ or null. Copied to the device once. */
  readonly data: DeviceData;
  /**
   * The loss: `'linear'` (default) or one of SciPy's robust losses `'soft_l1'`, `'huber'`,
   * `'cauchy'`, `'arctan'`, applied per point on the device (a JS loss function cannot run there).
   */
  readonly loss?: DeviceLoss;
  /** The loss scale C (SciPy `f_scale`), > 0; default 1. */
  readonly fScale?: number;
  /** Cap on points per device chunk (default: as many as the binding limits allow). */
  readonly maxPointsPerChunk?: number;
  /** Target points per invocation before the tree reduction (default 16). */
  readonly pointsPerThread?: number;
}

/** A device-resident residual problem. */
export interface DeviceProblem extends ResidualProblem {
  /** Number of residuals m. */
  readonly m: number;
  /** Number of device chunks (dispatches per evaluation). */
  readonly chunks: number;
  /** Evaluate ½‖r‖² and, when `jacobian`, the triangle T, at x. */
  evaluate(x: Float64Array, jacobian: boolean): Promise<Evaluation>;
  /**
   * Run the kernel at x and return the raw f32 workgroup partials (all chunks, in order,
   * `entries` floats each), for determinism checks and diagnostics.
   */
  readPartials(x: Float64Array, jacobian: boolean): Promise<Float32Array>;
  /** Release the device buffers; later evaluations throw. */
  destroy(): void;
}

/** One kernel variant (Jacobian or cost only) with its bind groups and read-back layout. */
interface Variant {
  readonly kernel: GramKernel;
  readonly pipeline: GPUComputePipeline;
  readonly bindGroups: GPUBindGroup[];
  readonly regions: PartialRegion[];
  readonly usedBytes: number;
}

/** Resources allocated on the device for one problem. */
interface Resources {
  readonly buffers: GPUBuffer[];
  readonly dataBuffers: GPUBuffer[];
  readonly cfgBuffers: GPUBuffer[];
  readonly thetaBuffer: GPUBuffer;
}

function checkOptions(options: DeviceProblemOptions): void {
  const { program, loss, fScale } = options;
  if (loss !== undefined && !DEVICE_LOSSES.includes(loss)) {
    throw new NlsqRangeError(
      `createDeviceProblem: loss must be one of ${DEVICE_LOSSES.map((l) => `'${l}'`).join(', ')} on the WebGPU device ` +
        `(a loss function runs on an f64 backend), got ${typeof loss === 'function' ? 'a function' : JSON.stringify(loss)}`,
      'loss',
    );
  }
  if (fScale !== undefined && !(typeof fScale === 'number' && fScale > 0 && Number.isFinite(fScale))) {
    throw new NlsqRangeError(`createDeviceProblem: fScale must be a positive finite number, got ${String(fScale)}`, 'fScale');
  }
  if (program.params.length < 1) {
    throw new NlsqRangeError('createDeviceProblem: program must have at least one parameter, got 0', 'program');
  }
  validateDeviceData(options.data, program.variables.length);
}

/** Regions of `groups[c]·entries` floats, each starting at a multiple of the offset alignment. */
function layoutRegions(groups: readonly number[], entries: number, alignBytes: number): { regions: PartialRegion[]; usedBytes: number } {
  const alignFloats = Math.max(1, alignBytes / 4);
  const regions: PartialRegion[] = [];
  let offset = 0;
  for (const g of groups) {
    regions.push({ offset, groups: g });
    offset = Math.ceil((offset + g * entries) / alignFloats) * alignFloats;
  }
  const last = regions[regions.length - 1]!;
  return { regions, usedBytes: (last.offset + last.groups * entries) * 4 };
}

/** The per-chunk uniform `Cfg` (see `gram-partials.wgsl.ts`): n, groups, NaN, +∞, C², 1/C², padding. */
function cfgBytes(n: number, groups: number, fScale: number): ArrayBuffer {
  const bytes = new ArrayBuffer(32);
  new Uint32Array(bytes, 0, 4).set([n, groups, 0x7fc00000, 0x7f800000]);
  new Float32Array(bytes, 16, 2).set([fScale * fScale, 1 / (fScale * fScale)]);
  return bytes;
}

function allocate(
  ctx: DeviceContext,
  data: DeviceData,
  chunks: readonly ChunkSpan[],
  layout: { readonly columns: number; readonly groups: readonly number[]; readonly p: number; readonly fScale: number },
  buffers: GPUBuffer[],
): Resources {
  const { columns, groups, p, fScale } = layout;
  const { device } = ctx;
  const make = (label: string, size: number, usage: number, mapped = false): GPUBuffer => {
    const b = device.createBuffer({ label, size, usage, mappedAtCreation: mapped });
    buffers.push(b);
    return b;
  };
  const dataBuffers = chunks.map((c, i) => {
    const b = make(`nlsq-data-chunk${i}`, Math.max(16, columns * c.n * 4), USAGE.STORAGE, true);
    packChunk(data, c, new Float32Array(b.getMappedRange()));
    b.unmap();
    return b;
  });
  const cfgBuffers = chunks.map((c, i) => {
    const b = make(`nlsq-cfg-chunk${i}`, 32, USAGE.UNIFORM, true);
    new Uint8Array(b.getMappedRange()).set(new Uint8Array(cfgBytes(c.n, groups[i]!, fScale)));
    b.unmap();
    return b;
  });
  const thetaBuffer = make('nlsq-theta', 16 * Math.max(1, Math.ceil(p / 4)), USAGE.UNIFORM | USAGE.COPY_DST);
  return { buffers, dataBuffers, cfgBuffers, thetaBuffer };
}

function makeVariant(ctx: DeviceContext, res: Resources, partials: GPUBuffer, kernel: GramKernel, pipeline: GPUComputePipeline, groups: readonly number[]): Variant {
  const { regions, usedBytes } = layoutRegions(groups, kernel.entries, ctx.offsetAlignment);
  const bindGroups = regions.map((r, c) =>
    ctx.device.createBindGroup({
      label: `${kernel.label}-chunk${c}`,
      layout: ctx.bindGroupLayout,
      entries: [
        { binding: 0, resource: { buffer: res.cfgBuffers[c]! } },
        { binding: 1, resource: { buffer: res.thetaBuffer } },
        { binding: 2, resource: { buffer: res.dataBuffers[c]! } },
        { binding: 3, resource: { buffer: partials, offset: r.offset * 4, size: r.groups * kernel.entries * 4 } },
      ],
    }),
  );
  return { kernel, pipeline, bindGroups, regions, usedBytes };
}

/** Await `work`, rejecting instead with the loss error if the device is lost first. */
function raceLoss<T>(ctx: DeviceContext, work: Promise<T>): Promise<T> {
  return Promise.race([work, ctx.lost.then((e) => Promise.reject(e))]);
}

/** The loss error if the device is lost now or within a short grace period (loss is reported asynchronously). */
function lostSoon(ctx: DeviceContext): Promise<DeviceLostError | null> {
  const now = ctx.lostError();
  if (now !== null) return Promise.resolve(now);
  return Promise.race([ctx.lost, new Promise<null>((resolve) => setTimeout(() => resolve(null), 100))]);
}

async function popScopes(device: GPUDevice, caller: string): Promise<void> {
  const oom = await device.popErrorScope();
  const validation = await device.popErrorScope();
  const err = oom ?? validation;
  if (err !== null) throw new NlsqError(`${caller}: the WebGPU device reported an error: ${err.message}`, 'ERR_BACKEND_UNAVAILABLE', 'backend');
}

/**
 * Create a device-resident residual problem: upload the data (once), compile (or reuse) the two
 * kernel variants, and return the evaluator. Use it through `WebGPUBackend.createDeviceProblem`.
 *
 * @param ctx - the backend's device context.
 * @param options - program, data, loss and tuning caps.
 * @returns the problem; call `destroy()` when the fit is done.
 * @throws NlsqRangeError on mismatched data, an unknown loss or a bad fScale; ShaderCompileError when the
 *   generated WGSL fails to compile; DeviceLostError when the device is lost; NlsqError when the
 *   device rejects an allocation.
 */
export async function createDeviceProblem(ctx: DeviceContext, options: DeviceProblemOptions): Promise<DeviceProblem> {
  checkOptions(options);
  const lostNow = ctx.lostError();
  if (lostNow !== null) throw lostNow;
  const { program, data } = options;
  const p = program.params.length;
  const m = data.y.length;
  const weighted = data.w !== null;
  const loss = options.loss ?? 'linear';
  const kJac = generateGramKernel({ program, jacobian: true, weighted, loss });
  const kCost = generateGramKernel({ program, jacobian: false, weighted, loss });
  const chunks = planChunks(m, kJac.columns, ctx.maxBindingBytes, ctx.maxBufferBytes, options.maxPointsPerChunk);
  const ppt = options.pointsPerThread ?? DEFAULT_POINTS_PER_THREAD;
  const groups = chunks.map((c) => workgroupsFor(c.n, ctx.maxWorkgroups, ppt));
  const { device } = ctx;
  const buffers: GPUBuffer[] = [];
  const jacLayout = layoutRegions(groups, kJac.entries, ctx.offsetAlignment);
  const partialBytes = Math.max(16, jacLayout.usedBytes);
  device.pushErrorScope('validation');
  device.pushErrorScope('out-of-memory');
  let res: Resources;
  let partials: GPUBuffer;
  let staging: GPUBuffer;
  try {
    res = allocate(ctx, data, chunks, { columns: kJac.columns, groups, p, fScale: options.fScale ?? 1 }, buffers);
    partials = device.createBuffer({ label: 'nlsq-partials', size: partialBytes, usage: USAGE.STORAGE | USAGE.COPY_SRC });
    staging = device.createBuffer({ label: 'nlsq-partials-readback', size: partialBytes, usage: USAGE.MAP_READ | USAGE.COPY_DST });
    buffers.push(partials, staging);
  } catch (err) {
    await popScopes(device, 'createDeviceProblem').catch(() => undefined);
    for (const b of buffers) b.destroy();
    const bytes = chunks.reduce((s, c) => s + c.n * kJac.columns * 4, 0);
    throw new NlsqError(`createDeviceProblem: could not allocate ${bytes} bytes of device buffers: ${String(err)}`, 'ERR_BACKEND_UNAVAILABLE', 'backend', { cause: err });
  }
  let jac: Variant;
  let cost: Variant;
  try {
    await raceLoss(ctx, popScopes(device, 'createDeviceProblem'));
    const [pj, pc] = await raceLoss(ctx, Promise.all([
      ctx.cache.get({ label: kJac.label, code: kJac.code, layout: ctx.pipelineLayout }),
      ctx.cache.get({ label: kCost.label, code: kCost.code, layout: ctx.pipelineLayout }),
    ]));
    jac = makeVariant(ctx, res, partials, kJac, pj, groups);
    cost = makeVariant(ctx, res, partials, kCost, pc, groups);
  } catch (err) {
    for (const b of res.buffers) b.destroy();
    throw err;
  }
  return new DeviceEvaluator(ctx, { p, m, chunks: chunks.length, groups, res, jac, cost, staging, partials });
}

interface EvaluatorParts {
  readonly p: number;
  readonly m: number;
  readonly chunks: number;
  readonly groups: readonly number[];
  readonly res: Resources;
  readonly jac: Variant;
  readonly cost: Variant;
  readonly staging: GPUBuffer;
  readonly partials: GPUBuffer;
}

class DeviceEvaluator implements DeviceProblem {
  readonly p: number;
  readonly m: number;
  readonly chunks: number;
  readonly jacobianIsCheap = true;
  private readonly ctx: DeviceContext;
  private readonly parts: EvaluatorParts;
  private readonly theta: Float32Array;
  private queue: Promise<unknown> = Promise.resolve();
  private destroyed = false;

  constructor(ctx: DeviceContext, parts: EvaluatorParts) {
    this.ctx = ctx;
    this.parts = parts;
    this.p = parts.p;
    this.m = parts.m;
    this.chunks = parts.chunks;
    this.theta = new Float32Array(4 * Math.max(1, Math.ceil(parts.p / 4)));
  }

  evaluate(x: Float64Array, jacobian: boolean): Promise<Evaluation> {
    const xs = Float64Array.from(x);
    return this.serialize(async () => {
      if (!xs.every(Number.isFinite)) return { cost: Number.NaN, m: this.m, T: null };
      const variant = jacobian ? this.parts.jac : this.parts.cost;
      const raw = await this.run(xs, variant);
      const packed = combinePartials(raw, variant.regions, variant.kernel.entries);
      // last entry: Σr² (linear: the Gram's (r, r) entry) or Σρ_C(r²) (robust: the extra entry)
      const cost = 0.5 * packed[variant.kernel.entries - 1]!;
      if (!jacobian) return { cost, m: this.m, T: null };
      const gram = packed.subarray(0, triangleEntries(this.p + 1));
      if (!gram.every(Number.isFinite)) return { cost, m: this.m, T: null };
      const { T } = gramToTriangle(gram, this.p + 1);
      return { cost, m: this.m, T };
    });
  }

  readPartials(x: Float64Array, jacobian: boolean): Promise<Float32Array> {
    const xs = Float64Array.from(x);
    return this.serialize(async () => {
      const variant = jacobian ? this.parts.jac : this.parts.cost;
      const raw = await this.run(xs, variant);
      const out = new Float32Array(variant.regions.reduce((s, r) => s + r.groups, 0) * variant.kernel.entries);
      let o = 0;
      for (const r of variant.regions) {
        const len = r.groups * variant.kernel.entries;
        out.set(raw.subarray(r.offset, r.offset + len), o);
        o += len;
      }
      return out;
    });
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const b of this.parts.res.buffers) b.destroy();
  }

  /** Run `task` after every earlier evaluation (the staging buffer is shared). */
  private serialize<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Upload θ, dispatch every chunk, copy the partials back; returns a copy of the used range. */
  private async run(x: Float64Array, v: Variant): Promise<Float32Array> {
    if (this.destroyed) throw new NlsqError('DeviceProblem.evaluate: the problem was destroyed', 'ERR_BACKEND_UNAVAILABLE', 'backend');
    if (x.length !== this.p) {
      throw new NlsqRangeError(`DeviceProblem.evaluate: x must have length ${this.p} (one per parameter), got ${x.length}`, 'x', 'ERR_SHAPE');
    }
    const lost = this.ctx.lostError();
    if (lost !== null) throw lost;
    const { device } = this.ctx;
    const { staging, res, groups } = this.parts;
    this.theta.set(x);
    device.pushErrorScope('validation');
    device.queue.writeBuffer(res.thetaBuffer, 0, this.theta);
    const encoder = device.createCommandEncoder({ label: `${v.kernel.label}-encoder` });
    const pass = encoder.beginComputePass({ label: `${v.kernel.label}-pass` });
    pass.setPipeline(v.pipeline);
    v.bindGroups.forEach((bg, c) => {
      pass.setBindGroup(0, bg);
      pass.dispatchWorkgroups(groups[c]!);
    });
    pass.end();
    encoder.copyBufferToBuffer(this.parts.partials, 0, staging, 0, v.usedBytes);
    device.queue.submit([encoder.finish()]);
    const scope = device.popErrorScope().then(
      (e) => (e === null ? null : e.message),
      (e: unknown) => String(e),
    );
    const mapped = staging.mapAsync(MAP_MODE_READ, 0, v.usedBytes).then(
      () => null,
      (e: unknown) => e,
    );
    const [scopeErr, mapErr] = await raceLoss(this.ctx, Promise.all([scope, mapped]));
    if (scopeErr !== null || mapErr !== null) {
      if (staging.mapState === 'mapped') staging.unmap();
      const lostErr = await lostSoon(this.ctx);
      if (lostErr !== null) throw lostErr;
      const detail = scopeErr !== null ? `the WebGPU device reported an error: ${scopeErr}` : `reading the partials back failed: ${String(mapErr)}`;
      throw new NlsqError(`DeviceProblem.evaluate: ${detail}`, 'ERR_BACKEND_UNAVAILABLE', 'backend', { cause: mapErr ?? undefined });
    }
    const out = new Float32Array(staging.getMappedRange(0, v.usedBytes).slice(0));
    staging.unmap();
    return out;
  }
}
