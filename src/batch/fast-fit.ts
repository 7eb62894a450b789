/**
 * The single-fit fast path of `curveFit` and `curveFitSync`: a small fit run as a batch of one on
 * `fitBatch`'s WASM engine (`wasm-engine.ts`: the whole Levenberg–Marquardt loop inside
 * WebAssembly, `assembly/lm-batch.ts`), with everything that does not change between calls kept:
 * one wasm backend for the process, and per model (at most {@link FAST_FIT_MODELS}, least
 * recently used dropped) its compiled functions and one engine per set of solver settings. A
 * call then stages its points, runs `lmBatch` once and builds the ordinary
 * result (`buildCurveFitResult`) from the engine's row, its termination and its final triangle —
 * no backend lease, kernel compilation, problem or driver per call.
 *
 * It runs only where it gives the answer the ordinary path gives on the backend that path would
 * choose (the automatic choice, wasm; the same codegen and fold): {@link fastFitGap} says why it
 * does not run otherwise. popt, pcov, perr, cost, nfev, njev, nit, status and message are those of
 * `lm.ts` on that backend (the tests hold them to 1e-12 and equal counts); `fun` is the model's
 * generated `resid` at popt on the points the engine staged — the residual kernel's code on the
 * same values (as `residualVector`'s). What the engine does not record — the per-iteration
 * `history` — is computed on first read by the ordinary path on the same backend (`r.history` of
 * a fast fit costs one more fit, once). The result's strategy choice says that the fast path ran.
 *
 * Not taken (the ordinary path runs) for: a named backend or `NLSQ_BACKEND`, WebGPU present (an
 * asynchronous fit may run there), a plain function that was not lifted, a model nlsq did not
 * build, a stacked model, named parameters (`params`), a method other than `'lm'`, a robust loss,
 * finite differences, a covariance sigma, `onIteration`, `signal`, `verbose`, `workers`,
 * `blockRows`, more than {@link FAST_FIT_MAX_POINTS} points, a model too large for wasm, and a
 * synchronous call before WebAssembly is loaded. A fit that cannot start (not finite at p0,
 * fewer points than parameters) also runs the ordinary path, which throws its usual error.
 *
 * @module
 */
import type { ResolvedBackend } from '../backends/registry.ts';
import { readRuntimeEnv } from '../backends/registry.ts';
import { BACKEND_ENV_VARIABLE } from '../backends/registry.ts';
import { wasmBackendModule, wasmModelKernelModule } from '../backends/backend-factories.ts';
import type { WasmBackend } from '../backends/wasm/wasm-backend.ts';
import { modelTooLarge } from '../backends/model-size-limit.ts';
import { normInf } from '../linalg/small-linalg.ts';
import type { Program } from '../model/ir.ts';
import { isFittableModel } from '../model/model-kernel.ts';
import { trustedProgram } from '../model/trusted-program.ts';
import type { IterationRecord, SolverOutcome } from '../optim/evaluation.ts';
import { triangleGradient } from '../optim/solver-common.ts';
import type { ResolvedCurveFit } from '../options/resolve-curve-fit.ts';
import { buildCurveFitResult, type CurveFitResult } from '../result/curve-fit-result.ts';
import type { Choice } from '../result/choice.ts';
import { modelSizeOf } from '../run/backend-kernel.ts';
import { curveFitResolvedSync } from '../run/run-curve-fit.ts';
import { lazy } from '../util/lazy.ts';
import type { BatchData } from './batch-data.ts';
import { allocateOutput, type BatchOutput, type BatchProblem } from './batch-engine.ts';
import type { BatchParams } from './batch-params.ts';
import type { WasmEngine } from './wasm-engine.ts';

/** Most points a fast fit takes: beyond, the fixed cost the fast path saves is small beside the data walk. */
export const FAST_FIT_MAX_POINTS = 10_000;
/** Most models whose engines the fast path keeps (least recently used dropped first). */
export const FAST_FIT_MODELS = 16;

/** The WASM engine's module, imported on first use. */
const wasmEngineModule = lazy(() => import('./wasm-engine.ts'));

