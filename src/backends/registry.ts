/**
 * Backend registry: turns the caller's `backend` option into a Backend instance.
 *
 * (Minimal version: CPU only. The isomorphic-delivery work extends it with wasm/webgpu loaders,
 * the NLSQ_BACKEND override and listBackends().)
 *
 * @module
 */
import { BackendUnavailableError } from '../errors.ts';
import type { Backend } from './backend.ts';
import { createCpuBackend } from './cpu/cpu-backend.ts';

/** What the caller may pass as `backend`: a name, an instance, or an ordered list to try. */
export type BackendOption = string | Backend | readonly (string | Backend)[] | undefined;

/** What the fit needs from a backend. */
export interface BackendNeeds {
  /** The model is a JS closure (WebGPU cannot run it). */
  readonly closures: boolean;
  /** Called from a synchronous API (`curveFitSync`). */
  readonly synchronous: boolean;
}

/** A resolved backend with the reason it was chosen. */
export interface ResolvedBackend {
  readonly backend: Backend;
  /** What the caller gave (`'default'` when nothing). */
  readonly given: string;
  /** Why this backend was used, in a sentence. */
  readonly reason: string;
}

/** Resolve synchronously (only synchronous backends that need no async loading). */
export function resolveBackendSync(option: BackendOption, needs: BackendNeeds): ResolvedBackend {
  if (option !== undefined && typeof option === 'object' && !Array.isArray(option)) {
    const backend = option as Backend;
    return { backend, given: backend.info.name, reason: 'backend instance given by the caller' };
  }
  if (option === undefined || option === 'cpu') {
    void needs;
    return { backend: createCpuBackend(), given: option ?? 'default', reason: 'the CPU backend is always available' };
  }
  throw new BackendUnavailableError(`curveFit: backend ${JSON.stringify(option)} is not available; available: 'cpu'`);
}

/** Resolve a backend option, loading heavy backends lazily. */
export async function resolveBackend(option: BackendOption, needs: BackendNeeds): Promise<ResolvedBackend> {
  return resolveBackendSync(option, needs);
}
