/**
 * Planning a `fit()`: which strategy and which backend, from the memory budget and the backends
 * that load here — or the backend the caller named (`backend` option or `NLSQ_BACKEND`).
 *
 * @module
 */
import type { BackendInfo } from '../backends/backend.ts';
import { listBackends } from '../backends/list-backends.ts';
import { readRuntimeEnv, resolveBackend, type ResolvedBackend } from '../backends/registry.ts';
import type { ResolvedCurveFit } from '../options/resolve-curve-fit.ts';
import { evaluatesOnDevice } from './device-fit.ts';
import { workerPlanInput } from './parallel-fit.ts';
import type { BackendLease } from './backend-lease.ts';
import type { FitOptions } from './fit-options.ts';
import { buildPlan, type Plan, type Workflow } from '../workflow/plan.ts';

/**
 * Build the plan of a resolved fit and resolve its backend.
 *
 * @param resolved - the resolved curve fit (its `n` is the number of points, or of the first chunk).
 * @param options - the `fit` options (memory limit, safety factor, chunk size).
 * @param workflow - the workflow to plan for (`'auto'` lets the selector decide).
 * @param lease - acquires the backend (named, or the plan's choice) and releases it when the run ends.
 * @param source - for a data source: whether it can be re-read (the worker decision needs it).
 * @returns the plan and the backend instance, with the reason it was chosen.
 */
export async function planFit(
  resolved: ResolvedCurveFit,
  options: FitOptions,
  workflow: Workflow | undefined,
  lease: BackendLease,
  source?: { readonly rereadable: boolean },
): Promise<{ plan: Plan; backend: ResolvedBackend }> {
  const modelKind = typeof resolved.model === 'function' ? 'closure' : 'expression';
  const needs = { closures: modelKind === 'closure', synchronous: false };
  const named = resolved.backend !== undefined || (readRuntimeEnv('NLSQ_BACKEND')?.trim() ?? '') !== '';
  const given = named ? await lease.backend(() => resolveBackend(resolved.backend, needs, { caller: 'fit' })) : null;
  const infos: BackendInfo[] =
    given !== null ? [given.backend.info] : (await listBackends({ allowSoftware: false })).flatMap((s) => (s.available && s.info !== undefined ? [s.info] : []));
  const plan = buildPlan({
    workflow,
    nPoints: resolved.n,
    nParams: resolved.p,
    nFeatures: resolved.k,
    memoryLimitGb: options.memoryLimitGb,
    safetyFactor: options.safetyFactor,
    chunkSize: options.chunkSize,
    backends: infos,
    modelKind,
    backendGiven: given === null ? undefined : given.backend.info.name,
    workers: await workerPlanInput(resolved, source),
  });
  if (given !== null) return { plan, backend: given };
  const chosen = await lease.backend(() => resolveBackend(plan.backend, needs, { caller: 'fit', env: () => undefined }));
  const names = infos.map((i) => i.name).join(', ');
  const reason = `the workflow plan chose ${plan.backend} among the backends available here (${names})`;
  return { plan, backend: { backend: chosen.backend, given: 'default', reason, source: 'automatic' } }; // the lease releases `chosen`
}

/**
 * Streaming passes fold on the host: a backend that evaluates on its device (WebGPU; see
 * `evaluatesOnDevice`) is swapped for the fastest f64 host backend (wasm, else cpu; the reason
 * says so), acquired through the lease; any other backend is returned as it is.
 *
 * @param planned - the backend the plan resolved.
 * @param lease - acquires the host backend and releases it when the run ends.
 * @returns the backend the streaming passes run on.
 */
export async function hostBackendFor(planned: ResolvedBackend, lease: BackendLease): Promise<ResolvedBackend> {
  if (!evaluatesOnDevice(planned.backend)) return planned;
  const host = await lease.backend(() => resolveBackend(['wasm', 'cpu'], { closures: true, synchronous: false }, { caller: 'fit', env: () => undefined }));
  const reason = `streaming passes fold on the host, so ${host.backend.info.name} (f64) runs them instead of ${planned.backend.info.name}`;
  return { backend: host.backend, given: planned.given, reason, ...(host.source === undefined ? {} : { source: host.source }) }; // the lease releases `host`
}