/** One engine of a model: its problem (mutated per call: data and p0) and its one-fit output. */
interface EngineEntry {
  readonly engine: WasmEngine;
  readonly data: { -readonly [K in keyof BatchData]: BatchData[K] };
  readonly params: { -readonly [K in keyof BatchParams]: BatchParams[K] };
  readonly problem: { -readonly [K in keyof BatchProblem]: BatchProblem[K] };
  readonly out: BatchOutput;
}

/** A model's cached functions on the fast path's backend. */
interface ModelEntry {
  /** Engines by solver settings. */
  readonly engines: Map<string, EngineEntry>;
  /** The engine of the last call (checked first: {@link sameSettings}). */
  last: EngineEntry | null;
  readonly functions: Parameters<WasmEngineModule['createWasmEngine']>[1];
}

type WasmEngineModule = Awaited<ReturnType<typeof wasmEngineModule>>;

/** The process's fast-path backend (created on first use), as a resolved backend, and the models on it, in use order. */
let backend: WasmBackend | null = null;
let used: ResolvedBackend | undefined;
/** The strategy choice of a fast fit: it says that the fast path ran. */
const STRATEGY: Choice = Object.freeze({
  given: 'default',
  used: 'standard',
  reason: "all data in memory: the small-fit fast path — the whole lm loop inside WebAssembly (fitBatch's WASM engine, kept per model), no per-call setup",
});
const models = new Map<Program, ModelEntry | null>();

