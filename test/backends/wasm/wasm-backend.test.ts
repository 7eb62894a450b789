import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../../src/backends/cpu/cpu-backend.ts';
import { REDUCE_CHUNK, createWasmBackend, wasmSupport } from '../../../src/backends/wasm/wasm-backend.ts';
import type { KernelExports } from '../../../src/backends/wasm/wasm-module.ts';
import type { WasmBackend } from '../../../src/backends/wasm/wasm-backend.ts';

const support = await wasmSupport();
const cpu = createCpuBackend();

describe('wasmSupport', () => {
  it('reports both builds in this Node (SIMD since Node 16)', () => {
    expect(support).toEqual({ simd: true, scalar: true });
  });
});

describe.skipIf(!support.scalar)('createWasmBackend', () => {
  it('picks the SIMD build by default and the scalar one on request, with the documented info', async () => {
    const simd = await createWasmBackend();
    const scalar = await createWasmBackend({ simd: false });
    expect(simd.info).toMatchObject({ name: 'wasm-simd', family: 'wasm', precision: 'f64', synchronous: true, speedClass: 2, runsClosures: true, software: false, memoryBytes: 2 ** 32 });
    expect(scalar.info).toMatchObject({ name: 'wasm-scalar', speedClass: 1.5 });
    expect(simd.info.maxBufferBytes).toBeLessThanOrEqual(2 ** 32);
  });

  it('rejects a non-boolean simd option with a message naming it', async () => {
    await expect(createWasmBackend({ simd: 'yes' as unknown as boolean })).rejects.toThrow(/createWasmBackend: simd must be a boolean or omitted, got "yes"/);
  });

  it('keeps two instances independent (separate memories)', async () => {
    const a = await createWasmBackend();
    const b = await createWasmBackend();
    const wa = a.createWorkspace(4, 2);
    const wb = b.createWorkspace(4, 2);
    wa.data().fill(3);
    expect(wb.data().every((x) => x === 0)).toBe(true);
    expect(() => b.foldRows(new Float64Array(4), wa, 4)).toThrow(/wasm-simd.foldRows: ws must be a live workspace created by this backend/);
    expect(() => a.foldRows(new Float64Array(4), cpu.createWorkspace(4, 2), 4)).toThrow(/ws must be a live workspace/);
  });

  it('rejects a released workspace, a row count beyond capacity and a short triangle', async () => {
    const w = await createWasmBackend();
    const ws = w.createWorkspace(4, 3);
    expect(() => w.foldRows(new Float64Array(9), ws, 5)).toThrow(/rows must be an integer in \[0, 4\], got 5/);
    expect(() => w.gram(new Float64Array(4), ws, 2)).toThrow(/the triangle must have length 9 \(cols²\), got 4/);
    w.releaseWorkspace(ws);
    expect(() => w.foldRows(new Float64Array(9), ws, 1)).toThrow(/live workspace/);
  });

  it('folds more than 64 columns (the scratch is reallocated) like the CPU backend', async () => {
    const w = await createWasmBackend();
    const c = 70, m = 500; // several column-major sub-blocks (subRows(70) = 58) and a remainder
    const src = Float64Array.from({ length: m * c }, (_, i) => Math.cos(i * 0.77) + (i % 5));
    const ws = w.createWorkspace(m, c);
    ws.data().set(src);
    const T = new Float64Array(c * c);
    w.foldRows(T, ws, m);
    const cw = cpu.createWorkspace(m, c);
    cw.data().set(src);
    const ref = new Float64Array(c * c);
    cpu.foldRows(ref, cw, m);
    for (let i = 0; i < c; i++) expect(Math.abs(T[i * c + i]!)).toBeCloseTo(Math.abs(ref[i * c + i]!), 8);
  });

  it('reduces plain arrays longer than a chunk, and mixes resident and plain operands in dot', async () => {
    const w = await createWasmBackend();
    const n = 3 * REDUCE_CHUNK + 17;
    const a = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
    const ws = w.createWorkspace(n, 1);
    ws.data().set(a);
    expect(w.sumSquares(a, 5, n - 5)).toBeCloseTo(cpu.sumSquares(a, 5, n - 5), 9);
    expect(w.sumSquares(a, 1, (n - 2) >> 1, 2)).toBeCloseTo(cpu.sumSquares(a, 1, (n - 2) >> 1, 2), 9);
    expect(w.dot(a, ws.data(), 3, n - 3)).toBeCloseTo(cpu.dot(a, a, 3, n - 3), 9);
    expect(w.dot(ws.data(), a, 3, n - 3)).toBeCloseTo(cpu.dot(a, a, 3, n - 3), 9);
    a[n - 2] = -7;
    expect(w.maxAbs(a, 0, n)).toBe(7);
    a[REDUCE_CHUNK + 1] = NaN;
    expect(w.maxAbs(a, 0, n)).toBeNaN();
  });

  it('refuses a resident view range that would read past the array', async () => {
    const w = await createWasmBackend();
    const ws = w.createWorkspace(10, 1);
    expect(() => w.sumSquares(ws.data(), 5, 6)).toThrow(/wasm-simd.sumSquares: offset 5, n 6, stride 1 must index inside the array of length 10/);
    expect(() => w.maxAbs(ws.data(), 0, 11)).toThrow(/must index inside/);
  });
});

