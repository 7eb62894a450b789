import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NlsqRangeError, NlsqTypeError } from '../../src/errors.ts';
import { fitSql, lowerToProgram, model } from '../../src/index.ts';
import { fitStatements, type SqlTarget } from '../../src/sql/gram-query.ts';
import { quoteIdentifier } from '../../src/sql/identifiers.ts';
import { BIGQUERY_DIALECT, CLICKHOUSE_DIALECT, DUCKDB_DIALECT, POSTGRES_DIALECT, SPARK_DIALECT, TRINO_DIALECT, duckdb, type SqlDialect } from '../../src/sql/index.ts';

const ALL: readonly SqlDialect[] = [DUCKDB_DIALECT, POSTGRES_DIALECT, SPARK_DIALECT, TRINO_DIALECT, BIGQUERY_DIALECT, CLICKHOUSE_DIALECT];

function target(dialect: SqlDialect, where?: string, whereCount = 0): SqlTarget {
  const q = (n: string): string => quoteIdentifier(n, dialect, 'test', 'x');
  return { dialect, table: q('readings'), x: [q('t')], y: q('signal'), sigma: q('err'), where, whereCount, caller: 'test' };
}

/** Undo a dialect's quoting: strip the outer quotes and un-double the inner ones, failing on a lone quote. */
function unquote(quoted: string, q: string): string {
  expect(quoted.startsWith(q) && quoted.endsWith(q)).toBe(true);
  const inner = quoted.slice(1, -1);
  expect(inner.split(q + q).join('').includes(q)).toBe(false);
  return inner.split(q + q).join(q);
}

