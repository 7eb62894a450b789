import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { fc, test } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NlsqRangeError } from '../../src/errors.ts';
import { curveFit, fitBatch, fitSql, model, models } from '../../src/index.ts';
import { GROUP_SAMPLE_MIN, SAMPLE_ROWS, groupSampleCap, readGroupSamples, resolveSqlTarget } from '../../src/sql/sql-target.ts';
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

  it('needs p0 as an array or auto', async () => {
    await expect(fitSql(decay, { db: duckdb(connection), table: 'readings', x: 't', y: 'signal', groupBy: 'sensor' })).rejects.toThrow(/p0 as an array .* or 'auto'/);
    await expect(fitSql(decay, { db: duckdb(connection), table: 'readings', x: 't', y: 'signal', groupBy: 'sensor' }, { p0: 'auto' })).rejects.toThrow(/estimateP0/);
  });

  it("with p0 'auto' equals fitBatch (p0 'auto') on the same groups", async () => {
    const m = models.exponentialDecay();
    const fits = await fitSql(m, { db: duckdb(connection), table: 'readings', x: 't', y: 'signal', sigma: 'err', groupBy: 'sensor' }, { p0: 'auto' });
    const rows = (await connection.runAndReadAll('SELECT sensor, t, signal, err FROM readings ORDER BY sensor, t')).getRows();
    const offsets = new Int32Array(6);
    for (const row of rows) offsets[Number(row[0]) + 1]!++;
    for (let i = 0; i < 5; i++) offsets[i + 1]! += offsets[i]!;
    const col = (c: number): Float64Array => Float64Array.from(rows, (row) => row[c] as number);
    const batch = await fitBatch(m, { x: col(1), y: col(2), offsets }, { p0: 'auto', sigma: col(3) });
    expect([...fits.keys()]).toEqual(['0', '1', '2', '3', '4']);
    for (let i = 0; i < 5; i++) {
      const r = fits.get(String(i))!;
      expect(batch.status[i]).toBeGreaterThan(0);
      expect(r.n).toBe(offsets[i + 1]! - offsets[i]!);
      expect(r.popt).toBeAllclose(batch.popt.subarray(3 * i, 3 * i + 3), { rtol: 1e-9, atol: 0 });
      expect(r.perr).toBeAllclose(batch.perr.subarray(3 * i, 3 * i + 3), { rtol: 1e-6, atol: 0 });
      expect(r.choices.strategy.reason).toMatch(new RegExp(`p0 from the model's estimator on ${r.n} of its rows`));
    }
    // the estimator really ran per group: the groups' true rates differ (0.2 + 0.15·s)
    expect(fits.get('4')!.popt[1]).toBeCloseTo(0.8, 1);
    expect(fits.get('0')!.popt[1]).toBeCloseTo(0.2, 1);
  });

  it("reads each group's sample in one query: every row up to the cap, else the cap spread over x", async () => {
    await connection.run(`CREATE OR REPLACE TABLE sampled AS SELECT (i % 3) AS g, i::DOUBLE AS t, (2 * i)::DOUBLE AS y FROM range(3 * (${SAMPLE_ROWS} + 500)) r(i) WHERE i % 3 <> 2 OR i < 30`);
    const db = duckdb(connection);
    const { target, groupBy } = resolveSqlTarget({ db, table: 'sampled', x: 't', y: 'y', groupBy: 'g' }, ['t'], 'test');
    const samples = await readGroupSamples(db, target, groupBy!, [], 3);
    const big = samples.get('0')!;
    expect(big.y.length).toBe(SAMPLE_ROWS);
    expect(big.x[0]![0]).toBe(0); // the first row of the group
    expect(big.x[0]![SAMPLE_ROWS - 1]).toBeGreaterThan(3 * (SAMPLE_ROWS + 400)); // spread to the end
    expect(big.y).toEqual(big.x[0]!.map((t) => 2 * t));
    for (let i = 1; i < big.y.length; i++) expect(big.x[0]![i]!).toBeGreaterThan(big.x[0]![i - 1]!);
    expect(samples.get('2')!.x[0]).toEqual(Float64Array.from({ length: 10 }, (_, i) => 3 * i + 2)); // a small group: every row
    expect(groupSampleCap(1)).toBe(SAMPLE_ROWS);
    expect(groupSampleCap(10_000)).toBe(GROUP_SAMPLE_MIN);
    expect(groupSampleCap(1000)).toBe(200);
  });

  it("names the group whose p0 'auto' estimate fails", async () => {
    await connection.run(`CREATE OR REPLACE TABLE tiny AS SELECT * FROM readings UNION ALL SELECT 9 AS sensor, 0.5 AS t, 1.0 AS signal, 0.01 AS err`);
    await expect(fitSql(models.exponentialDecay(), { db: duckdb(connection), table: 'tiny', x: 't', y: 'signal', groupBy: 'sensor' }, { p0: 'auto' })).rejects.toThrow(/p0 'auto' failed for group 9 \(estimated from 1 rows\)/);
  });
});

describe('readGroupSamples (property)', () => {
  // any group sizes and any cap: a group's sample is all its rows up to the cap, else exactly cap
  // rows spread from its first row to its last third, in x order; no group is missing
  test.prop([fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 4000 })], { numRuns: 15 })(
    'keeps min(n, cap) rows per group, first row included, in order',
    async (sizes, groups) => {
      const cap = groupSampleCap(groups);
      const values = sizes.map((n, g) => `SELECT ${g} AS g, (i * 1.5)::DOUBLE AS t, (i % 7)::DOUBLE AS y FROM range(${n}) r(i)`).join(' UNION ALL ');
      await connection.run(`CREATE OR REPLACE TABLE prop AS ${values}`);
      const db = duckdb(connection);
      const { target, groupBy } = resolveSqlTarget({ db, table: 'prop', x: 't', y: 'y', groupBy: 'g' }, ['t'], 'test');
      const samples = await readGroupSamples(db, target, groupBy!, [], groups);
      expect(samples.size).toBe(sizes.length);
      sizes.forEach((n, g) => {
        const s = samples.get(String(g))!;
        expect(s.y.length).toBe(Math.min(n, cap));
        expect(s.x[0]![0]).toBe(0);
        for (let i = 1; i < s.y.length; i++) expect(s.x[0]![i]!).toBeGreaterThan(s.x[0]![i - 1]!);
        if (n > cap) expect(s.x[0]![s.y.length - 1]!).toBeGreaterThanOrEqual((2 * (n - 1) * 1.5) / 3);
        s.x[0]!.forEach((t, i) => expect(s.y[i]).toBe((t / 1.5) % 7));
      });
    },
  );
});
