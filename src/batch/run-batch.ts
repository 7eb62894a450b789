/**
 * `fitBatch`'s run: validate the batch once, choose the engine (`createLocalEngine`: the WASM
 * whole-loop engine where it covers the batch, else the CPU engine) and the worker count (with
 * `workers`: chunks of fits on a queue of workers, each running that same engine, `worker-engine.ts`), and
 * on one thread walk the fits in
 * sub-batches — yielding to the event loop every ~10 ms of work (`util/yield-control.ts`) so
 * that the abort signal, timers and progress get through, and reporting progress after every
 * sub-batch.
 *
 * Memory: the inputs are read in place (Float64Arrays of the right shape are not copied), the
 * outputs are allocated once (nFits × (2p + 4) numbers), and the engine's working set is one
 * fit's buffers — independent of the number of fits. Sub-batches bound the unit of work between
 * two progress reports, and are the unit a worker pool or a device engine takes. Measured (Node
 * 20, 10⁶ fits × 25 points of a 5-parameter 2-D Gaussian, lm): peak RSS 413 MB = 98 MB process +
 * 191 MB inputs + 104 MB outputs + 26 MB, with the JS heap never above 28 MB; at 10⁵ fits the
 * excess was 9 MB.
 *
 * @module
 */
import { describeValue, NlsqRangeError, NlsqTypeError, throwIfAborted } from '../errors.ts';
import { isFittableModel } from '../model/model-kernel.ts';
import type { ModelProgram } from '../model/program-model.ts';
import { resolveWorkers } from '../options/resolve-curve-fit.ts';
import { availableCores, workersUnavailable } from '../parallel/worker-pool.ts';
import { planBatchWorkers, type WorkerPlan } from '../workflow/worker-count.ts';
import { createYielder } from '../util/yield-control.ts';
import { allocateOutput, type BatchEngine, type BatchOutput, type BatchProblem } from './batch-engine.ts';
import { validateBatchData } from './batch-data.ts';
import type { BatchModel, EngineChoice, FitBatchData, FitBatchOptions } from './batch-options.ts';
import { resolveBatchParams } from './batch-params.ts';
import { BatchResult, type BatchPlan } from './batch-result.ts';
import { batchSolverOptions, resolveBatchSettings } from './batch-settings.ts';
import { createLocalEngine, wasmEngineGap } from './local-engine.ts';
import { batchWorkerModel, runBatchOnWorkers } from './worker-engine.ts';
import { chooseDeviceEngine } from './device-engine.ts';
import { singleFit } from './single-fit.ts';
import { provideBatchRefits } from './refit-runner.ts';
import type { Backend } from '../backends/backend.ts';
import type { CurveFitResult } from '../result/curve-fit-result.ts';

/** Fits per sub-batch unless `subBatchSize` says otherwise. */
export const DEFAULT_SUB_BATCH = 4096;

/** Fits run between two looks at the clock (the yielder) inside a sub-batch. */
const STEP = 16;

const OPTION_KEYS = new Set([
  'p0', 'bounds', 'sigma', 'absoluteSigma', 'vary', 'params', 'method', 'ftol', 'xtol', 'gtol', 'maxNfev', 'xScale', 'diffStep',
  'loss', 'fScale', 'backend', 'engine', 'workers', 'subBatchSize', 'signal', 'onProgress', 'polish',
]);

const ENGINES: readonly EngineChoice[] = ['auto', 'cpu', 'wasm'];

function checkOptions(caller: string, options: FitBatchOptions): void {
  if (typeof options !== 'object' || options === null) throw new NlsqTypeError(`${caller}: options must be an object, got ${describeValue(options)}`, 'options');
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) throw new NlsqRangeError(`${caller}: unknown option '${key}' (accepted: ${[...OPTION_KEYS].sort().join(', ')})`, key);
  }
  const { workers, subBatchSize, signal, onProgress, absoluteSigma, engine, polish } = options;
  if (engine !== undefined && !ENGINES.includes(engine)) throw new NlsqRangeError(`${caller}: engine must be one of 'auto', 'cpu', 'wasm', got ${describeValue(engine)}`, 'engine');
  if (polish !== undefined && typeof polish !== 'boolean') throw new NlsqTypeError(`${caller}: polish must be a boolean, got ${describeValue(polish)}`, 'polish');
  resolveWorkers(caller, workers);
  if (subBatchSize !== undefined && !(Number.isInteger(subBatchSize) && subBatchSize >= 1)) {
    throw new NlsqRangeError(`${caller}: subBatchSize must be a positive integer, got ${describeValue(subBatchSize)}`, 'subBatchSize');
  }
  if (signal !== undefined && !(typeof signal === 'object' && signal !== null && 'aborted' in signal)) {
    throw new NlsqTypeError(`${caller}: signal must be an AbortSignal, got ${describeValue(signal)}`, 'signal');
  }
  if (onProgress !== undefined && typeof onProgress !== 'function') throw new NlsqTypeError(`${caller}: onProgress must be a function, got ${describeValue(onProgress)}`, 'onProgress');
  if (absoluteSigma !== undefined && typeof absoluteSigma !== 'boolean') throw new NlsqTypeError(`${caller}: absoluteSigma must be a boolean, got ${describeValue(absoluteSigma)}`, 'absoluteSigma');
}

