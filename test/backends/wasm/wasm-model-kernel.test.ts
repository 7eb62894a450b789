import { describe, expect, it, vi } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import type { Backend } from '../../../src/backends/backend.ts';
import { createCpuBackend } from '../../../src/backends/cpu/cpu-backend.ts';
import { createWasmBackend } from '../../../src/backends/wasm/wasm-backend.ts';
import { WasmHeap } from '../../../src/backends/wasm/wasm-memory.ts';
import { WASM_MODEL_CHUNK, createWasmModelKernel } from '../../../src/backends/wasm/wasm-model-kernel.ts';
import { NlsqRangeError } from '../../../src/errors.ts';
import type { DataColumns, ModelKernel } from '../../../src/model/model-kernel.ts';
import { model } from '../../../src/model/model.ts';
import { EXPRESSIONS } from '../../nist/expressions.ts';
import { FUNCTION_CASES, rng } from './wasm-test-support.ts';

const wasm = await createWasmBackend();
const scalar = await createWasmBackend({ simd: false });


function randomData(k: number, n: number, rand: () => number, lo: number, hi: number, weights: boolean): DataColumns {
  const col = () => Float64Array.from({ length: n }, () => lo + (hi - lo) * rand());
  return { x: Array.from({ length: k }, col), y: col(), w: weights ? Float64Array.from({ length: n }, () => 0.5 + rand()) : null };
}

/**
 * a and b agree: both NaN, equal (incl. ±∞), or |a − b| ≤ tol·(|b| + scale) where scale is the
 * largest |entry| of that column (guards entries that cancel to near zero).
 */
function expectClose(a: Float64Array, b: Float64Array, cols: number, tol = 1e-13): void {
  expect(a.length).toBe(b.length);
  const scale = new Float64Array(cols);
  for (let i = 0; i < b.length; i++) if (Number.isFinite(b[i]!)) scale[i % cols] = Math.max(scale[i % cols]!, Math.abs(b[i]!));
  for (let i = 0; i < b.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (Number.isNaN(y) || !Number.isFinite(y)) {
      if (!Object.is(x, y)) expect.fail(`entry ${i} (col ${i % cols}): wasm ${x}, js ${y}`);
      continue;
    }
    if (!(Math.abs(x - y) <= tol * (Math.abs(y) + scale[i % cols]! * 1e-3) || x === y)) expect.fail(`entry ${i} (col ${i % cols}): wasm ${x}, js ${y}, rel ${Math.abs(x - y) / Math.abs(y)}`);
  }
}

/** The model of an expression; `x1`, `x2` are variables where they appear (NIST Nelson). */
const modelOf = (expr: string) => model(expr, /\bx1\b/.test(expr) ? { variables: ['x1', 'x2'] } : {});

function compare(expr: string, theta: number[], data: DataColumns, start: number, n: number, tol = 1e-13, backend = wasm, simd?: boolean): void {
  const m = modelOf(expr);
  const js = m.createKernel();
  const wk = createWasmModelKernel(m.program, backend, simd === undefined ? {} : { simd });
  expect(wk).not.toBeNull();
  const p = m.params.length;
  const th = Float64Array.from(theta);
  const a = new Float64Array(n * (p + 1)).fill(-7);
  const b = new Float64Array(n * (p + 1)).fill(-7);
  wk!.residualRows(th, data, start, n, a, 0);
  js.residualRows(th, data, start, n, b, 0);
  expectClose(a, b, p + 1, tol);
  const ra = new Float64Array(n);
  const rb = new Float64Array(n);
  wk!.residuals(th, data, start, n, ra, 0, 1);
  js.residuals(th, data, start, n, rb, 0, 1);
  expectClose(ra, rb, 1, tol);
  wk!.dispose();
}

