/**
 * A {@link ModelKernel} that runs an expression model's fused kernel inside WebAssembly, in the
 * memory of a wasm backend: no JS call per point.
 *
 * Compilation: the module of a program is compiled once (`wasm-model-module.ts`:
 * position-independent code, a bounded cache of `WebAssembly.Module`s); each kernel gets its own
 * `WebAssembly.Instance`, bound to its backend's memory and math exports.
 *
 * Data: at creation the kernel allocates a scratch region in the backend's heap (the descriptor,
 * the f64x2 modules' exp table after it — see `expTableOffset` — the variable columns, y and w for {@link WASM_MODEL_CHUNK} points, and an output area). With
 * `resident: data` it also copies the fit's columns (x…, y, and w when present) into wasm memory
 * once; a later call whose `data` holds those same arrays (by identity: `x[v]`, `y`, and `w` or
 * null) reads them where they are — the descriptor points at `start` — with no per-call copy.
 * Any other data is copied into the scratch chunk by chunk (`TypedArray.set`, a memcpy), as is
 * every call when the heap could not hold the resident copy (it then silently keeps that path).
 * The resident copy is a snapshot: the caller must not change those arrays while the kernel
 * lives (a fit never does). Memory: resident data costs (k + 1 + [w]) · n · 8 bytes of wasm
 * memory for the kernel's life — ≤ (k + 2) · n · 8; wasm memory never shrinks, but
 * {@link WasmModelKernel.dispose} returns the blocks to the backend's heap for reuse.
 *
 * When `out` is a view on the backend's memory (a workspace's `data()`), rows are written straight
 * into it (one module call for the whole window when the data is resident); otherwise into the
 * scratch output area and copied out. Calls never allocate in wasm memory, so a caller's views
 * stay attached during a call; the kernel re-reads the memory view on every call, so it keeps
 * working after memory grew between calls (the resident data lives at byte offsets, unaffected).
 *
 * On the `'wasm-simd'` backend the module evaluates four points per loop iteration as two
 * independent f64x2 pairs (`codegen-wasm-simd.ts`, with a vectorised `exp`); on
 * `'wasm-scalar'` one point per iteration (`codegen-wasm.ts`). If the engine rejects the
 * f64x2 module, the scalar one is used.
 *
 * Fused Jacobian pass ({@link WasmModelKernel.foldRows}): on its own backend the kernel writes
 * each sub-block column-major — the layout the QR fold works on — with the fold's first dot
 * products and Σ r² summed on the way, and folds it there, so a Jacobian pass neither builds a
 * row-major block nor transposes one, nor sweeps the block for those sums.
 *
 * Accuracy: the same operations in the same order as the JS kernel; math functions come from
 * AssemblyScript's musl-derived `Math` instead of V8's (in the f64x2 module `exp` is an inline
 * vectorised table-driven exp, `wasm-simd-exp.ts`, within 1 ulp of V8's `Math.exp`), so rows agree with the JS kernel to
 * ~1e-15 relative per function value (tests check 1e-13). Resident and copied data give
 * bit-identical results (the same code reads the same values).
 *
 * @module
 */

import type { Backend } from '../backend.ts';
import { BackendUnavailableError, NlsqRangeError } from '../../errors.ts';
import type { Program } from '../../model/ir.ts';
import type { DataColumns, ModelKernel } from '../../model/model-kernel.ts';
import { descriptorLayout } from './codegen-wasm.ts';
import { expTableOffset } from './codegen-wasm-simd.ts';
import { EXP_TABLE_BYTES, writeExpTable } from './wasm-simd-exp.ts';
import { type CompiledWasmModel, compileWasmModel } from './wasm-model-module.ts';
import type { Allocation, WasmHeap } from './wasm-memory.ts';
import { WasmBackend } from './wasm-backend.ts';
import type { KernelExports } from './wasm-module.ts';

