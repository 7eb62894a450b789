/**
 * A {@link ModelKernel} that runs an expression model's fused kernel inside WebAssembly, in the
 * memory of a wasm backend: no JS call per point.
 *
 * At creation it allocates a fixed scratch region in the backend's heap (θ, the variable columns,
 * y and w for {@link WASM_MODEL_CHUNK} points, and an output area) and compiles a module
 * (`model-wasm-codegen.ts`) whose code reads from those fixed offsets. Each call copies θ and
 * the data window into the scratch chunk by chunk (`TypedArray.set`, a memcpy) and runs the
 * module's loop. When `out` is a view on the backend's memory (a workspace's `data()`), rows are
 * written straight into it; otherwise into the scratch output area and copied out.
 *
 * Calls never allocate in wasm memory, so a caller's views stay attached during a call. The
 * kernel re-reads the memory view on every call, so it keeps working after memory grew between
 * calls. {@link WasmModelKernel.dispose} returns the scratch to the heap.
 *
 * On the `'wasm-simd'` backend the module evaluates two points per loop iteration in f64x2
 * (`model-wasm-simd-codegen.ts`, with a vectorised `exp`); on `'wasm-scalar'` one point per
 * iteration (`model-wasm-codegen.ts`). If the engine rejects the f64x2 module, the scalar one is
 * used.
 *
 * Accuracy: the same operations in the same order as the JS kernel; math functions come from
 * AssemblyScript's musl-derived `Math` instead of V8's (in the f64x2 module `exp` is an inline
 * vectorised fdlibm exp, within 1 ulp of V8's `Math.exp`), so rows agree with the JS kernel to ~1e-15 relative per function
 * value (tests check 1e-13).
 *
 * @module
 */

import type { Backend } from '../backend.ts';
import type { Program } from '../../model/ir.ts';
import type { DataColumns, ModelKernel } from '../../model/model-kernel.ts';
import { type GeneratedWasmModel, generateWasmModel, type WasmModelLayout } from './model-wasm-codegen.ts';
import { generateWasmModelSimd } from './model-wasm-simd-codegen.ts';
import type { Allocation, WasmHeap } from './wasm-memory.ts';
import { WasmBackend } from './wasm-backend.ts';

/** Points per chunk copied into wasm memory per module call. */
export const WASM_MODEL_CHUNK = 2048;

interface ModelExports {
  rows(n: number, out: number, hasW: number): void;
  resid(n: number, out: number, strideBytes: number, hasW: number): void;
}

/** Options of {@link createWasmModelKernel}. */
export interface WasmModelKernelOptions {
  /**
   * `true`: the f64x2 module (two points per iteration; only on a `'wasm-simd'` backend, null
   * otherwise); `false`: the scalar module; omitted: f64x2 on `'wasm-simd'`, else scalar.
   */
  readonly simd?: boolean;
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
  private readonly layout: WasmModelLayout;
  /** Byte offset of the output area ((p+1)·CHUNK doubles). */
  private readonly outPtr: number;
  private scratch: Allocation | null;

  /** @internal use {@link createWasmModelKernel}. */
  constructor(program: Program, heap: WasmHeap, scratch: Allocation, layout: WasmModelLayout, outPtr: number, fns: ModelExports) {
    this.nParams = program.params.length;
    this.nVariables = program.variables.length;
    this.heap = heap;
    this.memory = heap.memory;
    this.scratch = scratch;
    this.layout = layout;
    this.outPtr = outPtr;
    this.fns = fns;
  }

  /** Copy θ and the window [start + c, start + c + m) of the data into scratch; returns hasW. */
  private load(mem: Float64Array, data: DataColumns, from: number, m: number): number {
    const L = this.layout;
    for (let v = 0; v < this.nVariables; v++) mem.set(data.x[v]!.subarray(from, from + m), L.x[v]! / 8);
    mem.set(data.y.subarray(from, from + m), L.y / 8);
    if (data.w === null) return 0;
    mem.set(data.w.subarray(from, from + m), L.w / 8);
    return 1;
  }

  private begin(theta: Float64Array): Float64Array {
    if (this.scratch === null) throw new RangeError('wasm model kernel: used after dispose()');
    const mem = this.heap.f64();
    mem.set(theta.subarray(0, this.nParams), this.layout.theta / 8);
    return mem;
  }

