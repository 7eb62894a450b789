/**
 * Compile a fit's model for the backend that runs it: an expression model on a WASM backend gets
 * a kernel generated from its IR into WebAssembly (`backends/wasm/model-wasm-codegen.ts`), so
 * the whole evaluation runs inside WASM with no JS call per point. Other models and backends keep
 * the kernel resolved with the options (JS code generated from the same IR, or the closure).
 *
 * The WASM code generator is imported lazily: a fit that never uses the wasm backend never loads it.
 *
 * @module
 */
import type { Backend } from './backends/backend.ts';
import type { Program } from './model/ir.ts';
import type { ResolvedCurveFit } from './options/resolve-curve-fit.ts';

/** A resolved fit whose kernel suits its backend, and how to release that kernel. */
export interface BackendKernel {
  /** The fit with the backend's kernel (the same object when nothing was swapped). */
  readonly resolved: ResolvedCurveFit;
  /** Which kernel runs: `'wasm'` (generated WebAssembly) or `'js'`. */
  readonly kind: 'wasm' | 'js';
  /** Release the backend memory the kernel holds. */
  dispose(): void;
}

/**
 * Swap in a WASM kernel when the backend is a WASM backend and the model is an expression model
 * (it has an IR `program`); otherwise return the fit unchanged. Falls back to the JS kernel when
 * the module cannot be built here (the result is identical to 1e-13 relative either way).
 */
export async function kernelForBackend(resolved: ResolvedCurveFit, backend: Backend): Promise<BackendKernel> {
  const unchanged: BackendKernel = { resolved, kind: 'js', dispose() {} };
  const program = typeof resolved.model === 'function' ? undefined : (resolved.model as { readonly program?: Program }).program;
  if (backend.info.family !== 'wasm' || program === undefined || resolved.settings.scheme.kind !== 'analytic') return unchanged;
  const { createWasmModelKernel } = await import('./backends/wasm/wasm-model-kernel.ts');
  const kernel = createWasmModelKernel(program, backend);
  if (kernel === null) return unchanged;
  return { resolved: { ...resolved, kernel }, kind: 'wasm', dispose: () => kernel.dispose() };
}
