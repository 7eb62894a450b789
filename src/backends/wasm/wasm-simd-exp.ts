/**
 * A vectorised e^x for the f64x2 model generator (`codegen-wasm-simd.ts`), emitted inline
 * as straight-line WebAssembly SIMD code for any number of independent v128 values at once.
 *
 * The method is the table-driven exp of ARM's optimized-routines (as in musl and glibc): a short
 * dependency chain with no division, reading 2^(i/128) from a 2 KiB table ({@link writeExpTable})
 * that the caller keeps in the module's memory. It replaced fdlibm's rational form (a chain of
 * ~30 dependent operations with a division): measured in V8 (Node 20, x64, 1M resident points,
 * `wasm-model-kernel.ts`), `rows`/`cols` of `a*exp(-b*x) + c` and of a Gaussian peak on a line
 * took ~20 % less time. The generator evaluates two point pairs per loop
 * iteration and this emitter interleaves their exps statement by statement: statement s for
 * chain A, then for chain B, then statement s + 1 … — two independent dependency chains in flight
 * together. Each chain's operations are exactly those of the single-chain form (same operations
 * per lane, same order within the chain), so the values do not depend on how many chains are
 * interleaved.
 *
 * @module
 */

import { Bytes, OP } from './wasm-binary-encoder.ts';

/** The SIMD opcodes (prefix 0xfd, then the u32 below) the exp uses. */
const X = {
  load: 0x00, const: 0x0c, shuffle: 0x0d, i64x2ExtractLane: 0x1d, and: 0x4e,
  f64Abs: 0xec, f64Gt: 0x4a, or: 0x50, anyTrue: 0x53, i64Shl: 0xcb, i64ShrU: 0xcd, i64Add: 0xce, i64Sub: 0xd1, pmin: 0xf6, pmax: 0xf7, add: 0xf0, sub: 0xf1, mul: 0xf2,
} as const;
/** `i32.wrap_i64` (core opcode). */
const I32_WRAP_I64 = 0xa7;

/** 1.5·2^52: adding it rounds |t| < 2^51 to an integer held in the low mantissa bits. */
const SHIFT = 6755399441055744;
const SHIFT_BITS = 0x4338000000000000n;
/** A multiple of 256 above −k for every clamped x (|k| < 2^18): u = k + BIAS ≥ 0, so unsigned shifts floor. */
const BIAS = 1n << 18n;
/** 128/ln 2 (optimized-routines' `invln2N`). */
const INV_LN2_N = 184.6649652337873;
/** −ln2/128 split: NEG_LN2_HI_N has 17 trailing zero bits, so k·NEG_LN2_HI_N is exact for |k| ≤ 2^17. */
const NEG_LN2_HI_N = -0.005415212348111709;
const NEG_LN2_LO_N = -1.2864023111638346e-14;
/** optimized-routines' `exp` polynomial (order 5): e^r − 1 ≈ r + C2 r² + C3 r³ + C4 r⁴ + C5 r⁵ on |r| ≤ ln2/256. */
const C2 = 0.49999999999996786;
const C3 = 0.16666666666665886;
const C4 = 0.0416666808410674;
const C5 = 0.008333335853059549;

/**
 * 2^(i/128), i = 0 … 127, as optimized-routines' `__exp_data.tab`: entry 2i holds the bits of
 * tail_i, entry 2i + 1 those of s_i minus i·2^45, where s_i = 2^(i/128) rounded to a double and
 * tail_i = (2^(i/128) − s_i)/s_i rounded (printed by `scripts/exp-table.py`, exact to 80 digits).
 */
