/**
 * `npm run bench -- data` (SQL part): `fitSql` in DuckDB against the in-memory `curveFit` on the
 * same rows, and PostgreSQL 15 on one server against the same table split over three
 * `postgres_fdw` shards (same machine: this shows the mechanism, not the scaling), with the time
 * per Gram query (one per solver evaluation).
 *
 * Rows: `NLSQ_BENCH_SQL_ROWS` (default 10⁶ in DuckDB; PostgreSQL gets the same count).
 *
 * ## Measured (2 cores shared with other jobs, Node 20.20, DuckDB via @duckdb/node-api 1.5, PostgreSQL 15.18)
 *
 * `NLSQ_BENCH_SQL_ROWS=1000000 npm run bench -- data`, model a·exp(−b·t)+c with a sigma column,
 * p = 3 (10 Gram sums per row), 13 queries per fit (count, sample, 9 evaluations, 2 statistics):
 * - DuckDB: 141 ms per query over 10⁶ rows — 7·10⁶ rows/s, ≈ 3.5·10⁶ rows/s/core (2 threads,
 *   compensated `fsum`); the fit 1.7 s against 0.34 s for `curveFit` on resident arrays — which
 *   first had to be read out of the database (2.9 s through the client).
 * - PostgreSQL, one server: 600 ms per query, 1.7·10⁶ rows/s on one core (one backend process,
 *   no parallel workers); three `postgres_fdw` shards on the same two cores: 590 ms per query
 *   (the shard backends run at once — async foreign scans — but share two cores), fit median
 *   7.7 s vs 12.6 s (min 7.3 vs 7.8 s: the machine was loaded, so read the minima).
 *
 * Later, with the machine far busier (load average 17–22 on its 2 cores, 2026-12-05, so every
 * rate below is a lower bound), model a·exp(−b·x)+c without sigma, 10⁷ rows written by
 * hyparquet-writer (Snappy, row groups of 10⁶ rows), `node --import tsx` scratch runs of the same
 * calls the `data-files` section makes:
 * - DuckDB on a table: 2.0 s per Gram query over 10⁷ rows (5·10⁶ rows/s on 2 threads);
 * - DuckDB reading the Parquet file in place (`table: { parquet }`, `read_parquet`): 3.0 s per
 *   Gram query (3.3·10⁶ rows/s, 1.7·10⁶ rows/s/thread: decoding the file again each query costs
 *   half as much again as scanning its table);
 * - nlsq's Parquet reader (hyparquet, pages decoded straight into Float64Arrays): one pass over
 *   the 10⁷ rows in 0.5–0.9 s on one thread (1.1–2·10⁷ rows/s), before the model is evaluated.
 *
 * ## Rows per second per core, per engine (the measurements above)
 *
 * | engine                                   | rows/s/core (p = 3, 10 Gram sums) |
 * |------------------------------------------|-----------------------------------|
 * | DuckDB, table (fsum)                     | 2.5–3.5·10⁶                        |
 * | DuckDB, Parquet in place                 | ≈ 1.7·10⁶                          |
 * | PostgreSQL 15, one backend               | ≈ 1.7·10⁶                          |
 * | nlsq in memory (one fit, CPU fold)       | ≈ 1.9·10⁷ (10⁷ rows × 6 evaluations in 3.2 s, everything included; `data-files`) |
 *
 * ## What a 10¹⁰-row fit costs on a cluster (from the figures above)
 *
 * One evaluation scans every row once, and a fit of this model takes ≈ 10 queries (6 Gram
 * aggregates and the count, sample and statistics; `fitSql` reports them in
 * `choices.backend.reason`). Per query over 10¹⁰ rows: ≈ 2,900–4,000 core-seconds at
 * 2.5–3.5·10⁶ rows/s/core (a vectorized engine on its own tables), ≈ 5,900 at 1.7·10⁶ (PostgreSQL,
 * or DuckDB-class engines decoding Parquet in place). On 100 nodes × 16 cores (1,600 cores):
 * ≈ 1.8–2.5 s per query on tables, ≈ 3.7 s decoding Parquet or on PostgreSQL, so ≈ 20–40 s per
 * fit, plus a network round trip per query and shard — p(p+1)/2 + p + 3 numbers each; nothing
 * N-sized ever moves. The data are read ≈ 10 times, from RAM where the engine caches them. On
 * one machine of 16 cores the same fit is ≈ 10 queries × 180–370 s ≈ 30–60 min; nlsq's own
 * Parquet streaming, one thread reading and one folding, ≈ 10 passes × 10¹⁰ / 1.5·10⁷ ≈ 2 h.
 *
 * @module
 */
import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import { curveFit, fitSql, model } from '../src/index.ts';
import { duckdb, postgres } from '../src/sql/index.ts';
import type { SqlDatabase } from '../src/sql/index.ts';
import { createShardedReadings, postgresBinaries, startPostgres, stopPostgres } from '../test/support/postgres.ts';
import { type BenchRow, measure } from './harness.ts';

const decay = model('a*exp(-b*t)+c', { variables: ['t'] });
const P0 = [1, 1, 0];

/** Wrap a database to time its queries. */
function timed(db: SqlDatabase): { db: SqlDatabase; reset(): void; stats(): { queries: number; ms: number } } {
  let queries = 0;
  let ms = 0;
  return {
    db: {
      ...db,
      async query(text, params) {
        const t0 = performance.now();
        try {
          return await db.query(text, params);
        } finally {
          ms += performance.now() - t0;
          queries++;
        }
      },
    },
    reset: () => { queries = 0; ms = 0; },
    stats: () => ({ queries, ms }),
  };
}