describe.skipIf(!support.scalar)('kernel foldColumnMajorDots (the fused Jacobian pass fold)', () => {
  /**
   * Σ x_i y_i in the order of the build's `dotv` (assembly/fold.ts): SIMD — lanes (i, i + 1) into
   * s0 and (i + 2, i + 3) into s1 per 4 rows, a last pair into s0, then (s0 + s1) lane 0 + lane 1;
   * scalar — even rows into s0, odd into s1, then s0 + s1. n is even.
   */
  function dotvOrder(x: Float64Array, y: Float64Array, n: number, simd: boolean): number {
    if (!simd) {
      let s0 = 0, s1 = 0;
      for (let i = 0; i < n; i += 2) { s0 += x[i]! * y[i]!; s1 += x[i + 1]! * y[i + 1]!; }
      return s0 + s1;
    }
    const s0 = [0, 0], s1 = [0, 0];
    let i = 0;
    for (; i + 4 <= n; i += 4) for (let l = 0; l < 2; l++) { s0[l] += x[i + l]! * y[i + l]!; s1[l] += x[i + 2 + l]! * y[i + 2 + l]!; }
    if (i < n) for (let l = 0; l < 2; l++) s0[l] += x[i + l]! * y[i + l]!;
    return (s0[0]! + s1[0]!) + (s0[1]! + s1[1]!);
  }

  it.each([[1, 2], [2, 7], [4, 1024], [4, 1023], [5, 301], [9, 64]])('c = %i, m = %i: given the first-column dot products, bitwise the fold of the row-major block', async (c, m) => {
    for (const simd of [true, false]) {
      const backend = (await createWasmBackend({ simd })) as WasmBackend;
      const { exports, heap } = backend.modelHost();
      const k = exports as unknown as KernelExports;
      const ms = (m + 1) & ~1;
      let seed = 7 * c + m;
      const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) - 0.5;
      const rows = Float64Array.from({ length: m * c }, rand);
      const T0 = Float64Array.from({ length: c * c }, (_, i) => (i % c >= Math.floor(i / c) ? rand() : 0));
      const A = heap.allocate(m * c * 8, 'test'), X = heap.allocate(c * ms * 8, 'test');
      const T1 = heap.allocate(c * c * 8, 'test'), T2 = heap.allocate(c * c * 8, 'test');
      const w1 = heap.allocate(k.foldScratchDoubles(c) * 8, 'test'), w2 = heap.allocate(k.foldScratchDoubles(c) * 8, 'test');
      const f = heap.f64();
      f.set(rows, A.ptr / 8);
      f.set(T0, T1.ptr / 8);
      f.set(T0, T2.ptr / 8);
      const cols = Array.from({ length: c }, (_, j) => Float64Array.from({ length: ms }, (_, i) => (i < m ? rows[i * c + j]! : 0)));
      cols.forEach((col, j) => f.set(col, X.ptr / 8 + j * ms));
      cols.forEach((col, j) => { f[(w2.ptr + k.foldDotsOffset(c)) / 8 + j] = dotvOrder(cols[0]!, col, ms, simd); });
      k.fold(T1.ptr, A.ptr, m, c, w1.ptr);
      k.foldColumnMajorDots(T2.ptr, X.ptr, ms, c, w2.ptr);
      expect(Array.from(f.subarray(T2.ptr / 8, T2.ptr / 8 + c * c))).toEqual(Array.from(f.subarray(T1.ptr / 8, T1.ptr / 8 + c * c)));
      for (const a of [A, X, T1, T2, w1, w2]) heap.release(a);
    }
  });
});
