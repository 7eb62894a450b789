import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curveFit, fit, model } from '../../src/index.ts';
import { DataSourceError, NlsqRangeError } from '../../src/errors.ts';
import { hdf5FileSource } from '../../src/node/index.ts';
import { hdf5Source } from '../../src/sources/hdf5-source.ts';
import { columnarData, readColumns } from '../support/columnar-files.ts';

const N = 3000;
const d = columnarData(N, 3);
const dir = mkdtempSync(join(tmpdir(), 'nlsq-hdf5-'));
const path = join(dir, 'decay.h5');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  const h5 = await import('h5wasm/node');
  await h5.ready;
  const f = new h5.File(path, 'w');
  const g = f.create_group('grp');
  // chunked and compressed datasets: hyperslabs cross HDF5 chunk boundaries
  g.create_dataset({ name: 't', data: d.t, chunks: [700], compression: 'gzip' });
  g.create_dataset({ name: 'signal', data: d.y, chunks: [700] });
  g.create_dataset({ name: 'err', data: d.sigma });
  g.create_dataset({ name: 'k', data: d.k });
  g.create_dataset({ name: 't32', data: d.t32, chunks: [500] });
  g.create_dataset({ name: 'k64', data: BigInt64Array.from(d.k, (v) => BigInt(v)) });
  g.create_dataset({ name: 'gappy', data: Float64Array.from(d.y, (v, i) => (i === 1234 ? NaN : v)) });
  g.create_dataset({ name: 'short', data: d.t.subarray(0, 10) });
  g.create_dataset({ name: 'matrix', data: d.t.subarray(0, 20), shape: [10, 2] });
  g.create_dataset({ name: 'label', data: ['a', 'b'] });
  f.close();
});

