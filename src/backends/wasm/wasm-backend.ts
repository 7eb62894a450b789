/**
 * The WebAssembly backend: the CPU backend's algorithms as AssemblyScript kernels (`assembly/`),
 * in a SIMD (f64x2) build and a scalar build, over workspaces that live in the module's linear
 * memory.
 *
 * Precision: f64 throughout, the same algorithms as the CPU reference (Householder TSQR fold as
 * LAPACK `dtpqrt`, Gram by blocked summation in groups of 256 rows — column-major dot products
 * within a group — and pairwise reductions), so the
 * results agree with it to rounding (O(cols·ε) relative for folds, O(ε log n) for reductions).
 * The fold (see `assembly/fold.ts`) copies at most `subRows(c)` (≤ 1024) rows at a time into a
 * cache-resident column-major scratch and forms w_k = T_jk + s·Σ_i A_ij A_ik (one sweep per
 * column, trailing columns two or three at a time) where the reference sums s·A_ij first, but
 * updates A_ik −= τw_k·(s·A_ij) as the reference does, so exactly dependent columns leave the same
 * kind of rounding-level remainders (rank-deficient Jacobians, GSL's `linear_rank1`); it leaves the
 * caller's block unchanged (the reference leaves Householder vectors there; callers may rely on
 * neither). Like the reference, when a column's sum of squares (or a dot product) leaves the safe
 * range — entries near 1e-300, whose squares underflow, or near 1e200 — it recomputes the norm
 * scaled, as LAPACK's `dlarfg` via `dnrm2`, and sums s·A_ij·A_ik directly; in the safe range the
 * arithmetic is unchanged.
 * Because of the internal sub-blocks the caller's block size hardly matters: measured at N = 1e6,
 * p = 8, blocks of 512–4096 rows are within noise, 2048 the best (bench/kernels.ts).
 *
 * Data movement: blocks are read where they are, in wasm memory; the caller's triangles
 * (`T`, `S`, `G`, only cols² doubles) are copied in and out per call. Reductions on arrays that
 * already live in the module's memory (`a.buffer === memory.buffer`) run zero-copy; other arrays
 * are copied in chunks of {@link REDUCE_CHUNK} elements whose partial results are combined
 * pairwise, except strided `sumSquares` on a foreign array, which runs the CPU kernel (a strided
 * gather would cost as much as the sum).
 *
 * @module
 */
import type { Backend, BackendInfo, Workspace } from '../backend.ts';
import { BackendUnavailableError, NlsqRangeError, NlsqTypeError, describeValue } from '../../errors.ts';
import { type Allocation, WasmHeap, WasmWorkspace } from './wasm-memory.ts';
import { REDUCE_CHUNK, WasmReductions } from './wasm-reductions.ts';
import { type KernelExports, type KernelVariant, instantiateKernels, instantiateKernelsSync } from './wasm-module.ts';
import { wasmSupport } from './wasm-support.ts';

export { wasmSupport, type WasmSupport } from './wasm-support.ts';

export { REDUCE_CHUNK } from './wasm-reductions.ts';
/** Columns the preallocated scratch serves without reallocating. */
const SMALL_COLS = 64;
/** 4 GiB: what wasm32 addresses. */
const WASM32_BYTES = 2 ** 32;
/** Bytes kept back from 4 GiB for the module's data, scratch and allocator slack. */
const RESERVED_BYTES = 2 ** 20;

/** Options of {@link createWasmBackend}. */
export interface WasmBackendOptions {
  /**
   * `true`: the SIMD build (throws if unsupported); `false`: the scalar build;
   * omitted: SIMD when `wasm-feature-detect` reports it, else scalar.
   */
  readonly simd?: boolean;
}

/**
 * Byte layout of the triangle scratch for c columns: the triangle T (or G) at 0, the kernels'
 * work area (`foldScratchDoubles(c)` or `gramScratchDoubles(c)` doubles) at `work`, the merge
 * operand S at `s`.
 */
function scratchLayout(k: KernelExports, c: number): { work: number; s: number; bytes: number } {
  const work = align16(c * c * 8);
  const s = work + align16(Math.max(k.foldScratchDoubles(c), k.gramScratchDoubles(c)) * 8);
  return { work, s, bytes: s + c * c * 8 };
}

/**
 * Create a WebAssembly backend (`'wasm-simd'` or `'wasm-scalar'`). Each call instantiates its own
 * module and memory; the backend is synchronous once created.
 *
 * @param options - `simd` forces a build (see {@link WasmBackendOptions}).
 * @returns the backend.
 * @throws BackendUnavailableError (rejects) when `simd: true` is asked and the runtime has no wasm
 *   SIMD, or when WebAssembly is not usable at all; NlsqTypeError when `simd` is not a boolean.
 * @example
 * ```ts
 * const wasm = await createWasmBackend();
 * wasm.info.name; // 'wasm-simd' on any current engine
 * ```
 */
