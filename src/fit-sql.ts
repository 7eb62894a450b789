/**
 * `fitSql`: fit an expression model to a table where it lives, in a database. The model and its
 * symbolic derivatives become SQL (generated from the model's IR, never from the user's string:
 * `sql/program-sql.ts`); every solver evaluation is one aggregate query returning the cost or
 * the Gram sums JᵀJ, Jᵀr, rᵀr (p(p+1)/2 + p + 1 numbers, `sql/gram-query.ts`); nlsq factors
 * them (the semidefinite Cholesky shared with the WebGPU path, `linalg/gram-triangle.ts`) and
 * takes the p×p trust-region step with the same TRF / dogbox / LM as `curveFit`. The rows never
 * leave the database: on a sharded table every shard aggregates its part.
 *
 * ```
 *   resolveSqlTarget ─▶ readSample (count, NULL check, sample) ─▶ resolveCurveFitOptions on the sample
 *   ─▶ fitStatements(IR) ─▶ solve(createSqlProblem) ─▶ statistics query at popt ─▶ buildCurveFitResult
 * ```
 *
 * Accuracy (the argument in full in `sql/sql-problem.ts`): popt is the zero of Jᵀr, which the
 * engine sums from the exact data, so popt is as accurate as an in-memory fit (parity tests:
 * 1e-9 relative); pcov comes from the Gram factor and carries κ(J)²·ε — the result warns
 * (`ill-conditioned-gram`) with the digits pcov keeps when fewer than 6 remain.
 *
 * With `groupBy: 'sensor'` every group is its own fit (same options; the same p0, or with
 * `p0: 'auto'` each group's estimate from its own rows), all advancing in
 * lock step: one query per round returns every active group's sums (θ per group as a bound
 * VALUES list, `sql/group-query.ts`), converged groups drop out of later queries, and the result
 * is a `Map` from the group key (as text) to each group's result.
 *
 * A Parquet file needs no table: `table: { parquet: 'readings.parquet' }` on DuckDB reads it in
 * place (`read_parquet`, the path a bound parameter), so the file's rows are aggregated by
 * DuckDB's vectorized scan and never enter the JavaScript heap.
 *
 * Throughput, measured by `npm run bench -- data` (bench/data-sql.ts; figures in its TSDoc).
 *
 * @module
 */
import { provideSqlRefits } from './batch/refit-runner.ts';
import { createCpuBackend } from './backends/cpu/cpu-backend.ts';
import type { ResolvedBackend } from './backends/registry.ts';
import { NlsqRangeError, NlsqTypeError, describeValue } from './errors.ts';
import { triangleCondition } from './linalg/gram-triangle.ts';
import { isFittableModel, type FittableModel } from './model/model-kernel.ts';
import { lowerToProgram, type LowerableModel } from './model/lower.ts';
import { resolveCurveFitOptions, startingPoint } from './options/resolve-curve-fit.ts';
import type { CurveFitOptions } from './options/types.ts';
import { buildCurveFitResult, type CurveFitResult } from './result/curve-fit-result.ts';
import { statisticsFromSums } from './result/statistics.ts';
import { solve } from './run/solve.ts';
import { fitStatements, slotLayout } from './sql/gram-query.ts';
import { sumRows } from './sql/sql-database.ts';
import { createSqlProblem, pcovDigits, PCOV_DIGITS_WARNING } from './sql/sql-problem.ts';
import { groupSampleCap, readGroupSamples, readGroups, readSample, resolveSqlTarget, type SqlFitSpec } from './sql/sql-target.ts';
import { solveGroups } from './sql/group-fit.ts';
import type { SqlTarget } from './sql/gram-query.ts';
import type { SqlDatabase } from './sql/sql-database.ts';
import type { Program } from './model/ir.ts';
import type { Choice } from './result/choice.ts';
import type { ResolvedCurveFit } from './options/resolve-curve-fit.ts';
import { formatExponent, formatNumber } from './util/format.ts';

export type { SqlFitSpec } from './sql/sql-target.ts';
export type { SqlDatabase } from './sql/sql-database.ts';

/** The options of {@link fitSql}: curveFit's, less those that concern data in memory or a backend. */
export type FitSqlOptions = Omit<CurveFitOptions, 'sigma' | 'backend' | 'blockRows' | 'polish' | 'jac' | 'checkFinite' | 'nanPolicy' | 'lift' | 'diffStep'>;

