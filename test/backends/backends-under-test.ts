/**
 * The backends the conformance suite runs against: a list of named async factories. A factory
 * returns the backend, or `{ skip: reason }` when this runtime cannot load it (by capability:
 * feature detection, not a list of tests). Other backends (WebGPU) are added by appending an
 * entry to {@link BACKEND_FACTORIES}.
 */
import type { Backend } from '../../src/backends/backend.ts';
import { createCpuBackend } from '../../src/backends/cpu/cpu-backend.ts';

/** What a factory yields: the backend, or why it is skipped here. */
export type FactoryResult = Backend | { readonly skip: string };

/** A named backend factory. */
export interface BackendFactory {
  readonly name: string;
  readonly create: () => Promise<FactoryResult>;
}

/** A loaded (or skipped) backend under test. */
export interface BackendUnderTest {
  readonly name: string;
  readonly backend: Backend | null;
  readonly skipReason: string | null;
}

async function wasmFactory(simd: boolean): Promise<FactoryResult> {
  const { createWasmBackend, wasmSupport } = await import('../../src/backends/wasm/wasm-backend.ts');
  const support = await wasmSupport();
  if (simd ? !support.simd : !support.scalar) return { skip: support.reason ?? 'not supported here' };
  return createWasmBackend({ simd });
}

/** Every backend the suite knows; append new backends here. */
export const BACKEND_FACTORIES: readonly BackendFactory[] = [
  { name: 'cpu', create: async () => createCpuBackend() },
  { name: 'wasm-simd', create: () => wasmFactory(true) },
  { name: 'wasm-scalar', create: () => wasmFactory(false) },
];

/** Load every factory; a factory that throws is reported as skipped with its error message. */
export async function loadBackendsUnderTest(factories: readonly BackendFactory[] = BACKEND_FACTORIES): Promise<BackendUnderTest[]> {
  const out: BackendUnderTest[] = [];
  for (const f of factories) {
    try {
      const r = await f.create();
      if ('skip' in r) out.push({ name: f.name, backend: null, skipReason: r.skip });
      else out.push({ name: f.name, backend: r, skipReason: null });
    } catch (e) {
      out.push({ name: f.name, backend: null, skipReason: `failed to load: ${(e as Error).message}` });
    }
  }
  return out;
}

/**
 * Tolerances derived from a backend's precision (ε = info.epsilon):
 * - `fold`: ‖RᵀR − AᵀA‖ ≤ 64·cols·ε·‖A‖_F² (backward stability of Householder QR)
 * - `sum`: |Σ − Σ_ref| ≤ 8·(log₂ n + 1)·ε·Σ|terms| (pairwise summation)
 */
export function tolerances(epsilon: number) {
  return {
    fold: (cols: number, frob2: number) => 64 * cols * epsilon * frob2,
    sum: (n: number, absSum: number) => 8 * (Math.log2(Math.max(n, 1)) + 1) * epsilon * absSum,
  };
}
