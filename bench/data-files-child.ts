/**
 * One measured fit of the `data` benchmark, in its own process so that its peak RSS is its own:
 *
 *   node --import tsx bench/data-files-child.ts parquet FILE N   # fit() streaming through parquetFileSource
 *   node --import tsx bench/data-files-child.ts memory  -    N   # the same fit on in-memory arrays
 *   node --import tsx bench/data-files-child.ts memory-streaming - N   # the streaming fit over the arrays (arraySource)
 *   node --import tsx bench/data-files-child.ts duckdb FILE N    # fitSql on an embedded DuckDB reading FILE in place (read_parquet)
 *
 * Prints one JSON line: the fit's wall time (ms), RSS before the fit and the process's peak RSS
 * (VmHWM, Linux; bytes), popt, nfev and the strategy that ran.
 */
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { arraySource, fit, fitSql, model } from '../src/index.ts';
import { duckdb } from '../src/sql/index.ts';
import { parquetFileSource } from '../src/node/index.ts';
import { dataRows } from './data-rows.ts';

const [mode, path, nText] = process.argv.slice(2);
const n = Number(nText);
const m = model('a*exp(-b*x) + c');
const p0 = [2, 1, 0.4];

function peakRss(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : process.resourceUsage().maxRSS * 1024;
}

let run: () => Promise<{ popt: readonly number[]; nfev: number; strategy: string }>;
if (mode === 'parquet') {
  const source = parquetFileSource(path!, { x: 't', y: 'y' });
  for await (const _ of source) break; // load hyparquet before the baseline
  run = () => fit(m, source, { p0, workflow: 'streaming' });
} else if (mode === 'duckdb') {
  const connection = await (await DuckDBInstance.create(':memory:')).connect();
  await connection.run('SELECT 1'); // the engine started before the baseline
  run = async () => {
    const r = await fitSql(m, { db: duckdb(connection), table: { parquet: path! }, x: 't', y: 'y' }, { p0 });
    return { popt: r.popt, nfev: r.nfev, strategy: `${r.choices.strategy.used} (${r.choices.backend.used})` };
  };
} else if (mode === 'memory-streaming') {
  const { t, y } = dataRows(0, n);
  run = () => fit(m, arraySource({ x: t, y }, 65_536), { p0, workflow: 'streaming' });
} else {
  const { t, y } = dataRows(0, n);
  run = () => fit(m, t, y, { p0 });
}
const before = process.memoryUsage().rss;
const t0 = performance.now();
const r = await run();
const ms = performance.now() - t0;
process.stdout.write(`${JSON.stringify({ ms, before, peak: peakRss(), popt: r.popt, nfev: r.nfev, strategy: r.strategy })}\n`);
