/**
 * The WebGPU model evaluator (`WebGPUBackend.createModelEvaluator`): the fit's data stay resident
 * on the device for the whole fit and the model runs as a fused WGSL kernel generated from the
 * expression IR.
 *
 * Per evaluation only the parameter vector goes up (one small uniform write) and
 * `groups × E` f32 partial sums come back (E = (p+1)(p+2)/2, or 1 for a cost-only evaluation,
 * plus one for Σρ with a robust loss, which is applied per point on the device);
 * the host combines them in f64 and factors the augmented Gram matrix into T (`gram-combine.ts`).
 * Large data are split into chunks that respect `maxStorageBufferBindingSize` / `maxBufferSize`;
 * each chunk is one dispatch of the same pipeline within one compute pass and one submission.
 *
 * Evaluations are serialized (one staging buffer); a device loss rejects the pending and all later
 * evaluations with {@link DeviceLostError}. The contract and the precision split are those of
 * {@link DeviceModelEvaluator} (`../model-evaluator.ts`); nothing here knows the optimizer.
 *
 * @module
 */
import { NlsqError, NlsqRangeError } from '../../errors.ts';
import { DEVICE_LOSSES, type DeviceEvaluation, type DeviceModelEvaluator, type ModelEvaluatorRequest } from '../model-evaluator.ts';
import { type DeviceContext, lostSoon, popScopes, raceLoss } from './device-context.ts';
import { MAP_MODE_READ, type Resources, USAGE, type Variant, allocate, layoutRegions, makeVariant } from './device-buffers.ts';
import { planChunks, validateDeviceData } from './data-layout.ts';
import type { DeviceLostError } from './device-lost-error.ts';
import { combinePartials, f32PivotTolerance } from './gram-combine.ts';
import { DEFAULT_POINTS_PER_THREAD, generateGramKernel, workgroupsFor } from './gram-partials.wgsl.ts';
import { gramToTriangle, packedEntries } from '../../linalg/gram-triangle.ts';

/** The request of `WebGPUBackend.createModelEvaluator`: the generic one plus two tuning caps. */
export interface WebGPUEvaluatorRequest extends ModelEvaluatorRequest {
  /** Cap on points per device chunk (default: as many as the binding limits allow). */
  readonly maxPointsPerChunk?: number;
  /** Target points per invocation before the tree reduction (default 16). */
  readonly pointsPerThread?: number;
}

/** The WebGPU evaluator: a {@link DeviceModelEvaluator} that can also show its raw partials. */
export interface WebGPUModelEvaluator extends DeviceModelEvaluator {
  /**
   * Run the kernel at θ and return the raw f32 workgroup partials (all chunks, in order,
   * `entries` floats each), for determinism checks and diagnostics.
   */
  readPartials(theta: Float64Array, jacobian: boolean): Promise<Float32Array>;
}

function checkRequest(request: WebGPUEvaluatorRequest): void {
  const { program, loss, fScale } = request;
  if (loss !== undefined && !DEVICE_LOSSES.includes(loss)) {
    throw new NlsqRangeError(
      `createModelEvaluator: loss must be one of ${DEVICE_LOSSES.map((l) => `'${l}'`).join(', ')} on the WebGPU device ` +
        `(a loss function runs on an f64 backend), got ${typeof loss === 'function' ? 'a function' : JSON.stringify(loss)}`,
      'loss',
    );
  }
  if (fScale !== undefined && !(typeof fScale === 'number' && fScale > 0 && Number.isFinite(fScale))) {
    throw new NlsqRangeError(`createModelEvaluator: fScale must be a positive finite number, got ${String(fScale)}`, 'fScale');
  }
  if (program.params.length < 1) {
    throw new NlsqRangeError('createModelEvaluator: program must have at least one parameter, got 0', 'program');
  }
  validateDeviceData(request.data, program.variables.length);
}

/**
 * Create a device-resident model evaluator: upload the data (once), compile (or reuse) the two
 * kernel variants, and return the evaluator. Use it through `WebGPUBackend.createModelEvaluator`.
 *
 * @param ctx - the backend's device context.
 * @param request - program, data, loss and tuning caps.
 * @returns the evaluator; call `destroy()` when the fit is done.
 * @throws NlsqRangeError on mismatched data, an unknown loss or a bad fScale; ShaderCompileError when the
 *   generated WGSL fails to compile; DeviceLostError when the device is lost; NlsqError when the
 *   device rejects an allocation.
 */
