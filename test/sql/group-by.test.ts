import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NlsqRangeError } from '../../src/errors.ts';
import { curveFit, fitSql, model } from '../../src/index.ts';
import { duckdb, type SqlDatabase } from '../../src/sql/index.ts';

// Five sensors with their own decay (a, b, c differ per sensor) and different sizes: each group's
// fit must equal curveFit on that group's rows, from one query per iteration for all groups.
let connection: DuckDBConnection;

beforeAll(async () => {
  connection = await (await DuckDBInstance.create(':memory:')).connect();
  await connection.run(`CREATE TABLE readings AS
    SELECT s AS sensor, (i / 100.0)::DOUBLE AS t,
      ((1 + s) * exp(-(0.2 + 0.15 * s) * (i / 100.0)) + 0.1 * s + 0.01 * sin(i * 12.9898 + s))::DOUBLE AS signal,
      (0.01 + 0.002 * (i % 5))::DOUBLE AS err
    FROM range(5) a(s), range(400 + 150 * s) b(i)`);
});
afterAll(() => connection?.closeSync());

const decay = model('a*exp(-b*t)+c', { variables: ['t'] });

/** A DuckDB database that records how many groups each grouped query bound. */
function recording(): { db: SqlDatabase; groupsPerQuery: number[] } {
  const inner = duckdb(connection);
  const groupsPerQuery: number[] = [];
  return {
    groupsPerQuery,
    db: {
      ...inner,
      query(text, params) {
        const values = text.match(/JOIN \(VALUES (.*?)\) AS "nlsq_th"/);
        if (values !== null) groupsPerQuery.push(values[1]!.split('), (').length);
        return inner.query(text, params);
      },
    },
  };
}

describe('fitSql groupBy (DuckDB)', () => {
  it('fits every group as curveFit would on its rows, with one query per round for all groups', async () => {
    const { db, groupsPerQuery } = recording();
    const fits = await fitSql(decay, { db, table: 'readings', x: 't', y: 'signal', sigma: 'err', groupBy: 'sensor' }, { p0: [1, 0.5, 0] });
    expect([...fits.keys()]).toEqual(['0', '1', '2', '3', '4']);
    for (const [key, r] of fits) {
      const rows = (await connection.runAndReadAll(`SELECT t, signal, err FROM readings WHERE sensor = ${Number(key)} ORDER BY t`)).getRows();
      const ref = await curveFit(decay, Float64Array.from(rows, (row) => row[0] as number), Float64Array.from(rows, (row) => row[1] as number), {
        p0: [1, 0.5, 0],
        sigma: Float64Array.from(rows, (row) => row[2] as number),
      });
      expect(r.n).toBe(rows.length);
      expect(r.popt).toBeAllclose(ref.popt, { rtol: 1e-9, atol: 0 });
      expect(r.perr).toBeAllclose(ref.perr, { rtol: 1e-6, atol: 0 });
      expect(r.nfev).toBe(ref.nfev);
      expect(r.choices.strategy.reason).toMatch(new RegExp(`group ${key} \\(${rows.length} rows\\) of 5`));
    }
    // one query per round: as many queries as the slowest group's evaluations, and converged groups drop out
    expect(groupsPerQuery.length).toBe(Math.max(...[...fits.values()].map((r) => r.nfev)));
    expect(groupsPerQuery[0]).toBe(5);
    const nfevs = [...fits.values()].map((r) => r.nfev).sort((a, b) => a - b);
    expect(groupsPerQuery).toEqual(Array.from({ length: groupsPerQuery.length }, (_, i) => nfevs.filter((n) => n > i).length));
  });

  it('needs p0 as an array', async () => {
    await expect(fitSql(decay, { db: duckdb(connection), table: 'readings', x: 't', y: 'signal', groupBy: 'sensor' })).rejects.toThrow(NlsqRangeError);
  });
});
