import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSourceError, NlsqRangeError, NlsqTypeError } from '../../src/errors.ts';
import { curveFit, fitSql, model } from '../../src/index.ts';
import { duckdb } from '../../src/sql/index.ts';

// Data made in the database by a deterministic formula (no RNG): a decaying exponential with a
// small pseudo-noise, three sensors, a sigma column; and the same rows read back for curveFit.
const N = 30000;
let instance: DuckDBInstance;
let connection: DuckDBConnection;

async function rows(sql: string): Promise<number[][]> {
  return (await connection.runAndReadAll(sql)).getRows().map((r) => r.map((v) => Number(v)));
}

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:', { threads: '4' });
  connection = await instance.connect();
  await connection.run(`CREATE TABLE readings AS SELECT (i / 1000.0)::DOUBLE AS t,
    (3 * exp(-0.7 * (i / 1000.0)) + 0.5 + 0.01 * sin(i * 12.9898))::DOUBLE AS signal,
    (0.01 + 0.005 * (i % 7) / 7)::DOUBLE AS err, (i % 3)::INTEGER AS sensor FROM range(${N}) r(i)`);
  // ill-conditioned: x far from 0 makes the columns of a polynomial nearly collinear
  await connection.run(`CREATE TABLE poly AS SELECT (1000 + i / 1000.0)::DOUBLE AS x,
    (1 + 2 * (i / 1000.0) + 0.001 * cos(i * 7.31))::DOUBLE AS y FROM range(5000) r(i)`);
});

afterAll(() => {
  connection?.closeSync();
});

const decay = model('a*exp(-b*t)+c', { variables: ['t'] });

