/**
 * The refits of a fitted result — the profile likelihood's held-parameter fits and the
 * bootstrap's resampled fits — as batches on `fitBatch`'s engine: {@link provideBatchRefits}
 * gives a `CurveFitResult` fitted on resident data its `RefitSource` (`result/refit-source.ts`),
 * whose runner calls `runBatch` (`run-batch.ts`) with the fit's own model (over its free parameters),
 * bounds, method, tolerances, loss and `absoluteSigma`. A covariance (2-D) sigma couples the rows
 * through L⁻¹, which a pointwise batch cannot walk: its refits are whitened fits solved one after
 * another (`vector-refits.ts`), and {@link provideLeastSquaresRefits} gives a `leastSquares`
 * result the same.
 *
 * @module
 */
import { forwardSubstitute, whitenedJacobian } from '../evaluate/curve-fit-problem.ts';
import { LOSS_NAMES, type LossName } from '../optim/loss.ts';
import type { ResolvedCurveFit } from '../options/resolve-curve-fit.ts';
import type { ResolvedLeastSquares } from '../options/resolve-least-squares.ts';
import { predictValues } from '../result/bands.ts';
import type { CurveFitResult } from '../result/curve-fit-result.ts';
import type { LeastSquaresResult } from '../result/least-squares-result.ts';
import { provideRefits, residentMembers, type RefitReply, type RefitRequest, type RefitSource } from '../result/refit-source.ts';
import type { BatchModel, FitBatchData, FitBatchOptions } from './batch-options.ts';
import { vectorRefitRunner } from './vector-refits.ts';
import { sourceChiSquares, sourceRefitRunner } from './source-refits.ts';
import { sqlChiSquares, sqlRefitRunner, type SqlRefitTarget } from './sql-refits.ts';
import { ChunkNormalizer, readPass, type PassSource } from '../sources/data-source.ts';
import { NlsqRangeError } from '../errors.ts';

/** `runBatch`'s signature (passed in: `run-batch.ts` itself hands results of `get(i)` their refits). */
export type BatchRun = (caller: string, model: BatchModel, data: FitBatchData, options: FitBatchOptions) => Promise<RefitReply>;

/**
 * Give `result` the refits of its fit, when the fit can be refitted: resident data with a named
 * loss — batches on `fitBatch`'s engine for no or a 1-D sigma, whitened fits one after another
 * for a 2-D sigma (a loss function leaves the result without refits, and its
 * `profile`/`bootstrap` say so).
 *
 * @param result - the result of `resolved`'s fit.
 * @param resolved - the resolved fit (its data must be the whole data, not a first chunk).
 * @param runBatch - `batch/run-batch.ts`'s `runBatch`.
 * @returns the same result.
 */
export function provideBatchRefits<R extends CurveFitResult>(result: R, resolved: ResolvedCurveFit, runBatch: BatchRun): R {
  if (!(LOSS_NAMES as readonly string[]).includes(resolved.settings.lossName)) return result;
  const free = resolved.paramLayout === undefined ? result.popt : Array.from(resolved.paramLayout.free, (j) => result.popt[j]!);
  if (resolved.sigma.kind === '2d') return provideCovarianceRefits(result, resolved, resolved.sigma.L, Float64Array.from(free));
  const popt = Float64Array.from(free);
  // Built on the first refit (most results are never refitted); popt is copied now, as the result reads it.
  provideRefits(result, () => residentRefits(resolved, popt, runBatch));
  return result;
}

