/**
 * WebGPU benchmark (Node, through the optional `webgpu` package): a 5-parameter Gaussian plus
 * linear background on 10M points (1M with `-- quick`), evaluated on the device; one evaluation
 * with the Jacobian (upload θ, fused kernel, read back the partials, combine in f64) and a whole
 * fit with and without the f64 polish. Then the batch engine on Gpufit's own test (2-D Gaussian,
 * 5 × 5 points, 5 parameters, tolerance 1e-4, at most 10 iterations): `fitBatch` on the device
 * with and without the f64 polish, beside the CPU engine on the same fits in the same run
 * (10⁵ fits on a hardware adapter, 10⁴ on a software one; `NLSQ_BENCH_WEBGPU_FITS` overrides,
 * e.g. 10⁷ for Gpufit's headline figure: the device rows then run all of them, the host-bound rows
 * — CPU engine, polish on, polish alone — the first 10⁵). Software adapters (SwiftShader, llvmpipe, lavapipe) are
 * labelled as such: their timings are CPU emulation, not GPU timings — correctness only.
 *
 * On a machine with a GPU: `NLSQ_WEBGPU_FLAGS=backend=vulkan npm run bench -- webgpu` (the
 * `webgpu` package's Dawn flags, comma-separated; the default `backend=opengles` finds Mesa's
 * llvmpipe on a machine without one).
 */
import type { WebGPUBackend } from '../src/backends/webgpu/webgpu-backend.ts';
import { createWebGPUBackend } from '../src/backends/webgpu/webgpu-backend.ts';
import { curveFit } from '../src/curve-fit.ts';
import { model } from '../src/model/model.ts';
import { type BenchRow, measure } from './harness.ts';
import { gaussBgData } from './fits.ts';
import { gpufitBatch } from './batch.ts';
import { fitBatch } from '../src/fit-batch.ts';

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
  rows.push(...(await benchBatchOnDevice(backend, label)));
  backend.destroy();
  return rows;
}

/**
 * Gpufit's test on the device engine (polish on and off) and on the CPU engine, same fits, same
 * run; `extra` holds fits/s, the ratio to the CPU engine, the converged count and the largest
 * difference of the polished popt from the CPU engine's in units of its standard error.
 */
async function benchBatchOnDevice(backend: WebGPUBackend, label: string): Promise<BenchRow[]> {
  const nFits = Number(process.env['NLSQ_BENCH_WEBGPU_FITS'] ?? (backend.info.software ? 10_000 : 100_000));
  const b = gpufitBatch(nFits);
  const opts = { p0: b.p0, method: 'lm' as const, ...b.options };
  await fitBatch(b.model, { x: b.x, y: b.y.subarray(0, 25 * Math.min(2000, nFits)) }, { ...opts, p0: b.p0.subarray(0, 5 * Math.min(2000, nFits)), backend }); // compile + JIT
  // the host-bound rows (CPU engine, polish) run on the first HOST_FITS fits: 10⁷ fits would take the host half an hour
  const hostFits = Math.min(nFits, HOST_FITS);
  const timed = async (count: number, extra: Parameters<typeof fitBatch>[2]) => {
    const t0 = performance.now();
    const r = await fitBatch(b.model, { x: b.x, y: b.y.subarray(0, 25 * count) }, { ...opts, p0: b.p0.subarray(0, 5 * count), ...extra });
    return { r, fitsPerS: (1000 * count) / (performance.now() - t0) };
  };
  const cpu = await timed(hostFits, { backend: 'cpu' });
  const rows: BenchRow[] = [];
  const name = `batch: Gpufit 2-D Gaussian (5×5, p = 5, tol 1e-4, ≤ 10 it)`;
  const cpuRow = row(`${name}, ${hostFits} fits — CPU engine (f64, one thread)`, 'nlsq cpu', cpu.fitsPerS, { converged: cpu.r.summary().converged });
  for (const polish of [false, true]) {
    const count = polish ? hostFits : nFits;
    const dev = await timed(count, { backend, polish });
    if (!polish) {
      // the host's share of polish-on: the local engine from the device's answers with the polish budget — the polish-on rate on an infinitely fast device
      const alone = await timed(hostFits, { backend: 'cpu', p0: dev.r.popt.subarray(0, 5 * hostFits), maxNfev: Math.min(b.options.maxNfev ?? Infinity, 5 * (b.p + 1)) });
      rows.push(row(`${name}, ${hostFits} fits — polish alone (CPU engine from the device's f32 answers, ≤ 5(p+1) evaluations)`, 'nlsq cpu', alone.fitsPerS, { vsCpuEngine: Number((alone.fitsPerS / cpu.fitsPerS).toFixed(3)) }));
    }
    let worst = 0;
    for (let e = 0; e < cpu.r.popt.length; e++) if (cpu.r.perr[e]! > 0) worst = Math.max(worst, Math.abs(dev.r.popt[e]! - cpu.r.popt[e]!) / cpu.r.perr[e]!);
    rows.push(
      row(`${name}, ${count} fits — ${label}, polish ${polish ? 'on (f64)' : 'off (f32)'}`, label, dev.fitsPerS, {
        converged: dev.r.summary().converged,
        vsCpuEngine: Number((dev.fitsPerS / cpu.fitsPerS).toFixed(3)),
        maxDiffInPerr: Number(worst.toExponential(2)),
      }),
    );
  }
  rows.push(cpuRow);
  return rows;
}

/** Fits the host-bound rows (CPU engine, polish on, polish alone) run at most. */
const HOST_FITS = 100_000;

/** A row in fits/s ("median ms" = ms per 1000 fits, as in `batch.ts`). */
function row(name: string, impl: string, fitsPerS: number, extra: Record<string, number | string>): BenchRow {
  const ms = 1e6 / fitsPerS;
  return { section: 'webgpu', name, impl, medianMs: ms, minMs: ms, runs: 1, extra: { fitsPerS: Math.round(fitsPerS), ...extra } };
}
