/**
 * The wasm backend's reductions (sum of squares, dot, max-abs) over arrays wherever they live.
 *
 * Arrays that already live in the module's memory (`a.buffer === memory.buffer`, e.g. a
 * workspace view) are reduced zero-copy, after a bounds check (a kernel would otherwise read
 * whatever lies past the view). Other arrays are copied in chunks of {@link REDUCE_CHUNK}
 * elements into a preallocated buffer; the chunks' partial sums are combined pairwise, so the
 * error stays O(ε log n). A strided `sumSquares` on a foreign array runs the CPU kernel instead
 * (gathering the strided elements would cost as much as summing them).
 *
 * @module
 */
import { pairwiseSumSquares } from '../cpu/pairwise-sum.ts';
import { NlsqRangeError } from '../../errors.ts';
import type { Allocation, WasmHeap } from './wasm-memory.ts';
import type { KernelExports } from './wasm-module.ts';

/** Elements per chunk when a reduction copies a foreign array into wasm memory. */
export const REDUCE_CHUNK = 16384;

/** Reductions of one backend instance; `chunks` must hold 2 · REDUCE_CHUNK doubles. */
export class WasmReductions {
  private readonly k: KernelExports;
  private readonly heap: WasmHeap;
  private readonly bufA: number;
  private readonly bufB: number;
  private readonly name: string;

  /**
   * @param k - the kernel instance.
   * @param heap - its heap.
   * @param chunks - a block of 2 · {@link REDUCE_CHUNK} doubles for the copies.
   * @param name - backend name for error messages.
   */
  constructor(k: KernelExports, heap: WasmHeap, chunks: Allocation, name: string) {
    this.k = k;
    this.heap = heap;
    this.bufA = chunks.ptr;
    this.bufB = chunks.ptr + REDUCE_CHUNK * 8;
    this.name = name;
  }

  /** Σ a[offset + i·stride]², pairwise. */
  sumSquares(a: Float64Array, offset: number, n: number, stride: number): number {
    if (n <= 0) return 0;
    if (this.resident(a)) {
      this.inView(a, offset, n, stride, 'sumSquares');
      return this.k.sumSquares(a.byteOffset + offset * 8, n, stride);
    }
    if (stride !== 1) return pairwiseSumSquares(a, offset, n, stride);
    return pairwiseTotal(this.chunked(a, null, offset, n, (p, _b, len) => this.k.sumSquares(p, len, 1)));
  }

  /** Σ a[offset + i]·b[offset + i], pairwise. */
  dot(a: Float64Array, b: Float64Array, offset: number, n: number): number {
    if (n <= 0) return 0;
    if (this.resident(a)) this.inView(a, offset, n, 1, 'dot');
    if (this.resident(b)) this.inView(b, offset, n, 1, 'dot');
    if (this.resident(a) && this.resident(b)) return this.k.dot(a.byteOffset + offset * 8, b.byteOffset + offset * 8, n);
    return pairwiseTotal(this.chunked(a, b, offset, n, (pa, pb, len) => this.k.dot(pa, pb, len)));
  }

  /** max |a[offset + i]|; NaN if any is NaN; 0 when n = 0. */
  maxAbs(a: Float64Array, offset: number, n: number): number {
    if (n <= 0) return 0;
    if (this.resident(a)) {
      this.inView(a, offset, n, 1, 'maxAbs');
      return this.k.maxAbs(a.byteOffset + offset * 8, n);
    }
    const parts = this.chunked(a, null, offset, n, (p, _b, len) => this.k.maxAbs(p, len));
    return parts.reduce((m, v) => (v > m || v !== v ? v : m), 0);
  }

  private resident(a: Float64Array): boolean {
    return a.buffer === this.k.memory.buffer;
  }

  /** Bounds check before handing a resident view to a kernel. */
  private inView(a: Float64Array, offset: number, n: number, stride: number, who: string): void {
    const last = offset + (n - 1) * stride;
    if (!Number.isInteger(offset) || !Number.isInteger(stride) || stride < 1 || offset < 0 || last >= a.length) {
      throw new NlsqRangeError(`${this.name}.${who}: offset ${offset}, n ${n}, stride ${stride} must index inside the array of length ${a.length}`, 'offset');
    }
  }

  /** Run `f(ptrA, ptrB, len)` over chunks of a (and b), copying foreign chunks in; the partial results. */
  private chunked(a: Float64Array, b: Float64Array | null, offset: number, n: number, f: (pa: number, pb: number, len: number) => number): number[] {
    const parts: number[] = [];
    const ra = this.resident(a);
    const rb = b !== null && this.resident(b);
    for (let s = 0; s < n; s += REDUCE_CHUNK) {
      const len = Math.min(REDUCE_CHUNK, n - s);
      const from = offset + s;
      const mem = this.heap.f64();
      if (!ra) mem.set(a.subarray(from, from + len), this.bufA / 8);
      if (b && !rb) mem.set(b.subarray(from, from + len), this.bufB / 8);
      const pa = ra ? a.byteOffset + from * 8 : this.bufA;
      const pb = rb ? b!.byteOffset + from * 8 : this.bufB;
      parts.push(f(pa, pb, len));
    }
    return parts;
  }
}

/** Pairwise sum of a short list of partial results. */
function pairwiseTotal(parts: readonly number[], lo = 0, hi = parts.length): number {
  if (hi - lo === 1) return parts[lo]!;
  if (hi <= lo) return 0;
  const mid = (lo + hi) >> 1;
  return pairwiseTotal(parts, lo, mid) + pairwiseTotal(parts, mid, hi);
}
