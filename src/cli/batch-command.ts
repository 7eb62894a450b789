/// <reference types="node" />
/**
 * `nlsq batch FILE --model … --x COL (--columns 'y*' | --y COL --group COL) --out fits.csv`: one fit
 * per matching column, or one per group of rows, written as a CSV table (one row per fit:
 * name, status, success, n, each parameter with its error, χ²ν, R², RMSE, message).
 *
 * The fits run through the library's `fitBatch` ({@link fitJobs}): the batch is validated once and
 * run on the batch engine, fit by fit the same solver path as `curveFit`, with live progress in
 * fits/s from its `onProgress`. Columns sharing x are passed as one shared x; groups of rows
 * (which may differ in length) as per-fit x with `offsets`.
 *
 * @module
 */
import { writeFileSync } from 'node:fs';
import type { BatchParamArray, FitBatchData, FitBatchOptions } from '../batch/batch-options.ts';
import { STATUS_NAME, type BatchResult } from '../batch/batch-result.ts';
import { DataSourceError, NlsqRangeError } from '../errors.ts';
import { fitBatch } from '../fit-batch.ts';
import type { Model } from '../model/model.ts';
import { params } from '../model/params.ts';
import { computeStatistics } from '../result/statistics.ts';
import { sniffText, textDelimiter } from './data-files.ts';
import { type CliIO, type FitFlags, solverOptions, splitColumns } from './fit-command.ts';
import { paramsInput, parseP0, resolveModel } from './fit-spec.ts';
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

/** The jobs of a batch as `fitBatch` data: one shared x when every job has the same x arrays, else per-fit x with offsets. */
export function batchData(jobs: readonly BatchJob[]): { data: FitBatchData; sigma: Float64Array | undefined } {
  const first = jobs[0]!;
  const shared = jobs.every((j) => j.x.length === first.x.length && j.x.every((c, v) => c === first.x[v]));
  const total = jobs.reduce((s, j) => s + j.y.length, 0);
  const offsets = new Int32Array(jobs.length + 1);
  jobs.forEach((j, i) => (offsets[i + 1] = offsets[i]! + j.y.length));
  const concat = (pick: (j: BatchJob) => Float64Array): Float64Array => {
    const out = new Float64Array(total);
    jobs.forEach((j, i) => out.set(pick(j), offsets[i]!));
    return out;
  };
  const y = concat((j) => j.y);
  const sigma = jobs.some((j) => j.sigma !== null) ? concat((j) => j.sigma ?? new Float64Array(j.y.length).fill(1)) : undefined;
  const x = shared ? first.x : first.x.map((_, v) => concat((j) => j.x[v]!));
  return { data: { x: x.length === 1 ? x[0]! : x, y, ...(shared ? {} : { offsets }) }, sigma };
}

/** The outcome of a batch: `fitBatch`'s result and the jobs it ran, row i of the one being job i. */
export interface BatchOutcome {
  /** The model fitted. */
  readonly model: Model;
  /** The jobs, in order. */
  readonly jobs: readonly BatchJob[];
  /** `fitBatch`'s result. */
  readonly result: BatchResult;
  /** The number of free parameters of every fit (the model's, less fixed and tied ones). */
  readonly free: number;
}

/**
 * Fit one model to many data sets with `fitBatch`.
 *
 * @param m - the model. @param jobs - the data sets (at least one).
 * @param options - the `fitBatch` options shared by every fit (p0 or params, solver flags).
 * @param free - the number of free parameters (for the degrees of freedom of the table).
 * @param onProgress - called after every sub-batch with the fits done.
 * @returns the outcome; a fit that cannot start (too few points, non-finite data) gets status −1
 *   and a message, and the others run.
 */
export async function fitJobs(m: Model, jobs: readonly BatchJob[], options: FitBatchOptions, free: number, onProgress?: (done: number) => void): Promise<BatchOutcome> {
  const { data, sigma } = batchData(jobs);
  const subBatchSize = Math.min(4096, Math.max(8, Math.ceil(jobs.length / 100)));
  const result = await fitBatch(m, data, {
    ...options,
    ...(sigma === undefined ? {} : { sigma }),
    subBatchSize,
    ...(onProgress === undefined ? {} : { onProgress: (p) => onProgress(p.done) }),
  });
  return { model: m, jobs, result, free };
}

/**
 * The CSV table of a batch: per fit its name, status, success, n, each parameter and its
 * standard error, χ²ν = χ²/(n − free), R² and RMSE (computed from the model at popt on that
 * fit's data, as `fit()` computes them) and the message.
 *
 * @param outcome - from {@link fitJobs}.
 * @returns the table text.
 */