describe('hdf5FileSource and hdf5Source', () => {
  it('reads datasets by path in hyperslabs of chunkRows rows, re-readably', async () => {
    const source = hdf5FileSource(path, { x: '/grp/t', y: '/grp/signal', sigma: '/grp/err', chunkRows: 1000 });
    const r = await readColumns(source);
    expect(r.chunks).toBe(3);
    expect(r.y).toEqual(Array.from(d.y));
    expect(r.x[0]).toEqual(Array.from(d.t));
    expect(r.sigma).toEqual(Array.from(d.sigma));
    expect((await readColumns(source)).y).toEqual(r.y);
    expect((await readColumns(hdf5FileSource(path, { x: '/grp/t', y: '/grp/signal' }))).chunks).toBe(1); // default 65536 rows
  });

  it('reads integer, int64 and float32 datasets as float64, several x datasets in order', async () => {
    const r = await readColumns(hdf5FileSource(path, { x: ['/grp/k', '/grp/t32', 'grp/k64'], y: '/grp/signal', chunkRows: 999 }));
    expect(r.x[0]).toEqual(Array.from(d.k));
    expect(r.x[1]).toEqual(Array.from(d.t32));
    expect(r.x[2]).toEqual(Array.from(d.k));
  });

  it('reads a Blob (read whole per pass outside a worker) like the file', async () => {
    const blob = new File([readFileSync(path)], 'decay.h5');
    const source = hdf5Source(blob, { x: '/grp/t', y: '/grp/signal', chunkRows: 1024 });
    expect((await readColumns(source)).y).toEqual(Array.from(d.y));
    expect((await readColumns(source)).chunks).toBe(3);
  });

  it('says why and what to do when a Blob cannot be read into memory outside a worker', async () => {
    class HugeFile extends File {
      override arrayBuffer(): Promise<ArrayBuffer> {
        return Promise.reject(new RangeError('Array buffer allocation failed'));
      }
    }
    const source = hdf5Source(new HugeFile([readFileSync(path)], 'huge.h5'), { x: '/grp/t', y: '/grp/signal' });
    const error = await readColumns(source).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataSourceError);
    expect((error as Error).message).toMatch(/^hdf5Source: cannot read "huge\.h5" \(\d+ bytes\) into memory: Array buffer allocation failed\. Outside a Web Worker an HDF5 Blob is read whole for each pass .* use hdf5FileSource\(path\) from nlsq\/node, or call fit inside a Web Worker$/);
    // the failed pass left nothing mounted: the next pass over a readable blob works
    expect((await readColumns(hdf5Source(new File([readFileSync(path)], 'ok.h5'), { x: '/grp/t', y: '/grp/signal' }))).y).toEqual(Array.from(d.y));
  });

  it('fits like curveFit on the same arrays, and NaN goes to nanPolicy', async () => {
    const m = model('a*exp(-b*x) + c');
    const streamed = await fit(m, hdf5FileSource(path, { x: '/grp/t', y: '/grp/signal', sigma: '/grp/err', chunkRows: 1000 }), { p0: [1, 1, 0], workflow: 'streaming' });
    const ref = await curveFit(m, d.t, d.y, { p0: [1, 1, 0], sigma: d.sigma });
    expect(streamed.popt).toBeAllclose(ref.popt, { rtol: 1e-9 });
    expect(streamed.perr).toBeAllclose(ref.perr, { rtol: 1e-6 });
    const keep = (_: number, i: number): boolean => i !== 1234;
    const omitted = await fit(m, hdf5FileSource(path, { x: '/grp/t', y: '/grp/gappy', chunkRows: 1000 }), { p0: [1, 1, 0], nanPolicy: 'omit', workflow: 'streaming' });
    expect(omitted.popt).toBeAllclose((await curveFit(m, d.t.filter(keep), d.y.filter(keep), { p0: [1, 1, 0] })).popt, { rtol: 1e-9 });
    await expect(fit(m, hdf5FileSource(path, { x: '/grp/t', y: '/grp/gappy', chunkRows: 1000 }), { p0: [1, 1, 0], workflow: 'streaming' })).rejects.toThrow(/chunk 1 has NaN in y at index 234/);
  });

  it('names the file and the dataset: missing, a group, non-numeric, 2-D, different lengths', async () => {
    const read = (x: string, y: string): Promise<unknown> => readColumns(hdf5FileSource(path, { x, y }));
    await expect(read('/grp/t', '/grp/nope')).rejects.toThrow(new DataSourceError(`hdf5FileSource: dataset "/grp/nope" is not in ${JSON.stringify(path)}`));
    await expect(read('/grp', '/grp/signal')).rejects.toThrow(`dataset "/grp" is not in ${JSON.stringify(path)} (it is a group)`);
    await expect(read('/grp/label', '/grp/signal')).rejects.toThrow(/dataset "\/grp\/label" of .* has dtype .*; only integer and floating-point datasets/);
    await expect(read('/grp/matrix', '/grp/signal')).rejects.toThrow(/must be one-dimensional, got shape \[10, 2\]/);
    await expect(read('/grp/t', '/grp/short')).rejects.toThrow(/"\/grp\/t" has 3000 rows, "\/grp\/short" has 10/);
  });

  it('reports missing, truncated and non-HDF5 files', async () => {
    const cut = join(dir, 'cut.h5');
    const whole = readFileSync(path);
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length / 3)));
    const junk = join(dir, 'junk.h5');
    writeFileSync(junk, 'not an hdf5 file\n'.repeat(100));
    await expect(readColumns(hdf5FileSource(join(dir, 'none.h5'), { x: '/grp/t', y: '/grp/signal' }))).rejects.toThrow(/^hdf5FileSource: cannot open ".*none.h5" as an HDF5 file: /);
    await expect(readColumns(hdf5FileSource(junk, { x: '/grp/t', y: '/grp/signal' }))).rejects.toThrow(/cannot open ".*junk.h5" as an HDF5 file: file signature not found/);
    const err = await readColumns(hdf5FileSource(cut, { x: '/grp/t', y: '/grp/signal' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataSourceError);
    expect((err as Error).message).toMatch(/^hdf5FileSource: (cannot open ".*cut.h5" as an HDF5 file|cannot read rows \d+–\d+ of dataset "\/grp\/\w+" in ".*cut.h5"|cannot open dataset)/);
    expect(() => hdf5FileSource(path, { x: '/grp/t', y: '/grp/signal', chunkRows: 0 })).toThrow(NlsqRangeError);
  });
});
