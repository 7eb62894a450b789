/**
 * Cheap capability check for the wasm backend, without instantiating it.
 *
 * SIMD support is detected with `wasm-feature-detect`'s `simd()` (a tiny probe module) and
 * confirmed by `WebAssembly.validate` on the embedded SIMD build; the scalar build needs only
 * WebAssembly itself (MVP plus bulk memory, sign extension and mutable globals, in every engine
 * since 2021).
 *
 * @module
 */
import { simd as detectSimd } from 'wasm-feature-detect';
import { kernelBytes } from './wasm-module.ts';

/** What {@link wasmSupport} found. */
export interface WasmSupport {
  /** The SIMD build can be loaded. */
  readonly simd: boolean;
  /** The scalar build can be loaded. */
  readonly scalar: boolean;
  /** Why a build cannot be loaded (absent when both can). */
  readonly reason?: string;
}

/**
 * Report which builds of the wasm backend this runtime can load.
 * @returns `{ simd, scalar, reason? }`; never throws.
 * @example
 * ```ts
 * await wasmSupport(); // { simd: true, scalar: true } in Node ≥ 16, Deno, Bun, current browsers
 * ```
 */
export function wasmSupport(): Promise<WasmSupport> {
  const validate = typeof WebAssembly === 'object' ? WebAssembly.validate : undefined;
  if (memo !== null && memo.validate === validate) return memo.result;
  const result = detectSupport();
  memo = { validate, result };
  return result;
}

/**
 * The last answer of {@link wasmSupport}, kept with the `WebAssembly.validate` it was found with:
 * validating both builds costs about 0.2 ms, which a small fit that resolves its backend would
 * pay on every call. The engine does not change within a process; a replaced `validate` (a test
 * pretending to be an engine without SIMD) asks again.
 */
let memo: { readonly validate: unknown; readonly result: Promise<WasmSupport> } | null = null;

async function detectSupport(): Promise<WasmSupport> {
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.validate !== 'function') {
    return { simd: false, scalar: false, reason: 'WebAssembly is not available in this runtime' };
  }
  const scalar = safeValidate(kernelBytes('scalar'));
  let simd = false;
  try {
    simd = (await detectSimd()) && safeValidate(kernelBytes('simd'));
  } catch {
    simd = false;
  }
  if (!scalar) return { simd: false, scalar: false, reason: 'the engine rejects the scalar kernel module' };
  if (!simd) return { simd, scalar, reason: 'WebAssembly SIMD (fixed-width, f64x2) is not supported by this engine' };
  return { simd, scalar };
}

function safeValidate(bytes: Uint8Array<ArrayBuffer>): boolean {
  try {
    return WebAssembly.validate(bytes);
  } catch {
    return false;
  }
}
