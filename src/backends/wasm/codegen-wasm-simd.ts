/**
 * f64x2 (WebAssembly SIMD) code generation from the IR (see `src/model/ir.ts`): the same module
 * contract as the scalar generator of `codegen-wasm.ts` — `rows(desc, n, out, hasW)`,
 * `resid(desc, n, out, strideBytes, hasW)` and `cols(desc, n, out, colStrideBytes, hasW, acc)`
 * (with its p + 2 sums at `acc`) reading θ and the column offsets from the call
 * descriptor at `desc` (position-independent: the bytes depend on the program only), importing
 * `env.memory` and the non-native math functions (module `m`) — with loops that evaluate four
 * points per iteration as two independent pairs. One addition to the contract: a module whose
 * program has an `exp` reads the exp's 2 KiB table at `desc + expTableOffset(program)`, which the
 * caller writes there once (`writeExpTable`; `wasm-model-kernel.ts` does, in its scratch).
 *
 * Each IR temporary is a v128 local holding the value at points i (lane 0) and i + 1 (lane 1).
 * θ is splatted into v128 locals once before the loop, where the θ-only (loop-invariant)
 * instructions are computed too; the variable columns, y and w are read at `base_c + 8i`
 * with `v128.load` (two consecutive doubles; columns need only 8-byte alignment).
 *
 * Latency hiding: the main loop evaluates points i … i + 3 as two pairs, A (i, i + 1) and
 * B (i + 2, i + 3), each with its own v128 locals (a "chain"), and emits every step for A then
 * for B — each IR instruction, each statement of the inline exp ({@link emitExpChains}), the
 * loads and the `cols` stores (the `rows` and `resid` stores go chain after chain, in address
 * order) — so two independent dependency chains are in flight together (the exp alone
 * is a chain of ~30 dependent operations). The n mod 4 points left use the two-point code: one
 * pair (chain A), then an odd last point. The order of independent instructions is all that
 * changes: every value is computed by the same operations as the one-pair form. A program of
 * more than {@link MAX_INTERLEAVED_INSTRUCTIONS} instructions uses the one-pair form throughout.
 *
 * Weights: each function holds two copies of its loops, one for `hasW ≠ 0` (loads w and
 * multiplies every entry by it) and one for unit weights (neither): measured 6–9 % faster `cols`
 * for unweighted exp and Gaussian models than one copy computing w = 1 per point.
 *
 * Sums: `cols` also accumulates, in p + 2 v128 locals shared by the chains, the products of each
 * stored entry with entry 0 and the square of the residual (the contract's sums at `acc`); a lone
 * last point zeroes lane 1 (a copy of the same point) before it is summed.
 *
 * Stores: `rows` writes rows i and i + 1 (adjacent in memory) two entries at a time: entries
 * c, c + 1 of both points are interleaved by `i8x16.shuffle` into one 16-byte store per row
 * (`v128.store64_lane` for a last odd entry); `resid` stores lane 0 at `out + i·stride` and
 * lane 1 at `out + (i+1)·stride`. `cols` writes the entries of `rows` column-major (entry j of
 * point i at `out + j·colStrideBytes + 8i`): a point pair is contiguous in a column, so each
 * entry is one `v128.store` at `col_j + 8i`, no shuffle. An odd last point is computed by the
 * same code on `v128.load64_splat` inputs, storing lane 0 only (`v128.store64_lane`), so nothing
 * is read or written past point n − 1.
 *
 * Operations and their exactness (the IR's semantics, lane-wise):
 * - add/sub/mul/div/neg, `abs`, `sqrt`, `min`, `max`: native f64x2 instructions, bitwise equal to
 *   the scalar ones (wasm's f64x2.min/max are the scalar f64.min/max per lane: NaN if either
 *   operand is NaN, −0 < +0 — JavaScript's `Math.min`/`Math.max`);
 * - `sign`, `step`: f64x2 compares and `v128.bitselect`, exactly the scalar selects (±0, NaN);
 * - `exp`: a vectorised exp emitted inline (`wasm-simd-exp.ts`: optimized-routines' table
 *   method, as musl's, ≤ 0.511 ulp, almost always correctly rounded — so it may differ from
 *   V8's `Math.exp` (fdlibm) and the scalar module's import in the last bit; an inline body
 *   measured faster in V8 than a call to a module function with a v128 signature) — in programs
 *   with at most {@link MAX_INLINE_EXPS} exps; past that, lane-split like `pow` below, bitwise
 *   equal to the scalar module;
 * - `pow` and every other function: lane-split (both lanes extracted, the scalar import called
 *   twice, the vector rebuilt), bitwise equal to the scalar module.
 *
 * So rows and residuals equal the scalar generator's bit for bit except where `exp` is used.
 *
 * @module
 */

