/**
 * Test helper: real PostgreSQL servers for the SQL tests, started in a temporary directory on
 * loopback ports from the Debian binaries (`/usr/lib/postgresql/<major>/bin`, installed by
 * `.ci/run`). PostgreSQL refuses to run as root, so under root the clusters belong to `nobody`
 * and every command runs through `runuser -u nobody`.
 *
 * `postgresBinaries()` says why the servers cannot start (no binaries) so that a test file can
 * skip with a printed reason outside CI; under `CI=true` a missing PostgreSQL is an error.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A running cluster. */
export interface PostgresServer {
  readonly port: number;
  readonly dir: string;
  /** Connection settings for `pg`. */
  readonly config: { host: string; port: number; user: string; database: string };
}

/** The newest PostgreSQL bin directory, or a reason why there is none. */
export function postgresBinaries(): { bin: string } | { missing: string } {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl'))).sort((a, b) => Number(b) - Number(a)) : [];
  if (versions.length === 0) return { missing: `no PostgreSQL binaries under ${root} (apt-get install postgresql; .ci/run does)` };
  return { bin: join(root, versions[0]!, 'bin') };
}

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function runAs(bin: string, tool: string, args: readonly string[]): void {
  const path = join(bin, tool);
  if (asRoot) execFileSync('runuser', ['-u', 'nobody', '--', path, ...args], { stdio: 'pipe' });
  else execFileSync(path, args, { stdio: 'pipe' });
}

/**
 * Start `count` clusters on consecutive free-looking ports from `basePort`.
 *
 * @returns the servers; call {@link stopPostgres} in `afterAll`.
 */
export function startPostgres(count: number, basePort = 15432 + (process.pid % 2000) * 4): PostgresServer[] {
  const found = postgresBinaries();
  if ('missing' in found) throw new Error(found.missing);
  const servers: PostgresServer[] = [];
  for (let i = 0; i < count; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'nlsq-pg-'));
    chmodSync(dir, 0o777);
    if (asRoot) execFileSync('chown', ['nobody', dir]);
    const data = join(dir, 'data');
    const port = basePort + i;
    runAs(found.bin, 'initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
    runAs(found.bin, 'pg_ctl', ['-D', data, '-w', '-l', join(dir, 'log'), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_parallel_workers_per_gather=0`, 'start']);
    servers.push({ port, dir, config: { host: '127.0.0.1', port, user: 'postgres', database: 'postgres' } });
  }
  return servers;
}

/** Stop the clusters and delete their directories. */
export function stopPostgres(servers: readonly PostgresServer[]): void {
  const found = postgresBinaries();
  for (const s of servers) {
    try {
      if ('bin' in found) runAs(found.bin, 'pg_ctl', ['-D', join(s.dir, 'data'), '-m', 'immediate', '-w', 'stop']);
    } finally {
      rmSync(s.dir, { recursive: true, force: true });
    }
  }
}

/** The part of a `pg` client the shard set-up needs. */
interface Queryable {
  query(text: string): Promise<unknown>;
}

/**
 * Make `readings` on the coordinator a table partitioned by `shard` (1–3) whose partitions are
 * `postgres_fdw` foreign tables over `readings_part` on `servers[1..3]` (asynchronous scans,
 * remote estimates, partition-wise aggregation on), so one aggregate runs on every shard at once.
 *
 * @param coordinator - a client of the coordinator's `sharded` database.
 * @param servers - the clusters; 1–3 hold the partitions.
 * @param columns - the column list of `readings` (must start with `shard int`).
 */
export async function createShardedReadings(coordinator: Queryable, servers: readonly PostgresServer[], columns: string): Promise<void> {
  await coordinator.query('CREATE EXTENSION postgres_fdw');
  await coordinator.query(`CREATE TABLE readings (${columns}) PARTITION BY LIST (shard)`);
  for (let s = 1; s <= 3; s++) {
    await coordinator.query(`CREATE SERVER shard${s} FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '127.0.0.1', port '${servers[s]!.port}', dbname 'postgres', async_capable 'true', use_remote_estimate 'true')`);
    await coordinator.query(`CREATE USER MAPPING FOR CURRENT_USER SERVER shard${s} OPTIONS (user 'postgres')`);
    await coordinator.query(`CREATE FOREIGN TABLE readings_${s} PARTITION OF readings FOR VALUES IN (${s}) SERVER shard${s} OPTIONS (table_name 'readings_part')`);
  }
  await coordinator.query('ANALYZE readings');
  await coordinator.query('SET enable_partitionwise_aggregate = on');
}
