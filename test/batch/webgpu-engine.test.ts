/**
 * The WebGPU batch engine on a real device in Node (the optional `webgpu` package on its OpenGL ES
 * path: llvmpipe, a software adapter, here). Skipped, with the reason printed, when this runtime
 * has no adapter. The same checks run in Chromium (SwiftShader) and Deno (lavapipe) through
 * `npm run test:webgpu`.
 */
import { afterAll, describe, it } from 'vitest';
import { batchDeviceChecks } from '../browser/webgpu/batch-checks.ts';
import { nodeWebGPUBackend } from '../backends/webgpu/node-device.ts';

const { backend, reason } = await nodeWebGPUBackend();
if (backend === null) console.log(`WebGPU batch checks skipped: ${reason}`);
afterAll(() => backend?.destroy());

describe.skipIf(backend === null)('WebGPU batch engine (Node, webgpu package)', () => {
  for (const check of backend === null ? [] : batchDeviceChecks(backend)) it(check.name, () => check.run(), 120_000);
});
