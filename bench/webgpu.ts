/**
 * WebGPU benchmark (Node, through the optional `webgpu` package): a 5-parameter Gaussian plus
 * linear background on 10M points (1M with `-- quick`), evaluated on the device; one evaluation
 * with the Jacobian (upload θ, fused kernel, read back the partials, combine in f64) and a whole
 * fit with and without the f64 polish. Software adapters (SwiftShader, llvmpipe, lavapipe) are
 * labelled as such: their timings are CPU emulation, not GPU timings.
 */
import type { WebGPUBackend } from '../src/backends/webgpu/webgpu-backend.ts';
import { createWebGPUBackend } from '../src/backends/webgpu/webgpu-backend.ts';
import { curveFit } from '../src/curve-fit.ts';
import { model } from '../src/model/model.ts';
import { type BenchRow, measure } from './harness.ts';
import { gaussBgData } from './fits.ts';

const GAUSS_BG = 'a*exp(-0.5*((x - mu)/s)^2) + b0 + b1*x';

async function nodeWebGPU(): Promise<WebGPUBackend | string> {
  process.env['EGL_PLATFORM'] ??= 'surfaceless';
  try {
    const { create } = (await import('webgpu')) as unknown as { create: (flags: string[]) => GPU };
    const flags = process.env['NLSQ_WEBGPU_FLAGS']?.split(',') ?? ['backend=opengles'];
    return await createWebGPUBackend({ gpu: create(flags), allowSoftware: true });
  } catch (e) {
    return `no WebGPU adapter in Node: ${(e as Error).message}`;
  }
}

/** Device evaluation and whole fits on WebGPU, or a printed reason when there is no adapter. */
export async function benchWebGPU(n: number): Promise<BenchRow[]> {
  const backend = await nodeWebGPU();
  if (typeof backend === 'string') {
    process.stdout.write(`(webgpu skipped: ${backend})\n`);
    return [];
  }
  const label = backend.info.software ? 'webgpu [software adapter: not GPU timings]' : 'webgpu';
  const { x, y } = gaussBgData(n);
  const m = model(GAUSS_BG, { params: ['a', 'mu', 's', 'b0', 'b1'] });
  const p0 = [4, 1.5, 1, 0.5, 0.1];
  const rows: BenchRow[] = [];
  const problem = await backend.createModelEvaluator({ program: m.program, data: { x: [x], y, w: null } });
  const theta = Float64Array.from(p0);
  const ev = await measure(() => problem.evaluate(theta, true), { warmup: 1, minRuns: 5, maxRuns: 10 });
  rows.push({ section: 'webgpu', name: `${label}: device evaluation with Jacobian n=${n}`, impl: label, ...ev, extra: { chunks: problem.chunks } });
  problem.destroy();
  for (const polish of [true, false]) {
    let last = { nfev: 0, njev: 0, precision: '' };
    const t = await measure(async () => {
      const r = await curveFit(m, x, y, { p0, backend, polish });
      last = { nfev: r.nfev, njev: r.njev, precision: r.choices.precision.used };
    }, { warmup: 0, minRuns: 1, maxRuns: 3 });
    rows.push({ section: 'webgpu', name: `${label}: gauss+bg fit n=${n} polish=${polish}`, impl: label, ...t, extra: last });
  }
  backend.destroy();
  return rows;
}