describe('createWasmModelKernel', () => {
  it('returns null for a backend that is not a wasm backend', () => {
    expect(createWasmModelKernel(model('a*x').program, createCpuBackend())).toBeNull();
  });

  it('writes [w·∂f/∂θ, w·(f − y)] rows and residuals at the requested offset, window and stride', () => {
    const m = model('a*exp(-b*x) + c');
    const k = createWasmModelKernel(m.program, wasm)!;
    expect([k.nParams, k.nVariables, k.analyticJacobian]).toEqual([3, 1, true]);
    const d: DataColumns = { x: [Float64Array.of(0, 1, 2, 3)], y: Float64Array.of(1, 2, 3, 4), w: Float64Array.of(1, 2, 0.5, 4) };
    const out = new Float64Array(2 + 2 * 4).fill(-7);
    k.residualRows(Float64Array.of(2, 0.5, 1), d, 1, 2, out, 2);
    const ref = new Float64Array(2 + 2 * 4).fill(-7);
    m.createKernel().residualRows(Float64Array.of(2, 0.5, 1), d, 1, 2, ref, 2);
    expectClose(out, ref, 1);
    expect([out[0], out[1]]).toEqual([-7, -7]);
    const res = new Float64Array(6).fill(-7);
    k.residuals(Float64Array.of(2, 0.5, 1), d, 1, 2, res, 1, 3);
    expect(res[1]).toBeCloseTo(out[5]!, 15);
    expect(res[4]).toBeCloseTo(out[9]!, 15);
    expect([res[0], res[2], res[3], res[5]]).toEqual([-7, -7, -7, -7]);
    k.dispose();
    k.dispose();
    expect(() => k.residuals(Float64Array.of(2, 0.5, 1), d, 1, 2, res, 1, 3)).toThrow(/after dispose/);
  });

  it.each(Object.entries(EXPRESSIONS))('agrees with the JS kernel on NIST %s', (_, expr) => {
    const m = modelOf(expr);
    const rand = rng(expr.length * 7919 + m.params.length);
    const theta = m.params.map(() => 0.5 + 1.5 * rand());
    const data = randomData(m.variables.length, 300, rand, 0.5, 3, true);
    compare(expr, theta, data, 17, 250);
    compare(expr, theta, data, 0, 300, 1e-13, scalar);
    compare(expr, theta, data, 1, 299, 1e-13, wasm, false);
  });

  it('picks the f64x2 module on wasm-simd and the scalar one on wasm-scalar; simd: true needs wasm-simd', () => {
    expect(wasm.info.name).toBe('wasm-simd');
    const prog = model('a*exp(-b*x) + c').program;
    expect(createWasmModelKernel(prog, scalar, { simd: true })).toBeNull();
    const forced = createWasmModelKernel(prog, wasm, { simd: true });
    expect(forced).not.toBeNull();
    forced!.dispose();
    const plain = createWasmModelKernel(prog, scalar, { simd: false });
    expect(plain).not.toBeNull();
    plain!.dispose();
  });

  it.each([1, 2, 3, 2047, 2049, 2 * WASM_MODEL_CHUNK + 1])('agrees with the JS kernel on windows of odd and even length (n = %i), both module forms', (n) => {
    const rand = rng(n);
    for (const expr of ['a*exp(-b*x) + c', 'a*exp(-(x - mu)^2/(2*s^2)) + b0 + b1*x', 'sign(x - a)*b + min(x, c)*hypot(x, a)']) {
      const m = model(expr);
      const theta = m.params.map(() => 0.5 + rand());
      const data = randomData(1, n + 3, rand, -3, 3, n % 2 === 1);
      compare(expr, theta, data, 3, n, 1e-13, wasm, true);
      compare(expr, theta, data, 3, n, 1e-13, wasm, false);
      compare(expr, theta, data, 0, n, 1e-13, scalar);
    }
  });

  it.each(FUNCTION_CASES)('agrees with the JS kernel on %s (f64x2 and scalar modules)', (expr, lo, hi) => {
    const m = model(expr);
    const rand = rng(expr.length * 31 + 5);
    for (let trial = 0; trial < 4; trial++) {
      const theta = m.params.map(() => 0.4 + 1.6 * rand());
      const data = randomData(m.variables.length, 257, rand, lo, hi, trial % 2 === 0);
      compare(expr, theta, data, 0, 257, 1e-13, wasm, true);
      compare(expr, theta, data, 0, 257, 1e-13, wasm, false);
      compare(expr, theta, data, 1, 256, 1e-13, scalar);
    }
  });

  it('matches the JS kernel on non-finite data and special points (NaN stays NaN, ±0, ±∞, ties)', () => {
    const xs = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 2, 1e-310, 800, -800];
    const d: DataColumns = { x: [Float64Array.from(xs)], y: new Float64Array(xs.length), w: null };
    for (const [expr, theta] of [
      ['a*exp(-b*x) + c', [1, 1, 0]],
      ['sign(x - a)*b', [0, 1]],
      ['abs(x - a)*b', [0, 1]],
      ['min(x, a) + max(x, b)', [1, 1]],
      ['(x - a)^7*b', [0, 1]],
      ['(x - a)^b', [0, 0.5]],
      ['(x - a)^b', [1, 0]],
      ['hypot(x, a) + atan2(x, b)', [NaN, 0]],
      ['erf(x*a) + erfc(x*b)', [1, 1]],
      ['log(x*a)', [1]],
    ] as [string, number[]][]) {
      compare(expr, theta, d, 0, xs.length);
      compare(expr, theta, d, 1, xs.length - 1, 1e-13, wasm, false);
      compare(expr, theta, d, 0, xs.length, 1e-13, scalar);
    }
    compare('a*exp(-b*x) + c', [NaN, 1, 0], d, 0, xs.length);
  });

  it('pow follows JavaScript, not C: 1^NaN and (±1)^±∞ are NaN', () => {
    const d: DataColumns = { x: [Float64Array.of(1, 1, -1, 1, 2)], y: new Float64Array(5), w: null };
    const k = createWasmModelKernel(model('x^a').program, wasm)!;
    const out = new Float64Array(5);
    for (const a of [NaN, Infinity, -Infinity]) {
      k.residuals(Float64Array.of(a), d, 0, 4, out, 0, 1);
      expect(Array.from(out.subarray(0, 4)).map(Number.isNaN)).toEqual([true, true, true, true]);
    }
    k.dispose();
  });

  it('handles several variables (Nelson) and windows longer than one chunk', () => {
    const expr = EXPRESSIONS['Nelson']!;
    const rand = rng(42);
    const n = 2 * WASM_MODEL_CHUNK + 123;
    const data = randomData(2, n + 50, rand, 0.5, 3, true);
    expect(modelOf(expr).variables).toEqual(['x1', 'x2']);
    compare(expr, [2, 0.5, 0.3], data, 50, n);
  });

  it('writes straight into a workspace view and keeps working after wasm memory grows between calls', () => {
    const m = model('a*exp(-b*x) + c');
    const js = m.createKernel();
    const k = createWasmModelKernel(m.program, wasm)!;
    const n = WASM_MODEL_CHUNK + 7;
    const rand = rng(7);
    const data = randomData(1, n, rand, -2, 2, true);
    const th = Float64Array.of(1.5, 0.7, -0.2);
    const ref = new Float64Array(n * 4);
    js.residualRows(th, data, 0, n, ref, 0);
    const ws = wasm.createWorkspace(n + 3, 4);
    k.residualRows(th, data, 0, n, ws.data(), 12);
    expectClose(ws.data().slice(12), ref, 4);
    const before = (wasm as unknown as { modelHost(): { heap: { memory: WebAssembly.Memory } } }).modelHost().heap.memory.buffer.byteLength;
    const big = wasm.createWorkspace(1 << 20, 8); // 64 MiB: grows memory, detaching old views
    const after = (wasm as unknown as { modelHost(): { heap: { memory: WebAssembly.Memory } } }).modelHost().heap.memory.buffer.byteLength;
    expect(after).toBeGreaterThan(before);
    const view = ws.data();
    view.fill(0);
    k.residualRows(th, data, 0, n, view, 12);
    expectClose(view.slice(12), ref, 4);
    const res = new Float64Array(n);
    k.residuals(th, data, 0, n, res, 0, 1);
    expectClose(res, Float64Array.from({ length: n }, (_, i) => ref[i * 4 + 3]!), 1);
    // residuals with a stride, into wasm memory
    const rv = big.data();
    k.residuals(th, data, 0, n, rv, 5, 3);
    for (let i = 0; i < n; i++) expect(rv[5 + 3 * i]).toBe(res[i]);
    wasm.releaseWorkspace(big);
    wasm.releaseWorkspace(ws);
    k.dispose();
  });

  test.prop(
    [
      fc.integer({ min: 0, max: 3 * WASM_MODEL_CHUNK }),
      fc.integer({ min: 0, max: 40 }),
      fc.integer({ min: 0, max: 9 }),
      fc.integer({ min: 1, max: 4 }),
      fc.boolean(),
      fc.boolean(),
      fc.integer(),
    ],
    { numRuns: 40 },
  )('agrees with the JS kernel over random sizes, windows, offsets, strides and output placement', (n, start, outOffset, stride, weights, inWasm, seed) => {
    const m = model('a*exp(-((x - mu)/s)^2/2) + c + d*x');
    const js = m.createKernel();
    const k: ModelKernel = createWasmModelKernel(m.program, wasm)!;
    const rand = rng(seed);
    const data = randomData(1, start + n, rand, -5, 5, weights);
    const th = Float64Array.of(1 + rand(), 2 * rand() - 1, 0.5 + rand(), rand(), rand());
    const len = outOffset + n * 6;
    const rlen = outOffset + Math.max(0, n - 1) * stride + 1;
    const ref = new Float64Array(len).fill(3);
    js.residualRows!(th, data, start, n, ref, outOffset);
    const ws = inWasm ? wasm.createWorkspace(Math.max(len, rlen), 1) : null;
    const out = ws ? ws.data() : new Float64Array(Math.max(len, rlen));
    out.fill(3);
    k.residualRows!(th, data, start, n, out, outOffset);
    expectClose(out.slice(0, len), ref, 1, 1e-13);
    const rref = new Float64Array(rlen).fill(3);
    js.residuals(th, data, start, n, rref, outOffset, stride);
    const rout = out.subarray(0, rlen).fill(3);
    k.residuals(th, data, start, n, rout, outOffset, stride);
    expectClose(rout.slice(), rref, 1, 1e-13);
    if (ws) wasm.releaseWorkspace(ws);
    (k as unknown as { dispose(): void }).dispose();
  });
});

