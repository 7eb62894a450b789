/// <reference types="node" />
/**
 * `nlsq fit FILE --model … --x COL --y COL …`: read a data file, fit the model with `fit()`, print
 * the report, exit 0 (converged) or 1 (did not converge; the report says why).
 *
 * The data are held in memory (and the workflow selector picks standard or chunked) unless the
 * streaming workflow is asked for (`--workflow streaming`, `--checkpoint`, `--resume`) or the file
 * is larger than {@link RESIDENT_FILE_LIMIT}: then the file itself is the fit's data source and is
 * read pass by pass, never whole. Ctrl-C aborts the fit through its `AbortSignal`; with
 * `--checkpoint FILE` the streaming state is saved there after every pass and when Ctrl-C stops
 * the fit, and `--resume FILE` continues from it (`streaming/checkpoint.ts`: a warm-up checkpoint
 * resumes exactly, an exact-phase one restarts the solver at the saved iterate and stops at the
 * same optimum within the tolerances).
 *
 * @module
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { AbortError, DataSourceError, NlsqRangeError } from '../errors.ts';
import { fit, type FitOptions, type FitResult } from '../fit.ts';
import type { Model } from '../model/model.ts';
import { params } from '../model/params.ts';
import type { LossName } from '../optim/loss.ts';
import type { SolverMethod } from '../optim/solver-options.ts';
import type { StreamingCheckpoint } from '../streaming/checkpoint.ts';
import type { TournamentCheckpoint } from '../global/tournament.ts';
import type { Workflow } from '../workflow/plan.ts';
import { fileSize, openDataFile } from './data-files.ts';
import { choice, paramsInput, parseGlobal, parseP0, positive, resolveModel } from './fit-spec.ts';
import { OUTPUT_FORMATS, formatForFile, renderResult, type OutputFormat } from './output.ts';
import { loadPlotter, plotFormat, type Plotter } from './plot-flag.ts';
import { Progress, progressEnabled } from './progress.ts';
import { readFirstChunk, readResident, type ResidentData } from './resident-data.ts';

/** Files larger than this (bytes) are fitted by streaming them, unless a workflow is forced: 512 MiB. */
export const RESIDENT_FILE_LIMIT = 512 * 2 ** 20;

/** Exit status of an interrupted fit (128 + SIGINT, the shell's convention). */
export const EXIT_INTERRUPTED = 130;

/** The flags of `nlsq fit` (and the model flags `nlsq batch` shares), as commander hands them over. */
export interface FitFlags {
  /** `--model`: a library model name or an expression. */
  readonly model: string;
  /** `--x`: the x column(s), comma-separated. */
  readonly x?: string | undefined;
  /** `--y`: the y column. */
  readonly y?: string | undefined;
  /** `--sigma`: the sigma column. */
  readonly sigma?: string | undefined;
  /** `--absolute-sigma`. */
  readonly absoluteSigma?: boolean | undefined;
  /** `--p0`: values or `auto`. */
  readonly p0?: string | undefined;
  /** `--param`, repeatable. */
  readonly param: readonly string[];
  /** `--method`. */
  readonly method?: string | undefined;
  /** `--loss`. */
  readonly loss?: string | undefined;
  /** `--f-scale`. */
  readonly fScale?: string | undefined;
  /** `--max-nfev`. */
  readonly maxNfev?: string | undefined;
  /** `--workflow`. */
  readonly workflow?: string | undefined;
  /** `--backend`. */
  readonly backend?: string | undefined;
  /** `--memory` in GB. */
  readonly memory?: string | undefined;
  /** `--checkpoint FILE`. */
  readonly checkpoint?: string | undefined;
  /** `--resume FILE`. */
  readonly resume?: string | undefined;
  /** `--out FILE`. */
  readonly out?: string | undefined;
  /** `--plot FILE`. */
  readonly plot?: string | undefined;
  /** `--format`. */
  readonly format?: string | undefined;
  /** `--quiet`. */
  readonly quiet?: boolean | undefined;
  /** `--h5-group`: the HDF5 group of relative dataset paths. */
  readonly h5Group?: string | undefined;
  /** `--global`: `sobol:32`, `cmaes`, … (`nlsq fit` only). */
  readonly global?: string | undefined;
}

/** Where the command writes (stdout and stderr, replaceable in tests). */
export interface CliIO {
  /** Report text. */
  readonly out: (text: string) => void;
  /** Notices (one line each). */
  readonly err: (text: string) => void;
}

