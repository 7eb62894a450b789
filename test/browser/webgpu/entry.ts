/**
 * Browser / Deno entry of the WebGPU device checks: create the backend on `navigator.gpu`
 * (software adapters allowed, since CI machines have only those) and run every check, returning
 * a summary. `scripts/test-webgpu.mjs` bundles this file with esbuild.
 */
import { createWebGPUBackend } from '../../../src/backends/webgpu/webgpu-backend.ts';
import { batchDeviceChecks } from './batch-checks.ts';
import { deviceChecks } from './checks.ts';

/** The outcome of one runtime's run. */
export interface CheckSummary {
  readonly adapter: string;
  readonly skipped: string | null;
  readonly results: { readonly name: string; readonly ok: boolean; readonly error?: string }[];
}

/** Run every device check on this runtime's WebGPU; `skipped` says why when there is no adapter. */
export async function runWebGPUChecks(): Promise<CheckSummary> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu === undefined) return { adapter: '', skipped: 'navigator.gpu is undefined', results: [] };
  let backend;
  try {
    backend = await createWebGPUBackend({ allowSoftware: true });
  } catch (err) {
    return { adapter: '', skipped: `no WebGPU adapter: ${String(err)}`, results: [] };
  }
  const results: CheckSummary['results'][number][] = [];
  const checks = [...deviceChecks(backend, () => createWebGPUBackend({ allowSoftware: true })), ...batchDeviceChecks(backend)];
  for (const check of checks) {
    try {
      await check.run();
      results.push({ name: check.name, ok: true });
    } catch (err) {
      results.push({ name: check.name, ok: false, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
    }
  }
  const adapter = `${backend.adapterDescription}${backend.info.software ? ' [software]' : ''}`;
  backend.destroy();
  return { adapter, skipped: null, results };
}