import { NlsqTypeError } from '../../errors.ts';
import type { Operand, Program } from '../../model/ir.ts';
import { liveInstructions } from '../../model/liveness.ts';
import {
  assembleModule, checkIndex, checkShape, collectImports, descriptorLayout, emitDescriptorLoads, emitOutputColumnBases, i32LocalCount, importSpec, invariant,
  WASM_MODEL_ARITY,
  type GeneratedWasmModel, type WasmModelMode,
} from './codegen-wasm.ts';
import { Bytes, I32, OP } from './wasm-binary-encoder.ts';
import { EXP_LOCALS, emitExpChains, type ExpTable } from './wasm-simd-exp.ts';

const V128 = 0x7b;
/** SIMD opcodes (prefix 0xfd, then the u32 below). */
const S = {
  load: 0x00, load64Splat: 0x0a, store: 0x0b, const: 0x0c, shuffle: 0x0d, f64x2Splat: 0x14,
  extractLane: 0x21, replaceLane: 0x22, lt: 0x49, gt: 0x4a, ge: 0x4c, bitselect: 0x52,
  store64Lane: 0x5b, abs: 0xec, neg: 0xed, sqrt: 0xef, add: 0xf0, sub: 0xf1, mul: 0xf2, div: 0xf3, min: 0xf4, max: 0xf5,
} as const;

function simd(code: Bytes, op: number): Bytes {
  return code.byte(0xfd).u32(op);
}

/** `v128.const` with both f64 lanes equal to v. */
function constF64x2(code: Bytes, v: number): Bytes {
  return simd(code, S.const).f64(v).f64(v);
}

// --- one point pair's locals -----------------------------------------------------------------

/**
 * Point pairs (chains) the main loop evaluates per iteration, interleaved: 2, i.e. four points.
 * Measured in V8 (Node 20, x64; 1M points in blocks of 2048, TurboFan code, with the fdlibm exp
 * this module had before the table-driven one): against one pair,
 * 2 pairs cut `rows`/`cols`/`resid` of exp models by 10–22 % and of polynomial and rational
 * models by 0–20 %; 4 pairs cut exp models by 16–36 % but made a polynomial model's `rows` up to
 * 9 % slower. Each pair adds a copy of the loop body to the module.
 */
const PAIRS_PER_ITERATION = 2;

/**
 * Largest program (IR instructions) whose main loop interleaves {@link PAIRS_PER_ITERATION}
 * pairs (256); a larger one evaluates one pair per iteration, so its loop body is emitted twice
 * per weight copy (pair, odd last point) rather than four times: the latency the second chain
 * hides matters little in a body that long, and the module stays within ~5× the scalar one.
 */
export const MAX_INTERLEAVED_INSTRUCTIONS = 256;

/**
 * The v128 locals of one point pair (a "chain"): the main loop evaluates {@link PAIRS_PER_ITERATION}
 * pairs, A (points off/8, off/8 + 1), B (the next two), …, each in its own locals so their
 * dependency chains are independent; the tail evaluates pair A only.
 */
interface Chain {
  /** Which pair of the iteration: 0 (A), 1 (B), …; its points are 2·index after A's. */
  readonly index: number;
  readonly localVar: number;
  readonly localTmp: number;
  /** First of the {@link EXP_LOCALS} v128 scratch locals of the inline exp. */
  readonly expLocals: number;
  readonly w: number;
  readonly v: number;
  readonly v2: number;
}

/** v128 locals per chain: k variables, m temporaries, w, v, v2 and the exp's scratch. */
function chainSize(program: Program): number {
  return program.variables.length + program.instructions.length + 3 + EXP_LOCALS;
}

/** The locals of chain `index`, the chains' v128 locals starting at `first` (after θ). */
function chainAt(program: Program, first: number, index: number): Chain {
  const localVar = first + index * chainSize(program);
  const localTmp = localVar + program.variables.length;
  const m = program.instructions.length;
  return { index, localVar, localTmp, w: localTmp + m, v: localTmp + m + 1, v2: localTmp + m + 2, expLocals: localTmp + m + 3 };
}

