/**
 * f64x2 (WebAssembly SIMD) code generation from the IR (see `src/model/ir.ts`): the same module
 * contract as the scalar generator of `model-wasm-codegen.ts` — `rows(desc, n, out, hasW)`,
 * `resid(desc, n, out, strideBytes, hasW)` and `cols(desc, n, out, colStrideBytes, hasW)` reading
 * θ and the column offsets from the call
 * descriptor at `desc` (position-independent: the bytes depend on the program only), importing
 * `env.memory` and the non-native math functions (module `m`) — with loops that evaluate two
 * points per iteration.
 *
 * Each IR temporary is a v128 local holding the value at points i (lane 0) and i + 1 (lane 1).
 * θ is splatted into v128 locals once before the loop, where the θ-only (loop-invariant)
 * instructions are computed too; the variable columns, y and w are read at `base_c + 8i`
 * with `v128.load` (two consecutive doubles; columns need only 8-byte alignment). `rows` writes rows i and i + 1 (adjacent in
 * memory) two entries at a time: entries c, c + 1 of both points are interleaved by
 * `i8x16.shuffle` into one 16-byte store per row (`v128.store64_lane` for a last odd entry);
 * `resid` stores lane 0 at `out + i·stride` and lane 1 at `out + (i+1)·stride`. `cols` writes
 * the entries of `rows` column-major (entry j of point i at `out + j·colStrideBytes + 8i`): a
 * point pair is contiguous in a column, so each entry is one `v128.store` at `col_j + 8i`, no
 * shuffle. An odd last point is computed by the same code on `v128.load64_splat` inputs, storing
 * lane 0 only (`v128.store64_lane`), so nothing is read or written past point n − 1.
 *
 * Operations and their exactness (the IR's semantics, lane-wise):
 * - add/sub/mul/div/neg, `abs`, `sqrt`, `min`, `max`: native f64x2 instructions, bitwise equal to
 *   the scalar ones (wasm's f64x2.min/max are the scalar f64.min/max per lane: NaN if either
 *   operand is NaN, −0 < +0 — JavaScript's `Math.min`/`Math.max`);
 * - `sign`, `step`: f64x2 compares and `v128.bitselect`, exactly the scalar selects (±0, NaN);
 * - `exp`: a vectorised exp emitted inline ({@link emitExpV}: fdlibm's method, as V8's
 *   `Math.exp`, < 1 ulp; an inline body measured faster in V8 than a call to a module function
 *   with a v128 signature);
 * - `pow` and every other function: lane-split (both lanes extracted, the scalar import called
 *   twice, the vector rebuilt), bitwise equal to the scalar module.
 *
 * So rows and residuals equal the scalar generator's bit for bit except where `exp` is used.
 *
 * @module
 */

import { NlsqTypeError } from '../../errors.ts';
import type { Operand, Program } from '../../model/ir.ts';
import {
  assembleModule, checkIndex, checkShape, collectImports, emitDescriptorLoads, emitOutputColumnBases, i32LocalCount, importSpec, invariant, live,
  type GeneratedWasmModel, type WasmModelMode,
} from './model-wasm-codegen.ts';
import { Bytes, I32, OP } from './wasm-binary-encoder.ts';

const V128 = 0x7b;
/** SIMD opcodes (prefix 0xfd, then the u32 below). */
const S = {
  load: 0x00, load64Splat: 0x0a, store: 0x0b, const: 0x0c, shuffle: 0x0d, f64x2Splat: 0x14,
  extractLane: 0x21, replaceLane: 0x22, lt: 0x49, gt: 0x4a, ge: 0x4c, bitselect: 0x52,
  store64Lane: 0x5b, i64Shl: 0xcb, i64ShrU: 0xcd, i64Add: 0xce, i64Sub: 0xd1,
  abs: 0xec, pmin: 0xf6, pmax: 0xf7, neg: 0xed, sqrt: 0xef, add: 0xf0, sub: 0xf1, mul: 0xf2, div: 0xf3, min: 0xf4, max: 0xf5,
} as const;

function simd(code: Bytes, op: number): Bytes {
  return code.byte(0xfd).u32(op);
}

