/**
 * WebAssembly code generation from the IR (see `src/model/ir.ts`): one small module per model
 * whose functions loop over a window of points entirely inside wasm.
 *
 * The module imports the wasm backend's linear memory (`env.memory`) and the math functions wasm
 * lacks natively from the backend's kernel instance (`m.exp`, `m.pow`, … = the `math*` exports of
 * `assembly/math.ts`), so a call to `exp` is a wasm → wasm call, never a JS call. It exports
 *
 * - `rows(n, out, hasW)`: for i < n writes `[w·∂f/∂θ_0 … w·∂f/∂θ_{p−1}, w·(f − y)]` at
 *   `out + i·(p+1)·8`;
 * - `resid(n, out, strideBytes, hasW)`: writes `w·(f − y)` at `out + i·strideBytes`,
 *   computing only the instructions f depends on;
 *
 * reading θ, the variable columns, y and w from fixed byte offsets baked into the code (a
 * {@link WasmModelLayout}, the scratch the host copies them into); `hasW = 0` means unit weights.
 * Instructions that depend on θ only (e.g. `2*s^2`) are computed once per call, before the loop
 * ({@link invariant}).
 *
 * Operations: add/sub/mul/div/neg, `abs`, `sqrt`, `min`, `max` are native f64 instructions
 * (IEEE results identical to JavaScript's); `sign` and `step` are inline selects with the IR's
 * semantics; every other function and `pow` is an imported call (an inline fdlibm `exp` was
 * tried and measured slower in V8 than this call to AssemblyScript's table-driven `exp`). Those
 * come from AssemblyScript's musl-derived `Math` (and a port of Cody's erf), so results may
 * differ from the JS kernel in the last bits of a function value (V8's `Math` is fdlibm-derived);
 * the tests check rows and residuals against the JS kernel to 1e-13 relative.
 *
 * This is the scalar form (one point per loop iteration), used on the wasm-scalar backend;
 * `model-wasm-simd-codegen.ts` generates the same contract with f64x2 loops for wasm-simd and
 * shares this file's encoder and module assembly.
 *
 * The binary is written by a minimal encoder (LEB128; type, import, function, export and code
 * sections). Only numbers from the IR reach it: every operand index is range-checked, so a
 * tampered IR throws instead of producing a module that reads elsewhere.
 *
 * @module
 */

import { NlsqTypeError } from '../../errors.ts';
import type { IrFunctionName, Operand, Program } from '../../model/ir.ts';

/** Byte offsets in linear memory the generated code reads from (all 8-byte aligned). */
export interface WasmModelLayout {
  /** θ, p doubles. */
  readonly theta: number;
  /** One column per variable, each as long as the longest window the host passes. */
  readonly x: readonly number[];
  /** Observations (same length). */
  readonly y: number;
  /** Weights (same length; read only when `hasW` is nonzero). */
  readonly w: number;
}

/** Functions a generated module imports (module `m`), with their arity, by IR name. */
export const WASM_IMPORTED_FUNCTIONS: Readonly<Partial<Record<IrFunctionName | 'pow', { readonly arity: number; readonly export: string }>>> = Object.freeze({
  exp: { arity: 1, export: 'mathExp' }, log: { arity: 1, export: 'mathLog' }, log10: { arity: 1, export: 'mathLog10' },
  log2: { arity: 1, export: 'mathLog2' }, cbrt: { arity: 1, export: 'mathCbrt' }, sin: { arity: 1, export: 'mathSin' },
  cos: { arity: 1, export: 'mathCos' }, tan: { arity: 1, export: 'mathTan' }, asin: { arity: 1, export: 'mathAsin' },
  acos: { arity: 1, export: 'mathAcos' }, atan: { arity: 1, export: 'mathAtan' }, sinh: { arity: 1, export: 'mathSinh' },
  cosh: { arity: 1, export: 'mathCosh' }, tanh: { arity: 1, export: 'mathTanh' }, erf: { arity: 1, export: 'mathErf' },
  erfc: { arity: 1, export: 'mathErfc' }, atan2: { arity: 2, export: 'mathAtan2' }, hypot: { arity: 2, export: 'mathHypot' },
  pow: { arity: 2, export: 'mathPow' },
});

/**
 * The import of an IR function name (own properties only: a tampered name never reaches the prototype).
 * @internal shared with `model-wasm-simd-codegen.ts`.
 */
