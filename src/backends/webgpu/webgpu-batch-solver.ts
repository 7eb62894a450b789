/**
 * The WebGPU batch solver (`WebGPUBackend.createBatchSolver`): many small fits of one expression
 * model, each run wholly on the device by the kernel of `batch-lm.wgsl.ts` — one workgroup per
 * fit, every iteration on the device — with the answers read back once per dispatch.
 *
 * Per call the fits are split into dispatches under the device's limits (`batch-sizing.ts`); per
 * dispatch the host packs the points into one f32 buffer (per-point x, y split into y_hi + y_lo,
 * weights; then the bounds of the free parameters, clamped to ±f32 max; then the shared x), the
 * offsets into a u32 buffer and the starting θ into the state buffer, submits one compute pass
 * over a 2-D grid of workgroups, copies the state back and unpacks it. Buffers live for one
 * dispatch. Tolerances below the device's resolution are raised to it ({@link F32_TOLERANCE_FLOOR}).
 *
 * @module
 */
import { NlsqError, NlsqRangeError, throwIfAborted } from '../../errors.ts';
import { packedEntries } from '../../linalg/gram-triangle.ts';
import { DEVICE_FIT_STATE, MAX_DEVICE_FREE_PARAMS, type BatchSolverFits, type BatchSolverRequest, type DeviceBatchResult, type DeviceBatchSolver } from '../batch-solver.ts';
import { BATCH_CFG_BYTES, generateBatchKernel } from './batch-lm.wgsl.ts';
import { batchWorkgroupSize, type BatchShape, dispatchGrid, planDispatches, pointColumns, type DispatchRange } from './batch-sizing.ts';
import { type DeviceContext, lostSoon, raceLoss } from './device-context.ts';
import { MAP_MODE_READ, USAGE } from './device-buffers.ts';

/** `GPUShaderStage.COMPUTE`. */
const STAGE_COMPUTE = 4;

/** Largest finite f32: infinite bounds are stored as ±this (no infinities in device arithmetic). */
const F32_MAX = 3.4028234663852886e38;

/**
 * The smallest ftol, xtol and gtol the f32 loop applies: 2⁻²⁰ ≈ 9.5·10⁻⁷ (8 ulps of 1 in f32).
 * χ² summed in f32 over a fit's points carries a relative error of a few ε₃₂ = 2⁻²³, so a
 * reduction smaller than that is noise; the f64 polish applies the caller's tolerances.
 */
export const F32_TOLERANCE_FLOOR = 2 ** -20;

/** Options of the WebGPU batch solver beyond the request (`WebGPUBackend.createBatchSolver`). */
export interface WebGPUBatchSolverOptions {
  /** Cap on fits per dispatch (default `DEFAULT_MAX_FITS_PER_DISPATCH`), e.g. to test splitting. */
  readonly maxFitsPerDispatch?: number;
}

function checkRequest(request: BatchSolverRequest): void {
  const { program, free, sharedX } = request;
  const k = program.variables.length;
  if (free.length < 1 || free.length > MAX_DEVICE_FREE_PARAMS) {
    throw new NlsqRangeError(`createBatchSolver: free must hold 1 to ${MAX_DEVICE_FREE_PARAMS} parameters, got ${free.length}`, 'free');
  }
  if (sharedX !== null) {
    if (sharedX.length !== k) throw new NlsqRangeError(`createBatchSolver: sharedX must have ${k} columns (one per variable), got ${sharedX.length}`, 'sharedX', 'ERR_SHAPE');
    const n = sharedX[0]!.length;
    if (sharedX.some((c) => c.length !== n)) throw new NlsqRangeError(`createBatchSolver: sharedX columns must have equal lengths, got ${sharedX.map((c) => c.length).join(', ')}`, 'sharedX', 'ERR_SHAPE');
  }
  if (!(Number.isInteger(request.maxIterations) && request.maxIterations >= 0)) {
    throw new NlsqRangeError(`createBatchSolver: maxIterations must be a non-negative integer, got ${request.maxIterations}`, 'maxIterations');
  }
  if (!(Number.isInteger(request.maxPoints) && request.maxPoints >= 1)) {
    throw new NlsqRangeError(`createBatchSolver: maxPoints must be a positive integer, got ${request.maxPoints}`, 'maxPoints');
  }
}