describe('fitSql on DuckDB', () => {
  it('equals the in-memory curveFit on the same rows (popt 1e-9, perr 1e-6), with sigma', async () => {
    const r = await fitSql(decay, { db: duckdb(connection), table: 'readings', x: 't', y: 'signal', sigma: 'err' }, { p0: [1, 1, 0] });
    const data = await rows('SELECT t, signal, err FROM readings ORDER BY t');
    const ref = await curveFit(decay, Float64Array.from(data, (d) => d[0]!), Float64Array.from(data, (d) => d[1]!), { p0: [1, 1, 0], sigma: Float64Array.from(data, (d) => d[2]!) });
    expect(r.popt).toBeAllclose(ref.popt, { rtol: 1e-9, atol: 0 });
    expect(r.perr).toBeAllclose(ref.perr, { rtol: 1e-6, atol: 0 });
    expect(r.n).toBe(N);
    expect(r.chiSquare).toBeAllclose(ref.chiSquare, { rtol: 1e-9, atol: 0 });
    expect(r.rSquared).toBeAllclose(ref.rSquared, { rtol: 1e-9, atol: 0 });
    expect(r.choices.strategy.used).toBe('in-database');
    expect(r.choices.backend.used).toBe('duckdb (in-database)');
    expect(r.choices.backend.reason).toMatch(/\d+ queries/);
    expect(r.report({ full: true })).toMatch(/fsum/);
    expect(r.warnings.filter((w) => w.code === 'ill-conditioned-gram')).toEqual([]);
  });

  it('filters with where and bound whereParams, equal to curveFit on the filtered rows; trf with bounds', async () => {
    const spec = { db: duckdb(connection), table: 'readings', x: 't', y: 'signal', where: 'sensor = $1 AND t < $2', whereParams: [2, 20.5] };
    const r = await fitSql(decay, spec, { p0: [1, 1, 0], bounds: [[0, 0, -1], [10, 5, 2]] });
    const data = await rows('SELECT t, signal FROM readings WHERE sensor = 2 AND t < 20.5');
    const ref = await curveFit(decay, Float64Array.from(data, (d) => d[0]!), Float64Array.from(data, (d) => d[1]!), { p0: [1, 1, 0], bounds: [[0, 0, -1], [10, 5, 2]] });
    expect(r.method).toBe('trf');
    expect(r.n).toBe(data.length);
    expect(r.popt).toBeAllclose(ref.popt, { rtol: 1e-9, atol: 0 });
    expect(r.perr).toBeAllclose(ref.perr, { rtol: 1e-6, atol: 0 });
  });

  it('repeats bit for bit: two runs of a fit give identical popt and pcov (fsum)', async () => {
    const spec = { db: duckdb(connection), table: 'readings', x: 't', y: 'signal' };
    const a = await fitSql(decay, spec, { p0: [1, 1, 0] });
    const b = await fitSql(decay, spec, { p0: [1, 1, 0] });
    expect(b.popt).toEqual(a.popt);
    expect(b.pcov).toEqual(a.pcov);
    expect(b.nfev).toBe(a.nfev);
  });

  it('warns with the digits pcov keeps on an ill-conditioned model, and popt still matches curveFit', async () => {
    const poly = model('p0 + p1*x + p2*x^2');
    const r = await fitSql(poly, { db: duckdb(connection), table: 'poly', x: 'x', y: 'y' }, { p0: [0, 0, 0] });
    const data = await rows('SELECT x, y FROM poly');
    const ref = await curveFit(poly, Float64Array.from(data, (d) => d[0]!), Float64Array.from(data, (d) => d[1]!), { p0: [0, 0, 0] });
    const warning = r.warnings.find((w) => w.code === 'ill-conditioned-gram');
    expect(warning?.message).toMatch(/pcov keeps about \d+ significant digits/);
    // the fitted curve agrees (the parameters of so collinear a basis are themselves ill-determined)
    expect(r.predict([1000, 1002.5, 1005])).toBeAllclose(ref.predict([1000, 1002.5, 1005]), { rtol: 1e-9, atol: 0 });
  });

  it('fails with a clear DataSourceError when the connection closes mid-fit, and returns nothing', async () => {
    const own = await instance.connect();
    let iterations = 0;
    const fitting = fitSql(decay, { db: duckdb(own), table: 'readings', x: 't', y: 'signal' }, {
      p0: [1, 1, 0],
      onIteration: () => {
        iterations++;
        if (iterations === 2) own.closeSync();
      },
    });
    await expect(fitting).rejects.toThrow(DataSourceError);
    await expect(fitting).rejects.toThrow(/fitSql: the duckdb query for a (Jacobian|cost) evaluation failed \(query \d+\)/);
    expect(iterations).toBe(2);
  });

  it('refuses NULLs, missing columns, closures, robust losses and in-memory options with named arguments', async () => {
    await connection.run('CREATE TABLE holes AS SELECT * FROM (VALUES (1.0, 2.0), (2.0, NULL), (3.0, 4.0)) v(t, signal)');
    const db = duckdb(connection);
    await expect(fitSql(decay, { db, table: 'holes', x: 't', y: 'signal' }, { p0: [1, 1, 0] })).rejects.toThrow(/1 of 3 rows have a NULL in "t", "signal"/);
    await expect(fitSql(decay, { db, table: 'readings', x: 'time', y: 'signal' }, { p0: [1, 1, 0] })).rejects.toThrow(DataSourceError);
    await expect(fitSql(((x: number, a: number) => a * x) as never, { db, table: 'readings', x: 't', y: 'signal' })).rejects.toThrow(NlsqTypeError);
    await expect(fitSql(decay, { db, table: 'readings', x: 't', y: 'signal' }, { p0: [1, 1, 0], loss: 'soft_l1' })).rejects.toMatchObject({ argument: 'loss' });
    await expect(fitSql(decay, { db, table: 'readings', x: 't', y: 'signal' }, { sigma: [1] } as never)).rejects.toThrow(NlsqRangeError);
    await expect(fitSql(decay, { db, table: 'readings', x: ['t', 'u'], y: 'signal' })).rejects.toMatchObject({ argument: 'x' });
  });
});
