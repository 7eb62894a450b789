/// <reference types="node" />
/**
 * `nlsq batch FILE --model … --x COL (--columns 'y*' | --y COL --group COL) --out fits.csv`: one fit
 * per matching column, or one per group of rows, written as a CSV table (one row per fit:
 * name, status, success, n, each parameter with its error, χ²ν, R², RMSE, message).
 *
 * Every fit goes through {@link fitMany}, the one place that runs the batch (today a loop of
 * `fit()` calls, in order; `fitBatch` can replace its body without touching the command).
 *
 * @module
 */
import { writeFileSync } from 'node:fs';
import { DataSourceError, NlsqError, NlsqRangeError } from '../errors.ts';
import { fit, type FitOptions, type FitResult } from '../fit.ts';
import type { Model } from '../model/model.ts';
import { sniffText, textDelimiter } from './data-files.ts';
import { type CliIO, type FitFlags, solverOptions, splitColumns, startOptions } from './fit-command.ts';
import { resolveModel } from './fit-spec.ts';
import { csvField } from './output.ts';
import { Progress, progressEnabled } from './progress.ts';
import { matchColumns, readTable } from './table.ts';

/** One fit of a batch: a name and its data. */
export interface BatchJob {
  /** The column name or group key. */
  readonly name: string;
  /** The x columns. */
  readonly x: Float64Array[];
  /** The observations. */
  readonly y: Float64Array;
  /** The standard deviations, or null. */
  readonly sigma: Float64Array | null;
}

/** The outcome of one fit of a batch: its result, or the error that stopped it. */
export type BatchOutcome = { readonly name: string; readonly result: FitResult } | { readonly name: string; readonly error: NlsqError };

/**
 * Fit one model to many data sets with the same options.
 *
 * @param m - the model. @param jobs - the data sets.
 * @param options - per job, the `fit()` options (p0 or params and the solver flags).
 * @param onDone - called after each fit with the number done.
 * @returns one outcome per job, in order; a fit that throws an NlsqError (bad data in that group)
 *   is recorded, not fatal.
 */
export async function fitMany(m: Model, jobs: readonly BatchJob[], options: (job: BatchJob) => Promise<FitOptions>, onDone?: (done: number) => void): Promise<BatchOutcome[]> {
  const out: BatchOutcome[] = [];
  for (const job of jobs) {
    try {
      const x = job.x.length === 1 ? job.x[0]! : job.x;
      const result = await fit(m, x, job.y, { ...(await options(job)), ...(job.sigma === null ? {} : { sigma: job.sigma }) });
      out.push({ name: job.name, result });
    } catch (e) {
      if (!(e instanceof NlsqError)) throw e;
      out.push({ name: job.name, error: e });
    }
    onDone?.(out.length);
  }
  return out;
}

/** The flags of `nlsq batch`. */
export interface BatchFlags extends FitFlags {
  /** A glob of the y columns (one fit per match). */
  readonly columns?: string | undefined;
  /** A column whose value groups the rows (one fit per group). */
  readonly group?: string | undefined;
}

function sliceJobs(key: readonly string[], x: Float64Array[], y: Float64Array, sigma: Float64Array | null): BatchJob[] {
  const groups = new Map<string, number[]>();
  key.forEach((k, i) => {
    const rows = groups.get(k);
    if (rows === undefined) groups.set(k, [i]);
    else rows.push(i);
  });
  return [...groups].map(([name, rows]) => {
    const pick = (a: Float64Array): Float64Array => Float64Array.from(rows, (i) => a[i]!);
    return { name, x: x.map(pick), y: pick(y), sigma: sigma === null ? null : pick(sigma) };
  });
}

/**
 * The CSV table of a batch.
 *
 * @param m - the model. @param outcomes - from {@link fitMany}.
 * @returns the table text.
 */
export function batchCsv(m: Model, outcomes: readonly BatchOutcome[]): string {
  const head = ['name', 'status', 'success', 'n', ...m.params.flatMap((p) => [p, `${p}_stderr`]), 'reduced_chi_square', 'r_squared', 'rmse', 'message'];
  const rows = outcomes.map((o) => {
    if ('error' in o) return [o.name, 'error', 'false', '', ...m.params.flatMap(() => ['', '']), '', '', '', o.error.message];
    const r = o.result;
    return [o.name, r.status, String(r.success), r.n, ...r.paramNames.flatMap((_, j) => [r.popt[j]!, r.perr[j]!]), r.reducedChiSquare, r.rSquared, r.rmse, r.message];
  });
  return [head, ...rows].map((row) => row.map(csvField).join(',')).join('\n') + '\n';
}

