/**
 * Host-side layout of fit data for the device: chunk planning under the buffer and binding
 * limits, and packing of f64 columns into the f32 column-major chunk buffers the fused kernel
 * reads (see `gram-partials.wgsl.ts`).
 *
 * Transform: x_k and w are rounded to f32; y is split exactly as y = y_hi + y_lo + δ with
 * y_hi = fl32(y), y_lo = fl32(y − y_hi) and |δ| ≤ 2⁻⁴⁸|y|, and the kernel forms
 * r = w·((f − y_hi) − y_lo). Nothing is scaled, so nothing needs to be undone: the partial sums
 * are those of the original residuals. (Centring x would change the model function itself and is
 * not applied; an expression model whose x values are large and clustered should be written in
 * centred form.)
 *
 * @module
 */
import { NlsqRangeError } from '../../errors.ts';
import type { DeviceData } from '../model-evaluator.ts';

/** One device chunk: points [start, start + n). */
export interface ChunkSpan {
  /** First point. */
  readonly start: number;
  /** Number of points. */
  readonly n: number;
}

/**
 * Split m points into chunks whose column-major f32 buffer (`columns · n · 4` bytes) fits both
 * `maxBindingBytes` and `maxBufferBytes`, with at most `maxPoints` points each; chunks are as
 * equal as possible.
 *
 * @param m - number of points (≥ 1).
 * @param columns - f32 columns per point.
 * @param maxBindingBytes - the device's `maxStorageBufferBindingSize`.
 * @param maxBufferBytes - the device's `maxBufferSize`.
 * @param maxPoints - an extra cap on points per chunk (e.g. to test chunking), default ∞.
 * @returns the chunks, in order, covering 0 … m−1.
 * @throws NlsqRangeError when not even one point fits.
 */
export function planChunks(
  m: number,
  columns: number,
  maxBindingBytes: number,
  maxBufferBytes: number,
  maxPoints: number = Number.POSITIVE_INFINITY,
): ChunkSpan[] {
  const byBytes = Math.floor(Math.min(maxBindingBytes, maxBufferBytes) / (4 * columns));
  // u32 indexing of column-major data: columns · n must stay below 2³².
  const byIndex = Math.floor((2 ** 32 - 1) / columns);
  const cap = Math.min(byBytes, byIndex, Math.floor(maxPoints));
  if (!(cap >= 1)) {
    throw new NlsqRangeError(
      `createModelEvaluator: a chunk must hold at least one point (${columns} f32 columns), got a limit of ${cap} points`,
      'data',
    );
  }
  const count = Math.ceil(m / cap);
  const base = Math.floor(m / count);
  const extra = m - base * count;
  const chunks: ChunkSpan[] = [];
  let start = 0;
  for (let c = 0; c < count; c++) {
    const n = base + (c < extra ? 1 : 0);
    chunks.push({ start, n });
    start += n;
  }
  return chunks;
}

/**
 * Pack one chunk into `out` (length ≥ columns·n), column-major: x_0 … x_{k−1}, y_hi, y_lo, [w].
 *
 * @param data - the full data.
 * @param chunk - the points to pack.
 * @param out - destination (e.g. a mapped-at-creation GPU buffer view).
 */
export function packChunk(data: DeviceData, chunk: ChunkSpan, out: Float32Array): void {
  const { start, n } = chunk;
  const k = data.x.length;
  for (let v = 0; v < k; v++) {
    const col = data.x[v]!;
    const o = v * n;
    for (let i = 0; i < n; i++) out[o + i] = col[start + i]!;
  }
  const oh = k * n;
  const ol = (k + 1) * n;
  const y = data.y;
  for (let i = 0; i < n; i++) {
    const yi = y[start + i]!;
    const hi = Math.fround(yi);
    out[oh + i] = hi;
    out[ol + i] = yi - hi;
  }
  if (data.w !== null) {
    const w = data.w;
    const ow = (k + 2) * n;
    for (let i = 0; i < n; i++) out[ow + i] = w[start + i]!;
  }
}

/**
 * Validate device data against a program's variable count: k columns of length m = y.length,
 * weights of length m, m ≥ 1.
 *
 * @param data - the data.
 * @param variables - the program's variable count k.
 * @throws NlsqRangeError naming the offending argument.
 */
export function validateDeviceData(data: DeviceData, variables: number): void {
  const m = data.y.length;
  if (m < 1) throw new NlsqRangeError('createModelEvaluator: data.y must hold at least one point, got 0', 'data.y', 'ERR_SHAPE');
  if (data.x.length !== variables) {
    throw new NlsqRangeError(
      `createModelEvaluator: data.x must have ${variables} column(s) (one per model variable), got ${data.x.length}`,
      'data.x',
      'ERR_SHAPE',
    );
  }
  data.x.forEach((col, v) => {
    if (col.length !== m) {
      throw new NlsqRangeError(
        `createModelEvaluator: data.x[${v}] must have length ${m} (one per ydata value), got ${col.length}`,
        'data.x',
        'ERR_SHAPE',
      );
    }
  });
  if (data.w !== null && data.w.length !== m) {
    throw new NlsqRangeError(
      `createModelEvaluator: data.w must have length ${m} (one per ydata value), got ${data.w.length}`,
      'data.w',
      'ERR_SHAPE',
    );
  }
}
