/**
 * The streaming tournament: `fit(model, source, { global })`. A streaming source is too big to
 * fit from every start (each streaming fit reads it many times), so the starts race on the
 * source's first chunks and only the finalists read the whole source (NLSQ's tournament
 * selection for streaming; here with the batch engine, checkpoints and a fixed rule):
 *
 * 1. The starts are drawn as for any multi-start search (p0 first, the design in the sampling box).
 * 2. One pass over the source is opened and its chunks are kept in memory as a growing prefix.
 *    Round r runs once the prefix holds 2^r chunks (round 0: the first chunk): every survivor is
 *    fitted on the prefix — from where its previous round left it — as one batch on `fitBatch`'s
 *    engine (expression models; a plain function that cannot be lifted is fitted start by start).
 * 3. After each round the survivors are ranked by their cost on the prefix; a survivor that reached
 *    the same minimum as a better one (`distinct-minima.ts`'s rule) is dropped, and of the rest the
 *    best ⌈k/2⌉ survive, never fewer than {@link TOURNAMENT_FINALISTS}. The rounds stop when at most
 *    {@link TOURNAMENT_FINALISTS} survive; the prefix pass is then closed.
 * 4. If the source ends first, the last round saw every row: its ranking is exact and only its
 *    best start goes on.
 * 5. Each finalist runs the full streaming fit (warm-up, exact passes, statistics) from its point;
 *    the lowest full-data cost wins, and the result is that streaming fit's own.
 *
 * Memory: the prefix holds at most the chunks read before the rounds stop — with S starts and two
 * finalists, 2^⌈log₂(S/2)⌉ chunks (16 chunks for 32 starts). Rows read: the prefix once, then the
 * finalists' passes; a full multi-start would stream every start's passes.
 *
 * **Checkpoints.** With `onCheckpoint`, the tournament emits `{ format: 'nlsq-tournament-checkpoint',
 * … }` once the rounds are over (the finalists and their points) and, while a finalist streams,
 * each of its streaming checkpoints wrapped with the finalists finished so far. `resumeFrom` with
 * such a checkpoint skips the rounds, skips the finished finalists (their final point and cost are
 * in it; the winner's streaming fit is re-run from its final point when it is one of them, which
 * converges in a pass or two) and resumes the current finalist from its streaming checkpoint.
 *
 * CMA-ES over a streaming source is refused (its populations would each need a pass).
 *
 * @module
 */
import { DataSourceError, NlsqRangeError, NlsqTypeError, describeValue } from '../errors.ts';
import type { DataColumns } from '../model/model-kernel.ts';
import type { ResolvedGlobal } from '../options/global-option.ts';
import type { ResolvedCurveFit } from '../options/resolve-curve-fit.ts';
import type { FitResult } from '../result/fit-result.ts';
import type { GlobalEngine, GlobalTournament } from '../result/global-summary.ts';

export { TOURNAMENT_CHECKPOINT_FORMAT, type TournamentCheckpoint } from '../streaming/checkpoint.ts';
import type { FitOptions } from '../run/fit-options.ts';
import { curveFitResolved } from '../run/run-curve-fit.ts';
import type { SourceRun, SourceRunCheckpoints } from '../run/source-fit.ts';
import { ChunkNormalizer, classifySource, readPass, type DataSource, type NormalizedChunk } from '../sources/data-source.ts';
import { TOURNAMENT_CHECKPOINT_FORMAT, type StreamingCheckpoint, type TournamentCheckpoint } from '../streaming/checkpoint.ts';
import { fitStartsBatch, startsEngine } from './batch-starts.ts';
import { distinctMinima, sameMinimum, type LocalFit } from './distinct-minima.ts';
import { attachGlobal, globalChoice, globalSummary } from './global-report.ts';
import { fromStart, startPoints } from './multi-start.ts';
import { startBox } from './start-box.ts';

/** How many starts stream the whole source (the rounds stop at or below this many survivors). */
export const TOURNAMENT_FINALISTS = 2;

interface Entrant {
  readonly start: number;
  readonly x: Float64Array;
  readonly cost: number;
}