// --- loop code -------------------------------------------------------------------------------

interface VecContext {
  readonly program: Program;
  /** IR function / pow name → import function index. */
  readonly fnIndex: Map<string, number>;
  readonly localParam: number;
  /** Where the inline exp reads its table: the descriptor's local, {@link expTableOffset} on. */
  readonly expTable: ExpTable;
  /** Whether `exp` is emitted inline (else lane-split calls of the imported scalar exp); see {@link MAX_INLINE_EXPS}. */
  readonly inlineExp: boolean;
}

/**
 * Most `exp` instructions a program may have for the generator to emit the vectorised exp inline
 * (16). The inline body is ~1.2 KB and is emitted per exp, chain, loop, weight copy and function
 * (24 times), so a product of 200 `exp(pᵢ·x)` factors made a 5.9 MB module (50 KB scalar) that
 * took V8 seconds and gigabytes to compile. Past the limit each exp is a lane-split call of the
 * scalar module's imported exp (~20 bytes per use, results bitwise equal to the scalar module's).
 */
export const MAX_INLINE_EXPS = 16;

/** Whether the generator inlines the vector exp for this program ({@link MAX_INLINE_EXPS}). */
function inlinesExp(program: Program): boolean {
  let count = 0;
  for (const ins of program.instructions) if (ins.op === 'call' && ins.fn === 'exp') count++;
  return count <= MAX_INLINE_EXPS;
}

function operandLocal(o: Operand, ctx: VecContext, ch: Chain, at: number): number {
  switch (o.kind) {
    case 'param': return ctx.localParam + checkIndex(o.index, ctx.program.params.length, 'parameter');
    case 'var': return ch.localVar + checkIndex(o.index, ctx.program.variables.length, 'variable');
    case 'tmp': return ch.localTmp + checkIndex(o.index, at, 'temporary');
    default: throw new NlsqTypeError('wasm codegen: unknown IR operand', 'program');
  }
}

function checkConst(o: Operand): number {
  if (o.kind !== 'const') return NaN;
  if (typeof o.value !== 'number') throw new NlsqTypeError('wasm codegen: IR constant must be a number', 'program');
  return o.value;
}

/** Push operand o of chain ch as a v128 (both lanes). */
function emitVec(code: Bytes, o: Operand, ctx: VecContext, ch: Chain, at: number): void {
  if (o.kind === 'const') constF64x2(code, checkConst(o));
  else code.byte(OP.localGet).u32(operandLocal(o, ctx, ch, at));
}

/** Push one lane of operand o of chain ch as an f64. */
function emitLane(code: Bytes, o: Operand, ctx: VecContext, ch: Chain, at: number, lane: number): void {
  if (o.kind === 'const') code.byte(OP.f64Const).f64(checkConst(o));
  else simd(code.byte(OP.localGet).u32(operandLocal(o, ctx, ch, at)), S.extractLane).byte(lane);
}

const BINARY: Readonly<Partial<Record<string, number>>> = { add: S.add, sub: S.sub, mul: S.mul, div: S.div };
const NATIVE_CALL: Readonly<Partial<Record<string, number>>> = { abs: S.abs, sqrt: S.sqrt, min: S.min, max: S.max };

/** Push argument i of instruction k for chain ch (throws if it is missing). */
function emitArg(code: Bytes, k: number, i: number, ctx: VecContext, ch: Chain): void {
  const a = ctx.program.instructions[k]!.args[i];
  if (a === undefined) throw new NlsqTypeError('wasm codegen: IR instruction is missing an operand', 'program');
  emitVec(code, a, ctx, ch, k);
}

/** Whether instruction k is an `exp` the generator computes inline. */
function isInlineExp(ctx: VecContext, k: number): boolean {
  const ins = ctx.program.instructions[k]!;
  return ctx.inlineExp && ins.op === 'call' && ins.fn === 'exp' && ins.args.length === 1;
}

