import { describe, expect, it } from 'vitest';
import { WASM_IMPORTED_FUNCTIONS, descriptorLayout, generateWasmModel, invariant, type GeneratedWasmModel } from '../../../src/backends/wasm/codegen-wasm.ts';
import { createWasmBackend } from '../../../src/backends/wasm/wasm-backend.ts';
import type { Program } from '../../../src/model/ir.ts';
import { model } from '../../../src/model/model.ts';
import { colsContract, rng } from './wasm-test-support.ts';

/** The math the modules import for the cols tests: the kernel instance's exports (erf, erfc are not in `Math`). */
const kernelExports = (await createWasmBackend({ simd: false }) as unknown as { modelHost(): { exports: Record<string, unknown> } }).modelHost().exports;


/** Where a test puts θ (the call descriptor starts there), the columns, y and w (byte offsets). */
interface Layout { readonly theta: number; readonly x: readonly number[]; readonly y: number; readonly w: number }
const layout = (k: number): Layout => ({ theta: 64, x: Array.from({ length: k }, (_, v) => 1024 + v * 1024), y: 8192, w: 9216 });

type RawExports = { rows(desc: number, n: number, out: number, hasW: number): void; resid(desc: number, n: number, out: number, stride: number, hasW: number): void };

/**
 * Instantiate a generated module over a fresh memory with JS Math imports; returns it, the memory
 * and exports that write the descriptor (θ at L.theta, then the column offsets of L) before each call.
 */
function instantiate(program: Program, L: Layout = layout(program.variables.length)) {
  const gen = generateWasmModel(program);
  const memory = new WebAssembly.Memory({ initial: 1 });
  const m: Record<string, (...a: number[]) => number> = {};
  for (const name of gen.imports.keys()) m[name] = (Math as unknown as Record<string, (...a: number[]) => number>)[name]!;
  const raw = new WebAssembly.Instance(new WebAssembly.Module(gen.bytes), { env: { memory }, m }).exports as unknown as RawExports;
  const u32 = new Uint32Array(memory.buffer);
  const writeDescriptor = (): number => {
    u32.set([...L.x, L.y, L.w], (L.theta + descriptorLayout(program).columns) / 4);
    return L.theta;
  };
  const ex = {
    rows: (n: number, out: number, hasW: number) => raw.rows(writeDescriptor(), n, out, hasW),
    resid: (n: number, out: number, stride: number, hasW: number) => raw.resid(writeDescriptor(), n, out, stride, hasW),
  };
  return { gen, L, f64: new Float64Array(memory.buffer), u32, raw, ex };
}