export async function createWasmBackend(options: WasmBackendOptions = {}): Promise<Backend> {
  const support = await wasmSupport();
  let variant: KernelVariant;
  if (options.simd === true) {
    if (!support.simd) throw new BackendUnavailableError(`createWasmBackend: the SIMD build was asked (simd: true) but ${support.reason ?? 'wasm SIMD is unsupported here'}; available: the scalar build (simd: false)`);
    variant = 'simd';
  } else if (options.simd === false) {
    variant = 'scalar';
  } else if (options.simd === undefined) {
    variant = support.simd ? 'simd' : 'scalar';
  } else {
    throw new NlsqTypeError(`createWasmBackend: simd must be a boolean or omitted, got ${describeValue(options.simd)}`, 'simd');
  }
  if (!support.scalar) throw new BackendUnavailableError(`createWasmBackend: WebAssembly is not usable here (${support.reason ?? 'unknown reason'})`);
  return new WasmBackend(await instantiateKernels(variant), variant === 'simd');
}

/**
 * {@link createWasmBackend} synchronously (`instantiateKernelsSync`): what the synchronous entry
 * points use once this module is loaded. Where synchronous compilation is refused (a browser's
 * main thread) it throws, and the caller uses another backend.
 *
 * @param simd - the SIMD build (true) or the scalar one.
 * @returns a fresh backend over its own instance.
 * @throws the engine's `CompileError` when the build is not supported here, or `RangeError` when
 *   this thread may not compile it synchronously.
 */
export function createWasmBackendSync(simd: boolean): WasmBackend {
  return new WasmBackend(instantiateKernelsSync(simd ? 'simd' : 'scalar'), simd);
}

/** Backend info of each build. */
function wasmInfo(simd: boolean): BackendInfo {
  return Object.freeze({
    name: simd ? 'wasm-simd' : 'wasm-scalar',
    family: 'wasm',
    precision: 'f64',
    epsilon: 2 ** -52,
    synchronous: true,
    maxBufferBytes: WASM32_BYTES - RESERVED_BYTES,
    memoryBytes: WASM32_BYTES,
    speedClass: simd ? 2 : 1.5,
    software: false,
    runsClosures: true,
  });
}

/** The wasm backend over one kernel instance (see the module comment). */
export class WasmBackend implements Backend {
  readonly info: BackendInfo;
  private readonly k: KernelExports;
  private readonly heap: WasmHeap;
  private readonly reducer: WasmReductions;
  /** Scratch for the small (cols²) operands and the kernels' sub-blocks. */
  private scratch: Allocation;
  /** Heap bytes the backend itself holds (chunks and scratch) once constructed. */
  private readonly ownBytes: number;

  constructor(k: KernelExports, simd: boolean) {
    this.info = wasmInfo(simd);
    this.k = k;
    this.heap = new WasmHeap(k.memory, k.heapBase());
    const chunks = this.heap.allocate(2 * REDUCE_CHUNK * 8, this.info.name);
    let most = 0;
    for (let c = 1; c <= SMALL_COLS; c++) most = Math.max(most, scratchLayout(k, c).bytes);
    this.scratch = this.heap.allocate(most, this.info.name);
    this.reducer = new WasmReductions(k, this.heap, chunks, this.info.name);
    this.ownBytes = this.heap.liveBytes;
  }

  /**
   * True when nothing is left allocated beyond the backend's own scratch (every workspace,
   * kernel and resident copy released) and its memory is at most `limitBytes`: such an instance
   * can serve another fit as if fresh (see `wasm-pool.ts`).
   */
  isIdle(limitBytes: number): boolean {
    return this.heap.liveBytes === this.ownBytes && this.k.memory.buffer.byteLength <= limitBytes;
  }

  createWorkspace(capacity: number, cols: number): Workspace {
    const name = this.info.name;
    if (!Number.isInteger(capacity) || capacity < 1 || !Number.isInteger(cols) || cols < 1) {
      throw new NlsqRangeError(`${name}.createWorkspace: capacity and cols must be positive integers, got ${capacity} × ${cols}`, Number.isInteger(capacity) && capacity >= 1 ? 'cols' : 'capacity');
    }
    const bytes = capacity * cols * 8;
    if (bytes > this.info.maxBufferBytes) {
      throw new NlsqRangeError(`${name}.createWorkspace: ${capacity} × ${cols} f64 (${bytes} bytes) exceeds maxBufferBytes ${this.info.maxBufferBytes}`, 'capacity');
    }
    this.ensureScratch(cols);
    const alloc = this.heap.allocate(bytes, `${name}.createWorkspace`);
    this.heap.f64().fill(0, alloc.ptr / 8, alloc.ptr / 8 + capacity * cols);
    return new WasmWorkspace(this.heap, alloc, capacity, cols);
  }

