/**
 * `fitGlobal`: fit several datasets at once with parameters shared between them ("global
 * fitting", lmfit issue #217; Origin's global fit). One problem: the residual vector stacks the
 * datasets' residuals and the parameters are the shared ones plus each dataset's own.
 *
 * The problem is one expression model over an indicator column per dataset
 * (`model/global-model.ts`): its Jacobian is exact (symbolic) and block-structured, every backend
 * compiles it, and the workflow's strategies (`workflow: 'standard'`, `'chunked'`, `'auto'`) walk
 * it like any model. Its kernel carries the block structure (`model/kernel-blocks.ts`): each
 * dataset's rows are evaluated by its own term alone and folded into its own columns (its own
 * parameters and the shared ones), so the own-parameter blocks never mix and a fit of k datasets
 * costs about one fit of their concatenation, not k.
 *
 * A dataset may be a streaming source (`{ model, source }`, re-readable): the datasets are then
 * served as one source of stacked chunks (`sources/stacked-source.ts`) and fitted by the
 * streaming strategy; a source dataset's statistics come from one more pass over it, and it has
 * no `yhat` (its points are not resident).
 *
 * @module
 */

import { DataSourceError, describeValue, NlsqRangeError, NlsqTypeError } from './errors.ts';
import { fit, type FitOptions, type FitResult } from './fit.ts';
import { classifySource, ChunkNormalizer, type DataSource, type PassSource, type SourceChunk } from './sources/data-source.ts';
import { stackedSource, type StackedPart } from './sources/stacked-source.ts';
import { StatisticsAccumulator } from './streaming/streaming-statistics.ts';
import type { XData } from './curve-fit.ts';
import { buildGlobalModel, globalParams, stackData, type GlobalDataPart, type GlobalModel, type ParamSharing } from './model/global-model.ts';
import type { Model } from './model/model.ts';
import { params, type ParameterSet, type ParamInput } from './model/params.ts';
import type { NamedParam } from './result/named-params.ts';
import { computeStatistics, type FitStatistics } from './result/statistics.ts';

/** One dataset of {@link fitGlobal} held in arrays. */
export interface GlobalArrayDataset {
  /** Its expression model (`model('…')`, `models.*`, or a composite). */
  readonly model: Model;
  /** Its points: n numbers, or one array of n numbers per variable of the model. */
  readonly x: XData;
  /** Its n observations. */
  readonly y: ArrayLike<number>;
  /** Per-point standard deviations (n numbers); datasets without one get σ = 1. */
  readonly sigma?: ArrayLike<number>;
  /** Which parameters this dataset shares with the others and which are its own (default: all shared). */
  readonly params?: Readonly<Record<string, ParamSharing>>;
}

/**
 * One dataset of {@link fitGlobal} read from a streaming source (chunks `{ x, y, sigma? }`, as
 * `fit(model, source)` reads). It must be re-readable (an iterable, or a function returning a
 * fresh one): a global fit makes several passes.
 */
export interface GlobalSourceDataset {
  /** Its expression model. */
  readonly model: Model;
  /** Its data. */
  readonly source: DataSource;
  /** Which parameters this dataset shares with the others and which are its own (default: all shared). */
  readonly params?: Readonly<Record<string, ParamSharing>>;
}

/** One dataset of {@link fitGlobal}: arrays, or a streaming source. */
export type GlobalDataset = GlobalArrayDataset | GlobalSourceDataset;

/** Options of {@link fitGlobal}: those of `fit()` except p0/bounds/sigma, which `params` and the datasets give. */
export interface GlobalFitOptions extends Omit<FitOptions, 'p0' | 'bounds' | 'sigma' | 'params'> {
  /**
   * Starting values, bounds, fixed parameters and ties over the datasets' parameter names (an own
   * parameter's entry applies to each dataset's copy). Default: each dataset's `model.guess`, the
   * shared parameters at the mean of the datasets' guesses, bounded by the models' default bounds
   * (as with `curveFit`'s `params`, given parameters carry their own bounds and the models'
   * default bounds do not apply).
   */
  readonly params?: ParameterSet | Readonly<Record<string, ParamInput>>;
}

