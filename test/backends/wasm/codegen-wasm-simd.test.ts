import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { descriptorLayout, generateWasmModel, type GeneratedWasmModel } from '../../../src/backends/wasm/codegen-wasm.ts';
import { expTableOffset, generateWasmModelSimd } from '../../../src/backends/wasm/codegen-wasm-simd.ts';
import { EXP_TABLE_BYTES, writeExpTable } from '../../../src/backends/wasm/wasm-simd-exp.ts';
import { createWasmBackend } from '../../../src/backends/wasm/wasm-backend.ts';
import type { Program } from '../../../src/model/ir.ts';
import { model } from '../../../src/model/model.ts';
import expFixture from '../../fixtures/models/exp.json' with { type: 'json' };
import { FUNCTION_CASES, colsContract, column, rng } from './wasm-test-support.ts';

/** The math the modules import: the kernel instance's exports, as in production. */
const kernelExports = (await createWasmBackend({ simd: false }) as unknown as { modelHost(): { exports: Record<string, unknown> } }).modelHost().exports;

type Exports = { rows(n: number, out: number, hasW: number): void; resid(n: number, out: number, stride: number, hasW: number): void };

/** Where a test puts θ (the call descriptor starts there), the columns, y and w (byte offsets). */
interface WasmModelLayout { readonly theta: number; readonly x: readonly number[]; readonly y: number; readonly w: number }

/** Write the f64x2 modules' exp table where a module of `program` reads it (after the descriptor at `desc`), as the kernel does; returns its end. */
function placeExpTable(memory: WebAssembly.Memory, program: Program, desc: number): number {
  writeExpTable(memory, desc + expTableOffset(program));
  return desc + expTableOffset(program) + EXP_TABLE_BYTES;
}

/** Points per column of the test layout. */
const C = 2560;
/** θ at 64 (then the exp table), k columns from 4096, y, w (each C doubles), output area after them; `pages` of memory. */
function layoutOf(k: number): { L: WasmModelLayout; out: number; pages: number } {
  const col = (i: number) => 4096 + i * 8 * C;
  const L: WasmModelLayout = { theta: 64, x: Array.from({ length: k }, (_, v) => col(v)), y: col(k), w: col(k + 1) };
  const out = col(k + 2);
  return { L, out, pages: Math.ceil((out + 8 * 8 * C) / 65536) };
}

type RawExports = { rows(desc: number, n: number, out: number, hasW: number): void; resid(desc: number, n: number, out: number, stride: number, hasW: number): void };

/** Instantiate over `memory`; the returned functions write the descriptor (θ at L.theta, then L's column offsets) before each call. */
function instantiate(gen: GeneratedWasmModel, memory: WebAssembly.Memory, program: Program, L: WasmModelLayout): Exports {
  const m: Record<string, unknown> = {};
  for (const [name, exportName] of gen.imports) m[name] = kernelExports[exportName];
  const raw = new WebAssembly.Instance(new WebAssembly.Module(gen.bytes), { env: { memory }, m } as WebAssembly.Imports).exports as unknown as RawExports;
  if (program.instructions.some((ins) => ins.op === 'call' && ins.fn === 'exp')) placeExpTable(memory, program, L.theta);
  const desc = (): number => {
    new Uint32Array(memory.buffer).set([...L.x, L.y, L.w], (L.theta + descriptorLayout(program).columns) / 4);
    return L.theta;
  };
  return {
    rows: (n, out, hasW) => raw.rows(desc(), n, out, hasW),
    resid: (n, out, stride, hasW) => raw.resid(desc(), n, out, stride, hasW),
  };
}

/** Both generators' modules for one program over one shared memory. */
function pairOf(program: Program) {
  const { L, out, pages } = layoutOf(program.variables.length);
  const memory = new WebAssembly.Memory({ initial: pages });
  const vec = generateWasmModelSimd(program);
  return { L, out, memory, vec, simd: instantiate(vec, memory, program, L), scalar: instantiate(generateWasmModel(program), memory, program, L) };
}

