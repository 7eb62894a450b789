/**
 * `npm run bench [-- sections...]`: kernel and whole-fit benchmarks with peers.
 *
 *   (none)    quick set: kernels at N = 1e6 (p = 3, 8) and the 1M-point exp-decay fits with peers
 *   kernels   kernels only (p = 3, 8) plus the fold block-size sweep
 *   fits      the 1M-point fits with peers and the 10M-point Gaussian fit
 *   workflow  chunked vs standard on 10M points; streaming over 50M generated points (peak RSS)
 *   closure   closure lifting: a 1M-point closure (lifted, and with lift: false) beside model() and SciPy lm
 *   small     N = 100 and 1,000 fits (curveFit, curveFitSync, closures) beside SciPy lm; a cold
 *             process beside Python's; calls of a costly residual function beside SciPy's
 *   batch     fitBatch: Gpufit's 2-D Gaussian test (10⁵ fits), 10⁴ 1-D Gaussians, a variable-length batch, and the bounded (trf)
 *             Gpufit and 1-D batches, vs a SciPy loop and curveFitSync (NLSQ_BENCH_BATCH_ONLY=trf: the bounded rows only)
 *   cores     one big fit on every core (workers: 1, 2 … availableParallelism()) beside SciPy lm
 *   data      data where it lives: fitSql in DuckDB vs curveFit in memory; PostgreSQL one server vs 3 postgres_fdw shards (bench/data-sql.ts);
 *             fit() streaming through a Parquet file (10⁷ rows) vs in-memory arrays: time and peak RSS (bench/data-files.ts)
 *   data-files  the Parquet part of `data` alone, with fitSql on DuckDB reading the file in place; NLSQ_BENCH_DATA_ROWS=1e8 for 10⁸ rows
 *   global    32-start Sobol multi-start on the rugged set beside SciPy curve_fit in a loop over the same starts;
 *             the profile of a 4-parameter fit (batched refits) vs the same refits as sequential curveFit calls
 *   stacked   fitGlobal of 8 datasets (blocks) vs the stacked model without blocks vs the concatenated fit (cpu, wasm-simd)
 *   webgpu    device evaluation and fits through Node's optional `webgpu` package (software adapters labelled)
 *   all       everything
 *
 * Prints tables (median, min, runs, speed-up vs the named peer) and writes JSON under
 * bench/results/. Timings are wall-clock medians from performance.now after warm-up.
 */
import { cpus } from 'node:os';
import { benchBlockSizes, benchKernels, kernelBackends } from './kernels.ts';
import { benchBatch } from './batch.ts';
import { benchClosureLift } from './closure.ts';
import { benchCalls, benchCold, benchSmallFits } from './small.ts';
import { benchCores } from './cores.ts';
import { benchDataFiles } from './data-files.ts';
import { benchCmaes, benchGlobal } from './global.ts';
import { benchStacked } from './global-fit.ts';
import { benchProfile } from './profile.ts';
import { benchExpDecay, benchGaussBg, loadFitLibrary } from './fits.ts';
import { type BenchRow, applyPeers, printTable, writeResults } from './harness.ts';
import { checkTargets, printTargets } from './targets.ts';
import { benchChunkedVsStandard, benchStreaming } from './workflow.ts';
import { benchWebGPU } from './webgpu.ts';
import { benchDataSql } from './data-sql.ts';

const SECTIONS = ['quick', 'kernels', 'fits', 'closure', 'small', 'global', 'stacked', 'workflow', 'batch', 'cores', 'data', 'data-files', 'webgpu', 'all'] as const;
type Section = (typeof SECTIONS)[number];

function parseArgs(argv: string[]): Section {
  const arg = argv.find((a) => !a.startsWith('-')) ?? 'quick';
  if (!(SECTIONS as readonly string[]).includes(arg)) {
    process.stderr.write(`bench: section must be one of ${SECTIONS.join(', ')}, got ${JSON.stringify(arg)}\n`);
    process.exit(2);
  }
  return arg as Section;
}

