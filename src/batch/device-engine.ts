/**
 * The device batch engine: `fitBatch` on a backend with the `createBatchSolver` capability (the
 * WebGPU backend), then — by default — an f64 polish of every fit on the local engine.
 *
 * ## The two phases
 *
 * 1. **Device** (`backends/batch-solver.ts`, `backends/webgpu/batch-lm.wgsl.ts`): the fits of a
 *    sub-batch go to the device at once — one workgroup per fit, threads over its points, the
 *    Gram JᵀJ and gradient Jᵀr reduced in workgroup memory, the damped p×p Cholesky solve, the
 *    acceptance and stopping tests, every iteration on the device; θ, χ², the state, the counts and
 *    JᵀJ come back once. Arithmetic is f32 (ε₃₂ = 2⁻²³), tolerances floored at 2⁻²⁰.
 * 2. **Polish** (default, `polish: true`): each fit restarts on the single-thread engine of this
 *    runtime (`createLocalEngine`) from the device's θ, with the caller's method and tolerances and
 *    at most {@link POLISH_NFEV_PER_PARAM}·(p + 1) evaluations. A Gauss–Newton-type iteration from
 *    a start whose relative error is ~√κ·ε₃₂ reaches the f64 minimum in a few steps, so popt and
 *    perr are those of `curveFit` on the same data (to its tolerances) and the status is the
 *    polish's. A fit the device could not finish (non-finite at the start, a singular normal
 *    matrix, too large for a device buffer) or whose polish does not converge within that budget
 *    runs again on the local engine from its own p0 with the full budget: its result is then
 *    exactly the CPU engine's, failures included. nfev and nit count both phases.
 *
 * With `polish: false` the device answers are returned as they are: popt is f32 widened to f64,
 * perr comes from the device's JᵀJ (√diag(s²·(JᵀJ)⁻¹), s² = χ²/(n − p) unless `absoluteSigma`),
 * χ² and cost are the device's f32 sums, and the status maps the device state: gtol 1, ftol 2,
 * xtol 3, iteration limit 0, singular or non-finite start −1 (with a message).
 *
 * The device phase of the next sub-batch is started before the current one is polished, so the
 * device and the host work at the same time.
 *
 * @module
 */
import { assertDeviceModel, isDeviceModel } from '../backends/assert-device-model.ts';
import type { Backend } from '../backends/backend.ts';
import { DEVICE_FIT_STATE, MAX_DEVICE_FREE_PARAMS, type BatchSolverFits, type DeviceBatchResult, type DeviceBatchSolver } from '../backends/batch-solver.ts';
import { loadBackend, releaseLoad } from '../backends/list-backends.ts';
import { resolveBackend, type BackendOption } from '../backends/registry.ts';
import { NlsqError, NlsqRangeError, throwIfAborted } from '../errors.ts';
import { gramToTriangle, packedEntries } from '../linalg/gram-triangle.ts';
import type { DataColumns } from '../model/model-kernel.ts';
import { lowerToProgram } from '../model/lower.ts';
import { STATUS_CODE } from '../optim/evaluation.ts';
import { estimateCovariance } from '../stats/covariance.ts';
import { createYielder } from '../util/yield-control.ts';
import type { BatchEngine, BatchOutput, BatchProblem } from './batch-engine.ts';
import type { FitBatchOptions } from './batch-options.ts';
import type { BatchPlan } from './batch-result.ts';
import { fitStart } from './fit-start.ts';
import { createLocalEngine } from './local-engine.ts';

/** The polish runs at most this many evaluations per parameter (+1) before the fit is rerun in full. */
export const POLISH_NFEV_PER_PARAM = 5;

/** Fits per sub-batch of a device engine unless `subBatchSize` says otherwise (one dispatch each). */
export const DEVICE_SUB_BATCH = 65536;

/**
 * Smallest batch for which the automatic plan takes a hardware device: below it the compile and
 * the transfers cost more than the fits. An estimate — no GPU was at hand to measure it (software
 * adapters are never chosen automatically).
 */
export const AUTO_DEVICE_MIN_FITS = 16384;

/** A backend that can solve batches on its device. */
type BatchSolverBackend = Backend & Required<Pick<Backend, 'createBatchSolver'>>;

