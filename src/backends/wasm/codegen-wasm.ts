/**
 * WebAssembly code generation from the IR (see `src/model/ir.ts`): one small module per model
 * whose functions loop over a window of points entirely inside wasm.
 *
 * The module imports the wasm backend's linear memory (`env.memory`) and the math functions wasm
 * lacks natively from the backend's kernel instance (`m.exp`, `m.pow`, … = the `math*` exports of
 * `assembly/math.ts`), so a call to `exp` is a wasm → wasm call, never a JS call. It exports
 *
 * - `rows(desc, n, out, hasW)`: for i < n writes `[w·∂f/∂θ_0 … w·∂f/∂θ_{p−1}, w·(f − y)]` at
 *   `out + i·(p+1)·8`;
 * - `resid(desc, n, out, strideBytes, hasW)`: writes `w·(f − y)` at `out + i·strideBytes`,
 *   computing only the instructions f depends on;
 * - `cols(desc, n, out, colStrideBytes, hasW, acc)`: the entries of `rows`, column-major: entry j of
 *   point i (j < p: w·∂f/∂θ_j; j = p: w·(f − y)) at `out + j·colStrideBytes + 8i` — the layout a
 *   QR fold reads, so no transpose is needed. Same instructions as `rows` (bit-identical values),
 *   only the store addresses differ; nothing is written past row n − 1 of any column, so columns
 *   may be any distance ≥ 8n apart (the callers use a multiple of 16). It also writes p + 2 sums
 *   as f64 at `acc`: Σ_i X_i0 X_ij for j = 0 … p (X the p + 1 columns it wrote), then Σ_i X_ip²
 *   (Σ r²) — the first-column dot products the Householder fold starts with
 *   (`foldColumnMajorDots` in `assembly/fold.ts`) and the cost, computed while each value is
 *   in a register instead of by sweeps over the columns afterwards.
 *
 * Position independence: the code bakes in no address. `desc` is the byte offset of a small call
 * descriptor the host writes before each call ({@link descriptorLayout}): θ as p f64 at `desc`,
 * then one u32 byte offset per column at `desc + 8p` — the k variable columns, y, w — each
 * pointing at the column's value for point 0 of the call. The function loads θ and the column
 * bases into locals at entry and reads column c of point i at `base_c + 8i`. So the module bytes
 * depend only on the program (and the generator), and one compiled module serves every kernel,
 * backend and memory layout. `hasW = 0` means unit weights (the w offset is then never read).
 * Instructions that depend on θ only (e.g. `2*s^2`) are computed once per call, before the loop
 * ({@link invariant}).
 *
 * Operations: add/sub/mul/div/neg, `abs`, `sqrt`, `min`, `max` are native f64 instructions
 * (IEEE results identical to JavaScript's); `sign` and `step` are inline selects with the IR's
 * semantics; every other function and `pow` is an imported call (an inline fdlibm `exp` was
 * tried and measured slower in V8 than this call to AssemblyScript's table-driven `exp`). Those
 * come from AssemblyScript's musl-derived `Math` (and ports of Cody's erf and of `stats/faddeeva.ts`), so results may
 * differ from the JS kernel in the last bits of a function value (V8's `Math` is fdlibm-derived);
 * the tests check rows and residuals against the JS kernel to 1e-13 relative.
 *
 * This is the scalar form (one point per loop iteration), used on the wasm-scalar backend;
 * `codegen-wasm-simd.ts` generates the same contract with f64x2 loops for wasm-simd and
 * shares this file's module assembly (and the encoder of `wasm-binary-encoder.ts`).
 *
 * The binary is written by a minimal encoder (`wasm-binary-encoder.ts`: LEB128; type, import,
 * function, export and code sections). Only numbers from the IR reach it: every operand index is
 * range-checked, so a tampered IR throws instead of producing a module that reads elsewhere; and
 * since no address is baked in, the code reads only where the host's descriptor points.
 *
 * @module
 */

import { NlsqTypeError } from '../../errors.ts';
import type { IrFunctionName, Operand, Program } from '../../model/ir.ts';
import { liveInstructions } from '../../model/liveness.ts';
import { Bytes, F64, I32, OP, section } from './wasm-binary-encoder.ts';