/** What a global fit says about one dataset. */
export interface GlobalDatasetFit extends FitStatistics {
  /** Its position in the datasets. */
  readonly index: number;
  /** Its parameters by its model's names (the joint result's entries: shared ones are the same object in each dataset). */
  readonly params: Readonly<Record<string, NamedParam>>;
  /** Its model at the fitted parameters, at its own points (absent for a streaming source: its points are not resident). */
  readonly yhat?: Float64Array;
}

/** The result of {@link fitGlobal}. */
export interface GlobalFitResult {
  /** The joint fit: every global parameter (own copies named `name_i`), joint covariance and statistics. */
  readonly result: FitResult;
  /** Per dataset: its parameters and statistics (p counts the free parameters its model uses, shared ones included). */
  readonly datasets: readonly GlobalDatasetFit[];
}

const CALLER = 'fitGlobal';

function toColumns(x: XData, k: number, n: number, i: number): Float64Array[] {
  if (x === null || typeof x !== 'object' || typeof (x as { length?: unknown }).length !== 'number') {
    throw new NlsqTypeError(`${CALLER}: datasets[${i}].x must be an array of numbers or one array per variable, got ${describeValue(x)} (a streaming data source is not supported by fitGlobal; read it into arrays)`, 'datasets');
  }
  const nested = x.length > 0 && typeof (x as ArrayLike<unknown>)[0] === 'object';
  const cols = nested ? Array.from(x as ArrayLike<ArrayLike<number>>, (c) => Float64Array.from(c)) : [Float64Array.from(x as ArrayLike<number>)];
  if (cols.length !== k) throw new NlsqRangeError(`${CALLER}: datasets[${i}].x must have ${k} column${k === 1 ? '' : 's'} (one per variable of its model), got ${cols.length}`, 'datasets', 'ERR_SHAPE');
  const bad = cols.find((c) => c.length !== n);
  if (bad !== undefined) throw new NlsqRangeError(`${CALLER}: datasets[${i}].x must have length ${n} (one per y value), got ${bad.length}`, 'datasets', 'ERR_SHAPE');
  return cols;
}

function isSourceDataset(d: GlobalDataset): d is GlobalSourceDataset {
  return d !== null && typeof d === 'object' && 'source' in d;
}

function readDataset(d: GlobalArrayDataset, i: number): GlobalDataPart {
  if (d === null || typeof d !== 'object') throw new NlsqTypeError(`${CALLER}: datasets[${i}] must be an object { model, x, y, sigma?, params? } or { model, source, params? }, got ${describeValue(d)}`, 'datasets');
  const y = Float64Array.from(d.y ?? []);
  if (y.length === 0) throw new NlsqRangeError(`${CALLER}: datasets[${i}].y must be a non-empty array of numbers, got ${describeValue(d.y)}`, 'datasets', 'ERR_SHAPE');
  const x = toColumns(d.x, d.model.variables.length, y.length, i);
  if (d.sigma === undefined) return { x, y };
  const sigma = Float64Array.from(d.sigma);
  if (sigma.length !== y.length) {
    throw new NlsqRangeError(`${CALLER}: datasets[${i}].sigma must have length ${y.length} (one per y value), got ${sigma.length}`, 'datasets', 'ERR_SHAPE');
  }
  return { x, y, sigma };
}

/** Default parameters: each dataset's guess, shared ones averaged. */
function guessedParams(datasets: readonly GlobalArrayDataset[], data: readonly GlobalDataPart[], names: readonly Readonly<Record<string, string>>[]): ParameterSet {
  const sums = new Map<string, { sum: number; count: number; min: number; max: number }>();
  const blind = datasets.findIndex((d) => d.model.components.some((c) => c.estimateP0 === undefined));
  if (blind >= 0) {
    throw new NlsqRangeError(`${CALLER}: options.params is needed: the model of datasets[${blind}] (${datasets[blind]!.model.name}) has no estimator to guess its parameters from`, 'params');
  }
  datasets.forEach((d, i) => {
    const guess = d.model.guess(data[i]!.x, data[i]!.y);
    for (const s of guess.list) {
      const g = names[i]![s.name]!;
      const e = sums.get(g) ?? { sum: 0, count: 0, min: s.min, max: s.max };
      sums.set(g, { ...e, sum: e.sum + s.value, count: e.count + 1 });
    }
  });
  const input: Record<string, ParamInput> = {};
  for (const [g, e] of sums) input[g] = { value: e.sum / e.count, min: e.min, max: e.max };
  return params(input);
}