/** `v128.const` with both f64 lanes equal to v. */
function constF64x2(code: Bytes, v: number): Bytes {
  return simd(code, S.const).f64(v).f64(v);
}

/** `v128.const` with both i64 lanes equal to v. */
function constI64x2(code: Bytes, v: bigint): Bytes {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setBigInt64(0, v, true);
  for (let r = 0; r < 2; r++) for (let i = 0; i < 8; i++) code.byte(dv.getUint8(i));
  return code;
}

// --- vectorised exp ------------------------------------------------------------------------

/** 1.5·2^52: adding it rounds |t| < 2^51 to an integer held in the low mantissa bits. */
const MAGIC = 6755399441055744;
const MAGIC_BITS = 0x4338000000000000n;
const LOG2E = 1.4426950408889634;
/** ln 2 split (fdlibm): LN2_HI has 21 trailing zero bits, so k·LN2_HI is exact for |k| < 2^11. */
const LN2_HI = 6.93147180369123816490e-01;
const LN2_LO = 1.90821492927058770002e-10;
/** fdlibm's (`e_exp.c`) Remez coefficients of R(r²) ≈ r·(e^r + 1)/(e^r − 1) − 2, |r| ≤ ln2/2, error < 2^−59. */
const EXP_P = [
  1.66666666666666019037e-01, -2.77777777770155933842e-03, 6.61375632143793436117e-05,
  -1.65339022054652515390e-06, 4.13813679705723846039e-08,
];

/** v128 scratch locals {@link emitExpV} uses. */
const EXP_LOCALS = 7;

/**
 * Emit e^x per f64 lane for the v128 on the stack, leaving the result (branch-free, inline; uses
 * the v128 locals base … base + {@link EXP_LOCALS} − 1).
 *
 * Method: fdlibm's `e_exp.c` (as V8's `Math.exp`), vectorised:
 * 1. x is clamped to [−746, 710] (`f64x2.pmax/pmin` with x first, so NaN stays NaN). Outside
 *    it e^x rounds to 0 (x < −745.14) or overflows (x > 709.79) anyway, and the clamp keeps k
 *    in range for step 4.
 * 2. Cody–Waite reduction: k = nearest(x·log2 e) by adding and subtracting 1.5·2^52 (round to
 *    nearest even); hi = x − k·ln2_hi (exact: ln2_hi has 21 trailing zero bits),
 *    lo = k·ln2_lo, r = hi − lo, |r| ≤ ln2/2 (+ rounding).
 * 3. e^r by fdlibm's rational form: with z = r², c = r − z·P(z) (P: degree-4 Remez polynomial,
 *    error < 2^−59), e^r = 1 − ((lo − r·c/(2 − c)) − hi).
 * 4. 2^k = 2^k1 · 2^k2 with k1 = ⌊k/2⌋, k2 = k − k1 (both in [−538, 512]), each built from
 *    its exponent bits: u = k + 2046 is read off the bits of the rounded sum of step 2,
 *    e1 = u >>> 1 = k1 + 1023, e2 = u − e1, 2^ki = bits(ei << 52). y·2^k1 is exact, so the
 *    result is rounded once: correctly scaled into the subnormal range, +∞ on overflow.
 *
 * Accuracy: fdlibm's, < 1 ulp; it equals V8's `Math.exp` except where the two choose k
 * differently (|x·log2 e| at a tie) and where V8 special-cases (exp(1) = Math.E) — the tests
 * assert ≤ 1 ulp against `Math.exp` over millions of points in [−745, 709.8] and exact special
 * values: exp(±0) = 1, exp(+∞) = +∞, exp(−∞) = 0, exp(NaN) = NaN, exp(x > 709.79) = +∞,
 * exp(x < −745.14) = 0.
 */