type Host = { modelHost(): { heap: WasmHeap } };
const heapOf = (b: Backend): WasmHeap => (b as unknown as Host).modelHost().heap;

/** Same doubles bit for bit (NaN matching NaN, ±0 distinguished). */
function sameBits(a: Float64Array, b: Float64Array, what: string): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < b.length; i++) if (!Object.is(a[i], b[i])) expect.fail(`${what}: entry ${i}: ${a[i]} vs ${b[i]}`);
}

/** Rows and strided residuals of a window, into a JS array or a workspace view (then copied out). */
function evaluate(k: ModelKernel, backend: Backend, th: Float64Array, data: DataColumns, start: number, n: number, inWasm: boolean, stride = 1): [Float64Array, Float64Array] {
  const cols = k.nParams + 1;
  const len = 3 + n * Math.max(cols, stride);
  const ws = inWasm ? backend.createWorkspace(len, 1) : null;
  const run = (fill: (out: Float64Array) => void): Float64Array => {
    const out = ws ? ws.data() : new Float64Array(len);
    out.fill(-7);
    fill(out);
    return out.slice();
  };
  const rows = run((out) => k.residualRows!(th, data, start, n, out, 3));
  const res = run((out) => k.residuals(th, data, start, n, out, 3, stride));
  if (ws) backend.releaseWorkspace(ws);
  return [rows, res];
}