function checkFits(fits: BatchSolverFits, request: BatchSolverRequest): void {
  const p = request.program.params.length;
  const f = request.free.length;
  const k = request.program.variables.length;
  const { nFits, offsets } = fits;
  const total = offsets[nFits] ?? -1;
  const bad = (name: string, what: string): never => {
    throw new NlsqRangeError(`DeviceBatchSolver.solve: ${name} must ${what}`, name, 'ERR_SHAPE');
  };
  if (offsets.length !== nFits + 1 || offsets[0] !== 0) bad('offsets', `have nFits + 1 = ${nFits + 1} entries starting at 0, got ${offsets.length} starting at ${offsets[0]}`);
  if (fits.y.length !== total) bad('y', `have offsets[nFits] = ${total} values, got ${fits.y.length}`);
  if ((fits.w !== null) !== request.weighted) bad('w', request.weighted ? 'be given (the solver was created weighted)' : 'be null (the solver was created unweighted)');
  if (fits.w !== null && fits.w.length !== total) bad('w', `have ${total} values, got ${fits.w.length}`);
  if (request.sharedX === null) {
    if (fits.x === null || fits.x.length !== k || fits.x.some((c) => c.length !== total)) bad('x', `be ${k} columns of ${total} values (x is per point)`);
  }
  if (fits.theta0.length !== nFits * p) bad('theta0', `have nFits × p = ${nFits * p} values, got ${fits.theta0.length}`);
  if (fits.lb.length !== nFits * f || fits.ub.length !== nFits * f) bad('lb', `and ub have nFits × f = ${nFits * f} values, got ${fits.lb.length} and ${fits.ub.length}`);
}

/**
 * Create a batch solver on the backend's device: generate and compile the kernel for the model,
 * the free parameters and the data layout.
 *
 * @param ctx - the backend's device context.
 * @param request - the program, free parameters, shared x, tolerances and limits.
 * @param options - a cap on fits per dispatch.
 * @returns the solver.
 * @throws NlsqRangeError for a malformed request; ShaderCompileError when the kernel does not compile.
 */
export async function createWebGPUBatchSolver(ctx: DeviceContext, request: BatchSolverRequest, options: WebGPUBatchSolverOptions = {}): Promise<DeviceBatchSolver> {
  checkRequest(request);
  const lostNow = ctx.lostError();
  if (lostNow !== null) throw lostNow;
  const { program, free, sharedX, weighted } = request;
  const workgroup = batchWorkgroupSize(request.maxPoints);
  const kernel = generateBatchKernel({ program, free, sharedX: sharedX !== null, weighted, workgroup });
  const { device } = ctx;
  const bindGroupLayout = device.createBindGroupLayout({
    label: 'nlsq-batch-bind-group-layout',
    entries: [
      { binding: 0, visibility: STAGE_COMPUTE, buffer: { type: 'uniform' } },
      { binding: 1, visibility: STAGE_COMPUTE, buffer: { type: 'read-only-storage' } },
      { binding: 2, visibility: STAGE_COMPUTE, buffer: { type: 'read-only-storage' } },
      { binding: 3, visibility: STAGE_COMPUTE, buffer: { type: 'storage' } },
    ],
  });
  const layout = device.createPipelineLayout({ label: 'nlsq-batch-pipeline-layout', bindGroupLayouts: [bindGroupLayout] });
  const pipeline = await raceLoss(ctx, ctx.cache.get({ label: kernel.label, code: kernel.code, layout }));
  const tolerances = {
    ftol: Math.max(request.ftol, F32_TOLERANCE_FLOOR),
    xtol: Math.max(request.xtol, F32_TOLERANCE_FLOOR),
    gtol: Math.max(request.gtol, F32_TOLERANCE_FLOOR),
  };
  const shape: BatchShape = {
    k: program.variables.length,
    nShared: sharedX === null ? 0 : sharedX[0]!.length,
    weighted,
    p: program.params.length,
    f: free.length,
  };
  const parts: SolverParts = { ctx, request, kernel, pipeline, bindGroupLayout, shape, tolerances, maxFits: options.maxFitsPerDispatch };
  return {
    free: free.length,
    tolerances,
    layout: `one workgroup of ${workgroup} threads per fit, ${kernel.entries} Gram entries reduced in workgroup memory, f32`,
    solve: (fits, signal) => solveAll(parts, fits, signal),
    destroy: () => undefined,
  };
}

interface SolverParts {
  readonly ctx: DeviceContext;
  readonly request: BatchSolverRequest;
  readonly kernel: { readonly stride: number; readonly label: string };
  readonly pipeline: GPUComputePipeline;
  readonly bindGroupLayout: GPUBindGroupLayout;
  readonly shape: BatchShape;
  readonly tolerances: { readonly ftol: number; readonly xtol: number; readonly gtol: number };
  readonly maxFits: number | undefined;
}

