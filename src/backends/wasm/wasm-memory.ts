/**
 * Linear-memory management for the wasm backend: a first-fit allocator over the module's memory,
 * growing it with `memory.grow` when needed, and views that are rebuilt after a grow.
 *
 * A grow replaces `memory.buffer` (the old ArrayBuffer is detached, its views read as length 0),
 * so every view is handed out by {@link WasmHeap.f64} against the current buffer, and
 * {@link WasmWorkspace.data} rebuilds its view when the buffer changed.
 *
 * @module
 */
import type { Workspace } from '../backend.ts';
import { BackendUnavailableError, NlsqRangeError } from '../../errors.ts';

/** Bytes in a wasm page. */
const PAGE = 65536;
/** wasm32 can address at most 65536 pages = 4 GiB. */
const MAX_PAGES = 65536;
/** Allocation granularity (v128 alignment). */
const ALIGN = 16;
/** Slack bytes after every allocation (no kernel reads past its rows; this guards future ones). */
const PAD = 16;

/** A block of linear memory: `[ptr, ptr + bytes)`. */
export interface Allocation {
  readonly ptr: number;
  readonly bytes: number;
}

/** A first-fit allocator over one instance's linear memory (one per backend, never shared). */
export class WasmHeap {
  readonly memory: WebAssembly.Memory;
  /** Free ranges [start, end), sorted by start, coalesced. */
  private readonly free: [number, number][] = [];
  private top: number;
  private view: Float64Array;

  /**
   * @param memory - the instance's memory.
   * @param base - first usable byte (the module's heap base).
   */
  constructor(memory: WebAssembly.Memory, base: number) {
    this.memory = memory;
    this.top = align(base);
    this.view = new Float64Array(memory.buffer);
  }

  /** A Float64Array over the whole current memory (rebuilt after a grow); index = byte offset / 8. */
  f64(): Float64Array {
    if (this.view.buffer !== this.memory.buffer) this.view = new Float64Array(this.memory.buffer);
    return this.view;
  }

  /**
   * Allocate `bytes` (16-byte aligned, padded), growing memory if needed.
   * @throws NlsqRangeError when memory cannot grow that far (4 GiB wasm32 limit or host refusal).
   */
  allocate(bytes: number, caller: string): Allocation {
    const size = align(bytes + PAD);
    for (let i = 0; i < this.free.length; i++) {
      const [start, end] = this.free[i]!;
      if (end - start < size) continue;
      if (end - start === size) this.free.splice(i, 1);
      else this.free[i] = [start + size, end];
      return { ptr: start, bytes: size };
    }
    const ptr = this.top;
    this.ensure(ptr + size, caller);
    this.top = ptr + size;
    return { ptr, bytes: size };
  }

  /** Bytes currently allocated (below the top and not on the free list). */
  get liveBytes(): number {
    let freeBytes = 0;
    for (const [start, end] of this.free) freeBytes += end - start;
    return this.top - freeBytes;
  }

  /** Return a block to the free list (coalescing neighbours and the top). */
  release(a: Allocation): void {
    let start = a.ptr;
    let end = a.ptr + a.bytes;
    let i = 0;
    while (i < this.free.length && this.free[i]![0] < start) i++;
    const prev = this.free[i - 1];
    if (prev && prev[1] === start) {
      start = prev[0];
      this.free.splice(--i, 1);
    }
    const next = this.free[i];
    if (next && next[0] === end) {
      end = next[1];
      this.free.splice(i, 1);
    }
    if (end === this.top) this.top = start;
    else this.free.splice(i, 0, [start, end]);
  }

  private ensure(byteEnd: number, caller: string): void {
    const have = this.memory.buffer.byteLength;
    if (byteEnd <= have) return;
    const pages = Math.ceil((byteEnd - have) / PAGE);
    if (have / PAGE + pages > MAX_PAGES) {
      throw new NlsqRangeError(`${caller}: needs ${byteEnd} bytes of wasm memory, more than the 4 GiB wasm32 limit`, 'bytes');
    }
    try {
      this.memory.grow(pages);
    } catch (cause) {
      throw new NlsqRangeError(`${caller}: could not grow wasm memory to ${byteEnd} bytes (the host refused)`, 'bytes', 'ERR_RANGE', { cause });
    }
  }
}

/** A workspace living in wasm memory; its view is rebuilt whenever memory has grown. */
export class WasmWorkspace implements Workspace {
  readonly cols: number;
  readonly capacity: number;
  /** The allocation backing it; null once released. */
  allocation: Allocation | null;
  private readonly heap: WasmHeap;
  private view: Float64Array;

  /**
   * @param heap - the owning backend's heap.
   * @param allocation - the block holding capacity · cols doubles.
   * @param capacity - rows.
   * @param cols - columns per row.
   */
  constructor(heap: WasmHeap, allocation: Allocation, capacity: number, cols: number) {
    this.heap = heap;
    this.allocation = allocation;
    this.capacity = capacity;
    this.cols = cols;
    this.view = this.makeView();
  }

  /** The current view (length capacity · cols); call again after any allocation. */
  data(): Float64Array {
    if (this.view.buffer !== this.heap.memory.buffer) this.view = this.makeView();
    return this.view;
  }

  /** Byte offset of row 0 in linear memory. */
  get ptr(): number {
    if (!this.allocation) throw new BackendUnavailableError('wasm workspace: used after releaseWorkspace');
    return this.allocation.ptr;
  }

  private makeView(): Float64Array {
    if (!this.allocation) return new Float64Array(0);
    return new Float64Array(this.heap.memory.buffer, this.allocation.ptr, this.capacity * this.cols);
  }
}

function align(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}