/** `--x a,b` → ['a', 'b']. */
export function splitColumns(text: string | undefined): string[] {
  return text === undefined ? [] : text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

const METHODS: readonly SolverMethod[] = ['trf', 'lm', 'dogbox'];
const LOSSES: readonly LossName[] = ['linear', 'soft_l1', 'huber', 'cauchy', 'arctan'];
const WORKFLOWS: readonly Workflow[] = ['auto', 'standard', 'chunked', 'streaming'];
const BACKENDS = ['cpu', 'wasm', 'wasm-simd', 'wasm-scalar', 'webgpu'] as const;

/**
 * The `fit()` options of the solver flags (everything but the data, p0 and params).
 *
 * @param flags - the command's flags. @param caller - command name for messages.
 * @returns the options.
 * @throws NlsqRangeError naming the flag for a value outside its set.
 */
export function solverOptions(flags: FitFlags, caller: string): FitOptions {
  const method = choice('--method', flags.method, METHODS, caller);
  const loss = choice('--loss', flags.loss, LOSSES, caller);
  const workflow = choice('--workflow', flags.workflow, WORKFLOWS, caller);
  const backend = choice('--backend', flags.backend, BACKENDS, caller);
  const fScale = positive('--f-scale', flags.fScale, caller);
  const maxNfev = positive('--max-nfev', flags.maxNfev, caller);
  if (maxNfev !== undefined && !Number.isInteger(maxNfev)) throw new NlsqRangeError(`${caller}: --max-nfev must be a positive integer, got ${flags.maxNfev}`, '--max-nfev');
  const memory = positive('--memory', flags.memory, caller);
  const global = parseGlobal(flags.global, caller);
  return {
    ...(global === undefined ? {} : { global }),
    ...(method === undefined ? {} : { method }),
    ...(loss === undefined ? {} : { loss }),
    ...(workflow === undefined ? {} : { workflow }),
    ...(backend === undefined ? {} : { backend }),
    ...(fScale === undefined ? {} : { fScale }),
    ...(maxNfev === undefined ? {} : { maxNfev }),
    ...(memory === undefined ? {} : { memoryLimitGb: memory }),
    ...(flags.absoluteSigma === true ? { absoluteSigma: true } : {}),
  };
}

/**
 * p0 or params for the fit: `params` when `--param` flags are given (the others start at `--p0`,
 * the model's estimate, or 1), else `p0` as given.
 *
 * @param flags - the flags. @param m - the model. @param sample - data for an `auto` estimate with `--param`.
 * @param caller - command name for messages.
 * @returns the options holding p0 or params.
 */
export async function startOptions(flags: FitFlags, m: Model, sample: () => Promise<ResidentData>, caller: string): Promise<FitOptions> {
  const p0 = flags.p0 === undefined ? undefined : parseP0(flags.p0, m.params, caller);
  if (flags.param.length === 0) return p0 === undefined ? {} : { p0 };
  let start: number[];
  if (Array.isArray(p0)) start = p0;
  else if (p0 === 'auto') {
    if (m.estimateP0 === undefined) throw new NlsqRangeError(`${caller}: --p0 auto needs a library model with an estimator (see nlsq models); give --p0 values`, '--p0');
    const d = await sample();
    start = m.estimateP0(d.x, d.y);
  } else start = m.params.map(() => 1);
  return { params: params(paramsInput(flags.param, m, start, caller)) };
}

/** What `onCheckpoint` receives: a streaming checkpoint, or a tournament's with `--global`. */
type CheckpointState = StreamingCheckpoint | TournamentCheckpoint;

function describeCheckpoint(state: CheckpointState): string {
  if (state.format === 'nlsq-streaming-checkpoint') return `pass ${state.passes}, ${state.phase} phase`;
  return `global tournament, ${state.done.length} of ${state.finalists.length} finalists done${state.current === null ? '' : `, pass ${state.current.passes} of the next`}`;
}

function writeCheckpoint(path: string, state: CheckpointState): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(state));
  renameSync(tmp, path);
}

