import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSourceError } from '../../src/errors.ts';
import { curveFit, fitSql, model } from '../../src/index.ts';
import { postgres } from '../../src/sql/index.ts';
import { postgresBinaries, startPostgres, stopPostgres, type PostgresServer, createShardedReadings } from '../support/postgres.ts';

// PostgreSQL 15 from Debian's package, started here: one server, and three servers with the
// table partitioned across them as postgres_fdw foreign tables (aggregates pushed down, async).
const found = postgresBinaries();
const skip = 'missing' in found && process.env['CI'] !== 'true';
if (skip) console.warn(`test/sql/postgres.test.ts skipped: ${(found as { missing: string }).missing}`);

const N = 30000;
const ROWS = (from: number, to: number, shard = 0): string =>
  `SELECT ${shard} AS shard, (i / 1000.0)::float8 AS t, (3 * exp(-0.7 * (i / 1000.0)) + 0.5 + 0.01 * sin(i * 12.9898))::float8 AS signal,
   (0.01 + 0.005 * (i % 7) / 7)::float8 AS err, (i % 3) AS sensor FROM generate_series(${from}, ${to - 1}) AS g(i)`;
const COLUMNS = 'shard int, t float8, signal float8, err float8, sensor int';

let servers: PostgresServer[] = [];
const clients: pg.Client[] = [];
let single: pg.Client;
let coordinator: pg.Client;

async function connect(server: PostgresServer): Promise<pg.Client> {
  const c = new pg.Client(server.config);
  await c.connect();
  clients.push(c);
  return c;
}

beforeAll(async () => {
  if (skip) return;
  servers = startPostgres(4);
  single = await connect(servers[0]!);
  await single.query(`CREATE TABLE readings AS ${ROWS(0, N)}`);
  // shards: servers 1..3 hold a third of the rows each; server 0 (database 'sharded') is the coordinator
  const bounds = [0, 10000, 20000, N];
  for (let s = 1; s <= 3; s++) {
    const c = await connect(servers[s]!);
    await c.query(`CREATE TABLE readings_part AS ${ROWS(bounds[s - 1]!, bounds[s]!, s)}`);
    await c.end();
  }
  await single.query('CREATE DATABASE sharded');
  coordinator = new pg.Client({ ...servers[0]!.config, database: 'sharded' });
  await coordinator.connect();
  clients.push(coordinator);
  await createShardedReadings(coordinator, servers, COLUMNS);
}, 120_000);

afterAll(async () => {
  for (const c of clients) await c.end().catch(() => undefined);
  if (servers.length > 0) stopPostgres(servers);
});

const decay = model('a*exp(-b*t)+c', { variables: ['t'] });

async function reference(client: pg.Client, where = ''): Promise<Awaited<ReturnType<typeof curveFit>>> {
  const { rows } = await client.query({ text: `SELECT t, signal, err FROM readings ${where} ORDER BY t`, rowMode: 'array' });
  return curveFit(decay, Float64Array.from(rows, (r) => r[0]), Float64Array.from(rows, (r) => r[1]), { p0: [1, 1, 0], sigma: Float64Array.from(rows, (r) => r[2]) });
}

describe.skipIf(skip)('fitSql on PostgreSQL 15', () => {
  it('one server: equals curveFit on the same rows (popt 1e-9, perr 1e-6) and repeats bit for bit', async () => {
    const spec = { db: postgres(single), table: 'readings', x: 't', y: 'signal', sigma: 'err' };
    const r = await fitSql(decay, spec, { p0: [1, 1, 0] });
    const ref = await reference(single);
    expect(r.popt).toBeAllclose(ref.popt, { rtol: 1e-9, atol: 0 });
    expect(r.perr).toBeAllclose(ref.perr, { rtol: 1e-6, atol: 0 });
    expect(r.choices.backend.used).toBe('postgresql (in-database)');
    const again = await fitSql(decay, spec, { p0: [1, 1, 0] });
    expect(again.popt).toEqual(r.popt);
  });

  it('where with bound whereParams', async () => {
    const r = await fitSql(decay, { db: postgres(single), table: 'readings', x: 't', y: 'signal', sigma: 'err', where: 'sensor = $1', whereParams: [1] }, { p0: [1, 1, 0] });
    const ref = await reference(single, 'WHERE sensor = 1');
    expect(r.n).toBe(N / 3);
    expect(r.popt).toBeAllclose(ref.popt, { rtol: 1e-9, atol: 0 });
  });

  it('three shards through postgres_fdw (partitionBy): each shard runs its aggregate, the fit equals the single server and repeats bit for bit', async () => {
    const db = postgres(coordinator);
    const spec = { db, table: 'readings', x: 't', y: 'signal', sigma: 'err', partitionBy: 'shard' };
    const r = await fitSql(decay, spec, { p0: [1, 1, 0] });
    const ref = await reference(single);
    expect(r.n).toBe(N);
    expect((await fitSql(decay, spec, { p0: [1, 1, 0] })).popt).toEqual(r.popt);
    expect(r.popt).toBeAllclose(ref.popt, { rtol: 1e-9, atol: 0 });
    expect(r.perr).toBeAllclose(ref.perr, { rtol: 1e-6, atol: 0 });
    const plan = await coordinator.query({ text: 'EXPLAIN (VERBOSE) SELECT COUNT(*), SUM(signal * t) FROM readings GROUP BY shard ORDER BY shard', rowMode: 'array' });
    const text = plan.rows.map((row) => row[0]).join('\n');
    expect(text).toMatch(/Async Foreign Scan/);
    expect(text.match(/Remote SQL: SELECT [^\n]*count\(\*\)[^\n]*sum\(/g)).toHaveLength(3);
  });

  it('groupBy: each sensor equals curveFit on its rows', async () => {
    const fits = await fitSql(decay, { db: postgres(single), table: 'readings', x: 't', y: 'signal', sigma: 'err', groupBy: 'sensor' }, { p0: [1, 1, 0] });
    expect([...fits.keys()]).toEqual(['0', '1', '2']);
    for (const [key, r] of fits) {
      const ref = await reference(single, `WHERE sensor = ${Number(key)}`);
      expect(r.popt).toBeAllclose(ref.popt, { rtol: 1e-9, atol: 0 });
      expect(r.perr).toBeAllclose(ref.perr, { rtol: 1e-6, atol: 0 });
    }
  });

  it('a backend terminated mid-fit fails with a DataSourceError and no result', async () => {
    const victim = await connect(servers[0]!);
    const { rows } = await victim.query('SELECT pg_backend_pid()');
    const pid = rows[0].pg_backend_pid as number;
    victim.on('error', () => undefined);
    let iterations = 0;
    const fitting = fitSql(decay, { db: postgres(victim), table: 'readings', x: 't', y: 'signal' }, {
      p0: [1, 1, 0],
      onIteration: () => {
        iterations++;
        if (iterations === 2) void single.query('SELECT pg_terminate_backend($1)', [pid]);
      },
    });
    await expect(fitting).rejects.toThrow(DataSourceError);
    await expect(fitting).rejects.toThrow(/fitSql: the postgresql query for/);
  });
});
