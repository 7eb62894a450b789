/**
 * Compile a fit's model for the backend that runs it: an expression model on a WASM backend gets
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
import type { Program } from '../model/ir.ts';
import type { ResolvedCurveFit } from '../options/resolve-curve-fit.ts';
import { wasmModelKernelModule } from '../backends/backend-factories.ts';

/** A resolved fit whose kernel suits its backend, and how to release that kernel. */
export interface BackendKernel {
  /** The fit with the backend's kernel (the same object when nothing was swapped). */
  readonly resolved: ResolvedCurveFit;
  /** Which kernel runs: `'wasm'` (generated WebAssembly) or `'js'`. */
  readonly kind: 'wasm' | 'js';
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

/** The expression model's IR when a WASM kernel may replace the fit's kernel on this backend. */
function wasmCandidate(resolved: ResolvedCurveFit, backend: Backend): Program | undefined {
  const program = typeof resolved.model === 'function' ? undefined : (resolved.model as { readonly program?: Program }).program;
  return backend.info.family === 'wasm' && resolved.settings.scheme.kind === 'analytic' ? program : undefined;
}

function withWasmKernel(module: WasmModelKernelModule, program: Program, resolved: ResolvedCurveFit, backend: Backend, options: BackendKernelOptions): BackendKernel {
  const kernel = module.createWasmModelKernel(program, backend, options.resident === false ? {} : { resident: resolved.data });
  if (kernel === null) return unchanged(resolved);
  return { resolved: { ...resolved, kernel }, kind: 'wasm', dispose: () => kernel.dispose() };
}

function unchanged(resolved: ResolvedCurveFit): BackendKernel {
  return { resolved, kind: 'js', dispose() {} };
}

type WasmModelKernelModule = Awaited<ReturnType<typeof wasmModelKernelModule>>;

/**
 * Swap in a WASM kernel when the backend is a WASM backend and the model is an expression model
 * (it has an IR `program`); otherwise return the fit unchanged. Falls back to the JS kernel when
 * the module cannot be built here (the result is identical to 1e-13 relative either way).
 *
 * @param resolved - the resolved fit (its `data` is what a resident kernel copies).
 * @param backend - the backend the fit runs on.
 * @param options - `resident` (default true), see {@link BackendKernelOptions}.
 * @returns the fit with the kernel to use, its kind, and `dispose` (call it when the fit ends).
 */
export async function kernelForBackend(resolved: ResolvedCurveFit, backend: Backend, options: BackendKernelOptions = {}): Promise<BackendKernel> {
  const program = wasmCandidate(resolved, backend);
  if (program === undefined) return unchanged(resolved);
  return withWasmKernel(await wasmModelKernelModule(), program, resolved, backend, options);
}

/**
 * {@link kernelForBackend} for synchronous fits: the same swap when the WASM model compiler is
 * already loaded — as it is with every wasm backend the library hands out (`createWasmBackend`,
 * `loadBackend`, the automatic choice) — else the fit unchanged (its JS kernel: the same results
 * to 1e-13 relative).
 */
export function kernelForBackendSync(resolved: ResolvedCurveFit, backend: Backend, options: BackendKernelOptions = {}): BackendKernel {
  const program = wasmCandidate(resolved, backend);
  const module = wasmModelKernelModule.loaded;
  if (program === undefined || module === undefined) return unchanged(resolved);
  return withWasmKernel(module, program, resolved, backend, options);
}