describe('createWasmModelKernel with resident data', () => {
  const gauss = model('a*exp(-((x - mu)/s)^2/2) + c + d*x');
  const th = Float64Array.of(1.3, 0.2, 0.8, 0.1, -0.05);

  it.each([
    ['wasm-simd, f64x2', true],
    ['wasm-simd, scalar', false],
    ['wasm-scalar', undefined],
  ] as const)('gives the copy path\'s rows and residuals bit for bit on any window (%s)', (_, simd) => {
    const backend = simd === undefined ? scalar : wasm;
    const opts = simd === undefined ? {} : { simd };
    const rand = rng(99);
    for (const weights of [false, true]) {
      const data = randomData(1, 3 * WASM_MODEL_CHUNK + 5, rand, -5, 5, weights);
      const resident = createWasmModelKernel(gauss.program, backend, { ...opts, resident: data })!;
      const copied = createWasmModelKernel(gauss.program, backend, opts)!;
      expect(resident.residentBytes).toBeGreaterThanOrEqual((weights ? 3 : 2) * data.y.length * 8);
      expect(copied.residentBytes).toBe(0);
      for (const [start, n] of [[0, data.y.length], [1, 1], [7, 2], [3, 2 * WASM_MODEL_CHUNK + 1], [data.y.length - 3, 3], [11, 0]] as const) {
        for (const inWasm of [false, true]) {
          const a = evaluate(resident, backend, th, data, start, n, inWasm, 2);
          const b = evaluate(copied, backend, th, data, start, n, inWasm, 2);
          sameBits(a[0], b[0], `rows start ${start} n ${n}`);
          sameBits(a[1], b[1], `residuals start ${start} n ${n}`);
        }
      }
      resident.dispose();
      copied.dispose();
    }
  });

  it('keeps reading the resident columns after wasm memory grows between calls', () => {
    const rand = rng(5);
    const data = randomData(1, 5000, rand, -3, 3, true);
    const k = createWasmModelKernel(gauss.program, wasm, { resident: data })!;
    const ref = gauss.createKernel();
    const before = evaluate(k, wasm, th, data, 17, 4001, true);
    const big = wasm.createWorkspace(1 << 21, 8); // 128 MiB: grows memory
    const after = evaluate(k, wasm, th, data, 17, 4001, true);
    sameBits(after[0], before[0], 'rows');
    sameBits(after[1], before[1], 'residuals');
    const js = new Float64Array(after[0].length).fill(-7);
    ref.residualRows!(th, data, 17, 4001, js, 3);
    expectClose(after[0], js, 6);
    wasm.releaseWorkspace(big);
    k.dispose();
  });

  it('reads other data objects through the copy path; the same arrays without w use the resident columns unweighted', () => {
    const rand = rng(8);
    const data = randomData(1, 3000, rand, -3, 3, true);
    const other = randomData(1, 3000, rand, -3, 3, true);
    const k = createWasmModelKernel(gauss.program, wasm, { resident: data })!;
    const copied = createWasmModelKernel(gauss.program, wasm)!;
    for (const d of [
      other,
      { x: data.x, y: data.y, w: null },
      { x: data.x, y: other.y, w: data.w },
      { x: other.x, y: data.y, w: data.w },
      { x: data.x, y: data.y, w: other.w },
      { x: [data.x[0]!.slice()], y: data.y, w: data.w },
    ]) {
      for (const inWasm of [false, true]) {
        const a = evaluate(k, wasm, th, d, 5, 2500, inWasm);
        const b = evaluate(copied, wasm, th, d, 5, 2500, inWasm);
        sameBits(a[0], b[0], 'rows');
        sameBits(a[1], b[1], 'residuals');
      }
    }
    expect(evaluate(k, wasm, th, other, 5, 10, false)[1]).not.toEqual(evaluate(k, wasm, th, data, 5, 10, false)[1]);
    k.dispose();
    copied.dispose();
  });

  it('keeps the first y.length values of x columns longer than y, and reads them in place', () => {
    const rand = rng(9);
    const long = randomData(1, 400, rand, -3, 3, false);
    const data: DataColumns = { x: long.x, y: long.y.subarray(0, 300), w: null };
    const k = createWasmModelKernel(gauss.program, wasm, { resident: data })!;
    const copied = createWasmModelKernel(gauss.program, wasm)!;
    expect(k.residentBytes).toBeGreaterThanOrEqual(2 * 300 * 8);
    expect(k.residentBytes).toBeLessThan(2 * 400 * 8);
    const wide: DataColumns = { x: long.x, y: data.y, w: null };
    for (const [start, n] of [[0, 300], [250, 50], [299, 1]]) {
      sameBits(evaluate(k, wasm, th, wide, start, n, true)[0], evaluate(copied, wasm, th, wide, start, n, true)[0], `start ${start}`);
    }
    k.dispose();
    copied.dispose();
  });

  it('runs two kernels of one model on two backends independently', async () => {
    const other = await createWasmBackend();
    const rand = rng(11);
    const d1 = randomData(1, 3001, rand, -3, 3, false);
    const d2 = randomData(1, 2999, rand, -3, 3, true);
    const k1 = createWasmModelKernel(gauss.program, wasm, { resident: d1 })!;
    const k2 = createWasmModelKernel(gauss.program, other, { resident: d2 })!;
    const c1 = createWasmModelKernel(gauss.program, wasm)!;
    const c2 = createWasmModelKernel(gauss.program, other)!;
    for (let round = 0; round < 2; round++) {
      sameBits(evaluate(k1, wasm, th, d1, round, 3000, true)[0], evaluate(c1, wasm, th, d1, round, 3000, true)[0], 'backend 1');
      sameBits(evaluate(k2, other, th, d2, round, 2998, true)[0], evaluate(c2, other, th, d2, round, 2998, true)[0], 'backend 2');
    }
    for (const k of [k1, k2, c1, c2]) k.dispose();
  });

  it('returns the scratch and the resident data to the heap on dispose', () => {
    const heap = heapOf(wasm);
    const probe = (): [number, number] => {
      const small = heap.allocate(8, 'test');
      const large = heap.allocate(1 << 26, 'test');
      const at: [number, number] = [small.ptr, large.ptr];
      heap.release(large);
      heap.release(small);
      return at;
    };
    const before = probe();
    const data = randomData(2, 100_000, rng(3), -3, 3, true);
    const k = createWasmModelKernel(model('a*x1 + b*x2', { variables: ['x1', 'x2'] }).program, wasm, { resident: data })!;
    expect(k.residentBytes).toBeGreaterThanOrEqual(4 * 100_000 * 8);
    expect(probe()).not.toEqual(before);
    k.dispose();
    expect(probe()).toEqual(before);
  });

  it('silently keeps the copy path when the heap cannot hold the data', () => {
    const heap = heapOf(wasm);
    const spy = vi.spyOn(heap, 'allocate').mockImplementation(function (this: WasmHeap, bytes: number, who: string) {
      if (bytes > 1e6) throw new NlsqRangeError(`${who}: needs ${bytes} bytes of wasm memory, more than the 4 GiB wasm32 limit`, 'bytes');
      return WasmHeap.prototype.allocate.call(this, bytes, who);
    });
    try {
      const data = randomData(1, 100_000, rng(4), -3, 3, false);
      const k = createWasmModelKernel(gauss.program, wasm, { resident: data })!;
      expect(k).not.toBeNull();
      expect(k.residentBytes).toBe(0);
      const copied = createWasmModelKernel(gauss.program, wasm)!;
      sameBits(evaluate(k, wasm, th, data, 0, 100_000, false)[0], evaluate(copied, wasm, th, data, 0, 100_000, false)[0], 'rows');
      k.dispose();
      copied.dispose();
    } finally {
      spy.mockRestore();
    }
  });

  it('rejects resident data of the wrong shape, naming the argument', () => {
    const y = new Float64Array(10);
    expect(() => createWasmModelKernel(gauss.program, wasm, { resident: { x: [], y, w: null } })).toThrow(/createWasmModelKernel: resident\.x must have 1 column\(s\).*got 0/);
    expect(() => createWasmModelKernel(gauss.program, wasm, { resident: { x: [new Float64Array(9)], y, w: null } })).toThrow(/resident\.x\[0\] must have at least 10 values.*got 9/);
    expect(() => createWasmModelKernel(gauss.program, wasm, { resident: { x: [y], y, w: new Float64Array(3) } })).toThrow(/resident\.w must have at least 10 values.*got 3/);
    expect(() => createWasmModelKernel(gauss.program, wasm, { resident: { x: [], y, w: null } })).toThrow(NlsqRangeError);
  });

  test.prop(
    [
      fc.integer({ min: 0, max: 2 * WASM_MODEL_CHUNK + 3 }),
      fc.integer({ min: 0, max: 2 * WASM_MODEL_CHUNK + 3 }),
      fc.integer({ min: 1, max: 3 }),
      fc.boolean(),
      fc.boolean(),
      fc.boolean(),
      fc.integer(),
    ],
    { numRuns: 30 },
  )('resident and copied data agree bit for bit over random windows, strides, weights, forms and outputs', (a, b, stride, weights, inWasm, simd, seed) => {
    const total = Math.max(a, b) + 1;
    const [start, n] = [Math.min(a, b), Math.abs(a - b)];
    const data = randomData(1, total, rng(seed), -5, 5, weights);
    const resident = createWasmModelKernel(gauss.program, wasm, { simd, resident: data })!;
    const copied = createWasmModelKernel(gauss.program, wasm, { simd })!;
    const x = evaluate(resident, wasm, th, data, start, n, inWasm, stride);
    const y = evaluate(copied, wasm, th, data, start, n, inWasm, stride);
    sameBits(x[0], y[0], 'rows');
    sameBits(x[1], y[1], 'residuals');
    resident.dispose();
    copied.dispose();
  });

  it('a reserved block filled chunk by chunk (a worker receiving its share) reads like makeResident, bit for bit', () => {
    const rand = rng(31);
    for (const weights of [false, true]) {
      const data = randomData(1, 3 * WASM_MODEL_CHUNK + 7, rand, -5, 5, weights);
      const n = data.y.length;
      const whole = createWasmModelKernel(gauss.program, wasm, { resident: data })!;
      const chunked = createWasmModelKernel(gauss.program, wasm)!;
      const standIn = chunked.reserveResident(n, weights);
      expect(chunked.residentBytes).toBeGreaterThanOrEqual((weights ? 3 : 2) * n * 8);
      const columns = [...data.x, data.y, ...(data.w === null ? [] : [data.w])];
      for (let from = 0; from < n; from += 1000) { // chunks of 1000 rows, the last one short
        const count = Math.min(1000, n - from);
        const chunk = new Float64Array(columns.length * count);
        columns.forEach((c, j) => chunk.set(c.subarray(from, from + count), j * count));
        chunked.loadResident(from, count, chunk);
      }
      expect(Array.from(chunked.residentColumn(1)!)).toEqual(Array.from(data.y));
      expect(chunked.residentColumn(2) === null).toBe(!weights);
      for (const [start, len] of [[0, n], [7, 2], [3, 2 * WASM_MODEL_CHUNK + 1]] as const) {
        for (const inWasm of [false, true]) {
          const a = evaluate(chunked, wasm, th, standIn, start, len, inWasm, 2);
          const b = evaluate(whole, wasm, th, data, start, len, inWasm, 2);
          sameBits(a[0], b[0], `rows start ${start}`);
          sameBits(a[1], b[1], `residuals start ${start}`);
        }
      }
      const T1 = new Float64Array(36);
      const T2 = new Float64Array(36);
      expect(chunked.foldRows(th, standIn, 0, n, T1)).toBe(whole.foldRows(th, data, 0, n, T2));
      sameBits(T1, T2, 'triangle');
      expect(() => chunked.loadResident(n - 2, 3, new Float64Array(3 * columns.length))).toThrow(NlsqRangeError);
      expect(() => chunked.reserveResident(n, weights)).toThrow(NlsqRangeError);
      whole.dispose();
      chunked.dispose();
    }
  });
});