describe('SQL text per dialect', () => {
  const m = model('a*exp(-b*t) + c*log(t) + sinh(t)^0.5 + log2(t)', { variables: ['t'] });
  const program = lowerToProgram(m);

  it.each(ALL.map((d) => [d.name, d] as const))('%s: function names, DOUBLE casts, placeholders and the sum', (_, dialect) => {
    const s = fitStatements(target(dialect), program);
    const text = s.gram.text;
    const expected: Record<string, { fns: RegExp[]; sum: RegExp; placeholder: RegExp; cast: string }> = {
      duckdb: { fns: [/EXP\(/, /LN\(/, /SINH\(/, /LOG2\(/, /POWER\(/], sum: /fsum\(/, placeholder: /\$1\b/, cast: 'AS DOUBLE)' },
      postgresql: { fns: [/EXP\(/, /LN\(/, /SINH\(/, /LN\(2|\/ LN\(CAST\(2/, /POWER\(/], sum: /SUM\(/, placeholder: /\$1\b/, cast: 'AS DOUBLE PRECISION)' },
      spark: { fns: [/EXP\(/, /LN\(/, /SINH\(/, /LOG2\(/, /POW\(/], sum: /SUM\(/, placeholder: /\?/, cast: 'AS DOUBLE)' },
      trino: { fns: [/EXP\(/, /LN\(/, /\(EXP\(.*\) - EXP\(-/, /LOG2\(/, /POWER\(/], sum: /SUM\(/, placeholder: /\?/, cast: 'AS DOUBLE)' },
      bigquery: { fns: [/EXP\(/, /LN\(/, /SINH\(/, /LOG\([^)]*, 2\)/, /POW\(/], sum: /SUM\(/, placeholder: /@p0\b/, cast: 'AS FLOAT64)' },
      clickhouse: { fns: [/exp\(/, /log\(/, /sinh\(/, /log2\(/, /pow\(/], sum: /sumKahan\(/, placeholder: /\{p0:Float64\}/, cast: 'AS Float64)' },
    };
    const e = expected[dialect.name]!;
    for (const fn of e.fns) expect(text).toMatch(fn);
    expect(text).toMatch(e.sum);
    expect(text).toMatch(e.placeholder);
    expect(text).toContain(e.cast);
    expect(text).toContain(`${dialect.identifierQuote}signal${dialect.identifierQuote}`);
    // every placeholder position maps to a slot: θ (3 parameters) and the 4 column scales
    expect(new Set(s.gram.slots)).toEqual(new Set([0, 1, 2, 3, 4, 5, 6]));
    if (!dialect.reusesPlaceholders) expect(text.split('?').length - 1).toBe(s.gram.slots.length);
  });

  it('binds positional where parameters at the place of the where text (Trino)', () => {
    const s = fitStatements(target(TRINO_DIALECT, 'sensor = ? AND t < ?', 2), program);
    const before = s.cost.text.slice(0, s.cost.text.indexOf('sensor = ?')).split('?').length - 1;
    expect(s.cost.slots.slice(before, before + 2)).toEqual([0, 1]);
    expect(s.cost.text.split('?').length - 1).toBe(s.cost.slots.length);
  });

  it('numbers generated parameters after the where parameters ($1 stays the caller\'s)', () => {
    const s = fitStatements(target(DUCKDB_DIALECT, 'sensor = $1', 1), program);
    expect(s.gram.slots[0]).toBe(0);
    expect(s.gram.slots.slice(1).every((slot) => slot >= 1)).toBe(true);
  });

  it('refuses a function the dialect lacks, naming it', () => {
    const erf = lowerToProgram(model('a*erf(b*t)', { variables: ['t'] }));
    expect(() => fitStatements(target(POSTGRES_DIALECT), erf)).toThrow(/calls erf\(\), which the postgresql dialect has no SQL function for/);
    expect(fitStatements(target(CLICKHOUSE_DIALECT), erf).gram.text).toMatch(/erf\(/);
  });

  it.each(ALL.map((d) => [d.name, d] as const))('%s: refuses the Faddeeva function (a Voigt model), naming it', (name, dialect) => {
    const voigt = lowerToProgram(model('a*faddeeva_re((t - c)/s, g/s)', { variables: ['t'] }));
    let caught: unknown;
    try {
      fitStatements(target(dialect), voigt);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(NlsqTypeError);
    expect((caught as NlsqTypeError).message).toMatch(new RegExp(`calls faddeeva_(re|im)\\(\\), which the ${name} dialect has no SQL function for`));
  });
});

describe('identifiers: no injection path', () => {
  it('quotes any string so that it reads back as exactly that name, in every dialect', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40, unit: 'binary' }), fc.constantFrom(...ALL), (name, dialect) => {
        fc.pre(!name.includes('\u0000') && !dialect.forbiddenInIdentifiers.split('').some((c) => name.includes(c)));
        expect(unquote(quoteIdentifier(name, dialect, 'fitSql', 'x'), dialect.identifierQuote)).toBe(name);
      }),
    );
  });

  it('rejects NUL, the empty name, non-strings and a backslash for BigQuery', () => {
    expect(() => quoteIdentifier('a\u0000b', DUCKDB_DIALECT, 'fitSql', 'y')).toThrow(NlsqRangeError);
    expect(() => quoteIdentifier('', DUCKDB_DIALECT, 'fitSql', 'y')).toThrow(NlsqRangeError);
    expect(() => quoteIdentifier(3, DUCKDB_DIALECT, 'fitSql', 'y')).toThrow(NlsqTypeError);
    expect(() => quoteIdentifier('a\\b', BIGQUERY_DIALECT, 'fitSql', 'y')).toThrow(/must not contain "\\\\"/);
  });
});

describe('hostile names and filter values against a real engine (DuckDB)', () => {
  let connection: DuckDBConnection;
  beforeAll(async () => {
    connection = await (await DuckDBInstance.create(':memory:')).connect();
    await connection.run('CREATE TABLE sentinel AS SELECT 1 AS one');
  });
  afterAll(() => connection?.closeSync());

  it('fits tables and columns with hostile names, binds hostile where values, and leaves other tables alone', async () => {
    const hostile = fc.string({ minLength: 1, maxLength: 12, unit: fc.constantFrom('"', "'", ';', '-', ' ', ')', '(', 'a', 'b', '*', '/', '$', '\\', '`', 'é') });
    await fc.assert(
      fc.asyncProperty(hostile, hostile, hostile, hostile, async (table, xName, yName, label) => {
        fc.pre(new Set([xName.toLowerCase(), yName.toLowerCase(), 'label']).size === 3);
        const q = (n: string): string => quoteIdentifier(n, DUCKDB_DIALECT, 'test', 'x');
        await connection.run(`DROP TABLE IF EXISTS ${q(table)}`);
        await connection.run(`CREATE TABLE ${q(table)} AS SELECT i::DOUBLE AS ${q(xName)}, (2 * i + 1)::DOUBLE AS ${q(yName)}, CASE WHEN i % 2 = 0 THEN $1 ELSE 'other' END AS label FROM range(10) r(i)`, [label]);
        const r = await fitSql(model('a*x + b'), { db: duckdb(connection), table, x: xName, y: yName, where: 'label = $1', whereParams: [label] }, { p0: [1, 0] });
        expect(r.n).toBe(label === 'other' ? 10 : 5);
        expect(r.popt).toBeAllclose([2, 1], { rtol: 1e-12, atol: 1e-12 });
        expect((await connection.runAndReadAll('SELECT one FROM sentinel')).getRows()).toEqual([[1]]);
        await connection.run(`DROP TABLE ${q(table)}`);
      }),
      { numRuns: 25 },
    );
  });
});
