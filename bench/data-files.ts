/**
 * `npm run bench -- data` (file part): `fit()` streaming through `parquetFileSource` over an
 * N-row Parquet file vs the same fit on the same rows as in-memory arrays — wall time and peak
 * RSS of the fitting process — and, to separate the reader's cost from the streaming strategy's,
 * the streaming fit over the same arrays as an `arraySource`. Each fit runs in its own child process (`data-files-child.ts`), so
 * its peak RSS (VmHWM) is its own and not the writer's. The file (columns t, y as required
 * DOUBLE, Snappy, row groups of 1,000,000 rows — pyarrow's default size) is written once per run
 * under the OS temp folder, row group by row group, and deleted afterwards.
 *
 * Also `fitSql` on an embedded DuckDB reading the same file in place (`table: { parquet }`,
 * DuckDB's `read_parquet`), its peak RSS being the nlsq process's with DuckDB inside it.
 *
 * N is 10⁷ by default; `NLSQ_BENCH_DATA_ROWS=1e8 npm run bench -- data-files` runs the issue's
 * 10⁸ rows (a 1.6 GB file) in this part alone. The in-memory reference runs where the free
 * memory holds four times its arrays.
 *
 * ## Measured (2 cores shared with other engineers' jobs — load average 15–30 — Node 20.20, DuckDB 1.5)
 *
 * `NLSQ_BENCH_DATA_ROWS=1e7 npm run bench -- data-files` (146 MB file): in-memory arrays 3.18 s
 * (peak RSS 588 MB), arraySource streaming 3.22 s (277 MB), parquetFileSource streaming 13.8 s
 * (185 MB; 41.7 s before the reader decoded pages straight into typed arrays), fitSql on DuckDB
 * reading the file in place 42.5 s (541 MB, DuckDB's buffers inside the process). The Parquet
 * reader alone, old against new side by side on the same 10⁷-row file: one pass 7.8–8.5 s →
 * 0.6–1.2 s (7–14×), the streaming fit 32–59 s → 16–20 s (2–3×; the rest is the streaming fit's
 * own passes on a loaded machine — unloaded, the same fit took 2.4 s).
 *
 * `NLSQ_BENCH_DATA_ROWS=1e8 npm run bench -- data-files` (1,428 MB file, written in 312 s), one
 * run each: in-memory arrays 20.0 s (chunked; peak RSS 2,420 MB), arraySource streaming 103 s
 * (1,633 MB, the arrays themselves), parquetFileSource streaming 340 s (peak RSS 210 MB, 80 MB
 * above the process before the fit: the file never in memory), fitSql on DuckDB reading the file
 * in place 356 s (peak RSS 4,121 MB: DuckDB's buffer pool, which defaults to 80 % of RAM — set
 * its `memory_limit` to bound it). All four agree on popt to 10 digits.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { freemem, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchRow } from './harness.ts';
import { dataRows } from './data-rows.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ROW_GROUP = 1_000_000;

/** Write the benchmark rows to a Parquet file, one row group at a time (bounded memory). */
async function writeParquet(path: string, n: number): Promise<void> {
  const { ParquetWriter, fileWriter } = (await import('hyparquet-writer')) as unknown as {
    ParquetWriter: new (o: object) => { write(o: object): void; finish(): void };
    fileWriter: (p: string) => object;
  };
  const schema = [
    { name: 'root', num_children: 2 },
    { name: 't', type: 'DOUBLE', repetition_type: 'REQUIRED' },
    { name: 'y', type: 'DOUBLE', repetition_type: 'REQUIRED' },
  ];
  const pq = new ParquetWriter({ writer: fileWriter(path), schema });
  for (let s = 0; s < n; s += ROW_GROUP) {
    const { t, y } = dataRows(s, Math.min(n, s + ROW_GROUP), n);
    pq.write({ columnData: [{ name: 't', data: t }, { name: 'y', data: y }], rowGroupSize: ROW_GROUP });
  }
  pq.finish();
}

interface ChildResult {
  ms: number;
  before: number;
  peak: number;
  popt: number[];
  nfev: number;
  strategy: string;
}

function child(mode: 'parquet' | 'memory' | 'memory-streaming' | 'duckdb', path: string, n: number): ChildResult {
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'data-files-child.ts'), mode, path, String(n)], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 20 });
  if (run.status !== 0) throw new Error(`${mode} child failed (${run.status}): ${run.stderr.slice(-2000)}`);
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as ChildResult;
}

const mb = (b: number): number => Math.round(b / 2 ** 20);

/**
 * Parquet streaming vs in-memory arrays, one child process each (one timed fit apiece: a fit of
 * 10⁷ rows is long enough that its single time is stable to a few percent).
 *
 * @param n - rows.
 * @returns the three rows, the in-memory fit being the peer.
 */
export async function benchDataFiles(n: number): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'nlsq-bench-data-'));
  const path = join(dir, 'rows.parquet');
  try {
    const w0 = performance.now();
    await writeParquet(path, n);
    const writeMs = performance.now() - w0;
    const size = statSync(path).size;
    process.stdout.write(`(data: wrote ${n} rows, ${mb(size)} MB, to ${path} in ${(writeMs / 1000).toFixed(1)} s)\n`);
    // the in-memory fits hold t and y (16 bytes a row) and the fit's work arrays: only where a
    // quarter of the free memory holds four times the arrays
    const inMemory = 64 * n < freemem();
    if (!inMemory) process.stdout.write(`(data: ${n} rows — the in-memory reference skipped: ${mb(64 * n)} MB > free ${mb(freemem())} MB)\n`);
    const memory = inMemory ? child('memory', '-', n) : undefined;
    const memoryStreaming = inMemory ? child('memory-streaming', '-', n) : undefined;
    const parquet = child('parquet', path, n);
    const inDuckdb = child('duckdb', path, n);
    const row = (name: string, impl: string, r: ChildResult): BenchRow => ({
      section: 'data',
      name,
      impl,
      medianMs: r.ms,
      minMs: r.ms,
      runs: 1,
      extra: { rows: n, fileMB: mb(size), rssBeforeMB: mb(r.before), peakRssMB: mb(r.peak), nfev: r.nfev, strategy: r.strategy, popt: r.popt.map((v) => v.toPrecision(10)).join(' ') },
    });
    const peer = memory === undefined ? `exp-decay fit of ${n} rows, Parquet file` : `exp-decay fit of ${n} rows, in-memory arrays`;
    const rows = [
      ...(memory === undefined ? [] : [row(peer, 'in-memory arrays', memory)]),
      ...(memoryStreaming === undefined ? [] : [{ ...row(`exp-decay fit of ${n} rows, arrays as a source`, 'arraySource (streaming)', memoryStreaming), peer }]),
      { ...row(`exp-decay fit of ${n} rows, Parquet file`, 'parquetFileSource (streaming)', parquet), ...(memory === undefined ? {} : { peer }) },
      { ...row(`exp-decay fit of ${n} rows, Parquet file in DuckDB`, 'fitSql, DuckDB read_parquet in place', inDuckdb), peer },
    ];
    for (const r of rows) process.stdout.write(`  ${r.impl}: ${(r.medianMs / 1000).toFixed(2)} s, peak RSS ${r.extra!['peakRssMB']} MB (before the fit ${r.extra!['rssBeforeMB']} MB), nfev ${r.extra!['nfev']}, ${r.extra!['strategy']}\n`);
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
