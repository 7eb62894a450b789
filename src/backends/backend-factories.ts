/**
 * The optional backends' factories, on the main entry, and the lazy loaders of their modules:
 * the WASM kernels (with their embedded bytes) and the WebGPU backend are imported on first use
 * only, so a CPU-only user's bundle holds neither.
 *
 * @module
 */
import { lazy } from '../util/lazy.ts';
import type { Backend } from './backend.ts';
import type { WasmBackendOptions } from './wasm/wasm-backend.ts';
import type { WebGPUBackend, WebGPUBackendOptions } from './webgpu/webgpu-backend.ts';

/** The wasm backend's module, imported once on first use (see `lazy`). @internal */
export const wasmBackendModule = lazy(() => import('./wasm/wasm-backend.ts'));
/** The pool of idle wasm backends, imported once on first use. @internal */
export const wasmPoolModule = lazy(() => import('./wasm/wasm-pool.ts'));
/** The WebGPU backend's module, imported once on first use. @internal */
export const webgpuBackendModule = lazy(() => import('./webgpu/webgpu-backend.ts'));
/**
 * The WASM model compiler (expression models compiled to WebAssembly), imported once on first
 * use. Every wasm backend the library hands out comes with it loaded, so that synchronous fits on
 * that backend (`curveFitSync`) can use it too. @internal
 */
export const wasmModelKernelModule = lazy(() => import('./wasm/wasm-model-kernel.ts'));

/**
 * Create a WebAssembly backend of your own: the SIMD build where the engine supports it, else
 * the scalar one. Once created it is synchronous, so besides `backend` of `curveFit` and `fit`
 * it serves `curveFitSync` / `leastSquaresSync`, which cannot load it themselves (WebAssembly is
 * compiled asynchronously) — with expression models compiled to WebAssembly there too, as in
 * `curveFit`. An instance you create is yours: fits use it and never pool it.
 *
 * @param options - `simd: true` insists on the SIMD build, `false` asks for the scalar one.
 * @returns the backend (`info.name` `'wasm-simd'` or `'wasm-scalar'`).
 * @throws BackendUnavailableError when this runtime cannot load the asked build.
 * @example
 * ```ts
 * const wasm = await createWasmBackend();
 * const r = curveFitSync(model('a*exp(-b*x) + c'), x, y, { p0: [1, 1, 0], backend: wasm });
 * r.backend; // 'wasm-simd'
 * ```
 */
export async function createWasmBackend(options: WasmBackendOptions = {}): Promise<Backend> {
  // The pool comes too: synchronous fits can then take wasm backends (`loadBackendSync`).
  const [backends] = await Promise.all([wasmBackendModule(), wasmModelKernelModule(), wasmPoolModule()]);
  return backends.createWasmBackend(options);
}

/**
 * Create a WebGPU backend of your own: from `navigator.gpu`, or from the `gpu` you pass — in Node
 * the optional `webgpu` package's `create([...])`. Software adapters are refused unless
 * `allowSoftware` is true.
 *
 * @param options - the entry point, adapter or device to use, and `allowSoftware`.
 * @returns the backend (expression models only; f32 on the device, polished on f64 by default).
 * @throws BackendUnavailableError when no usable adapter or device is found.
 * @example
 * ```ts
 * import { create } from 'webgpu';
 * const gpu = await createWebGPUBackend({ gpu: create([]) });
 * ```
 */
export async function createWebGPUBackend(options: WebGPUBackendOptions = {}): Promise<WebGPUBackend> {
  return (await webgpuBackendModule()).createWebGPUBackend(options);
}
