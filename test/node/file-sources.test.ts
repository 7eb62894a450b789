import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataSourceError, NlsqRangeError, NlsqTypeError } from '../../src/errors.ts';
import { csvFileSource, float64FileSource } from '../../src/node/index.ts';
import { ChunkNormalizer, arraySource, classifySource, readPass } from '../../src/sources/data-source.ts';
import { streamingFit } from '../../src/streaming/streaming-fit.ts';
import { cpu, expData, expKernel, maxRelDiff, retainedBytes, standardFit, trfOptions } from '../support/streaming-helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'nlsq-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function leBytes(values: ArrayLike<number>): Buffer {
  const buf = Buffer.alloc(values.length * 8);
  for (let i = 0; i < values.length; i++) buf.writeDoubleLE(values[i]!, 8 * i);
  return buf;
}

const d = expData(4000, 21);
const csvPath = join(dir, 'decay.csv');
writeFileSync(csvPath, ['# decay run 7', 'time,counts,err', ...Array.from(d.y, (y, i) => `${d.x[i]},${y},${d.sigma[i]}`)].join('\r\n') + '\r\n');
const f64Path = join(dir, 'decay.f64');
writeFileSync(f64Path, leBytes(Array.from(d.y).flatMap((y, i) => [d.x[i]!, y, d.sigma[i]!])));

async function readAll(source: AsyncIterable<unknown>): Promise<{ n: number; y: number[]; chunks: number }> {
  const y: number[] = [];
  let chunks = 0;
  const n = await readPass(await (await classifySource(source as never)).open(), new ChunkNormalizer(1), (c) => {
    chunks++;
    y.push(...c.data.y);
  });
  return { n, y, chunks };
}