/** Emit instruction k for every chain: the exp's statements interleaved, other instructions one chain after the other. */
function emitVecInstruction(code: Bytes, k: number, ctx: VecContext, chains: readonly Chain[]): void {
  if (isInlineExp(ctx, k)) {
    emitExpChains(code, chains.map((ch) => ({ base: ch.expLocals, arg: () => emitArg(code, k, 0, ctx, ch), result: ch.localTmp + k })), ctx.expTable);
    return;
  }
  for (const ch of chains) {
    emitVecOperation(code, k, ctx, ch);
    code.byte(OP.localSet).u32(ch.localTmp + k);
  }
}

/** Push the value of instruction k (not an inline exp) for chain ch. */
function emitVecOperation(code: Bytes, k: number, ctx: VecContext, ch: Chain): void {
  const ins = ctx.program.instructions[k]!;
  const arg = (i: number): void => emitArg(code, k, i, ctx, ch);
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
  } else {
    const name = ins.op === 'pow' ? 'pow' : fn;
    const idx = name === undefined ? undefined : ctx.fnIndex.get(name);
    const spec = importSpec(name);
    if (idx === undefined || spec === undefined || ins.args.length !== spec.arity) throw new NlsqTypeError('wasm codegen: unknown IR function', 'program');
    for (let lane = 0; lane < 2; lane++) {
      for (let i = 0; i < spec.arity; i++) emitLane(code, ins.args[i]!, ctx, ch, k, lane);
      code.byte(OP.call).u32(idx);
      if (lane === 0) simd(code, S.f64x2Splat);
      else simd(code, S.replaceLane).byte(1);
    }
  }
}

interface Frame {
  readonly mode: WasmModelMode;
  readonly ctx: VecContext;
  readonly need: Uint8Array;
  /** Loop-invariant instructions, computed once before the loop. */
  readonly invariant: readonly boolean[];
  readonly L: { readonly n: number; readonly out: number; readonly stride: number; readonly hasW: number; readonly acc: number; readonly off: number; readonly o: number; readonly base: number; readonly col: number };
  /** Whether this copy of the loops reads and applies weights (the function has one copy for hasW = 1 and one for 0). */
  readonly weighted: boolean;
  /** `cols`: the first of the p + 2 v128 sums (Σ col_0·col_j, j ≤ p, then Σ col_p²), one for all chains. */
  readonly sums: number;
}

const LOW_LANES = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];
const HIGH_LANES = [8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31];

/** Bytes of one `rows` row (p + 1 doubles). */
function rowBytes(f: Frame): number {
  return (f.ctx.program.params.length + 1) * 8;
}

/**
 * Store chain ch's rows (2·index, 2·index + 1 after o), entries c and c + 1, from its locals v
 * (entry c) and v2 (entry c + 1): [v.lane0, v2.lane0] at row 2·index and [v.lane1, v2.lane1] at
 * the next row, one 16-byte store each.
 */
function storeEntryPair(code: Bytes, f: Frame, ch: Chain, c: number): void {
  const first = 2 * ch.index * rowBytes(f) + 8 * c;
  for (const [lanes, at] of [[LOW_LANES, first], [HIGH_LANES, first + rowBytes(f)]] as const) {
    code.byte(OP.localGet).u32(f.L.o).byte(OP.localGet).u32(ch.v).byte(OP.localGet).u32(ch.v2);
    simd(code, S.shuffle).byte(...lanes);
    simd(code, S.store).u32(3).u32(at);
  }
}

/** Push o + `count` strides (resid: the address of the output `count` points after o). */
function pushStrides(code: Bytes, f: Frame, count: number): void {
  code.byte(OP.localGet).u32(f.L.o);
  for (let i = 0; i < count; i++) code.byte(OP.localGet).u32(f.L.stride).byte(OP.i32Add);
}

/**
 * Store chain ch's local v: lane 0 at its first point's output (+ offset), lane 1 (pairs only)
 * at the next point's (rows: one row on; resid: one stride on).
 */
function storeLanes(code: Bytes, f: Frame, ch: Chain, offset: number, pair: boolean): void {
  for (let lane = 0; lane < (pair ? 2 : 1); lane++) {
    const point = 2 * ch.index + lane;
    if (f.mode === 'rows') code.byte(OP.localGet).u32(f.L.o);
    else pushStrides(code, f, point);
    code.byte(OP.localGet).u32(ch.v);
    simd(code, S.store64Lane).u32(3).u32(offset + (f.mode === 'rows' ? point * rowBytes(f) : 0)).byte(lane);
  }
}