/** Points per chunk copied into wasm memory per module call (copy path and foreign outputs). */
export const WASM_MODEL_CHUNK = 2048;
/** The three functions of a generated model module (`codegen-wasm.ts`), bound to a backend's memory. */
export interface ModelExports {
  rows(desc: number, n: number, out: number, hasW: number): void;
  resid(desc: number, n: number, out: number, strideBytes: number, hasW: number): void;
  cols(desc: number, n: number, out: number, colStrideBytes: number, hasW: number, acc: number): void;
}

/** Options of {@link createWasmModelKernel}. */
export interface WasmModelKernelOptions {
  /**
   * `true`: the f64x2 module (two points per iteration; only on a `'wasm-simd'` backend, null
   * otherwise); `false`: the scalar module; omitted: f64x2 on `'wasm-simd'`, else scalar.
   */
  readonly simd?: boolean;
  /**
   * The fit's data, to copy into wasm memory once (see the module comment): calls with these
   * arrays then read them in place. Costs (k + 1 + [w]) · n · 8 bytes of wasm memory while the
   * kernel lives; omitted (or when the heap cannot hold it): every call copies its window.
   */
  readonly resident?: DataColumns;
}

/** Where the kernel's columns live: byte offsets of x_0 … x_{k−1}, y, w (w: 0 when absent). */
interface ColumnSet {
  readonly bases: readonly number[];
}

/** The resident copy of a fit's data. */
interface Resident extends ColumnSet {
  readonly source: DataColumns;
  readonly n: number;
  readonly allocation: Allocation;
}

/** An expression model's kernel running in a wasm backend's memory (see the module comment). */
export class WasmModelKernel implements ModelKernel {
  /** Number of parameters p. */
  readonly nParams: number;
  /** Number of variables k. */
  readonly nVariables: number;
  /** Always true: derivatives are exact (symbolic). */
  readonly analyticJacobian = true;
  private readonly heap: WasmHeap;
  private readonly memory: WebAssembly.Memory;
  private readonly fns: ModelExports;
  /** Byte offset of the call descriptor, and of its column offsets. */
  private readonly desc: number;
  private readonly descColumns: number;
  private readonly chunk: ColumnSet;
  /** Byte offset of the output area ((p+1)·CHUNK doubles; the fused pass's column-major sub-block). */
  private readonly outPtr: number;
  /** The backend kernels the fused pass calls directly (no per-sub-block host wrapper). */
  private readonly folds: FoldExports;
  /** Byte offsets of the fused pass's triangle ((p+1)² doubles) and fold scratch. */
  private readonly foldT: number;
  private readonly foldWork: number;
  private scratch: Allocation | null;
  private resident: Resident | null = null;
  private u32View: Uint32Array;

  /** @internal use {@link createWasmModelKernel}. */
  constructor(program: Program, heap: WasmHeap, scratch: Allocation, fns: ModelExports, folds: FoldExports) {
    const p = program.params.length;
    const k = program.variables.length;
    const C = WASM_MODEL_CHUNK;
    this.nParams = p;
    this.nVariables = k;
    this.heap = heap;
    this.memory = heap.memory;
    this.scratch = scratch;
    this.fns = fns;
    this.desc = scratch.ptr;
    this.descColumns = scratch.ptr + descriptorLayout(program).columns;
    const table = scratch.ptr + expTableOffset(program); // the f64x2 modules' exp table
    writeExpTable(heap.memory, table);
    const cols = table + EXP_TABLE_BYTES;
    this.chunk = { bases: Array.from({ length: k + 2 }, (_, c) => cols + c * C * 8) };
    this.outPtr = cols + (k + 2) * C * 8;
    this.folds = folds;
    this.foldT = this.outPtr + (p + 1) * C * 8;
    this.foldWork = this.foldT + align16((p + 1) * (p + 1) * 8);
    this.u32View = new Uint32Array(heap.memory.buffer);
  }

