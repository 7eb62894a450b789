/**
 * The statements of an in-database fit: per evaluation one aggregate over the table returns the
 * cost ½Σr² or the packed upper triangle of G = [J r]ᵀ[J r]; at the end one more returns the
 * goodness-of-fit sums.
 *
 * ```
 *   SELECT COUNT(*), COUNT(r), SUM(r·r)·c_r², SUM(J_0·J_0)·…, …             -- p(p+1)/2 + p + 1 sums
 *   FROM (SELECT (f − y)/σ AS r, (∂f/∂θ_j)/σ AS J_j FROM (…levels…) )      -- model levels (program-sql.ts)
 *   WHERE <where>                                                            -- on level 0, the caller's rows
 * ```
 *
 * Columns are equilibrated in the database: J_j and r are multiplied by bound powers of two
 * c_j (from the previous evaluation's column norms, `sql-problem.ts`), so no product over- or
 * underflows whatever the scale of the data, and the host divides them out exactly.
 * `COUNT(r) < COUNT(*)` means some residual was NULL (a NULL in the data, or an engine that turns
 * a domain error into NULL): the evaluation is then not finite.
 *
 * With a partition column (`partitionBy`) every aggregate is `GROUP BY` that column and returns
 * one row per partition, which the host adds in the order of the key (`sumRows`): on a table
 * partitioned across servers by that column (PostgreSQL `postgres_fdw`), the planner then pushes
 * each partition's whole aggregate down to its shard (partitionwise aggregation), the shards run
 * at once (`async_capable`), and the combination order is fixed, so the fit repeats bit for bit.
 *
 * The residual is r = (f − y)/σ (σ = 1 without a sigma column), the sign convention of
 * `curveFit`'s kernels, so Jᵀr is the gradient of ½‖r‖².
 *
 * @module
 */
import type { Program } from '../model/ir.ts';
import type { SqlDialect } from './dialects/sql-dialect.ts';
import { COLUMN, column, programSql } from './program-sql.ts';
import { SqlBinder, type BoundStatement } from './sql-binder.ts';

/** The validated, quoted pieces of an in-database fit (built by `sql-target.ts`). */
export interface SqlTarget {
  /** The dialect. */
  readonly dialect: SqlDialect;
  /** The quoted table, or the relation reading a Parquet file (its path a bound parameter). */
  readonly table: string;
  /** The table as messages name it (the quoted name, or `read_parquet(<path>)`). */
  readonly label: string;
  /** One quoted column per model variable, in `program.variables` order. */
  readonly x: readonly string[];
  /** The quoted y column. */
  readonly y: string;
  /** The quoted sigma column, if any. */
  readonly sigma: string | undefined;
  /** The caller's trusted `where` fragment, if any. */
  readonly where: string | undefined;
  /** Number of `whereParams` (slots 0 … whereCount − 1). */
  readonly whereCount: number;
  /** The quoted partition column (`partitionBy`), if any: every aggregate groups by it. */
  readonly partition?: string | undefined;
  /** Caller for messages. */
  readonly caller: string;
}

/** The slot layout of the generated parameters after the caller's `whereParams`. */
export interface SlotLayout {
  /** Slot of θ_0. */
  readonly theta: number;
  /** Slot of the first column scale (c_0 … c_{p−1}, then c_r). */
  readonly scales: number;
  /** Slot of ȳ (the TSS statement). */
  readonly mean: number;
}

/** Slots for a fit with `p` parameters after `whereCount` where-parameters. */
export function slotLayout(whereCount: number, p: number): SlotLayout {
  return { theta: whereCount, scales: whereCount + p, mean: whereCount + 2 * p + 1 };
}

/** The statements of one fit. */
export interface FitStatements {
  /** `COUNT(*), COUNT(r), Σr²`. */
  readonly cost: BoundStatement;
  /** `COUNT(*), COUNT(r)`, then the packed upper triangle of the scaled [J r]ᵀ[J r] (row-major). */
  readonly gram: BoundStatement;
  /** `COUNT(*), COUNT(r), Σr², Σ(y−f)², Σ|y−f|, Σy` at popt. */
  readonly statistics: BoundStatement;
  /** `Σ(y − ȳ)²` with ȳ bound. */
  readonly tss: BoundStatement;
}

/** `table WHERE (where)`: the caller's rows, the `where` placed through `binder`. */
export function filteredTable(target: SqlTarget, binder: SqlBinder): string {
  return `${target.table}${target.where === undefined ? '' : ` WHERE (${binder.where(target.where)})`}`;
}