/**
 * Run `nlsq batch`.
 *
 * @param file - the data file. @param flags - the flags. @param io - where to write.
 * @returns the exit code: 0 when every fit converged, 1 otherwise.
 * @throws NlsqError for bad usage or input.
 */
export async function runBatch(file: string, flags: BatchFlags, io: CliIO): Promise<number> {
  const caller = 'nlsq batch';
  const delimiter = textDelimiter(file);
  if (delimiter === undefined) throw new DataSourceError(`${caller}: ${file}: batch reads CSV, TSV and whitespace text files (.csv, .tsv, .txt, .dat, .xy)`);
  if ((flags.columns === undefined) === (flags.group === undefined)) throw new NlsqRangeError(`${caller}: give exactly one of --columns GLOB (one fit per column) and --group COL (one fit per group)`, flags.columns === undefined ? '--columns' : '--group');
  const xNames = splitColumns(flags.x);
  if (xNames.length === 0) throw new NlsqRangeError(`${caller}: --x is required: the column(s) of the independent variable`, '--x');
  if (flags.group !== undefined && flags.y === undefined) throw new NlsqRangeError(`${caller}: --group needs --y, the column to fit in every group`, '--y');
  const layout = sniffText(file, delimiter, caller);
  const header = layout.header ? layout.fields : layout.fields.map((_, i) => String(i + 1));
  const named = (flag: string, ref: string): string => {
    const name = /^\d+$/.test(ref) ? header[Number(ref) - 1] : header.includes(ref) ? ref : undefined;
    if (name === undefined) throw new NlsqRangeError(`${caller}: ${flag} ${ref} is not a column of ${file} (columns: ${header.join(', ')})`, flag);
    return name;
  };
  const xs = xNames.map((r) => named('--x', r));
  const sigmaName = flags.sigma === undefined ? undefined : named('--sigma', flags.sigma);
  const m = resolveModel(flags.model, xs, caller);
  const options = solverOptions(flags, caller);
  let jobs: BatchJob[];
  if (flags.columns !== undefined) {
    const ys = matchColumns(header, flags.columns).filter((c) => !xs.includes(c) && c !== sigmaName);
    if (ys.length === 0) throw new NlsqRangeError(`${caller}: --columns ${flags.columns} matches no column of ${file} (columns: ${header.join(', ')})`, '--columns');
    const t = readTable(file, delimiter, [...xs, ...ys, ...(sigmaName === undefined ? [] : [sigmaName])], undefined, caller);
    const x = xs.map((n) => t.numeric.get(n)!);
    const sigma = sigmaName === undefined ? null : t.numeric.get(sigmaName)!;
    jobs = ys.map((n) => ({ name: n, x, y: t.numeric.get(n)!, sigma }));
  } else {
    const yName = named('--y', flags.y!);
    const groupName = named('--group', flags.group!);
    const t = readTable(file, delimiter, [...xs, yName, ...(sigmaName === undefined ? [] : [sigmaName])], groupName, caller);
    jobs = sliceJobs(t.text!, xs.map((n) => t.numeric.get(n)!), t.numeric.get(yName)!, sigmaName === undefined ? null : t.numeric.get(sigmaName)!);
  }
  const progress = await Progress.create(progressEnabled(flags.quiet === true));
  progress?.startBatch(jobs.length);
  let outcomes: BatchOutcome[];
  try {
    outcomes = await fitMany(m, jobs, async (job) => ({ ...options, ...(await startOptions(flags, m, async () => job, caller)) }), (done) => progress?.fitDone(done));
  } finally {
    progress?.stop();
  }
  const table = batchCsv(m, outcomes);
  if (flags.out !== undefined) {
    try {
      writeFileSync(flags.out, table);
    } catch (e) {
      throw new DataSourceError(`${caller}: --out ${flags.out}: cannot write it: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  } else io.out(table);
  const failed = outcomes.filter((o) => 'error' in o || !o.result.success).length;
  io.err(`${caller}: ${outcomes.length - failed} of ${outcomes.length} fits converged${flags.out === undefined ? '' : `; table written to ${flags.out}`}\n`);
  return failed === 0 ? 0 : 1;
}