/** The outcome of the rounds (or of a checkpoint that skips them). */
interface Rounds {
  readonly finalists: readonly { readonly start: number; readonly x: number[] }[];
  readonly rounds: GlobalTournament['rounds'];
  readonly prefixRows: number;
  readonly wholeSourceInPrefix: boolean;
  readonly failed: { start: number; message: string }[];
  readonly evaluations: number;
}

const ENGINE: GlobalEngine = {
  kind: 'tournament',
  reason: `a streaming source: the starts raced on its first chunks (2^r chunks in round r, the better half kept, duplicates dropped) until ${TOURNAMENT_FINALISTS} remained; only they streamed the whole source`,
};

/** Concatenate the prefix's chunks into resident columns. */
function concat(chunks: readonly DataColumns[], k: number): DataColumns {
  const n = chunks.reduce((s, c) => s + c.y.length, 0);
  const x = Array.from({ length: k }, () => new Float64Array(n));
  const y = new Float64Array(n);
  const weighted = chunks.some((c) => c.w !== null);
  const w = weighted ? new Float64Array(n).fill(1) : null;
  let at = 0;
  for (const c of chunks) {
    for (let v = 0; v < k; v++) x[v]!.set(c.x[v]!, at);
    y.set(c.y, at);
    if (w !== null && c.w !== null) w.set(c.w, at);
    at += c.y.length;
  }
  return { x, y, w };
}

/** The free parameters of a curveFit result (its popt expanded over a `params` layout). */
function freeOf(resolved: ResolvedCurveFit, popt: readonly number[]): Float64Array {
  const layout = resolved.paramLayout;
  return layout === undefined ? Float64Array.from(popt) : Float64Array.from(layout.free, (i) => popt[i]!);
}

/** Fit every entrant on the prefix from its point: one batch, or one curveFit call each. */
async function playRound(resolved: ResolvedCurveFit, prefix: DataColumns, entrants: readonly Entrant[], failed: { start: number; message: string }[]): Promise<{ entrants: Entrant[]; evaluations: number }> {
  const call: ResolvedCurveFit = { ...resolved, data: prefix, n: prefix.y.length };
  let evaluations = 0;
  if (startsEngine(resolved).kind === 'batch') {
    const out = await fitStartsBatch(call, entrants.map((e) => e.x));
    const next = entrants.map((e, i): Entrant => {
      evaluations += out.nfev[i]!;
      if (out.status[i] === -1) {
        failed.push({ start: e.start, message: out.messages.get(i) ?? 'could not start' });
        return { ...e, cost: Infinity };
      }
      return { start: e.start, x: out.popt.slice(i * out.P, (i + 1) * out.P), cost: out.cost[i]! };
    });
    return { entrants: next, evaluations };
  }
  const next: Entrant[] = [];
  for (const e of entrants) {
    try {
      const r = await curveFitResolved(fromStart(call, e.x));
      evaluations += r.nfev;
      next.push({ start: e.start, x: freeOf(resolved, r.popt), cost: r.cost });
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_ABORTED') throw error;
      failed.push({ start: e.start, message: (error as Error).message });
      next.push({ ...e, cost: Infinity });
    }
  }
  return { entrants: next, evaluations };
}

/** The survivors of a round: ranked by cost, duplicates of a better survivor dropped, the better half kept. */
export function survivors<E extends { readonly start: number; readonly cost: number; readonly x: ArrayLike<number> }>(ranked: readonly E[], finalists: number): E[] {
  const order = ranked.filter((e) => Number.isFinite(e.cost)).sort((a, b) => a.cost - b.cost || a.start - b.start);
  const distinct: E[] = [];
  for (const e of order) if (!distinct.some((d) => sameMinimum({ cost: d.cost, x: Array.from(d.x) }, { cost: e.cost, x: Array.from(e.x) }))) distinct.push(e);
  return distinct.slice(0, Math.max(finalists, Math.ceil(order.length / 2)));
}

