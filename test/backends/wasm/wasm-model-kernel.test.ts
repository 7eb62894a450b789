import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { createCpuBackend } from '../../../src/backends/cpu/cpu-backend.ts';
import { createWasmBackend } from '../../../src/backends/wasm/wasm-backend.ts';
import { WASM_MODEL_CHUNK, createWasmModelKernel } from '../../../src/backends/wasm/wasm-model-kernel.ts';
import type { DataColumns, ModelKernel } from '../../../src/model/model-kernel.ts';
import { model } from '../../../src/model/model.ts';
import { EXPRESSIONS } from '../../nist/expressions.ts';

const wasm = await createWasmBackend();
const scalar = await createWasmBackend({ simd: false });

/** A deterministic PRNG (mulberry32) so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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

  const FUNCTIONS: [string, number, number][] = [
    ['a*exp(-b*x) + c', -3, 3],
    ['a*log(b*x) + c', 0.1, 5],
    ['a*log10(b*x) + log2(c*x)', 0.1, 5],
    ['sqrt(a*x) + cbrt(b*x - 1)', 0.1, 5],
    ['b*(x - a)^7 + (x - c)^(-5)', -3, 3],
    ['a*(x - b)^c', -3, 3],
    ['atan2(a, x - b) + atan(c*x)', -3, 3],
    ['hypot(a*x, b) + c', -3, 3],
    ['min(a*x, b) + max(x, c)', -3, 3],
    ['abs(x - a)*b + c', -3, 3],
    ['sign(x - a)*b + c*x', -3, 3],
    ['a*erf(b*x) + erfc(c*x)', -6, 6],
    ['a*sin(b*x) + cos(c*x) + tan(x/4)', -3, 3],
    ['asin(x/(4*a)) + acos(x/(4*b)) + c', -3, 3],
    ['a*sinh(b*x) + cosh(c*x) + tanh(x)', -3, 3],
  ];
  it.each(FUNCTIONS)('agrees with the JS kernel on %s (f64x2 and scalar modules)', (expr, lo, hi) => {
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
    (k as { dispose(): void }).dispose();
  });
});