/** Rows i ∈ [from, to) of the benchmark table: t spread over [0, 20), a decay with deterministic pseudo-noise, a sigma column. */
const rowsSql = (from: number, to: number, n: number, shard: number, series: string, double: string): string =>
  `SELECT ${shard} AS shard, (i::${double} / ${n} * 20.0)::${double} AS t,
   (3 * exp(-0.7 * (i::${double} / ${n} * 20.0)) + 0.5 + 0.01 * sin(i * 12.9898))::${double} AS signal,
   (0.01 + 0.005 * (i % 7) / 7.0)::${double} AS err FROM ${series.replace('FROM', String(from)).replace('TO', String(to))}`;

/** DuckDB: fitSql vs curveFit on the same rows. */
async function benchDuckDB(n: number): Promise<BenchRow[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run(`CREATE TABLE readings AS ${rowsSql(0, n, n, 0, 'range(FROM, TO) r(i)', 'DOUBLE')}`);
  const w = timed(duckdb(connection));
  const spec = { db: w.db, table: 'readings', x: 't', y: 'signal', sigma: 'err' };
  let gram = { queries: 0, ms: 0, nfev: 0 };
  const sql = await measure(async () => {
    w.reset();
    const r = await fitSql(decay, spec, { p0: P0 });
    gram = { ...w.stats(), nfev: r.nfev };
  }, { warmup: 1, minRuns: 3, maxRuns: 5, minTimeMs: 0 });
  const read0 = performance.now();
  const rows = (await connection.runAndReadAll('SELECT t, signal, err FROM readings')).getRows();
  const t = Float64Array.from(rows, (r) => r[0] as number);
  const y = Float64Array.from(rows, (r) => r[1] as number);
  const s = Float64Array.from(rows, (r) => r[2] as number);
  const readMs = performance.now() - read0;
  const mem = await measure(() => curveFit(decay, t, y, { p0: P0, sigma: s }), { warmup: 1, minRuns: 3, maxRuns: 5, minTimeMs: 0 });
  connection.closeSync();
  const perQuery = gram.ms / gram.queries;
  return [
    { section: 'data', name: `curveFit in memory, ${n} rows`, impl: 'nlsq (resident arrays)', ...mem, extra: { readOutMs: Math.round(readMs) } },
    {
      section: 'data', name: `fitSql DuckDB, ${n} rows`, impl: 'DuckDB (@duckdb/node-api)', ...sql, peer: `curveFit in memory, ${n} rows`,
      extra: { queries: gram.queries, nfev: gram.nfev, msPerQuery: Number(perQuery.toFixed(1)), rowsPerSecond: Math.round(n / (perQuery / 1000)) },
    },
  ];
}

/** PostgreSQL: one server vs three postgres_fdw shards (on the same machine). */
async function benchPostgres(n: number): Promise<BenchRow[]> {
  const servers = startPostgres(4);
  const clients: pg.Client[] = [];
  const open = async (config: pg.ClientConfig): Promise<pg.Client> => {
    const c = new pg.Client(config);
    await c.connect();
    clients.push(c);
    return c;
  };
  try {
    const single = await open(servers[0]!.config);
    const series = 'generate_series(FROM, TO - 1) g(i)';
    await single.query(`CREATE TABLE readings AS ${rowsSql(0, n, n, 0, series, 'float8')}`);
    const third = Math.ceil(n / 3);
    for (let s = 1; s <= 3; s++) {
      const c = await open(servers[s]!.config);
      const from = (s - 1) * third;
      const to = Math.min(n, s * third);
      await c.query(`CREATE TABLE readings_part AS ${rowsSql(from, to, n, s, series, 'float8')}`);
      await c.query('ANALYZE readings_part');
    }
    await single.query('ANALYZE readings');
    await single.query('CREATE DATABASE sharded');
    const coordinator = await open({ ...servers[0]!.config, database: 'sharded' });
    await createShardedReadings(coordinator, servers, 'shard int, t float8, signal float8, err float8');
    const out: BenchRow[] = [];
    for (const [name, client, partitionBy] of [[`fitSql PostgreSQL 1 server, ${n} rows`, single, undefined], [`fitSql PostgreSQL 3 shards, ${n} rows`, coordinator, 'shard']] as const) {
      const w = timed(postgres(client));
      let gram = { queries: 0, ms: 0 };
      const spec = { db: w.db, table: 'readings', x: 't', y: 'signal', sigma: 'err', ...(partitionBy === undefined ? {} : { partitionBy }) };
      const m = await measure(async () => {
        w.reset();
        await fitSql(decay, spec, { p0: P0 });
        gram = w.stats();
      }, { warmup: 1, minRuns: 3, maxRuns: 3, minTimeMs: 0 });
      const perQuery = gram.ms / gram.queries;
      out.push({
        section: 'data', name, impl: 'PostgreSQL 15 (pg)', ...m,
        ...(partitionBy === undefined ? {} : { peer: `fitSql PostgreSQL 1 server, ${n} rows` }),
        extra: { queries: gram.queries, msPerQuery: Number(perQuery.toFixed(1)), rowsPerSecond: Math.round(n / (perQuery / 1000)) },
      });
    }
    return out;
  } finally {
    for (const c of clients) await c.end().catch(() => undefined);
    stopPostgres(servers);
  }
}

/**
 * The SQL rows of the `data` section.
 *
 * @param n - rows per table (DuckDB and PostgreSQL).
 * @returns the bench rows; PostgreSQL rows are absent (with a printed reason) without its binaries.
 */
export async function benchDataSql(n: number): Promise<BenchRow[]> {
  const rows = await benchDuckDB(n);
  const found = postgresBinaries();
  if ('missing' in found) process.stdout.write(`(PostgreSQL rows skipped: ${found.missing})\n`);
  else rows.push(...(await benchPostgres(n)));
  return rows;
}
