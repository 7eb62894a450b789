/**
 * Loading the embedded kernel binaries: base64 decoding, validation and async instantiation.
 *
 * The binaries come from `wasm-bytes.generated.ts` (built by `npm run build:wasm` from
 * `assembly/`), so loading needs no file access or fetch and works the same in Node, Deno, Bun
 * and browsers. Each variant is compiled once; each call instantiates it afresh, with its own
 * linear memory, so two backends never share state.
 *
 * @module
 */
import { WASM_SCALAR_BASE64, WASM_SIMD_BASE64 } from './wasm-bytes.generated.ts';

/** The functions the kernel module exports (pointers are byte offsets into `memory`). */
export interface KernelExports {
  /** Linear memory of the instance (grown by the host). */
  readonly memory: WebAssembly.Memory;
  /** Householder fold of m rows × c at `A` into the triangle at `T`; scratch {@link KernelExports.foldScratchDoubles}(c) doubles. */
  fold(T: number, A: number, m: number, c: number, scratch: number): void;
  /** Doubles of scratch `fold` needs for c columns (≈ 4 Ki: a column-major sub-block). */
  foldScratchDoubles(c: number): number;
  /**
   * `fold` of a block that is already column-major (c columns of ms doubles, ms even, zero past
   * the last row) at `X`, given acc_k = Σ_i X_i0 X_ik (k < c) at `scratch + foldDotsOffset(c)`
   * (a model's `cols` writes them); the columns are overwritten.
   */
  foldColumnMajorDots(T: number, X: number, ms: number, c: number, scratch: number): void;
  /** Byte offset in the fold scratch of the c first-column dot products `foldColumnMajorDots` reads. */
  foldDotsOffset(c: number): number;
  /** Rows of the column-major sub-blocks `fold` works on for c columns (even, ≤ 1024). */
  subRows(c: number): number;
  /** G += AᵀA (upper) for m rows × c at `A`; scratch {@link KernelExports.gramScratchDoubles}(c) doubles. */
  gram(G: number, A: number, m: number, c: number, scratch: number): void;
  /** Doubles of scratch `gram` needs for c columns (256 rows, column-major). */
  gramScratchDoubles(c: number): number;
  /** Σ a² over n elements at `p` with element stride `stride`, pairwise. */
  sumSquares(p: number, n: number, stride: number): number;
  /** Σ a·b over n contiguous elements, pairwise. */
  dot(a: number, b: number, n: number): number;
  /** max |a| over n contiguous elements; NaN if any is NaN. */
  maxAbs(p: number, n: number): number;
  /** First byte after the module's static data. */
  heapBase(): number;
  /** The module's function table (growable): the batch engine puts a model's `cols` in it for {@link KernelExports.lmBatch}. */
  readonly table: WebAssembly.Table;
  /**
   * The batch engine's whole Levenberg–Marquardt loop over `count` staged fit records (see
   * `assembly/lm-batch.ts` and `src/batch/wasm-engine.ts`): the model's `cols` at table index
   * `colsIndex`, `work` of {@link KernelExports.lmWorkBytes} bytes, `xScale` 0 for `'jac'`.
   */
  lmBatch(records: number, count: number, p: number, P: number, k: number, hasW: number, free: number, colsIndex: number, work: number, ftol: number, xtol: number, gtol: number, maxNfev: number, xScale: number, absoluteSigma: number): void;
  /** Doubles of one fit record of `lmBatch` for p free of P parameters and k variables. */
  lmRecordDoubles(p: number, P: number, k: number): number;
  /** Bytes of work `lmBatch` needs. */
  lmWorkBytes(p: number, P: number, k: number): number;
  /**
   * The batch engine's whole TRF loop over `count` staged fit records (`assembly/trf-batch.ts`):
   * as {@link KernelExports.lmBatch}, with the bounds in the records, `loss` the robust loss's
   * code (`assembly/batch-eval.ts`), `fScale` its scale, and `dogbox` 1 for dogbox's steps.
   */
  trfBatch(records: number, count: number, p: number, P: number, k: number, hasW: number, free: number, colsIndex: number, work: number, ftol: number, xtol: number, gtol: number, maxNfev: number, xScale: number, absoluteSigma: number, loss: number, fScale: number, dogbox: number): void;
  /** Doubles of one fit record of `trfBatch` for p free of P parameters and k variables. */
  trfRecordDoubles(p: number, P: number, k: number): number;
  /** Bytes of work `trfBatch` needs. */
  trfWorkBytes(p: number, P: number, k: number): number;
  /**
   * Thin SVD of the m×n column-major matrix at `a` (destroyed), m ≥ n: s (n), Uᵀ (n×m, when
   * `wantu` is 1) and Vᵀ (n×n); `e` n and `work` m doubles of work (`assembly/svd.ts`, the twin of
   * `thinSvd` in `src/linalg/small-linalg.ts`).
   */
  svdThin(a: number, m: number, n: number, s: number, ut: number, vt: number, e: number, work: number, wantu: number): void;
  /** Byte offset of the (p+1)² triangle at the solution of the last fit `lmBatch` solved, in its work area at `work`. */
  lmLinearizationAt(work: number, p: number, P: number, k: number): number;
}

