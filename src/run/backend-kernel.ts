/**
 * Compile a fit's model for the backend that runs it: an expression model (one the library built,
 * see `model/trusted-program.ts`) on a WASM backend gets
 * a kernel generated from its IR into WebAssembly (`backends/wasm/codegen-wasm.ts`), so
 * the whole evaluation runs inside WASM with no JS call per point. Other models and backends keep
 * the kernel resolved with the options (JS code generated from the same IR, or the closure).
 *
 * The WASM kernel keeps the fit's data resident in wasm memory by default (copied once, read in
 * place by every pass: (k + 1 + [w]) · n · 8 bytes of wasm memory for the fit's duration);
 * `resident: false` — the chunked and streaming strategies, which must stay O(chunk) in memory —
 * copies each window instead.
 *
 * The WASM code generator is imported lazily: a fit that never uses the wasm backend never loads it.
 *
 * @module
 */
import type { Backend } from '../backends/backend.ts';
import type { ModelSize } from '../backends/registry.ts';
import type { Program } from '../model/ir.ts';
import type { KernelBlock, ModelKernel } from '../model/model-kernel.ts';
import { trustedProgram } from '../model/trusted-program.ts';
import type { ResolvedCurveFit } from '../options/resolve-curve-fit.ts';
import { wasmModelKernelModule } from '../backends/backend-factories.ts';

/** A resolved fit whose kernel suits its backend, and how to release that kernel. */
export interface BackendKernel {
  /** The fit with the backend's kernel (the same object when nothing was swapped). */
  readonly resolved: ResolvedCurveFit;
  /** Which kernel runs: `'wasm'` (generated WebAssembly) or `'js'`. */
  readonly kind: 'wasm' | 'js';
  /** Why the fit keeps its own kernel on a WASM backend, when that is not the usual reason. */
  readonly note?: string;
  /** Release the backend memory the kernel holds. */
  dispose(): void;
}

/** Options of {@link kernelForBackend}. */
export interface BackendKernelOptions {
  /**
   * Copy the fit's data (`resolved.data`) into wasm memory once so that every pass reads it in
   * place (default `true`: the standard strategy); `false` copies each window per call, keeping
   * memory O(chunk) (chunked and streaming strategies). Ignored when no WASM kernel is built.
   */
  readonly resident?: boolean;
}

/** Why a WASM kernel may or may not replace the fit's kernel on this backend. */
type Candidate = { readonly program: Program } | { readonly program?: undefined; readonly note?: string };

/**
 * The model's IR when a WASM kernel may replace the fit's kernel on this backend: only the IR of
 * a model the library built (`trustedProgram`); any other `FittableModel` runs its own kernel,
 * whatever `program` it carries (issue 21, defect 6), and the note says so.
 */
function wasmCandidate(resolved: ResolvedCurveFit, backend: Backend): Candidate {
  if (backend.info.family !== 'wasm' || resolved.settings.scheme.kind !== 'analytic' || typeof resolved.model === 'function') return {};
  const program = trustedProgram(resolved.model);
  if (program !== undefined) return { program };
  return {
    note:
      `the model is not one nlsq built (model(), Model.fromJSON or the model library), so its own createKernel runs on ${backend.info.name}` +
      `${(resolved.model as { readonly program?: unknown }).program === undefined ? '' : ' (its program is not compiled)'}`,
  };
}

function withWasmKernel(module: WasmModelKernelModule, program: Program, resolved: ResolvedCurveFit, backend: Backend, options: BackendKernelOptions): BackendKernel {
  const blocks = resolved.kernel.blocks;
  if (blocks !== undefined) return withWasmBlocks(module, blocks, resolved, backend, options);
  const kernel = module.createWasmModelKernel(program, backend, options.resident === false ? {} : { resident: resolved.data });
  if (kernel === null) return unchanged(resolved);
  return { resolved: { ...resolved, kernel }, kind: 'wasm', dispose: () => kernel.dispose() };
}

/**
 * A stacked model's kernel (`ModelKernel.blocks`, a global fit's) on a WASM backend: each block's
 * own model compiled to WebAssembly, resident on its own columns (`{ x: its variables, y, w }`,
 * the arrays the data walk's block views hold); the full kernel stays the JS one (it only computes
 * `fun` at the end and any row that is not one-hot).
 */