/** Play the rounds over one pass of the source. */
async function playRounds(resolved: ResolvedCurveFit, source: DataSource, starts: readonly Float64Array[]): Promise<Rounds> {
  const passes = await classifySource(source, 'fit');
  const iterator = await passes.open();
  const normalizer = new ChunkNormalizer(resolved.k, 'fit');
  const chunks: DataColumns[] = [];
  const rounds: { rows: number; survivors: number }[] = [];
  const failed: { start: number; message: string }[] = [];
  let entrants: Entrant[] = starts.map((x, start) => ({ start, x, cost: NaN }));
  let rows = 0;
  let evaluations = 0;
  let finished = false;
  const play = async (): Promise<void> => {
    const prefix = concat(chunks, resolved.k);
    rounds.push({ rows, survivors: entrants.length });
    const played = await playRound(resolved, prefix, entrants, failed);
    evaluations += played.evaluations;
    entrants = survivors(played.entrants, TOURNAMENT_FINALISTS);
  };
  const visit = async (chunk: NormalizedChunk): Promise<boolean> => {
    const { x, y, w } = chunk.data;
    chunks.push({ x: x.map((c) => Float64Array.from(c)), y: Float64Array.from(y), w: w === null ? null : Float64Array.from(w) });
    rows += chunk.n;
    if (chunks.length < 2 ** rounds.length) return true;
    await play();
    if (entrants.length === 0) throw new DataSourceError('fit: global: every start failed on the first chunks of the source (the model is not finite there)');
    if (entrants.length <= TOURNAMENT_FINALISTS) {
      finished = true;
      return false;
    }
    return true;
  };
  await readPass(iterator, normalizer, visit, resolved.signal, 'fit');
  let whole = false;
  if (!finished) {
    // The source ended inside the prefix: one last round on every row, exact, and only its best goes on.
    whole = true;
    if (rounds.length === 0 || rounds[rounds.length - 1]!.rows < rows) await play();
    if (entrants.length === 0) throw new DataSourceError('fit: global: every start failed on the source (the model is not finite there)');
    entrants = entrants.slice(0, 1);
  }
  return { finalists: entrants.map((e) => ({ start: e.start, x: Array.from(e.x) })), rounds, prefixRows: rows, wholeSourceInPrefix: whole, failed, evaluations };
}

function readCheckpoint(state: unknown, p: number): TournamentCheckpoint {
  const s = state as TournamentCheckpoint;
  if (state === null || typeof state !== 'object' || s.format !== TOURNAMENT_CHECKPOINT_FORMAT) {
    throw new NlsqTypeError(`fit: with global over a source, resumeFrom must be a checkpoint its onCheckpoint received (format '${TOURNAMENT_CHECKPOINT_FORMAT}'), got ${describeValue(state)}`, 'resumeFrom');
  }
  const point = (x: unknown): boolean => Array.isArray(x) && x.length === p && x.every((v) => typeof v === 'number' && Number.isFinite(v));
  if (s.version !== 1 || !Array.isArray(s.finalists) || !Array.isArray(s.done) || !s.finalists.every((f) => point(f.x)) || !s.done.every((d) => point(d.x) && typeof d.cost === 'number')) {
    throw new NlsqRangeError(`fit: resumeFrom is not a valid tournament checkpoint (version 1, finalists and done with ${p} finite numbers each), got ${describeValue(state)}`, 'resumeFrom');
  }
  return s;
}

/**
 * `fit(model, source, { global })`: the tournament (see the module documentation).
 *
 * @param resolved - the call resolved on the source's first chunk.
 * @param search - the resolved `global` option (multi-start).
 * @param source - the source (re-readable).
 * @param run - one streaming fit of the whole source from a resolved call's start.
 * @param options - the caller's `fit` options (`onCheckpoint`, `resumeFrom`).
 * @returns the winning finalist's result with `global` attached.
 * @throws NlsqRangeError for `global: 'cmaes'`; DataSourceError when every start fails; the
 *   errors of the streaming fits; AbortError when `signal` aborts.
 */
