/**
 * Bounded memory: each reader fits a file larger than the test child's heap limit
 * (`--max-old-space-size=24`, and 2 MB semi-spaces so that the young generation's slack does not
 * blur the measure; V8's whole heap limit is then about 30 MB) and its resident memory grows by
 * less than three quarters of the file. (Not half: a reader that decodes into typed arrays leaves
 * its dead chunk buffers outside the JS heap, and V8 collects them once about 64 MB of external
 * memory has accumulated since the last GC — measured for the Parquet reader: 62–79 MB of growth
 * on this 131 MB file and 65 MB on a 262 MB one of 1.8·10⁷ rows, so the growth is that slack,
 * not the file.) The child runs the built package (`dist/`, built when stale like the
 * package tests do) in plain Node: no TypeScript loader thread shares its heap limit. It measures
 * its RSS after loading the reader (one chunk read) and its peak RSS (`VmHWM` of
 * `/proc/self/status`, Linux) after a streaming fit; typed arrays live outside the JS heap, so the
 * RSS bound is the one that shows the file was never read whole.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordBatch, RecordBatchFileWriter, makeVector } from 'apache-arrow';

import { DIST_ENTRY, ROOT, ensureDist } from '../package/dist-build.ts';

const skipReason = ensureDist();
const N = 9_000_000; // 2 float64 columns: 144 MB of values, over four times the child's whole heap limit
const BATCH = 65_536;
const dir = mkdtempSync(join(tmpdir(), 'nlsq-mem-'));
const files = { parquet: join(dir, 'big.parquet'), arrow: join(dir, 'big.arrow'), hdf5: join(dir, 'big.h5') };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TRUTH = [2.5, 1.3, 0.5];
function rows(s: number, e: number): { t: Float64Array; y: Float64Array } {
  const t = Float64Array.from({ length: e - s }, (_, i) => (4 * (s + i)) / N);
  return { t, y: t.map((v, i) => TRUTH[0]! * Math.exp(-TRUTH[1]! * v) + TRUTH[2]! + 1e-3 * Math.sin(s + i)) };
}

beforeAll(async () => {
  const all = rows(0, N);
  const { parquetWriteFile } = await import('hyparquet-writer');
  parquetWriteFile({ filename: files.parquet, columnData: [{ name: 't', data: all.t, type: 'DOUBLE', nullable: false }, { name: 'y', data: all.y, type: 'DOUBLE', nullable: false }], rowGroupSize: 200_000 } as never);
  const out = createWriteStream(files.arrow);
  const writer = RecordBatchFileWriter.throughNode();
  writer.pipe(out);
  for (let s = 0; s < N; s += BATCH) {
    const e = Math.min(N, s + BATCH);
    writer.write(new RecordBatch({ t: makeVector(all.t.subarray(s, e)).data[0]!, y: makeVector(all.y.subarray(s, e)).data[0]! }));
  }
  writer.end();
  await once(out, 'close');
  const h5 = await import('h5wasm/node');
  await h5.ready;
  const f = new h5.File(files.hdf5, 'w');
  f.create_dataset({ name: 't', data: all.t, chunks: [65_536] });
  f.create_dataset({ name: 'y', data: all.y, chunks: [65_536] });
  f.close();
}, 180_000);

const CHILD = `
import { fit, model } from ${JSON.stringify(DIST_ENTRY)};
import { parquetFileSource, arrowFileSource, hdf5FileSource } from ${JSON.stringify(join(ROOT, 'dist', 'node', 'index.js'))};
const [format, path] = process.argv.slice(2);
const make = { parquet: () => parquetFileSource(path, { x: 't', y: 'y' }), arrow: () => arrowFileSource(path, { x: 't', y: 'y' }), hdf5: () => hdf5FileSource(path, { x: '/t', y: '/y' }) }[format];
for await (const _ of make()) break; // load the reader (and h5wasm's wasm) before the baseline
const before = process.memoryUsage().rss;
const r = await fit(model('a*exp(-b*x) + c'), make(), { p0: [2, 1, 0.4], workflow: 'streaming' });
// VmHWM: this process's peak RSS (resourceUsage().maxRSS would carry the forking parent's peak across exec)
const hwm = Number(/VmHWM:\\s+(\\d+) kB/.exec((await import('node:fs')).readFileSync('/proc/self/status', 'utf8'))[1]) * 1024;
console.log(JSON.stringify({ before, peak: hwm, heapLimit: (await import('node:v8')).getHeapStatistics().heap_size_limit, popt: r.popt, strategy: r.strategy }));
`;

describe.skipIf(skipReason !== null || process.platform !== 'linux').each(['parquet', 'arrow', 'hdf5'] as const)(`%s: a file larger than the heap limit${skipReason ? ` (skipped: ${skipReason})` : ''}`, (format) => {
  it('fits in a child with a 24 MB old space, RSS growing by less than three quarters of the file', () => {
    const script = join(dir, `child-${format}.mjs`);
    writeFileSync(script, CHILD);
    const size = statSync(files[format]).size;
    const run = spawnSync(process.execPath, ['--max-old-space-size=24', '--max-semi-space-size=2', script, format, files[format]], { cwd: ROOT, encoding: 'utf8', timeout: 240_000 });
    expect(run.stderr).toBe('');
    const out = JSON.parse(run.stdout.trim().split('\n').pop()!) as { before: number; peak: number; heapLimit: number; popt: number[]; strategy: string };
    console.log(`${format}: file ${(size / 2 ** 20).toFixed(0)} MB, heap limit ${(out.heapLimit / 2 ** 20).toFixed(0)} MB, RSS ${(out.before / 2 ** 20).toFixed(0)} MB before the fit, peak ${(out.peak / 2 ** 20).toFixed(0)} MB`);
    expect(size).toBeGreaterThan(out.heapLimit);
    expect(out.strategy).toBe('streaming');
    expect(out.popt).toBeAllclose(TRUTH, { rtol: 1e-3 });
    expect(out.peak - out.before).toBeLessThan(0.75 * size);
  }, 240_000);
});