/** Same doubles, NaN matching NaN, ±0 distinguished. */
function sameBits(a: Float64Array, b: Float64Array, what: string): void {
  for (let i = 0; i < b.length; i++) if (!Object.is(a[i], b[i])) expect.fail(`${what}: entry ${i}: simd ${a[i]}, scalar ${b[i]}`);
}

/**
 * Run rows and resid (stride `stride` doubles) of both modules on n points of `xs` (per column),
 * y and optional w; compare the outputs (bit for bit, or to `tol` relative) including the
 * sentinels around them.
 */
function compareModules(program: Program, theta: number[], cols: Float64Array[], y: Float64Array, w: Float64Array | null, n: number, stride = 1, tol = 0): void {
  const { L, out, memory, simd, scalar } = pairOf(program);
  const f64 = new Float64Array(memory.buffer);
  f64.set(theta, L.theta / 8);
  cols.forEach((c, v) => f64.set(c.subarray(0, n), L.x[v]! / 8));
  f64.set(y.subarray(0, n), L.y / 8);
  if (w) f64.set(w.subarray(0, n), L.w / 8);
  const p = program.params.length;
  const run = (ex: Exports, mode: 'rows' | 'resid'): Float64Array => {
    const len = mode === 'rows' ? n * (p + 1) + 3 : Math.max(0, n - 1) * stride + 4;
    f64.fill(-7, out / 8, out / 8 + len);
    if (mode === 'rows') ex.rows(n, out, w ? 1 : 0);
    else ex.resid(n, out, stride * 8, w ? 1 : 0);
    return f64.slice(out / 8, out / 8 + len);
  };
  for (const mode of ['rows', 'resid'] as const) {
    const a = run(simd, mode);
    const b = run(scalar, mode);
    expect(Array.from(a.subarray(a.length - 3))).toEqual([-7, -7, -7]); // nothing written past the last row
    if (tol === 0) sameBits(a, b, mode);
    else {
      const scale = b.reduce((s, v) => (Number.isFinite(v) ? Math.max(s, Math.abs(v)) : s), 0);
      for (let i = 0; i < b.length; i++) {
        const x = a[i]!, r = b[i]!;
        if (Object.is(x, r) || Math.abs(x - r) <= tol * (Math.abs(r) + 1e-3 * scale)) continue;
        expect.fail(`${mode}: entry ${i}: simd ${x}, scalar ${r}`);
      }
    }
  }
}



/** Distance in units in the last place between two finite doubles of the same sign (or zero). */
function ulps(a: number, b: number): number {
  const buf = new DataView(new ArrayBuffer(16));
  buf.setFloat64(0, a);
  buf.setFloat64(8, b);
  const d = buf.getBigInt64(0) - buf.getBigInt64(8);
  return Number(d < 0n ? -d : d);
}