/**
 * One evaluation of the point pairs of `chains` (chain i at points off/8 + 2i, off/8 + 2i + 1) —
 * or, `pair` false, of point off/8 alone (one chain) — and its stores. Every step up to the
 * stores is emitted for each chain before the next step, so the chains' independent
 * computations interleave.
 */
function emitPoints(code: Bytes, f: Frame, chains: readonly Chain[], pair: boolean): void {
  const { L, ctx } = f;
  const { program } = ctx;
  const p = program.params.length;
  const k = program.variables.length;
  const m = program.instructions.length;
  /** Load column c (k = y, k + 1 = w) of chain ch's points at base_c + off + 16·index. */
  const load = (c: number, ch: Chain): void => {
    code.byte(OP.localGet).u32(L.base + c).byte(OP.localGet).u32(L.off).byte(OP.i32Add);
    simd(code, pair ? S.load : S.load64Splat).u32(3).u32(16 * ch.index);
  };
  for (let v = 0; v < k; v++) for (const ch of chains) { load(v, ch); code.byte(OP.localSet).u32(ch.localVar + v); }
  for (let i = 0; i < m; i++) if (f.need[i] && !f.invariant[i]) emitVecInstruction(code, i, ctx, chains);
  if (f.weighted) for (const ch of chains) { load(k + 1, ch); code.byte(OP.localSet).u32(ch.w); }
  // row entries: w·∂f/∂θ_j (rows, cols), then w·(f − y); unweighted: ∂f/∂θ_j, f − y
  const value = (c: number, ch: Chain): void => {
    if (f.weighted) code.byte(OP.localGet).u32(ch.w);
    if (c < p) emitVec(code, program.gradient[c]!, ctx, ch, m);
    else { emitVec(code, program.value, ctx, ch, m); load(k, ch); simd(code, S.sub); }
    if (f.weighted) simd(code, S.mul);
  };
  if (f.mode === 'cols') emitColumnStores(code, f, chains, pair, value);
  else for (const ch of chains) emitRowStores(code, f, ch, pair, value);
}

/**
 * `cols`: entry c of a chain's points is contiguous at col_c + off + 16·index — one store per
 * column and chain; after each column its values join the sums (entry 0 kept in v2, the others
 * in v). A lone last point (`pair` false) zeroes lane 1, which holds a copy of the same point.
 */
function emitColumnStores(code: Bytes, f: Frame, chains: readonly Chain[], pair: boolean, value: (c: number, ch: Chain) => void): void {
  const p = f.ctx.program.params.length;
  for (let c = 0; c <= p; c++) {
    for (const ch of chains) {
      const keep = c === 0 ? ch.v2 : ch.v;
      code.byte(OP.localGet).u32(f.L.col + c).byte(OP.localGet).u32(f.L.off).byte(OP.i32Add);
      value(c, ch);
      if (!pair) simd(code.byte(OP.f64Const).f64(0), S.replaceLane).byte(1);
      code.byte(OP.localTee).u32(keep);
      if (pair) simd(code, S.store).u32(3).u32(16 * ch.index);
      else simd(code, S.store64Lane).u32(3).u32(16 * ch.index).byte(0);
    }
    accumulateChains(code, f.sums + c, chains, (ch) => ch.v2, (ch) => (c === 0 ? ch.v2 : ch.v));
    if (c === p) accumulateChains(code, f.sums + p + 1, chains, (ch) => ch.v, (ch) => ch.v);
  }
}

/** sum += Σ_chains a·b (v128 locals): one running sum for all chains. */
function accumulateChains(code: Bytes, sum: number, chains: readonly Chain[], a: (ch: Chain) => number, b: (ch: Chain) => number): void {
  chains.forEach((ch, i) => {
    code.byte(OP.localGet).u32(a(ch)).byte(OP.localGet).u32(b(ch));
    simd(code, S.mul);
    if (i > 0) simd(code, S.add);
  });
  simd(code.byte(OP.localGet).u32(sum), S.add);
  code.byte(OP.localSet).u32(sum);
}