const REFUSED: readonly string[] = ['sigma', 'backend', 'blockRows', 'polish', 'jac', 'checkFinite', 'nanPolicy', 'lift', 'diffStep'];

/**
 * Fit an expression model to rows of a database table, in the database (see the module
 * documentation). The result is a {@link CurveFitResult}: popt, pcov, perr, the statistics
 * (from one more aggregate at popt), and `choices` / `report()` saying it ran in the database,
 * in which dialect, with how many queries.
 *
 * @param model - an expression model (`model('a*exp(-b*t)+c')`, `models.*`).
 * @param data - where the rows are: `{ db, table, x, y, sigma?, where?, whereParams? }` ({@link SqlFitSpec}).
 * @param options - curveFit's options (p0, bounds, method, tolerances, params, absoluteSigma,
 *   onIteration, signal, verbose); the loss must be `'linear'`.
 * @returns the fit.
 * @throws NlsqTypeError for a model that is not an expression model or a malformed `data`;
 *   NlsqRangeError for a refused option or a robust loss; DataSourceError when a query fails
 *   (the connection dropped, a column is missing) or a used column has NULLs.
 * @example
 * ```ts
 * import { fitSql, model } from 'nlsq';
 * import { duckdb } from 'nlsq/sql';
 * const r = await fitSql(model('a*exp(-b*t)+c'), { db: duckdb(connection), table: 'readings', x: 't', y: 'signal', sigma: 'err', where: 'sensor = $1', whereParams: [17] }, { p0: [1, 1, 0] });
 * r.popt; r.report({ full: true });
 * const inPlace = await fitSql(model('a*exp(-b*t)+c'), { db: duckdb(connection), table: { parquet: 'readings.parquet' }, x: 't', y: 'signal' }, { p0: [1, 1, 0] });
 * ```
 */