function withWasmBlocks(module: WasmModelKernelModule, blocks: readonly KernelBlock[], resolved: ResolvedCurveFit, backend: Backend, options: BackendKernelOptions): BackendKernel {
  const built: { dispose(): void }[] = [];
  const wasmBlocks = blocks.map((b): KernelBlock => {
    const program = trustedProgram(b.model);
    const data = resolved.data;
    const view = { x: b.variables.map((v) => data.x[v]!), y: data.y, w: data.w };
    const kernel = program === undefined ? null : module.createWasmModelKernel(program, backend, options.resident === false ? {} : { resident: view });
    if (kernel === null) return b;
    built.push(kernel);
    return { ...b, kernel };
  });
  if (built.length === 0) return unchanged(resolved);
  const full = resolved.kernel;
  const kernel: ModelKernel = {
    nParams: full.nParams,
    nVariables: full.nVariables,
    analyticJacobian: full.analyticJacobian,
    residuals: (theta, data, start, n, out, outOffset, outStride) => full.residuals(theta, data, start, n, out, outOffset, outStride),
    ...(full.residualRows === undefined ? {} : { residualRows: (theta, data, start, n, out, outOffset) => full.residualRows!(theta, data, start, n, out, outOffset) }),
    blocks: wasmBlocks,
  };
  return { resolved: { ...resolved, kernel }, kind: 'wasm', dispose: () => built.forEach((k) => k.dispose()) };
}

function unchanged(resolved: ResolvedCurveFit, note?: string): BackendKernel {
  return note === undefined ? { resolved, kind: 'js', dispose() {} } : { resolved, kind: 'js', note, dispose() {} };
}

/**
 * The backend choice with the kernel's note, if any, added to its reason (so the result's
 * `choices.backend.reason` says which kernel ran and why).
 *
 * @param backend - the resolved backend.
 * @param kernel - from {@link kernelForBackend} / {@link kernelForBackendSync}.
 * @returns `backend`, or a copy whose reason ends with the note.
 */
export function withKernelNote<B extends { readonly reason: string }>(backend: B, kernel: BackendKernel): B {
  return kernel.note === undefined ? backend : { ...backend, reason: `${backend.reason}; ${kernel.note}` };
}

type WasmModelKernelModule = Awaited<ReturnType<typeof wasmModelKernelModule>>;

/**
 * Swap in a WASM kernel when the backend is a WASM backend and the model is one the library built
 * (`trustedProgram`: an expression model or a library model); otherwise return the fit
 * unchanged — a `FittableModel` the library did not build runs its own `createKernel` (with a
 * `note` saying so), whatever `program` it carries. Falls back to the JS kernel when
 * the module cannot be built here (the result is identical to 1e-13 relative either way).
 *
 * @param resolved - the resolved fit (its `data` is what a resident kernel copies).
 * @param backend - the backend the fit runs on.
 * @param options - `resident` (default true), see {@link BackendKernelOptions}.
 * @returns the fit with the kernel to use, its kind, and `dispose` (call it when the fit ends).
 */
export async function kernelForBackend(resolved: ResolvedCurveFit, backend: Backend, options: BackendKernelOptions = {}): Promise<BackendKernel> {
  const candidate = wasmCandidate(resolved, backend);
  if (candidate.program === undefined) return unchanged(resolved, candidate.note);
  return withWasmKernel(await wasmModelKernelModule(), candidate.program, resolved, backend, options);
}

/**
 * {@link kernelForBackend} for synchronous fits: the same swap when the WASM model compiler is
 * already loaded — as it is with every wasm backend the library hands out (`createWasmBackend`,
 * `loadBackend`, the automatic choice) — else the fit unchanged (its JS kernel: the same results
 * to 1e-13 relative).
 */
export function kernelForBackendSync(resolved: ResolvedCurveFit, backend: Backend, options: BackendKernelOptions = {}): BackendKernel {
  const candidate = wasmCandidate(resolved, backend);
  const module = wasmModelKernelModule.loaded;
  if (candidate.program === undefined) return unchanged(resolved, candidate.note);
  if (module === undefined) return unchanged(resolved);
  return withWasmKernel(module, candidate.program, resolved, backend, options);
}

/**
 * The name and IR size of a model the library built, for the backend choice's compile-size
 * limits (`MAX_WASM_MODEL_INSTRUCTIONS`); undefined for any other model (it runs its own kernel).
 *
 * @param model - the fit's model.
 * @returns `{ name, instructions }` or undefined.
 */
export function modelSizeOf(model: unknown): ModelSize | undefined {
  const program = trustedProgram(model);
  if (program === undefined) return undefined;
  const name = (model as { readonly name?: unknown }).name;
  return { name: typeof name === 'string' ? name : 'model', instructions: program.instructions.length };
}