/** Level 0 (the caller's rows, cast to DOUBLE) plus the model levels, as one derived table. */
function modelTable(target: SqlTarget, program: Program, binder: SqlBinder, gradient: boolean, slots: SlotLayout): { from: string; value: string; grad: readonly string[] } {
  const { dialect } = target;
  const dbl = (e: string): string => `CAST(${e} AS ${dialect.doubleType})`;
  const items = [
    ...target.x.map((x, k) => `${dbl(x)} AS ${column(dialect, COLUMN.variable(k))}`),
    `${dbl(target.y)} AS ${column(dialect, COLUMN.y)}`,
    ...(target.sigma === undefined ? [] : [`${dbl(target.sigma)} AS ${column(dialect, COLUMN.sigma)}`]),
    ...(target.partition === undefined ? [] : [`${target.partition} AS ${column(dialect, COLUMN.group)}`]),
  ];
  let from = `SELECT ${items.join(', ')} FROM ${filteredTable(target, binder)}`;
  const code = programSql({ program, dialect, binder, thetaSlot: slots.theta, gradient, caller: target.caller });
  code.levels.forEach((level, d) => {
    from = `SELECT *, ${level.join(', ')} FROM (${from}) AS ${column(dialect, `nlsq_l${d}`)}`;
  });
  return { from, value: code.value, grad: code.gradient };
}

/** `(e) / σ` when there is a sigma column. */
function weighted(target: SqlTarget, e: string): string {
  return target.sigma === undefined ? e : `(${e} / ${column(target.dialect, COLUMN.sigma)})`;
}

/**
 * Build the four statements of a fit.
 *
 * @param target - the validated table, columns and filter.
 * @param program - the model's IR (variables in `target.x` order).
 * @returns the statements with their slot maps.
 * @throws NlsqTypeError when the model calls a function the dialect lacks.
 */
export function fitStatements(target: SqlTarget, program: Program): FitStatements {
  const { dialect } = target;
  const p = program.params.length;
  const slots = slotLayout(target.whereCount, p);
  const y = column(dialect, COLUMN.y);
  const S = dialect.sum.bind(dialect);
  const q = (name: string): string => column(dialect, name);
  const g = q(COLUMN.group);
  const grouped = target.partition === undefined ? '' : ` GROUP BY ${g} ORDER BY ${g}`;
  const carry = target.partition === undefined ? '' : `, ${g}`;
  const counted = (inner: string, r: string, sums: readonly string[], alias: string): string =>
    `SELECT COUNT(*), COUNT(${r}), ${sums.join(', ')} FROM (${inner}) AS ${q(alias)}${grouped}`;

  const costBinder = new SqlBinder(dialect, target.whereCount);
  const costModel = modelTable(target, program, costBinder, false, slots);
  const costInner = `SELECT ${weighted(target, `(${costModel.value} - ${y})`)} AS ${q('nlsq_r')}${carry} FROM (${costModel.from}) AS ${q('nlsq_m')}`;
  const cost = costBinder.finish(counted(costInner, q('nlsq_r'), [S(`${q('nlsq_r')} * ${q('nlsq_r')}`)], 'nlsq_q'));

  const gramBinder = new SqlBinder(dialect, target.whereCount);
  const gramModel = modelTable(target, program, gramBinder, true, slots);
  const cols = [...gramModel.grad.map((g, j) => `${weighted(target, g)} * ${gramBinder.double(slots.scales + j)} AS ${q(`nlsq_j${j}`)}`),
    `${weighted(target, `(${gramModel.value} - ${y})`)} * ${gramBinder.double(slots.scales + p)} AS ${q('nlsq_r')}`];
  const names = [...Array.from({ length: p }, (_, j) => q(`nlsq_j${j}`)), q('nlsq_r')];
  const sums: string[] = [];
  for (let a = 0; a <= p; a++) for (let b = a; b <= p; b++) sums.push(S(`${names[a]} * ${names[b]}`));
  const gram = gramBinder.finish(counted(`SELECT ${cols.join(', ')}${carry} FROM (${gramModel.from}) AS ${q('nlsq_m')}`, q('nlsq_r'), sums, 'nlsq_q'));

  const statBinder = new SqlBinder(dialect, target.whereCount);
  const statModel = modelTable(target, program, statBinder, false, slots);
  const e = q('nlsq_e');
  const statInner = `SELECT ${weighted(target, `(${statModel.value} - ${y})`)} AS ${q('nlsq_r')}, (${y} - ${statModel.value}) AS ${e}, ${y}${carry} FROM (${statModel.from}) AS ${q('nlsq_m')}`;
  const statistics = statBinder.finish(
    counted(statInner, q('nlsq_r'), [S(`${q('nlsq_r')} * ${q('nlsq_r')}`), S(`${e} * ${e}`), S(`ABS(${e})`), S(y)], 'nlsq_q'),
  );

  const tssBinder = new SqlBinder(dialect, target.whereCount);
  const level0 = `SELECT CAST(${target.y} AS ${dialect.doubleType}) AS ${y}${target.partition === undefined ? '' : `, ${target.partition} AS ${g}`} FROM ${filteredTable(target, tssBinder)}`;
  const dev = `(${y} - ${tssBinder.double(slots.mean)})`;
  const tss = tssBinder.finish(`SELECT ${S(`${dev} * ${dev}`)} FROM (${level0}) AS ${q('nlsq_q')}${grouped}`);
  return { cost, gram, statistics, tss };
}