describe('generateWasmModelSimd', () => {
  it('emits a valid module with rows and resid that computes exp inside (only other functions are imported)', () => {
    const prog = model('a*exp(-b*x) + sqrt(abs(x)) + min(a, x) + sign(x) + c^x + sin(x)').program;
    const gen = generateWasmModelSimd(prog);
    expect(WebAssembly.validate(gen.bytes)).toBe(true);
    expect([...gen.imports.entries()].sort()).toEqual([['pow', 'mathPow'], ['sin', 'mathSin']]);
    const mod = new WebAssembly.Module(gen.bytes);
    expect(WebAssembly.Module.imports(mod).map((i) => `${i.module}.${i.name}`).sort()).toEqual(['env.memory', 'm.pow', 'm.sin']);
    expect(WebAssembly.Module.exports(mod).map((e) => e.name)).toEqual(['rows', 'resid', 'cols']);
  });

  it('is position-independent: the same bytes for equal programs, different ones for different programs', () => {
    const a = generateWasmModelSimd(model('a*exp(-b*x) + c').program);
    expect(Array.from(generateWasmModelSimd(model('a*exp(-b*x) + c').program).bytes)).toEqual(Array.from(a.bytes));
    expect(Array.from(generateWasmModelSimd(model('a*exp(-b*x) + c*x').program).bytes)).not.toEqual(Array.from(a.bytes));
  });

  it('reads columns at 8-byte-aligned (not 16) addresses and from shifted bases like the scalar module', () => {
    const prog = model('a*x*x + b/x - abs(x - c) + z', { variables: ['x', 'z'] }).program;
    const n = 7;
    const L: WasmModelLayout = { theta: 72, x: [1032, 2056], y: 3080, w: 4104 };
    const memory = new WebAssembly.Memory({ initial: 1 });
    const f64 = new Float64Array(memory.buffer);
    f64.set([1.5, -0.25, 0.75], L.theta / 8);
    for (const [c, at] of [[0, L.x[0]!], [1, L.x[1]!], [2, L.y], [3, L.w]] as const) f64.set(Array.from({ length: n }, (_, i) => 1 + c + i / 3), at / 8);
    const outs = [generateWasmModelSimd(prog), generateWasmModel(prog)].map((gen) => {
      const ex = instantiate(gen, memory, prog, L);
      f64.fill(-7, 625, 625 + 64); // out at byte 5000
      ex.rows(n, 5000, 1);
      const rows = f64.slice(625, 625 + 64);
      const shifted = instantiate(gen, memory, prog, { theta: L.theta, x: L.x.map((b) => b + 16), y: L.y + 16, w: L.w + 16 });
      f64.fill(-7, 700, 720);
      shifted.resid(n - 2, 5600, 8, 1);
      return [rows, f64.slice(700, 720)];
    });
    sameBits(outs[0]![0]!, outs[1]![0]!, 'rows');
    sameBits(outs[0]![1]!, outs[1]![1]!, 'resid from point 2');
    expect(outs[0]![0]![n * 4]).toBe(-7);
    expect(outs[1]![1]![1]).toBe(outs[1]![0]![3 * 4 + 3]); // resid from point 2 = row 3's residual, entry 1
  });

  it('computes exp within 1 ulp of Math.exp over [−745, 709.8] and in [−2, 2] (2 million points)', () => {
    const prog = model('exp(x) + 0*a').program;
    const { L, out, memory, simd } = pairOf(prog);
    const f64 = new Float64Array(memory.buffer);
    const rand = rng(12345);
    let worst = 0;
    for (let block = 0; block < 800; block++) {
      const [lo, hi] = block % 4 === 0 ? [-2, 2] : [-745, 709.8];
      for (let i = 0; i < C; i++) f64[L.x[0]! / 8 + i] = lo + (hi - lo) * rand();
      simd.resid(C, out, 8, 0);
      for (let i = 0; i < C; i++) {
        const u = ulps(f64[out / 8 + i]!, Math.exp(f64[L.x[0]! / 8 + i]!));
        if (u > worst) worst = u;
      }
    }
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('computes exp correctly rounded at ≥ 99.5 % of 6000 points and within 1 ulp at all (mpmath fixture, both scaling paths)', () => {
    const prog = model('exp(x) + 0*a').program;
    const { L, out, memory, simd } = pairOf(prog);
    const f64 = new Float64Array(memory.buffer);
    const { x: xs, exp: want } = expFixture as { x: number[]; exp: number[] };
    expect(xs.length).toBe(6000);
    let notRounded = 0;
    for (let from = 0; from < xs.length; from += C) {
      const n = Math.min(C, xs.length - from);
      f64.set(xs.slice(from, from + n), L.x[0]! / 8);
      simd.resid(n, out, 8, 0);
      for (let i = 0; i < n; i++) {
        const u = ulps(f64[out / 8 + i]!, want[from + i]!);
        if (u > 1) expect.fail(`exp(${xs[from + i]}) = ${f64[out / 8 + i]}, correctly rounded ${want[from + i]}`);
        if (u > 0) notRounded++;
      }
    }
    // the table method's bound is 0.511 ulp (measured: 2 misses; V8's fdlibm Math.exp misses 515)
    expect(notRounded).toBeLessThanOrEqual(30);
  });

  it('gives exp(x) the same bits whether its group of points takes the |x| ≤ 708 path or the two-step scaling path', () => {
    const prog = model('exp(x) + 0*a').program;
    const { L, out, memory, simd } = pairOf(prog);
    const f64 = new Float64Array(memory.buffer);
    const xs = column(1200, rng(99), -708, 708);
    f64.set(xs, L.x[0]! / 8);
    simd.resid(xs.length, out, 8, 0); // all |x| ≤ 708: the one-step path
    const fast = f64.slice(out / 8, out / 8 + xs.length);
    // every point pair now holds a 750 (and every group of 4 points too): the two-step path
    f64.set(Float64Array.from({ length: 2 * xs.length }, (_, i) => (i % 2 ? 750 : xs[i >> 1]!)), L.x[0]! / 8);
    simd.resid(2 * xs.length, out, 8, 0);
    const slow = Float64Array.from(xs, (_, i) => f64[out / 8 + 2 * i]!);
    sameBits(slow, fast, 'exp');
    expect(f64[out / 8 + 1]).toBe(Infinity);
  });

  it('gives exp its special values: ±0, ±∞, NaN, overflow, underflow and the subnormal range', () => {
    const prog = model('exp(x) + 0*a').program;
    const { L, out, memory, simd } = pairOf(prog);
    const f64 = new Float64Array(memory.buffer);
    const xs = [0, -0, Infinity, -Infinity, NaN, 1, -1, 709.78, 709.782712893384, 709.79, 710, 1e300, -745.13, -745.1332191019411,
      -745.14, -746, -1e300, -708.39, -708.4, -720, -740, 1e-300, -1e-300, 0.34657359027997264, -0.34657359027997264, 1.0397207708399179, 88.7];
    f64.set(xs, L.x[0]! / 8);
    simd.resid(xs.length, out, 8, 0);
    xs.forEach((x, i) => {
      const got = f64[out / 8 + i]!;
      const want = Math.exp(x);
      if (!Number.isFinite(want) || want === 0 || Number.isNaN(want)) expect(got, `exp(${x})`).toBe(want);
      else expect(ulps(got, want), `exp(${x}) = ${got}, Math.exp ${want}`).toBeLessThanOrEqual(1);
    });
    expect(f64[out / 8 + 2]).toBe(Infinity);
    expect(f64[out / 8 + 3]).toBe(0);
    expect(f64[out / 8 + 4]).toBeNaN();
    expect(f64[out / 8 + 10]).toBe(Infinity);
    expect(f64[out / 8 + 15]).toBe(0);
  });

  it('implements sign, step, min, max and abs lane-wise with the IR semantics at ±0, NaN and ±∞', () => {
    const xs = [-3, -0, 0, 2, NaN, -Infinity, Infinity, 5e-324, -5e-324];
    const n = xs.length;
    const cases: [string, number[], number[]][] = [
      ['sign(x) + 0*a', [0], xs.map((x) => Math.sign(x))],
      ['min(x, a)', [0], xs.map((x) => Math.min(x, 0))],
      ['max(x, a)', [-0], xs.map((x) => Math.max(x, -0))],
      ['min(a, x)', [-0], xs.map((x) => Math.min(-0, x))],
      ['abs(x) + 0*a', [0], xs.map((x) => Math.abs(x))],
    ];
    for (const [expr, theta, want] of cases) {
      const { L, out, memory, simd } = pairOf(model(expr).program);
      const f64 = new Float64Array(memory.buffer);
      f64.set(theta, L.theta / 8);
      f64.set(xs, L.x[0]! / 8);
      f64.fill(0, L.y / 8, L.y / 8 + n);
      simd.resid(n, out, 8, 0);
      // resid = f − 0 = f; −0 − 0 = −0 keeps the sign
      want.forEach((v, i) => expect(Object.is(f64[out / 8 + i], v), `${expr} at x = ${xs[i]}: ${f64[out / 8 + i]} vs ${v}`).toBe(true));
    }
    // step(a − x) is ∂/∂a of min(a, x): 1 for x ≥ a (ties take a), 0 below, NaN for NaN
    const { L, out, memory, simd } = pairOf(model('min(a, x)').program);
    const f64 = new Float64Array(memory.buffer);
    f64.set([0], L.theta / 8);
    f64.set([1, 0, -0, -1, NaN], L.x[0]! / 8);
    f64.fill(0, L.y / 8, L.y / 8 + 5);
    simd.rows(5, out, 0);
    expect([0, 1, 2, 3, 4].map((i) => f64[out / 8 + 2 * i])).toEqual([1, 1, 1, 0, NaN]);
  });

  it.each(FUNCTION_CASES)('equals the scalar module on %s (bit for bit unless exp appears; n = 0 … 8, 1023, 1025, 2048, 2049, weights, strides)', (expr, lo, hi) => {
    const prog = model(expr).program;
    const tol = prog.instructions.some((i) => i.fn === 'exp') ? 1e-13 : 0; // d erf(u) = 2/√π·exp(−u²)·u'
    const rand = rng(expr.length * 17 + 3);
    const n = 2049;
    const x = column(n, rand, lo, hi);
    const y = column(n, rand, -1, 1);
    const w = column(n, rand, 0.5, 2);
    const theta = prog.params.map(() => 0.4 + 1.6 * rand());
    for (const [m, weights, stride] of [
      [n, true, 1], [n - 1, false, 3], [0, true, 1], [1, true, 2], [2, false, 1], [3, false, 1], [4, true, 1], [5, false, 2],
      [6, true, 3], [7, false, 1], [8, true, 2], [1023, false, 1], [1025, true, 2],
    ] as const) {
      compareModules(prog, theta, [x], y, weights ? w : null, m, stride, tol);
    }
  });

  it('agrees with the scalar module to 1e-13 relative on exp models (Gaussian, decays, several variables)', () => {
    const rand = rng(99);
    for (const [expr, variables] of [
      ['a*exp(-b*x) + c', ['x']],
      ['a*exp(-(x - mu)^2/(2*s^2)) + b0 + b1*x', ['x']],
      ['a*exp(-b*x1) + c*exp(-d*x2*x1)', ['x1', 'x2']],
      ['exp(a*x)^2 + exp(exp(b*x))', ['x']],
    ] as const) {
      const prog = model(expr, { variables: [...variables] }).program;
      const n = 2049;
      const cols = variables.map(() => column(n, rand, -3, 3));
      const theta = prog.params.map(() => 0.3 + rand());
      for (const m of [n, 2048, 1, 3, 4, 5, 6, 7, 8, 1023, 1025]) compareModules(prog, theta, cols, column(n, rand, -1, 1), m % 2 ? column(n, rand, 0.5, 2) : null, m, 1 + (m % 3), 1e-13);
    }
  });

  it('propagates NaN and ±∞ inputs exactly as the scalar module', () => {
    const xs = Float64Array.from([NaN, Infinity, -Infinity, 0, -0, 1, -1, 800, -800, 1e-310, 2, NaN, 3]);
    const y = Float64Array.from(xs, (_, i) => (i === 4 ? NaN : i === 6 ? Infinity : 0.5));
    for (const [expr, theta] of [
      ['a*exp(-b*x) + c', [1, 1, 0]],
      ['(x - a)^b', [0, 0.5]],
      ['sign(x - a)*b + min(x, a) + max(x, b)', [0, 1]],
      ['hypot(x, a) + atan2(x, b) + log(x*a)', [NaN, 0]],
      ['a*x + b', [Infinity, 1]],
    ] as [string, number[]][]) {
      const tol = expr.includes('exp') ? 1e-13 : 0;
      compareModules(model(expr).program, theta, [xs], y, null, xs.length, 1, tol);
      compareModules(model(expr).program, theta, [xs], y, Float64Array.from(xs, () => 2), xs.length - 1, 2, tol);
    }
  });

  it.each([5, 6, 7, 9, 10, 11])('never reads past point n − 1 (n = %i, the columns ending at the end of memory)', (n) => {
    const prog = model('a*exp(-b*x) + c + 0*z', { variables: ['z', 'x'] }).program;
    const end = 65536;
    // x, w, y columns end exactly at the end of the single page: a 16-byte read of point n would trap
    const L: WasmModelLayout = { theta: 64, x: [end - 3 * 8 * n - 1024, end - 8 * n], y: end - 3 * 8 * n, w: end - 2 * 8 * n };
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1 });
    const ex = instantiate(generateWasmModelSimd(prog), memory, prog, L);
    const f64 = new Float64Array(memory.buffer);
    const xs = Array.from({ length: n }, (_, i) => i);
    f64.set([2, 0.5, 1], 8);
    f64.set(xs, L.x[1]! / 8);
    f64.fill(1, L.y / 8, L.y / 8 + n);
    f64.set(xs.map((i) => i + 1), L.w / 8);
    const want = xs.map((x) => (x + 1) * (2 * Math.exp(-0.5 * x) + 1 - 1));
    ex.resid(n, 4096, 8, 1);
    Array.from(f64.subarray(512, 512 + n)).forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 14));
    ex.rows(n, 8192, 1);
    expect(f64[1024 + (n - 1) * 4 + 3]).toBe(f64[512 + n - 1]);
  });

  it('rejects a malformed IR like the scalar generator', () => {
    const base = model('a*x').program;
    const bad = (patch: Partial<Program>) => () => generateWasmModelSimd({ ...base, ...patch });
    expect(bad({ value: { kind: 'param', index: 5 } })).toThrow(/parameter index out of range/);
    expect(bad({ value: { kind: 'var', index: 1 } })).toThrow(/variable index out of range/);
    expect(bad({ instructions: [{ op: 'mul', args: [{ kind: 'tmp', index: 0 }, { kind: 'var', index: 0 }] }], value: { kind: 'tmp', index: 0 } })).toThrow(/temporary index out of range/);
    expect(bad({ instructions: [{ op: 'frob' as 'add', args: [] }], value: { kind: 'tmp', index: 0 } })).toThrow(/unknown IR op/);
    expect(bad({ instructions: [{ op: 'toString' as 'add', args: [{ kind: 'var', index: 0 }, { kind: 'var', index: 0 }] }], value: { kind: 'tmp', index: 0 } })).toThrow(/unknown IR op/);
    expect(bad({ instructions: [{ op: 'call', fn: 'constructor' as 'exp', args: [{ kind: 'var', index: 0 }] }], value: { kind: 'tmp', index: 0 } })).toThrow(/unknown IR function/);
    expect(bad({ instructions: [{ op: 'call', fn: 'exp', args: [] }], value: { kind: 'tmp', index: 0 } })).toThrow(/unknown IR function|missing an operand/);
    expect(bad({ instructions: [{ op: 'add', args: [{ kind: 'var', index: 0 }] }], value: { kind: 'tmp', index: 0 } })).toThrow(/missing an operand/);
    expect(bad({ value: { kind: 'const', value: '1' as unknown as number } })).toThrow(/must be a number/);
    expect(bad({ gradient: [] })).toThrow(/gradient length/);
  });

  test.prop(
    [
      fc.integer({ min: 0, max: 300 }),
      fc.integer({ min: 1, max: 4 }),
      fc.boolean(),
      fc.float64Array({ minLength: 300, maxLength: 300, noDefaultInfinity: false }),
      fc.constantFrom('a*x*x + b/x - abs(x - c)', 'min(a, x)*sign(x) + max(x*b, c) + sqrt(x)', 'a*exp(-b*x) + c', 'x^a + hypot(b, x)*c'),
    ],
    { numRuns: 60 },
  )('equals the scalar module on random x windows (any doubles, any n, strides, weights)', (n, stride, weights, xs, expr) => {
    const prog = model(expr).program;
    const y = Float64Array.from(xs, (_, i) => Math.cos(i));
    const w = weights ? Float64Array.from(xs, (_, i) => 1 + (i % 3)) : null;
    compareModules(prog, [1.5, -0.25, 0.75].slice(0, prog.params.length), [xs], y, w, n, stride, expr.includes('exp') ? 1e-13 : 0);
  });
});