/**
 * Fit several datasets at once, some parameters shared between them and the others each dataset's
 * own (a "global fit").
 *
 * @param datasets - each `{ model, x, y, sigma?, params? }` or `{ model, source, params? }` (a
 *   re-readable streaming source: the fit then streams); `params: { mu: 'shared', A: 'own' }`
 *   says which parameters the dataset shares (default: every one). Own copies are named `A_0`,
 *   `A_1`, … by the dataset's position; own parameters come first in the result, then the shared
 *   ones (the order in which the fold's blocks never mix).
 * @param options - `params` over the datasets' parameter names (see {@link GlobalFitOptions}),
 *   and any option of `fit()` (`workflow: 'chunked'`, `method`, `backend`, …).
 * @returns the joint result and per-dataset statistics.
 * @throws NlsqTypeError / NlsqRangeError naming the argument: an empty list, a one-pass source,
 *   a source dataset without `options.params`, shapes that disagree, a sharing entry for an unknown name, an own
 *   copy clashing with another parameter, and the errors of `params` and `fit`.
 * @example
 * ```ts
 * const m = model('A*exp(-(x - mu)^2/(2*s^2))');
 * const { result, datasets } = await fitGlobal(
 *   [{ model: m, x: x1, y: y1 }, { model: m, x: x2, y: y2, params: { A: 'own' } }],
 *   { params: { A: 1, mu: 5, s: { value: 1, min: 0 } } },
 * );
 * result.params.A_1.value; datasets[1].rSquared;
 * ```
 */
export async function fitGlobal(datasets: readonly GlobalDataset[], options: GlobalFitOptions = {}): Promise<GlobalFitResult> {
  if (!Array.isArray(datasets as unknown) || datasets.length === 0) {
    throw new NlsqTypeError(`${CALLER}: datasets must be a non-empty array of { model, x, y } or { model, source }, got ${describeValue(datasets)}`, 'datasets');
  }
  const global = buildGlobalModel(CALLER, datasets);
  if (datasets.some(isSourceDataset)) return fitGlobalStreaming(datasets, global, options);
  const arrays = datasets as readonly GlobalArrayDataset[];
  const data = arrays.map(readDataset);
  const stacked = stackData(data);
  const { params: given, ...rest } = options;
  const set = given === undefined ? guessedParams(arrays, data, global.names) : globalParams(CALLER, given, global);
  const result = await fit(global.model, stacked.x, stacked.y, { ...rest, params: set, ...(stacked.sigma === undefined ? {} : { sigma: stacked.sigma }) } as FitOptions);
  const perDataset = arrays.map((d, i): GlobalDatasetFit => {
    const named = namedOf(d, global, result, i);
    const { x, y, sigma } = data[i]!;
    const yhat = d.model.evaluate(d.model.params.map((p) => named[p]!.value), x);
    const weighted = Float64Array.from(yhat, (v, j) => (v - y[j]!) / (sigma === undefined ? 1 : sigma[j]!));
    return { index: i, params: named, yhat, ...computeStatistics(y, yhat, weighted, freeCount(d, named)) };
  });
  return { result, datasets: perDataset };
}

/** Dataset i's parameters by its model's names (the joint result's entries). */
function namedOf(d: GlobalDataset, global: GlobalModel, result: FitResult, i: number): Record<string, NamedParam> {
  const map = global.names[i]!;
  return Object.fromEntries(d.model.params.map((p) => [p, result.params[map[p]!]!]));
}

/** The free parameters a dataset's model uses (shared ones included). */
function freeCount(d: GlobalDataset, named: Readonly<Record<string, NamedParam>>): number {
  return d.model.params.filter((q) => named[q]!.kind === 'free').length;
}