function solvesBatches(backend: Backend): backend is BatchSolverBackend {
  return typeof backend.createBatchSolver === 'function';
}

/** A device engine and the plan it ran under. */
export interface DeviceEngineChoice {
  /** The engine (`runAsync` present). */
  readonly engine: BatchEngine;
  /** The plan for `subBatchSize` fits per sub-batch. */
  plan(subBatchSize: number): BatchPlan;
}

/** True when the `backend` option names or holds something that may be a device backend. */
function mentionsDevice(option: BackendOption): boolean {
  if (option === undefined || typeof option === 'string') return option === 'webgpu';
  const list = Array.isArray(option) ? option : [option];
  return list.some((c) => c === 'webgpu' || (typeof c === 'object' && c !== null && solvesBatches(c as Backend)));
}

/** Why the batch cannot run on a device (null when it can); `explicit` turns the reason into an error. */
function deviceBlocker(problem: BatchProblem, explicit: boolean): string | null {
  const { caller, params, settings } = problem;
  if (explicit) assertDeviceModel(params.model, caller, 'webgpu');
  else if (!isDeviceModel(params.model)) return 'a closure model runs on the host';
  const reasons: [boolean, string, string][] = [
    [settings.loss !== null, 'loss', `the device batch engine runs the linear loss only, got loss '${settings.lossName}'; use backend 'cpu' for robust losses`],
    [params.layout !== null, 'params', "the device batch engine takes p0/bounds/vary, not a params set with ties or expressions; use vary to hold parameters, or backend 'cpu'"],
    [params.free.length > MAX_DEVICE_FREE_PARAMS, 'vary', `the device batch engine fits at most ${MAX_DEVICE_FREE_PARAMS} free parameters, got ${params.free.length}; hold some with vary, or use backend 'cpu'`],
  ];
  for (const [bad, name, message] of reasons) {
    if (!bad) continue;
    if (explicit) throw new NlsqRangeError(`${caller}: ${message}`, name);
    return message;
  }
  return null;
}

/**
 * The device engine for a batch, when the `backend` option asks for a device backend (or, left
 * automatic, when a hardware adapter exists and the batch has at least
 * {@link AUTO_DEVICE_MIN_FITS} fits); null when the batch stays on the host.
 *
 * @param problem - the validated batch.
 * @param options - the batch options (`backend`, `polish`).
 * @returns the engine and its plan, or null.
 * @throws BackendUnavailableError when a named device backend is not usable here; NlsqTypeError /
 *   NlsqRangeError when the model, the loss or a params set cannot run on a named device.
 */
export async function chooseDeviceEngine(problem: BatchProblem, options: FitBatchOptions): Promise<DeviceEngineChoice | null> {
  const { caller } = problem;
  const given = options.backend;
  const explicit = mentionsDevice(given);
  let backend: BatchSolverBackend;
  let release: () => void;
  let why: string;
  if (explicit) {
    // a list may fall back to a host backend: a device it cannot use is skipped, not an error
    if (deviceBlocker(problem, !Array.isArray(given)) !== null) return null;
    const resolved = await resolveBackend(given, { closures: false, synchronous: false }, { caller });
    release = resolved.release ?? (() => undefined);
    if (!solvesBatches(resolved.backend)) {
      release();
      return null;
    }
    backend = resolved.backend;
    why = resolved.reason;
  } else {
    if (!(given === undefined || given === 'auto') || problem.data.nFits < AUTO_DEVICE_MIN_FITS) return null;
    if (deviceBlocker(problem, false) !== null) return null;
    const load = await loadBackend('webgpu', { allowSoftware: false });
    if (!load.ok) return null;
    if (!solvesBatches(load.backend)) {
      releaseLoad(load);
      return null;
    }
    backend = load.backend;
    release = () => releaseLoad(load);
    why = `automatic choice: a hardware WebGPU adapter and ${problem.data.nFits} ≥ ${AUTO_DEVICE_MIN_FITS} fits`;
  }
  const polish = options.polish ?? true;
  let solver: DeviceBatchSolver;
  try {
    solver = await createSolver(problem, backend);
  } catch (error) {
    release();
    throw error;
  }
  const engine = createDeviceEngine(problem, solver, { name: backend.info.name, polish, release });
  const polishText = polish
    ? `each fit polished in f64 on the local engine from the device's answer (at most ${POLISH_NFEV_PER_PARAM}·(p+1) evaluations, else rerun in full from p0)`
    : "polish off: popt, perr, χ² and cost are the device's f32 results";
  return {
    engine,
    plan: (subBatchSize) => ({
      engine: backend.info.name,
      workers: 1,
      method: polish ? problem.settings.solver.method : 'lm',
      subBatchSize,
      polish,
      reason: `${why}; ${backend.info.software ? 'a software adapter (correctness only: slower than the CPU); ' : ''}device: ${solver.layout}, Levenberg–Marquardt, ftol ${solver.tolerances.ftol.toPrecision(3)}, xtol ${solver.tolerances.xtol.toPrecision(3)}, gtol ${solver.tolerances.gtol.toPrecision(3)}; ${polishText}`,
    }),
  };
}