export function importSpec(name: string | undefined): { readonly arity: number; readonly export: string } | undefined {
  if (name === undefined || !Object.prototype.hasOwnProperty.call(WASM_IMPORTED_FUNCTIONS, name)) return undefined;
  return WASM_IMPORTED_FUNCTIONS[name as IrFunctionName];
}

/** A generated module: its bytes and the kernel exports it imports (as `m.<IR name>`). */
export interface GeneratedWasmModel {
  /** The module binary. */
  readonly bytes: Uint8Array<ArrayBuffer>;
  /** IR function name → export name on the kernel instance, for every import of module `m`. */
  readonly imports: ReadonlyMap<string, string>;
}

// --- encoder -------------------------------------------------------------------------------

/** The i32 value type byte. @internal */
export const I32 = 0x7f;
/** The f64 value type byte. @internal */
export const F64 = 0x7c;
/** Core (non-SIMD) opcodes the generators use. @internal */
export const OP = {
  block: 0x02, loop: 0x03, if: 0x04, else: 0x05, end: 0x0b, brIf: 0x0d, call: 0x10, select: 0x1b,
  localGet: 0x20, localSet: 0x21, f64Load: 0x2b, f64Store: 0x39, i32Const: 0x41, f64Const: 0x44,
  i32Eqz: 0x45, f64Lt: 0x63, f64Gt: 0x64, f64Ge: 0x66,
  f64Abs: 0x99, f64Neg: 0x9a, f64Sqrt: 0x9f, f64Add: 0xa0, f64Sub: 0xa1, f64Mul: 0xa2, f64Div: 0xa3,
  f64Min: 0xa4, f64Max: 0xa5, i32Add: 0x6a, i32LtU: 0x49, i32GtU: 0x4b, localTee: 0x22,
} as const;
/** A growable byte buffer with the LEB128 / IEEE encoders of the wasm binary format. @internal */
export class Bytes {
  readonly b: number[] = [];
  byte(...v: number[]): this {
    for (const x of v) this.b.push(x & 0xff);
    return this;
  }
  u32(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new NlsqTypeError(`wasm codegen: u32 out of range: ${String(v)}`, 'program');
    do {
      let byte = v & 0x7f;
      v = Math.floor(v / 128);
      if (v !== 0) byte |= 0x80;
      this.b.push(byte);
    } while (v !== 0);
    return this;
  }
  /** Signed LEB128 of an i32 (two's complement of the 32-bit value). */
  i32(v: number): this {
    v |= 0;
    for (;;) {
      const byte = v & 0x7f;
      v >>= 7;
      if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
        this.b.push(byte);
        return this;
      }
      this.b.push(byte | 0x80);
    }
  }
  f64(v: number): this {
    const dv = new DataView(new ArrayBuffer(8));
    dv.setFloat64(0, v, true);
    for (let i = 0; i < 8; i++) this.b.push(dv.getUint8(i));
    return this;
  }
  name(s: string): this {
    this.u32(s.length);
    for (let i = 0; i < s.length; i++) this.b.push(s.charCodeAt(i) & 0x7f);
    return this;
  }
  append(o: Bytes): this {
    for (const x of o.b) this.b.push(x);
    return this;
  }
  vec(items: Bytes[]): this {
    this.u32(items.length);
    for (const it of items) this.append(it);
    return this;
  }
}

/** A module section: id, byte length, body. @internal */
export function section(id: number, body: Bytes): Bytes {
  return new Bytes().byte(id).u32(body.b.length).append(body);
}

// --- code generation --------------------------------------------------------------------------

/** `i` if it is an integer in [0, limit), else throws. @internal */
export function checkIndex(i: number, limit: number, what: string): number {
  if (!Number.isInteger(i) || i < 0 || i >= limit) throw new NlsqTypeError(`wasm codegen: IR ${what} index out of range: ${String(i)}`, 'program');
  return i;
}

/** Which instructions `roots` depend on (need[i] for instruction i). @internal */
export function live(program: Program, roots: readonly Operand[]): boolean[] {
  const need = new Array<boolean>(program.instructions.length).fill(false);
  const mark = (o: Operand): void => {
    if (o.kind === 'tmp') need[checkIndex(o.index, program.instructions.length, 'temporary')] = true;
  };
  roots.forEach(mark);
  for (let i = program.instructions.length - 1; i >= 0; i--) if (need[i]) program.instructions[i]!.args.forEach(mark);
  return need;
}

/**
 * Which instructions are loop-invariant: they read only constants, parameters and invariant
 * temporaries (e.g. `2*s^2` in a Gaussian), so a generated loop computes them once, before it —
 * the same operations on the same values, so results are bit-identical. A malformed operand is
 * never invariant (it is rejected when emitted). @internal
 */
