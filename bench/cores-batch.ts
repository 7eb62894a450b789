/**
 * `npm run bench -- cores`, the batch part: `fitBatch` on Gpufit's test (2-D Gaussian, 5×5
 * points, p = 5, tolerance 1e-4, ≤ 10 iterations; `gpufitBatch` of `batch.ts`) on one thread,
 * 1 worker and 2 workers, timed round-robin after a warm-up (so the pool's start is not timed:
 * it is printed on its own line). Issue 14's target: 2 workers ≥ 1.8× one thread. Every worker
 * row checks that its popt is bitwise the one-thread popt.
 *
 * Size: `NLSQ_BENCH_CORES_FITS` fits (default 10⁵).
 */
import { fitBatch } from '../src/fit-batch.ts';
import { terminateWorkers } from '../src/parallel/worker-pool.ts';
import { gpufitBatch } from './batch.ts';
import { type BenchRow, measureRoundRobin } from './harness.ts';

/** Rows: pool start, one thread, 1 worker, 2 workers (ms per 1000 fits as "median ms"). */
export async function benchCoresBatch(nFits = Number(process.env['NLSQ_BENCH_CORES_FITS'] ?? 100_000)): Promise<BenchRow[]> {
  const b = gpufitBatch(nFits);
  const run = (workers: number) => fitBatch(b.model, { x: b.x, y: b.y }, { p0: b.p0, ...b.options, method: 'lm', ...(workers === 0 ? {} : { workers }) });
  await terminateWorkers();
  const t0 = performance.now();
  await fitBatch(b.model, { x: b.x, y: b.y.subarray(0, 2 * 25) }, { p0: b.p0.subarray(0, 10), ...b.options, method: 'lm', workers: 2 });
  const poolStart = performance.now() - t0;
  const last: Record<number, Awaited<ReturnType<typeof run>>> = {};
  const [one, w1, w2] = await measureRoundRobin(
    [0, 1, 2].map((w) => async () => {
      last[w] = await run(w);
    }),
    { warmup: 1, minRuns: 3, maxRuns: 3 },
  );
  const same = (w: number) => (last[w]!.popt.every((v, i) => Object.is(v, last[0]!.popt[i])) ? 'yes' : 'NO');
  const per1000 = (t: { medianMs: number; minMs: number; runs: number }) => ({ medianMs: (t.medianMs * 1000) / nFits, minMs: (t.minMs * 1000) / nFits, runs: t.runs });
  const fps = (t: { medianMs: number }) => Math.round((nFits * 1000) / t.medianMs);
  const name = (what: string) => `fitBatch Gpufit ${nFits} fits ${what}`;
  return [
    { section: 'cores', name: 'fitBatch pool start (2 workers, cold, + 2 fits)', impl: 'nlsq/workers', medianMs: poolStart, minMs: poolStart, runs: 1 },
    { section: 'cores', name: name('one thread'), impl: `nlsq/${last[0]!.plan.engine}`, ...per1000(one!), extra: { fitsPerS: fps(one!), converged: last[0]!.summary().converged } },
    { section: 'cores', name: name('1 worker'), impl: 'nlsq/workers', ...per1000(w1!), peer: name('one thread'), extra: { fitsPerS: fps(w1!), bitwise: same(1) } },
    { section: 'cores', name: name('2 workers'), impl: 'nlsq/workers', ...per1000(w2!), peer: name('one thread'), extra: { fitsPerS: fps(w2!), bitwise: same(2), target: '≥1.8x' } },
  ];
}