function createSolver(problem: BatchProblem, backend: BatchSolverBackend): Promise<DeviceBatchSolver> {
  const { params, data, settings } = problem;
  assertDeviceModel(params.model, problem.caller, backend.info.name);
  const { solver } = settings;
  return backend.createBatchSolver({
    program: lowerToProgram(params.model),
    free: params.free,
    sharedX: data.x.kind === 'shared' ? data.x.columns : null,
    weighted: data.sigma !== null,
    maxPoints: Math.max(1, data.maxPoints),
    maxIterations: Math.max(1, solver.maxNfev - 1),
    ftol: solver.ftol,
    xtol: solver.xtol,
    gtol: solver.gtol,
  });
}

/** Engine options. */
export interface DeviceEngineOptions {
  /** The backend's name for the plan. */
  readonly name: string;
  /** Polish in f64 on the local engine (default behaviour of `fitBatch`). */
  readonly polish: boolean;
  /** Hands the backend back when the engine is disposed. */
  readonly release?: () => void;
}

/** One sub-batch on its way through the device. */
interface InFlight {
  readonly from: number;
  readonly to: number;
  readonly started: Map<number, true>;
  /** Starting θ per fit (every parameter, f64): the held values are read back from here, not from the device. */
  readonly theta0: Float64Array;
  /** Bounds of the free parameters per fit of the range. */
  readonly lb: Float64Array;
  readonly ub: Float64Array;
  readonly result: Promise<DeviceBatchResult>;
}

/**
 * Create the device engine over a batch solver (see the module documentation).
 *
 * @param problem - the validated batch.
 * @param solver - the device's batch solver for this problem.
 * @param options - name, polish, release.
 * @returns an engine whose `runAsync(from, to, out, signal)` fits a range; `run` is not available.
 */
