/**
 * The refits of a streamed fit (`fit(model, source)` over a re-readable source) for the profile
 * likelihood (`result/profile.ts`): every refit is a fit of the same source with some parameters
 * held, and every evaluation a pass over the source — so the refits run in lockstep, and one
 * pass serves them all.
 *
 * Each refit is the fit's own solver generator (`optim/driver.ts`'s `createSolver`: the fit's
 * method, tolerances, maxNfev and xScale, its bounds, over the free parameters) on a
 * {@link BlockEvaluator} of the held kernel (`held-kernel.ts`) with the fit's loss and Jacobian
 * scheme. A round collects each unfinished refit's next evaluation request (cost, or cost and
 * Jacobian), reads the source once, and folds every chunk into every requesting refit's
 * evaluator — the same block walk (`evaluate/block-evaluator.ts`) the streaming strategy's exact
 * passes use — then answers them all. A grid of K held values therefore costs as many passes as
 * its slowest refit needs evaluations (a dozen or two for a smooth profile), not K times that;
 * each pass evaluates K models per point. The refits run on the CPU backend with the model's
 * JS kernel (the fit's backend was released when the fit returned).
 *
 * What is not done: a bootstrap of a streamed source (resampled data would have to be drawn
 * and held for every resample, B·n values, or regenerated row by row on every pass) — its
 * `bootstrap` says so; nor refits of a one-pass source, which cannot be read again.
 *
 * @module
 */
import type { Backend } from '../backends/backend.ts';
import { createCpuBackend } from '../backends/cpu/cpu-backend.ts';
import { NlsqError, NlsqTypeError, throwIfAborted } from '../errors.ts';
import { BlockEvaluator } from '../evaluate/block-evaluator.ts';
import { createSolver } from '../optim/driver.ts';
import { STATUS_CODE, type Evaluation, type SolverGenerator, type SolverOutcome } from '../optim/evaluation.ts';
import type { JacobianScheme } from '../optim/finite-difference.ts';
import type { ResolvedCurveFit } from '../options/resolve-curve-fit.ts';
import type { RefitReply, RefitRequest, RefitRunner } from '../result/refit-source.ts';
import { ChunkNormalizer, readPass, type PassSource } from '../sources/data-source.ts';
import { heldKernel } from './held-kernel.ts';

/** Rows per block of the refits' walk (the streaming strategy's default block). */
const BLOCK_ROWS = 2048;

/** One refit in flight. */
interface Refit {
  readonly gen: SolverGenerator;
  readonly evaluator: BlockEvaluator;
  readonly theta: Float64Array;
  /** The pending evaluation request, or null once finished. */
  request: { readonly x: Float64Array; readonly jacobian: boolean } | null;
  outcome: SolverOutcome | null;
  failed: boolean;
}

/** The scheme over the free parameters. */
function schemeOver(scheme: JacobianScheme, free: Int32Array): JacobianScheme {
  if (scheme.kind !== '2-point' && scheme.kind !== '3-point') return scheme;
  const pick = (a: Float64Array): Float64Array => Float64Array.from(free, (j) => a[j]!);
  return { kind: scheme.kind, relStep: scheme.relStep === null ? null : pick(scheme.relStep), lb: pick(scheme.lb), ub: pick(scheme.ub) };
}

/**
 * One pass over the source at each point of `thetas` (full parameter rows of p): their χ² =
 * 2·cost with the fit's loss (the profile of a one-parameter model, where nothing is refitted).
 *
 * @param resolved - the fit's resolved call.
 * @param passes - the re-readable source (as the fit read it).
 * @param thetas - count × p points.
 * @param count - number of points.
 * @param caller - public method name.
 * @param signal - cancels the pass between chunks.
 * @returns the count χ² values.
 */
export async function sourceChiSquares(resolved: ResolvedCurveFit, passes: PassSource, thetas: Float64Array, count: number, caller: string, signal?: AbortSignal): Promise<Float64Array> {
  const backend = createCpuBackend();
  const p = resolved.kernel.nParams;
  const evaluators = Array.from({ length: count }, () => new BlockEvaluator({ backend, kernel: resolved.kernel, loss: resolved.settings.loss, scheme: { kind: '2-point', relStep: null, lb: new Float64Array(p).fill(-Infinity), ub: new Float64Array(p).fill(Infinity) }, blockRows: BLOCK_ROWS }));
  try {
    evaluators.forEach((e, k) => e.begin(thetas.subarray(k * p, (k + 1) * p), false));
    await readPass(await passes.open(), new ChunkNormalizer(resolved.kernel.nVariables, caller), (c) => {
      for (const e of evaluators) e.addWindow(c.data, 0, c.n);
    }, signal, caller);
    return Float64Array.from(evaluators, (e) => 2 * e.finish().cost);
  } finally {
    for (const e of evaluators) e.dispose();
  }
}

