/**
 * Fitting on a backend that evaluates models on its device (the optional `Backend` member
 * `createModelEvaluator`; today the WebGPU backend): the model runs on the device in f32, then —
 * unless `polish: false` — the last iterations and the covariance run on an f64 backend.
 *
 * The fit path decides by that capability, here and only here ({@link evaluatesOnDevice}): no
 * caller asks which backend family it holds.
 *
 * Phase 1 (device): the expression model's IR goes to `backend.createModelEvaluator` (WebGPU
 * compiles it to WGSL), x, y and the weights are uploaded once, and every evaluation uploads θ and
 * reads back per-workgroup partial sums of the augmented Gram matrix, combined and factored in f64
 * on the host (`backends/model-evaluator.ts`). The solver runs unchanged on that evaluator through
 * the `ResidualProblem` adapter (`evaluate/device-problem.ts`).
 * Phase 2 (polish): the same solver restarts from the device's answer on an f64 backend (wasm,
 * else cpu) over the same resident data, so the reported popt and pcov carry f64 accuracy.
 *
 * The device forms the Gram matrix JᵀJ in f32, whose relative rounding is about ε₃₂ · κ(J)² (κ of
 * the column-equilibrated J): once it exceeds {@link F32_CONDITION_LIMIT} (≈ 1/(3√ε₃₂)) the f32
 * normal equations carry no correct digit and the device path cannot be trusted (NIST's Lanczos problems are such). The condition
 * of every device factor R is watched; past the limit the fit restarts from p0 on the f64 backend
 * (with polish) or returns the f32 answer with an `ill-conditioned-f32` warning (without). The
 * limit is the f32 one whatever the evaluator's `info.precision` (conservative for a wider one);
 * the choices and warnings name the backend and its precision.
 *
 * @module
 */
import type { Backend } from '../backends/backend.ts';
import { assertDeviceModel } from '../backends/assert-device-model.ts';
import { DEVICE_LOSSES, type DeviceLoss, type DeviceModelEvaluator, type ModelEvaluatorRequest } from '../backends/model-evaluator.ts';
import { resolveBackend, type ResolvedBackend } from '../backends/registry.ts';
import { NlsqRangeError } from '../errors.ts';
import { formatExponent } from '../util/format.ts';
import { createCurveFitProblem } from '../evaluate/curve-fit-problem.ts';
import { createDeviceProblem } from '../evaluate/device-problem.ts';
import { kernelForBackend } from './backend-kernel.ts';
import type { BackendLease } from './backend-lease.ts';
import { solve, type SolveControls } from './solve.ts';
import { lowerToProgram } from '../model/lower.ts';
import type { ResidualProblem, SolverOutcome } from '../optim/evaluation.ts';
import { triangleCondition } from '../linalg/gram-triangle.ts';
import type { ResolvedCurveFit } from '../options/resolve-curve-fit.ts';
import type { Choice } from '../result/choice.ts';
import type { FitWarning } from '../options/solver-settings.ts';

/** What a device fit returns to the result builder. */
export interface DeviceFitOutcome {
  /** The final outcome (the polished one when polishing). */
  readonly outcome: SolverOutcome;
  /** Weighted residuals at popt, evaluated in f64. */
  readonly fun: Float64Array;
  /** Where each phase ran, for `choices.precision`. */
  readonly precision: Choice;
  /** Warnings: an unpolished f32 answer (`f32-result`), a Jacobian too ill-conditioned for f32 (`ill-conditioned-f32`). */
  readonly warnings: readonly FitWarning[];
  /** How the device split the data, for `choices.blockSize`. */
  readonly layout: Choice;
}

/** A backend that evaluates models on its device: one whose `createModelEvaluator` is defined. */
export type DeviceBackend = Backend & { createModelEvaluator(request: ModelEvaluatorRequest): Promise<DeviceModelEvaluator> };

/**
 * Whether a fit on `backend` runs on its device ({@link fitOnDevice}) rather than by the host
 * block walk: true exactly when the backend has the optional `createModelEvaluator` member. The
 * one place the fit path tells device backends from host backends (`curveFit`, `fit`'s standard
 * and chunked strategies, and the streaming swap in `plan-fit.ts` ask it).
 *
 * @param backend - any backend.
 * @returns whether it evaluates models on its device.
 */
export function evaluatesOnDevice(backend: Backend): backend is DeviceBackend {
  return typeof backend.createModelEvaluator === 'function';
}

/** Largest κ(R) = κ(J) for which the f32 Gram matrix keeps about one correct digit. */
export const F32_CONDITION_LIMIT = 1e3;

/** Wrap a device problem to record the worst condition of the factors it returns. */
function watchCondition(problem: ResidualProblem): { problem: ResidualProblem; worst: () => number } {
  let worst = 0;
  return {
    worst: () => worst,
    problem: {
      p: problem.p,
      jacobianIsCheap: problem.jacobianIsCheap,
      async evaluate(x, jacobian) {
        const ev = await problem.evaluate(x, jacobian);
        if (ev.T !== null) worst = Math.max(worst, triangleCondition(ev.T, problem.p));
        return ev;
      },
    },
  };
}