/**
 * Byte layout of a program's call descriptor (relative to `desc`): θ_j at `8j` (f64), then the
 * u32 byte offsets of the columns at `columns + 4c` for c = 0 … k − 1 (variables), k (y), k + 1 (w).
 */
export interface WasmModelDescriptor {
  /** Byte offset of the first column offset (8p). */
  readonly columns: number;
  /** Total bytes (8p + 4(k + 2)). */
  readonly bytes: number;
}

/**
 * The call-descriptor layout of a program (see the module comment).
 * @param program - f and its gradient.
 * @returns where the column offsets start and the descriptor's size in bytes.
 */
export function descriptorLayout(program: Program): WasmModelDescriptor {
  const p = program.params.length;
  return { columns: 8 * p, bytes: 8 * p + 4 * (program.variables.length + 2) };
}

/** Functions a generated module imports (module `m`), with their arity, by IR name. */
export const WASM_IMPORTED_FUNCTIONS: Readonly<Partial<Record<IrFunctionName | 'pow', { readonly arity: number; readonly export: string }>>> = Object.freeze({
  exp: { arity: 1, export: 'mathExp' }, log: { arity: 1, export: 'mathLog' }, log10: { arity: 1, export: 'mathLog10' },
  log2: { arity: 1, export: 'mathLog2' }, cbrt: { arity: 1, export: 'mathCbrt' }, sin: { arity: 1, export: 'mathSin' },
  cos: { arity: 1, export: 'mathCos' }, tan: { arity: 1, export: 'mathTan' }, asin: { arity: 1, export: 'mathAsin' },
  acos: { arity: 1, export: 'mathAcos' }, atan: { arity: 1, export: 'mathAtan' }, sinh: { arity: 1, export: 'mathSinh' },
  cosh: { arity: 1, export: 'mathCosh' }, tanh: { arity: 1, export: 'mathTanh' }, erf: { arity: 1, export: 'mathErf' },
  erfc: { arity: 1, export: 'mathErfc' }, atan2: { arity: 2, export: 'mathAtan2' }, hypot: { arity: 2, export: 'mathHypot' },
  faddeeva_re: { arity: 2, export: 'mathFaddeevaRe' }, faddeeva_im: { arity: 2, export: 'mathFaddeevaIm' },
  pow: { arity: 2, export: 'mathPow' },
});

