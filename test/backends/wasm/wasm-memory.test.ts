import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { WasmHeap, WasmWorkspace } from '../../../src/backends/wasm/wasm-memory.ts';

const freshHeap = () => new WasmHeap(new WebAssembly.Memory({ initial: 1, maximum: 1024 }), 100);

describe('WasmHeap', () => {
  it('hands out 16-byte aligned, padded, non-overlapping blocks above the base', () => {
    const heap = freshHeap();
    const a = heap.allocate(24, 't');
    const b = heap.allocate(8, 't');
    expect(a.ptr % 16).toBe(0);
    expect(a.ptr).toBeGreaterThanOrEqual(100);
    expect(a.bytes).toBeGreaterThanOrEqual(24 + 16);
    expect(b.ptr).toBeGreaterThanOrEqual(a.ptr + a.bytes);
  });

  it('grows memory when needed and detaches old buffers, which f64() replaces', () => {
    const heap = freshHeap();
    const before = heap.f64();
    const big = heap.allocate(5 * 65536, 't');
    expect(heap.memory.buffer.byteLength).toBeGreaterThanOrEqual(big.ptr + big.bytes);
    expect(before.length).toBe(0); // detached by the grow
    expect(heap.f64().length * 8).toBe(heap.memory.buffer.byteLength);
  });

  it('throws RangeError when the memory cannot grow', () => {
    const heap = freshHeap();
    expect(() => heap.allocate(2000 * 65536, 'who')).toThrow(/who: could not grow wasm memory/);
  });

  test.prop([fc.array(fc.tuple(fc.integer({ min: 1, max: 5000 }), fc.boolean()), { maxLength: 40 })], { numRuns: 50 })(
    'live blocks never overlap and released space is reused',
    (ops) => {
      const heap = freshHeap();
      const live: { ptr: number; bytes: number }[] = [];
      for (const [size, release] of ops) {
        if (release && live.length) heap.release(live.splice(size % live.length, 1)[0]!);
        else live.push(heap.allocate(size, 't'));
        const sorted = [...live].sort((x, y) => x.ptr - y.ptr);
        for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.ptr).toBeGreaterThanOrEqual(sorted[i - 1]!.ptr + sorted[i - 1]!.bytes);
      }
      for (const a of live) heap.release(a);
      const again = heap.allocate(64, 't');
      expect(again.ptr).toBe(Math.ceil(100 / 16) * 16); // everything coalesced back
    },
  );
});

describe('WasmWorkspace', () => {
  it('rebuilds its view after a grow and keeps the contents', () => {
    const heap = freshHeap();
    const ws = new WasmWorkspace(heap, heap.allocate(80, 't'), 5, 2);
    ws.data().set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    heap.allocate(3 * 65536, 't');
    expect(Array.from(ws.data())).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(ws.data().buffer).toBe(heap.memory.buffer);
  });
});