async function solveAll(parts: SolverParts, fits: BatchSolverFits, signal: AbortSignal | undefined): Promise<DeviceBatchResult> {
  checkFits(fits, parts.request);
  const { nFits } = fits;
  const { p, f } = parts.shape;
  const h = packedEntries(f);
  const out: DeviceBatchResult = {
    theta: new Float64Array(nFits * p).fill(Number.NaN),
    chiSquare: new Float64Array(nFits).fill(Number.NaN),
    state: new Uint8Array(nFits),
    nit: new Int32Array(nFits),
    nfev: new Int32Array(nFits),
    hessian: new Float64Array(nFits * h).fill(Number.NaN),
  };
  const limits = { maxBindingBytes: parts.ctx.maxBindingBytes, maxBufferBytes: parts.ctx.maxBufferBytes, maxWorkgroups: parts.ctx.maxWorkgroups };
  for (const range of planDispatches(fits.offsets, parts.shape, limits, parts.maxFits)) {
    throwIfAborted(signal, 'fitBatch');
    if (range.tooLarge) {
      out.state[range.from] = DEVICE_FIT_STATE.tooLarge;
      continue;
    }
    const state = await dispatch(parts, fits, range);
    unpack(parts, state, range, out);
  }
  return out;
}

/** Pack one dispatch's points, bounds and shared x into f32 (see the module documentation). */
function packPoints(parts: SolverParts, fits: BatchSolverFits, range: DispatchRange): { pts: Float32Array; m: number; boundsOff: number; sharedOff: number } {
  const { shape, request } = parts;
  const lo = fits.offsets[range.from]!;
  const m = fits.offsets[range.to]! - lo;
  const cols = pointColumns(shape);
  const count = range.to - range.from;
  const boundsOff = cols * m;
  const sharedOff = boundsOff + 2 * shape.f * count;
  const pts = new Float32Array(Math.max(4, sharedOff + shape.k * shape.nShared));
  let c = 0;
  if (request.sharedX === null) for (const col of fits.x!) pts.set(col.subarray(lo, lo + m), m * c++);
  const yHi = m * c;
  const yLo = m * (c + 1);
  for (let q = 0; q < m; q++) {
    const v = fits.y[lo + q]!;
    const hi = Math.fround(v);
    pts[yHi + q] = hi;
    pts[yLo + q] = v - hi;
  }
  if (fits.w !== null) pts.set(fits.w.subarray(lo, lo + m), m * (c + 2));
  const f = shape.f;
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < f; j++) {
      pts[boundsOff + i * 2 * f + j] = Math.max(-F32_MAX, fits.lb[(range.from + i) * f + j]!);
      pts[boundsOff + i * 2 * f + f + j] = Math.min(F32_MAX, fits.ub[(range.from + i) * f + j]!);
    }
  }
  if (request.sharedX !== null) request.sharedX.forEach((col, v) => pts.set(col, sharedOff + v * shape.nShared));
  return { pts, m, boundsOff, sharedOff };
}

function cfgBytes(parts: SolverParts, count: number, gridX: number, m: number, boundsOff: number, sharedOff: number): ArrayBuffer {
  const bytes = new ArrayBuffer(BATCH_CFG_BYTES);
  new Uint32Array(bytes, 0, 10).set([count, gridX, m, parts.shape.nShared, boundsOff, sharedOff, parts.request.maxIterations, 0, 0x7fc00000, 0x7f800000]);
  const t = parts.tolerances;
  new Float32Array(bytes, 40, 3).set([t.ftol, t.xtol, t.gtol]);
  return bytes;
}