  /** Bytes of wasm memory the resident data holds (0 when every call copies its window). */
  get residentBytes(): number {
    return this.resident === null ? 0 : this.resident.allocation.bytes;
  }

  /**
   * Copy `data` into wasm memory (once; see the module comment). Silently keeps the copy path
   * when the heap cannot grow that far.
   * @internal called by {@link createWasmModelKernel}.
   */
  makeResident(data: DataColumns): void {
    const n = data.y.length;
    const k = this.nVariables;
    const nCols = k + 1 + (data.w === null ? 0 : 1);
    if (n === 0 || this.scratch === null || this.resident !== null) return;
    let allocation: Allocation;
    try {
      allocation = this.heap.allocate(nCols * n * 8, 'createWasmModelKernel');
    } catch (e) {
      if (e instanceof NlsqRangeError) return;
      throw e;
    }
    const bases = Array.from({ length: k + 2 }, (_, c) => (c < nCols ? allocation.ptr + c * n * 8 : 0));
    const mem = this.heap.f64();
    const src = [...data.x, data.y, ...(data.w === null ? [] : [data.w])];
    src.forEach((col, c) => mem.set(col.subarray(0, n), bases[c]! / 8));
    this.resident = { source: { x: [...data.x], y: data.y, w: data.w }, n, allocation, bases };
  }

  /**
   * Reserve the resident block for `n` rows — columns x_0 … x_{k−1}, y and, with `weighted`, w —
   * to be filled by {@link loadResident} in row ranges as they arrive (a worker receiving its
   * share of a fit in chunks); returns the stand-in columns to pass as `data` to every call,
   * which then reads the block in place (empty arrays: only their identity matters, the values
   * are in wasm memory — {@link residentColumn} gives views on them).
   *
   * @param n - rows. @param weighted - whether a w column follows y.
   * @returns the stand-in data.
   * @throws NlsqRangeError when the heap cannot hold the block; BackendUnavailableError after dispose.
   * @internal for `parallel/fold-share.ts`.
   */
  reserveResident(n: number, weighted: boolean): DataColumns {
    if (this.scratch === null) throw new BackendUnavailableError('wasm model kernel: used after dispose()');
    if (this.resident !== null) throw new NlsqRangeError('WasmModelKernel.reserveResident: the kernel already has resident data', 'resident');
    const k = this.nVariables;
    const nCols = k + 1 + (weighted ? 1 : 0);
    const allocation = this.heap.allocate(Math.max(1, nCols * n) * 8, 'createWasmModelKernel');
    const bases = Array.from({ length: k + 2 }, (_, c) => (c < nCols ? allocation.ptr + c * n * 8 : 0));
    const source: DataColumns = { x: Array.from({ length: k }, () => new Float64Array(0)), y: new Float64Array(0), w: weighted ? new Float64Array(0) : null };
    this.resident = { source, n, allocation, bases };
    return source;
  }

  /**
   * Copy rows offset … offset+count−1 of every resident column from `chunk`, which holds them
   * column after column (x_0's `count` values, then x_1's, …, y's, w's) — a `TypedArray.set`
   * (memcpy) per column.
   *
   * @param offset - first row. @param count - rows. @param chunk - (k + 1 + [w]) · count values.
   * @throws NlsqRangeError when no block is reserved or the rows do not fit in it.
   * @internal for `parallel/fold-share.ts`.
   */
  loadResident(offset: number, count: number, chunk: Float64Array): void {
    const r = this.resident;
    const nCols = this.nVariables + 1 + (r?.source.w === null ? 0 : 1);
    if (r === null || offset < 0 || count < 0 || offset + count > r.n || chunk.length < nCols * count) {
      throw new NlsqRangeError(`WasmModelKernel.loadResident: rows ${offset} … ${offset + count - 1} do not fit the reserved block of ${r?.n ?? 0} rows (chunk of ${chunk.length} values)`, 'offset');
    }
    const mem = this.heap.f64();
    for (let c = 0; c < nCols; c++) mem.set(chunk.subarray(c * count, (c + 1) * count), r.bases[c]! / 8 + offset);
  }

