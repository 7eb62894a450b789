/**
 * The solver loop of a `groupBy` fit: one independent fit per group, run in lock step so that
 * each round of evaluations is one query (`group-query.ts`) returning every active group's Gram
 * sums. Each group's solver is the ordinary asynchronous driver over a problem whose `evaluate`
 * parks its request; when every group still running has parked one, the round is flushed as one
 * statement and each request is answered from its group's row. A group whose solver finished
 * leaves the set, so later statements no longer bind its θ nor read its rows.
 *
 * @module
 */
import { DataSourceError } from '../errors.ts';
import { createSolver, runSolverAsync } from '../optim/driver.ts';
import type { Evaluation, ResidualProblem, SolverOutcome } from '../optim/evaluation.ts';
import type { SolverOptions } from '../optim/solver-options.ts';
import type { Program } from '../model/ir.ts';
import type { SqlTarget } from './gram-query.ts';
import { groupGramStatement, groupSlot } from './group-query.ts';
import { toDouble, type SqlDatabase } from './sql-database.ts';
import { evaluationFromSums } from './sql-problem.ts';

/** Inputs of {@link solveGroups}. */
export interface GroupSolveInput {
  readonly db: SqlDatabase;
  readonly target: SqlTarget;
  readonly program: Program;
  /** The quoted group column. */
  readonly groupBy: string;
  /** The group keys (as text). */
  readonly keys: readonly string[];
  readonly whereParams: readonly unknown[];
  readonly solver: SolverOptions;
  /** Each group's own start (`p0: 'auto'`), by key; absent: every group starts at `solver.x0`. */
  readonly starts?: ReadonlyMap<string, Float64Array> | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** What {@link solveGroups} returns. */
export interface GroupSolveOutcome {
  /** Each group's solver outcome, by key. */
  readonly outcomes: ReadonlyMap<string, SolverOutcome>;
  /** Statements run (one per round). */
  readonly queries: number;
}

interface Parked {
  readonly x: Float64Array;
  readonly jacobian: boolean;
  readonly resolve: (ev: Evaluation) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Fit every group (see the module documentation).
 *
 * @returns the outcomes by key and the number of queries.
 * @throws DataSourceError when a query fails; the first group's error when a solver fails.
 */
export async function solveGroups(input: GroupSolveInput): Promise<GroupSolveOutcome> {
  const { db, target, program, groupBy, keys, whereParams, solver } = input;
  const p = program.params.length;
  const cols = p + 1;
  const scales = new Map(keys.map((k) => [k, new Float64Array(cols).fill(1)]));
  const active = new Set(keys);
  const parked = new Map<string, Parked>();
  let queries = 0;
  let failure: unknown;
  let flushing = false;

  const flush = async (): Promise<void> => {
    if (flushing || parked.size === 0 || parked.size < active.size) return;
    flushing = true;
    const round = [...parked.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    parked.clear();
    const values: unknown[] = [...whereParams];
    round.forEach(([key, req], i) => {
      const base = groupSlot(whereParams.length, p, i);
      values[base] = key;
      for (let j = 0; j < p; j++) values[base + 1 + j] = req.x[j]!;
      const c = scales.get(key)!;
      for (let j = 0; j < cols; j++) values[base + 1 + p + j] = c[j]!;
    });
    const statement = groupGramStatement(target, program, groupBy, round.length);
    queries++;
    let rows: readonly (readonly unknown[])[] | null;
    try {
      rows = await db.query(statement.text, statement.slots.map((s) => values[s]));
    } catch (error) {
      if (db.isDomainError?.(error) === true) rows = null;
      else {
        failure = new DataSourceError(`${target.caller}: the ${db.dialect.name} query for ${round.length} groups' evaluations failed (query ${queries}): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
        for (const [, req] of round) req.reject(failure);
        flushing = false;
        return;
      }
    }
    const byKey = new Map((rows ?? []).map((row) => [String(row[0]), Float64Array.from(row.slice(1), toDouble)]));
    flushing = false;
    for (const [key, req] of round) {
      const sums = byKey.get(key);
      const ev = sums === undefined ? { cost: NaN, m: 0, T: null } : evaluationFromSums(sums, 0, scales.get(key)!, cols, true);
      req.resolve(req.jacobian ? ev : { ...ev, T: null });
    }
  };

  const problemFor = (key: string): ResidualProblem => ({
    p,
    jacobianIsCheap: true,
    evaluate: (x, jacobian) =>
      new Promise<Evaluation>((resolve, reject) => {
        if (failure !== undefined) return reject(failure);
        parked.set(key, { x: Float64Array.from(x), jacobian, resolve, reject });
        queueMicrotask(() => void flush());
      }),
  });

  const settled = await Promise.allSettled(
    keys.map(async (key) => {
      try {
        const problem = problemFor(key);
        const x0 = input.starts?.get(key);
        return await runSolverAsync(createSolver(problem, x0 === undefined ? solver : { ...solver, x0 }), problem, { caller: target.caller, ...(input.signal === undefined ? {} : { signal: input.signal }) });
      } finally {
        active.delete(key);
        queueMicrotask(() => void flush());
      }
    }),
  );
  const bad = settled.find((s) => s.status === 'rejected');
  if (bad !== undefined) throw failure ?? (bad as PromiseRejectedResult).reason;
  return { outcomes: new Map(keys.map((k, i) => [k, (settled[i] as PromiseFulfilledResult<SolverOutcome>).value])), queries };
}
