/**
 * Workflow benchmarks (issue: exact chunked and out-of-core streaming):
 * - chunked vs standard on 10M points of y = a·exp(−b·x) + c (expression model, default backend):
 *   the time ratio chunked / standard, measured round-robin so load hits both alike;
 * - streaming over 50M points generated on the fly (never resident): points per second per pass
 *   and the peak resident set size, sampled after every source chunk.
 */
import { fit } from '../src/fit.ts';
import { model } from '../src/model/model.ts';
import type { SourceChunk } from '../src/sources/data-source.ts';
import { type BenchRow, gaussian, measureRoundRobin, rng } from './harness.ts';
import { expDecayData } from './fits.ts';

const seed = model('a*exp(-b*x) + c');

/** Chunked vs standard on n resident points. */
export async function benchChunkedVsStandard(n: number): Promise<BenchRow[]> {
  const { x, y } = expDecayData(n);
  const run = (workflow: 'standard' | 'chunked') => () => fit(seed, x, y, { p0: [1, 1, 0], workflow, ...(workflow === 'chunked' ? { chunkSize: 1_000_000 } : {}) });
  const first = await run('standard')();
  const [standard, chunked] = await measureRoundRobin([run('standard'), run('chunked')], { warmup: 0, minRuns: 3, maxRuns: 3 });
  const extra = { nfev: first.nfev, backend: first.backend };
  return [
    { section: 'workflow', name: `standard ${n / 1e6}M`, impl: first.backend, ...standard!, extra },
    { section: 'workflow', name: `chunked ${n / 1e6}M (1M per chunk)`, impl: first.backend, ...chunked!, peer: `standard ${n / 1e6}M`, extra },
  ];
}

/** A re-readable source of n points in chunks, generated deterministically on every pass. */
function generatedSource(n: number, chunk: number): { source: () => AsyncGenerator<SourceChunk>; peakRss: () => number } {
  let peak = 0;
  const x = new Float64Array(chunk);
  const y = new Float64Array(chunk);
  async function* pass(): AsyncGenerator<SourceChunk> {
    for (let start = 0, k = 0; start < n; start += chunk, k++) {
      const m = Math.min(chunk, n - start);
      const noise = gaussian(rng(1000 + k));
      for (let i = 0; i < m; i++) {
        x[i] = (5 * (start + i)) / (n - 1);
        y[i] = 3.0 * Math.exp(-1.2 * x[i]!) + 0.5 + 0.01 * noise();
      }
      peak = Math.max(peak, process.memoryUsage.rss());
      yield { x: x.subarray(0, m), y: y.subarray(0, m) };
    }
  }
  return { source: pass, peakRss: () => peak };
}

/** Streaming over n generated points: per-pass throughput and peak RSS. */
export async function benchStreaming(n: number): Promise<BenchRow[]> {
  const gen = generatedSource(n, 100_000);
  const baseline = process.memoryUsage.rss();
  const t0 = performance.now();
  const r = await fit(seed, gen.source, { p0: [1, 1, 0] });
  const ms = performance.now() - t0;
  const passes = Number(/(\d+) passes/.exec(r.choices.strategy.reason)?.[1] ?? NaN);
  return [
    {
      section: 'workflow',
      name: `streaming ${n / 1e6}M generated`,
      impl: r.backend,
      medianMs: ms,
      minMs: ms,
      runs: 1,
      extra: {
        passes,
        pointsPerSecondPerPass: Math.round((n * passes) / (ms / 1000)),
        peakRssMB: Math.round(gen.peakRss() / 2 ** 20),
        rssGrowthMB: Math.round((gen.peakRss() - baseline) / 2 ** 20),
        nfev: r.nfev,
        success: String(r.success),
        popt: r.popt.map((v) => v.toFixed(6)).join('/'),
      },
    },
  ];
}