/** Upload, run and read back one dispatch; returns the f32 state rows. */
async function dispatch(parts: SolverParts, fits: BatchSolverFits, range: DispatchRange): Promise<Float32Array> {
  const { ctx, kernel, shape } = parts;
  const { device } = ctx;
  const count = range.to - range.from;
  const { pts, m, boundsOff, sharedOff } = packPoints(parts, fits, range);
  const offs = new Uint32Array(count + 1);
  const lo = fits.offsets[range.from]!;
  for (let i = 0; i <= count; i++) offs[i] = fits.offsets[range.from + i]! - lo;
  const stateBytes = count * kernel.stride * 4;
  const state0 = new Float32Array(count * kernel.stride);
  for (let i = 0; i < count; i++) for (let j = 0; j < shape.p; j++) state0[i * kernel.stride + j] = fits.theta0[(range.from + i) * shape.p + j]!;
  const grid = dispatchGrid(count, ctx.maxWorkgroups);
  const buffers: GPUBuffer[] = [];
  const make = (label: string, data: ArrayBufferView, usage: number): GPUBuffer => {
    const size = Math.max(16, Math.ceil(data.byteLength / 4) * 4);
    const b = device.createBuffer({ label, size, usage, mappedAtCreation: true });
    buffers.push(b);
    new Uint8Array(b.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    b.unmap();
    return b;
  };
  device.pushErrorScope('validation');
  device.pushErrorScope('out-of-memory');
  let popped = false;
  try {
    const cfg = make('nlsq-batch-cfg', new Uint8Array(cfgBytes(parts, count, grid.x, m, boundsOff, sharedOff)), USAGE.UNIFORM);
    const ptsBuf = make('nlsq-batch-points', pts, USAGE.STORAGE);
    const offsBuf = make('nlsq-batch-offsets', offs, USAGE.STORAGE);
    const stateBuf = make('nlsq-batch-state', state0, USAGE.STORAGE | USAGE.COPY_SRC);
    const staging = device.createBuffer({ label: 'nlsq-batch-readback', size: Math.max(16, stateBytes), usage: USAGE.MAP_READ | USAGE.COPY_DST });
    buffers.push(staging);
    const bindGroup = device.createBindGroup({
      label: `${kernel.label}-bind-group`,
      layout: parts.bindGroupLayout,
      entries: [
        { binding: 0, resource: { buffer: cfg } },
        { binding: 1, resource: { buffer: ptsBuf } },
        { binding: 2, resource: { buffer: offsBuf } },
        { binding: 3, resource: { buffer: stateBuf } },
      ],
    });
    const encoder = device.createCommandEncoder({ label: `${kernel.label}-encoder` });
    const pass = encoder.beginComputePass({ label: `${kernel.label}-pass` });
    pass.setPipeline(parts.pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(grid.x, grid.y);
    pass.end();
    encoder.copyBufferToBuffer(stateBuf, 0, staging, 0, stateBytes);
    device.queue.submit([encoder.finish()]);
    popped = true;
    const scopes = Promise.all([device.popErrorScope(), device.popErrorScope()]).then(
      ([oom, validation]) => (oom ?? validation)?.message ?? null,
      (e: unknown) => String(e),
    );
    const mapped = staging.mapAsync(MAP_MODE_READ, 0, stateBytes).then(
      () => null,
      (e: unknown) => e,
    );
    const [scopeErr, mapErr] = await raceLoss(ctx, Promise.all([scopes, mapped]));
    if (scopeErr !== null || mapErr !== null) {
      const lost = await lostSoon(ctx);
      if (lost !== null) throw lost;
      const detail = scopeErr !== null ? `the WebGPU device reported an error: ${scopeErr}` : `reading the fits back failed: ${String(mapErr)}`;
      throw new NlsqError(`fitBatch: ${detail}`, 'ERR_BACKEND_UNAVAILABLE', 'backend', { cause: mapErr ?? undefined });
    }
    const out = new Float32Array(staging.getMappedRange(0, stateBytes).slice(0));
    staging.unmap();
    return out;
  } catch (error) {
    if (!popped) await Promise.all([device.popErrorScope(), device.popErrorScope()]).catch(() => undefined);
    if (error instanceof NlsqError) throw error;
    throw new NlsqError(`fitBatch: the WebGPU device could not take ${count} fits (${pts.byteLength + stateBytes} bytes): ${String(error)}`, 'ERR_BACKEND_UNAVAILABLE', 'backend', { cause: error });
  } finally {
    for (const b of buffers) b.destroy();
  }
}

function unpack(parts: SolverParts, st: Float32Array, range: DispatchRange, out: DeviceBatchResult): void {
  const { p, f } = parts.shape;
  const S = parts.kernel.stride;
  const h = packedEntries(f);
  for (let i = 0; i < range.to - range.from; i++) {
    const g = range.from + i;
    const row = i * S;
    for (let j = 0; j < p; j++) out.theta[g * p + j] = st[row + j]!;
    out.chiSquare[g] = st[row + p]!;
    out.state[g] = st[row + p + 1]!;
    out.nit[g] = st[row + p + 2]!;
    out.nfev[g] = st[row + p + 3]!;
    for (let e = 0; e < h; e++) out.hessian[g * h + e] = st[row + p + 4 + e]!;
  }
}