export function createDeviceEngine(problem: BatchProblem, solver: DeviceBatchSolver, options: DeviceEngineOptions): BatchEngine {
  const { data, params, settings, caller } = problem;
  const { p, free } = params;
  const pf = free.length;
  const maxN = Math.max(1, data.maxPoints);
  const columns: DataColumns = {
    x: data.x.kind === 'shared' ? data.x.columns : Array.from({ length: data.k }, () => new Float64Array(maxN)),
    y: new Float64Array(maxN),
    w: data.sigma === null ? null : new Float64Array(maxN),
  };
  const full = new Float64Array(p);
  const x0 = new Float64Array(pf);
  const lb = new Float64Array(pf);
  const ub = new Float64Array(pf);
  // The host engines are created on first use (createLocalEngine loads the WASM engine lazily).
  let local: Promise<BatchEngine> | null = null;
  const localEngine = (): Promise<BatchEngine> => (local ??= createLocalEngine(problem));
  let polisher: Promise<BatchEngine> | null = null;
  let pending: InFlight | null = null;
  let disposed = false;

  /**
   * Gather fits [from, to) for the device (yielding to the event loop between fits) and start it;
   * fits that cannot start get a NaN θ. The shared start buffers are written and read within one
   * fit, never across a yield, so two gathers may interleave.
   */
  const start = (from: number, to: number, signal: AbortSignal | undefined): InFlight => {
    const count = to - from;
    const theta0 = new Float64Array(count * p);
    const lbs = new Float64Array(count * pf);
    const ubs = new Float64Array(count * pf);
    const started = new Map<number, true>();
    const gather = async (): Promise<DeviceBatchResult> => {
      const pause = createYielder();
      for (let i = from; i < to; i++) {
        if ((i - from) % 64 === 0) {
          const turn = pause();
          if (turn !== null) await turn;
          throwIfAborted(signal, caller);
          if (disposed) throw new NlsqError(`${caller}: the batch ended before this sub-batch was gathered`, 'ERR_ABORTED');
        }
        const r = i - from;
        if (fitStart(problem, i, columns, full, x0, lb, ub) !== null) {
          theta0.fill(Number.NaN, r * p, (r + 1) * p);
          continue;
        }
        started.set(i, true);
        theta0.set(full, r * p);
        lbs.set(lb, r * pf);
        ubs.set(ub, r * pf);
      }
      const lo = data.offsets[from]!;
      const hi = data.offsets[to]!;
      const offsets = Int32Array.from({ length: count + 1 }, (_, r) => data.offsets[from + r]! - lo);
      const w = data.sigma === null ? null : Float64Array.from(data.sigma.subarray(lo, hi), (s) => 1 / s);
      let x: Float64Array[] | null = null;
      if (data.x.kind === 'columns') x = data.x.columns.map((c) => c.subarray(lo, hi));
      else if (data.x.kind === 'interleaved') {
        const { values } = data.x;
        const k = data.k;
        x = Array.from({ length: k }, (_, v) => Float64Array.from({ length: hi - lo }, (_, q) => values[(lo + q) * k + v]!));
      }
      const fits: BatchSolverFits = { nFits: count, offsets, y: data.y.subarray(lo, hi), w, x, theta0, lb: lbs, ub: ubs };
      return solver.solve(fits, signal);
    };
    const result = gather();
    result.catch(() => undefined); // awaited by runAsync; a prefetch nobody awaits must not be unhandled
    return { from, to, started, theta0, lb: lbs, ub: ubs, result };
  };

  /**
   * Row i of popt ← the fit's start with its free entries replaced by the device's θ, clipped into
   * the f64 bounds (the f32 clamp may round past them); held entries keep their exact f64 values.
   */
  const setDeviceTheta = (out: BatchOutput, i: number, job: InFlight, dev: DeviceBatchResult, r: number): void => {
    const row = i * out.P;
    out.popt.set(job.theta0.subarray(r * p, (r + 1) * p), row);
    for (let j = 0; j < pf; j++) out.popt[row + free[j]!] = Math.min(job.ub[r * pf + j]!, Math.max(job.lb[r * pf + j]!, dev.theta[r * p + free[j]!]!));
  };

  const polishEngine = (out: BatchOutput): Promise<BatchEngine> => {
    if (polisher === null) {
      const { solver: s } = settings;
      const polishSettings = { ...settings, solver: { ...s, maxNfev: Math.min(s.maxNfev, POLISH_NFEV_PER_PARAM * (pf + 1)) } };
      // out.popt holds, row by row, the device's θ (every parameter, held ones at their p0) before the polish overwrites it.
      polisher = createLocalEngine({ ...problem, settings: polishSettings, params: { ...params, p0: { perFit: true, values: out.popt } } });
    }
    return polisher;
  };

  const writeDevice = (out: BatchOutput, i: number, job: InFlight, dev: DeviceBatchResult, r: number): void => {
    const n = data.offsets[i + 1]! - data.offsets[i]!;
    const chi = dev.chiSquare[r]!;
    const row = i * out.P;
    setDeviceTheta(out, i, job, dev, r);
    out.perr.fill(0, row, row + p);
    const h = packedEntries(pf);
    const aug = new Float64Array(packedEntries(pf + 1));
    for (let a = 0, e = 0, s = 0; a < pf; a++, e++) for (let b = a; b < pf; b++) aug[e++] = dev.hessian[r * h + s++]!;
    const { T } = gramToTriangle(aug, pf + 1, (pf + 1) * 2 ** -23);
    const cov = estimateCovariance(T, pf, n, chi, problem.absoluteSigma, 'triangular-inverse');
    for (let j = 0; j < pf; j++) out.perr[row + free[j]!] = Math.sqrt(cov.pcov[j * pf + j]!);
    out.chiSquare[i] = chi;
    out.cost[i] = chi / 2;
    out.nfev[i] = dev.nfev[r]!;
    out.nit[i] = dev.nit[r]!;
    const state = dev.state[r]!;
    out.status[i] = deviceStatus(state);
    if (out.status[i]! <= 0) out.messages.set(i, `${caller}: fit ${i}: ${deviceMessage(state, dev.nit[r]!)}`);
  };

  const finish = async (job: InFlight, out: BatchOutput, signal: AbortSignal | undefined): Promise<void> => {
    const dev = await job.result;
    const pause = createYielder();
    for (let i = job.from; i < job.to; i++) {
      if ((i - job.from) % 16 === 0) {
        const turn = pause();
        if (turn !== null) await turn;
        throwIfAborted(signal, caller);
      }
      const r = i - job.from;
      const state = dev.state[r]!;
      const failed = state === DEVICE_FIT_STATE.nonFinite || state === DEVICE_FIT_STATE.singular || state === DEVICE_FIT_STATE.tooLarge;
      if (!job.started.has(i) || (failed && (options.polish || state === DEVICE_FIT_STATE.tooLarge))) {
        // could not start (the local engine records why), or the device could not finish it
        (await localEngine()).run(i, i + 1, out);
        if (job.started.has(i)) addCounts(out, i, dev, r);
        continue;
      }
      if (!options.polish) {
        writeDevice(out, i, job, dev, r);
        continue;
      }
      setDeviceTheta(out, i, job, dev, r);
      (await polishEngine(out)).run(i, i + 1, out);
      if (out.status[i]! <= 0) {
        out.messages.delete(i);
        (await localEngine()).run(i, i + 1, out);
      }
      addCounts(out, i, dev, r);
    }
  };

  return {
    name: options.name,
    reason: `every fit's whole loop on the ${options.name} device${options.polish ? ', then polished in f64 on the host engine' : ' (f32, not polished)'}`,
    subBatchSize: DEVICE_SUB_BATCH,
    run() {
      throw new NlsqError(`${caller}: the ${options.name} batch engine runs asynchronously (runAsync); fitBatch calls it that way`, 'ERR_BACKEND_UNAVAILABLE', 'backend');
    },
    async runAsync(from, to, out, signal) {
      throwIfAborted(signal, caller);
      const job = pending !== null && pending.from === from && pending.to === to ? pending : start(from, to, signal);
      pending = null;
      const len = to - from;
      if (to < data.nFits) pending = start(to, Math.min(data.nFits, to + len), signal);
      await finish(job, out, signal);
    },
    dispose() {
      disposed = true;
      pending = null;
      solver.destroy();
      void local?.then((e) => e.dispose());
      void polisher?.then((e) => e.dispose());
      options.release?.();
    },
  };
}

