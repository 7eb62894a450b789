/**
 * The PostgreSQL dialect (https://www.postgresql.org/docs/15/functions-math.html): `$n`
 * parameters, DOUBLE PRECISION, `LN`, `LOG` (base 10 for double precision, spelled `LOG10`
 * here since PostgreSQL 12 has it), `CBRT`, `POWER`, the hyperbolic functions (PostgreSQL ≥ 12);
 * `log2` as LN(a)/LN(2) (PostgreSQL's two-argument LOG is numeric only).
 *
 * PostgreSQL has no compensated float sum: `SUM(double precision)` adds in scan order, one
 * process (or one partial per parallel worker, combined in arrival order). The same SQL runs on
 * a `postgres_fdw`-sharded table, where each shard computes its partial sums and the coordinator
 * adds them.
 *
 * @module
 */
import { castTo, defineDialect, named, type SqlDialect } from './sql-dialect.ts';

const double = castTo('DOUBLE PRECISION');

/** PostgreSQL (12 or later). */
export const POSTGRES_DIALECT: SqlDialect = defineDialect({
  name: 'postgresql',
  doubleType: 'DOUBLE PRECISION',
  stringType: 'TEXT',
  placeholder: (i: number) => `$${i + 1}`,
  reusesPlaceholders: true,
  functions: { log10: named('LOG10'), log2: ([a]: readonly string[]) => `(LN(${a}) / LN(${double('2')}))` },
});