/** Whether WebGPU is present (the automatic choice of an asynchronous expression fit may then be it). */
function webgpuPresent(): boolean {
  return (globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu !== undefined;
}

/**
 * Why the fast path does not run this fit, or null when it does (see the module comment).
 *
 * @param resolved - the resolved call.
 * @param synchronous - a `curveFitSync` call (WebGPU is then never the automatic choice).
 * @returns the reason, or null.
 */
export function fastFitGap(resolved: ResolvedCurveFit, synchronous: boolean): string | null {
  if (typeof WebAssembly !== 'object') return 'WebAssembly is not available';
  if (resolved.backend !== undefined) return 'a backend was named';
  if (readRuntimeEnv(BACKEND_ENV_VARIABLE)) return `${BACKEND_ENV_VARIABLE} names the backend`;
  if (!synchronous && webgpuPresent()) return 'WebGPU is present (the automatic choice may run there)';
  if (!isFittableModel(resolved.model)) return 'a plain function that was not lifted';
  if (trustedProgram(resolved.model) === undefined) return 'a model nlsq did not build';
  if (resolved.kernel.blocks !== undefined) return 'a stacked model';
  if (resolved.paramLayout !== undefined) return 'named parameters (params)';
  const { settings } = resolved;
  if (settings.solver.method !== 'lm') return `method '${settings.solver.method}'`;
  if (settings.loss !== null) return `the robust loss '${settings.lossName}'`;
  if (settings.scheme.kind !== 'analytic') return 'a finite-difference Jacobian';
  if (resolved.sigma.kind === '2d') return 'a covariance sigma';
  if (resolved.onIteration !== undefined) return 'onIteration';
  if (resolved.signal !== undefined) return 'signal';
  if (resolved.verbose !== 0) return 'verbose';
  if (resolved.workers !== undefined) return 'workers';
  if (resolved.blockRows !== undefined) return 'blockRows';
  if (resolved.n > FAST_FIT_MAX_POINTS) return `more than ${FAST_FIT_MAX_POINTS} points`;
  return null;
}

/** The fast path's backend: as the automatic choice, the SIMD build where it loads, else scalar. */
function fastBackend(create: (simd: boolean) => WasmBackend): WasmBackend {
  if (backend !== null) return backend;
  try {
    backend = create(true);
  } catch {
    backend = create(false);
  }
  return backend;
}

/** The model's entry (null: it cannot be compiled to wasm here), most recently used last. */
function modelEntry(program: Program, resolved: ResolvedCurveFit, on: WasmBackend): ModelEntry | null {
  const cached = models.get(program);
  if (cached !== undefined) {
    models.delete(program);
    models.set(program, cached);
    return cached;
  }
  const kernels = wasmModelKernelModule.loaded!;
  let entry: ModelEntry | null = null;
  if (modelTooLarge(on, modelSizeOf(resolved.model)) === null) {
    const functions = kernels.wasmModelFunctions(program, on);
    if (functions !== null) entry = { engines: new Map(), last: null, functions: { backend: on, model: functions, program } };
  }
  models.set(program, entry);
  if (models.size > FAST_FIT_MODELS) {
    const [oldest, old] = models.entries().next().value!;
    models.delete(oldest);
    if (old !== null) for (const e of old.engines.values()) e.engine.dispose();
  }
  return entry;
}

/** The key of the settings an engine fixes at creation. */
function settingsKey(resolved: ResolvedCurveFit): string {
  const { solver } = resolved.settings;
  const scale = solver.xScale === 'jac' ? 'jac' : Array.from(solver.xScale).join(',');
  return `${resolved.k}|${resolved.p}|${resolved.sigma.kind}|${resolved.absoluteSigma}|${solver.ftol}|${solver.xtol}|${solver.gtol}|${solver.maxNfev}|${scale}|${resolved.caller}`;
}

/**
 * Whether `resolved` fixes the settings `e` was created for (each of {@link settingsKey}'s parts,
 * compared without building the key): the common case of a model fitted again with the same
 * options finds its engine without a string per call.
 */
function sameSettings(e: EngineEntry, resolved: ResolvedCurveFit): boolean {
  const a = e.problem;
  const was = a.settings.solver;
  const now = resolved.settings.solver;
  if (a.data.k !== resolved.k || a.params.p !== resolved.p || (a.data.sigma !== null) !== (resolved.sigma.kind === '1d') || a.absoluteSigma !== resolved.absoluteSigma || a.caller !== resolved.caller) return false;
  if (was.ftol !== now.ftol || was.xtol !== now.xtol || was.gtol !== now.gtol || was.maxNfev !== now.maxNfev) return false;
  if (was.xScale === 'jac' || now.xScale === 'jac') return was.xScale === now.xScale;
  if (was.xScale.length !== now.xScale.length) return false;
  for (let j = 0; j < now.xScale.length; j++) if (!Object.is(was.xScale[j], now.xScale[j])) return false;
  return true;
}

function engineEntry(entry: ModelEntry, resolved: ResolvedCurveFit, module: WasmEngineModule): EngineEntry {
  if (entry.last !== null && sameSettings(entry.last, resolved)) return entry.last;
  const key = settingsKey(resolved);
  const cached = entry.engines.get(key);
  if (cached !== undefined) return (entry.last = cached);
  const { p, k, settings } = resolved;
  const infinite = (v: number) => new Float64Array(p).fill(v);
  const data: EngineEntry['data'] = { nFits: 1, k, offsets: new Int32Array(2), maxPoints: 0, y: new Float64Array(0), sigma: resolved.sigma.kind === '1d' ? new Float64Array(0) : null, x: { kind: 'columns', columns: [] } };
  const params: EngineEntry['params'] = {
    model: resolved.model as BatchParams['model'], kernel: resolved.kernel, fullKernel: resolved.kernel, held: null, p, free: Int32Array.from({ length: p }, (_, j) => j),
    names: resolved.paramNames, p0: { perFit: false, values: settings.solver.x0 }, lb: { perFit: false, values: infinite(-Infinity) }, ub: { perFit: false, values: infinite(Infinity) },
    bounded: false, layout: null,
  };
  const problem: EngineEntry['problem'] = { caller: resolved.caller, data, params, settings, absoluteSigma: resolved.absoluteSigma, engine: 'wasm' };
  const made: EngineEntry = { engine: module.createWasmEngine(problem, entry.functions), data, params, problem, out: allocateOutput(1, p) };
  entry.engines.set(key, made);
  return (entry.last = made);
}

/** The iteration history of the ordinary path's fit of `resolved` on `on` (a fast fit's `history`, on first read). */
function ordinaryHistory(resolved: ResolvedCurveFit, on: WasmBackend): readonly IterationRecord[] {
  return curveFitResolvedSync({ ...resolved, backend: on }).history;
}

/** The result of one fast fit, or null when the fit cannot start (the ordinary path then throws its error). */
function runFast(resolved: ResolvedCurveFit, on: WasmBackend, entry: ModelEntry, module: WasmEngineModule): CurveFitResult | null {
  const e = engineEntry(entry, resolved, module);
  const { n, p, data } = resolved;
  // The engine reads its problem's data, p0 and model at each run: this call's.
  e.data.offsets[1] = n;
  e.data.maxPoints = n;
  e.data.y = data.y;
  if (resolved.sigma.kind === '1d') e.data.sigma = resolved.sigma.sigma;
  e.data.x = { kind: 'columns', columns: data.x };
  e.params.p0 = { perFit: false, values: resolved.settings.solver.x0 };
  e.params.model = resolved.model as BatchParams['model'];
  e.params.kernel = e.params.fullKernel = resolved.kernel;
  e.params.names = resolved.paramNames;
  e.problem.settings = resolved.settings;
  e.out.messages.clear();
  e.engine.run(0, 1, e.out);
  const detail = e.engine.lastFit();
  if (e.out.status[0] === -1 || detail === null) return null;
  const x = e.out.popt.slice(0, p);
  const nit = e.out.nit[0]!;
  const g = triangleGradient(detail.T, p);
  const outcome: SolverOutcome = {
    x, cost: e.out.cost[0]!, T: detail.T, grad: g, optimality: normInf(g), activeMask: new Int8Array(p),
    status: detail.status, message: detail.message, nfev: e.out.nfev[0]!, njev: detail.endedOnAcceptedStep ? nit : nit + 1, nit,
  };
  const fun = new Float64Array(n);
  e.engine.residualsOfFirst(x, fun);
  used ??= { backend: on, given: 'default', source: 'automatic', reason: `automatic choice: ${on.info.name}, the fastest backend usable here for this model — the small-fit fast path's own instance` };
  const blockSize: Choice = { given: 'default', used: String(n), reason: "the WASM engine folds the fit's rows in its own sub-blocks" };
  // The engine records no iterations: the history is the ordinary path's on the same backend, on first read.
  const history = ordinaryHistory.bind(undefined, resolved, on);
  const result = buildCurveFitResult(outcome, resolved, { backend: used, fun, strategy: STRATEGY, blockSize, history });
  return result;
}

/**
 * `curveFit`'s fast path: the result, or null when it does not apply (see {@link fastFitGap}) or
 * the fit cannot start — the caller then runs the ordinary path.
 *
 * @param resolved - the resolved call.
 * @returns the result, or null.
 */
export async function fastCurveFit(resolved: ResolvedCurveFit): Promise<CurveFitResult | null> {
  if (fastFitGap(resolved, false) !== null) return null;
  const program = trustedProgram(resolved.model)!;
  let on = backend;
  let module = wasmEngineModule.loaded;
  if (on === null || module === undefined || wasmModelKernelModule.loaded === undefined) {
    try {
      const [wasm, , engines] = await Promise.all([wasmBackendModule(), wasmModelKernelModule(), wasmEngineModule()]);
      // The SIMD build where it loads, else the scalar one: the automatic choice's order.
      const created = (await wasm.createWasmBackend()) as WasmBackend;
      on = backend ??= created; // a concurrent first call may have set it meanwhile: one backend for all (the other is dropped)
      module = engines;
    } catch {
      return null;
    }
  }
  const entry = modelEntry(program, resolved, on);
  return entry === null ? null : runFast(resolved, on, entry, module);
}

/**
 * `curveFitSync`'s fast path: as {@link fastCurveFit}, where WebAssembly is already loaded in
 * this process (the same condition under which `curveFitSync`'s automatic choice is wasm).
 *
 * @param resolved - the resolved call.
 * @returns the result, or null.
 */
export function fastCurveFitSync(resolved: ResolvedCurveFit): CurveFitResult | null {
  if (fastFitGap(resolved, true) !== null) return null;
  const wasm = wasmBackendModule.loaded;
  const module = wasmEngineModule.loaded;
  if (wasm === undefined || wasmModelKernelModule.loaded === undefined) return null;
  if (module === undefined) {
    void wasmEngineModule().catch(() => undefined); // loaded for the next call (the ordinary path runs this one)
    return null;
  }
  let on: WasmBackend;
  try {
    on = fastBackend((simd) => wasm.createWasmBackendSync(simd));
  } catch {
    return null;
  }
  const entry = modelEntry(trustedProgram(resolved.model)!, resolved, on);
  return entry === null ? null : runFast(resolved, on, entry, module);
}