  /**
   * A view on resident column c (x_0 … x_{k−1}, then y, then w) over the current memory: valid
   * until the memory next grows (take a fresh one for each use).
   *
   * @param c - the column. @returns the view, or null when there is no such resident column.
   * @internal for `parallel/fold-share.ts`.
   */
  residentColumn(c: number): Float64Array | null {
    const r = this.resident;
    if (r === null || c < 0 || c >= r.bases.length || r.bases[c] === 0) return null;
    return new Float64Array(this.memory.buffer, r.bases[c]!, r.n);
  }

  private u32(): Uint32Array {
    if (this.u32View.buffer !== this.memory.buffer) this.u32View = new Uint32Array(this.memory.buffer);
    return this.u32View;
  }

  /** Write θ into the descriptor; returns the current f64 view. */
  private begin(theta: Float64Array): Float64Array {
    if (this.scratch === null) throw new BackendUnavailableError('wasm model kernel: used after dispose()');
    const mem = this.heap.f64();
    mem.set(theta.subarray(0, this.nParams), this.desc / 8);
    return mem;
  }

  /** The resident copy when `data` holds its arrays and [start, start + n) lies inside it. */
  private residentFor(data: DataColumns, start: number, n: number): Resident | null {
    const r = this.resident;
    if (r === null || data.y !== r.source.y || (data.w !== null && data.w !== r.source.w) || start < 0 || start + n > r.n) return null;
    for (let v = 0; v < this.nVariables; v++) if (data.x[v] !== r.source.x[v]) return null;
    return r;
  }

  /** Point the descriptor at points [from, from + m): resident columns in place, or copied into the chunk scratch. */
  private window(mem: Float64Array, data: DataColumns, resident: Resident | null, from: number, m: number): void {
    const u32 = this.u32();
    const d = this.descColumns / 4;
    const k = this.nVariables;
    if (resident !== null) {
      const bases = resident.bases;
      for (let c = 0; c < k + 2; c++) u32[d + c] = bases[c] === 0 ? 0 : bases[c]! + from * 8;
      return;
    }
    const bases = this.chunk.bases;
    for (let v = 0; v < k; v++) mem.set(data.x[v]!.subarray(from, from + m), bases[v]! / 8);
    mem.set(data.y.subarray(from, from + m), bases[k]! / 8);
    if (data.w !== null) mem.set(data.w.subarray(from, from + m), bases[k + 1]! / 8);
    for (let c = 0; c < k + 2; c++) u32[d + c] = bases[c]!;
  }

  /**
   * Run `visit` on the windows of points start … start+n−1 after pointing the descriptor at each
   * (`c`: offset of the window in the call, `m`: its length, `mem`: the current f64 view): one
   * window when the data are resident and `out` is in wasm memory, else chunks of
   * {@link WASM_MODEL_CHUNK} copied through the scratch.
   */
  private eachWindow(theta: Float64Array, data: DataColumns, start: number, n: number, direct: boolean, visit: (mem: Float64Array, c: number, m: number) => void): void {
    const mem = this.begin(theta);
    const resident = this.residentFor(data, start, n);
    const step = direct && resident !== null ? Math.max(n, 1) : WASM_MODEL_CHUNK;
    for (let c = 0; c < n; c += step) {
      const m = Math.min(step, n - c);
      this.window(mem, data, resident, start + c, m);
      visit(mem, c, m);
    }
  }