/** The refit source of a resident fit with a diagonal or no sigma: its points, refitted as batches on `fitBatch`'s engine. */
function residentRefits(resolved: ResolvedCurveFit, popt: Float64Array, runBatch: BatchRun): RefitSource {
  const { settings, data } = resolved;
  const { solver } = settings;
  const common: FitBatchOptions = {
    bounds: [solver.lb, solver.ub], method: solver.method, ftol: solver.ftol, xtol: solver.xtol, gtol: solver.gtol,
    maxNfev: solver.maxNfev, loss: settings.lossName as LossName, fScale: settings.fScale,
    absoluteSigma: resolved.absoluteSigma,
  };
  const run = async (caller: string, request: RefitRequest): Promise<RefitReply> => {
    const { x, y, offsets, p0, vary, signal, onProgress } = request;
    const out = await runBatch(caller, resolved.model, { x, y, offsets }, {
      ...common, p0,
      ...(request.sigma === null ? {} : { sigma: request.sigma }),
      ...(vary === undefined ? {} : { vary }),
      // xScale is over the solver's parameters: with a hold mask, over the ones that still vary.
      xScale: typeof solver.xScale === 'string' || vary === undefined ? solver.xScale : solver.xScale.filter((_, j) => vary[j]),
      ...(signal === undefined ? {} : { signal }),
      ...(onProgress === undefined ? {} : { onProgress: (s: { done: number; total: number }) => onProgress(s.done, s.total) }),
    });
    return { popt: out.popt, cost: out.cost, status: out.status };
  };
  return {
    names: resolved.paramNames, popt, lb: solver.lb, ub: solver.ub, x: data.x, y: data.y, w: data.w, loss: settings.lossName,
    ...residentMembers((theta) => predictValues(resolved.kernel, theta, data.x), data.y, data.w), pairs: null, run,
  };
}

/** The refits of a covariance-sigma fit: y' = L⁻¹y, g(θ) = L⁻¹f(x; θ), w = 1 (see `vector-refits.ts`). */
function provideCovarianceRefits<R extends CurveFitResult>(result: R, resolved: ResolvedCurveFit, L: Float64Array, popt: Float64Array): R {
  const { settings, data, kernel, n, p } = resolved;
  const { solver } = settings;
  const plain = { x: data.x, y: new Float64Array(n), w: null };
  const values = (theta: Float64Array): Float64Array => {
    const g = new Float64Array(n);
    kernel.residuals(theta, plain, 0, n, g, 0, 1);
    forwardSubstitute(L, n, g);
    return g;
  };
  const y = Float64Array.from(data.y);
  forwardSubstitute(L, n, y);
  const analytic = settings.scheme.kind === 'analytic';
  const run = vectorRefitRunner({
    values, jacobian: analytic ? (theta) => whitenedJacobian(kernel, theta, plain, L, n, p) : undefined,
    lb: solver.lb, ub: solver.ub, method: solver.method, ftol: solver.ftol, xtol: solver.xtol, gtol: solver.gtol, maxNfev: solver.maxNfev,
    loss: settings.lossName as LossName, fScale: settings.fScale, xScale: solver.xScale, differences: settings.scheme.kind === '3-point' ? '3-point' : '2-point',
  });
  provideRefits(result, {
    names: resolved.paramNames, popt, lb: solver.lb, ub: solver.ub, x: data.x, y, w: null, loss: settings.lossName, ...residentMembers(values, y, null),
    pairs: 'a covariance (2-D) sigma couples the rows through its Cholesky factor, so rows drawn with replacement would not carry their covariance', run,
  });
  return result;
}

/**
 * Give a `leastSquares` result its refits: y = 0 and g = r (the residual function), solved one
 * refit after another by `leastSquares`' solver (`vector-refits.ts`); pairs resampling is refused
 * (there are no rows).
 *
 * @param result - the result of `resolved`'s solve.
 * @param resolved - the resolved call.
 * @returns the same result.
 */
export function provideLeastSquaresRefits(result: LeastSquaresResult, resolved: ResolvedLeastSquares): LeastSquaresResult {
  const { settings, p } = resolved;
  if (!(LOSS_NAMES as readonly string[]).includes(settings.lossName)) return result;
  const { solver } = settings;
  const m = result.fun.length;
  const values = (theta: Float64Array): Float64Array => Float64Array.from(resolved.fun(Float64Array.from(theta)));
  const jac = resolved.jac;
  const run = vectorRefitRunner({
    values,
    jacobian: jac === undefined ? undefined : (theta) => {
      const J = jac(Float64Array.from(theta));
      if (J instanceof Float64Array) return J;
      const out = new Float64Array(m * p);
      for (let i = 0; i < m; i++) for (let j = 0; j < p; j++) out[i * p + j] = J[i]![j]!;
      return out;
    },
    lb: solver.lb, ub: solver.ub, method: solver.method, ftol: solver.ftol, xtol: solver.xtol, gtol: solver.gtol, maxNfev: solver.maxNfev,
    loss: settings.lossName as LossName, fScale: settings.fScale, xScale: solver.xScale, differences: settings.scheme.kind === '3-point' ? '3-point' : '2-point',
  });
  const zeros = new Float64Array(m);
  provideRefits(result, {
    names: Array.from({ length: p }, (_, j) => `x${j}`), popt: Float64Array.from(result.x), lb: solver.lb, ub: solver.ub, x: [], y: zeros, w: null,
    loss: settings.lossName, ...residentMembers(values, zeros, null), pairs: 'a leastSquares result has a residual function and no data rows to draw', run,
  });
  return result;
}

