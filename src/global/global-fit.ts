/**
 * The `global` option's entry points for `curveFit`, `curveFitSync`, `leastSquares`,
 * `leastSquaresSync` and `fit` (resident arrays) once their options are resolved: build the
 * sampling box from p0 and the bounds, run the multi-start search — as one batch on `fitBatch`'s
 * engine (`batch-starts.ts`) for expression models, one start after another (`multi-start.ts`)
 * otherwise — or CMA-ES then a polish (`cmaes-fit.ts`), and return the winner's own result with
 * `result.global` and the `global` choice attached (`global-report.ts`).
 *
 * @module
 */
import type { ResolvedGlobal } from '../options/global-option.ts';
import type { ResolvedCurveFit } from '../options/resolve-curve-fit.ts';
import type { ResolvedLeastSquares } from '../options/resolve-least-squares.ts';
import type { CurveFitResult } from '../result/curve-fit-result.ts';
import type { LeastSquaresResult } from '../result/least-squares-result.ts';
import type { GlobalEngine } from '../result/global-summary.ts';
import { withCurveFitCost, withCurveFitCostSync, withLeastSquaresCost, withLeastSquaresCostSync } from '../run/cost-function.ts';
import { curveFitResolved, curveFitResolvedSync } from '../run/run-curve-fit.ts';
import { leastSquaresResolved, leastSquaresResolvedSync } from '../run/run-least-squares.ts';
import { runStartsBatch, runStartsBatchSync, startsEngine, withWinner } from './batch-starts.ts';
import { cmaesInBox, cmaesInBoxSync } from './cmaes-fit.ts';
import { attachGlobal, globalChoice, globalSummary } from './global-report.ts';
import { fromStart, runStarts, runStartsSync, startPoints } from './multi-start.ts';
import { startBox, type StartBox } from './start-box.ts';
import type { CmaesResult } from '../optim/cmaes-restarts.ts';
import type { MultiStartOutcome } from './multi-start.ts';
import type { FitChoices } from '../result/choice.ts';

const poptOf = (r: CurveFitResult): readonly number[] => r.popt;
const xOf = (r: LeastSquaresResult): readonly number[] => r.x;

/** The engine of a CMA-ES search: the population point by point, then two local fits. */
const CMAES_ENGINE: GlobalEngine = {
  kind: 'sequential',
  reason: "CMA-ES's populations evaluated point by point with the caller's exact cost, then the caller's fits from p0 and from the CMA-ES best",
};

/** The engine of `leastSquares`' multi-start. */
const RESIDUAL_ENGINE: GlobalEngine = {
  kind: 'sequential',
  reason: 'leastSquares fits a residual function, not a model the batch engine can evaluate: each start is a leastSquares call, one after another',
};

function boxOf(resolved: ResolvedCurveFit | ResolvedLeastSquares): StartBox {
  const { x0, lb, ub } = resolved.settings.solver;
  return startBox(x0, lb, ub);
}

/** Attach the report to the winner and, at verbose ≥ 1, log one line of it (the starts run silently). */
function finish<R extends { readonly choices: FitChoices }>(
  resolved: ResolvedCurveFit | ResolvedLeastSquares, search: ResolvedGlobal, box: StartBox, outcome: MultiStartOutcome<R>, engine: GlobalEngine, cmaes?: CmaesResult,
): R {
  const summary = globalSummary(search, box, outcome, engine, cmaes);
  const choice = globalChoice(search, summary);
  if (resolved.verbose > 0) resolved.log(`${resolved.caller}: global ${choice.used}: ${choice.reason}`);
  return attachGlobal(outcome.best, summary, choice);
}

/**
 * A curve-fit search with the caller's run path: `run` fits one start (the caller's resolved
 * call with only x0 replaced, silent) — `curveFitResolved` for `curveFit`, the planned strategy
 * for `fit()`.
 *
 * @param resolved - the resolved call.
 * @param search - from `resolveGlobal`.
 * @param run - the caller's fit of one start.
 * @returns the winner's result with `global` attached.
 * @throws AbortError when `signal` aborts; the first start's error when every start fails.
 */