  /** See {@link ModelKernel.residualRows}. */
  residualRows(theta: Float64Array, data: DataColumns, start: number, n: number, out: Float64Array, outOffset: number): void {
    const cols = this.nParams + 1;
    const hasW = data.w === null ? 0 : 1;
    const direct = out.buffer === this.memory.buffer;
    const base = out.byteOffset + outOffset * 8;
    this.eachWindow(theta, data, start, n, direct, (mem, c, m) => {
      if (direct) {
        this.fns.rows(this.desc, m, base + c * cols * 8, hasW);
      } else {
        this.fns.rows(this.desc, m, this.outPtr, hasW);
        out.set(mem.subarray(this.outPtr / 8, this.outPtr / 8 + m * cols), outOffset + c * cols);
      }
    });
  }

  /** See {@link ModelKernel.residuals}. */
  residuals(theta: Float64Array, data: DataColumns, start: number, n: number, out: Float64Array, outOffset: number, outStride: number): void {
    const hasW = data.w === null ? 0 : 1;
    const direct = out.buffer === this.memory.buffer;
    const base = out.byteOffset + outOffset * 8;
    this.eachWindow(theta, data, start, n, direct, (mem, c, m) => {
      if (direct) {
        this.fns.resid(this.desc, m, base + c * outStride * 8, outStride * 8, hasW);
        return;
      }
      this.fns.resid(this.desc, m, this.outPtr, 8, hasW);
      const src = this.outPtr / 8;
      if (outStride === 1) out.set(mem.subarray(src, src + m), outOffset + c);
      else for (let i = 0; i < m; i++) out[outOffset + (c + i) * outStride] = mem[src + i]!;
    });
  }

  /**
   * See {@link ModelKernel.foldRows}: on the wasm backend whose memory this kernel lives in (bound
   * at creation), the
   * module's `cols` export writes each sub-block of at most `subRows(p + 1)` points column-major
   * into the output area — the layout the fold works on, padded to an even height with a zero
   * row — together with the sub-block's Σ r² and the first column's dot products Σ X_0·X_j,
   * summed while each value is in a register; the residuals are copied into `residuals` when
   * given, and the backend's `foldColumnMajorDots` folds the sub-block, with no transpose and
   * without re-sweeping it for those dot products, into a copy of `T` kept in wasm memory for
   * the whole call (the kernels are called directly: no host wrapper per sub-block). Bitwise the
   * same rows as {@link residualRows}; the triangle agrees with `residualRows` +
   * `backend.foldRows` to rounding (the same reflections on sub-blocks of the same height, in
   * the same order; the dot products may be summed in another order).
   */
  foldRows(theta: Float64Array, data: DataColumns, start: number, n: number, T: Float64Array, residuals?: Float64Array): number | null {
    const c = this.nParams + 1;
    if (T.length < c * c) throw new NlsqRangeError(`WasmModelKernel.foldRows: T must have length ${c * c} ((p+1)²), got ${T.length}`, 'T', 'ERR_SHAPE');
    // Nothing below allocates in wasm memory, so one view serves the whole call.
    const mem = this.begin(theta);
    const hasW = data.w === null ? 0 : 1;
    const resident = this.residentFor(data, start, n);
    const sub = Math.min(this.folds.subRows(c), WASM_MODEL_CHUNK);
    const X = this.outPtr;
    const t = this.foldT / 8;
    const dots = this.foldWork + this.folds.foldDotsOffset(c); // cols writes Σ X_0·X_j (j < c), then Σ r², here
    mem.set(T.subarray(0, c * c), t);
    let ssq = 0;
    for (let s = 0; s < n; s += sub) {
      const m = Math.min(sub, n - s);
      const ms = (m + 1) & ~1;
      this.window(mem, data, resident, start + s, m);
      this.fns.cols(this.desc, m, X, ms * 8, hasW, dots);
      if (m < ms) for (let k = 0; k < c; k++) mem[X / 8 + k * ms + m] = 0;
      ssq += mem[dots / 8 + c]!;
      if (residuals !== undefined) {
        const r = X / 8 + (c - 1) * ms;
        residuals.set(mem.subarray(r, r + m), start + s);
      }
      this.folds.foldColumnMajorDots(this.foldT, X, ms, c, this.foldWork);
    }
    T.set(mem.subarray(t, t + c * c));
    return ssq;
  }

