/**
 * Compiling expression models to WebAssembly once: the generated modules are position-independent
 * (every address comes from the call descriptor, see `codegen-wasm.ts`), so their bytes
 * depend only on the program and one `WebAssembly.Module` serves every kernel of that model.
 *
 * A Module is immutable and stateless — memory and globals belong to instances — so the caches
 * here share no mutable state between fits; a second fit of the same model skips the code
 * generation and the compile, and reuses the engine's optimized (tiered-up) code.
 *
 * @module
 */
import type { Program } from '../../model/ir.ts';
import { generateWasmModel } from './codegen-wasm.ts';
import { generateWasmModelSimd } from './codegen-wasm-simd.ts';

/** Compiled model modules kept by {@link compileWasmModel} (least recently used evicted first). */
export const WASM_MODEL_CACHE_SIZE = 32;

/** A compiled model module and the kernel exports it imports (IR name → export name). */
export interface CompiledWasmModel {
  /** The compiled module (shared; instantiate it per memory). */
  readonly module: WebAssembly.Module;
  /** IR function name → export name on the kernel instance, for every import of module `m`. */
  readonly imports: ReadonlyMap<string, string>;
}

/** Compiled modules by their bytes (as a latin-1 string), in least-recently-used order. */
const compiledModels = new Map<string, CompiledWasmModel>();
/**
 * The compiled modules of a program object by form (index 0 scalar, 1 f64x2), so that a model
 * fitted again skips the code generation too (as `Model` caches its program and JS kernel, this
 * assumes a program is not mutated after use). Weak: an entry lives as long as its program.
 */
const byProgram = new WeakMap<Program, [CompiledWasmModel | undefined, CompiledWasmModel | undefined]>();

function bytesKey(bytes: Uint8Array): string {
  let key = '';
  for (let i = 0; i < bytes.length; i += 4096) key += String.fromCharCode(...bytes.subarray(i, i + 4096));
  return key;
}

/**
 * Generate and compile (once) a program's module in the scalar or the f64x2 form. The bytes
 * depend only on the program, so equal programs — even distinct `Program` objects — share one
 * `WebAssembly.Module` from a bounded LRU cache of {@link WASM_MODEL_CACHE_SIZE} entries keyed
 * by the bytes; the same `Program` object again skips the generation as well (a weak map by
 * program, so the module of a live model is not recompiled even after the LRU evicted it).
 *
 * @param program - f and its gradient (from `lowerToProgram`).
 * @param simd - `true` for the f64x2 form (`generateWasmModelSimd`), `false` for the scalar one.
 * @returns the module and its imports.
 * @throws NlsqTypeError on a malformed IR; the engine's `WebAssembly.CompileError` when it rejects
 *   the module (e.g. the f64x2 form without SIMD) — nothing is cached then.
 */
export function compileWasmModel(program: Program, simd: boolean): CompiledWasmModel {
  const form = simd ? 1 : 0;
  const forms = byProgram.get(program);
  const known = forms?.[form];
  if (known !== undefined) return known;
  const gen = simd ? generateWasmModelSimd(program) : generateWasmModel(program);
  const key = bytesKey(gen.bytes);
  let compiled = compiledModels.get(key);
  if (compiled !== undefined) {
    compiledModels.delete(key);
  } else {
    compiled = { module: new WebAssembly.Module(gen.bytes), imports: gen.imports };
    if (compiledModels.size >= WASM_MODEL_CACHE_SIZE) compiledModels.delete(compiledModels.keys().next().value!);
  }
  compiledModels.set(key, compiled);
  if (forms === undefined) byProgram.set(program, form === 0 ? [compiled, undefined] : [undefined, compiled]);
  else forms[form] = compiled;
  return compiled;
}