export function invariant(program: Program): boolean[] {
  const inv: boolean[] = [];
  program.instructions.forEach((ins, i) => {
    inv[i] = ins.args.every((a) => a.kind === 'const' || a.kind === 'param' || (a.kind === 'tmp' && Number.isInteger(a.index) && a.index >= 0 && a.index < i && inv[a.index] === true));
  });
  return inv;
}

interface FnContext {
  readonly program: Program;
  /** IR function / pow name → import function index. */
  readonly fnIndex: Map<string, number>;
  /** Local indices. */
  readonly localParam: number;
  readonly localVar: number;
  readonly localTmp: number;
}

function emitOperand(code: Bytes, o: Operand, ctx: FnContext, at: number): void {
  switch (o.kind) {
    case 'const':
      if (typeof o.value !== 'number') throw new NlsqTypeError('wasm codegen: IR constant must be a number', 'program');
      code.byte(OP.f64Const).f64(o.value);
      return;
    case 'param':
      code.byte(OP.localGet).u32(ctx.localParam + checkIndex(o.index, ctx.program.params.length, 'parameter'));
      return;
    case 'var':
      code.byte(OP.localGet).u32(ctx.localVar + checkIndex(o.index, ctx.program.variables.length, 'variable'));
      return;
    case 'tmp':
      code.byte(OP.localGet).u32(ctx.localTmp + checkIndex(o.index, at, 'temporary'));
      return;
    default:
      throw new NlsqTypeError('wasm codegen: unknown IR operand', 'program');
  }
}

function emitInstruction(code: Bytes, k: number, ctx: FnContext): void {
  const ins = ctx.program.instructions[k]!;
  const arg = (i: number): void => {
    const a = ins.args[i];
    if (a === undefined) throw new NlsqTypeError('wasm codegen: IR instruction is missing an operand', 'program');
    emitOperand(code, a, ctx, k);
  };
  const op = ins.op === 'add' ? OP.f64Add : ins.op === 'sub' ? OP.f64Sub : ins.op === 'mul' ? OP.f64Mul : ins.op === 'div' ? OP.f64Div : undefined;
  if (op !== undefined) {
    arg(0); arg(1); code.byte(op);
  } else if (ins.op === 'neg') {
    arg(0); code.byte(OP.f64Neg);
  } else if (ins.op === 'pow') {
    arg(0); arg(1); code.byte(OP.call).u32(ctx.fnIndex.get('pow')!);
  } else if (ins.op === 'call') {
    const fn = ins.fn;
    switch (fn) {
      case 'abs': arg(0); code.byte(OP.f64Abs); break;
      case 'sqrt': arg(0); code.byte(OP.f64Sqrt); break;
      case 'min': arg(0); arg(1); code.byte(OP.f64Min); break;
      case 'max': arg(0); arg(1); code.byte(OP.f64Max); break;
      case 'sign':
        // a > 0 ? 1 : (a < 0 ? −1 : a)   (keeps ±0 and NaN)
        code.byte(OP.f64Const).f64(1);
        code.byte(OP.f64Const).f64(-1); arg(0); arg(0); code.byte(OP.f64Const).f64(0).byte(OP.f64Lt).byte(OP.select);
        arg(0); code.byte(OP.f64Const).f64(0).byte(OP.f64Gt).byte(OP.select);
        break;
      case 'step':
        // a >= 0 ? 1 : (a < 0 ? 0 : NaN)
        code.byte(OP.f64Const).f64(1);
        code.byte(OP.f64Const).f64(0).byte(OP.f64Const).f64(NaN); arg(0); code.byte(OP.f64Const).f64(0).byte(OP.f64Lt).byte(OP.select);
        arg(0); code.byte(OP.f64Const).f64(0).byte(OP.f64Ge).byte(OP.select);
        break;
      default: {
        const idx = fn === undefined ? undefined : ctx.fnIndex.get(fn);
        const spec = importSpec(fn);
        if (idx === undefined || spec === undefined || ins.args.length !== spec.arity) throw new NlsqTypeError('wasm codegen: unknown IR function', 'program');
        for (let i = 0; i < spec.arity; i++) arg(i);
        code.byte(OP.call).u32(idx);
      }
    }
  } else {
    throw new NlsqTypeError('wasm codegen: unknown IR op', 'program');
  }
  code.byte(OP.localSet).u32(ctx.localTmp + k);
}