export function batchCsv(outcome: BatchOutcome): string {
  const { model: m, jobs, result: r, free } = outcome;
  const p = m.params.length;
  const head = ['name', 'status', 'success', 'n', ...m.params.flatMap((q) => [q, `${q}_stderr`]), 'reduced_chi_square', 'r_squared', 'rmse', 'message'];
  const rows = jobs.map((job, i) => {
    const status = r.status[i]!;
    const name = STATUS_NAME.get(status) ?? 'improper-input';
    const popt = r.params(i);
    const n = job.y.length;
    if (status === -1 || !popt.every(Number.isFinite)) return [job.name, name, 'false', n, ...m.params.flatMap(() => ['', '']), '', '', '', r.message(i)];
    const yhat = m.evaluate(popt, job.x.length === 1 ? job.x[0]! : job.x);
    const weighted = Float64Array.from(yhat, (v, k) => (v - job.y[k]!) / (job.sigma === null ? 1 : job.sigma[k]!));
    const stats = computeStatistics(job.y, yhat, weighted, free);
    const perr = Array.from({ length: p }, (_, j) => r.perr[i * p + j]!);
    return [job.name, name, String(status > 0), n, ...m.params.flatMap((_, j) => [popt[j]!, perr[j]!]), stats.reducedChiSquare, stats.rSquared, stats.rmse, r.message(i)];
  });
  return [head, ...rows].map((row) => row.map(csvField).join(',')).join('\n') + '\n';
}

/**
 * The `fitBatch` options of the flags: the solver flags, and the start (`--p0` values or `auto`,
 * or `--param` settings shared by every fit).
 *
 * @param flags - the flags. @param m - the model. @param caller - command name for messages.
 * @returns the options and the number of free parameters.
 * @throws NlsqRangeError naming the flag for flags a batch cannot take (`--workflow` other than
 *   auto, `--memory`; `--p0 auto` with `--param`).
 */
export function batchOptions(flags: FitFlags, m: Model, caller: string): { options: FitBatchOptions; free: number } {
  const solver = solverOptions(flags, caller);
  for (const [flag, given] of [['--workflow', solver.workflow !== undefined && solver.workflow !== 'auto'], ['--memory', flags.memory !== undefined]] as const) {
    if (given) throw new NlsqRangeError(`${caller}: ${flag} does not apply to a batch: fitBatch holds every fit's data in memory and runs each as a standard fit`, flag);
  }
  const { method, loss, fScale, maxNfev, backend, absoluteSigma } = solver;
  const options: FitBatchOptions = {
    ...(method === undefined ? {} : { method }),
    ...(loss === undefined ? {} : { loss }),
    ...(fScale === undefined ? {} : { fScale }),
    ...(maxNfev === undefined ? {} : { maxNfev }),
    ...(backend === undefined ? {} : { backend }),
    ...(absoluteSigma === undefined ? {} : { absoluteSigma }),
  };
  const p0 = flags.p0 === undefined ? undefined : parseP0(flags.p0, m.params, caller);
  if (flags.param.length === 0) return { options: { ...options, ...(p0 === undefined ? {} : { p0: p0 as BatchParamArray | 'auto' }) }, free: m.params.length };
  if (p0 === 'auto') throw new NlsqRangeError(`${caller}: --p0 auto cannot be combined with --param in a batch: the --param settings are shared by every fit; give --p0 values (or none: 1)`, '--p0');
  const input = paramsInput(flags.param, m, p0 ?? m.params.map(() => 1), caller);
  const free = Object.values(input).filter((s) => typeof s === 'number' || (s.vary !== false && s.expr === undefined)).length;
  return { options: { ...options, params: params(input) }, free };
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
  const { options, free } = batchOptions(flags, m, caller);
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
  let outcome: BatchOutcome;
  try {
    outcome = await fitJobs(m, jobs, options, free, (done) => progress?.fitDone(done));
  } finally {
    progress?.stop();
  }
  const table = batchCsv(outcome);
  if (flags.out !== undefined) {
    try {
      writeFileSync(flags.out, table);
    } catch (e) {
      throw new DataSourceError(`${caller}: --out ${flags.out}: cannot write it: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  } else io.out(table);
  const summary = outcome.result.summary();
  const failed = summary.failed;
  io.err(`${caller}: ${summary.converged} of ${summary.nFits} fits converged${flags.out === undefined ? '' : `; table written to ${flags.out}`}\n`);
  return failed === 0 ? 0 : 1;
}