// --- loop paths: main loop (several pairs per iteration), pair tail, odd point ----------------

/**
 * Run `rows` and `resid` of `gen` on windows of resident columns (θ, then the column offsets of
 * point `start`, written to the descriptor before each call); each returned array is the output
 * followed by 3 doubles that must keep the −7 they were filled with.
 */
function windowRunner(gen: GeneratedWasmModel, program: Program, theta: readonly number[], xs: readonly Float64Array[], y: Float64Array, w: Float64Array | null) {
  const { L, out, pages } = layoutOf(program.variables.length);
  const memory = new WebAssembly.Memory({ initial: pages });
  const f64 = new Float64Array(memory.buffer);
  const m: Record<string, unknown> = {};
  for (const [name, exportName] of gen.imports) m[name] = kernelExports[exportName];
  const raw = new WebAssembly.Instance(new WebAssembly.Module(gen.bytes), { env: { memory }, m } as WebAssembly.Imports).exports as unknown as RawExports;
  placeExpTable(memory, program, L.theta);
  xs.forEach((c, v) => f64.set(c, L.x[v]! / 8));
  f64.set(y, L.y / 8);
  if (w) f64.set(w, L.w / 8);
  const p = program.params.length;
  const desc = (start: number): number => {
    f64.set(theta, L.theta / 8);
    new Uint32Array(memory.buffer).set([...L.x, L.y, L.w].map((b) => b + 8 * start), (L.theta + descriptorLayout(program).columns) / 4);
    return L.theta;
  };
  const call = (len: number, f: () => void): Float64Array => {
    f64.fill(-7, out / 8, out / 8 + len + 3);
    f();
    return f64.slice(out / 8, out / 8 + len + 3);
  };
  return {
    rows: (start: number, n: number) => call(n * (p + 1), () => raw.rows(desc(start), n, out, w ? 1 : 0)),
    resid: (start: number, n: number) => call(n, () => raw.resid(desc(start), n, out, 8, w ? 1 : 0)),
  };
}