/** The engine asked for: the `engine` option, else `backend: 'cpu'` (the plain-TypeScript engine), else automatic. */
function engineAsked(options: FitBatchOptions): EngineChoice {
  if (options.engine !== undefined) return options.engine;
  return options.backend === 'cpu' ? 'cpu' : 'auto';
}

/** What the `backend` option asked for that the engines do not honour, or null. */
function backendNote(options: FitBatchOptions, engineName: string): string | null {
  const given = options.backend;
  if (given === undefined || given === 'auto' || given === 'cpu') return null;
  if (engineName === 'wasm' && typeof given === 'string' && given.startsWith('wasm')) return null;
  const name = typeof given === 'string' ? given : Array.isArray(given) ? given.join(',') : 'an instance';
  return `backend ${name} requested: fitBatch runs on its ${engineName} engine (no ${name} batch engine)`;
}

/** How many workers run the batch and why (null: the main thread, workers not asked for). */
async function planWorkers(options: FitBatchOptions, problem: BatchProblem, engineName: string): Promise<{ workers: WorkerPlan | null; ir: ModelProgram | null }> {
  if (options.workers === undefined) return { workers: null, ir: null };
  const crossing = batchWorkerModel(problem, typeof options.loss === 'function');
  let blocked = 'blocked' in crossing ? crossing.blocked : null;
  const asked = options.workers !== 0;
  if (asked) blocked ??= await workersUnavailable();
  const cores = blocked === null && asked ? await availableCores() : 1;
  const { data, params } = problem;
  const workers = planBatchWorkers({
    given: options.workers, nFits: data.nFits, nPoints: data.offsets[data.nFits]!, nParams: params.free.length, cores, blocked, engine: engineName,
  });
  return { workers, ir: 'ir' in crossing ? crossing.ir : null };
}

/** The plan: the engine's name and reason, the backend note, the threads. */
function planOf(options: FitBatchOptions, problem: BatchProblem, engine: { name: string; reason: string }, workers: WorkerPlan | null, subBatchSize: number): BatchPlan {
  const reasons = [engine.reason];
  const note = backendNote(options, engine.name);
  if (note !== null) reasons.push(note);
  if (workers === null) reasons.push('one thread (workers not asked for)');
  else reasons.push(workers.workers > 0 ? `${workers.used}: ${workers.reason}` : `main thread: ${workers.reason}`);
  return { engine: engine.name, workers: Math.max(1, workers?.workers ?? 1), method: problem.settings.solver.method, subBatchSize, reason: reasons.join('; ') };
}

/**
 * The engine each worker will create (`createLocalEngine` runs there): wasm where it covers the
 * batch and is not refused, else cpu.
 */
function workerEngine(problem: BatchProblem): { name: string; reason: string } {
  const gap = problem.engine === 'cpu' ? "engine 'cpu' requested" : wasmEngineGap(problem);
  return gap === null ? { name: 'wasm', reason: 'the WASM engine in each worker: the whole lm loop inside WebAssembly' } : { name: 'cpu', reason: `the CPU engine in each worker: ${gap}` };
}

/**
 * Fit every curve of a batch (see `fitBatch`).
 *
 * @param caller - public function name for messages.
 * @param model - the model.
 * @param data - x, y and offsets.
 * @param options - the batch options.
 * @returns the batch result.
 * @throws NlsqTypeError / NlsqRangeError for invalid arguments (each naming it), AbortError when
 *   the signal aborts.
 */
