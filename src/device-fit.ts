/**
 * Fitting on the WebGPU backend: the model runs on the device in f32, then — unless
 * `polish: false` — the last iterations and the covariance run on an f64 backend.
 *
 * Phase 1 (device): the expression model's IR is compiled to WGSL, x, y and the weights are
 * uploaded once, and every evaluation uploads θ and reads back per-workgroup partial sums of the
 * augmented Gram matrix, combined and factored in f64 on the host (`backends/webgpu/`). The
 * solver runs unchanged on that `ResidualProblem`.
 * Phase 2 (polish): the same solver restarts from the device's answer on an f64 backend (wasm,
 * else cpu) over the same resident data, so the reported popt and pcov carry f64 accuracy.
 *
 * @module
 */
import { resolveBackend, type ResolvedBackend } from './backends/registry.ts';
import type { WebGPUBackend } from './backends/webgpu/webgpu-backend.ts';
import { assertWebGPUModel } from './backends/webgpu/assert-model.ts';
import type { DeviceLoss } from './backends/webgpu/gram-partials.wgsl.ts';
import { NlsqRangeError } from './errors.ts';
import { createCurveFitProblem, solve, type SolveControls } from './fit-problem.ts';
import { lowerToProgram } from './model/ir.ts';
import type { SolverOutcome } from './optim/evaluation.ts';
import type { ResolvedCurveFit } from './options/resolve-curve-fit.ts';
import type { Choice } from './result/choice.ts';

/** What a device fit returns to the result builder. */
export interface DeviceFitOutcome {
  /** The final outcome (the polished one when polishing). */
  readonly outcome: SolverOutcome;
  /** Weighted residuals at popt, evaluated in f64. */
  readonly fun: Float64Array;
  /** Where each phase ran, for `choices.precision`. */
  readonly precision: Choice;
  /** Warnings (an unpolished f32 answer). */
  readonly warnings: readonly string[];
}

const DEVICE_LOSSES: readonly string[] = ['linear', 'soft_l1', 'huber', 'cauchy', 'arctan'];

/**
 * Fit a resolved curve fit on a WebGPU backend, polishing on f64 unless told not to.
 *
 * @param resolved - the resolved fit (an expression model; 1-D sigma at most; a built-in loss).
 * @param backend - the WebGPU backend.
 * @param controls - caller, signal, onIteration.
 * @param polish - run the final iterations and the covariance on an f64 backend (default true).
 * @returns the outcome, residuals and the precision decision.
 * @throws NlsqTypeError for a JS closure model; NlsqRangeError for a covariance sigma or a JS loss.
 */
export async function fitOnDevice(resolved: ResolvedCurveFit, backend: WebGPUBackend, controls: SolveControls, polish: boolean): Promise<DeviceFitOutcome> {
  const { caller, settings } = resolved;
  assertWebGPUModel(resolved.model, caller);
  if (resolved.sigma.kind === '2d') {
    throw new NlsqRangeError(`${caller}: the WebGPU backend takes a 1-D sigma at most, got a covariance (2-D) sigma; use backend 'cpu' or 'wasm'`, 'sigma');
  }
  if (!DEVICE_LOSSES.includes(settings.lossName)) {
    throw new NlsqRangeError(`${caller}: the WebGPU backend runs the built-in losses (${DEVICE_LOSSES.join(', ')}), got a loss function; use backend 'cpu' or 'wasm'`, 'loss');
  }
  const device = await backend.createDeviceProblem({
    program: lowerToProgram(resolved.model),
    data: { x: resolved.data.x, y: resolved.data.y, w: resolved.data.w },
    loss: settings.lossName as DeviceLoss,
    fScale: settings.fScale,
  });
  let coarse: SolverOutcome;
  try {
    coarse = await solve(device, settings.solver, controls);
  } finally {
    device.destroy();
  }
  const f64 = await f64Backend(caller);
  const problem = createCurveFitProblem(resolved, f64.backend);
  if (!polish) {
    return {
      outcome: coarse,
      fun: problem.residualVector(coarse.x),
      precision: { given: 'polish: false', used: 'f32', reason: `every iteration and the covariance on ${backend.info.name} in f32 (not polished)` },
      warnings: [`${caller}: polish is false, so popt and pcov carry f32 accuracy from the WebGPU device`],
    };
  }
  const fine = await solve(problem, { ...settings.solver, x0: coarse.x }, controls);
  const outcome: SolverOutcome = { ...fine, nfev: coarse.nfev + fine.nfev, njev: coarse.njev + fine.njev, nit: coarse.nit + fine.nit };
  return {
    outcome,
    fun: problem.residualVector(outcome.x),
    precision: {
      given: 'default',
      used: 'f32 → f64',
      reason: `${coarse.nit} iterations on ${backend.info.name} (f32, ${coarse.nfev} evaluations), then polished on ${f64.backend.info.name} (f64, ${fine.nit} iterations) for popt and pcov`,
    },
    warnings: [],
  };
}

async function f64Backend(caller: string): Promise<ResolvedBackend> {
  return resolveBackend(['wasm', 'cpu'], { closures: false, synchronous: false }, { caller, env: () => undefined });
}