/**
 * The runner of a streamed fit's refits (see the module header). It serves requests whose fits
 * are all the fit's own data (`RefitRequest.sameData`); it refuses resampled data.
 *
 * @param resolved - the fit's resolved call (its kernel over the solver's parameters).
 * @param passes - the re-readable source, as the fit read it (with `nanPolicy: 'omit'` applied).
 * @returns the runner.
 */
export function sourceRefitRunner(resolved: ResolvedCurveFit, passes: PassSource): RefitRunner {
  return async (caller: string, request: RefitRequest): Promise<RefitReply> => {
    if (request.sameData !== true) {
      throw new NlsqTypeError(`${caller}: a streamed fit refits its own source only (resampled data cannot be streamed)`, 'result');
    }
    const { p0, vary, signal, onProgress } = request;
    const p = resolved.kernel.nParams;
    const nFits = p0.length / p;
    const { solver } = resolved.settings;
    const free = Int32Array.from(Array.from({ length: p }, (_, j) => j).filter((j) => vary === undefined || vary[j]!));
    const f = free.length;
    const pick = (a: Float64Array): Float64Array => Float64Array.from(free, (j) => a[j]!);
    const scheme = schemeOver(resolved.settings.scheme, free);
    const analytic = scheme.kind === 'analytic';
    const backend: Backend = createCpuBackend();
    const refits: Refit[] = [];
    const advance = (r: Refit, reply?: Evaluation): void => {
      try {
        let step = reply === undefined ? r.gen.next() : r.gen.next(reply);
        // Iteration reports go on (no callbacks in a refit).
        while (step.done !== true && step.value.kind === 'iteration') step = r.gen.next(true);
        if (step.done === true) {
          r.outcome = step.value;
          r.request = null;
        } else if (step.value.kind === 'evaluate') r.request = { x: step.value.x, jacobian: step.value.jacobian };
      } catch (error) {
        if (!(error instanceof NlsqError)) throw error;
        r.failed = true;
        r.request = null;
      }
    };
    try {
      for (let i = 0; i < nFits; i++) {
        const theta = Float64Array.from(p0.subarray(i * p, (i + 1) * p));
        const kernel = heldKernel(resolved.kernel, free);
        kernel.setHeld(theta);
        const evaluator = new BlockEvaluator({ backend, kernel, loss: resolved.settings.loss, scheme, blockRows: BLOCK_ROWS });
        const gen = createSolver({ p: f, jacobianIsCheap: analytic }, {
          ...solver, x0: pick(theta), lb: pick(solver.lb), ub: pick(solver.ub), xScale: solver.xScale === 'jac' ? 'jac' : pick(solver.xScale),
          jacobianCostsNfev: solver.jacobianCostsNfev === 0 ? 0 : f,
        });
        const refit: Refit = { gen, evaluator, theta, request: null, outcome: null, failed: false };
        refits.push(refit);
        advance(refit);
      }
      const normalizer = new ChunkNormalizer(resolved.kernel.nVariables, caller);
      for (;;) {
        throwIfAborted(signal, caller);
        const round = refits.filter((r) => r.request !== null);
        if (round.length === 0) break;
        for (const r of round) r.evaluator.begin(r.request!.x, r.request!.jacobian);
        await readPass(await passes.open(), normalizer, (c) => {
          for (const r of round) r.evaluator.addWindow(c.data, 0, c.n);
        }, signal, caller);
        for (const r of round) advance(r, r.evaluator.finish());
        onProgress?.(refits.filter((r) => r.request === null).length, nFits);
      }
    } finally {
      for (const r of refits) {
        if (r.request !== null) r.gen.return(undefined as never);
        r.evaluator.dispose();
      }
    }
    const popt = new Float64Array(nFits * p);
    const cost = new Float64Array(nFits);
    const status = new Int8Array(nFits);
    refits.forEach((r, i) => {
      const x = r.outcome?.x;
      if (x !== undefined) for (let q = 0; q < f; q++) r.theta[free[q]!] = x[q]!;
      popt.set(r.theta, i * p);
      cost[i] = r.outcome === null ? NaN : r.outcome.cost;
      status[i] = r.outcome === null || r.failed ? -1 : STATUS_CODE[r.outcome.status];
    });
    return { popt, cost, status };
  };
}
