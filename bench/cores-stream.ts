/**
 * `npm run bench -- cores`, the streaming part: one streaming fit of `a*exp(-b*x) + c` over a
 * generated source of `NLSQ_BENCH_CORES_STREAM` points (default 5·10⁷), never resident. The
 * source serves chunks of 2¹⁷ points cut from one generated block of 2²⁰ points (x on [0, 8),
 * deterministic pseudo-noise) repeated: computing 5·10⁷ exponentials per pass on the main thread
 * would time the generator (≈ 65 ns a point here, more than the fold), not the fold the workers
 * share; a real source's own cost (parsing, decoding) stays on the main thread in the same way.
 * Main thread, 1 worker and 2 workers, exact passes only (`warmup: false`: every pass is a solver
 * evaluation).
 *
 * Each configuration runs in its own process (`node --import tsx bench/cores-stream.ts child N W`)
 * so that its peak RSS (VmHWM, worker threads included) is its own (issue 19: ≤ 300 MB); the pool
 * is started there before the timed fit. Reported: wall time, points folded per second over all
 * passes, nfev, peak RSS.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fit } from '../src/fit.ts';
import { model } from '../src/model/model.ts';
import { terminateWorkers } from '../src/parallel/worker-pool.ts';
import type { SourceChunk } from '../src/sources/data-source.ts';
import type { BenchRow } from './harness.ts';

const CHUNK = 1 << 17;

const BLOCK = 1 << 20;

/** A re-readable generated source of n points: every pass yields the same chunks (see the module documentation). */
function generated(n: number): () => Generator<SourceChunk> {
  const x = new Float64Array(BLOCK);
  const y = new Float64Array(BLOCK);
  for (let q = 0; q < BLOCK; q++) {
    const t = (8 * q) / BLOCK;
    x[q] = t;
    y[q] = 2 * Math.exp(-0.7 * t) + 0.4 + 0.01 * (((q * 2654435761) % 4294967296) / 4294967296 - 0.5);
  }
  return function* pass() {
    for (let s = 0; s < n; s += CHUNK) {
      const at = s % BLOCK;
      const m = Math.min(CHUNK, n - s, BLOCK - at);
      yield { x: x.subarray(at, at + m), y: y.subarray(at, at + m) };
    }
  };
}

interface ChildResult {
  readonly ms: number;
  readonly peak: number;
  readonly popt: number[];
  readonly nfev: number;
  readonly passes: number;
  readonly workers: string;
}

/** The child: start the pool (when asked), then one timed streaming fit; prints one JSON line. */
async function child(n: number, workers: number): Promise<void> {
  const m = model('a*exp(-b*x) + c');
  const options = { p0: [1, 1, 0], warmup: false as const, backend: 'wasm' as const, ...(workers === 0 ? {} : { workers }) };
  await fit(m, generated(CHUNK * Math.max(1, workers) * 2), options); // loads the engine and, with workers, starts the pool
  const t0 = performance.now();
  const r = await fit(m, generated(n), options);
  const ms = performance.now() - t0;
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  const peak = hwm ? Number(hwm[1]) * 1024 : process.resourceUsage().maxRSS * 1024;
  const passes = Number(/(\d+) passes/.exec(r.choices.strategy?.reason ?? '')?.[1] ?? NaN);
  const out: ChildResult = { ms, peak, popt: Array.from(r.popt), nfev: r.nfev, passes, workers: r.choices.workers?.used ?? 'main thread' };
  process.stdout.write(`${JSON.stringify(out)}\n`);
  await terminateWorkers();
}

/** Rows: main thread, 1 worker, 2 workers, each once in its own process. */
export async function benchCoresStream(n = Number(process.env['NLSQ_BENCH_CORES_STREAM'] ?? 50_000_000)): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const name = (what: string) => `stream on workers: ${n} generated points, ${what}`;
  let reference: number[] | null = null;
  const self = fileURLToPath(import.meta.url);
  for (const workers of [0, 1, 2]) {
    const run = spawnSync(process.execPath, ['--import', 'tsx', self, 'child', String(n), String(workers)], { encoding: 'utf8', maxBuffer: 1 << 24 });
    const line = run.stdout.trim().split('\n').at(-1) ?? '';
    if (run.status !== 0 || !line.startsWith('{')) throw new Error(`cores-stream child (${workers} workers) failed: ${run.stderr.slice(-2000)}`);
    const r = JSON.parse(line) as ChildResult;
    reference ??= r.popt;
    const rel = Math.max(...r.popt.map((v, i) => Math.abs(v - reference![i]!) / Math.abs(reference![i]!)));
    rows.push({
      section: 'cores',
      name: name(workers === 0 ? 'main thread' : `${workers} worker${workers === 1 ? '' : 's'}`),
      impl: workers === 0 ? 'nlsq/wasm-simd' : 'nlsq/workers',
      medianMs: r.ms,
      minMs: r.ms,
      runs: 1,
      ...(workers === 0 ? {} : { peer: name(workers === 1 ? 'main thread' : '1 worker') }),
      extra: { ran: r.workers, nfev: r.nfev, passes: r.passes, MptsPerS: Number(((r.passes * n) / r.ms / 1000).toFixed(2)), peakRssMB: Math.round(r.peak / 2 ** 20), relPopt: rel },
    });
  }
  return rows;
}

if (process.argv[2] === 'child') await child(Number(process.argv[3]), Number(process.argv[4]));