  /** Return the scratch and the resident data to the backend's heap; the kernel is unusable afterwards. Idempotent. */
  dispose(): void {
    if (this.scratch === null) return;
    if (this.resident !== null) this.heap.release(this.resident.allocation);
    this.resident = null;
    this.heap.release(this.scratch);
    this.scratch = null;
  }
}

/**
 * The generated functions of an expression model, instantiated against `backend`'s memory and
 * math exports (the instance its kernels share): for code that calls them from inside
 * WebAssembly — the batch engine puts `cols` in the kernel module's table (`assembly/lm-batch.ts`).
 * The f64x2 form on `'wasm-simd'` (the scalar one if the engine rejects it), the scalar form on
 * `'wasm-scalar'`.
 *
 * @param program - f and its gradient (a trusted program: `trustedProgram`).
 * @param backend - a wasm backend.
 * @returns the functions, or null when they cannot be built here (not a wasm backend, an IR this
 *   target does not support).
 */
export function wasmModelFunctions(program: Program, backend: Backend): ModelExports | null {
  if (!(backend instanceof WasmBackend)) return null;
  const { exports } = backend.modelHost();
  if (backend.info.name === 'wasm-simd') {
    try {
      return instantiateModel(compileWasmModel(program, true), exports);
    } catch {
      /* the scalar form below */
    }
  }
  try {
    return instantiateModel(compileWasmModel(program, false), exports);
  } catch {
    return null;
  }
}

/** Throws unless `data` has k columns and y, w (when present) as long as the columns need. */
function checkResident(data: DataColumns, k: number): void {
  const n = data.y.length;
  if (data.x.length !== k) {
    throw new NlsqRangeError(`createWasmModelKernel: resident.x must have ${k} column(s) (one per model variable), got ${data.x.length}`, 'resident', 'ERR_SHAPE');
  }
  const short = data.x.findIndex((c) => c.length < n);
  if (short >= 0) {
    throw new NlsqRangeError(`createWasmModelKernel: resident.x[${short}] must have at least ${n} values (the length of resident.y), got ${data.x[short]!.length}`, 'resident', 'ERR_SHAPE');
  }
  if (data.w !== null && data.w.length < n) {
    throw new NlsqRangeError(`createWasmModelKernel: resident.w must have at least ${n} values (the length of resident.y), got ${data.w.length}`, 'resident', 'ERR_SHAPE');
  }
}

/**
 * Build an expression model's wasm kernel running in `backend`'s memory: the program's module
 * from the compile cache ({@link compileWasmModel}), a fresh instance, a scratch region, and with
 * `options.resident` the fit's data copied into wasm memory once.
 *
 * @param program - f and its gradient (`model(expr).program`, from `lowerToProgram`).
 * @param backend - a wasm backend (from `createWasmBackend`).
 * @param options - `simd` picks the module form, `resident` the data to keep in wasm memory
 *   (see {@link WasmModelKernelOptions}).
 * @returns the kernel, or null when it cannot be built here (not a wasm backend, a kernel build
 *   without the math exports, an IR this target does not support, the engine refusing a
 *   synchronous compile, or `simd: true` on a backend without SIMD) — use the JS kernel
 *   (`model.createKernel()`) then.
 * @throws NlsqRangeError when `resident` does not have one column per model variable, or a
 *   column (or w) is shorter than y.
 * @example
 * ```ts
 * const wasm = await createWasmBackend();
 * const m = model('a*exp(-b*x)+c');
 * const data = { x: [x], y, w: null };
 * const kernel = createWasmModelKernel(m.program, wasm, { resident: data }) ?? m.createKernel();
 * kernel.residualRows?.(theta, data, 0, n, rows, 0); // reads the resident columns in place
 * ```
 */