describe('csvFileSource', () => {
  it('streams a CSV file with a header, chunk and read boundaries in odd places, and re-reads it per iteration', async () => {
    const source = csvFileSource(csvPath, { x: 'time', y: 'counts', sigma: 'err', chunkRows: 333, highWaterMark: 37 });
    const a = await readAll(source);
    const b = await readAll(source);
    expect(a.n).toBe(4000);
    expect(a.chunks).toBe(Math.ceil(4000 / 333));
    expect(a.y).toEqual(Array.from(d.y)); // shortest round-trip decimals read back exactly
    expect(b.y).toEqual(a.y);
  });

  it('fits a CSV file like the standard strategy on the same data', async () => {
    const solver = trfOptions([1, 1, 0], 1e-12);
    const r = await streamingFit({
      source: csvFileSource(csvPath, { x: 0, y: 1, sigma: 2, header: true, chunkRows: 1000 }),
      kernel: expKernel(),
      backend: cpu(),
      solver,
      loss: null,
      scheme: { kind: 'analytic' },
    });
    expect(maxRelDiff(r.outcome.x, standardFit(expKernel(), d, solver).x)).toBeLessThan(1e-9);
  });

  it('reports a missing file as a DataSourceError naming the path', async () => {
    const err = await readAll(csvFileSource(join(dir, 'nope.csv'), { x: 0, y: 1 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataSourceError);
    expect((err as Error).message).toMatch(/source threw while reading chunk 0: csvFileSource: cannot read ".*nope\.csv": ENOENT/);
    expect(() => csvFileSource('' as string, { x: 0, y: 1 })).toThrow(NlsqTypeError);
  });
});

describe('float64FileSource', () => {
  it('streams interleaved little-endian records (x, y, sigma) and re-reads per iteration', async () => {
    const source = float64FileSource(f64Path, { sigma: true, chunkRows: 101, highWaterMark: 1000 });
    const a = await readAll(source);
    expect(a.y).toEqual(Array.from(d.y));
    expect((await readAll(source)).y).toEqual(a.y);
    const r = await streamingFit({ source, kernel: expKernel(), backend: cpu(), solver: trfOptions([1, 1, 0], 1e-12), loss: null, scheme: { kind: 'analytic' }, warmup: false });
    const mem = await streamingFit({ source: arraySource(d, 101), kernel: expKernel(), backend: cpu(), solver: trfOptions([1, 1, 0], 1e-12), loss: null, scheme: { kind: 'analytic' }, warmup: false });
    expect(Array.from(r.outcome.x)).toEqual(Array.from(mem.outcome.x));
  });

  it('rejects a file that ends inside a record', async () => {
    const p = join(dir, 'short.f64');
    writeFileSync(p, leBytes([1, 2, 3]));
    await expect(readAll(float64FileSource(p))).rejects.toThrow(/the data end inside record 1 \(8 trailing bytes/);
  });

  it('reads a 24 MB file with bounded heap growth', async () => {
    const n = 1_000_000;
    const p = join(dir, 'big.f64');
    const values = new Float64Array(3 * n);
    for (let i = 0; i < n; i++) values.set([i, 2 * i, 1], 3 * i);
    writeFileSync(p, new Uint8Array(values.buffer)); // little-endian platforms (all CI targets)
    values.fill(0);
    const base = await retainedBytes();
    let peak = 0;
    let sum = 0;
    const points = await readPass(await (await classifySource(float64FileSource(p, { sigma: true, chunkRows: 8192 }))).open(), new ChunkNormalizer(1), async (c) => {
      sum += c.data.y[c.n - 1]!;
      if (c.index % 25 === 0) peak = Math.max(peak, (await retainedBytes()) - base);
    });
    expect(points).toBe(n);
    expect(sum).toBeGreaterThan(0);
    expect(peak).toBeLessThan(8 * 2 ** 20); // the file is 24 MB; a chunk is 0.2 MB
  });
});

describe('file reader options (issue 21, defect 2)', () => {
  it('rejects a highWaterMark that is not a positive integer at once, with the library error (0 used to read nothing forever)', () => {
    for (const highWaterMark of [0, -5, 0.5, NaN, 2 ** 31]) {
      for (const make of [() => csvFileSource(csvPath, { x: 0, y: 1, highWaterMark }), () => float64FileSource(f64Path, { highWaterMark })]) {
        expect(make).toThrow(NlsqRangeError);
        expect(make).toThrow(/FileSource: highWaterMark must be an integer from 1 to 1073741824 \(bytes per read\), got /);
      }
    }
    expect(() => float64FileSource(f64Path, { highWaterMark: '64k' as never })).toThrow(NlsqTypeError);
  });

  it('requires the CSV options, rejects unknown ones and a chunk too large to allocate', () => {
    expect(() => (csvFileSource as (p: string) => unknown)(csvPath)).toThrow('csvFileSource: options are required: at least { x, y }, the columns to read');
    expect(() => csvFileSource(csvPath, { x: 0, y: 1, chunkrows: 10 } as never)).toThrow(
      "csvFileSource: unknown option 'chunkrows' (accepted: chunkRows, comment, delimiter, header, highWaterMark, maxLineLength, sigma, x, y)",
    );
    expect(() => float64FileSource(f64Path, { format: 'float64' } as never)).toThrow(/unknown option 'format'/);
    expect(() => csvFileSource(csvPath, { x: 0, y: 1, chunkRows: 1e12 })).toThrow(
      'csvFileSource: chunkRows must be an integer from 1 to 67108864 (rows per chunk; 2 columns × 8 bytes a row, at most 1 GiB a chunk), got 1000000000000',
    );
    expect(() => float64FileSource(f64Path, { sigma: true, chunkRows: 1e12 })).toThrow(NlsqRangeError);
    expect(() => float64FileSource(f64Path, { sigma: 1 as never })).toThrow('float64FileSource: sigma must be a boolean, got 1');
  });

  it('still reads with the smallest read size', async () => {
    const p = join(dir, 'tiny.csv');
    writeFileSync(p, 'a,"b, quoted"\n1,2\n3,4\n');
    expect((await readAll(csvFileSource(p, { x: 'a', y: 'b, quoted', highWaterMark: 1 }))).y).toEqual([2, 4]);
  });
});