/** Which build of the kernels to load. */
export type KernelVariant = 'simd' | 'scalar';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * Decode standard base64 (RFC 4648, with padding) without relying on `atob` or `Buffer`.
 * @param text - base64 text.
 * @returns the decoded bytes.
 */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const table = new Uint8Array(128);
  for (let i = 0; i < B64.length; i++) table[B64.charCodeAt(i)] = i;
  const clean = text.replace(/=+$/, '');
  const out = new Uint8Array((clean.length * 3) >> 2);
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (let i = 0; i < clean.length; i++) {
    acc = (acc << 6) | table[clean.charCodeAt(i)]!;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

const decoded = new Map<KernelVariant, Uint8Array<ArrayBuffer>>();

/**
 * The embedded binary of one variant, decoded once per variant (every backend resolution
 * validates it, which decoding afresh made cost ~1 ms per fit): the same array on every call —
 * read it, never write to it.
 * @param variant - `'simd'` or `'scalar'`.
 */
export function kernelBytes(variant: KernelVariant): Uint8Array<ArrayBuffer> {
  let bytes = decoded.get(variant);
  if (bytes === undefined) {
    bytes = decodeBase64(variant === 'simd' ? WASM_SIMD_BASE64 : WASM_SCALAR_BASE64);
    decoded.set(variant, bytes);
  }
  return bytes;
}

/**
 * Compiled modules by variant. A `WebAssembly.Module` is immutable and holds no state (memory
 * and globals belong to instances), so sharing it is safe; it lets every backend instance reuse
 * the engine's optimized code (V8 tiers hot functions up per module) instead of starting a fresh
 * compile — and baseline code — for every fit that resolves a new backend.
 */
const compiled = new Map<KernelVariant, Promise<WebAssembly.Module>>();
/** The same modules once compiled, for {@link instantiateKernelsSync}. */
const ready = new Map<KernelVariant, WebAssembly.Module>();

function compileOnce(variant: KernelVariant): Promise<WebAssembly.Module> {
  let module = compiled.get(variant);
  if (module === undefined) {
    module = WebAssembly.compile(kernelBytes(variant));
    compiled.set(variant, module);
    module.then(
      (m) => ready.set(variant, m),
      () => compiled.delete(variant),
    );
  }
  return module;
}

/**
 * Instantiate one variant (compiled once per variant, asynchronously as browsers require for
 * large modules); every call returns a fresh instance with its own linear memory.
 * @param variant - `'simd'` or `'scalar'`.
 * @returns the instance's exports.
 * @throws the engine's `WebAssembly.CompileError` when the variant is not supported here.
 */
export async function instantiateKernels(variant: KernelVariant): Promise<KernelExports> {
  const instance = await WebAssembly.instantiate(await compileOnce(variant), {});
  return instance.exports as unknown as KernelExports;
}

/**
 * {@link instantiateKernels} synchronously, for `curveFitSync` and the other synchronous entry
 * points: the variant's module compiled once (by an earlier asynchronous load, or here with
 * `new WebAssembly.Module`), then a fresh instance. Node, Deno and Bun compile and instantiate
 * modules of any size synchronously; a browser's main thread refuses modules over 4 KB, and then
 * this throws (the caller falls back to another backend).
 * @param variant - `'simd'` or `'scalar'`.
 * @returns the instance's exports.
 * @throws the engine's `WebAssembly.CompileError` (variant not supported) or `RangeError`
 *   (synchronous compilation refused on this thread).
 */
export function instantiateKernelsSync(variant: KernelVariant): KernelExports {
  let module = ready.get(variant);
  if (module === undefined) {
    module = new WebAssembly.Module(kernelBytes(variant));
    ready.set(variant, module);
    compiled.set(variant, Promise.resolve(module));
  }
  return new WebAssembly.Instance(module, {}).exports as unknown as KernelExports;
}
