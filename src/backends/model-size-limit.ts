/**
 * Compile-size limits of the WASM backends: the largest model (in IR instructions) each compiles
 * into a kernel, which the backend choice (`registry.ts`) checks — the automatic choice falls
 * back past a limit, a named backend is refused with a message naming the model and the limit.
 *
 * @module
 */
import type { Backend } from './backend.ts';

/** A model's name and the size of its IR program (f and every ∂f/∂θ_j, in instructions). */
export interface ModelSize {
  /** The model's display name. */
  readonly name: string;
  /** Instructions in its IR program. */
  readonly instructions: number;
}

/**
 * Largest model (IR instructions of f and its derivatives) each WASM backend compiles: 4,096
 * for wasm-simd, 16,384 for wasm-scalar. Past its limit a backend's compile (code generation,
 * then the engine's optimising tier-up of one function per export with a local per
 * temporary) costs more than the fit it would speed up, so the automatic choice falls back —
 * wasm-simd → wasm-scalar → cpu, whose kernel is JS generated from the same IR (or its
 * interpreter) — and says so in its reason; a request that names the backend is refused with a
 * `BackendUnavailableError` naming the model and the limit. (Issue 21: before the n-ary
 * product rule, a product of 200 `exp(pᵢ·x)` factors had 20,898 instructions and took 12–22 s
 * and 3.5 GB on wasm-simd against 1 s on cpu.)
 */
export const MAX_WASM_MODEL_INSTRUCTIONS: Readonly<Record<'wasm-simd' | 'wasm-scalar', number>> = Object.freeze({
  'wasm-simd': 4096,
  'wasm-scalar': 16384,
});

/** A name short enough for a message. */
function shortName(name: string): string {
  return name.length <= 60 ? name : `${name.slice(0, 57)}…`;
}

/**
 * Why `backend` will not compile a model this large, or null when it will (or no limit applies:
 * not a wasm backend, or no model size given).
 *
 * @param backend - the candidate backend.
 * @param model - the model's name and IR size, if known.
 * @returns the refusal, naming the model, its size and the limit, or null.
 */
export function modelTooLarge(backend: Backend, model: ModelSize | undefined): string | null {
  const name = backend.info.name;
  if (model === undefined || (name !== 'wasm-simd' && name !== 'wasm-scalar')) return null;
  const limit = MAX_WASM_MODEL_INSTRUCTIONS[name];
  if (model.instructions <= limit) return null;
  const instead = name === 'wasm-simd' ? "'wasm-scalar' or 'cpu'" : "'cpu'";
  return (
    `${name} compiles models of at most ${limit} IR instructions (MAX_WASM_MODEL_INSTRUCTIONS), and model '${shortName(model.name)}' ` +
    `has ${model.instructions} (f and its derivatives), whose compile would cost more than the fit; use ${instead}`
  );
}