function readCheckpoint(path: string, caller: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new DataSourceError(`${caller}: --resume ${path}: cannot read it: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new DataSourceError(`${caller}: --resume ${path}: not a checkpoint (invalid JSON: ${e instanceof Error ? e.message : String(e)})`, { cause: e });
  }
}

/**
 * Run `nlsq fit`.
 *
 * @param file - the data file. @param flags - the flags. @param io - where to write.
 * @returns the exit code: 0 converged, 1 did not converge, 130 interrupted.
 * @throws NlsqError for bad usage or input (the caller prints it and exits 2).
 */
export async function runFit(file: string, flags: FitFlags, io: CliIO): Promise<number> {
  const caller = 'nlsq fit';
  const xCols = splitColumns(flags.x);
  const m = resolveModel(flags.model, xCols, caller);
  const format = choice<OutputFormat>('--format', flags.format, OUTPUT_FORMATS, caller) ?? 'text';
  const options = solverOptions(flags, caller);
  const checkpointing = flags.checkpoint !== undefined || flags.resume !== undefined;
  const forced = options.workflow !== undefined && options.workflow !== 'auto';
  if (checkpointing && forced && options.workflow !== 'streaming') {
    const flag = flags.checkpoint !== undefined ? '--checkpoint' : '--resume';
    throw new NlsqRangeError(`${caller}: ${flag} needs the streaming workflow, got --workflow ${options.workflow}`, flag);
  }
  const size = fileSize(file);
  const streaming = options.workflow === 'streaming' || checkpointing || (!forced && size > RESIDENT_FILE_LIMIT);
  if (flags.plot !== undefined) plotFormat(flags.plot, caller);
  if (flags.plot !== undefined && streaming) throw new NlsqRangeError(`${caller}: --plot needs the data in memory, not the streaming workflow`, '--plot');
  const plotter: Plotter | null = flags.plot === undefined ? null : await loadPlotter(caller);

  const progress = await Progress.create(progressEnabled(flags.quiet === true));
  const source = openDataFile({ path: file, x: xCols, y: flags.y, sigma: flags.sigma, h5Group: flags.h5Group, caller, onBytes: (n) => progress?.addBytes(n) });
  const controller = new AbortController();
  let lastCheckpoint: CheckpointState | null = null;
  const onSigint = (): void => controller.abort(new AbortError(`${caller}: interrupted by Ctrl-C (SIGINT)`));
  process.once('SIGINT', onSigint);
  let result: FitResult;
  let data: ResidentData | null = null;
  try {
    if (streaming) {
      const start = await startOptions(flags, m, () => readFirstChunk(source), caller);
      const tracked = progress === null ? source : progress.trackPasses(source, size);
      result = await fit(m, tracked, {
        ...options,
        ...start,
        workflow: 'streaming',
        signal: controller.signal,
        ...(flags.resume === undefined ? {} : { resumeFrom: readCheckpoint(flags.resume, caller) }),
        onCheckpoint: (state) => {
          lastCheckpoint = state as CheckpointState;
          if (flags.checkpoint !== undefined) writeCheckpoint(flags.checkpoint, state);
        },
      });
    } else {
      const resident = await readResident(progress === null ? source : progress.trackPasses(source, size, 'reading'));
      data = resident;
      progress?.startSolve(resident.y.length);
      const start = await startOptions(flags, m, async () => resident, caller);
      const x = resident.x.length === 1 ? resident.x[0]! : resident.x;
      result = await fit(m, x, resident.y, {
        ...options,
        ...start,
        ...(resident.sigma === null ? {} : { sigma: resident.sigma }),
        signal: controller.signal,
        ...(progress === null ? {} : { onIteration: (info) => progress.iteration(info.iteration, info.cost, info.nfev) }),
      });
    }
  } catch (e) {
    if (!(e instanceof AbortError) || !controller.signal.aborted) throw e;
    progress?.stop();
    const saved = lastCheckpoint as CheckpointState | null;
    if (flags.checkpoint !== undefined && saved !== null) {
      writeCheckpoint(flags.checkpoint, saved);
      io.err(`${caller}: interrupted; checkpoint (${describeCheckpoint(saved)}) written to ${flags.checkpoint}; continue with --resume ${flags.checkpoint}\n`);
    } else if (flags.checkpoint !== undefined) {
      io.err(`${caller}: interrupted before the first pass finished; no checkpoint written\n`);
    } else {
      io.err(`${caller}: interrupted${streaming ? ' (give --checkpoint FILE to be able to resume)' : ''}\n`);
    }
    return EXIT_INTERRUPTED;
  } finally {
    process.removeListener('SIGINT', onSigint);
    progress?.stop();
  }

  const summary = { file, model: flags.model };
  io.out(renderResult(result, format, summary));
  if (flags.out !== undefined) {
    try {
      writeFileSync(flags.out, renderResult(result, formatForFile(flags.out), summary));
    } catch (e) {
      throw new DataSourceError(`${caller}: --out ${flags.out}: cannot write it: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }
  if (plotter !== null && data !== null) await plotter(result, data, flags.plot!);
  if (!result.success) io.err(`${caller}: the fit did not converge (${result.status}): ${result.message}\n`);
  return result.success ? 0 : 1;
}