export function fitSql(model: FittableModel, data: SqlFitSpec & { readonly groupBy: string }, options?: FitSqlOptions): Promise<Map<string, CurveFitResult>>;
export function fitSql(model: FittableModel, data: SqlFitSpec, options?: FitSqlOptions): Promise<CurveFitResult>;
export async function fitSql(model: FittableModel, data: SqlFitSpec, options: FitSqlOptions = {}): Promise<CurveFitResult | Map<string, CurveFitResult>> {
  const caller = 'fitSql';
  if (!isFittableModel(model) || typeof (model as Partial<LowerableModel>).ast !== 'object') {
    throw new NlsqTypeError(`${caller}: f must be an expression model such as model('a*exp(-b*t)+c') (its derivatives become SQL), got ${describeValue(model)}`, 'f');
  }
  if (typeof options !== 'object' || options === null) throw new NlsqTypeError(`${caller}: options must be an object, got ${describeValue(options)}`, 'options');
  for (const key of REFUSED) {
    if (key in options) throw new NlsqRangeError(`${caller}: option '${key}' does not apply to an in-database fit${key === 'sigma' ? " (name the sigma column in data: { sigma: 'err' })" : ''}`, key);
  }
  const variables = (model as unknown as LowerableModel).variables;
  const { target, db, whereParams, groupBy } = resolveSqlTarget(data, variables, caller);
  if (groupBy !== undefined && !Array.isArray(options.p0) && !ArrayBuffer.isView(options.p0) && options.p0 !== 'auto') {
    throw new NlsqRangeError(`${caller}: a groupBy fit needs p0 as an array (the start of every group) or 'auto' (each group's estimate from its rows), got ${describeValue(options.p0)}`, 'p0');
  }
  const sample = await readSample(db, target, whereParams);
  const groupAuto = groupBy !== undefined && options.p0 === 'auto';
  if (groupAuto && (model as Partial<FittableModel>).estimateP0 === undefined) {
    throw new NlsqRangeError(`${caller}: p0 'auto' needs a model with estimateP0, got a model without one`, 'p0');
  }
  // a groupBy fit with p0 'auto' starts each group from its own estimate (groupStarts), never
  // from an estimate on the whole table's sample, which mixes the groups
  const given: CurveFitOptions = groupAuto ? { ...(options as CurveFitOptions), p0: undefined } : (options as CurveFitOptions);
  const resolved = resolveCurveFitOptions(caller, model, sample.x, sample.y, { ...given, ...(sample.sigma === null ? {} : { sigma: sample.sigma }) });
  if (resolved.settings.lossName !== 'linear') {
    throw new NlsqRangeError(`${caller}: an in-database fit takes the linear loss, got loss '${resolved.settings.lossName}'`, 'loss');
  }
  const program = lowerToProgram(resolved.model as unknown as LowerableModel);
  if (groupBy !== undefined) return fitGroups(db, target, program, groupBy, whereParams, resolved, groupAuto);
  const statements = fitStatements(target, program);
  const problem = createSqlProblem(db, statements, resolved.p, whereParams, caller);
  const onIteration: typeof resolved.onIteration =
    resolved.verbose < 2
      ? resolved.onIteration
      : (info) => {
          resolved.log(`${caller}: iteration ${info.iteration}, cost ${formatNumber(info.cost)}, ‖g‖∞ ${formatNumber(info.gradientNorm)}, nfev ${info.nfev}, queries ${problem.queries}`);
          return resolved.onIteration?.(info);
        };
  const outcome = await solve(problem, resolved.settings.solver, { caller, signal: resolved.signal, onIteration });

  const slots = slotLayout(whereParams.length, resolved.p);
  const values: unknown[] = [...whereParams];
  outcome.x.forEach((v, j) => (values[slots.theta + j] = v));
  const stat = sumRows(await problem.run(statements.statistics, values, 'the statistics at popt'));
  const n = stat[0]!;
  values[slots.mean] = stat[5]! / n;
  const tss = sumRows(await problem.run(statements.tss, values, 'the total sum of squares'));
  const statistics = statisticsFromSums({ n, p: resolved.p, chiSquare: stat[2]!, rss: stat[3]!, tss: tss[0]!, absSum: stat[4]! });

  const kappa = outcome.T === null ? NaN : triangleCondition(outcome.T, resolved.p);
  const digits = pcovDigits(kappa);
  const { gramQueries, gramMs } = problem.timing;
  const backend = databaseBackend(db, `${problem.queries} queries (${gramQueries} Gram aggregates, ${formatNumber(gramMs / Math.max(gramQueries, 1))} ms each)`, resolved.p);
  const result = buildCurveFitResult(outcome, { ...resolved, n, omitted: 0 }, {
    backend,
    fun: null,
    statistics,
    strategy: { given: 'fitSql', used: 'in-database', reason: `one aggregate query per evaluation over ${n} rows of ${target.label}; the rows never left the database` },
    blockSize: { given: 'default', used: 'one aggregate', reason: `each query returns ${((resolved.p + 1) * (resolved.p + 2)) / 2} Gram sums (JᵀJ, Jᵀr, rᵀr)` },
    precision: precisionChoice(db, digits, kappa),
  });
  warnCondition(result, kappa, digits, outcome.T !== null);
  return provideSqlRefits(result, resolved, { db, statements, whereParams });
}

/** The database standing in as the result's backend: the CPU backend's info renamed (only `info` is read). */
function databaseBackend(db: SqlDatabase, queries: string, p: number): ResolvedBackend {
  const cpu = createCpuBackend();
  return {
    backend: Object.create(cpu, { info: { value: Object.freeze({ ...cpu.info, name: `${db.dialect.name} (in-database)` }) } }),
    given: 'db',
    reason: `the model and its derivatives ran as SQL in ${db.name}, ${db.dialect.name} dialect: ${queries}; the ${p}×${p} steps and the covariance on the host`,
  };
}

function precisionChoice(db: SqlDatabase, digits: number, kappa: number): Choice {
  const { dialect } = db;
  return {
    given: 'default',
    used: 'f64',
    reason: `DOUBLE sums in ${dialect.name} (${dialect.compensatedSum ? `compensated: ${dialect.sum('…')}` : 'plain SUM'}), factored on the host; pcov keeps about ${Number.isFinite(digits) ? digits.toFixed(0) : '?'} digits at κ(J) = ${formatExponent(kappa)}`,
  };
}

