/**
 * Files written by other tools than the readers' own writers: Parquet by DuckDB (zstd, its own row
 * groups and page layout) and HDF5 by h5py (gzip + shuffle filters, float32 and int64 datasets).
 * `scripts/fixtures/columnar-files.py` and `columnar-files-duckdb.mjs` make them; the rows are
 * closed-form, recomputed here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { curveFit, fit, model } from '../../src/index.ts';
import { hdf5FileSource, parquetFileSource } from '../../src/node/index.ts';
import { parquetSource } from '../../src/sources/parquet-source.ts';
import { readColumns } from '../support/columnar-files.ts';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'files');
const N = 5000;
const i = Array.from({ length: N }, (_, k) => k);
const t = Float64Array.from(i, (k) => k / 1000);
const y = Float64Array.from(i, (k) => (k === 100 ? NaN : 2.5 * Math.exp(-1.3 * (k / 1000)) + 0.5 + 0.01 * Math.sin(7 * k)));
const sigma = Float64Array.from(i, (k) => 0.05 + 0.001 * (k % 7));
const keep = (_: number, k: number): boolean => k !== 100;

describe('fixtures written by DuckDB (Parquet) and h5py (HDF5)', () => {
  it('reads the DuckDB Parquet file: values, row groups, the NULL as NaN', async () => {
    const r = await readColumns(parquetFileSource(join(DIR, 'decay-duckdb.parquet'), { x: ['i', 't'], y: 'signal', sigma: 'err' }));
    expect(r.chunks).toBeGreaterThan(1);
    expect(r.x[0]).toEqual(i);
    expect(r.x[1]).toBeAllclose(Array.from(t), { rtol: 1e-15 });
    expect(r.sigma).toBeAllclose(Array.from(sigma), { rtol: 1e-14 });
    expect(r.y[100]).toBeNaN();
    expect(r.y.filter(keep)).toBeAllclose(Array.from(y).filter(keep), { rtol: 1e-14 });
  });

  it('reads the h5py file: gzip/shuffle float64, float32 and int64 datasets', async () => {
    const r = await readColumns(hdf5FileSource(join(DIR, 'decay-h5py.h5'), { x: ['/run/index', '/run/t'], y: '/run/signal', sigma: '/run/err', chunkRows: 1500 }));
    expect(r.chunks).toBe(4);
    expect(r.x[0]).toEqual(i);
    expect(r.x[1]).toEqual(Array.from(t));
    expect(r.sigma).toEqual(Array.from(sigma));
    expect(r.y[100]).toBeNaN();
    expect(r.y.filter(keep)).toEqual(Array.from(Float32Array.from(y)).filter(keep));
  });

  it('fits both with nanPolicy omit like curveFit on the kept rows', async () => {
    const m = model('a*exp(-b*x) + c');
    const opts = { p0: [1, 1, 0], nanPolicy: 'omit' as const, workflow: 'streaming' as const };
    const ref = await curveFit(m, t.filter(keep), y.filter(keep), { p0: [1, 1, 0], sigma: sigma.filter(keep) });
    const pq = await fit(m, parquetSource(new Blob([readFileSync(join(DIR, 'decay-duckdb.parquet'))]), { x: 't', y: 'signal', sigma: 'err' }), opts);
    expect(pq.popt).toBeAllclose(ref.popt, { rtol: 1e-9 });
    expect(pq.perr).toBeAllclose(ref.perr, { rtol: 1e-6 });
    const h5 = await fit(m, hdf5FileSource(join(DIR, 'decay-h5py.h5'), { x: '/run/t', y: '/run/signal', sigma: '/run/err' }), opts);
    const ref32 = await curveFit(m, t.filter(keep), Float64Array.from(Float32Array.from(y)).filter(keep), { p0: [1, 1, 0], sigma: sigma.filter(keep) });
    expect(h5.popt).toBeAllclose(ref32.popt, { rtol: 1e-9 });
  });
});