function emitExpV(code: Bytes, base: number): void {
  const get = (l: number): Bytes => code.byte(OP.localGet).u32(base + l);
  const set = (l: number): Bytes => code.byte(OP.localSet).u32(base + l);
  const tee = (l: number): Bytes => code.byte(OP.localTee).u32(base + l);
  const op = (o: number): Bytes => simd(code, o);
  const c = (v: number): Bytes => constF64x2(code, v);
  // x = clamp(x, −746, 710): pmax/pmin with x first (x < −746 ? −746 : x), so NaN stays NaN
  c(-746); op(S.pmax); c(710); op(S.pmin); set(0);
  // t = x·log2e + 1.5·2^52; kf = t − 1.5·2^52; hi = x − kf·ln2_hi; lo = kf·ln2_lo; r = hi − lo
  get(0); c(LOG2E); op(S.mul); c(MAGIC); op(S.add); tee(1);
  c(MAGIC); op(S.sub); set(2);
  get(0); get(2); c(LN2_HI); op(S.mul); op(S.sub); set(3);
  get(2); c(LN2_LO); op(S.mul); set(4);
  get(3); get(4); op(S.sub); tee(5); get(5); op(S.mul); set(2); // z = r²
  // cr = r − z·(P1 + z·(P2 + z·(P3 + z·(P4 + z·P5))))
  get(5); get(2); c(EXP_P[4]!); op(S.mul);
  for (let i = 3; i >= 0; i--) { c(EXP_P[i]!); op(S.add); get(2); op(S.mul); }
  op(S.sub); set(6);
  // y = 1 − ((lo − r·cr/(2 − cr)) − hi)
  c(1); get(4); get(5); get(6); op(S.mul); c(2); get(6); op(S.sub); op(S.div); op(S.sub); get(3); op(S.sub); op(S.sub);
  // u = k + 2046 = bits(t) − (bits(1.5·2^52) − 2046); e1 = u >>> 1 = (k >> 1) + 1023; e2 = u − e1 = k − (k >> 1) + 1023
  get(1); op(S.const); constI64x2(code, MAGIC_BITS - 2046n); op(S.i64Sub); tee(6);
  code.byte(OP.i32Const).i32(1); op(S.i64ShrU); tee(1);
  code.byte(OP.i32Const).i32(52); op(S.i64Shl); op(S.mul);
  get(6); get(1); op(S.i64Sub); code.byte(OP.i32Const).i32(52); op(S.i64Shl); op(S.mul);
}

// --- loop code -------------------------------------------------------------------------------

interface VecContext {
  readonly program: Program;
  /** IR function / pow name → import function index. */
  readonly fnIndex: Map<string, number>;
  /** First of the {@link EXP_LOCALS} v128 scratch locals of the inline exp. */
  readonly expLocals: number;
  readonly localParam: number;
  readonly localVar: number;
  readonly localTmp: number;
}

function operandLocal(o: Operand, ctx: VecContext, at: number): number {
  switch (o.kind) {
    case 'param': return ctx.localParam + checkIndex(o.index, ctx.program.params.length, 'parameter');
    case 'var': return ctx.localVar + checkIndex(o.index, ctx.program.variables.length, 'variable');
    case 'tmp': return ctx.localTmp + checkIndex(o.index, at, 'temporary');
    default: throw new NlsqTypeError('wasm codegen: unknown IR operand', 'program');
  }
}

function checkConst(o: Operand): number {
  if (o.kind !== 'const') return NaN;
  if (typeof o.value !== 'number') throw new NlsqTypeError('wasm codegen: IR constant must be a number', 'program');
  return o.value;
}

/** Push operand o as a v128 (both lanes). */
function emitVec(code: Bytes, o: Operand, ctx: VecContext, at: number): void {
  if (o.kind === 'const') constF64x2(code, checkConst(o));
  else code.byte(OP.localGet).u32(operandLocal(o, ctx, at));
}

/** Push one lane of operand o as an f64. */
function emitLane(code: Bytes, o: Operand, ctx: VecContext, at: number, lane: number): void {
  if (o.kind === 'const') code.byte(OP.f64Const).f64(checkConst(o));
  else simd(code.byte(OP.localGet).u32(operandLocal(o, ctx, at)), S.extractLane).byte(lane);
}

const BINARY: Readonly<Partial<Record<string, number>>> = { add: S.add, sub: S.sub, mul: S.mul, div: S.div };
const NATIVE_CALL: Readonly<Partial<Record<string, number>>> = { abs: S.abs, sqrt: S.sqrt, min: S.min, max: S.max };

