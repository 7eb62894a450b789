/**
 * `curveFit` and `curveFitSync`: SciPy's `scipy.optimize.curve_fit` for TypeScript.
 *
 * Fit f(x; θ) to (xdata, ydata) by minimizing ½Σρ(r_i²) with r_i = (f(x_i; θ) − y_i)/σ_i
 * (or r = L⁻¹(f − y) for a covariance sigma), by TRF, dogbox or Levenberg–Marquardt, and return
 * popt, pcov exactly as SciPy computes them, plus diagnostics and statistics.
 *
 * Each is a short composition of exported pieces (see `fit-problem.ts`) that the workflow's
 * `fit()` reuses with other strategies.
 *
 * @module
 */
import { resolveBackend, resolveBackendSync, type ResolvedBackend } from './backends/registry.ts';
import type { FittableModel } from './model/model-kernel.ts';
import type { ModelFunction } from './model/closure-kernel.ts';
import type { SolverOutcome } from './optim/evaluation.ts';
import { resolveCurveFitOptions, type ResolvedCurveFit } from './options/resolve-curve-fit.ts';
import type { CurveFitOptions } from './options/types.ts';
import { buildCurveFitResult, type CurveFitContext, type CurveFitResult } from './result/curve-fit-result.ts';
import { isWebGPUBackend } from './backends/webgpu/is-webgpu-backend.ts';
import { fitOnDevice } from './run/device-fit.ts';
import { kernelForBackend, kernelForBackendSync } from './run/backend-kernel.ts';
import { createCurveFitProblem, solveCurveFit, solveCurveFitSync, type BlockLayout, type CurveFitProblem } from './evaluate/curve-fit-problem.ts';
import { formatNumber } from './util/format.ts';

/** xdata: n numbers (one variable) or k arrays of n numbers. */
export type XData = ArrayLike<number> | ArrayLike<ArrayLike<number>>;

/** What the backend must support: host backends run every kernel; WebGPU runs expression models only. */
function needsFor(resolved: ResolvedCurveFit, synchronous: boolean) {
  return { closures: typeof resolved.model === 'function', synchronous };
}

type StrategyContext = Pick<CurveFitContext, 'strategy' | 'blockSize'>;

function finish(outcome: SolverOutcome, resolved: ResolvedCurveFit, backend: ResolvedBackend, problem: CurveFitProblem, context: StrategyContext = {}): CurveFitResult {
  const result = buildCurveFitResult(outcome, resolved, { ...context, backend, fun: problem.residualVector(outcome.x) });
  if (resolved.verbose > 0) {
    resolved.log(`${resolved.caller}: ${outcome.message}; cost ${formatNumber(outcome.cost)}, nfev ${outcome.nfev}, njev ${outcome.njev}`);
  }
  return result;
}

/**
 * Run a resolved fit on a resolved backend: on the device for WebGPU (then polished on f64),
 * else the host data walk in blocks of `blockRows`. Shared by `curveFit` and the workflow's `fit`.
 */
export async function runCurveFit(resolved: ResolvedCurveFit, backend: ResolvedBackend, context: StrategyContext = {}, layout: BlockLayout = {}): Promise<CurveFitResult> {
  const controls = { caller: resolved.caller, signal: resolved.signal, onIteration: iterationLogger(resolved) };
  if (isWebGPUBackend(backend.backend)) {
    const device = await fitOnDevice(resolved, backend.backend, controls, resolved.polish);
    const result = buildCurveFitResult(device.outcome, resolved, { ...context, blockSize: device.layout, backend, fun: device.fun, precision: device.precision });
    result.warnings.push(...device.warnings);
    return result;
  }
  const compiled = await kernelForBackend(resolved, backend.backend, { resident: layout.cacheResiduals !== false });
  let problem: CurveFitProblem | null = null;
  try {
    problem = createCurveFitProblem(compiled.resolved, backend.backend, layout);
    const outcome = await solveCurveFit(compiled.resolved, problem, controls);
    return finish(outcome, resolved, backend, problem, context);
  } finally {
    problem?.dispose?.();
    compiled.dispose();
  }
}

