/**
 * A vectorised e^x for the f64x2 model generator (`model-wasm-simd-codegen.ts`), emitted inline
 * as straight-line WebAssembly SIMD code for any number of independent v128 values at once.
 *
 * The exp is latency-bound in V8 (a chain of ~30 dependent f64x2 operations, a division among
 * them), so the generator evaluates two point pairs per loop iteration and this emitter
 * interleaves their exps statement by statement: statement s for chain A, then for chain B, then
 * statement s + 1 … — two independent dependency chains in flight together. Each chain's
 * operations are exactly those of the single-chain form (same operations per lane, same order
 * within the chain), so the values do not depend on how many chains are interleaved.
 *
 * @module
 */

import { Bytes, OP } from './wasm-binary-encoder.ts';

/** The SIMD opcodes (prefix 0xfd, then the u32 below) the exp uses. */
const X = {
  const: 0x0c, i64Shl: 0xcb, i64ShrU: 0xcd, i64Sub: 0xd1, pmin: 0xf6, pmax: 0xf7, add: 0xf0, sub: 0xf1, mul: 0xf2, div: 0xf3,
} as const;

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

/** v128 scratch locals one chain of {@link emitExpChains} uses (base … base + EXP_LOCALS − 1). @internal */
export const EXP_LOCALS = 7;

/** One exp chain: where its scratch locals start, how to push its argument and where its result goes. @internal */
export interface ExpChain {
  /** First of the chain's {@link EXP_LOCALS} v128 scratch locals. */
  readonly base: number;
  /** Emit code that pushes the chain's argument (a v128). */
  readonly arg: () => void;
  /** The v128 local that receives e^arg. */
  readonly result: number;
}

/** Emitters for one chain's statements (locals relative to the chain's base). */
interface ExpEmitter {
  get(l: number): void;
  set(l: number): void;
  op(o: number): void;
  c(v: number): void;
  i64(v: bigint): void;
  i32(v: number): void;
  arg(): void;
  result(): void;
}

/**
 * The statements of the exp, each from an empty stack to an empty stack (the value of a
 * statement lives in a scratch local: 0 x, 1 t, 2 kf then z, 3 hi, 4 lo, 5 r, 6 cr then u;
 * 0 is reused for the polynomial q, then y; 1 for e1). Horner's steps are separate statements,
 * so two chains interleave at every dependent operation.
 */
const EXP_STATEMENTS: readonly ((e: ExpEmitter) => void)[] = [
  // x = clamp(arg, −746, 710): pmax/pmin with x first (x < −746 ? −746 : x), so NaN stays NaN
  (e) => { e.arg(); e.c(-746); e.op(X.pmax); e.c(710); e.op(X.pmin); e.set(0); },
  // t = x·log2e + 1.5·2^52; kf = t − 1.5·2^52 (k rounded to nearest even)
  (e) => { e.get(0); e.c(LOG2E); e.op(X.mul); e.c(MAGIC); e.op(X.add); e.set(1); },
  (e) => { e.get(1); e.c(MAGIC); e.op(X.sub); e.set(2); },
  // hi = x − kf·ln2_hi; lo = kf·ln2_lo; r = hi − lo; z = r²
  (e) => { e.get(0); e.get(2); e.c(LN2_HI); e.op(X.mul); e.op(X.sub); e.set(3); },
  (e) => { e.get(2); e.c(LN2_LO); e.op(X.mul); e.set(4); },
  (e) => { e.get(3); e.get(4); e.op(X.sub); e.set(5); },
  (e) => { e.get(5); e.get(5); e.op(X.mul); e.set(2); },
  // q = z·P5; q = (q + P_i)·z for i = 4 … 1; cr = r − q
  (e) => { e.get(2); e.c(EXP_P[4]!); e.op(X.mul); e.set(0); },
  ...[3, 2, 1, 0].map((i) => (e: ExpEmitter) => { e.get(0); e.c(EXP_P[i]!); e.op(X.add); e.get(2); e.op(X.mul); e.set(0); }),
  (e) => { e.get(5); e.get(0); e.op(X.sub); e.set(6); },
  // y = 1 − ((lo − r·cr/(2 − cr)) − hi)
  (e) => { e.c(1); e.get(4); e.get(5); e.get(6); e.op(X.mul); e.c(2); e.get(6); e.op(X.sub); e.op(X.div); e.op(X.sub); e.get(3); e.op(X.sub); e.op(X.sub); e.set(0); },
  // u = k + 2046 = bits(t) − (bits(1.5·2^52) − 2046); e1 = u >>> 1 = (k >> 1) + 1023
  (e) => { e.get(1); e.i64(MAGIC_BITS - 2046n); e.op(X.i64Sub); e.set(6); },
  (e) => { e.get(6); e.i32(1); e.op(X.i64ShrU); e.set(1); },
  // y·2^k1, then ·2^k2 with e2 = u − e1 = k − (k >> 1) + 1023
  (e) => { e.get(0); e.get(1); e.i32(52); e.op(X.i64Shl); e.op(X.mul); e.set(0); },
  (e) => { e.get(0); e.get(6); e.get(1); e.op(X.i64Sub); e.i32(52); e.op(X.i64Shl); e.op(X.mul); e.result(); },
];

function emitterOf(code: Bytes, chain: ExpChain): ExpEmitter {
  const simd = (o: number): Bytes => code.byte(0xfd).u32(o);
  return {
    get: (l) => { code.byte(OP.localGet).u32(chain.base + l); },
    set: (l) => { code.byte(OP.localSet).u32(chain.base + l); },
    op: (o) => { simd(o); },
    c: (v) => { simd(X.const).f64(v).f64(v); },
    i64: (v) => {
      const dv = new DataView(new ArrayBuffer(8));
      dv.setBigInt64(0, v, true);
      simd(X.const);
      for (let r = 0; r < 2; r++) for (let i = 0; i < 8; i++) code.byte(dv.getUint8(i));
    },
    i32: (v) => { code.byte(OP.i32Const).i32(v); },
    arg: chain.arg,
    result: () => { code.byte(OP.localSet).u32(chain.result); },
  };
}

/**
 * Emit e^x per f64 lane for each chain (branch-free, inline), the chains' statements interleaved:
 * statement s of every chain, in order, before statement s + 1 of any.
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
 * differently (|x·log2 e| at a tie) and where V8 special-cases (exp(1) = Math.E) — the
 * generator's tests assert ≤ 1 ulp against `Math.exp` over millions of points in
 * [−745, 709.8] and exact special values: exp(±0) = 1, exp(+∞) = +∞, exp(−∞) = 0,
 * exp(NaN) = NaN, exp(x > 709.79) = +∞, exp(x < −745.14) = 0.
 *
 * @param code - the function body being written.
 * @param chains - the independent exps (their scratch locals must not overlap).
 * @internal used by `model-wasm-simd-codegen.ts`.
 */
export function emitExpChains(code: Bytes, chains: readonly ExpChain[]): void {
  const emitters = chains.map((chain) => emitterOf(code, chain));
  for (const statement of EXP_STATEMENTS) for (const e of emitters) statement(e);
}