function emitVecInstruction(code: Bytes, k: number, ctx: VecContext): void {
  const ins = ctx.program.instructions[k]!;
  const arg = (i: number): void => {
    const a = ins.args[i];
    if (a === undefined) throw new NlsqTypeError('wasm codegen: IR instruction is missing an operand', 'program');
    emitVec(code, a, ctx, k);
  };
  const fn = ins.op === 'call' ? ins.fn : undefined;
  const binary = Object.prototype.hasOwnProperty.call(BINARY, ins.op) ? BINARY[ins.op] : undefined;
  const native = fn !== undefined && Object.prototype.hasOwnProperty.call(NATIVE_CALL, fn) ? NATIVE_CALL[fn] : undefined;
  if (binary !== undefined) {
    arg(0); arg(1); simd(code, binary);
  } else if (ins.op === 'neg') {
    arg(0); simd(code, S.neg);
  } else if (ins.op !== 'pow' && ins.op !== 'call') {
    throw new NlsqTypeError('wasm codegen: unknown IR op', 'program');
  } else if (native !== undefined) {
    arg(0); if (fn === 'min' || fn === 'max') arg(1);
    simd(code, native);
  } else if (fn === 'sign') {
    // bitselect(1, bitselect(−1, a, a < 0), a > 0)   (keeps ±0 and NaN)
    constF64x2(code, 1); constF64x2(code, -1); arg(0); arg(0); constF64x2(code, 0); simd(code, S.lt); simd(code, S.bitselect);
    arg(0); constF64x2(code, 0); simd(code, S.gt); simd(code, S.bitselect);
  } else if (fn === 'step') {
    // bitselect(1, bitselect(0, NaN, a < 0), a ≥ 0)
    constF64x2(code, 1); constF64x2(code, 0); constF64x2(code, NaN); arg(0); constF64x2(code, 0); simd(code, S.lt); simd(code, S.bitselect);
    arg(0); constF64x2(code, 0); simd(code, S.ge); simd(code, S.bitselect);
  } else if (fn === 'exp' && ins.args.length === 1) {
    arg(0); emitExpV(code, ctx.expLocals);
  } else {
    const name = ins.op === 'pow' ? 'pow' : fn;
    const idx = name === undefined ? undefined : ctx.fnIndex.get(name);
    const spec = importSpec(name);
    if (idx === undefined || spec === undefined || ins.args.length !== spec.arity) throw new NlsqTypeError('wasm codegen: unknown IR function', 'program');
    for (let lane = 0; lane < 2; lane++) {
      for (let i = 0; i < spec.arity; i++) emitLane(code, ins.args[i]!, ctx, k, lane);
      code.byte(OP.call).u32(idx);
      if (lane === 0) simd(code, S.f64x2Splat);
      else simd(code, S.replaceLane).byte(1);
    }
  }
  code.byte(OP.localSet).u32(ctx.localTmp + k);
}

interface Frame {
  readonly mode: WasmModelMode;
  readonly ctx: VecContext;
  readonly need: readonly boolean[];
  /** Loop-invariant instructions, computed once before the loop. */
  readonly invariant: readonly boolean[];
  readonly L: { readonly n: number; readonly out: number; readonly stride: number; readonly hasW: number; readonly off: number; readonly o: number; readonly base: number; readonly w: number; readonly v: number; readonly v2: number; readonly col: number };
}

const LOW_LANES = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];
const HIGH_LANES = [8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31];

/**
 * Store rows i and i + 1, entries c and c + 1, from locals L.v (entry c) and L.v2 (entry c + 1):
 * [v.lane0, v2.lane0] at o + 8c and [v.lane1, v2.lane1] at o + rowBytes + 8c, one 16-byte store each.
 */
function storeEntryPair(code: Bytes, f: Frame, c: number): void {
  const { L } = f;
  const rowBytes = (f.ctx.program.params.length + 1) * 8;
  for (const [lanes, at] of [[LOW_LANES, 8 * c], [HIGH_LANES, rowBytes + 8 * c]] as const) {
    code.byte(OP.localGet).u32(L.o).byte(OP.localGet).u32(L.v).byte(OP.localGet).u32(L.v2);
    simd(code, S.shuffle).byte(...lanes);
    simd(code, S.store).u32(3).u32(at);
  }
}

