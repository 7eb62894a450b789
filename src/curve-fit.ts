/**
 * `curveFit` and `curveFitSync`: SciPy's `scipy.optimize.curve_fit` for TypeScript.
 *
 * Fit f(x; θ) to (xdata, ydata) by minimizing ½Σρ(r_i²) with r_i = (f(x_i; θ) − y_i)/σ_i
 * (or r = L⁻¹(f − y) for a covariance sigma), by TRF, dogbox or Levenberg–Marquardt, and return
 * popt, pcov exactly as SciPy computes them, plus diagnostics and statistics.
 *
 * Each resolves its arguments once (`options/resolve-curve-fit.ts`) and hands the resolved fit to
 * the run path (`run/run-curve-fit.ts`), which the workflow's `fit()` shares.
 *
 * @module
 */
import type { FittableModel } from './model/model-kernel.ts';
import type { ModelFunction } from './model/closure-kernel.ts';
import { prepareCurveFitModel, resolveCurveFitOptions } from './options/resolve-curve-fit.ts';
import type { CurveFitOptions } from './options/types.ts';
import type { CurveFitResult } from './result/curve-fit-result.ts';
import { curveFitResolved, curveFitResolvedSync } from './run/run-curve-fit.ts';
import { globalCurveFit, globalCurveFitSync } from './global/global-fit.ts';
import { resolveGlobal } from './options/global-option.ts';
import { provideBatchRefits } from './batch/refit-runner.ts';
import { runBatch } from './batch/run-batch.ts';
import { fastCurveFit, fastCurveFitSync } from './batch/fast-fit.ts';

/** xdata: n numbers (one variable) or k arrays of n numbers. */
export type XData = ArrayLike<number> | ArrayLike<ArrayLike<number>>;

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
 *   A plain function whose source is pure arithmetic on x and its parameters (`Math` functions,
 *   `const` bindings; free identifiers given as `constants`) is lifted to an expression model —
 *   exact Jacobian, compiled kernels on every backend — after a check that both agree at a few
 *   points; `lift: false` turns that off, and `choices.model` says what happened and why.
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
  await prepareCurveFitModel(f, options);
  const resolved = resolveCurveFitOptions('curveFit', f, xdata, ydata, options);
  const search = resolveGlobal(options.global, 'curveFit');
  const result = search === null ? ((await fastCurveFit(resolved)) ?? (await curveFitResolved(resolved))) : await globalCurveFit(resolved, search);
  return provideBatchRefits(result, resolved, runBatch);
}

/**
 * {@link curveFit} on a synchronous backend, returning the result directly. By default that is
 * the fastest backend it can have synchronously: WebAssembly (SIMD where supported) once an
 * earlier asynchronous call in this process — `curveFit`, `fit`, `createWasmBackend` — has loaded
 * the wasm modules (`import()` is asynchronous) and where this thread may instantiate them
 * synchronously (Node, Deno, Bun, workers; not a browser's main thread); else the CPU backend,
 * and `choices.backend` says why. A wasm backend created beforehand (`await createWasmBackend()`)
 * and passed as `backend` always runs it as `curveFit` would, expression models compiled to
 * WebAssembly included.
 *
 * A plain function is lifted to an expression model (see {@link curveFit}) only when the
 * JavaScript parser is already loaded — by an earlier `curveFit` or `fit` of a plain function —
 * since loading it is asynchronous; otherwise it runs per point and `choices.model` says so.
 *
 * @throws BackendUnavailableError when the named backend cannot be had synchronously (WebGPU; wasm
 *   before an asynchronous call has loaded it); otherwise as {@link curveFit}.
 */
export function curveFitSync(f: ModelFunction | FittableModel, xdata: XData, ydata: ArrayLike<number>, options: CurveFitOptions = {}): CurveFitResult {
  const resolved = resolveCurveFitOptions('curveFitSync', f, xdata, ydata, options);
  const search = resolveGlobal(options.global, 'curveFitSync');
  const result = search === null ? (fastCurveFitSync(resolved) ?? curveFitResolvedSync(resolved)) : globalCurveFitSync(resolved, search);
  return provideBatchRefits(result, resolved, runBatch);
}