function addCounts(out: BatchOutput, i: number, dev: DeviceBatchResult, r: number): void {
  out.nfev[i] = out.nfev[i]! + dev.nfev[r]!;
  out.nit[i] = out.nit[i]! + dev.nit[r]!;
}

/** SciPy's status code for a device state (polish off). */
export function deviceStatus(state: number): number {
  switch (state) {
    case DEVICE_FIT_STATE.gtol:
      return STATUS_CODE.gtol;
    case DEVICE_FIT_STATE.ftol:
      return STATUS_CODE.ftol;
    case DEVICE_FIT_STATE.xtol:
      return STATUS_CODE.xtol;
    case DEVICE_FIT_STATE.maxIterations:
      return STATUS_CODE['max-nfev'];
    default:
      return STATUS_CODE['improper-input'];
  }
}

function deviceMessage(state: number, nit: number): string {
  switch (state) {
    case DEVICE_FIT_STATE.maxIterations:
      return `the device reached its iteration limit (${nit} iterations) without meeting a tolerance`;
    case DEVICE_FIT_STATE.singular:
      return 'the damped normal matrix JᵀJ + λ·diag(JᵀJ) is singular on the device (a parameter has no effect on the model at this point)';
    case DEVICE_FIT_STATE.nonFinite:
      return 'the residuals are not finite at p0 on the device';
    default:
      return `the device ended the fit in state ${state}`;
  }
}
