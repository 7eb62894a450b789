/**
 * `npm run bench -- cores`, the batch part: `fitBatch` on Gpufit's test (2-D Gaussian, 5×5
 * points, p = 5, tolerance 1e-4, ≤ 10 iterations; `gpufitBatch` of `batch.ts`) on one thread,
 * 1 worker and 2 workers, timed round-robin after a warm-up (so the pool's start is not timed:
 * it is printed on its own line). Issue 14's target: 2 workers ≥ 1.8× one thread. Every worker
 * row checks that its popt is bitwise the one-thread popt.
 *
 * The machine is shared, so beside the median and min times (5 rounds by default) each row gives
 * what load changes little, where Linux tells it (`/proc/thread-self/schedstat`: time on a CPU,
 * not waiting for one): `mainCpuMs`, the main thread's CPU time per run (for the worker rows: the
 * main thread's own work — validation, copies in and out, messages), and `cpuMs`, the whole
 * process's (all threads: one thread's work against the workers' plus the main thread's); the
 * 2-worker row also gives `minRatio`, one thread's min over its own.
 *
 * Size: `NLSQ_BENCH_CORES_FITS` fits (default 10⁵); rounds: `NLSQ_BENCH_CORES_ROUNDS` (default 5).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fitBatch } from '../src/fit-batch.ts';
import { terminateWorkers } from '../src/parallel/worker-pool.ts';
import { gpufitBatch } from './batch.ts';
import { type BenchRow, measureRoundRobin } from './harness.ts';

/** CPU time of a thread (`/proc/…/schedstat`, ns → ms), or NaN where it cannot be read. */
function schedMs(path: string): number {
  try {
    return Number(readFileSync(path, 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return NaN;
  }
}

/** The main thread's and the whole process's CPU time so far, in ms (NaN off Linux). */
function cpuNow(): { main: number; all: number } {
  let all = 0;
  try {
    for (const task of readdirSync('/proc/self/task')) all += schedMs(`/proc/self/task/${task}/schedstat`) || 0;
  } catch {
    all = NaN;
  }
  return { main: schedMs('/proc/thread-self/schedstat'), all };
}

/** Rows: pool start, one thread, 1 worker, 2 workers (ms per 1000 fits as "median ms"). */
export async function benchCoresBatch(nFits = Number(process.env['NLSQ_BENCH_CORES_FITS'] ?? 100_000)): Promise<BenchRow[]> {
  const b = gpufitBatch(nFits);
  const run = (workers: number) => fitBatch(b.model, { x: b.x, y: b.y }, { p0: b.p0, ...b.options, method: 'lm', ...(workers === 0 ? {} : { workers }) });
  await terminateWorkers();
  const t0 = performance.now();
  await fitBatch(b.model, { x: b.x, y: b.y.subarray(0, 2 * 25) }, { p0: b.p0.subarray(0, 10), ...b.options, method: 'lm', workers: 2 });
  const poolStart = performance.now() - t0;
  const last: Record<number, Awaited<ReturnType<typeof run>>> = {};
  const cpu: Record<number, { main: number[]; all: number[] }> = { 0: { main: [], all: [] }, 1: { main: [], all: [] }, 2: { main: [], all: [] } };
  const rounds = Number(process.env['NLSQ_BENCH_CORES_ROUNDS'] ?? 5);
  let warm = false;
  const [one, w1, w2] = await measureRoundRobin(
    [0, 1, 2].map((w) => async () => {
      const c0 = cpuNow();
      last[w] = await run(w);
      const c1 = cpuNow();
      if (warm) (cpu[w]!.main.push(c1.main - c0.main), cpu[w]!.all.push(c1.all - c0.all));
      if (w === 2) warm = true; // the warm-up round is not counted
    }),
    { warmup: 1, minRuns: rounds, maxRuns: rounds },
  );
  const median = (a: number[]) => [...a].sort((u, v) => u - v)[a.length >> 1]!;
  const cpuOf = (w: number) => (Number.isNaN(median(cpu[w]!.main)) ? {} : { mainCpuMs: median(cpu[w]!.main), cpuMs: median(cpu[w]!.all) });
  const same = (w: number) => (last[w]!.popt.every((v, i) => Object.is(v, last[0]!.popt[i])) ? 'yes' : 'NO');
  const per1000 = (t: { medianMs: number; minMs: number; runs: number }) => ({ medianMs: (t.medianMs * 1000) / nFits, minMs: (t.minMs * 1000) / nFits, runs: t.runs });
  const fps = (t: { medianMs: number }) => Math.round((nFits * 1000) / t.medianMs);
  const name = (what: string) => `fitBatch Gpufit ${nFits} fits ${what}`;
  return [
    { section: 'cores', name: 'fitBatch pool start (2 workers, cold, + 2 fits)', impl: 'nlsq/workers', medianMs: poolStart, minMs: poolStart, runs: 1 },
    { section: 'cores', name: name('one thread'), impl: `nlsq/${last[0]!.plan.engine}`, ...per1000(one!), extra: { fitsPerS: fps(one!), converged: last[0]!.summary().converged, ...cpuOf(0) } },
    { section: 'cores', name: name('1 worker'), impl: 'nlsq/workers', ...per1000(w1!), peer: name('one thread'), extra: { fitsPerS: fps(w1!), bitwise: same(1), ...cpuOf(1) } },
    { section: 'cores', name: name('2 workers'), impl: 'nlsq/workers', ...per1000(w2!), peer: name('one thread'), extra: { fitsPerS: fps(w2!), bitwise: same(2), minRatio: `${(one!.minMs / w2!.minMs).toFixed(2)}x`, ...cpuOf(2), target: '≥1.8x' } },
  ];
}
