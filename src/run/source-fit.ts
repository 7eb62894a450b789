/**
 * `fit(model, source, options)`: the streaming strategy over a data source that is never resident.
 *
 * With `nanPolicy: 'omit'` every chunk loses its rows with a non-finite x or y, as resident data
 * do (`streaming/omit-non-finite.ts`); the result counts them over the last full pass.
 *
 * The first chunk is read once to learn the number of variables and to resolve the options
 * exactly as `curveFit` would (p0 — including a model's `'auto'` estimate from that chunk —
 * bounds, method, loss, Jacobian scheme). Then `streamingFit` runs the warm-up, the exact
 * passes, and one more pass at popt that accumulates the statistics (every pass checked to read
 * the same data). pcov uses the total m.
 *
 * @module
 */
import { DataSourceError } from '../errors.ts';
import type { FittableModel } from '../model/model-kernel.ts';
import type { ModelFunction } from '../model/closure-kernel.ts';
import { resolveCurveFitOptions, type ResolvedCurveFit } from '../options/resolve-curve-fit.ts';
import { buildCurveFitResult } from '../result/curve-fit-result.ts';
import { streamFoldFor } from './parallel-fit.ts';
import { walkChoices } from '../result/choice.ts';
import type { FitStatistics } from '../result/statistics.ts';
import { classifySource, type DataSource, type PassSource, type SourceChunk } from '../sources/data-source.ts';
import type { FitResult } from '../result/fit-result.ts';
import type { StreamingCheckpoint, TournamentCheckpoint } from '../streaming/checkpoint.ts';
import { FIT_KEYS, splitFitOptions, type FitOptions } from './fit-options.ts';
import { withLease } from './backend-lease.ts';
import { hostBackendFor, planFit } from './plan-fit.ts';
import { streamResolved } from './stream-resolved.ts';
import { omitNonFinite } from '../streaming/omit-non-finite.ts';

function isEmptyChunk(chunk: SourceChunk): boolean {
  return chunk !== null && typeof chunk === 'object' && (chunk.y as { length?: unknown } | undefined)?.length === 0;
}

/** Read the first non-empty chunk; return it and a source that still yields every (non-empty) chunk. */
async function peekFirstChunk(source: DataSource): Promise<{ first: SourceChunk; source: DataSource; passes: PassSource }> {
  const passes = await classifySource(source, 'fit');
  const it = await passes.open();
  let step = await it.next();
  while (step.done !== true && isEmptyChunk(step.value)) step = await it.next(); // e.g. a chunk whose every row nanPolicy 'omit' dropped
  if (step.done === true) throw new DataSourceError('fit: source yielded no chunks, or only empty ones: there is no data to fit');
  const first = step.value;
  if (passes.rereadable) {
    await it.return?.();
    return { first, source, passes };
  }
  async function* rest(): AsyncGenerator<SourceChunk> {
    yield first;
    for (;;) {
      const s = await it.next();
      if (s.done === true) return;
      yield s.value;
    }
  }
  return { first, source: rest(), passes };
}

/** One streaming fit of a source: the result and the rows it read (every pass counted). */
export interface SourceRun {
  /** The fit's result. */
  readonly result: FitResult;
  /** Rows read from the source over all its passes (the statistics pass at popt included). */
  readonly pointsSeen: number;
}

/** The checkpoint options one streaming fit of a search takes in place of the caller's. */
export interface SourceRunCheckpoints {
  /** Receives the fit's streaming checkpoints. */
  readonly onCheckpoint?: ((state: StreamingCheckpoint) => void | Promise<void>) | undefined;
  /** A streaming checkpoint this fit resumes from. */
  readonly resumeFrom?: unknown;
}

/**
 * A global search over a source (`global/tournament.ts`, handed down by `fit()`): it reads the
 * source itself for its rounds and calls `run` for each finalist — one streaming fit with the
 * plan, backend and lease of this call, from the start the finalist's resolved call carries.
 */
export type SourceSearch = (
  resolved: ResolvedCurveFit,
  source: DataSource,
  run: (call: ResolvedCurveFit, checkpoints: SourceRunCheckpoints) => Promise<SourceRun>,
) => Promise<FitResult>;