const EXP_TABLE_HEX: readonly string[] = [
  '0000000000000000', '3ff0000000000000', '3c9b3b4f1a88bf6e', '3feff63da9fb3335',
  'bc7160139cd8dc5d', '3fefec9a3e778061', 'bc905e7a108766d1', '3fefe315e86e7f85',
  '3c8cd2523567f613', '3fefd9b0d3158574', 'bc8bce8023f98efa', '3fefd06b29ddf6de',
  '3c60f74e61e6c861', '3fefc74518759bc8', '3c90a3e45b33d399', '3fefbe3ecac6f383',
  '3c979aa65d837b6d', '3fefb5586cf9890f', '3c8eb51a92fdeffc', '3fefac922b7247f7',
  '3c3ebe3d702f9cd1', '3fefa3ec32d3d1a2', 'bc6a033489906e0b', '3fef9b66affed31b',
  'bc9556522a2fbd0e', '3fef9301d0125b51', 'bc5080ef8c4eea55', '3fef8abdc06c31cc',
  'bc91c923b9d5f416', '3fef829aaea92de0', '3c80d3e3e95c55af', '3fef7a98c8a58e51',
  'bc801b15eaa59348', '3fef72b83c7d517b', 'bc8f1ff055de323d', '3fef6af9388c8dea',
  '3c8b898c3f1353bf', '3fef635beb6fcb75', 'bc96d99c7611eb26', '3fef5be084045cd4',
  '3c9aecf73e3a2f60', '3fef54873168b9aa', 'bc8fe782cb86389d', '3fef4d5022fcd91d',
  '3c8a6f4144a6c38d', '3fef463b88628cd6', '3c807a05b0e4047d', '3fef3f49917ddc96',
  '3c968efde3a8a894', '3fef387a6e756238', '3c875e18f274487d', '3fef31ce4fb2a63f',
  '3c80472b981fe7f2', '3fef2b4565e27cdd', 'bc96b87b3f71085e', '3fef24dfe1f56381',
  '3c82f7e16d09ab31', '3fef1e9df51fdee1', 'bc3d219b1a6fbffa', '3fef187fd0dad990',
  '3c8b3782720c0ab4', '3fef1285a6e4030b', '3c6e149289cecb8f', '3fef0cafa93e2f56',
  '3c834d754db0abb6', '3fef06fe0a31b715', '3c864201e2ac744c', '3fef0170fc4cd831',
  '3c8fdd395dd3f84a', '3feefc08b26416ff', 'bc86a3803b8e5b04', '3feef6c55f929ff1',
  'bc924aedcc4b5068', '3feef1a7373aa9cb', 'bc9907f81b512d8e', '3feeecae6d05d866',
  'bc71d1e83e9436d2', '3feee7db34e59ff7', 'bc991919b3ce1b15', '3feee32dc313a8e5',
  '3c859f48a72a4c6d', '3feedea64c123422', 'bc9312607a28698a', '3feeda4504ac801c',
  'bc58a78f4817895b', '3feed60a21f72e2a', 'bc7c2c9b67499a1b', '3feed1f5d950a897',
  '3c4363ed60c2ac11', '3feece086061892d', '3c9666093b0664ef', '3feeca41ed1d0057',
  '3c6ecce1daa10379', '3feec6a2b5c13cd0', '3c93ff8e3f0f1230', '3feec32af0d7d3de',
  '3c7690cebb7aafb0', '3feebfdad5362a27', '3c931dbdeb54e077', '3feebcb299fddd0d',
  'bc8f94340071a38e', '3feeb9b2769d2ca7', 'bc87deccdc93a349', '3feeb6daa2cf6642',
  'bc78dec6bd0f385f', '3feeb42b569d4f82', 'bc861246ec7b5cf6', '3feeb1a4ca5d920f',
  '3c93350518fdd78e', '3feeaf4736b527da', '3c7b98b72f8a9b05', '3feead12d497c7fd',
  '3c9063e1e21c5409', '3feeab07dd485429', '3c34c7855019c6ea', '3feea9268a5946b7',
  '3c9432e62b64c035', '3feea76f15ad2148', 'bc8ce44a6199769f', '3feea5e1b976dc09',
  'bc8c33c53bef4da8', '3feea47eb03a5585', 'bc845378892be9ae', '3feea34634ccc320',
  'bc93cedd78565858', '3feea23882552225', '3c5710aa807e1964', '3feea155d44ca973',
  'bc93b3efbf5e2228', '3feea09e667f3bcd', 'bc6a12ad8734b982', '3feea012750bdabf',
  'bc6367efb86da9ee', '3fee9fb23c651a2f', 'bc80dc3d54e08851', '3fee9f7df9519484',
  'bc781f647e5a3ecf', '3fee9f75e8ec5f74', 'bc86ee4ac08b7db0', '3fee9f9a48a58174',
  'bc8619321e55e68a', '3fee9feb564267c9', '3c909ccb5e09d4d3', '3feea0694fde5d3f',
  'bc7b32dcb94da51d', '3feea11473eb0187', '3c94ecfd5467c06b', '3feea1ed0130c132',
  '3c65ebe1abd66c55', '3feea2f336cf4e62', 'bc88a1c52fb3cf42', '3feea427543e1a12',
  'bc9369b6f13b3734', '3feea589994cce13', 'bc805e843a19ff1e', '3feea71a4623c7ad',
  'bc94d450d872576e', '3feea8d99b4492ed', '3c90ad675b0e8a00', '3feeaac7d98a6699',
  '3c8db72fc1f0eab4', '3feeace5422aa0db', 'bc65b6609cc5e7ff', '3feeaf3216b5448c',
  '3c7bf68359f35f44', '3feeb1ae99157736', 'bc93091fa71e3d83', '3feeb45b0b91ffc6',
  'bc5da9b88b6c1e29', '3feeb737b0cdc5e5', 'bc6c23f97c90b959', '3feeba44cbc8520f',
  'bc92434322f4f9aa', '3feebd829fde4e50', 'bc85ca6cd7668e4b', '3feec0f170ca07ba',
  '3c71affc2b91ce27', '3feec49182a3f090', '3c6dd235e10a73bb', '3feec86319e32323',
  'bc87c50422622263', '3feecc667b5de565', '3c8b1c86e3e231d5', '3feed09bec4a2d33',
  'bc91bbd1d3bcbb15', '3feed503b23e255d', '3c90cc319cee31d2', '3feed99e1330b358',
  '3c8469846e735ab3', '3feede6b5579fdbf', 'bc82dfcd978e9db4', '3feee36bbfd3f37a',
  '3c8c1a7792cb3387', '3feee89f995ad3ad', 'bc907b8f4ad1d9fa', '3feeee07298db666',
  'bc55c3d956dcaeba', '3feef3a2b84f15fb', 'bc90a40e3da6f640', '3feef9728de5593a',
  'bc68d6f438ad9334', '3feeff76f2fb5e47', 'bc91eee26b588a35', '3fef05b030a1064a',
  '3c74ffd70a5fddcd', '3fef0c1e904bc1d2', 'bc91bdfbfa9298ac', '3fef12c25bd71e09',
  '3c736eae30af0cb3', '3fef199bdd85529c', '3c8ee3325c9ffd94', '3fef20ab5fffd07a',
  '3c84e08fd10959ac', '3fef27f12e57d14b', '3c63cdaf384e1a67', '3fef2f6d9406e7b5',
  '3c676b2c6c921968', '3fef3720dcef9069', 'bc808a1883ccb5d2', '3fef3f0b555dc3fa',
  'bc8fad5d3ffffa6f', '3fef472d4a07897c', 'bc900dae3875a949', '3fef4f87080d89f2',
  '3c74a385a63d07a7', '3fef5818dcfba487', 'bc82919e2040220f', '3fef60e316c98398',
  '3c8e5a50d5c192ac', '3fef69e603db3285', '3c843a59ac016b4b', '3fef7321f301b460',
  'bc82d52107b43e1f', '3fef7c97337b9b5f', 'bc892ab93b470dc9', '3fef864614f5a129',
  '3c74b604603a88d3', '3fef902ee78b3ff6', '3c83c5ec519d7271', '3fef9a51fbc74c83',
  'bc8ff7128fd391f0', '3fefa4afa2a490da', 'bc8dae98e223747d', '3fefaf482d8e67f1',
  '3c8ec3bc41aa2008', '3fefba1bee615a27', '3c842b94c3a9eb32', '3fefc52b376bba97',
  '3c8a64a931d185ee', '3fefd0765b6e4540', 'bc8e37bae43be3ed', '3fefdbfdad9cbe14',
  '3c77893b4d91cd9d', '3fefe7c1819e90d8', '3c5305c14160cc89', '3feff3c22b8f71f1',
];