/** After the loops of `cols`: store the p + 2 sums at `acc`, each lane 0 + lane 1 of its v128 sum. */
function emitSumStores(code: Bytes, f: Frame, chains: readonly Chain[]): void {
  const p = f.ctx.program.params.length;
  for (let j = 0; j < p + 2; j++) {
    code.byte(OP.localGet).u32(f.L.acc);
    code.byte(OP.localGet).u32(f.sums + j);
    code.byte(OP.localTee).u32(chains[0]!.v);
    simd(code, S.extractLane).byte(0);
    simd(code.byte(OP.localGet).u32(chains[0]!.v), S.extractLane).byte(1);
    code.byte(OP.f64Add).byte(OP.f64Store).u32(3).u32(8 * j);
  }
}

/**
 * `rows` (entries two at a time, shuffled into 16-byte row stores) and `resid` (one lane store
 * per point) of one chain. The chains' rows are written chain after chain, each in address
 * order: interleaving the two chains' row stores measured ~15 % slower `rows` for a polynomial
 * model (and the products w·∂f/∂θ have no latency to hide).
 */
function emitRowStores(code: Bytes, f: Frame, ch: Chain, pair: boolean, value: (c: number, ch: Chain) => void): void {
  const p = f.ctx.program.params.length;
  const entries = f.mode === 'resid' ? 1 : p + 1;
  const first = f.mode === 'rows' ? 0 : p;
  const entry = (c: number, into: number): void => {
    value(c, ch); code.byte(OP.localSet).u32(into);
  };
  for (let c = 0; c < entries; c++) {
    if (pair && c + 1 < entries) {
      entry(first + c, ch.v); entry(first + c + 1, ch.v2);
      storeEntryPair(code, f, ch, c);
      c++;
    } else {
      entry(first + c, ch.v);
      storeLanes(code, f, ch, 8 * c, pair);
    }
  }
}

/** Advance past `points` points: off += 8·points, and (rows, resid) o += points rows | strides. */
function emitAdvance(code: Bytes, f: Frame, points: number): void {
  const { L } = f;
  if (f.mode === 'rows') {
    code.byte(OP.localGet).u32(L.o).byte(OP.i32Const).i32(points * rowBytes(f)).byte(OP.i32Add).byte(OP.localSet).u32(L.o);
  } else if (f.mode === 'resid') {
    pushStrides(code, f, points);
    code.byte(OP.localSet).u32(L.o);
  } // cols: the column bases stay, off moves
  code.byte(OP.localGet).u32(L.off).byte(OP.i32Const).i32(8 * points).byte(OP.i32Add).byte(OP.localSet).u32(L.off);
  code.byte(OP.localGet).u32(L.n).byte(OP.i32Const).i32(-points).byte(OP.i32Add).byte(OP.localSet).u32(L.n);
}

/**
 * The loops: while (n ≥ 2·chains) one pair per chain, interleaved; then while (n ≥ 2) one pair
 * (chain A); then, if n = 1, the last point (chain A, splat loads, lane-0 stores).
 */
function emitLoops(code: Bytes, f: Frame, chains: readonly Chain[]): void {
  const { L } = f;
  const whileAtLeast = (count: number, body: () => void): void => {
    code.byte(OP.block).byte(0x40);
    code.byte(OP.localGet).u32(L.n).byte(OP.i32Const).i32(count).byte(OP.i32LtU).byte(OP.brIf).u32(0);
    code.byte(OP.loop).byte(0x40);
    body();
    code.byte(OP.localGet).u32(L.n).byte(OP.i32Const).i32(count - 1).byte(OP.i32GtU).byte(OP.brIf).u32(0);
    code.byte(OP.end).byte(OP.end); // loop, block
  };
  const points = 2 * chains.length;
  whileAtLeast(points, () => { emitPoints(code, f, chains, true); emitAdvance(code, f, points); });
  if (chains.length > 1) whileAtLeast(2, () => { emitPoints(code, f, chains.slice(0, 1), true); emitAdvance(code, f, 2); }); // pairs left
  code.byte(OP.localGet).u32(L.n).byte(OP.if).byte(0x40); // the odd last point
  emitPoints(code, f, chains.slice(0, 1), false);
  code.byte(OP.end);
}

/**
 * Body of `rows` (params desc, n, out, hasW), `resid` (params desc, n, out, strideBytes, hasW) or
 * `cols` (params desc, n, out, colStrideBytes, hasW, acc). Locals after the params: i32 off, i32 o,
 * i32 base_0..base_{k+1} (columns x…, y, w), [cols: i32 col_0..col_p]; v128 θ_0..p−1, then per
 * chain (A, B) x_0..k−1, t_0..m−1, w, v, v2 and the inline exp's scratch; [cols: the p + 2 sums].
 */