/** The `ill-conditioned-gram` warning when pcov keeps fewer than {@link PCOV_DIGITS_WARNING} digits. */
function warnCondition(result: CurveFitResult, kappa: number, digits: number, factored: boolean): void {
  if (Number.isFinite(kappa) ? digits >= PCOV_DIGITS_WARNING : !factored) return;
  result.warnings.push({
    code: 'ill-conditioned-gram',
    message: `fitSql: the Jacobian's condition number is ${formatExponent(kappa)} (columns equilibrated); the Gram matrix squares it, so pcov keeps about ${digits.toFixed(0)} significant digits (κ²ε = ${formatExponent(kappa * kappa * 2 ** -52)}); popt is unaffected (its gradient sums are exact)`,
  });
}

/**
 * A `groupBy` fit: every group fitted from the same p0 and options, one query per round for all
 * groups still iterating (`sql/group-fit.ts`). Statistics per group: n, χ² = 2·cost, TSS from the
 * group query; RSS equals χ² without a sigma column (NaN with one), MAE is NaN (no extra pass).
 */
async function fitGroups(db: SqlDatabase, target: SqlTarget, program: Program, groupBy: string, whereParams: readonly unknown[], resolved: ResolvedCurveFit, auto: boolean): Promise<Map<string, CurveFitResult>> {
  const groups = await readGroups(db, target, groupBy, whereParams);
  const starts = auto ? await groupStarts(db, target, groupBy, whereParams, resolved, groups.length) : undefined;
  const solved = await solveGroups({ db, target, program, groupBy, keys: groups.map((g) => g.key), whereParams, solver: resolved.settings.solver, starts, signal: resolved.signal });
  const backend = databaseBackend(db, `${solved.queries} grouped queries for ${groups.length} groups`, resolved.p);
  const out = new Map<string, CurveFitResult>();
  for (const group of groups) {
    const outcome = solved.outcomes.get(group.key)!;
    const chi = 2 * outcome.cost;
    const statistics = statisticsFromSums({ n: group.rows, p: resolved.p, chiSquare: chi, rss: target.sigma === undefined ? chi : NaN, tss: group.tss, absSum: NaN });
    const kappa = outcome.T === null ? NaN : triangleCondition(outcome.T, resolved.p);
    const digits = pcovDigits(kappa);
    const result = buildCurveFitResult(outcome, { ...resolved, n: group.rows, omitted: 0 }, {
      backend,
      fun: null,
      statistics,
      strategy: { given: 'fitSql groupBy', used: 'in-database', reason: `group ${group.key} (${group.rows} rows) of ${groups.length}, all groups in one aggregate query per iteration${auto ? `; p0 from the model's estimator on ${Math.min(group.rows, groupSampleCap(groups.length))} of its rows` : ''}` },
      blockSize: { given: 'default', used: 'one aggregate', reason: `one row of ${((resolved.p + 1) * (resolved.p + 2)) / 2} Gram sums per group per query` },
      precision: precisionChoice(db, digits, kappa),
    });
    warnCondition(result, kappa, digits, outcome.T !== null);
    out.set(group.key, result);
  }
  return out;
}

/**
 * `p0: 'auto'` for a `groupBy` fit: each group's start is the model's `estimateP0` on that
 * group's sample (`readGroupSamples`: one query, every row of a group of up to
 * `groupSampleCap(groups)` rows, else that many spread over its x range), checked finite and
 * inside the bounds as curveFit checks a p0.
 *
 * @throws NlsqRangeError (argument `p0`) naming the group whose estimate failed or is infeasible.
 */
async function groupStarts(db: SqlDatabase, target: SqlTarget, groupBy: string, whereParams: readonly unknown[], resolved: ResolvedCurveFit, groups: number): Promise<Map<string, Float64Array>> {
  const samples = await readGroupSamples(db, target, groupBy, whereParams, groups);
  const { lb, ub } = resolved.settings.solver;
  const starts = new Map<string, Float64Array>();
  for (const [key, sample] of samples) {
    try {
      starts.set(key, startingPoint(resolved.caller, resolved.model, { x: sample.x, y: sample.y, w: null }, resolved.p, 'auto', lb, ub));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new NlsqRangeError(`${resolved.caller}: p0 'auto' failed for group ${key} (estimated from ${sample.y.length} rows): ${message}`, 'p0', 'ERR_RANGE', { cause: error });
    }
  }
  return starts;
}