  releaseWorkspace(ws: Workspace): void {
    const w = this.own(ws, 'releaseWorkspace');
    this.heap.release(w.allocation!);
    w.allocation = null;
  }

  foldRows(T: Float64Array, ws: Workspace, rows: number): void {
    const w = this.own(ws, 'foldRows');
    this.checkRows(w, rows, T, 'foldRows');
    if (rows === 0) return;
    this.withTriangle(T, w.cols, (t, work) => this.k.fold(t, w.ptr, rows, w.cols, work));
  }

  mergeTriangles(T: Float64Array, S: Float64Array, cols: number): void {
    if (!Number.isInteger(cols) || cols < 1 || T.length < cols * cols || S.length < cols * cols) {
      throw new NlsqRangeError(`${this.info.name}.mergeTriangles: cols must be a positive integer and T, S of length cols², got cols ${describeValue(cols)}, lengths ${T.length} and ${S.length}`, 'S', 'ERR_SHAPE');
    }
    this.ensureScratch(cols);
    const s = this.scratch.ptr + scratchLayout(this.k, cols).s;
    const mem = this.heap.f64();
    mem.set(S.subarray(0, cols * cols), s / 8);
    for (let i = 0; i < cols; i++) mem.fill(0, s / 8 + i * cols, s / 8 + i * cols + i);
    this.withTriangle(T, cols, (t, work) => this.k.fold(t, s, cols, cols, work));
    S.set(this.heap.f64().subarray(s / 8, s / 8 + cols * cols));
  }

  gram(G: Float64Array, ws: Workspace, rows: number): void {
    const w = this.own(ws, 'gram');
    this.checkRows(w, rows, G, 'gram');
    if (rows === 0) return;
    this.withTriangle(G, w.cols, (g, work) => this.k.gram(g, w.ptr, rows, w.cols, work));
  }

  sumSquares(a: Float64Array, offset: number, n: number, stride = 1): number {
    return this.reducer.sumSquares(a, offset, n, stride);
  }

  dot(a: Float64Array, b: Float64Array, offset: number, n: number): number {
    return this.reducer.dot(a, b, offset, n);
  }

  maxAbs(a: Float64Array, offset: number, n: number): number {
    return this.reducer.maxAbs(a, offset, n);
  }

  /**
   * The kernel instance's exports (its memory and, e.g., the `math*` functions of
   * `assembly/math.ts`) and the heap over its memory, for code generated against this instance
   * (`createWasmModelKernel` in `wasm-model-kernel.ts`). Callers allocate
   * through the heap only, and must re-read views after any allocation (memory may grow).
   */
  modelHost(): { readonly exports: Readonly<Record<string, unknown>>; readonly heap: WasmHeap } {
    return { exports: this.k as unknown as Readonly<Record<string, unknown>>, heap: this.heap };
  }

  /** Make sure the scratch serves `c` columns (may grow memory: called before any view is used). */
  private ensureScratch(c: number): void {
    const need = scratchLayout(this.k, c).bytes;
    if (need <= this.scratch.bytes) return;
    this.heap.release(this.scratch);
    this.scratch = this.heap.allocate(need, this.info.name);
  }

  /** Copy the triangle M into scratch, run `kernel(Tptr, work)`, copy it back. */
  private withTriangle(M: Float64Array, c: number, kernel: (tPtr: number, work: number) => void): void {
    const t = this.scratch.ptr;
    this.heap.f64().set(M.subarray(0, c * c), t / 8);
    kernel(t, t + scratchLayout(this.k, c).work);
    M.set(this.heap.f64().subarray(t / 8, t / 8 + c * c));
  }

  private own(ws: Workspace, who: string): WasmWorkspace {
    if (!(ws instanceof WasmWorkspace) || !ws.allocation || ws.data().buffer !== this.k.memory.buffer) {
      throw new NlsqTypeError(`${this.info.name}.${who}: ws must be a live workspace created by this backend, got ${describeValue(ws)}`, 'ws');
    }
    return ws;
  }

  private checkRows(ws: Workspace, rows: number, T: Float64Array, who: string): void {
    if (!Number.isInteger(rows) || rows < 0 || rows > ws.capacity) {
      throw new NlsqRangeError(`${this.info.name}.${who}: rows must be an integer in [0, ${ws.capacity}], got ${describeValue(rows)}`, 'rows');
    }
    if (T.length < ws.cols * ws.cols) {
      throw new NlsqRangeError(`${this.info.name}.${who}: the triangle must have length ${ws.cols * ws.cols} (cols²), got ${T.length}`, 'T', 'ERR_SHAPE');
    }
  }
}

function align16(n: number): number {
  return Math.ceil(n / 16) * 16;
}