function iterationLogger(resolved: ResolvedCurveFit): ResolvedCurveFit['onIteration'] {
  if (resolved.verbose < 2) return resolved.onIteration;
  const user = resolved.onIteration;
  return (info) => {
    resolved.log(`${resolved.caller}: iteration ${info.iteration}, cost ${formatNumber(info.cost)}, ‖g‖∞ ${formatNumber(info.gradientNorm)}, step ${formatNumber(info.stepNorm)}, nfev ${info.nfev}`);
    return user === undefined ? undefined : user(info);
  };
}

/**
 * Fit a model to data (SciPy `curve_fit`), asynchronously.
 *
 * @param f - `f(x, ...params)` returning the model value at one point (x a number, or with k
 *   variables one reused array of k numbers that the model must not keep), or a {@link FittableModel}.
 * @param xdata - n numbers, or k arrays of n numbers.
 * @param ydata - n observations.
 * @param options - {@link CurveFitOptions} (SciPy's keywords in camelCase).
 * @returns the {@link CurveFitResult}: popt, pcov, perr, status, statistics, bands, report().
 * @remarks `Float64Array` data are read in place, not copied (as SciPy reads numpy arrays):
 *   leave them unchanged until the promise settles. Other arrays are converted into new ones.
 * @throws NlsqTypeError / NlsqRangeError for invalid arguments (the message names the argument),
 *   ModelEvaluationError when the model throws or is not finite at p0, AbortError when `signal`
 *   aborts, BackendUnavailableError for an unusable backend.
 * @example
 * ```ts
 * const x = [0, 1, 2, 3, 4], y = x.map((t) => 2 * Math.exp(-0.5 * t));
 * const r = await curveFit((t, a, k) => a * Math.exp(-k * t), x, y, { p0: [1, 1] });
 * r.popt; // ≈ [2, 0.5]
 * ```
 * @see SciPy `scipy.optimize.curve_fit`.
 */
export async function curveFit(f: ModelFunction | FittableModel, xdata: XData, ydata: ArrayLike<number>, options: CurveFitOptions = {}): Promise<CurveFitResult> {
  const resolved = resolveCurveFitOptions('curveFit', f, xdata, ydata, options);
  const backend = await resolveBackend(resolved.backend, needsFor(resolved, false), { caller: resolved.caller });
  try {
    return await runCurveFit(resolved, backend);
  } finally {
    backend.release?.();
  }
}

/**
 * {@link curveFit} on a synchronous backend, returning the result directly. By default that is
 * the CPU backend; a wasm backend created beforehand (`await createWasmBackend()`) and passed as
 * `backend` runs it as `curveFit` would, expression models compiled to WebAssembly included.
 *
 * @throws BackendUnavailableError when the named backend is asynchronous (only the CPU backend, or a
 *   wasm instance created beforehand, serves it); otherwise as {@link curveFit}.
 */
export function curveFitSync(f: ModelFunction | FittableModel, xdata: XData, ydata: ArrayLike<number>, options: CurveFitOptions = {}): CurveFitResult {
  const resolved = resolveCurveFitOptions('curveFitSync', f, xdata, ydata, options);
  const backend = resolveBackendSync(resolved.backend, needsFor(resolved, true), { caller: resolved.caller });
  const compiled = kernelForBackendSync(resolved, backend.backend);
  let problem: CurveFitProblem | null = null;
  try {
    problem = createCurveFitProblem(compiled.resolved, backend.backend);
    const outcome = solveCurveFitSync(compiled.resolved, problem, { caller: resolved.caller, signal: resolved.signal, onIteration: iterationLogger(resolved) });
    return finish(outcome, resolved, backend, problem);
  } finally {
    problem?.dispose?.();
    compiled.dispose();
  }
}
