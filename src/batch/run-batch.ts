/**
 * `fitBatch`'s run: validate the batch once, choose the engine, and walk the fits in
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
import { resolveSolverSettings, type SolverSettings } from '../options/solver-settings.ts';
import { createYielder } from '../util/yield-control.ts';
import { allocateOutput, type BatchEngine, type BatchProblem } from './batch-engine.ts';
import { validateBatchData } from './batch-data.ts';
import type { BatchModel, FitBatchData, FitBatchOptions } from './batch-options.ts';
import { resolveBatchParams } from './batch-params.ts';
import { BatchResult, type BatchPlan } from './batch-result.ts';
import { createCpuEngine } from './cpu-engine.ts';
import { singleFit } from './single-fit.ts';
import { provideBatchRefits } from './refit-runner.ts';

/** Fits per sub-batch unless `subBatchSize` says otherwise. */
export const DEFAULT_SUB_BATCH = 4096;

/** Fits run between two looks at the clock (the yielder) inside a sub-batch. */
const STEP = 16;

const OPTION_KEYS = new Set([
  'p0', 'bounds', 'sigma', 'absoluteSigma', 'vary', 'params', 'method', 'ftol', 'xtol', 'gtol', 'maxNfev', 'xScale', 'diffStep',
  'loss', 'fScale', 'backend', 'workers', 'subBatchSize', 'signal', 'onProgress',
]);

function checkOptions(caller: string, options: FitBatchOptions): void {
  if (typeof options !== 'object' || options === null) throw new NlsqTypeError(`${caller}: options must be an object, got ${describeValue(options)}`, 'options');
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) throw new NlsqRangeError(`${caller}: unknown option '${key}' (accepted: ${[...OPTION_KEYS].sort().join(', ')})`, key);
  }
  const { workers, subBatchSize, signal, onProgress, absoluteSigma } = options;
  if (workers !== undefined && workers !== 'auto' && !(Number.isInteger(workers) && workers >= 1)) {
    throw new NlsqRangeError(`${caller}: workers must be 'auto' or a positive integer, got ${describeValue(workers)}`, 'workers');
  }
  if (subBatchSize !== undefined && !(Number.isInteger(subBatchSize) && subBatchSize >= 1)) {
    throw new NlsqRangeError(`${caller}: subBatchSize must be a positive integer, got ${describeValue(subBatchSize)}`, 'subBatchSize');
  }
  if (signal !== undefined && !(typeof signal === 'object' && signal !== null && 'aborted' in signal)) {
    throw new NlsqTypeError(`${caller}: signal must be an AbortSignal, got ${describeValue(signal)}`, 'signal');
  }
  if (onProgress !== undefined && typeof onProgress !== 'function') throw new NlsqTypeError(`${caller}: onProgress must be a function, got ${describeValue(onProgress)}`, 'onProgress');
  if (absoluteSigma !== undefined && typeof absoluteSigma !== 'boolean') throw new NlsqTypeError(`${caller}: absoluteSigma must be a boolean, got ${describeValue(absoluteSigma)}`, 'absoluteSigma');
}

/** Which engine runs and why (only the CPU engine exists in this release). */
function planEngine(options: FitBatchOptions, method: string, subBatchSize: number): BatchPlan {
  const given = options.backend;
  const name = typeof given === 'string' ? given : given === undefined ? 'auto' : Array.isArray(given) ? given.join(',') : 'an instance';
  const reasons: string[] = [];
  if (given === undefined || given === 'auto' || given === 'cpu') reasons.push(`backend '${name}': the plain-TypeScript CPU engine (the reference; the WASM whole-loop and WebGPU batch engines are not built yet)`);
  else reasons.push(`backend ${name} requested, but fitBatch has only its CPU engine so far: the CPU engine ran`);
  if (options.workers !== undefined && options.workers !== 1) reasons.push(`workers ${String(options.workers)} requested: the batch ran on one thread (the worker-pool engine is not wired yet)`);
  else reasons.push('one thread');
  return { engine: 'cpu', workers: 1, method, subBatchSize, reason: reasons.join('; ') };
}

function settingsFor(caller: string, options: FitBatchOptions, pf: number, bounded: boolean, analyticJacobian: boolean): SolverSettings {
  // The method rule needs only whether some bound is finite; per-fit bounds are set by the engine.
  const lb = new Float64Array(pf).fill(-Infinity);
  const ub = new Float64Array(pf).fill(Infinity);
  if (bounded) lb[0] = -Number.MAX_VALUE;
  const { method, ftol, xtol, gtol, maxNfev, xScale, diffStep, loss, fScale } = options;
  const given = { method, ftol, xtol, gtol, maxNfev, xScale, diffStep, loss, fScale };
  const settings = resolveSolverSettings({ caller, options: given, x0: new Float64Array(pf), lb, ub, defaultMethod: 'by-bounds', analyticJacobian, convention: 'leastsq' });
  return settings;
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
  const settings = settingsFor(caller, options, params.free.length, params.bounded, params.kernel.analyticJacobian);
  const problem: BatchProblem = { caller, data: batch, params, settings, absoluteSigma: options.absoluteSigma === true };
  const subBatchSize = options.subBatchSize ?? DEFAULT_SUB_BATCH;
  const plan = planEngine(options, settings.solver.method, subBatchSize);
  const names = params.layout !== null ? params.layout.names : params.names;
  const out = allocateOutput(batch.nFits, names.length);
  const { signal, onProgress } = options;
  throwIfAborted(signal, caller);
  const engine: BatchEngine = createCpuEngine(problem);
  const pause = createYielder();
  try {
    for (let from = 0; from < batch.nFits; from += subBatchSize) {
      const to = Math.min(batch.nFits, from + subBatchSize);
      for (let i = from; i < to; i += STEP) {
        const turn = pause();
        if (turn !== null) await turn;
        throwIfAborted(signal, caller);
        engine.run(i, Math.min(to, i + STEP), out);
      }
      onProgress?.({ done: to, total: batch.nFits });
    }
  } finally {
    engine.dispose();
  }
  const elapsed = performance.now() - started;
  return new BatchResult(out, names, plan, elapsed, settings.warnings, (i) => {
    const { result, resolved } = singleFit(problem, model, options, i);
    return provideBatchRefits(result, resolved, runBatch);
  });
}
