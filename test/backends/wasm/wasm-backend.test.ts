import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../../src/backends/cpu/cpu-backend.ts';
import { REDUCE_CHUNK, createWasmBackend, wasmSupport } from '../../../src/backends/wasm/index.ts';

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
