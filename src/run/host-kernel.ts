/**
 * A resolved curve fit's model compiled for a leased host backend (CPU or WASM: one that evaluates
 * synchronously), for the searches that evaluate the model outside a single fit: the CMA-ES cost
 * (`cost-function.ts`) and the multi-start batch (`global/batch-starts.ts`). The backend is the
 * caller's choice resolved as `curveFit` resolves it, with the needs of a synchronous walk; the
 * kernel is the one `curveFit` would use there (the WASM kernel of an expression model on a WASM
 * backend). Everything acquired is released when `use` returns.
 *
 * @module
 */
import type { Backend } from '../backends/backend.ts';
import { resolveBackend, resolveBackendSync, type BackendNeeds, type ResolvedBackend } from '../backends/registry.ts';
import { BackendUnavailableError } from '../errors.ts';
import type { ResolvedCurveFit } from '../options/resolve-curve-fit.ts';
import { kernelForBackend, kernelForBackendSync, modelSizeOf } from './backend-kernel.ts';
import { withBackend, withBackendSync, type BackendLease } from './backend-lease.ts';

/** What a host walk needs of a backend: synchronous evaluation, closures when the model is one. */
export function hostNeeds(resolved: ResolvedCurveFit): BackendNeeds {
  const model = modelSizeOf(resolved.model);
  return { closures: typeof resolved.model === 'function', synchronous: true, ...(model === undefined ? {} : { model }) };
}

/** The host backend and the fit with that backend's kernel. */
export interface HostKernel {
  /** The leased backend. */
  readonly backend: Backend;
  /** Its name and why it was chosen. */
  readonly resolvedBackend: ResolvedBackend;
  /** The fit with the backend's kernel (`resolved.kernel`). */
  readonly resolved: ResolvedCurveFit;
  /** The lease (hold what you build on the backend). */
  readonly lease: BackendLease;
}

/** Options of {@link withHostKernel}. */
export interface HostKernelOptions {
  /** When the caller's backend cannot walk on the host (WebGPU), use the CPU backend instead of throwing (default false). */
  readonly fallbackToCpu?: boolean;
}

async function acquire(resolved: ResolvedCurveFit, options: HostKernelOptions): Promise<ResolvedBackend> {
  try {
    return await resolveBackend(resolved.backend, hostNeeds(resolved), { caller: resolved.caller });
  } catch (error) {
    if (options.fallbackToCpu !== true || !(error instanceof BackendUnavailableError)) throw error;
    const cpu = await resolveBackend('cpu', hostNeeds(resolved), { caller: resolved.caller, env: () => undefined });
    return { ...cpu, reason: `${resolved.backend === undefined ? 'the automatic backend' : 'the named backend'} cannot walk on the host (${error.message}); cpu instead` };
  }
}

function acquireSync(resolved: ResolvedCurveFit, options: HostKernelOptions): ResolvedBackend {
  try {
    return resolveBackendSync(resolved.backend, hostNeeds(resolved), { caller: resolved.caller });
  } catch (error) {
    if (options.fallbackToCpu !== true || !(error instanceof BackendUnavailableError)) throw error;
    const cpu = resolveBackendSync('cpu', hostNeeds(resolved), { caller: resolved.caller, env: () => undefined });
    return { ...cpu, reason: `the named backend cannot walk on the host (${error.message}); cpu instead` };
  }
}

/**
 * Run `use` with the fit's model compiled for a leased host backend.
 *
 * @param resolved - the resolved fit.
 * @param use - receives the backend, the fit with its kernel and the lease.
 * @param options - {@link HostKernelOptions}.
 * @returns what `use` returns.
 * @throws BackendUnavailableError when the named backend cannot evaluate on the host (unless `fallbackToCpu`).
 */
export function withHostKernel<T>(resolved: ResolvedCurveFit, use: (host: HostKernel) => Promise<T>, options: HostKernelOptions = {}): Promise<T> {
  return withBackend(
    () => acquire(resolved, options),
    async (backend, lease) => {
      const compiled = lease.hold(await kernelForBackend(resolved, backend.backend));
      return use({ backend: backend.backend, resolvedBackend: backend, resolved: compiled.resolved, lease });
    },
  );
}

/** {@link withHostKernel} in the synchronous form. */
export function withHostKernelSync<T>(resolved: ResolvedCurveFit, use: (host: HostKernel) => T, options: HostKernelOptions = {}): T {
  return withBackendSync(
    () => acquireSync(resolved, options),
    (backend, lease) => {
      const compiled = lease.hold(kernelForBackendSync(resolved, backend.backend));
      return use({ backend: backend.backend, resolvedBackend: backend, resolved: compiled.resolved, lease });
    },
  );
}
