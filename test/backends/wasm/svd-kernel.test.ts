/**
 * The kernel module's thin SVD (`assembly/svd.ts`, which the WASM batch engine's trf uses for its
 * trust-region step and covariance) is `thinSvd` of `src/linalg/small-linalg.ts` (ml-matrix's
 * Golub–Kahan–Reinsch) bit for bit: singular values, U and V, on square and 2p×p matrices —
 * rank-deficient, badly scaled and with tiny entries included.
 */
import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { createWasmBackend } from '../../../src/backends/backend-factories.ts';
import type { KernelExports } from '../../../src/backends/wasm/wasm-module.ts';
import type { WasmHeap } from '../../../src/backends/wasm/wasm-memory.ts';
import { thinSvd } from '../../../src/linalg/small-linalg.ts';

const host = ((await createWasmBackend()) as unknown as { modelHost(): { exports: KernelExports; heap: WasmHeap } }).modelHost();

/** The kernel's SVD of the rows×cols row-major `a`, as thinSvd returns it. */
function kernelSvd(a: Float64Array, rows: number, cols: number): { s: number[]; U: number[]; V: number[] } {
  const { exports, heap } = host;
  const blocks = [rows * cols, cols, cols * rows, cols * cols, cols, rows].map((d) => heap.allocate(8 * d, 'test'));
  const [A, S, UT, VT, E, W] = blocks.map((b) => b.ptr) as [number, number, number, number, number, number];
  const f = heap.f64();
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) f[A / 8 + i + j * rows] = a[i * cols + j]!;
  exports.svdThin(A, rows, cols, S, UT, VT, E, W, 1);
  const g = heap.f64();
  const s = Array.from(g.subarray(S / 8, S / 8 + cols));
  const U = Array.from({ length: rows * cols }, (_, q) => g[UT / 8 + (q % cols) * rows + Math.floor(q / cols)]!);
  const V = Array.from({ length: cols * cols }, (_, q) => g[VT / 8 + (q % cols) * cols + Math.floor(q / cols)]!);
  for (const b of blocks) heap.release(b);
  return { s, U, V };
}

const matrix = fc
  .record({ cols: fc.integer({ min: 1, max: 7 }), tall: fc.boolean(), scale: fc.integer({ min: -200, max: 200 }), seed: fc.integer() })
  .chain(({ cols, tall, scale }) =>
    fc.record({
      cols: fc.constant(cols),
      rows: fc.constant(tall ? 2 * cols : cols),
      entries: fc.array(fc.oneof(fc.double({ min: -1, max: 1, noNaN: true }), fc.constant(0)), { minLength: (tall ? 2 : 1) * cols * cols, maxLength: (tall ? 2 : 1) * cols * cols }),
      scale: fc.constant(scale),
    }),
  );

test.prop([matrix], { numRuns: 300 })('svdThin is thinSvd bit for bit', ({ rows, cols, entries, scale }) => {
  const a = Float64Array.from(entries, (v) => v * 2 ** scale);
  if (rows > 1) a.copyWithin(cols, 0, cols); // a repeated row: rank deficiency is common in the hat matrix's rows
  const ref = thinSvd(a, rows, cols);
  const got = kernelSvd(a, rows, cols);
  expect(got.s).toEqual(Array.from(ref.s));
  expect(got.U).toEqual(Array.from(ref.U));
  expect(got.V).toEqual(Array.from(ref.V));
});