export async function tournament(
  resolved: ResolvedCurveFit,
  search: ResolvedGlobal,
  source: DataSource,
  run: (call: ResolvedCurveFit, checkpoints: SourceRunCheckpoints) => Promise<SourceRun>,
  options: FitOptions,
): Promise<FitResult> {
  if (search.method === 'cmaes') {
    throw new NlsqRangeError("fit: global 'cmaes' over a streaming source is not supported (each population would need a pass over the source); use multi-start — global: true or a sampler name — whose starts race in a tournament on the first chunks", 'global');
  }
  const { x0, lb, ub } = resolved.settings.solver;
  const box = startBox(x0, lb, ub);
  const starts = startPoints(search, x0, box);
  const resume = options.resumeFrom === undefined || options.resumeFrom === null ? null : readCheckpoint(options.resumeFrom, x0.length);
  const rounds: Rounds =
    resume === null
      ? await playRounds(resolved, source, starts)
      : { finalists: resume.finalists, rounds: resume.rounds, prefixRows: resume.prefixRows, wholeSourceInPrefix: resume.wholeSourceInPrefix, failed: [...resume.failed], evaluations: resume.roundEvaluations };
  const done = [...(resume?.done ?? [])];
  const results = new Map<number, SourceRun>();
  const emit = async (current: StreamingCheckpoint | null): Promise<void> => {
    if (options.onCheckpoint === undefined) return;
    const state: TournamentCheckpoint = {
      format: TOURNAMENT_CHECKPOINT_FORMAT, version: 1, starts: starts.length, rounds: rounds.rounds, prefixRows: rounds.prefixRows,
      wholeSourceInPrefix: rounds.wholeSourceInPrefix, finalists: rounds.finalists, done: [...done], current, failed: rounds.failed, roundEvaluations: rounds.evaluations,
    };
    await (options.onCheckpoint as (s: unknown) => void | Promise<void>)(state);
  };
  if (resume === null) await emit(null);
  let pending: StreamingCheckpoint | undefined = resume?.current ?? undefined; // the first unfinished finalist resumes from it
  for (const finalist of rounds.finalists) {
    if (done.some((d) => d.start === finalist.start)) continue;
    const onCheckpoint = options.onCheckpoint === undefined ? undefined : (state: StreamingCheckpoint): Promise<void> => emit(state);
    const resumeFrom = pending;
    pending = undefined;
    const r = await run(fromStart(resolved, Float64Array.from(finalist.x)), { onCheckpoint, resumeFrom });
    results.set(finalist.start, r);
    done.push({ start: finalist.start, x: Array.from(freeOf(resolved, r.result.popt)), cost: r.result.cost, nfev: r.result.nfev, rows: r.pointsSeen });
  }
  const fits: LocalFit[] = done.map((d) => ({ start: d.start, cost: d.cost, x: d.x }));
  const lowest = Math.min(...done.map((d) => d.cost));
  const best = done.find((d) => d.cost <= lowest + 1e-6 * Math.abs(lowest)) ?? done[0]!;
  let winner = results.get(best.start);
  if (winner === undefined) {
    // Finished before the resume: its streaming fit is run again from its final point.
    winner = await run(fromStart(resolved, Float64Array.from(best.x)), {});
    done.push({ start: best.start, x: best.x, cost: winner.result.cost, nfev: winner.result.nfev, rows: winner.pointsSeen });
  }
  const rowsRead = rounds.prefixRows + done.reduce((s, d) => s + d.rows, 0);
  const evaluations = rounds.evaluations + done.reduce((s, d) => s + d.nfev, 0);
  const info: GlobalTournament = Object.freeze({
    rounds: Object.freeze(rounds.rounds.map((r) => Object.freeze({ ...r }))),
    finalists: Object.freeze(rounds.finalists.map((f) => f.start)),
    rowsRead,
    wholeSourceInPrefix: rounds.wholeSourceInPrefix,
  });
  const outcome = { best: winner.result, winner: best.start, minima: distinctMinima(fits), failed: [...rounds.failed], evaluations, starts: starts.length };
  const summary = globalSummary(search, box, outcome, ENGINE, undefined, info);
  const choice = globalChoice(search, summary);
  if (resolved.verbose > 0) resolved.log(`fit: global ${choice.used}: ${choice.reason}`);
  return attachGlobal(winner.result, summary, choice);
}
