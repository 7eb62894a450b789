/**
 * The profile likelihood of an in-database fit (`fitSql`): refits evaluated by the fit's own SQL
 * statements, the held parameters' columns dropped from the Gram sums (`batch/sql-refits.ts`).
 * References: the in-memory curveFit's profile on the same rows, the covariance interval of a
 * linear model, and `restrictTriangle` against the fold of the kept columns.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NlsqRangeError } from '../../src/errors.ts';
import { curveFit, fitSql, model } from '../../src/index.ts';
import { duckdb } from '../../src/sql/index.ts';
import { restrictTriangle } from '../../src/batch/sql-refits.ts';
import { createCpuBackend } from '../../src/backends/cpu/cpu-backend.ts';

const N = 400;
let instance: DuckDBInstance;
let connection: DuckDBConnection;

async function rows(sql: string): Promise<number[][]> {
  return (await connection.runAndReadAll(sql)).getRows().map((r) => r.map((v) => Number(v)));
}

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  connection = await instance.connect();
  await connection.run(`CREATE TABLE readings AS SELECT (i / 50.0)::DOUBLE AS t,
    (3 * exp(-0.7 * (i / 50.0)) + 0.5 + 0.05 * sin(i * 12.9898))::DOUBLE AS signal,
    (0.04 + 0.02 * (i % 7) / 7)::DOUBLE AS err FROM range(${N}) r(i)`);
});

afterAll(() => {
  connection?.closeSync();
});

const decay = model('a*exp(-b*t)+c', { variables: ['t'] });

describe('fitSql results: profile on the database', () => {
  it('equals the in-memory curveFit profile on the same rows (1e-6 of the half-width), with sigma', async () => {
    const r = await fitSql(decay, { db: duckdb(connection), table: 'readings', x: 't', y: 'signal', sigma: 'err' }, { p0: [1, 1, 0] });
    const data = await rows('SELECT t, signal, err FROM readings ORDER BY t');
    const ref = await curveFit(decay, Float64Array.from(data, (d) => d[0]!), Float64Array.from(data, (d) => d[1]!), { p0: [1, 1, 0], sigma: Float64Array.from(data, (d) => d[2]!) });
    for (const name of ['a', 'b']) {
      const a = await r.profile(name, { points: 6 });
      const b = await ref.profile(name, { points: 6 });
      expect(a.lowerEnd).toBe('crossed');
      expect(a.upperEnd).toBe('crossed');
      expect(Math.abs(a.lower - b.lower) / b.covarianceHalfWidth).toBeLessThan(1e-6);
      expect(Math.abs(a.upper - b.upper) / b.covarianceHalfWidth).toBeLessThan(1e-6);
    }
  });

  it('a model linear in its parameters: the profile interval is the covariance interval (1e-6)', async () => {
    const r = await fitSql(model('a + b*t + c*t^2', { variables: ['t'] }), { db: duckdb(connection), table: 'readings', x: 't', y: 'signal' }, { p0: [0, 0, 0] });
    const cov = r.confidenceIntervals(0.95);
    const pr = await r.confidenceIntervals(0.95, { method: 'profile' });
    for (let j = 0; j < 3; j++) {
      const half = cov.upper[j]! - r.popt[j]!;
      expect(Math.abs(pr.lower[j]! - cov.lower[j]!) / half).toBeLessThan(1e-6);
      expect(Math.abs(pr.upper[j]! - cov.upper[j]!) / half).toBeLessThan(1e-6);
    }
  });

  it('a bootstrap is refused naming result: the rows stay in the database', async () => {
    const r = await fitSql(decay, { db: duckdb(connection), table: 'readings', x: 't', y: 'signal' }, { p0: [1, 1, 0] });
    await expect(r.bootstrap({ resamples: 10 })).rejects.toSatisfy((e) => e instanceof NlsqRangeError && e.argument === 'result' && /stay in the database/.test(e.message));
  });
});

describe('restrictTriangle', () => {
  it('gives the triangle of the kept columns: RᵀR equals the fold of those columns alone', () => {
    const cpu = createCpuBackend();
    const m = 40;
    const c = 5;
    const A = Float64Array.from({ length: m * c }, (_, k) => Math.sin(k * 1.7 + 0.3) + (k % c === 1 ? 0.5 : 0));
    const fold = (cols: number[]): Float64Array => {
      const ws = cpu.createWorkspace(m, cols.length);
      const d = ws.data();
      for (let i = 0; i < m; i++) cols.forEach((col, j) => (d[i * cols.length + j] = A[i * c + col]!));
      const T = new Float64Array(cols.length * cols.length);
      cpu.foldRows(T, ws, m);
      cpu.releaseWorkspace(ws);
      return T;
    };
    const full = fold([0, 1, 2, 3, 4]);
    const keep = [0, 2, 4];
    const sub = restrictTriangle(full, c, Int32Array.from(keep))!;
    const direct = fold(keep);
    const gram = (T: Float64Array, k: number) => Array.from({ length: k * k }, (_, e) => {
      const a = Math.floor(e / k);
      const b = e % k;
      let s = 0;
      for (let i = 0; i < k; i++) s += T[i * k + a]! * T[i * k + b]!;
      return s;
    });
    expect(gram(sub, 3)).toBeAllclose(gram(direct, 3), { rtol: 1e-12, atol: 1e-12 });
  });
});
