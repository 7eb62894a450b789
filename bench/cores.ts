/**
 * `npm run bench -- cores`: one big fit on every core (the `workers` option, issue 19).
 *
 * - 10M-point Gaussian + linear background (5 parameters) and the 1M-point `a*exp(-b*x)+c`:
 *   the main thread (wasm-simd), then 1 and 2 workers timed round-robin (so load from other
 *   processes on a shared machine hits both alike; the 2-worker row's ratio is against 1 worker),
 * - the scaling table for 1 … availableParallelism() workers (ratio against 1 worker),
 * - SciPy `curve_fit(method='lm')` on the same data in the same run (`python3` on PATH).
 *
 * Every workers row checks that its popt equals the main thread's to 1e-12 relative.
 *
 * Before them: a streaming fit of generated points on 1 and 2 workers with peak RSS
 * (`cores-stream.ts`, first so that the process's maxRSS is its own) and `fitBatch` on Gpufit's
 * test on 1 and 2 workers (`cores-batch.ts`). `NLSQ_BENCH_CORES_PARTS` (comma-separated: stream,
 * batch, fit) runs only some parts.
 */
import { availableParallelism } from 'node:os';
import { createWasmBackend } from '../src/backends/backend-factories.ts';
import { curveFit } from '../src/curve-fit.ts';
import { model } from '../src/model/model.ts';
import { terminateWorkers } from '../src/parallel/worker-pool.ts';
import { benchCoresBatch } from './cores-batch.ts';
import { benchCoresStream } from './cores-stream.ts';
import { expDecayData, gaussBgData } from './fits.ts';
import { type BenchRow, measure, measureRoundRobin } from './harness.ts';
import { runScipy, scipyUnavailable } from './peers/scipy.ts';

interface Case {
  readonly label: string;
  readonly kind: 'gauss_bg' | 'expdecay';
  readonly n: number;
  readonly expr: string;
  readonly params?: readonly string[];
  readonly p0: number[];
  readonly rounds: number;
}

const CASES: readonly Case[] = [
  { label: 'gauss_bg', kind: 'gauss_bg', n: 10_000_000, expr: 'a*exp(-(x - mu)^2/(2*s^2)) + b0 + b1*x', params: ['a', 'mu', 's', 'b0', 'b1'], p0: [4, 1.5, 1, 0.5, 0], rounds: 3 },
  { label: 'expdecay', kind: 'expdecay', n: 1_000_000, expr: 'a*exp(-b*x) + c', p0: [1, 1, 0], rounds: 7 },
];

function maxRel(a: readonly number[], b: readonly number[]): number {
  return Math.max(...a.map((v, i) => Math.abs(v - b[i]!) / Math.abs(b[i]!)));
}

/** The cores section: rows for both cases (see the module documentation). */
export async function benchCores(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const parts = (process.env['NLSQ_BENCH_CORES_PARTS'] ?? 'stream,batch,fit').split(',');
  if (parts.includes('stream')) rows.push(...(await benchCoresStream()));
  if (parts.includes('batch')) rows.push(...(await benchCoresBatch()));
  if (!parts.includes('fit')) return rows;
  const cores = availableParallelism();
  const backend = await createWasmBackend();
  const scipy = scipyUnavailable();
  if (scipy !== null) process.stdout.write(`(SciPy peer skipped: ${scipy})\n`);
  for (const c of CASES) {
    const { x, y } = c.kind === 'gauss_bg' ? gaussBgData(c.n) : expDecayData(c.n);
    const m = model(c.expr, c.params === undefined ? {} : { params: c.params });
    const name = (what: string) => `${c.label} n=${c.n} ${what}`;
    const fitWith = (workers: number) => curveFit(m, x, y, { p0: c.p0, backend, ...(workers === 0 ? {} : { workers }) });
    const reference = await fitWith(0);
    const extra = (r: Awaited<ReturnType<typeof fitWith>>) => ({ nfev: r.nfev, relPopt: maxRel(r.popt, reference.popt) });
    if (scipy === null) {
      const s = runScipy(x, y, c.kind, c.p0, 'lm', 1);
      rows.push({ section: 'cores', name: name('scipy lm (python3)'), impl: 'scipy/lm', medianMs: s.median_s * 1e3, minMs: s.min_s * 1e3, runs: s.runs, extra: { nfev: s.nfev } });
    }
    const peer = scipy === null ? name('scipy lm (python3)') : undefined;
    const last: Record<number, Awaited<ReturnType<typeof fitWith>>> = {};
    const [main, one, two] = await measureRoundRobin(
      [0, 1, 2].map((w) => async () => {
        last[w] = await fitWith(w);
      }),
      { warmup: 1, minRuns: c.rounds, maxRuns: c.rounds },
    );
    rows.push({ section: 'cores', name: name('main thread'), impl: 'nlsq/wasm-simd', ...main!, ...(peer ? { peer } : {}), extra: extra(last[0]!) });
    rows.push({ section: 'cores', name: name('1 worker'), impl: 'nlsq/workers', ...one!, peer: name('main thread'), extra: extra(last[1]!) });
    rows.push({ section: 'cores', name: name('2 workers'), impl: 'nlsq/workers', ...two!, peer: name('1 worker'), extra: extra(last[2]!) });
    for (let w = 3; w <= cores; w++) {
      let r = reference;
      const t = await measure(async () => {
        r = await fitWith(w);
      }, { warmup: 1, minRuns: Math.min(3, c.rounds), maxRuns: Math.min(3, c.rounds), minTimeMs: 0 });
      rows.push({ section: 'cores', name: name(`${w} workers`), impl: 'nlsq/workers', ...t, peer: name('1 worker'), extra: extra(r) });
    }
  }
  await terminateWorkers();
  return rows;
}