async function main(): Promise<void> {
  const section = parseArgs(process.argv.slice(2));
  const meta = { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, date: new Date().toISOString(), section };
  process.stdout.write(`nlsq bench: ${section} (${meta.node}, ${meta.cores} × ${meta.cpu})\n`);
  const backends = await kernelBackends();
  const rows: BenchRow[] = [];
  const N = 1_000_000;
  const BLOCK = 2048;

  if (section === 'quick' || section === 'kernels' || section === 'all') {
    const k = await benchKernels(backends, N, [3, 8], BLOCK);
    applyPeers(k);
    printTable(`kernels, N = ${N}, blocks of ${BLOCK} rows`, k);
    rows.push(...k);
  }
  if (section === 'kernels' || section === 'all') {
    const s = await benchBlockSizes(backends, N, 8, [256, 512, 1024, 2048, 4096]);
    printTable('fold block-size sweep (p = 8)', s);
    rows.push(...s);
  }
  if (section === 'quick' || section === 'fits' || section === 'all') {
    const lib = await loadFitLibrary();
    if (typeof lib === 'string') {
      process.stdout.write(`\n(fits skipped: ${lib})\n`);
    } else {
      const fitBackends = backends.filter((b) => b.info.name !== 'wasm-scalar');
      const skip = (what: string) => (e: Error): BenchRow[] => {
        process.stdout.write(`(${what} failed: ${e.message})\n`);
        return [];
      };
      const f = await benchExpDecay(lib, fitBackends, N, true).catch(skip('exp-decay fits'));
      if (section !== 'quick') f.push(...(await benchGaussBg(lib, fitBackends, 10_000_000, true).catch(skip('Gaussian fits'))));
      applyPeers(f);
      printTable('whole fits', f);
      rows.push(...f);
    }
  }
  if (section === 'closure' || section === 'all') {
    const lib = await loadFitLibrary();
    if (typeof lib === 'string') {
      process.stdout.write(`\n(closure section skipped: ${lib})\n`);
    } else {
      const c = await benchClosureLift(lib, N, true);
      applyPeers(c);
      printTable('closure lifting: closure vs model() vs SciPy lm', c);
      rows.push(...c);
    }
  }
  if (section === 'small' || section === 'all') {
    const s = await benchSmallFits([100, 1000], 200);
    s.push(...benchCold());
    applyPeers(s);
    printTable('small fits: nlsq vs SciPy curve_fit lm (python3); cold process', s);
    rows.push(...s);
    const c = await benchCalls();
    printTable('a costly residual function: calls of fun, nlsq leastSquares vs SciPy least_squares (python3)', c);
    rows.push(...c);
  }
  if (section === 'global' || section === 'all') {
    const g = await benchGlobal(true);
    applyPeers(g);
    printTable('global: multi-start on the rugged set vs a SciPy curve_fit loop', g);
    rows.push(...g);
    const cm = await benchCmaes();
    applyPeers(cm);
    printTable('global: the CMA-ES search, each generation one population walk vs point by point ("vs peer" = point by point / this)', cm);
    rows.push(...cm);
    const pr = await benchProfile();
    applyPeers(pr);
    printTable('global: the profile likelihood of a 4-parameter fit, batched vs sequential curveFit', pr);
    rows.push(...pr);
  }
  if (section === 'stacked' || section === 'all') {
    const g = await benchStacked(backends.filter((b) => b.info.name !== 'wasm-scalar'));
    applyPeers(g);
    printTable('fitGlobal: k datasets with blocks vs the stacked model without vs the concatenated data ("vs peer" = concatenated / this)', g);
    rows.push(...g);
  }
  if (section === 'workflow' || section === 'all') {
    // Streaming first, so that its peak RSS is not inflated by the 10M-point resident arrays.
    const w = await benchStreaming(50_000_000);
    w.push(...(await benchChunkedVsStandard(10_000_000)));
    applyPeers(w);
    printTable('workflow: chunked vs standard, streaming out of core', w);
    rows.push(...w);
  }
  if (section === 'batch' || section === 'all') {
    const b = await benchBatch(Number(process.env['NLSQ_BENCH_BATCH_SCALE'] ?? 1), process.env['NLSQ_BENCH_BATCH_ONLY'] ?? '');
    applyPeers(b);
    printTable('fitBatch (fits/s in extra; "median ms" = ms per 1000 fits; ratio = fits/s over the SciPy loop)', b);
    rows.push(...b);
  }
  if (section === 'cores' || section === 'all') {
    const c = await benchCores();
    applyPeers(c);
    printTable('cores: one fit on 1 … availableParallelism() workers (2 vs 1 worker timed round-robin)', c);
    rows.push(...c);
  }
  if (section === 'data' || section === 'all') {
    const d = await benchDataSql(Number(process.env['NLSQ_BENCH_SQL_ROWS'] ?? 1_000_000));
    applyPeers(d);
    printTable('data: in-database fits (fitSql)', d);
    rows.push(...d);
  }
  if (section === 'data' || section === 'data-files' || section === 'all') {
    const f = await benchDataFiles(Number(process.env['NLSQ_BENCH_DATA_ROWS'] ?? 10_000_000));
    applyPeers(f);
    printTable('data: Parquet file (streaming; in place in DuckDB) vs in-memory arrays', f);
    rows.push(...f);
  }
  if (section === 'webgpu' || section === 'all') {
    const g = await benchWebGPU(section === 'all' ? 10_000_000 : 1_000_000);
    printTable('webgpu (Node, optional webgpu package)', g);
    rows.push(...g);
  }
  const targets = checkTargets(rows, N);
  printTargets(targets);
  process.stdout.write(`\nresults: ${writeResults(section, rows, { ...meta, targets })}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