/**
 * Body of `rows` (mode 'rows', params n, out, hasW) or `resid` (params n, out, strideBytes, hasW).
 * Locals after the params: i32 off, i32 o; f64 θ_0..p−1, x_0..k−1, t_0..m−1, wi.
 */
function functionBody(program: Program, layout: WasmModelLayout, fnIndex: Map<string, number>, mode: 'rows' | 'resid'): Bytes {
  const p = program.params.length;
  const k = program.variables.length;
  const m = program.instructions.length;
  const nArgs = mode === 'rows' ? 3 : 4;
  const L_N = 0, L_OUT = 1, L_STRIDE = 2, L_HASW = nArgs - 1;
  const L_OFF = nArgs, L_O = nArgs + 1;
  const ctx: FnContext = { program, fnIndex, localParam: nArgs + 2, localVar: nArgs + 2 + p, localTmp: nArgs + 2 + p + k };
  const L_W = ctx.localTmp + m;
  const roots = mode === 'rows' ? [program.value, ...program.gradient] : [program.value];
  const need = live(program, roots);
  const rowBytes = (p + 1) * 8;

  const code = new Bytes();
  code.u32(2).u32(2).byte(I32).u32(p + k + m + 1).byte(F64); // locals
  // θ into locals
  for (let j = 0; j < p; j++) code.byte(OP.i32Const).i32(0).byte(OP.f64Load).u32(3).u32(layout.theta + 8 * j).byte(OP.localSet).u32(ctx.localParam + j);
  const inv = invariant(program);
  for (let i = 0; i < m; i++) if (need[i] && inv[i]) emitInstruction(code, i, ctx); // hoisted
  // if (n == 0) return — via block/br_if
  code.byte(OP.block).byte(0x40);
  code.byte(OP.localGet).u32(L_N).byte(OP.i32Eqz).byte(OP.brIf).u32(0);
  code.byte(OP.localGet).u32(L_OUT).byte(OP.localSet).u32(L_O);
  code.byte(OP.loop).byte(0x40);
  // variables
  for (let v = 0; v < k; v++) {
    const col = layout.x[v];
    if (col === undefined) throw new NlsqTypeError('wasm codegen: layout lacks a variable column', 'program');
    code.byte(OP.localGet).u32(L_OFF).byte(OP.f64Load).u32(3).u32(col).byte(OP.localSet).u32(ctx.localVar + v);
  }
  for (let i = 0; i < m; i++) if (need[i] && !inv[i]) emitInstruction(code, i, ctx);
  // wi = hasW ? w[off] : 1
  code.byte(OP.localGet).u32(L_HASW).byte(OP.if).byte(F64);
  code.byte(OP.localGet).u32(L_OFF).byte(OP.f64Load).u32(3).u32(layout.w);
  code.byte(OP.else).byte(OP.f64Const).f64(1).byte(OP.end).byte(OP.localSet).u32(L_W);
  if (mode === 'rows') {
    program.gradient.forEach((g, j) => {
      code.byte(OP.localGet).u32(L_O).byte(OP.localGet).u32(L_W);
      emitOperand(code, g, ctx, m);
      code.byte(OP.f64Mul).byte(OP.f64Store).u32(3).u32(8 * j);
    });
  }
  // residual: w·(f − y)
  code.byte(OP.localGet).u32(L_O).byte(OP.localGet).u32(L_W);
  emitOperand(code, program.value, ctx, m);
  code.byte(OP.localGet).u32(L_OFF).byte(OP.f64Load).u32(3).u32(layout.y).byte(OP.f64Sub).byte(OP.f64Mul);
  code.byte(OP.f64Store).u32(3).u32(mode === 'rows' ? 8 * p : 0);
  // o += rowBytes | stride; off += 8; loop while --n
  code.byte(OP.localGet).u32(L_O);
  if (mode === 'rows') code.byte(OP.i32Const).i32(rowBytes);
  else code.byte(OP.localGet).u32(L_STRIDE);
  code.byte(OP.i32Add).byte(OP.localSet).u32(L_O);
  code.byte(OP.localGet).u32(L_OFF).byte(OP.i32Const).i32(8).byte(OP.i32Add).byte(OP.localSet).u32(L_OFF);
  code.byte(OP.localGet).u32(L_N).byte(OP.i32Const).i32(-1).byte(OP.i32Add).byte(OP.localSet).u32(L_N);
  code.byte(OP.localGet).u32(L_N).byte(OP.brIf).u32(0);
  code.byte(OP.end); // loop
  code.byte(OP.end); // block
  code.byte(OP.end); // function
  return new Bytes().u32(code.b.length).append(code);
}