export async function createWebGPUEvaluator(ctx: DeviceContext, request: WebGPUEvaluatorRequest): Promise<WebGPUModelEvaluator> {
  checkRequest(request);
  const lostNow = ctx.lostError();
  if (lostNow !== null) throw lostNow;
  const { program, data } = request;
  const p = program.params.length;
  const m = data.y.length;
  const weighted = data.w !== null;
  const loss = request.loss ?? 'linear';
  const kJac = generateGramKernel({ program, jacobian: true, weighted, loss });
  const kCost = generateGramKernel({ program, jacobian: false, weighted, loss });
  const chunks = planChunks(m, kJac.columns, ctx.maxBindingBytes, ctx.maxBufferBytes, request.maxPointsPerChunk);
  const ppt = request.pointsPerThread ?? DEFAULT_POINTS_PER_THREAD;
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
    res = allocate(ctx, data, chunks, { columns: kJac.columns, groups, p, fScale: request.fScale ?? 1 }, buffers);
    partials = device.createBuffer({ label: 'nlsq-partials', size: partialBytes, usage: USAGE.STORAGE | USAGE.COPY_SRC });
    staging = device.createBuffer({ label: 'nlsq-partials-readback', size: partialBytes, usage: USAGE.MAP_READ | USAGE.COPY_DST });
    buffers.push(partials, staging);
  } catch (err) {
    await popScopes(device, 'createModelEvaluator').catch(() => undefined);
    for (const b of buffers) b.destroy();
    const bytes = chunks.reduce((s, c) => s + c.n * kJac.columns * 4, 0);
    throw new NlsqError(`createModelEvaluator: could not allocate ${bytes} bytes of device buffers: ${String(err)}`, 'ERR_BACKEND_UNAVAILABLE', 'backend', { cause: err });
  }
  let jac: Variant;
  let cost: Variant;
  try {
    await raceLoss(ctx, popScopes(device, 'createModelEvaluator'));
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
  return new WebGPUEvaluator(ctx, { p, m, chunks: chunks.length, groups, res, jac, cost, staging, partials });
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

class WebGPUEvaluator implements WebGPUModelEvaluator {
  readonly p: number;
  readonly m: number;
  readonly chunks: number;
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

  evaluate(theta: Float64Array, jacobian: boolean): Promise<DeviceEvaluation> {
    const xs = Float64Array.from(theta);
    return this.serialize(async () => {
      if (!xs.every(Number.isFinite)) return { cost: Number.NaN, m: this.m, T: null };
      const variant = jacobian ? this.parts.jac : this.parts.cost;
      const raw = await this.run(xs, variant);
      const packed = combinePartials(raw, variant.regions, variant.kernel.entries);
      // last entry: Σr² (linear: the Gram's (r, r) entry) or Σρ_C(r²) (robust: the extra entry)
      const cost = 0.5 * packed[variant.kernel.entries - 1]!;
      if (!jacobian) return { cost, m: this.m, T: null };
      const gram = packed.subarray(0, packedEntries(this.p + 1));
      if (!gram.every(Number.isFinite)) return { cost, m: this.m, T: null };
      const { T } = gramToTriangle(gram, this.p + 1, f32PivotTolerance(this.p + 1));
      return { cost, m: this.m, T };
    });
  }

  readPartials(theta: Float64Array, jacobian: boolean): Promise<Float32Array> {
    const xs = Float64Array.from(theta);
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
    if (this.destroyed) throw new NlsqError('DeviceModelEvaluator.evaluate: the evaluator was destroyed', 'ERR_BACKEND_UNAVAILABLE', 'backend');
    if (x.length !== this.p) {
      throw new NlsqRangeError(`DeviceModelEvaluator.evaluate: theta must have length ${this.p} (one per parameter), got ${x.length}`, 'theta', 'ERR_SHAPE');
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
      const lostErr: DeviceLostError | null = await lostSoon(this.ctx);
      if (lostErr !== null) throw lostErr;
      const detail = scopeErr !== null ? `the WebGPU device reported an error: ${scopeErr}` : `reading the partials back failed: ${String(mapErr)}`;
      throw new NlsqError(`DeviceModelEvaluator.evaluate: ${detail}`, 'ERR_BACKEND_UNAVAILABLE', 'backend', { cause: mapErr ?? undefined });
    }
    const out = new Float32Array(staging.getMappedRange(0, v.usedBytes).slice(0));
    staging.unmap();
    return out;
  }
}
