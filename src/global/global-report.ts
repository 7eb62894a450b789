/**
 * The report of a global search: `result.global` (a {@link GlobalSummary}) and the `global` row
 * of `result.choices` (given / used / reason, shown by `report()`), attached to the winner's own
 * result.
 *
 * @module
 */
import type { ResolvedGlobal } from '../options/global-option.ts';
import type { Choice, FitChoices } from '../result/choice.ts';
import type { GlobalCmaesRun, GlobalEngine, GlobalSummary, GlobalTournament } from '../result/global-summary.ts';
import type { CmaesResult } from '../optim/cmaes-restarts.ts';
import { formatNumber } from '../util/format.ts';
import type { MultiStartOutcome } from './multi-start.ts';
import type { StartBox } from './start-box.ts';

/**
 * The summary of a search.
 *
 * @param search - the resolved option.
 * @param box - the sampling box.
 * @param outcome - the multi-start outcome (for CMA-ES: of the polish starts).
 * @param engine - how the local fits ran.
 * @param cmaes - CMA-ES's result, in CMA-ES mode.
 * @param tournament - a streaming tournament's rounds.
 * @returns `result.global`.
 */
export function globalSummary<R>(search: ResolvedGlobal, box: StartBox, outcome: MultiStartOutcome<R>, engine: GlobalEngine, cmaes?: CmaesResult, tournament?: GlobalTournament): GlobalSummary {
  const runs: GlobalCmaesRun[] | undefined = cmaes?.runs.map((r) => Object.freeze({ regime: r.regime, popsize: r.popsize, sigma0: r.sigma0, evaluations: r.evaluations, f: r.f, stop: r.stop }));
  return Object.freeze({
    method: search.method, starts: outcome.starts, sampler: search.sampler, seed: search.seed, box, minima: outcome.minima,
    winner: outcome.winner, failed: outcome.failed, evaluations: outcome.evaluations + (cmaes?.evaluations ?? 0),
    ...(runs === undefined ? {} : { cmaes: Object.freeze(runs) }),
    engine: Object.freeze({ ...engine }),
    ...(tournament === undefined ? {} : { tournament }),
  });
}

/**
 * The `global` row of the choices.
 *
 * @param search - the resolved option.
 * @param summary - the summary.
 * @returns given / used / reason.
 */
export function globalChoice(search: ResolvedGlobal, summary: GlobalSummary): Choice {
  const best = summary.minima[0];
  const found = `${summary.minima.length} distinct minim${summary.minima.length === 1 ? 'um' : 'a'}, best cost ${best === undefined ? '—' : formatNumber(best.cost)}`;
  const failed = summary.failed.length > 0 ? `; ${summary.failed.length} start(s) failed` : '';
  const inferred = summary.box.flatMap((c, i) => (c.how.startsWith('finite bounds') ? [] : [i]));
  const box = inferred.length === 0 ? '' : `; the sampling box was inferred from p0 for parameter${inferred.length === 1 ? '' : 's'} ${inferred.join(', ')} (no finite bounds; see result.global.box)`;
  if (search.method === 'cmaes') {
    const runs = summary.cmaes?.length ?? 0;
    return {
      given: search.given, used: `cmaes (${search.restarts}, seed ${search.seed})`,
      reason: `${runs} CMA-ES run(s) in the sampling box, then local fits from p0 and the CMA-ES best; ${summary.winner === 0 ? 'p0' : 'the CMA-ES best'} won; ${found}; ${summary.evaluations} evaluations${failed}${box}`,
    };
  }
  return {
    given: search.given, used: `multistart (${summary.starts} ${search.sampler} starts, seed ${search.seed})`,
    reason: `start ${summary.winner}${summary.winner === 0 ? ' (p0)' : ''} reached the lowest cost; ${found}; ${summary.evaluations} evaluations${failed}${box}; ${summary.engine.kind}: ${summary.engine.reason}`,
  };
}

/**
 * Attach the search's report to the winner's result: `result.global`, and the `global` row added
 * to the result's own choices object (which `report()` reads).
 *
 * @param result - the winner's result.
 * @param summary - `result.global`.
 * @param choice - the `global` row.
 * @returns the same result.
 */
export function attachGlobal<R extends { readonly choices: FitChoices }>(result: R, summary: GlobalSummary, choice: Choice): R & { readonly global: GlobalSummary } {
  Object.assign(result.choices, { global: choice });
  Object.defineProperty(result, 'global', { value: summary, enumerable: true, configurable: true, writable: false });
  return result as R & { readonly global: GlobalSummary };
}