export async function runBatch(caller: string, model: BatchModel, data: FitBatchData, options: FitBatchOptions = {}): Promise<BatchResult> {
  const started = performance.now();
  checkOptions(caller, options);
  const batch = validateBatchData(caller, data, options.sigma, isFittableModel(model) ? model.variables.length : undefined);
  const params = resolveBatchParams(caller, model, options, batch.nFits, batch.k);
  const settings = resolveBatchSettings(caller, options, params.free.length, params.bounded, params.kernel.analyticJacobian);
  const problem: BatchProblem = { caller, data: batch, params, settings, absoluteSigma: options.absoluteSigma === true, engine: engineAsked(options) };
  const names = params.layout !== null ? params.layout.names : params.names;
  const { signal, onProgress } = options;
  throwIfAborted(signal, caller);
  const device = await chooseDeviceEngine(problem, options);
  if (device !== null) {
    const subBatchSize = options.subBatchSize ?? device.engine.subBatchSize ?? DEFAULT_SUB_BATCH;
    const out = allocateOutput(batch.nFits, names.length);
    await runEngine(problem, device.engine, out, { subBatchSize, signal, onProgress });
    return new BatchResult(out, names, device.plan(subBatchSize), performance.now() - started, settings.warnings, (i) => refittable(problem, model, options, i));
  }
  const subBatchSize = options.subBatchSize ?? DEFAULT_SUB_BATCH;
  if (problem.engine === 'wasm' && options.workers !== undefined && options.workers !== 0) {
    const gap = wasmEngineGap(problem);
    if (gap !== null) throw new NlsqRangeError(`${caller}: engine 'wasm' cannot run this batch: ${gap}; use engine 'auto' or 'cpu'`, 'engine');
  }
  const predicted = workerEngine(problem);
  const { workers, ir } = await planWorkers(options, problem, predicted.name);
  if (workers !== null && workers.workers > 0) {
    const run = { workers: workers.workers, ir: ir!, solver: batchSolverOptions(options), progressEvery: Math.min(subBatchSize, Math.max(1, Math.ceil(batch.nFits / (workers.workers * 8)))), signal, onProgress };
    const out = await runBatchOnWorkers(problem, run, names.length); // allocates the outputs once the workers run
    const elapsed = performance.now() - started;
    const plan = planOf(options, problem, predicted, workers, subBatchSize);
    return new BatchResult(out, names, plan, elapsed, settings.warnings, (i) => refittable(problem, model, options, i));
  }
  const engine: BatchEngine = await createLocalEngine(problem);
  const plan = planOf(options, problem, engine, workers, subBatchSize);
  const out = allocateOutput(batch.nFits, names.length);
  await runEngine(problem, engine, out, { subBatchSize, signal, onProgress });
  const elapsed = performance.now() - started;
  return new BatchResult(out, names, plan, elapsed, settings.warnings, (i) => refittable(problem, model, options, i, engine.backend));
}

/** How {@link runEngine} walks a batch. */
export interface EngineWalk {
  /** Fits per sub-batch (the unit of progress reports). */
  readonly subBatchSize: number;
  /** Cancels between groups of fits. */
  readonly signal?: AbortSignal | undefined;
  /** Called after every sub-batch. */
  readonly onProgress?: ((progress: { done: number; total: number }) => void) | undefined;
}

/**
 * Run every fit of a batch on an engine, in sub-batches: a device engine's `runAsync` per
 * sub-batch, else `run` in groups of {@link STEP} fits, yielding to the event loop every ~10 ms of
 * work and checking `signal` between groups; progress after every sub-batch; the engine is
 * disposed however the walk ends. `fitBatch` and the multi-start search
 * (`global/batch-starts.ts`) both run their fits here.
 *
 * @param problem - the batch.
 * @param engine - the engine (disposed here).
 * @param out - the preallocated outputs.
 * @param walk - sub-batch size, signal, progress.
 * @throws AbortError when `signal` aborts.
 */
export async function runEngine(problem: BatchProblem, engine: BatchEngine, out: BatchOutput, walk: EngineWalk): Promise<void> {
  const { caller, data } = problem;
  const { subBatchSize, signal, onProgress } = walk;
  const pause = createYielder();
  try {
    throwIfAborted(signal, caller);
    for (let from = 0; from < data.nFits; from += subBatchSize) {
      const to = Math.min(data.nFits, from + subBatchSize);
      if (engine.runAsync !== undefined) {
        throwIfAborted(signal, caller);
        await engine.runAsync(from, to, out, signal);
      } else {
        for (let i = from; i < to; i += STEP) {
          const turn = pause();
          if (turn !== null) await turn;
          throwIfAborted(signal, caller);
          engine.run(i, Math.min(to, i + STEP), out);
        }
      }
      onProgress?.({ done: to, total: data.nFits });
    }
  } finally {
    engine.dispose();
  }
}

/** {@link runEngine} without yielding (for the synchronous APIs): `signal` is checked between groups of fits. */
export function runEngineSync(problem: BatchProblem, engine: BatchEngine, out: BatchOutput, signal: AbortSignal | undefined): void {
  try {
    for (let i = 0; i < problem.data.nFits; i += STEP) {
      throwIfAborted(signal, problem.caller);
      engine.run(i, Math.min(problem.data.nFits, i + STEP), out);
    }
  } finally {
    engine.dispose();
  }
}

/** Fit i as `curveFitSync` would (`singleFit`), with its refits (profile, bootstrap) attached. */
function refittable(problem: BatchProblem, model: BatchModel, options: FitBatchOptions, i: number, backend?: Backend): CurveFitResult {
  const { result, resolved } = singleFit(problem, model, options, i, backend);
  return provideBatchRefits(result, resolved, runBatch);
}