function vecFunctionBody(program: Program, fnIndex: Map<string, number>, mode: WasmModelMode, inlineExp: boolean): Bytes {
  const p = program.params.length;
  const k = program.variables.length;
  const m = program.instructions.length;
  const nArgs = WASM_MODEL_ARITY[mode];
  const nI32 = i32LocalCount(mode, p, k);
  const vBase = nArgs + nI32;
  const ctx: VecContext = { program, fnIndex, localParam: vBase, expTable: { local: 0, offset: expTableOffset(program) }, inlineExp };
  const pairs = program.instructions.length > MAX_INTERLEAVED_INSTRUCTIONS ? 1 : PAIRS_PER_ITERATION;
  const chains = Array.from({ length: pairs }, (_, i) => chainAt(program, vBase + p, i));
  const L = { desc: 0, n: 1, out: 2, stride: 3, hasW: mode === 'rows' ? 3 : 4, acc: 5, off: nArgs, o: nArgs + 1, base: nArgs + 2, col: nArgs + 2 + k + 2 };
  const need = liveInstructions(program, mode === 'resid' ? [program.value] : [program.value, ...program.gradient], 'wasm codegen');
  const sums = vBase + p + chains.length * chainSize(program);
  const frame = { mode, ctx, need, invariant: invariant(program), L, sums };
  const code = new Bytes();
  code.u32(2).u32(nI32).byte(I32).u32(sums - vBase + (mode === 'cols' ? p + 2 : 0)).byte(V128);
  emitDescriptorLoads(code, program, L.desc, L.base, ctx.localParam, (c) => simd(c, S.load64Splat));
  for (let i = 0; i < m; i++) if (need[i] && frame.invariant[i]) emitVecInstruction(code, i, ctx, chains); // hoisted, into both chains' temporaries
  if (mode === 'cols') emitOutputColumnBases(code, L.out, L.stride, L.col, p + 1);
  else code.byte(OP.localGet).u32(L.out).byte(OP.localSet).u32(L.o);
  // Two copies of the loops: with weights (hasW ≠ 0), and without (no loads of w, no products by 1).
  code.byte(OP.localGet).u32(L.hasW).byte(OP.if).byte(0x40);
  emitLoops(code, { ...frame, weighted: true }, chains);
  code.byte(OP.else);
  emitLoops(code, { ...frame, weighted: false }, chains);
  code.byte(OP.end);
  if (mode === 'cols') emitSumStores(code, { ...frame, weighted: false }, chains);
  code.byte(OP.end); // function
  return new Bytes().u32(code.b.length).append(code);
}

/**
 * Byte offset, from the call descriptor, of the exp table (`writeExpTable` of `wasm-simd-exp.ts`,
 * `EXP_TABLE_BYTES` bytes) that a module of this program reads when it has an `exp`: the
 * descriptor's size rounded up to 16 bytes. The caller writes the table there once.
 *
 * @param program - the program the module was generated from.
 * @returns the offset in bytes (a multiple of 16).
 * @internal used by `wasm-model-kernel.ts` and the tests.
 */
export function expTableOffset(program: Program): number {
  return (descriptorLayout(program).bytes + 15) & ~15;
}

/**
 * Generate the f64x2 module for one program (needs an engine with WebAssembly SIMD; see the
 * module documentation for the contract and exactness). The bytes depend on the program only.
 *
 * @param program - f and its gradient (from `lowerToProgram`).
 * @returns the binary and the math imports it needs (`exp` is computed inside, unless the program
 *   has more than {@link MAX_INLINE_EXPS} of them).
 * @throws NlsqTypeError on a malformed IR (unknown op/function, operand index out of range).
 * @example
 * ```ts
 * const gen = generateWasmModelSimd(model('a*exp(-b*x)+c').program);
 * gen.imports.size; // 0
 * ```
 */
export function generateWasmModelSimd(program: Program): GeneratedWasmModel {
  checkShape(program);
  const inlineExp = inlinesExp(program);
  const { fnIndex, imports } = collectImports(program, inlineExp ? ['exp'] : []);
  const bodies = (['rows', 'resid', 'cols'] as const).map((mode) => vecFunctionBody(program, fnIndex, mode, inlineExp));
  return { bytes: assembleModule(fnIndex, bodies), imports };
}