/** Bytes of the table {@link writeExpTable} writes (128 pairs of u64). @internal */
export const EXP_TABLE_BYTES = 16 * 128;

/**
 * Write the exp table (`EXP_TABLE_HEX`) into wasm memory at byte offset `at`, where an
 * f64x2 model module reads it (`expTableOffset` bytes after its call descriptor).
 *
 * @param memory - the module's memory.
 * @param at - byte offset (a multiple of 8) of the {@link EXP_TABLE_BYTES} bytes to write.
 * @internal used by `wasm-model-kernel.ts` and the generator's tests.
 */
export function writeExpTable(memory: WebAssembly.Memory, at: number): void {
  new BigUint64Array(memory.buffer, at, 2 * 128).set(expTableWords());
}

/** The table's words, parsed from `EXP_TABLE_HEX` once (every kernel copies them; parsing 256 BigInts each time cost ~40 µs). */
let words: BigUint64Array | null = null;

function expTableWords(): BigUint64Array {
  if (words === null) {
    words = new BigUint64Array(2 * 128);
    for (let i = 0; i < 2 * 128; i++) words[i] = BigInt(`0x${EXP_TABLE_HEX[i]!}`);
  }
  return words;
}

/** v128 scratch locals one chain of {@link emitExpChains} uses (base … base + EXP_LOCALS − 1). @internal */
export const EXP_LOCALS = 13;