  /** See {@link ModelKernel.residualRows}. */
  residualRows(theta: Float64Array, data: DataColumns, start: number, n: number, out: Float64Array, outOffset: number): void {
    const mem = this.begin(theta);
    const cols = this.nParams + 1;
    const direct = out.buffer === this.memory.buffer;
    const base = out.byteOffset + outOffset * 8;
    for (let c = 0; c < n; c += WASM_MODEL_CHUNK) {
      const m = Math.min(WASM_MODEL_CHUNK, n - c);
      const hasW = this.load(mem, data, start + c, m);
      if (direct) {
        this.fns.rows(m, base + c * cols * 8, hasW);
      } else {
        this.fns.rows(m, this.outPtr, hasW);
        out.set(mem.subarray(this.outPtr / 8, this.outPtr / 8 + m * cols), outOffset + c * cols);
      }
    }
  }

  /** See {@link ModelKernel.residuals}. */
  residuals(theta: Float64Array, data: DataColumns, start: number, n: number, out: Float64Array, outOffset: number, outStride: number): void {
    const mem = this.begin(theta);
    const direct = out.buffer === this.memory.buffer;
    const base = out.byteOffset + outOffset * 8;
    for (let c = 0; c < n; c += WASM_MODEL_CHUNK) {
      const m = Math.min(WASM_MODEL_CHUNK, n - c);
      const hasW = this.load(mem, data, start + c, m);
      if (direct) {
        this.fns.resid(m, base + c * outStride * 8, outStride * 8, hasW);
      } else {
        this.fns.resid(m, this.outPtr, 8, hasW);
        const src = this.outPtr / 8;
        if (outStride === 1) out.set(mem.subarray(src, src + m), outOffset + c);
        else for (let i = 0; i < m; i++) out[outOffset + (c + i) * outStride] = mem[src + i]!;
      }
    }
  }

  /** Return the scratch to the backend's heap; the kernel is unusable afterwards. Idempotent. */
  dispose(): void {
    if (this.scratch === null) return;
    this.heap.release(this.scratch);
    this.scratch = null;
  }
}

/**
 * Compile an expression model's program into a wasm kernel running in `backend`'s memory.
 *
 * @param program - f and its gradient (`model(expr).program`, from `lowerToProgram`).
 * @param backend - a wasm backend (from `createWasmBackend`).
 * @param options - `simd` picks the module form (see {@link WasmModelKernelOptions}).
 * @returns the kernel, or null when it cannot be built here (not a wasm backend, a kernel build
 *   without the math exports, an IR this target does not support, the engine refusing a
 *   synchronous compile, or `simd: true` on a backend without SIMD) — use the JS kernel
 *   (`model.createKernel()`) then.
 * @example
 * ```ts
 * const wasm = await createWasmBackend();
 * const m = model('a*exp(-b*x)+c');
 * const kernel = createWasmModelKernel(m.program, wasm) ?? m.createKernel();
 * ```
 */
export function createWasmModelKernel(program: Program, backend: Backend, options: WasmModelKernelOptions = {}): WasmModelKernel | null {
  if (!(backend instanceof WasmBackend)) return null;
  const simd = backend.info.name === 'wasm-simd';
  if (options.simd === true && !simd) return null;
  const { exports, heap } = backend.modelHost();
  const p = program.params.length;
  const k = program.variables.length;
  const C = WASM_MODEL_CHUNK;
  const doubles = p + (k + 2) * C + (p + 1) * C;
  let scratch: Allocation | null = null;
  try {
    scratch = heap.allocate(doubles * 8, 'createWasmModelKernel');
    const s = scratch.ptr;
    const layout: WasmModelLayout = {
      theta: s,
      x: Array.from({ length: k }, (_, v) => s + (p + v * C) * 8),
      y: s + (p + k * C) * 8,
      w: s + (p + (k + 1) * C) * 8,
    };
    const outPtr = s + (p + (k + 2) * C) * 8;
    let fns: ModelExports | null = null;
    if (simd && options.simd !== false) {
      try {
        fns = instantiateModel(generateWasmModelSimd(program, layout), exports);
      } catch (e) {
        if (options.simd === true) throw e;
      }
    }
    fns ??= instantiateModel(generateWasmModel(program, layout), exports);
    return new WasmModelKernel(program, heap, scratch, layout, outPtr, fns);
  } catch {
    if (scratch !== null) heap.release(scratch);
    return null;
  }
}

/** Compile and instantiate a generated module against the kernel instance's memory and math exports. */
function instantiateModel(gen: GeneratedWasmModel, exports: Readonly<Record<string, unknown>>): ModelExports {
  const m: Record<string, unknown> = {};
  for (const [name, exportName] of gen.imports) {
    const f = exports[exportName];
    if (typeof f !== 'function') throw new Error(`kernel instance lacks ${exportName}`);
    m[name] = f;
  }
  const module = new WebAssembly.Module(gen.bytes);
  const instance = new WebAssembly.Instance(module, { env: { memory: exports['memory'] as WebAssembly.Memory }, m } as WebAssembly.Imports);
  return instance.exports as unknown as ModelExports;
}