describe('generateWasmModel', () => {
  it('emits a valid module that imports only the non-native functions it calls', () => {
    const prog = model('a*exp(-b*x) + sqrt(abs(x)) + min(a, x) + sign(x) + c^x').program;
    const gen = generateWasmModel(prog);
    expect(WebAssembly.validate(gen.bytes)).toBe(true);
    expect([...gen.imports.keys()].sort()).toEqual(['exp', 'pow']);
    expect(gen.imports.get('exp')).toBe('mathExp');
    const mod = new WebAssembly.Module(gen.bytes);
    expect(WebAssembly.Module.imports(mod).map((i) => `${i.module}.${i.name}:${i.kind}`).sort()).toEqual(['env.memory:memory', 'm.exp:function', 'm.pow:function']);
    expect(WebAssembly.Module.exports(mod).map((e) => e.name)).toEqual(['rows', 'resid', 'cols']);
  });

  it('is position-independent: the bytes depend on the program only', () => {
    const a = generateWasmModel(model('a*exp(-b*x) + c').program);
    const b = generateWasmModel(model('a*exp(-b*x) + c').program);
    expect(Array.from(b.bytes)).toEqual(Array.from(a.bytes));
    const c = generateWasmModel(model('a*exp(-b*x) + d').program);
    expect(Array.from(c.bytes)).toEqual(Array.from(a.bytes)); // names do not reach the code
    expect(Array.from(generateWasmModel(model('a*exp(-b*x) - c').program).bytes)).not.toEqual(Array.from(a.bytes));
  });

  it('lays out the descriptor as p f64 (θ) then k + 2 u32 column offsets (x…, y, w)', () => {
    expect(descriptorLayout(model('a*x + b*z + c', { variables: ['x', 'z'] }).program)).toEqual({ columns: 24, bytes: 24 + 16 });
    expect(descriptorLayout(model('a*x').program)).toEqual({ columns: 8, bytes: 8 + 12 });
  });

  it('reads θ and every column where the descriptor points, at any 8-byte-aligned address', () => {
    const prog = model('a*x + b*z', { variables: ['x', 'z'] }).program;
    const { f64, u32, raw } = instantiate(prog);
    const run = (desc: number, cols: number[], out: number): number[] => {
      f64.set([2, 3], desc / 8);
      u32.set(cols, (desc + 16) / 4);
      [[1, 2, 5], [10, 20, 50], [0.5, 0.25, 1], [2, 4, 8]].forEach((v, c) => f64.set(v, cols[c]! / 8));
      raw.rows(desc, 3, out, 1);
      return Array.from(f64.subarray(out / 8, out / 8 + 9));
    };
    const expected = [2, 20, 2 * 31.5, 4 * 2, 4 * 20, 4 * (64 - 0.25), 8 * 5, 8 * 50, 8 * (160 - 1)];
    expect(run(64, [1024, 2048, 3072, 4096], 8192)).toEqual(expected);
    expect(run(136, [1032, 2056, 3080, 4104], 8200)).toEqual(expected); // relocated, 8- not 16-aligned
    u32.set([1032, 2056, 3080, 4104].map((b) => b + 8), (136 + 16) / 4); // shifted bases: from point 1
    f64.fill(0, 8200 / 8, 8200 / 8 + 9);
    raw.resid(136, 2, 8200, 16, 1);
    expect([f64[8200 / 8], f64[8200 / 8 + 2]]).toEqual([4 * (64 - 0.25), 8 * (160 - 1)]);
  });

  it('names an AssemblyScript export for every imported function', () => {
    for (const spec of Object.values(WASM_IMPORTED_FUNCTIONS)) expect(spec!.export).toMatch(/^math[A-Z][A-Za-z0-9]*$/);
  });

  it('computes rows and residuals from the fixed layout (θ, columns, y, w) and preserves special constants', () => {
    const prog = model('a*x + b*z - 0*a', { variables: ['x', 'z'] }).program;
    const { f64, L, ex } = instantiate(prog);
    f64.set([2, 3], L.theta / 8);
    f64.set([1, 2], L.x[0]! / 8);
    f64.set([10, 20], L.x[1]! / 8);
    f64.set([0.5, 0.25], L.y / 8);
    f64.set([2, 4], L.w / 8);
    ex.rows(2, 4096, 1);
    expect(Array.from(f64.subarray(512, 518))).toEqual([2 * 1, 2 * 10, 2 * (2 + 30 - 0.5), 4 * 2, 4 * 20, 4 * (4 + 60 - 0.25)]);
    ex.rows(2, 4096, 0);
    expect(Array.from(f64.subarray(512, 518))).toEqual([1, 10, 2 + 30 - 0.5, 2, 20, 4 + 60 - 0.25]);
    f64.fill(-1, 512, 520);
    ex.resid(2, 4096, 24, 1);
    expect(Array.from(f64.subarray(512, 516))).toEqual([2 * (32 - 0.5), -1, -1, 4 * (64 - 0.25)]);
    ex.resid(0, 4096, 8, 1); // n = 0 writes nothing
    expect(f64[512]).toBe(2 * (32 - 0.5));
  });

  it('implements sign and step inline with the IR semantics (±0, NaN)', () => {
    const prog = model('sign(x) + 0*a').program;
    const { f64, L, ex } = instantiate(prog);
    const xs = [-3, -0, 0, 2, NaN, -Infinity];
    f64.set(xs, L.x[0]! / 8);
    f64.fill(0, L.y / 8, L.y / 8 + xs.length);
    ex.resid(xs.length, 4096, 8, 0);
    expect(Array.from(f64.subarray(512, 512 + xs.length))).toEqual([-1, -0, 0, 1, NaN, -1]);
    expect(Object.is(f64[513], -0)).toBe(true);
    // step appears in d min / d max: ∂/∂a min(a, x) = step(x − a)
    const m = instantiate(model('min(a, x)').program);
    m.f64.set([1], m.L.theta / 8);
    m.f64.set([0, 1, 2, NaN], m.L.x[0]! / 8);
    m.f64.fill(0, m.L.y / 8, m.L.y / 8 + 4);
    m.ex.rows(4, 4096, 0);
    expect([m.f64[512], m.f64[514], m.f64[516], m.f64[518]]).toEqual([0, 1, 1, NaN]);
  });

  it('computes only what f needs in resid (the derivative-only instructions are dropped)', () => {
    const prog = model('a*exp(-b*x) + c').program;
    const { f64, L, ex } = instantiate(prog);
    f64.set([2, 0.5, 1], L.theta / 8);
    f64.set([0, 1], L.x[0]! / 8);
    f64.set([0, 0], L.y / 8);
    ex.resid(2, 4096, 8, 0);
    expect([f64[512], f64[513]]).toEqual([2 * 1 + 1, 2 * Math.exp(-0.5) + 1]);
  });

  it('marks exactly the instructions that read only constants, parameters and invariant temporaries as loop-invariant', () => {
    const prog = model('a*exp(-(x - mu)^2/(2*s^2)) + b0 + b1*x').program;
    const inv = invariant(prog);
    const reads = (i: number): string[] => prog.instructions[i]!.args.map((a) => a.kind);
    prog.instructions.forEach((_, i) => {
      const expected = reads(i).every((k, j) => k === 'const' || k === 'param' || (k === 'tmp' && inv[(prog.instructions[i]!.args[j] as { index: number }).index]));
      expect(inv[i]).toBe(expected);
    });
    expect(inv.filter(Boolean).length).toBe(4); // s*s, 2*(s*s), 4*s, (2*s*s)^2
    expect(invariant({ ...prog, instructions: [{ op: 'neg', args: [{ kind: 'tmp', index: 3 }] }] })).toEqual([false]);
  });

  it('computes hoisted invariant instructions once per call, with the values of that call\'s θ', () => {
    const prog = model('x/(2*s^2) + 0*a').program;
    const { f64, L, ex } = instantiate(prog);
    f64.set([0.5, 3], L.theta / 8);
    f64.set([1, 2, 3], L.x[0]! / 8);
    f64.fill(0, L.y / 8, L.y / 8 + 3);
    ex.resid(3, 4096, 8, 0);
    expect(prog.params).toEqual(['s', 'a']);
    expect(Array.from(f64.subarray(512, 515))).toEqual([1, 2, 3].map((v) => v / (2 * 0.25)));
    f64.set([2], L.theta / 8);
    ex.resid(3, 4096, 8, 0);
    expect(Array.from(f64.subarray(512, 515))).toEqual([1, 2, 3].map((v) => v / (2 * 4)));
  });

  it('rejects a malformed IR (index out of range, unknown op or function, non-number constant)', () => {
    const base = model('a*x').program;
    const bad = (patch: Partial<Program>) => () => generateWasmModel({ ...base, ...patch });
    expect(bad({ value: { kind: 'param', index: 5 } })).toThrow(/parameter index out of range/);
    expect(bad({ value: { kind: 'var', index: 1 } })).toThrow(/variable index out of range/);
    expect(bad({ value: { kind: 'tmp', index: 9 } })).toThrow(/temporary index out of range/);
    expect(bad({ instructions: [{ op: 'mul', args: [{ kind: 'tmp', index: 0 }, { kind: 'var', index: 0 }] }], value: { kind: 'tmp', index: 0 } })).toThrow(/temporary index out of range/);
    expect(bad({ instructions: [{ op: 'frob' as 'add', args: [] }], value: { kind: 'tmp', index: 0 } })).toThrow(/unknown IR op/);
    expect(bad({ instructions: [{ op: 'call', fn: 'evil' as 'exp', args: [{ kind: 'var', index: 0 }] }], value: { kind: 'tmp', index: 0 } })).toThrow(/unknown IR function/);
    expect(bad({ instructions: [{ op: 'call', fn: 'constructor' as 'exp', args: [{ kind: 'var', index: 0 }] }], value: { kind: 'tmp', index: 0 } })).toThrow(/unknown IR function/);
    expect(bad({ instructions: [{ op: 'toString' as 'add', args: [{ kind: 'var', index: 0 }, { kind: 'var', index: 0 }] }], value: { kind: 'tmp', index: 0 } })).toThrow(/unknown IR op/);
    expect(bad({ instructions: [{ op: 'exp' as 'call', fn: 'exp', args: [] }], value: { kind: 'tmp', index: 0 } })).toThrow(/unknown IR op|missing an operand/);
    expect(bad({ value: { kind: 'const', value: '1' as unknown as number } })).toThrow(/must be a number/);
    expect(bad({ gradient: [] })).toThrow(/gradient length/);
  });
});

// --- cols: the column-major export ------------------------------------------------------------



const COLS_NS = [0, 1, 2, 3, 1023, 1024, 2049];

describe('generateWasmModel: cols (column-major rows)', () => colsContract(generateWasmModel, COLS_NS, kernelExports));