/** One exp chain: where its scratch locals start, how to push its argument and where its result goes. @internal */
export interface ExpChain {
  /** First of the chain's {@link EXP_LOCALS} v128 scratch locals. */
  readonly base: number;
  /** Emit code that pushes the chain's argument (a v128). */
  readonly arg: () => void;
  /** The v128 local that receives e^arg. */
  readonly result: number;
}

/** Where the module finds the table ({@link writeExpTable}): `offset` bytes past an i32 address. @internal */
export interface ExpTable {
  /** The i32 local holding the address (the generator's call descriptor). */
  readonly local: number;
  /** Bytes from that address to the table (a `v128.load` memarg offset). */
  readonly offset: number;
}

/** Emitters for one chain's statements (locals relative to the chain's base). */
interface ExpEmitter {
  get(l: number): void;
  set(l: number): void;
  op(o: number): void;
  c(v: number): void;
  i64(v: bigint): void;
  i32(v: number): void;
  /** Push the table entry (tail, scale bits) of the lane `lane` of index local l (byte offsets). */
  entry(l: number, lane: number): void;
  shuffle(lanes: readonly number[]): void;
  arg(): void;
  result(): void;
}

const LOW_LANES = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];
const HIGH_LANES = [8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31];

type Statement = (e: ExpEmitter) => void;

/** |x| above which the two-step scaling path runs (e^x is normal, 2^⌊k/128⌋ too, for |x| ≤ 708). */
const FAST_LIMIT = 708;

/**
 * The reduction, table look-up and polynomial, from x in scratch local 0 (each statement from
 * an empty stack to an empty stack; locals: 0 x, 1 t, 2 kd, 3 r, 4 kd·lo then tail then tmp,
 * 5 the table byte offsets, 6 entry 0 then the table's scale bits sb, 7 entry 1, 8 r² then r⁴,
 * 9, 10 the polynomial's halves). Small statements, so that chains interleave at every
 * dependent operation. Leaves t (1), sb (6) and tmp (4).
 */