/** Throws unless the program and layout fit together (one gradient entry per parameter, one column per variable). @internal */
export function checkShape(program: Program, layout: WasmModelLayout): void {
  if (program.gradient.length !== program.params.length) throw new NlsqTypeError('wasm codegen: gradient length must equal the number of parameters', 'program');
  if (layout.x.length !== program.variables.length) throw new NlsqTypeError('wasm codegen: layout must have one column per variable', 'program');
}

/**
 * The imported functions of a program: every non-native function (and pow) it uses, in first-use
 * order, except the names in `skip` (computed inside the module). @internal
 * @returns import index by IR name, and IR name → kernel export name.
 */
export function collectImports(program: Program, skip: readonly string[] = []): { fnIndex: Map<string, number>; imports: Map<string, string> } {
  const fnIndex = new Map<string, number>();
  const imports = new Map<string, string>();
  for (const ins of program.instructions) {
    const name = ins.op === 'pow' ? 'pow' : ins.op === 'call' ? ins.fn : undefined;
    if (name === undefined || fnIndex.has(name) || skip.includes(name)) continue;
    const spec = importSpec(name);
    if (spec === undefined) continue; // native or inline (abs sqrt min max sign step), or unknown (rejected later)
    fnIndex.set(name, fnIndex.size);
    imports.set(name, spec.export);
  }
  return { fnIndex, imports };
}

/**
 * Assemble a model module: imports `env.memory` and `m.<name>` for each of `fnIndex` (type 0 or 1
 * by arity), defines `bodies` (types `funcTypes`, after the imports) and exports `rows` and
 * `resid` as the last two of them. Types: 0 (f64)→f64, 1 (f64,f64)→f64, 2 rows (i32×3)→(),
 * 3 resid (i32×4)→(), then `extraTypes`. @internal
 */
export function assembleModule(fnIndex: ReadonlyMap<string, number>, extraTypes: readonly Bytes[], funcTypes: readonly number[], bodies: readonly Bytes[]): Uint8Array<ArrayBuffer> {
  const types = new Bytes().vec([
    new Bytes().byte(0x60).u32(1).byte(F64).u32(1).byte(F64),
    new Bytes().byte(0x60).u32(2).byte(F64, F64).u32(1).byte(F64),
    new Bytes().byte(0x60).u32(3).byte(I32, I32, I32).u32(0),
    new Bytes().byte(0x60).u32(4).byte(I32, I32, I32, I32).u32(0),
    ...extraTypes,
  ]);
  const importItems: Bytes[] = [new Bytes().name('env').name('memory').byte(0x02).byte(0x00).u32(0)];
  for (const name of fnIndex.keys()) {
    const arity = importSpec(name)!.arity;
    importItems.push(new Bytes().name('m').name(name).byte(0x00).u32(arity === 1 ? 0 : 1));
  }
  const nImports = fnIndex.size;
  const funcs = new Bytes().u32(funcTypes.length);
  for (const t of funcTypes) funcs.u32(t);
  const exports = new Bytes().vec([
    new Bytes().name('rows').byte(0x00).u32(nImports + bodies.length - 2),
    new Bytes().name('resid').byte(0x00).u32(nImports + bodies.length - 1),
  ]);
  const out = new Bytes()
    .byte(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00)
    .append(section(1, types))
    .append(section(2, new Bytes().vec(importItems)))
    .append(section(3, funcs))
    .append(section(7, exports))
    .append(section(10, new Bytes().vec([...bodies])));
  return new Uint8Array(out.b);
}

/**
 * Generate the scalar module for one program and layout (one point per loop iteration; the
 * wasm-scalar backend's form, and the reference the f64x2 form of `model-wasm-simd-codegen.ts`
 * is tested against).
 *
 * @param program - f and its gradient (from `lowerToProgram`).
 * @param layout - where θ, the columns, y and w live in the backend's memory.
 * @returns the binary and the math imports it needs.
 * @throws NlsqTypeError on a malformed IR (unknown op/function, operand index out of range).
 */
export function generateWasmModel(program: Program, layout: WasmModelLayout): GeneratedWasmModel {
  checkShape(program, layout);
  const { fnIndex, imports } = collectImports(program);
  const bodies = [functionBody(program, layout, fnIndex, 'rows'), functionBody(program, layout, fnIndex, 'resid')];
  return { bytes: assembleModule(fnIndex, [], [2, 3], bodies), imports };
}