/**
 * Gives a streamed fit's result its refits (`batch/refit-runner.ts`'s `provideSourceRefits`,
 * handed down by `fit()`): called with the result, the resolved call and the source as the fit
 * read it, when that source is re-readable.
 */
export type SourceRefits = (result: FitResult, resolved: ResolvedCurveFit, passes: PassSource) => FitResult;

/**
 * Fit a model to a streaming source (see the module documentation).
 * @internal called by `fit()`.
 */
export async function fitSource(model: ModelFunction | FittableModel, source: DataSource, options: FitOptions, search?: SourceSearch, refits?: SourceRefits): Promise<FitResult> {
  if (options.workflow !== undefined && options.workflow !== 'auto' && options.workflow !== 'streaming') {
    throw new DataSourceError(`fit: a data source is fitted by the 'streaming' workflow, got workflow '${options.workflow}'`);
  }
  const omitting = options.nanPolicy === 'omit' && options.checkFinite !== true ? omitNonFinite(source) : null;
  const peeked = await peekFirstChunk(omitting?.source ?? source);
  const { first } = peeked;
  if (search !== undefined && !peeked.passes.rereadable) {
    throw new DataSourceError('fit: global over a source needs a re-readable source (its starts race on the first chunks, then the finalists read it again), got a one-pass iterator');
  }
  const curveOptions = { ...splitFitOptions(options, 0), ...(first.sigma ? { sigma: first.sigma } : {}) };
  const resolved = resolveCurveFitOptions('fit', model, first.x, first.y, curveOptions, FIT_KEYS);
  if (resolved.sigma.kind === '2d') throw new DataSourceError('fit: a streaming source cannot carry a covariance (2-D) sigma');
  return withLease(async (lease) => {
    const planned = await planFit(resolved, options, 'streaming', lease, { rereadable: peeked.passes.rereadable });
    const { plan } = planned;
    const backend = await hostBackendFor(planned.backend, lease);
    const run = async (call: ResolvedCurveFit, checkpoints: SourceRunCheckpoints): Promise<SourceRun> => {
      const own = checkpoints.onCheckpoint;
      // A streaming fit emits streaming checkpoints only (the tournament wraps them itself).
      const onCheckpoint = own === undefined ? undefined : (state: StreamingCheckpoint | TournamentCheckpoint): void | Promise<void> => own(state as StreamingCheckpoint);
      const { fold, choice: workers } = await streamFoldFor(call, backend.backend, null, peeked.passes.rereadable, lease);
      const streamed = await streamResolved(call, peeked.source, backend.backend, { ...options, onCheckpoint, resumeFrom: checkpoints.resumeFrom }, lease, true, fold);
      const statistics = streamed.statistics ?? unavailableStatistics(streamed.m, call.p);
      const whole: ResolvedCurveFit = { ...call, n: streamed.m, omitted: omitting?.omitted() ?? 0 };
      const result = buildCurveFitResult(streamed.outcome, whole, {
        backend,
        fun: null,
        ...walkChoices({ kind: 'source', workflow: options.workflow, chunkSize: options.chunkSize, points: streamed.m, passes: streamed.passes, approximate: streamed.approximate }),
        statistics,
        ...(workers === undefined ? {} : { workers }),
      });
      for (const message of streamed.warnings) result.warnings.push({ code: 'streaming', message });
      return { result: Object.assign(result, { plan }) as FitResult, pointsSeen: streamed.pointsSeen + (streamed.statistics === null ? 0 : streamed.m) };
    };
    const result = search !== undefined ? await search(resolved, peeked.source, run) : (await run(resolved, { onCheckpoint: options.onCheckpoint, resumeFrom: options.resumeFrom })).result;
    return refits !== undefined && peeked.passes.rereadable ? refits(result, resolved, peeked.passes) : result;
  });
}

/** A one-pass source cannot be read again at popt: its statistics are NaN (and a warning says so). */
function unavailableStatistics(n: number, p: number): FitStatistics {
  return { n, p, dof: n - p, chiSquare: NaN, reducedChiSquare: NaN, rss: NaN, rSquared: NaN, adjRSquared: NaN, rmse: NaN, mae: NaN, aic: NaN, bic: NaN };
}
