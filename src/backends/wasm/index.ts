/**
 * The WebAssembly backend (AssemblyScript kernels, SIMD and scalar builds). Loaded lazily by the
 * registry (`await import('./wasm/index.ts')`) so CPU-only users never load the wasm bytes.
 *
 * @module
 */
export { createWasmBackend, REDUCE_CHUNK, type WasmBackendOptions } from './wasm-backend.ts';
export { wasmSupport, type WasmSupport } from './wasm-support.ts';
export { createWasmModelKernel, type WasmModelKernel, type WasmModelKernelOptions } from './wasm-model-kernel.ts';
export { WASM_MODEL_CACHE_SIZE, compileWasmModel, type CompiledWasmModel } from './wasm-model-module.ts';