/**
 * Fit a resolved curve fit on a device-evaluating backend, polishing on f64 unless told not to.
 *
 * @param resolved - the resolved fit (an expression model; 1-D sigma at most; a built-in loss).
 * @param backend - a backend with `createModelEvaluator` (see {@link evaluatesOnDevice}).
 * @param controls - caller, signal, onIteration.
 * @param polish - run the final iterations and the covariance on an f64 backend (default true).
 * @param lease - acquires the f64 backend, holds its model kernel and problem, frees them when the run ends.
 * @returns the outcome, residuals and the precision decision.
 * @throws NlsqTypeError for a JS closure model; NlsqRangeError for a covariance sigma or a JS loss.
 */
export async function fitOnDevice(resolved: ResolvedCurveFit, backend: DeviceBackend, controls: SolveControls, polish: boolean, lease: BackendLease): Promise<DeviceFitOutcome> {
  const { caller, settings } = resolved;
  const { name } = backend.info;
  assertDeviceModel(resolved.model, caller, name);
  if (resolved.sigma.kind === '2d') {
    throw new NlsqRangeError(`${caller}: the ${name} backend takes a 1-D sigma at most, got a covariance (2-D) sigma; use backend 'cpu' or 'wasm'`, 'sigma');
  }
  if (!(DEVICE_LOSSES as readonly string[]).includes(settings.lossName)) {
    throw new NlsqRangeError(`${caller}: the ${name} backend runs the built-in losses (${DEVICE_LOSSES.join(', ')}), got a loss function; use backend 'cpu' or 'wasm'`, 'loss');
  }
  const device = createDeviceProblem(
    await backend.createModelEvaluator({
      program: lowerToProgram(resolved.model),
      data: { x: resolved.data.x, y: resolved.data.y, w: resolved.data.w },
      loss: settings.lossName as DeviceLoss,
      fScale: settings.fScale,
    }),
  );
  const layout: Choice = {
    given: 'default',
    used: `${device.chunks} device chunk${device.chunks === 1 ? '' : 's'}`,
    reason: `the data stay on ${name}, split to fit its binding limits; each evaluation reads back per-workgroup partial sums`,
  };
  const watched = watchCondition(device);
  let coarse: SolverOutcome;
  try {
    coarse = await solve(watched.problem, settings.solver, controls);
  } finally {
    device.destroy();
  }
  const kappa = watched.worst();
  const illConditioned = !(kappa <= F32_CONDITION_LIMIT);
  const f64 = await lease.backend(() => f64Backend(caller));
  const compiled = lease.hold(await kernelForBackend(resolved, f64.backend));
  const problem = lease.hold(createCurveFitProblem(compiled.resolved, f64.backend));
  const { precision } = backend.info;
  if (!polish) {
    const warnings: FitWarning[] = [{ code: 'f32-result', message: `${caller}: polish is false, so popt and pcov carry ${precision} accuracy from the ${name} device` }];
    if (illConditioned) warnings.push(conditionWarning(caller, kappa, backend));
    return {
      outcome: coarse,
      fun: problem.residualVector(coarse.x),
      precision: { given: 'polish: false', used: precision, reason: `every iteration and the covariance on ${name} in ${precision} (not polished)` },
      warnings,
      layout,
    };
  }
  if (illConditioned) {
    const outcome = await solve(problem, settings.solver, controls);
    return {
      outcome,
      fun: problem.residualVector(outcome.x),
      precision: {
        given: 'default',
        used: 'f64',
        reason: `κ(J) reached ${formatExponent(kappa)} > ${F32_CONDITION_LIMIT} on ${name}, beyond what its ${precision} Gram matrix resolves: fitted from p0 on ${f64.backend.info.name} (f64) instead`,
      },
      warnings: [conditionWarning(caller, kappa, backend)],
      layout,
    };
  }
  const fine = await solve(problem, { ...settings.solver, x0: coarse.x }, controls);
  const outcome: SolverOutcome = { ...fine, nfev: coarse.nfev + fine.nfev, njev: coarse.njev + fine.njev, nit: coarse.nit + fine.nit };
  return {
    outcome,
    fun: problem.residualVector(outcome.x),
    precision: {
      given: 'default',
      used: `${precision} → f64`,
      reason: `${coarse.nit} iterations on ${name} (${precision}, ${coarse.nfev} evaluations), then polished on ${f64.backend.info.name} (f64, ${fine.nit} iterations) for popt and pcov`,
    },
    warnings: [],
    layout,
  };
}

async function f64Backend(caller: string): Promise<ResolvedBackend> {
  return resolveBackend(['wasm', 'cpu'], { closures: false, synchronous: false }, { caller, env: () => undefined });
}

function conditionWarning(caller: string, kappa: number, backend: Backend): FitWarning {
  const { name, precision } = backend.info;
  return { code: 'ill-conditioned-f32', message: `${caller}: the Jacobian's condition number reached ${formatExponent(kappa)} on the ${name} device, beyond the ${F32_CONDITION_LIMIT} its ${precision} Gram matrix resolves; the ${precision} iterations were not trusted` };
}