const CORE: readonly Statement[] = [
  // t = x·128/ln2 + 1.5·2^52 (k = round(x·128/ln2) in its low bits); kd = t − 1.5·2^52
  (e) => { e.get(0); e.c(INV_LN2_N); e.op(X.mul); e.c(SHIFT); e.op(X.add); e.set(1); },
  (e) => { e.get(1); e.c(SHIFT); e.op(X.sub); e.set(2); },
  // table byte offsets 16·(k mod 128); the two lanes' entries (tail, sb)
  (e) => { e.get(1); e.i64(127n); e.op(X.and); e.i32(4); e.op(X.i64Shl); e.set(5); },
  (e) => { e.entry(5, 0); e.set(6); },
  (e) => { e.entry(5, 1); e.set(7); },
  // r = (x + kd·(−ln2_hi/128)) + kd·(−ln2_lo/128)
  (e) => { e.get(2); e.c(NEG_LN2_LO_N); e.op(X.mul); e.set(4); },
  (e) => { e.get(0); e.get(2); e.c(NEG_LN2_HI_N); e.op(X.mul); e.op(X.add); e.set(3); },
  (e) => { e.get(3); e.get(4); e.op(X.add); e.set(3); },
  // tail = (entry0.lo, entry1.lo), sb = (entry0.hi, entry1.hi)
  (e) => { e.get(6); e.get(7); e.shuffle(LOW_LANES); e.set(4); },
  (e) => { e.get(6); e.get(7); e.shuffle(HIGH_LANES); e.set(6); },
  // r², C2 + r·C3, C4 + r·C5
  (e) => { e.get(3); e.get(3); e.op(X.mul); e.set(8); },
  (e) => { e.get(3); e.c(C3); e.op(X.mul); e.c(C2); e.op(X.add); e.set(9); },
  (e) => { e.get(3); e.c(C5); e.op(X.mul); e.c(C4); e.op(X.add); e.set(10); },
  // tmp = ((tail + r) + r²·(C2 + r·C3)) + r⁴·(C4 + r·C5)
  (e) => { e.get(4); e.get(3); e.op(X.add); e.set(4); },
  (e) => { e.get(4); e.get(8); e.get(9); e.op(X.mul); e.op(X.add); e.set(4); },
  (e) => { e.get(8); e.get(8); e.op(X.mul); e.set(8); },
  (e) => { e.get(4); e.get(8); e.get(10); e.op(X.mul); e.op(X.add); e.set(4); },
];

/** Fast path (|x| ≤ 708): scale = 2^(k/128) = bits(sb + (bits(t) << 45)) (optimized-routines' sbits); e^x = scale + scale·tmp. */
const FAST: readonly Statement[] = [
  ...CORE,
  (e) => { e.get(6); e.get(1); e.i32(45); e.op(X.i64Shl); e.op(X.i64Add); e.set(7); },
  (e) => { e.get(7); e.get(7); e.get(4); e.op(X.mul); e.op(X.add); e.result(); },
];

/**
 * Any-|x| path: x clamped to [−746, 710] first, then 2^(k/128) = scale·2^e2 in two steps.
 * With u = k + BIAS (locals 11, 12: u, then E2, then 2^e2): e + 2048 = u >>> 7, e1 + 1024 =
 * u >>> 8, E2 = (e2 + 1024)·2^52; scale = s_i·2^e1 = bits(sb + (bits(t) << 45) − E2 + 1024·2^52),
 * 2^e2 = bits(E2 − 2^52).
 */
const SLOW: readonly Statement[] = [
  // x = clamp(x, −746, 710): pmax/pmin with x first (x < −746 ? −746 : x), so NaN stays NaN
  (e) => { e.get(0); e.c(-746); e.op(X.pmax); e.c(710); e.op(X.pmin); e.set(0); },
  ...CORE,
  (e) => { e.get(1); e.i64(SHIFT_BITS - BIAS); e.op(X.i64Sub); e.set(11); },
  (e) => { e.get(11); e.i32(7); e.op(X.i64ShrU); e.get(11); e.i32(8); e.op(X.i64ShrU); e.op(X.i64Sub); e.i32(52); e.op(X.i64Shl); e.set(12); },
  (e) => { e.get(6); e.get(1); e.i32(45); e.op(X.i64Shl); e.op(X.i64Add); e.get(12); e.op(X.i64Sub); e.i64(1024n << 52n); e.op(X.i64Add); e.set(7); },
  (e) => { e.get(12); e.i64(1n << 52n); e.op(X.i64Sub); e.set(12); },
  // y = scale + scale·tmp (normal); e^x = y·2^e2 (rounded once more only when subnormal)
  (e) => { e.get(7); e.get(7); e.get(4); e.op(X.mul); e.op(X.add); e.set(0); },
  (e) => { e.get(0); e.get(12); e.op(X.mul); e.result(); },
];

