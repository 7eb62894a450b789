/**
 * The per-iteration statement of a `groupBy` fit: one query returns every active group's Gram
 * sums. Each group has its own θ, so θ (and the column scales) cannot be scalar parameters: they
 * arrive as a bound `VALUES` list, one row per active group, joined to the table on the group
 * key (compared as text), and the aggregate is `GROUP BY` the key:
 *
 * ```
 *   SELECT k, COUNT(*), COUNT(r), SUM(J_a·J_b)…  FROM ( …model levels with θ_j = th.p_j… )
 *   FROM table JOIN (VALUES (key, θ…, c…), …) AS th(k, p_0…, c_0…) ON CAST(group AS TEXT) = th.k
 *   WHERE <where>  GROUP BY k ORDER BY k
 * ```
 *
 * Groups that converged are left out of the VALUES list, so later queries read only the rows of
 * the groups still iterating (the join drops the rest). The names `nlsq_k`, `nlsq_p<j>`,
 * `nlsq_c<j>` are the generator's; a table column with one of those names would be ambiguous.
 *
 * @module
 */
import type { Program } from '../model/ir.ts';
import { filteredTable, type SqlTarget } from './gram-query.ts';
import { COLUMN, column, programSql } from './program-sql.ts';
import { SqlBinder, type BoundStatement } from './sql-binder.ts';

/** Slots of the grouped statement: after the where-parameters, per active group i, `1 + p + (p + 1)` values. */
export function groupSlot(whereCount: number, p: number, group: number): number {
  return whereCount + group * (2 * p + 2);
}

/**
 * The Gram statement for `groups` active groups, grouped by the quoted column `groupBy`.
 *
 * @returns the statement; its rows are `key, COUNT(*), COUNT(r), packed sums…`, ordered by key.
 */
export function groupGramStatement(target: SqlTarget, program: Program, groupBy: string, groups: number): BoundStatement {
  const { dialect } = target;
  const p = program.params.length;
  const q = (name: string): string => column(dialect, name);
  const binder = new SqlBinder(dialect, target.whereCount);
  const dbl = (e: string): string => `CAST(${e} AS ${dialect.doubleType})`;
  const thNames = [q('nlsq_k'), ...Array.from({ length: p }, (_, j) => q(`nlsq_p${j}`)), ...Array.from({ length: p + 1 }, (_, j) => q(`nlsq_c${j}`))];
  const rows = Array.from({ length: groups }, (_, i) => {
    const base = groupSlot(target.whereCount, p, i);
    return `(${[binder.text(base), ...Array.from({ length: 2 * p + 1 }, (_, j) => binder.double(base + 1 + j))].join(', ')})`;
  });
  const items = [
    ...target.x.map((x, k) => `${dbl(x)} AS ${q(COLUMN.variable(k))}`),
    `${dbl(target.y)} AS ${q(COLUMN.y)}`,
    ...(target.sigma === undefined ? [] : [`${dbl(target.sigma)} AS ${q(COLUMN.sigma)}`]),
    ...thNames.map((n) => `${q('nlsq_th')}.${n}`),
  ];
  const on = `CAST(${groupBy} AS ${dialect.stringType}) = ${q('nlsq_th')}.${q('nlsq_k')}`;
  const joined: SqlTarget = { ...target, table: `${target.table} JOIN (VALUES ${rows.join(', ')}) AS ${q('nlsq_th')}(${thNames.join(', ')}) ON ${on}` };
  let from = `SELECT ${items.join(', ')} FROM ${filteredTable(joined, binder)}`;
  const code = programSql({ program, dialect, binder, thetaSlot: -1, gradient: true, caller: target.caller, paramSql: (j) => q(`nlsq_p${j}`) });
  code.levels.forEach((level, d) => {
    from = `SELECT *, ${level.join(', ')} FROM (${from}) AS ${q(`nlsq_l${d}`)}`;
  });
  const w = (e: string): string => (target.sigma === undefined ? e : `(${e} / ${q(COLUMN.sigma)})`);
  const cols = [...code.gradient.map((g, j) => `${w(g)} * ${q(`nlsq_c${j}`)} AS ${q(`nlsq_j${j}`)}`), `${w(`(${code.value} - ${q(COLUMN.y)})`)} * ${q(`nlsq_c${p}`)} AS ${q('nlsq_r')}`];
  const names = [...Array.from({ length: p }, (_, j) => q(`nlsq_j${j}`)), q('nlsq_r')];
  const sums: string[] = [];
  for (let a = 0; a <= p; a++) for (let b = a; b <= p; b++) sums.push(dialect.sum(`${names[a]} * ${names[b]}`));
  const k = q('nlsq_k');
  return binder.finish(`SELECT ${k}, COUNT(*), COUNT(${q('nlsq_r')}), ${sums.join(', ')} FROM (SELECT ${cols.join(', ')}, ${k} FROM (${from}) AS ${q('nlsq_m')}) AS ${q('nlsq_q')} GROUP BY ${k} ORDER BY ${k}`);
}