/** The first non-empty chunk of a re-readable source (for the filler of its columns). */
async function firstChunk(passes: PassSource, i: number): Promise<SourceChunk> {
  const it = await passes.open();
  try {
    for (;;) {
      const step = await it.next();
      if (step.done === true) throw new DataSourceError(`${CALLER}: datasets[${i}].source yielded no chunks, or only empty ones: there is no data to fit`);
      const chunk = step.value;
      if (chunk !== null && typeof chunk === 'object' && chunk.y !== undefined && chunk.y.length > 0) return chunk;
    }
  } finally {
    await it.return?.();
  }
}

/** The first point of a chunk's x, one value per variable. */
function firstPoint(x: SourceChunk['x'], k: number): number[] {
  const single = ArrayBuffer.isView(x) || (Array.isArray(x) && typeof x[0] === 'number');
  const cols = (single ? [x] : x) as readonly ArrayLike<number>[];
  return Array.from({ length: k }, (_, v) => Number(cols[v]?.[0] ?? 0));
}

/**
 * The global fit when some dataset is a streaming source: every dataset served as one source of
 * stacked chunks, fitted by the streaming strategy; per-dataset statistics from one more pass.
 */
async function fitGlobalStreaming(datasets: readonly GlobalDataset[], global: GlobalModel, options: GlobalFitOptions): Promise<GlobalFitResult> {
  const { params: given, ...rest } = options;
  if (given === undefined) {
    throw new NlsqRangeError(`${CALLER}: options.params is needed when a dataset is a streaming source (datasets[${datasets.findIndex(isSourceDataset)}]): its points are not at hand to guess from`, 'params');
  }
  const parts: StackedPart[] = [];
  const arrays: (GlobalDataPart | undefined)[] = [];
  const passes: (PassSource | undefined)[] = [];
  for (let i = 0; i < datasets.length; i++) {
    const d = datasets[i]!;
    const k = d.model.variables.length;
    if (!isSourceDataset(d)) {
      const data = readDataset(d, i);
      arrays.push(data);
      passes.push(undefined);
      parts.push({ k, filler: data.x.map((c) => c[0]!), data });
      continue;
    }
    const source = await classifySource(d.source, `${CALLER}: datasets[${i}].source`);
    if (!source.rereadable) {
      throw new NlsqTypeError(`${CALLER}: datasets[${i}].source can be read only once (an iterator); a global fit makes several passes: give a re-readable iterable or a function returning a fresh one`, 'datasets');
    }
    const first = await firstChunk(source, i);
    arrays.push(undefined);
    passes.push(source);
    parts.push({ k, filler: firstPoint(first.x, k), data: source });
  }
  const set = globalParams(CALLER, given, global);
  const result = await fit(global.model, stackedSource(parts, CALLER), { ...rest, params: set } as FitOptions);
  const perDataset: GlobalDatasetFit[] = [];
  for (let i = 0; i < datasets.length; i++) {
    const d = datasets[i]!;
    const named = namedOf(d, global, result, i);
    const theta = d.model.params.map((p) => named[p]!.value);
    const data = arrays[i];
    if (data !== undefined) {
      const yhat = d.model.evaluate(theta, data.x);
      const weighted = Float64Array.from(yhat, (v, j) => (v - data.y[j]!) / (data.sigma === undefined ? 1 : data.sigma[j]!));
      perDataset.push({ index: i, params: named, yhat, ...computeStatistics(data.y, yhat, weighted, freeCount(d, named)) });
      continue;
    }
    const stats = new StatisticsAccumulator(d.model.createKernel(), Float64Array.from(theta));
    const normalizer = new ChunkNormalizer(d.model.variables.length, `${CALLER}: datasets[${i}].source`);
    const it = await passes[i]!.open();
    try {
      for (let c = 0; ; c++) {
        const step = await it.next();
        if (step.done === true) break;
        const chunk = normalizer.normalize(step.value, c);
        stats.add(chunk.data, chunk.n);
      }
    } finally {
      await it.return?.();
    }
    perDataset.push({ index: i, params: named, ...stats.result(freeCount(d, named)) });
  }
  return { result, datasets: perDataset };
}
