/**
 * The WebGPU batch engine on a real device in Node (the optional `webgpu` package on its OpenGL ES
 * path: llvmpipe, a software adapter, here). Skipped, with the reason printed, when this runtime
 * has no adapter. The same checks run in Chromium (SwiftShader) and Deno (lavapipe) through
 * `npm run test:webgpu`.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { AUTO_DEVICE_MIN_FITS } from '../../src/batch/device-engine.ts';
import { fitBatch } from '../../src/fit-batch.ts';
import { model } from '../../src/model/model.ts';
import { batchDeviceChecks } from '../browser/webgpu/batch-checks.ts';
import { nodeGpu, nodeWebGPUBackend } from '../backends/webgpu/node-device.ts';

const { backend, reason } = await nodeWebGPUBackend();
if (backend === null) console.log(`WebGPU batch checks skipped: ${reason}`);
afterAll(() => backend?.destroy());

describe.skipIf(backend === null)('WebGPU batch engine (Node, webgpu package)', () => {
  for (const check of backend === null ? [] : batchDeviceChecks(backend)) it(check.name, () => check.run(), 120_000);

  it('never picks a software adapter automatically, however large the batch', async () => {
    const { gpu } = await nodeGpu();
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true });
    try {
      const nFits = AUTO_DEVICE_MIN_FITS;
      const x = Float64Array.of(0, 1, 2);
      const y = Float64Array.from({ length: 3 * nFits }, (_, q) => 2 * (q % 3) + 1);
      const r = await fitBatch(model('a*x + b'), { x, y }, { p0: [1, 0] });
      expect(r.summary().engine).toBe('wasm'); // the host engine
      const named = await fitBatch(model('a*x + b'), { x, y: y.subarray(0, 30) }, { p0: [1, 0], backend: 'webgpu' });
      expect(named.summary().engine).toBe('webgpu'); // named: the software adapter is allowed
      expect(named.summary().reason).toContain('a software adapter (correctness only');
    } finally {
      if (saved === undefined) delete (globalThis as { navigator?: unknown }).navigator;
      else Object.defineProperty(globalThis, 'navigator', saved);
    }
  }, 120_000);
});
