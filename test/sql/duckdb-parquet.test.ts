import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSourceError, NlsqRangeError, NlsqTypeError } from '../../src/errors.ts';
import { curveFit, fitSql, model } from '../../src/index.ts';
import { POSTGRES_DIALECT, duckdb, type SqlDatabase } from '../../src/sql/index.ts';
import { columnarData } from '../support/columnar-files.ts';

// fitSql on a Parquet file read in place by DuckDB (read_parquet, the path a bound parameter):
// the file is written by hyparquet-writer (not DuckDB) under a name full of SQL metacharacters,
// and the fit must equal curveFit on the arrays that were written.
const N = 6000;
const d = columnarData(N);
const decay = model('a*exp(-b*t)+c', { variables: ['t'] });
let dir: string;
let file: string;
let connection: DuckDBConnection;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nlsq-pq-'));
  file = join(dir, `it's "odd"); DROP TABLE keep; --.parquet`);
  const buf = parquetWriteBuffer({
    columnData: [
      { name: 't', data: d.t, type: 'DOUBLE' },
      { name: 'signal', data: d.y, type: 'DOUBLE' },
      { name: 'err', data: d.sigma, type: 'DOUBLE' },
      { name: 'k', data: d.k, type: 'INT32' },
    ],
    rowGroupSize: 1000,
  });
  writeFileSync(file, new Uint8Array(buf));
  connection = await (await DuckDBInstance.create(':memory:')).connect();
  await connection.run('CREATE TABLE keep AS SELECT 1 AS one');
});

afterAll(() => {
  connection?.closeSync();
  rmSync(dir, { recursive: true, force: true });
});

/** A DuckDB database that records every statement's text and parameters. */
function recording(): { db: SqlDatabase; seen: { text: string; params: readonly unknown[] }[] } {
  const inner = duckdb(connection);
  const seen: { text: string; params: readonly unknown[] }[] = [];
  return { seen, db: { ...inner, query: (text, params) => (seen.push({ text, params }), inner.query(text, params)) } };
}

describe('fitSql on a Parquet file in place (DuckDB read_parquet)', () => {
  it('equals curveFit on the written arrays; the path is bound, never SQL text', async () => {
    const { db, seen } = recording();
    const r = await fitSql(decay, { db, table: { parquet: file }, x: 't', y: 'signal', sigma: 'err' }, { p0: [1, 1, 0] });
    const ref = await curveFit(decay, d.t, d.y, { p0: [1, 1, 0], sigma: d.sigma });
    expect(r.n).toBe(N);
    expect(r.popt).toBeAllclose(ref.popt, { rtol: 1e-9, atol: 0 });
    expect(r.perr).toBeAllclose(ref.perr, { rtol: 1e-6, atol: 0 });
    expect(r.choices.strategy.reason).toContain(`rows of read_parquet(${JSON.stringify(file)})`);
    expect(seen.length).toBeGreaterThan(3);
    for (const { text, params } of seen) {
      expect(text).not.toContain('odd');
      expect(text).toContain('read_parquet(CAST($1 AS VARCHAR))');
      expect(params[0]).toBe(file);
    }
    expect((await connection.runAndReadAll('SELECT one FROM keep')).getRows()).toEqual([[1]]);
  });

  it('binds the path after the where parameters; an empty selection names the file', async () => {
    const spec = { db: duckdb(connection), table: { parquet: file }, x: 't', y: 'signal', where: 'k >= $1 AND k < $2', whereParams: [1000, 4500] };
    const r = await fitSql(decay, spec, { p0: [1, 1, 0] });
    const ref = await curveFit(decay, d.t.subarray(1000, 4500), d.y.subarray(1000, 4500), { p0: [1, 1, 0] });
    expect(r.n).toBe(3500);
    expect(r.popt).toBeAllclose(ref.popt, { rtol: 1e-9, atol: 0 });
    const empty = await fitSql(decay, { ...spec, whereParams: [0, 0] }, { p0: [1, 1, 0] }).catch((e: unknown) => e);
    expect(empty).toBeInstanceOf(DataSourceError);
    expect((empty as Error).message).toMatch(/read_parquet\(.*\) with the where filter has no rows/);
  });

  it('fails cleanly on hostile or missing paths, and refuses engines that cannot read Parquet in place', async () => {
    const base = { db: duckdb(connection), x: 't', y: 'signal' };
    for (const path of [`${file}'); DROP TABLE keep; --`, `x' UNION SELECT 1 --`, join(dir, 'missing.parquet')]) {
      const error = await fitSql(decay, { ...base, table: { parquet: path } }, { p0: [1, 1, 0] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DataSourceError);
      expect((error as Error).message).toMatch(/the duckdb query for the row count failed: IO Error: No files found/);
    }
    expect((await connection.runAndReadAll('SELECT one FROM keep')).getRows()).toEqual([[1]]);
    await expect(fitSql(decay, { ...base, table: { parquet: 'a\u0000b' } }, { p0: [1, 1, 0] })).rejects.toThrow(/table.parquet must be a non-empty path without NUL/);
    await expect(fitSql(decay, { ...base, table: { parquet: '' } }, { p0: [1, 1, 0] })).rejects.toThrow(NlsqRangeError);
    await expect(fitSql(decay, { ...base, table: { parquet: 42 } as never }, { p0: [1, 1, 0] })).rejects.toThrow(NlsqTypeError);
    await expect(fitSql(decay, { ...base, table: { csv: file } as never }, { p0: [1, 1, 0] })).rejects.toThrow(/table must be a name, name parts or \{ parquet: path \}, got an object with fields csv/);
    const pg: SqlDatabase = { dialect: POSTGRES_DIALECT, name: 'pg', query: () => Promise.reject(new Error('never called')) };
    await expect(fitSql(decay, { ...base, db: pg, table: { parquet: file } }, { p0: [1, 1, 0] })).rejects.toThrow(/needs an engine that reads Parquet files in place \(DuckDB\), got the postgresql dialect/);
  });
});