/**
 * The import of an IR function name (own properties only: a tampered name never reaches the prototype).
 * @internal shared with `codegen-wasm-simd.ts`.
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

// --- code generation --------------------------------------------------------------------------

/** `i` if it is an integer in [0, limit), else throws. @internal */
export function checkIndex(i: number, limit: number, what: string): number {
  if (!Number.isInteger(i) || i < 0 || i >= limit) throw new NlsqTypeError(`wasm codegen: IR ${what} index out of range: ${String(i)}`, 'program');
  return i;
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

/** Which generated function: row-major `rows`, strided residuals `resid`, column-major `cols`. @internal */
export type WasmModelMode = 'rows' | 'resid' | 'cols';

/** Number of (i32) parameters of each exported function (see the module comment). @internal */
export const WASM_MODEL_ARITY: Readonly<Record<WasmModelMode, number>> = { rows: 4, resid: 5, cols: 6 };

/**
 * The i32 locals a function of `mode` needs after its params: off, o, base_0..base_{k+1}, and
 * for `cols` the p + 1 output column bases. @internal shared with `codegen-wasm-simd.ts`.
 */
export function i32LocalCount(mode: WasmModelMode, p: number, k: number): number {
  return 4 + k + (mode === 'cols' ? p + 1 : 0);
}

/**
 * Emit `col_j = out + j·stride` into i32 locals `firstLocal + j`, j = 0 … count − 1 (a chain of
 * adds, once per call): the output column bases of `cols`, whose entry for point i is then
 * stored at `col_j + 8i` like a column read. @internal shared with `codegen-wasm-simd.ts`.
 */
export function emitOutputColumnBases(code: Bytes, outLocal: number, strideLocal: number, firstLocal: number, count: number): void {
  code.byte(OP.localGet).u32(outLocal).byte(OP.localSet).u32(firstLocal);
  for (let j = 1; j < count; j++) {
    code.byte(OP.localGet).u32(firstLocal + j - 1).byte(OP.localGet).u32(strideLocal).byte(OP.i32Add).byte(OP.localSet).u32(firstLocal + j);
  }
}

/** The locals {@link emitStores} uses (`e0`, `v`, `sums`: cols only). */
interface StoreLocals {
  readonly o: number;
  readonly off: number;
  readonly stride: number;
  readonly w: number;
  readonly y: number;
  readonly col: number;
  /** f64: entry 0 of the point, and the entry just stored. */
  readonly e0: number;
  readonly v: number;
  /** f64: the p + 2 running sums of `cols` (see the module comment). */
  readonly sums: number;
}

/**
 * Emit the stores of one point (scalar form): `w·∂f/∂θ_j` (rows, cols) and `w·(f − y)`, at
 * `o + 8j` (rows), `o` (resid) or `col_j + off` (cols); then `o += rowBytes | stride` (rows,
 * resid; in cols the column bases stay and `off` moves). `L` names the locals: o, off, stride,
 * wi, y's column base, col_0.
 */
function emitStores(code: Bytes, ctx: FnContext, mode: WasmModelMode, L: StoreLocals): void {
  const p = ctx.program.params.length;
  const m = ctx.program.instructions.length;
  /** Push the store address of entry j; returns the memarg offset to store at. */
  const dest = (j: number): number => {
    if (mode !== 'cols') {
      code.byte(OP.localGet).u32(L.o);
      return mode === 'rows' ? 8 * j : 0;
    }
    code.byte(OP.localGet).u32(L.col + j).byte(OP.localGet).u32(L.off).byte(OP.i32Add);
    return 0;
  };
  /** Store the entry on the stack; in cols also add it to the sums (entry 0 kept in e0). */
  const store = (j: number, offset: number): void => {
    if (mode !== 'cols') {
      code.byte(OP.f64Store).u32(3).u32(offset);
      return;
    }
    const keep = j === 0 ? L.e0 : L.v;
    code.byte(OP.localTee).u32(keep).byte(OP.f64Store).u32(3).u32(offset);
    const add = (sum: number, a: number, b: number): void => {
      code.byte(OP.localGet).u32(sum).byte(OP.localGet).u32(a).byte(OP.localGet).u32(b);
      code.byte(OP.f64Mul).byte(OP.f64Add).byte(OP.localSet).u32(sum);
    };
    add(L.sums + j, L.e0, keep);
    if (j === p) add(L.sums + p + 1, keep, keep);
  };
  if (mode !== 'resid') {
    ctx.program.gradient.forEach((g, j) => {
      const offset = dest(j);
      code.byte(OP.localGet).u32(L.w);
      emitOperand(code, g, ctx, m);
      code.byte(OP.f64Mul);
      store(j, offset);
    });
  }
  // residual: w·(f − y)
  const offset = dest(p);
  code.byte(OP.localGet).u32(L.w);
  emitOperand(code, ctx.program.value, ctx, m);
  code.byte(OP.localGet).u32(L.y).byte(OP.localGet).u32(L.off).byte(OP.i32Add);
  code.byte(OP.f64Load).u32(3).u32(0).byte(OP.f64Sub).byte(OP.f64Mul);
  store(p, offset);
  if (mode === 'cols') return;
  code.byte(OP.localGet).u32(L.o);
  if (mode === 'rows') code.byte(OP.i32Const).i32((p + 1) * 8);
  else code.byte(OP.localGet).u32(L.stride);
  code.byte(OP.i32Add).byte(OP.localSet).u32(L.o);
}

/**
 * Body of `rows` (params desc, n, out, hasW), `resid` (params desc, n, out, strideBytes, hasW) or
 * `cols` (params desc, n, out, colStrideBytes, hasW, acc). Locals after the params: i32 off, i32 o,
 * i32 base_0..base_{k+1} (columns x…, y, w), [cols: i32 col_0..col_p]; f64 θ_0..p−1, x_0..k−1,
 * t_0..m−1, wi, e0, v, [cols: the p + 2 sums].
 */
function functionBody(program: Program, fnIndex: Map<string, number>, mode: WasmModelMode): Bytes {
  const p = program.params.length;
  const k = program.variables.length;
  const m = program.instructions.length;
  const nArgs = WASM_MODEL_ARITY[mode];
  const L_DESC = 0, L_N = 1, L_OUT = 2, L_STRIDE = 3, L_HASW = mode === 'rows' ? 3 : 4, L_ACC = 5;
  const L_OFF = nArgs, L_O = nArgs + 1, L_BASE = nArgs + 2, L_COL = L_BASE + k + 2;
  const nI32 = i32LocalCount(mode, p, k);
  const f64Base = nArgs + nI32;
  const ctx: FnContext = { program, fnIndex, localParam: f64Base, localVar: f64Base + p, localTmp: f64Base + p + k };
  const L_W = ctx.localTmp + m;
  const L_SUMS = L_W + 3;
  const nSums = mode === 'cols' ? p + 2 : 0;
  const roots = mode === 'resid' ? [program.value] : [program.value, ...program.gradient];
  const need = liveInstructions(program, roots, 'wasm codegen');
  const code = new Bytes();
  /** Push base_c + off (the address of column c's current point). */
  const at = (c: number): Bytes => code.byte(OP.localGet).u32(L_BASE + c).byte(OP.localGet).u32(L_OFF).byte(OP.i32Add);
  code.u32(2).u32(nI32).byte(I32).u32(p + k + m + 3 + nSums).byte(F64); // locals
  emitDescriptorLoads(code, program, L_DESC, L_BASE, ctx.localParam, (c) => c.byte(OP.f64Load));
  if (mode === 'cols') emitOutputColumnBases(code, L_OUT, L_STRIDE, L_COL, p + 1);
  const inv = invariant(program);
  for (let i = 0; i < m; i++) if (need[i] && inv[i]) emitInstruction(code, i, ctx); // hoisted
  // if (n == 0) return — via block/br_if
  code.byte(OP.block).byte(0x40);
  code.byte(OP.localGet).u32(L_N).byte(OP.i32Eqz).byte(OP.brIf).u32(0);
  if (mode !== 'cols') code.byte(OP.localGet).u32(L_OUT).byte(OP.localSet).u32(L_O);
  code.byte(OP.loop).byte(0x40);
  for (let v = 0; v < k; v++) at(v).byte(OP.f64Load).u32(3).u32(0).byte(OP.localSet).u32(ctx.localVar + v);
  for (let i = 0; i < m; i++) if (need[i] && !inv[i]) emitInstruction(code, i, ctx);
  // wi = hasW ? w[off] : 1
  code.byte(OP.localGet).u32(L_HASW).byte(OP.if).byte(F64);
  at(k + 1).byte(OP.f64Load).u32(3).u32(0);
  code.byte(OP.else).byte(OP.f64Const).f64(1).byte(OP.end).byte(OP.localSet).u32(L_W);
  emitStores(code, ctx, mode, { o: L_O, off: L_OFF, stride: L_STRIDE, w: L_W, y: L_BASE + k, col: L_COL, e0: L_W + 1, v: L_W + 2, sums: L_SUMS });
  code.byte(OP.localGet).u32(L_OFF).byte(OP.i32Const).i32(8).byte(OP.i32Add).byte(OP.localSet).u32(L_OFF);
  code.byte(OP.localGet).u32(L_N).byte(OP.i32Const).i32(-1).byte(OP.i32Add).byte(OP.localSet).u32(L_N);
  code.byte(OP.localGet).u32(L_N).byte(OP.brIf).u32(0);
  code.byte(OP.end); // loop
  code.byte(OP.end); // block
  for (let j = 0; j < nSums; j++) code.byte(OP.localGet).u32(L_ACC).byte(OP.localGet).u32(L_SUMS + j).byte(OP.f64Store).u32(3).u32(8 * j);
  code.byte(OP.end); // function
  return new Bytes().u32(code.b.length).append(code);
}

/**
 * Emit the function prologue that reads the call descriptor at local `descLocal`: θ_j into local
 * `paramLocal + j` via `loadTheta` (which emits the load opcode: `f64.load`, or a splat load for
 * the f64x2 form; memarg follows), and the k + 2 column offsets into i32 locals `baseLocal + c`.
 * @internal shared with `codegen-wasm-simd.ts`.
 */
export function emitDescriptorLoads(code: Bytes, program: Program, descLocal: number, baseLocal: number, paramLocal: number, loadTheta: (code: Bytes) => Bytes): void {
  const { columns } = descriptorLayout(program);
  for (let j = 0; j < program.params.length; j++) {
    loadTheta(code.byte(OP.localGet).u32(descLocal)).u32(3).u32(8 * j).byte(OP.localSet).u32(paramLocal + j);
  }
  for (let c = 0; c < program.variables.length + 2; c++) {
    code.byte(OP.localGet).u32(descLocal).byte(OP.i32Load).u32(2).u32(columns + 4 * c).byte(OP.localSet).u32(baseLocal + c);
  }
}

/** Throws unless the program is well-shaped (one gradient entry per parameter). @internal */
export function checkShape(program: Program): void {
  if (program.gradient.length !== program.params.length) throw new NlsqTypeError('wasm codegen: gradient length must equal the number of parameters', 'program');
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
 * by arity), defines the three `bodies` (`rows`, `resid`, `cols`, after the imports) and exports
 * them. Types: 0 (f64)→f64, 1 (f64,f64)→f64, then (i32 × {@link WASM_MODEL_ARITY}) → () for
 * rows, resid and cols. @internal
 */
export function assembleModule(fnIndex: ReadonlyMap<string, number>, bodies: readonly Bytes[]): Uint8Array<ArrayBuffer> {
  const modes = ['rows', 'resid', 'cols'] as const;
  const types = new Bytes().vec([
    new Bytes().byte(0x60).u32(1).byte(F64).u32(1).byte(F64),
    new Bytes().byte(0x60).u32(2).byte(F64, F64).u32(1).byte(F64),
    ...modes.map((mode) => new Bytes().byte(0x60).u32(WASM_MODEL_ARITY[mode]).byte(...new Array<number>(WASM_MODEL_ARITY[mode]).fill(I32)).u32(0)),
  ]);
  const importItems: Bytes[] = [new Bytes().name('env').name('memory').byte(0x02).byte(0x00).u32(0)];
  for (const name of fnIndex.keys()) {
    const arity = importSpec(name)!.arity;
    importItems.push(new Bytes().name('m').name(name).byte(0x00).u32(arity === 1 ? 0 : 1));
  }
  const nImports = fnIndex.size;
  const funcs = new Bytes().u32(modes.length);
  modes.forEach((_, i) => funcs.u32(2 + i));
  const exports = new Bytes().vec(modes.map((mode, i) => new Bytes().name(mode).byte(0x00).u32(nImports + i)));
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
 * Generate the scalar module for one program (one point per loop iteration; the wasm-scalar
 * backend's form, and the reference the f64x2 form of `codegen-wasm-simd.ts` is tested
 * against). The bytes depend on the program only: compile them once and instantiate per memory.
 *
 * @param program - f and its gradient (from `lowerToProgram`).
 * @returns the binary and the math imports it needs.
 * @throws NlsqTypeError on a malformed IR (unknown op/function, operand index out of range).
 * @example
 * ```ts
 * const gen = generateWasmModel(model('a*exp(-b*x)+c').program);
 * [...gen.imports.keys()]; // ['exp']
 * ```
 */
export function generateWasmModel(program: Program): GeneratedWasmModel {
  checkShape(program);
  const { fnIndex, imports } = collectImports(program);
  const bodies = (['rows', 'resid', 'cols'] as const).map((mode) => functionBody(program, fnIndex, mode));
  return { bytes: assembleModule(fnIndex, bodies), imports };
}
