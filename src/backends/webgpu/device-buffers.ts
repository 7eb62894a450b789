/**
 * The device buffers of one WebGPU model evaluator and how the kernel variants bind them.
 *
 * Per data chunk: one read-only storage buffer (the packed f32 columns, `data-layout.ts`) and one
 * uniform `Cfg` (n, groups, NaN, +∞, C², 1/C²); shared: the θ uniform (written per evaluation),
 * the partials buffer the kernels write, and a staging buffer it is copied into for read-back.
 * Each chunk's partials occupy a region aligned to `minStorageBufferOffsetAlignment`, so one
 * bind group per chunk and variant addresses its region with a binding offset.
 *
 * @module
 */
import type { DeviceData } from '../model-evaluator.ts';
import type { DeviceContext } from './device-context.ts';
import { type ChunkSpan, packChunk } from './data-layout.ts';
import type { PartialRegion } from './gram-combine.ts';
import type { GramKernel } from './gram-partials.wgsl.ts';

/** `GPUBufferUsage` / `GPUMapMode` bits (numeric, so no global WebGPU constants are needed). */
export const USAGE = { MAP_READ: 1, COPY_SRC: 4, COPY_DST: 8, UNIFORM: 64, STORAGE: 128 } as const;

/** `GPUMapMode.READ`. */
export const MAP_MODE_READ = 1;

/** One kernel variant (Jacobian or cost only) with its bind groups and read-back layout. */
export interface Variant {
  /** The generated WGSL kernel (`entries` floats per workgroup partial). */
  readonly kernel: GramKernel;
  /** Its compiled pipeline. */
  readonly pipeline: GPUComputePipeline;
  /** One bind group per data chunk. */
  readonly bindGroups: GPUBindGroup[];
  /** Where each chunk's partials lie in the partials buffer. */
  readonly regions: PartialRegion[];
  /** Bytes of the partials buffer this variant writes (from 0). */
  readonly usedBytes: number;
}

/** Buffers allocated on the device for one evaluator. */
export interface Resources {
  /** Every buffer created, for `destroy`. */
  readonly buffers: GPUBuffer[];
  /** Per chunk: the packed f32 data columns (read-only storage). */
  readonly dataBuffers: GPUBuffer[];
  /** Per chunk: the `Cfg` uniform. */
  readonly cfgBuffers: GPUBuffer[];
  /** The θ uniform, written before each evaluation. */
  readonly thetaBuffer: GPUBuffer;
}

/**
 * Regions of `groups[c]·entries` floats, each starting at a multiple of the offset alignment.
 *
 * @param groups - workgroups per chunk.
 * @param entries - floats per workgroup partial.
 * @param alignBytes - `minStorageBufferOffsetAlignment`.
 * @returns the regions and the bytes they span.
 */
export function layoutRegions(groups: readonly number[], entries: number, alignBytes: number): { regions: PartialRegion[]; usedBytes: number } {
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

/**
 * Create and fill the data and cfg buffers of every chunk and the θ uniform. Every buffer is
 * pushed to `buffers` as it is created, so the caller can destroy them if a later one fails.
 *
 * @param ctx - the device context.
 * @param data - the fit data.
 * @param chunks - the chunk plan.
 * @param layout - f32 columns per point, workgroups per chunk, p and the loss scale C.
 * @param buffers - receives every buffer created.
 * @returns the resources.
 */
export function allocate(
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

/**
 * Bind a compiled kernel variant to the resources: one bind group per chunk, addressing that
 * chunk's region of the partials buffer.
 *
 * @param ctx - the device context.
 * @param res - the allocated resources.
 * @param partials - the partials buffer.
 * @param kernel - the generated kernel.
 * @param pipeline - its compiled pipeline.
 * @param groups - workgroups per chunk.
 * @returns the variant.
 */
export function makeVariant(ctx: DeviceContext, res: Resources, partials: GPUBuffer, kernel: GramKernel, pipeline: GPUComputePipeline, groups: readonly number[]): Variant {
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