/** Store local L.v: lane 0 at o + offset, lane 1 (pairs only) at o + offset + next (or o + stride + offset). */
function storeLanes(code: Bytes, f: Frame, offset: number, pair: boolean): void {
  const { L } = f;
  code.byte(OP.localGet).u32(L.o).byte(OP.localGet).u32(L.v);
  simd(code, S.store64Lane).u32(3).u32(offset).byte(0);
  if (!pair) return;
  code.byte(OP.localGet).u32(L.o);
  let off1 = offset;
  if (f.mode === 'rows') off1 += (f.ctx.program.params.length + 1) * 8;
  else code.byte(OP.localGet).u32(L.stride).byte(OP.i32Add);
  code.byte(OP.localGet).u32(L.v);
  simd(code, S.store64Lane).u32(3).u32(off1).byte(1);
}

/** One evaluation of points (off, off + 1) — or of point off alone (`pair` false) — and its stores. */
function emitPoints(code: Bytes, f: Frame, pair: boolean): void {
  const { L, ctx } = f;
  const p = ctx.program.params.length;
  const k = ctx.program.variables.length;
  const m = ctx.program.instructions.length;
  /** Load column c (k = y, k + 1 = w) at base_c + off. */
  const load = (c: number): void => {
    code.byte(OP.localGet).u32(L.base + c).byte(OP.localGet).u32(L.off).byte(OP.i32Add);
    simd(code, pair ? S.load : S.load64Splat).u32(3).u32(0);
  };
  for (let v = 0; v < k; v++) {
    load(v); code.byte(OP.localSet).u32(ctx.localVar + v);
  }
  for (let i = 0; i < m; i++) if (f.need[i] && !f.invariant[i]) emitVecInstruction(code, i, ctx);
  code.byte(OP.localGet).u32(L.hasW).byte(OP.if).byte(V128);
  load(k + 1);
  code.byte(OP.else); constF64x2(code, 1); code.byte(OP.end).byte(OP.localSet).u32(L.w);
  // row entries: w·∂f/∂θ_j (rows, cols), then w·(f − y)
  const entries = f.mode === 'resid' ? 1 : p + 1;
  const value = (c: number): void => {
    code.byte(OP.localGet).u32(L.w);
    if (c < p) emitVec(code, ctx.program.gradient[c]!, ctx, m);
    else { emitVec(code, ctx.program.value, ctx, m); load(k); simd(code, S.sub); }
    simd(code, S.mul);
  };
  const entry = (c: number, into: number): void => {
    value(c); code.byte(OP.localSet).u32(into);
  };
  if (f.mode === 'cols') {
    // entry c of points (off, off + 1) is contiguous at col_c + off: one store per column
    for (let c = 0; c < entries; c++) {
      code.byte(OP.localGet).u32(L.col + c).byte(OP.localGet).u32(L.off).byte(OP.i32Add);
      value(c);
      if (pair) simd(code, S.store).u32(3).u32(0);
      else simd(code, S.store64Lane).u32(3).u32(0).byte(0);
    }
    return;
  }
  const first = f.mode === 'rows' ? 0 : p;
  for (let c = 0; c < entries; c++) {
    if (pair && c + 1 < entries) {
      entry(first + c, L.v); entry(first + c + 1, L.v2);
      storeEntryPair(code, f, c);
      c++;
    } else {
      entry(first + c, L.v);
      storeLanes(code, f, 8 * c, pair);
    }
  }
}

/**
 * Body of `rows` (params desc, n, out, hasW), `resid` (params desc, n, out, strideBytes, hasW) or
 * `cols` (params desc, n, out, colStrideBytes, hasW). Locals after the params: i32 off, i32 o,
 * i32 base_0..base_{k+1} (columns x…, y, w), [cols: i32 col_0..col_p]; v128 θ_0..p−1, x_0..k−1,
 * t_0..m−1, w, v, v2, then the inline exp's scratch.
 */