export async function searchCurveFit<R extends CurveFitResult>(resolved: ResolvedCurveFit, search: ResolvedGlobal, run: (call: ResolvedCurveFit) => Promise<R>): Promise<R> {
  const box = boxOf(resolved);
  const x0 = resolved.settings.solver.x0;
  const fit = (start: Float64Array): Promise<R> => run(fromStart(resolved, start));
  if (search.method === 'multistart') {
    const starts = startPoints(search, x0, box);
    const engine = startsEngine(resolved);
    if (engine.kind === 'batch') {
      const rows = await runStartsBatch(resolved, starts);
      return finish(resolved, search, box, withWinner(rows, await fit(starts[rows.winner]!)), engine);
    }
    return finish(resolved, search, box, await runStarts(starts, fit, poptOf, resolved.signal, resolved.caller), engine);
  }
  const found = await withCurveFitCost(resolved, (costs) => cmaesInBox(search, box, x0, costs, resolved.signal, resolved.caller));
  return finish(resolved, search, box, await runStarts([x0, found.x], fit, poptOf, resolved.signal, resolved.caller), CMAES_ENGINE, found.result);
}

/**
 * `curveFit` with the `global` option.
 *
 * @param resolved - from `resolveCurveFitOptions('curveFit', …)`.
 * @param search - from `resolveGlobal`.
 * @returns the winner's result with `global` attached.
 * @throws AbortError when `signal` aborts; the first start's error when every start fails.
 */
export function globalCurveFit(resolved: ResolvedCurveFit, search: ResolvedGlobal): Promise<CurveFitResult> {
  return searchCurveFit(resolved, search, curveFitResolved);
}

/** {@link globalCurveFit} for `curveFitSync`. */
export function globalCurveFitSync(resolved: ResolvedCurveFit, search: ResolvedGlobal): CurveFitResult {
  const box = boxOf(resolved);
  const x0 = resolved.settings.solver.x0;
  const fit = (start: Float64Array): CurveFitResult => curveFitResolvedSync(fromStart(resolved, start));
  if (search.method === 'multistart') {
    const starts = startPoints(search, x0, box);
    const engine = startsEngine(resolved);
    if (engine.kind === 'batch') {
      const rows = runStartsBatchSync(resolved, starts);
      return finish(resolved, search, box, withWinner(rows, fit(starts[rows.winner]!)), engine);
    }
    return finish(resolved, search, box, runStartsSync(starts, fit, poptOf, resolved.signal, resolved.caller), engine);
  }
  const found = withCurveFitCostSync(resolved, (costs) => cmaesInBoxSync(search, box, x0, costs, resolved.signal, resolved.caller));
  return finish(resolved, search, box, runStartsSync([x0, found.x], fit, poptOf, resolved.signal, resolved.caller), CMAES_ENGINE, found.result);
}

/**
 * `leastSquares` with the `global` option (no data to infer a box from: unbounded coordinates
 * are searched around x0 at its scale, and `result.global.box` says so).
 *
 * @param resolved - from `resolveLeastSquaresOptions('leastSquares', …)`.
 * @param search - from `resolveGlobal`.
 * @returns the winner's result with `global` attached.
 * @throws as {@link globalCurveFit}.
 */
export async function globalLeastSquares(resolved: ResolvedLeastSquares, search: ResolvedGlobal): Promise<LeastSquaresResult> {
  const box = boxOf(resolved);
  const x0 = resolved.settings.solver.x0;
  const fit = (start: Float64Array): Promise<LeastSquaresResult> => leastSquaresResolved(fromStart(resolved, start));
  if (search.method === 'multistart') {
    return finish(resolved, search, box, await runStarts(startPoints(search, x0, box), fit, xOf, resolved.signal, resolved.caller), RESIDUAL_ENGINE);
  }
  const found = await withLeastSquaresCost(resolved, (costs) => cmaesInBox(search, box, x0, costs, resolved.signal, resolved.caller));
  return finish(resolved, search, box, await runStarts([x0, found.x], fit, xOf, resolved.signal, resolved.caller), CMAES_ENGINE, found.result);
}

/** {@link globalLeastSquares} for `leastSquaresSync`. */
export function globalLeastSquaresSync(resolved: ResolvedLeastSquares, search: ResolvedGlobal): LeastSquaresResult {
  const box = boxOf(resolved);
  const x0 = resolved.settings.solver.x0;
  const fit = (start: Float64Array): LeastSquaresResult => leastSquaresResolvedSync(fromStart(resolved, start));
  if (search.method === 'multistart') {
    return finish(resolved, search, box, runStartsSync(startPoints(search, x0, box), fit, xOf, resolved.signal, resolved.caller), RESIDUAL_ENGINE);
  }
  const found = withLeastSquaresCostSync(resolved, (costs) => cmaesInBoxSync(search, box, x0, costs, resolved.signal, resolved.caller));
  return finish(resolved, search, box, runStartsSync([x0, found.x], fit, xOf, resolved.signal, resolved.caller), CMAES_ENGINE, found.result);
}