function emitterOf(code: Bytes, chain: ExpChain, table: ExpTable): ExpEmitter {
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
    entry: (l, lane) => {
      code.byte(OP.localGet).u32(table.local).byte(OP.localGet).u32(chain.base + l);
      simd(X.i64x2ExtractLane).byte(lane);
      code.byte(I32_WRAP_I64).byte(OP.i32Add);
      simd(X.load).u32(3).u32(table.offset);
    },
    shuffle: (lanes) => { simd(X.shuffle).byte(...lanes); },
    arg: chain.arg,
    result: () => { code.byte(OP.localSet).u32(chain.result); },
  };
}

/**
 * Emit e^x per f64 lane for each chain (inline), the chains' statements interleaved: statement s
 * of every chain, in order, before statement s + 1 of any.
 *
 * Method: ARM optimized-routines' `exp` (Szabolcs Nagy; musl's and glibc's), vectorised:
 * 1. Reduction: k = nearest(x·128/ln2) by adding and subtracting 1.5·2^52 (round to nearest
 *    even; t the sum), r = (x − k·ln2_hi/128) − k·ln2_lo/128, |r| ≤ ln2/256 (+ rounding).
 * 2. With i = k mod 128, 2^(i/128) ≈ s_i·(1 + tail_i) from the table (two `v128.load`s at
 *    16·i, one per lane, regrouped by `i8x16.shuffle`), and e^r − 1 by a degree-5 polynomial:
 *    tmp = tail + r + r²·(C2 + r·C3) + r⁴·(C4 + r·C5), e^x ≈ 2^(k/128)·(1 + tmp).
 * 3. One branch for all chains: when every lane has |x| ≤ 708 or is NaN (the usual case),
 *    scale = 2^(k/128) = bits(sb_i + (bits(t) << 45)) is normal and e^x = scale + scale·tmp.
 *    Otherwise (optimized-routines' `specialcase`, branch-free per lane) x is first clamped
 *    to [−746, 710] (`f64x2.pmax/pmin` with x first, so NaN stays NaN; outside it e^x rounds
 *    to 0 or overflows anyway), and with e = ⌊k/128⌋, e1 = ⌊e/2⌋, e2 = e − e1 (in
 *    [−539, 512]): y = scale′ + scale′·tmp with scale′ = s_i·2^e1 (normal), e^x = y·2^e2 —
 *    exact unless the result is subnormal (rounded once more there) or overflows (+∞). Both
 *    paths give the same bits for |x| ≤ 708 (scaling by 2^e2 is exact there).
 *
 * Accuracy: optimized-routines' bound is 0.511 ulp without fma. The generator's tests assert
 * ≤ 1 ulp against `Math.exp` over millions of points in [−745, 709.8], ≤ 1 ulp against the
 * correctly rounded value and equality with it at ≥ 99.5 % of 6000 points (measured: all but 2;
 * V8's fdlibm `Math.exp` misses 515), and exact special values: exp(±0) = 1, exp(+∞) = +∞,
 * exp(−∞) = 0, exp(NaN) = NaN, exp(x > 709.79) = +∞, exp(x < −745.14) = 0. A NaN's garbage
 * index is masked to 0 … 127, so no load leaves the table.
 *
 * @param code - the function body being written.
 * @param chains - the independent exps (their scratch locals must not overlap).
 * @param table - where the module finds the table ({@link writeExpTable}): an i32 local + offset.
 * @internal used by `codegen-wasm-simd.ts`.
 */
export function emitExpChains(code: Bytes, chains: readonly ExpChain[], table: ExpTable): void {
  const emitters = chains.map((chain) => emitterOf(code, chain, table));
  for (const e of emitters) { e.arg(); e.set(0); }
  // any lane of any chain with |x| > 708 (not NaN): the two-step path for all
  emitters.forEach((e, i) => { e.get(0); e.op(X.f64Abs); e.c(FAST_LIMIT); e.op(X.f64Gt); if (i > 0) e.op(X.or); });
  code.byte(0xfd).u32(X.anyTrue).byte(OP.if).byte(0x40);
  for (const statement of SLOW) for (const e of emitters) statement(e);
  code.byte(OP.else);
  for (const statement of FAST) for (const e of emitters) statement(e);
  code.byte(OP.end);
}