function vecFunctionBody(program: Program, fnIndex: Map<string, number>, mode: WasmModelMode): Bytes {
  const p = program.params.length;
  const k = program.variables.length;
  const m = program.instructions.length;
  const nArgs = mode === 'rows' ? 4 : 5;
  const nI32 = i32LocalCount(mode, p, k);
  const vBase = nArgs + nI32;
  const ctx: VecContext = { program, fnIndex, expLocals: vBase + p + k + m + 3, localParam: vBase, localVar: vBase + p, localTmp: vBase + p + k };
  const L = { desc: 0, n: 1, out: 2, stride: 3, hasW: nArgs - 1, off: nArgs, o: nArgs + 1, base: nArgs + 2, w: ctx.localTmp + m, v: ctx.localTmp + m + 1, v2: ctx.localTmp + m + 2, col: nArgs + 2 + k + 2 };
  const need = live(program, mode === 'resid' ? [program.value] : [program.value, ...program.gradient]);
  const f: Frame = { mode, ctx, need, invariant: invariant(program), L };
  const code = new Bytes();
  code.u32(2).u32(nI32).byte(I32).u32(p + k + m + 3 + EXP_LOCALS).byte(V128);
  emitDescriptorLoads(code, program, L.desc, L.base, ctx.localParam, (c) => simd(c, S.load64Splat));
  for (let i = 0; i < m; i++) if (need[i] && f.invariant[i]) emitVecInstruction(code, i, ctx); // hoisted
  if (mode === 'cols') emitOutputColumnBases(code, L.out, L.stride, L.col, p + 1);
  else code.byte(OP.localGet).u32(L.out).byte(OP.localSet).u32(L.o);
  code.byte(OP.block).byte(0x40); // pairs: while (n ≥ 2)
  code.byte(OP.localGet).u32(L.n).byte(OP.i32Const).i32(2).byte(OP.i32LtU).byte(OP.brIf).u32(0);
  code.byte(OP.loop).byte(0x40);
  emitPoints(code, f, true);
  if (mode !== 'cols') { // o += 2 rows | 2 strides (cols: the column bases stay, off moves)
    code.byte(OP.localGet).u32(L.o);
    if (mode === 'rows') code.byte(OP.i32Const).i32(2 * (p + 1) * 8);
    else code.byte(OP.localGet).u32(L.stride).byte(OP.localGet).u32(L.stride).byte(OP.i32Add);
    code.byte(OP.i32Add).byte(OP.localSet).u32(L.o);
  }
  code.byte(OP.localGet).u32(L.off).byte(OP.i32Const).i32(16).byte(OP.i32Add).byte(OP.localSet).u32(L.off);
  code.byte(OP.localGet).u32(L.n).byte(OP.i32Const).i32(-2).byte(OP.i32Add).byte(OP.localTee).u32(L.n);
  code.byte(OP.i32Const).i32(1).byte(OP.i32GtU).byte(OP.brIf).u32(0);
  code.byte(OP.end).byte(OP.end); // loop, block
  code.byte(OP.localGet).u32(L.n).byte(OP.if).byte(0x40); // the odd last point
  emitPoints(code, f, false);
  code.byte(OP.end);
  code.byte(OP.end); // function
  return new Bytes().u32(code.b.length).append(code);
}

/**
 * Generate the f64x2 module for one program (needs an engine with WebAssembly SIMD; see the
 * module documentation for the contract and exactness). The bytes depend on the program only.
 *
 * @param program - f and its gradient (from `lowerToProgram`).
 * @returns the binary and the math imports it needs (`exp` is computed inside, never imported).
 * @throws NlsqTypeError on a malformed IR (unknown op/function, operand index out of range).
 * @example
 * ```ts
 * const gen = generateWasmModelSimd(model('a*exp(-b*x)+c').program);
 * gen.imports.size; // 0
 * ```
 */
export function generateWasmModelSimd(program: Program): GeneratedWasmModel {
  checkShape(program);
  const { fnIndex, imports } = collectImports(program, ['exp']);
  const bodies = (['rows', 'resid', 'cols'] as const).map((mode) => vecFunctionBody(program, fnIndex, mode));
  return { bytes: assembleModule(fnIndex, [], [2, 3, 3], bodies), imports };
}