/**
 * Assert that `rows` over points [start, start + n) equals, bit for bit, the same rows computed
 * one point per call (the odd-point path) and two points per call (the pair path), that `resid`
 * equals the rows' last entries, and that nothing is written past the last row.
 */
function assertPathsAgree(run: ReturnType<typeof windowRunner>, p: number, start: number, n: number): void {
  const whole = run.rows(start, n);
  expect(Array.from(whole.subarray(n * (p + 1))), `n = ${n}: written past the last row`).toEqual([-7, -7, -7]);
  const resid = run.resid(start, n);
  expect(Array.from(resid.subarray(n))).toEqual([-7, -7, -7]);
  for (let i = 0; i < n; i++) {
    const one = run.rows(start + i, 1);
    for (let j = 0; j <= p; j++) {
      const a = whole[i * (p + 1) + j], b = one[j];
      if (!Object.is(a, b)) expect.fail(`n = ${n}, start ${start}: point ${i}, entry ${j}: loop ${a}, one point per call ${b}`);
    }
    if (!Object.is(resid[i], whole[i * (p + 1) + p])) expect.fail(`n = ${n}: point ${i}: resid ${resid[i]}, rows ${whole[i * (p + 1) + p]}`);
    if (i % 2 === 0 && i + 1 < n) {
      const two = run.rows(start + i, 2);
      for (let j = 0; j < 2 * (p + 1); j++) {
        if (!Object.is(whole[i * (p + 1) + j], two[j])) expect.fail(`n = ${n}: points ${i}, ${i + 1}, entry ${j}: loop ${whole[i * (p + 1) + j]}, one pair per call ${two[j]}`);
      }
    }
  }
}

