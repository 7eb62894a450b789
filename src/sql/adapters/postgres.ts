/**
 * `postgres(client)`: a {@link SqlDatabase} over a `pg` `Client` or `Pool`
 * (https://node-postgres.com/apis/client) that the caller connected. nlsq does not import `pg`:
 * the adapter calls `client.query({ text, values, rowMode: 'array' })`, so any object with that
 * shape works. Works unchanged on a table sharded with `postgres_fdw` (the coordinator pushes the
 * aggregate down to the shards).
 *
 * Values round-trip exactly: `pg` sends a JS number as its shortest decimal string and
 * PostgreSQL ≥ 12 prints float8 results with the shortest exact digits (`extra_float_digits` 1).
 *
 * @module
 */
import { NlsqTypeError, describeValue } from '../../errors.ts';
import { POSTGRES_DIALECT } from '../dialects/postgres.ts';
import type { SqlDatabase } from '../sql-database.ts';

/** The part of a `pg` `Client` / `Pool` the adapter uses. */
export interface PgClientLike {
  /** Run a query config and return its rows. */
  query(config: { text: string; values: unknown[]; rowMode: 'array' }): Promise<{ rows: unknown[][] }>;
}

/**
 * Whether a PostgreSQL error is a data exception (SQLSTATE class 22: numeric value out of range,
 * division by zero, invalid argument for a logarithm or a power) — the model's domain at that θ.
 */
function isDataException(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('22');
}

/**
 * Wrap a `pg` client or pool for `fitSql`.
 *
 * @param client - a connected `pg.Client` or a `pg.Pool`.
 * @returns the database: PostgreSQL dialect, SQLSTATE class 22 counted as a domain error.
 * @throws NlsqTypeError (argument `client`) when it has no `query` method.
 * @example
 * ```ts
 * import pg from 'pg';
 * import { postgres } from 'nlsq/sql';
 * const client = new pg.Client({ host: 'localhost', database: 'lab' });
 * await client.connect();
 * const r = await fitSql(model('a*exp(-b*t)+c'), { db: postgres(client), table: 'readings', x: 't', y: 'signal', where: 'sensor = $1', whereParams: [17] }, { p0: [1, 1, 0] });
 * ```
 */
export function postgres(client: PgClientLike): SqlDatabase {
  if (typeof (client as Partial<PgClientLike> | null)?.query !== 'function') {
    throw new NlsqTypeError(`postgres: client must be a pg Client or Pool (with query), got ${describeValue(client)}`, 'client');
  }
  return {
    dialect: POSTGRES_DIALECT,
    name: 'PostgreSQL (pg)',
    async query(text, params) {
      const result = await client.query({ text, values: [...params], rowMode: 'array' });
      return result.rows;
    },
    isDomainError: isDataException,
  };
}