export function createWasmModelKernel(program: Program, backend: Backend, options: WasmModelKernelOptions = {}): WasmModelKernel | null {
  if (!(backend instanceof WasmBackend)) return null;
  const simd = backend.info.name === 'wasm-simd';
  if (options.simd === true && !simd) return null;
  if (options.resident !== undefined) checkResident(options.resident, program.variables.length);
  const { exports, heap } = backend.modelHost();
  let scratch: Allocation | null = null;
  try {
    let fns: ModelExports | null = null;
    if (simd && options.simd !== false) {
      try {
        fns = instantiateModel(compileWasmModel(program, true), exports);
      } catch (e) {
        if (options.simd === true) throw e;
      }
    }
    fns ??= instantiateModel(compileWasmModel(program, false), exports);
    const C = WASM_MODEL_CHUNK;
    const c = program.params.length + 1;
    const cols = program.variables.length + 2 + c;
    const foldBytes = align16(c * c * 8) + 16 * ((c + 2) & ~1);
    scratch = heap.allocate(expTableOffset(program) + EXP_TABLE_BYTES + cols * C * 8 + foldBytes, 'createWasmModelKernel');
    const kernel = new WasmModelKernel(program, heap, scratch, fns, foldExports(exports));
    if (options.resident !== undefined) kernel.makeResident(options.resident);
    return kernel;
  } catch {
    if (scratch !== null) heap.release(scratch);
    return null;
  }
}

/** The backend kernels the fused pass calls (see `assembly/fold.ts`, `assembly/reduce.ts`). */
type FoldExports = Pick<KernelExports, 'subRows' | 'foldDotsOffset' | 'foldColumnMajorDots'>;

function foldExports(exports: Readonly<Record<string, unknown>>): FoldExports {
  for (const name of ['subRows', 'foldDotsOffset', 'foldColumnMajorDots']) {
    if (typeof exports[name] !== 'function') throw new BackendUnavailableError(`createWasmModelKernel: the kernel instance lacks its export ${name}`);
  }
  return exports as unknown as FoldExports;
}

/**
 * Instances of compiled model modules per backend kernel instance (its exports object): an
 * instance holds no state of its own — it reads and writes only the imported memory, at the
 * addresses each call passes — so every kernel of the same model on the same backend can share
 * one, and a small fit does not pay `new WebAssembly.Instance` each time. Weakly held: dropped
 * with the backend (or the compiled module).
 */
const instances = new WeakMap<Readonly<Record<string, unknown>>, WeakMap<CompiledWasmModel, ModelExports>>();

/** {@link instantiateNew}, reusing the instance already made for this module and backend. */
function instantiateModel(compiled: CompiledWasmModel, exports: Readonly<Record<string, unknown>>): ModelExports {
  let byModule = instances.get(exports);
  if (byModule === undefined) {
    byModule = new WeakMap();
    instances.set(exports, byModule);
  }
  let fns = byModule.get(compiled);
  if (fns === undefined) {
    fns = instantiateNew(compiled, exports);
    byModule.set(compiled, fns);
  }
  return fns;
}

/** Instantiate a compiled module against the kernel instance's memory and math exports. */
function instantiateNew(compiled: CompiledWasmModel, exports: Readonly<Record<string, unknown>>): ModelExports {
  const m: Record<string, unknown> = {};
  for (const [name, exportName] of compiled.imports) {
    const f = exports[exportName];
    if (typeof f !== 'function') throw new BackendUnavailableError(`createWasmModelKernel: the kernel instance lacks its export ${exportName}`);
    m[name] = f;
  }
  const instance = new WebAssembly.Instance(compiled.module, { env: { memory: exports['memory'] as WebAssembly.Memory }, m } as WebAssembly.Imports);
  return instance.exports as unknown as ModelExports;
}

function align16(n: number): number {
  return Math.ceil(n / 16) * 16;
}
