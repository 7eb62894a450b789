/**
 * Sizing the WebGPU batch solver to the device: how many threads a fit's workgroup has, how many
 * entries one workgroup-memory reduction round carries, and how the fits of a call are split into
 * dispatches whose buffers respect `maxStorageBufferBindingSize` / `maxBufferSize` and whose
 * workgroup grid respects `maxComputeWorkgroupsPerDimension` (a 2-D grid: up to that limit
 * squared fits per dispatch).
 *
 * Buffers of one dispatch of F fits holding M points (f32, 4 bytes each):
 *
 * ```
 *   points  : cols·M  (+ k·n_shared shared x) + 2·f·F bounds     cols = (per-point x ? k : 0) + 2 (y_hi, y_lo) + (weighted ? 1 : 0)
 *   offsets : F + 1   (u32)
 *   state   : F·S     S = p + 4 + f(f+1)/2   (θ, χ², state, iterations, evaluations, packed H)
 * ```
 *
 * Pure arithmetic: nothing here touches a device.
 *
 * @module
 */
import { packedEntries } from '../../linalg/gram-triangle.ts';

/** Largest workgroup of the batch kernel (≤ the 128 invocations compatibility-mode devices allow). */
export const MAX_BATCH_WORKGROUP = 64;

/** Floats of workgroup memory one reduction round may use (8 KiB of the 16 KiB every device has). */
export const REDUCTION_FLOATS = 2048;

/** Fits per dispatch at most, unless the caller caps it lower: bounds one read-back. */
export const DEFAULT_MAX_FITS_PER_DISPATCH = 1 << 18;

/** The device limits the batch solver respects. */
export interface BatchDeviceLimits {
  /** `maxStorageBufferBindingSize`, bytes. */
  readonly maxBindingBytes: number;
  /** `maxBufferSize`, bytes. */
  readonly maxBufferBytes: number;
  /** `maxComputeWorkgroupsPerDimension`. */
  readonly maxWorkgroups: number;
}

/** The shape of every fit's data and parameters. */
export interface BatchShape {
  /** Variables. */
  readonly k: number;
  /** Length of the shared x columns, or 0 when x is per point. */
  readonly nShared: number;
  /** Whether a weight column comes with the points. */
  readonly weighted: boolean;
  /** All parameters. */
  readonly p: number;
  /** Free parameters. */
  readonly f: number;
}

/** One dispatch: fits [from, to) of the call. */
export interface DispatchRange {
  /** First fit. */
  readonly from: number;
  /** One past the last fit. */
  readonly to: number;
  /** True for a single fit whose points alone exceed a buffer: it is not dispatched. */
  readonly tooLarge: boolean;
}

/**
 * Threads of a fit's workgroup: the power of two ≥ the largest fit's points, at most
 * {@link MAX_BATCH_WORKGROUP} (longer fits loop, each thread taking every WG-th point).
 *
 * @param maxPoints - the largest number of points of a fit.
 */
export function batchWorkgroupSize(maxPoints: number): number {
  let wg = 1;
  while (wg < maxPoints && wg < MAX_BATCH_WORKGROUP) wg *= 2;
  return wg;
}

/**
 * Entries reduced per round of the workgroup reduction: all E when WG·E floats fit in
 * {@link REDUCTION_FLOATS}, else as many as do (at least one).
 *
 * @param entries - E = (f+1)(f+2)/2, the augmented Gram's packed entries.
 * @param workgroup - threads per workgroup.
 */
export function reductionBatch(entries: number, workgroup: number): number {
  return Math.max(1, Math.min(entries, Math.floor(REDUCTION_FLOATS / workgroup)));
}

/** f32 columns per point: per-point x (k), y_hi, y_lo, and the weight. */
export function pointColumns(shape: BatchShape): number {
  return (shape.nShared > 0 ? 0 : shape.k) + 2 + (shape.weighted ? 1 : 0);
}

/** Floats of state per fit: θ (p), χ², state, iterations, evaluations, packed H (f(f+1)/2). */
export function stateStride(shape: BatchShape): number {
  return shape.p + 4 + packedEntries(shape.f);
}

/** The (x, y) workgroup grid for `fits` workgroups: x ≤ maxWorkgroups, x·y ≥ fits. */
export function dispatchGrid(fits: number, maxWorkgroups: number): { readonly x: number; readonly y: number } {
  const x = Math.max(1, Math.min(fits, maxWorkgroups));
  return { x, y: Math.max(1, Math.ceil(fits / x)) };
}

/**
 * Split the fits of a call into dispatches: greedily, each as long as its three buffers stay
 * within min(maxBindingBytes, maxBufferBytes), its grid within maxWorkgroups², and its fit count
 * within `maxFits`. A fit too large for a buffer on its own becomes a one-fit range marked
 * `tooLarge` (the caller fits it elsewhere).
 *
 * @param offsets - nFits + 1 increasing point indices of the call.
 * @param shape - data and parameter shape.
 * @param limits - the device limits.
 * @param maxFits - a cap on fits per dispatch (default {@link DEFAULT_MAX_FITS_PER_DISPATCH}).
 * @returns the ranges, in order, covering every fit once.
 */
export function planDispatches(offsets: Int32Array, shape: BatchShape, limits: BatchDeviceLimits, maxFits: number = DEFAULT_MAX_FITS_PER_DISPATCH): DispatchRange[] {
  const cap = Math.min(limits.maxBindingBytes, limits.maxBufferBytes);
  const cols = pointColumns(shape);
  const shared = shape.k * shape.nShared;
  const stride = stateStride(shape);
  const fitsCap = Math.max(1, Math.min(maxFits, limits.maxWorkgroups * limits.maxWorkgroups));
  const nFits = offsets.length - 1;
  const fits = (count: number, points: number): boolean =>
    4 * (cols * points + shared + 2 * shape.f * count) <= cap && 4 * stride * count <= cap && 4 * (count + 1) <= cap && count <= fitsCap;
  const ranges: DispatchRange[] = [];
  let from = 0;
  while (from < nFits) {
    let to = from;
    while (to < nFits && fits(to + 1 - from, offsets[to + 1]! - offsets[from]!)) to++;
    if (to === from) {
      ranges.push({ from, to: from + 1, tooLarge: true });
      from += 1;
    } else {
      ranges.push({ from, to, tooLarge: false });
      from = to;
    }
  }
  return ranges;
}