describe('WasmModelKernel.foldRows (the fused Jacobian pass)', () => {
  /** Reference: residualRows into a workspace, Σ r², backend.foldRows. */
  function reference(kernel: ModelKernel, backend: Backend, theta: Float64Array, data: DataColumns, start: number, n: number, c: number) {
    const ws = backend.createWorkspace(Math.max(n, 1), c);
    const rows = new Float64Array(n * c);
    kernel.residualRows!(theta, data, start, n, rows, 0);
    ws.data().set(rows);
    let ssq = 0;
    for (let i = 0; i < n; i++) ssq += rows[i * c + c - 1]! ** 2;
    const T = new Float64Array(c * c);
    backend.foldRows(T, ws, n);
    backend.releaseWorkspace(ws);
    return { T, ssq };
  }

  /** RᵀR of an upper triangle (row signs do not matter). */
  function gramOf(T: Float64Array, c: number): Float64Array {
    const G = new Float64Array(c * c);
    for (let i = 0; i < c; i++) for (let j = 0; j < c; j++) for (let k = 0; k < c; k++) G[i * c + j] += T[k * c + i]! * T[k * c + j]!;
    return G;
  }

  it.each([
    ['a*exp(-b*x) + c', [2.5, 1.3, 0.4], 1],
    ['a*exp(-(x - mu)^2/(2*s^2)) + b0 + b1*x', [4, 1.5, 0.8, 1, 0.3], 1],
  ])('%s: the same triangle and Σ r² as residualRows + foldRows, on both builds, resident or copied, any window', (expr, theta, k) => {
    const m = model(expr, { params: expr.startsWith('a*exp(-(') ? ['a', 'mu', 's', 'b0', 'b1'] : undefined });
    const rand = rng(5);
    for (const backend of [wasm, scalar]) {
      for (const weights of [false, true]) {
        const data = randomData(k, 5000, rand, -2, 3, weights);
        for (const resident of [false, true]) {
          const kernel = createWasmModelKernel(m.program, backend, resident ? { resident: data } : {})!;
          const c = kernel.nParams + 1;
          for (const [start, n] of [[0, 1], [7, 3], [0, 1024], [13, 1025], [0, 5000], [100, 2047]] as const) {
            const th = Float64Array.from(theta);
            const T = new Float64Array(c * c);
            const kept = new Float64Array(start + n + 1).fill(-7);
            const ssq = kernel.foldRows(th, data, start, n, T, kept)!;
            const ref = reference(kernel, backend, th, data, start, n, c);
            expect(Math.abs(ssq - ref.ssq)).toBeLessThanOrEqual(1e-13 * ref.ssq);
            const r = new Float64Array(n);
            kernel.residuals(th, data, start, n, r, 0, 1);
            expect(Array.from(kept.subarray(start, start + n))).toEqual(Array.from(r));
            expect(kept[start + n]).toBe(-7);
            if (start > 0) expect(kept[start - 1]).toBe(-7);
            const G = gramOf(T, c);
            const H = gramOf(ref.T, c);
            for (let i = 0; i < c * c; i++) expect(Math.abs(G[i]! - H[i]!)).toBeLessThanOrEqual(1e-12 * (Math.abs(H[i]!) + Math.abs(H[0]!)));
          }
          kernel.dispose();
        }
      }
    }
  });

  it('keeps working after the backend memory grew between calls, and rejects a short triangle', async () => {
    const backend = await createWasmBackend();
    const m = model('a*exp(-b*x) + c');
    const data = randomData(1, 3000, rng(9), 0, 4, true);
    const kernel = createWasmModelKernel(m.program, backend, { resident: data })!;
    const th = Float64Array.of(2, 0.7, 0.3);
    const before = new Float64Array(16);
    const s1 = kernel.foldRows(th, data, 0, 3000, before)!;
    const big = backend.createWorkspace(1 << 20, 4); // 32 MiB: memory grows, old views detach
    const after = new Float64Array(16);
    const s2 = kernel.foldRows(th, data, 0, 3000, after)!;
    expect(s2).toBe(s1);
    expect(Array.from(after)).toEqual(Array.from(before));
    expect(() => kernel.foldRows(th, data, 0, 10, new Float64Array(15))).toThrow('WasmModelKernel.foldRows: T must have length 16 ((p+1)²), got 15');
    backend.releaseWorkspace(big);
    kernel.dispose();
  });
});

describe('kernels of one compiled module', () => {
  it('gives kernels on different backends their own instances of one module', async () => {
    const other = await createWasmBackend();
    const prog = model('a*exp(-b*x) + c').program;
    const d: DataColumns = { x: [Float64Array.of(0, 1, 2)], y: Float64Array.of(3, 2, 1), w: null };
    const k1 = createWasmModelKernel(prog, wasm, { resident: d })!;
    const k2 = createWasmModelKernel(prog, other)!;
    const r1 = new Float64Array(3);
    const r2 = new Float64Array(3);
    k1.residuals(Float64Array.of(2, 0.5, 1), d, 0, 3, r1, 0, 1);
    k2.residuals(Float64Array.of(2, 0.5, 1), d, 0, 3, r2, 0, 1);
    sameBits(r1, r2, 'residuals');
    k1.dispose();
    k2.dispose();
  });});