/**
 * Give the result of a streamed fit (`fit(model, source)`, a re-readable source) its refits:
 * the profile's held-parameter fits run in lockstep, one pass over the source serving every
 * refit's evaluation (`source-refits.ts`). It can be profiled, not bootstrapped (resampled data
 * cannot be streamed: its `bootstrap` says so).
 *
 * @param result - the streamed fit's result.
 * @param resolved - its resolved call (the first chunk's; the kernel, settings and layout are the fit's).
 * @param passes - the source as the fit read it.
 * @returns the same result.
 */
export function provideSourceRefits<R extends CurveFitResult>(result: R, resolved: ResolvedCurveFit, passes: PassSource): R {
  const { settings } = resolved;
  if (!(LOSS_NAMES as readonly string[]).includes(settings.lossName)) return result;
  const { solver } = settings;
  const free = resolved.paramLayout === undefined ? result.popt : Array.from(resolved.paramLayout.free, (j) => result.popt[j]!);
  const empty = new Float64Array(0);
  provideRefits(result, {
    names: resolved.paramNames, popt: Float64Array.from(free), lb: solver.lb, ub: solver.ub, x: [], y: empty, w: null, loss: settings.lossName,
    resident: false,
    values: () => {
      throw new NlsqRangeError(`${resolved.caller}: a streamed fit has no resident data to evaluate the model on`, 'result');
    },
    chiSquares: (caller, thetas, count, signal) => sourceChiSquares(resolved, passes, thetas, count, caller, signal),
    dataSumSquares: async (caller, signal) => {
      // One pass reading y and w.
      let s = 0;
      await readPass(await passes.open(), new ChunkNormalizer(resolved.kernel.nVariables, caller), (c) => {
        const { y, w } = c.data;
        for (let i = 0; i < c.n; i++) s += (y[i]! * (w === null ? 1 : w[i]!)) ** 2;
      }, signal, caller);
      return s;
    },
    pairs: 'a streamed source has no resident rows to draw',
    run: sourceRefitRunner(resolved, passes),
  });
  return result;
}

/**
 * Give the result of an in-database fit (`fitSql` on one table) its refits: the profile's
 * held-parameter fits evaluated by the fit's own SQL statements, the refits of a round solved
 * concurrently (`sql-refits.ts`). It can be profiled, not bootstrapped (the rows stay in the
 * database). The exact-fit check of the profile has no Σ(w·y)² here (it would cost a query of
 * its own): it reduces to χ²_min > 0.
 *
 * @param result - the database fit's result.
 * @param resolved - its resolved call.
 * @param target - the database, the fit's statements and its filter values.
 * @returns the same result.
 */
export function provideSqlRefits<R extends CurveFitResult>(result: R, resolved: ResolvedCurveFit, target: SqlRefitTarget): R {
  const { solver } = resolved.settings;
  const free = resolved.paramLayout === undefined ? result.popt : Array.from(resolved.paramLayout.free, (j) => result.popt[j]!);
  const empty = new Float64Array(0);
  provideRefits(result, {
    names: resolved.paramNames, popt: Float64Array.from(free), lb: solver.lb, ub: solver.ub, x: [], y: empty, w: null, loss: resolved.settings.lossName,
    resident: false,
    values: () => {
      throw new NlsqRangeError(`${resolved.caller}: a database fit has no resident data to evaluate the model on`, 'result');
    },
    chiSquares: (caller, thetas, count) => sqlChiSquares(target, resolved.p, thetas, count, caller),
    dataSumSquares: async () => 0,
    pairs: 'the rows of a database fit stay in the database',
    run: sqlRefitRunner(resolved, target),
  });
  return result;
}