const PATH_MODELS: [string, readonly string[]][] = [
  ['a*exp(-b*x) + c', ['x']],
  ['a*exp(-(x - mu)^2/(2*s^2)) + b0 + b1*x', ['x']],
  ['a*exp(-b*x1) + c*exp(-d*x2*x1)', ['x1', 'x2']],
  ['exp(a*x)^2 + exp(exp(b*x)) + sin(x)*c', ['x']],
  ['a/(1 + b*x) - c*x*x + sign(x - a)', ['x']],
];

describe('generateWasmModelSimd: the loop paths (several interleaved pairs per iteration, pair tail, odd point)', () => {
  it.each(PATH_MODELS)('computes every point of %s with the same operations on every path: bit-identical to one point or one pair per call (exp included)', (expr, variables) => {
    const prog = model(expr, { variables: [...variables] }).program;
    const rand = rng(expr.length * 13 + 1);
    const N = 1040;
    const xs = variables.map(() => column(N, rand, -3, 3));
    const theta = prog.params.map(() => 0.4 + 1.2 * rand());
    const gen = generateWasmModelSimd(prog);
    for (const w of [null, column(N, rand, 0.5, 2)]) {
      const run = windowRunner(gen, prog, theta, xs, column(N, rand, -1, 1), w);
      for (const [start, n] of [[0, 1025], [1, 1023], [3, 8], [0, 7], [2, 6], [5, 5], [0, 4]] as const) assertPathsAgree(run, prog.params.length, start, n);
    }
  });

  test.prop(
    [
      fc.integer({ min: 0, max: 40 }),
      fc.integer({ min: 0, max: 9 }),
      fc.boolean(),
      fc.constantFrom(...PATH_MODELS),
      fc.float64Array({ minLength: 50, maxLength: 50, noDefaultInfinity: false }),
    ],
    { numRuns: 40 },
  )('on any n and start, rows equal one point per call bit for bit and nothing is written past the last row (any doubles)', (n, start, weights, [expr, variables], x) => {
    const prog = model(expr, { variables: [...variables] }).program;
    const xs = variables.map((_, v) => (v === 0 ? x : Float64Array.from(x, (t) => t / 2 + 1)));
    const w = weights ? Float64Array.from(x, (_, i) => 1 + (i % 3)) : null;
    const run = windowRunner(generateWasmModelSimd(prog), prog, [1.5, -0.25, 0.75, 0.5, 1.25].slice(0, prog.params.length), xs, Float64Array.from(x, (_, i) => Math.cos(i)), w);
    assertPathsAgree(run, prog.params.length, start, n);
  });
});

// --- cols: the column-major export ------------------------------------------------------------


const COLS_NS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 1023, 1024, 1025, 2049];

describe('generateWasmModelSimd: cols (column-major rows, one v128.store per column and point pair)', () => {
  colsContract(generateWasmModelSimd, COLS_NS, kernelExports);

  it('stores a point pair with one v128.store per column and no shuffle', () => {
    const prog = model('a*x*x + b/x - abs(x - c)').program;
    const bodies = functionBodies(generateWasmModelSimd(prog).bytes);
    const cols = bodies[2]!;
    const simdOps = (body: Uint8Array, op: number) => body.reduce((n, b, i) => n + (b === 0xfd && body[i + 1] === op ? 1 : 0), 0);
    // opcode bytes can also occur inside immediates, so count only as a bound: the rows body has shuffles, cols none
    expect(simdOps(bodies[0]!, 0x0d)).toBeGreaterThanOrEqual(4);
    expect(simdOps(cols, 0x0d)).toBe(0);
    expect(simdOps(cols, 0x0b)).toBeGreaterThanOrEqual(prog.params.length + 1);
  });
});

/** The function bodies of a module binary, in order (decoded from the code section, id 10). */
function functionBodies(bytes: Uint8Array): Uint8Array[] {
  const leb = (i: number): [number, number] => {
    let v = 0, shift = 0;
    for (;;) {
      const b = bytes[i++]!;
      v += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if ((b & 0x80) === 0) return [v, i];
    }
  };
  for (let i = 8; i < bytes.length;) {
    const id = bytes[i++]!;
    const [len, start] = leb(i);
    if (id === 10) {
      let [count, j] = leb(start);
      const out: Uint8Array[] = [];
      for (; count > 0; count--) {
        const [size, body] = leb(j);
        out.push(bytes.subarray(body, body + size));
        j = body + size;
      }
      return out;
    }
    i = start + len;
  }
  return [];
}
