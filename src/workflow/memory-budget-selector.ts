/**
 * Choose the strategy (standard, chunked, streaming) *and the backend* of a fit from its memory
 * budget: NLSQ's `MemoryBudgetSelector` (`nlsq/core/workflow.py`), extended with backend
 * capabilities.
 *
 * **NLSQ's decision tree** on the host budget ({@link MemoryBudget}, threshold = available × safety):
 *
 * ```
 *   dataGb > thresholdGb        → streaming   batchSize = clamp(⌊0.5 · threshold / bytesPerPoint⌋, 1e3, 1e6)
 *   peakGb > 0.9 · thresholdGb  → chunked     chunkSize = clamp(⌊0.75 · threshold / bytesPerPoint⌋, 1e3, 1e6)
 *   otherwise                   → standard
 * ```
 *
 * with bytesPerPoint = 16 + 8p and the threshold in bytes (GB = 2³⁰ bytes): 1.2M points, 3
 * parameters, memoryLimitGb 0.01 → streaming with batches of 100,663.
 *
 * **Beyond NLSQ: the backend.** Each backend's `BackendInfo` says how fast it is
 * (`speedClass`), what it can run (`runsClosures`, `synchronous`), and its ceilings. Candidates are
 * the backends that can run the model, never a `software` one (those must be named by the
 * caller), fastest first. On a backend with element size e (8 for f64, 4 for f32) a block row
 * takes (p + 1)·e bytes and a point's data (k + 1)·e more; the backend holds at most
 *
 * ```
 *   maxRows = ⌊min(maxBufferBytes / ((p+1)·e), safety · memoryBytes / ((p+1)·e + (k+1)·e))⌋
 * ```
 *
 * points at once. Where the host would run standard but n > maxRows, the fit runs chunked on that
 * backend; every chunk or batch is capped at maxRows. A backend that cannot hold
 * min(1,000, n) points is skipped for the next one.
 *
 * @module
 */
import type { BackendInfo } from '../backends/backend.ts';
import { BackendUnavailableError, describeValue, NlsqRangeError } from '../errors.ts';
import { formatBytes, formatCount, formatGb, formatLimitGb } from '../util/format.ts';
import { DEFAULT_SAFETY_FACTOR, MemoryBudget, validateBudgetInput } from './memory-budget.ts';
import { BYTES_PER_GB } from './memory-estimator.ts';
import type { MemoryBudgetInput, ResolvedBudgetInput } from './memory-budget.ts';

/** The three strategies, lightest first (the order of {@link STRATEGY_RANK}). */
export type Strategy = 'standard' | 'chunked' | 'streaming';

/** Rank of a strategy by how much it gives up to save memory: standard 0, chunked 1, streaming 2. */
export const STRATEGY_RANK: Readonly<Record<Strategy, number>> = Object.freeze({ standard: 0, chunked: 1, streaming: 2 });

/** How the model is evaluated: a JS closure, or an expression compiled per backend. */
export type ModelKind = 'closure' | 'expression';

/** NLSQ's smallest chunk or batch (FR-007). */
export const MIN_CHUNK_SIZE = 1_000;
/** NLSQ's largest chunk or batch (FR-007). */
export const MAX_CHUNK_SIZE = 1_000_000;
/** NLSQ's margin: chunked once the peak exceeds this fraction of the threshold (FR-010). */
const PEAK_MARGIN = 0.9;

/** Inputs of {@link MemoryBudgetSelector.select}. */
export interface SelectorInput extends Omit<MemoryBudgetInput, 'safetyFactor' | 'dtypeBytes'> {
  /** Backends available here; absent or empty: decide the strategy from host memory only (pure NLSQ). */
  readonly backends?: readonly BackendInfo[] | undefined;
  /** The model's kind (default `'closure'`, the conservative choice). */
  readonly modelKind?: ModelKind | undefined;
  /** Only synchronous backends may be chosen (a `curveFitSync` call). Default false. */
  readonly synchronous?: boolean | undefined;
}

/** NLSQ's `LDMemoryConfig` for the chunked strategy. */
export interface ChunkedConfig {
  /** Points per chunk. */
  readonly chunkSize: number;
  /** Smallest chunk NLSQ allows (1,000). */
  readonly minChunkSize: number;
  /** Largest chunk NLSQ allows (1,000,000). */
  readonly maxChunkSize: number;
  /** The threshold the chunks were sized against, in GB. */
  readonly memoryLimitGb: number;
}

/** NLSQ's streaming configuration: points per batch. */
export interface StreamingConfig {
  /** Points per batch. */
  readonly batchSize: number;
}

/** The selector's answer. */
export interface Selection {
  /** The strategy chosen. */
  readonly strategy: Strategy;
  /** The chosen backend, or null when no backends were given. */
  readonly backend: BackendInfo | null;
  /** Chunked: {@link ChunkedConfig}; streaming: {@link StreamingConfig}; standard: null (as NLSQ). */
  readonly config: ChunkedConfig | StreamingConfig | null;
  /** The host memory budget the decision started from. */
  readonly budget: MemoryBudget;
  /** One sentence with the numbers: why this strategy, sizes, and why this backend. */
  readonly reason: string;
}

/**
 * NLSQ's bytes per point for chunk and batch sizing: x and y (16) plus a Jacobian row (8p).
 * @param nParams - number of parameters p.
 * @returns 16 + 8p.
 */
function bytesPerPoint(nParams: number): number {
  return 16 + 8 * nParams;
}

/**
 * NLSQ's chunk size: ⌊0.75 · thresholdGb / (bytesPerPoint / 2³⁰)⌋ clamped to [1e3, 1e6].
 * @param thresholdGb - the safe threshold in GB.
 * @param nParams - number of parameters p.
 * @returns points per chunk.
 */
export function computeChunkSize(thresholdGb: number, nParams: number): number {
  const computed = Math.floor((thresholdGb * 0.75) / (bytesPerPoint(nParams) / BYTES_PER_GB));
  return Math.max(MIN_CHUNK_SIZE, Math.min(computed, MAX_CHUNK_SIZE));
}

/**
 * NLSQ's streaming batch size: ⌊0.5 · thresholdGb / (bytesPerPoint / 2³⁰)⌋ clamped to [1e3, 1e6].
 * @param thresholdGb - the safe threshold in GB.
 * @param nParams - number of parameters p.
 * @returns points per batch.
 */
export function computeBatchSize(thresholdGb: number, nParams: number): number {
  const computed = Math.floor((thresholdGb * 0.5) / (bytesPerPoint(nParams) / BYTES_PER_GB));
  return Math.max(MIN_CHUNK_SIZE, Math.min(computed, MAX_CHUNK_SIZE));
}

/** NLSQ's decision on the host budget. */
export interface HostDecision {
  /** The strategy NLSQ's tree picks. */
  readonly strategy: Strategy;
  /** Why, with the numbers. */
  readonly clause: string;
}

/** How many points a backend holds at once. */
export interface BackendCapacity {
  /** Most points (block rows plus their data) the backend holds at once. */
  readonly maxRows: number;
  /** The binding ceiling, e.g. `webgpu's 256 MiB buffer limit`. */
  readonly limit: string;
}

/** Backends sorted for automatic choice. */
export interface RankedBackends {
  /** Backends that may be chosen, fastest first. */
  readonly eligible: BackendInfo[];
  /** Why each other backend was skipped (one phrase each); assessments append to it. */
  readonly skipped: string[];
}

/**
 * NLSQ's decision tree on the host budget, with the clause that explains it.
 * @param budget - the host memory budget.
 * @returns the strategy and a clause such as `peak 3.27 GB exceeds 2.70 GB, 90% of the 3.00 GB threshold (memory limit 4 GB × 0.75)`.
 */
export function decideHostStrategy(budget: MemoryBudget): HostDecision {
  const source = budget.availableFrom === 'memoryLimitGb' ? `memory limit ${formatLimitGb(budget.availableGb)}` : `${formatGb(budget.availableGb)} available`;
  const threshold = `the ${formatGb(budget.thresholdGb)} threshold (${source} × ${budget.safetyFactor})`;
  if (!budget.dataFits) {
    return { strategy: 'streaming', clause: `data ${formatGb(budget.dataGb)} exceeds ${threshold}` };
  }
  const margin = `${formatGb(PEAK_MARGIN * budget.thresholdGb)}, 90% of ${threshold}`;
  if (budget.peakGb > PEAK_MARGIN * budget.thresholdGb) {
    return { strategy: 'chunked', clause: `peak ${formatGb(budget.peakGb)} exceeds ${margin}` };
  }
  return { strategy: 'standard', clause: `peak ${formatGb(budget.peakGb)} is within ${margin}` };
}

/** What one backend can do with the host's decision: a strategy and size, or why it cannot. */
export type BackendAssessment =
  | {
      /** The backend can run the fit. */
      readonly ok: true;
      /** The strategy on this backend (chunked where the host said standard but the block does not fit). */
      readonly strategy: Strategy;
      /** Points per block (standard: n), chunk or batch. */
      readonly size: number;
      /** Why the backend forced chunking where the host would run standard (`, but … holds at most …`), else ''. */
      readonly forcedBy: string;
      /** A remark on the size (` (capped so a block fits …)`), else ''. */
      readonly sizeNote: string;
    }
  | {
      /** The backend cannot run the fit. */
      readonly ok: false;
      /** e.g. `webgpu cannot hold 1,000 points at once (webgpu's 16 KiB buffer limit)`. */
      readonly why: string;
    };

/**
 * The most points `info` can hold at once (a block plus its data), and what limits it.
 * @param info - the backend.
 * @param v - the validated sizes.
 * @returns maxRows and a phrase naming the binding ceiling, e.g. `wasm-simd's 4 GiB buffer limit`.
 */
export function backendCapacity(info: BackendInfo, v: ResolvedBudgetInput): BackendCapacity {
  const elem = info.precision === 'f32' ? 4 : 8;
  const rowBytes = (v.nParams + 1) * elem;
  const byBuffer = Math.floor(info.maxBufferBytes / rowBytes);
  const byMemory = Math.floor((v.safetyFactor * info.memoryBytes) / (rowBytes + (v.nFeatures + 1) * elem));
  return byBuffer <= byMemory
    ? { maxRows: byBuffer, limit: `${info.name}'s ${formatBytes(info.maxBufferBytes)} buffer limit` }
    : { maxRows: byMemory, limit: `${v.safetyFactor} × ${info.name}'s ${formatBytes(info.memoryBytes)} memory` };
}

/**
 * Fit the host's decision onto one backend: keep standard when the whole problem fits the
 * backend, else chunk; cap chunks and batches so a block fits. Never throws.
 *
 * @param info - the backend.
 * @param v - the validated sizes.
 * @param host - the host strategy from {@link decideHostStrategy}.
 * @param thresholdGb - the host threshold the NLSQ chunk and batch sizes derive from.
 * @returns what the backend can do, or why it cannot.
 */
export function assessBackend(info: BackendInfo, v: ResolvedBudgetInput, host: Strategy, thresholdGb: number): BackendAssessment {
  const { maxRows, limit } = backendCapacity(info, v);
  if (maxRows < Math.min(MIN_CHUNK_SIZE, v.nPoints)) {
    return { ok: false, why: `${info.name} cannot hold ${formatCount(Math.min(MIN_CHUNK_SIZE, v.nPoints))} points at once (${limit})` };
  }
  if (host === 'standard') {
    if (v.nPoints <= maxRows) return { ok: true, strategy: 'standard', size: v.nPoints, forcedBy: '', sizeNote: '' };
    const size = Math.min(computeChunkSize(thresholdGb, v.nParams), maxRows);
    return { ok: true, strategy: 'chunked', size, sizeNote: '', forcedBy: `, but ${info.name} holds at most ${formatCount(maxRows)} points at once (${limit})` };
  }
  const wanted = host === 'chunked' ? computeChunkSize(thresholdGb, v.nParams) : computeBatchSize(thresholdGb, v.nParams);
  if (wanted <= maxRows) return { ok: true, strategy: host, size: wanted, forcedBy: '', sizeNote: '' };
  return { ok: true, strategy: host, size: maxRows, forcedBy: '', sizeNote: ` (capped so a block fits ${limit})` };
}

/**
 * Rank candidate backends: drop software adapters, closure-incapable backends for closure models
 * and (if asked) asynchronous ones; fastest (`speedClass`) first, ties in the given order.
 *
 * @param backends - the available backends.
 * @param modelKind - the model's kind.
 * @param synchronous - only synchronous backends qualify.
 * @returns the eligible backends, fastest first, and a phrase per skipped one.
 */
function rankBackends(
  backends: readonly BackendInfo[],
  modelKind: ModelKind,
  synchronous: boolean,
): RankedBackends {
  const eligible: BackendInfo[] = [];
  const skipped: string[] = [];
  for (const info of backends) {
    if (info.software) skipped.push(`${info.name} is a software adapter, never chosen automatically`);
    else if (modelKind === 'closure' && !info.runsClosures) skipped.push(`${info.name} runs expression models only`);
    else if (synchronous && !info.synchronous) skipped.push(`${info.name} is asynchronous`);
    else eligible.push(info);
  }
  eligible.sort((a, b) => b.speedClass - a.speedClass);
  return { eligible, skipped };
}

/** A backend chosen by {@link chooseBackend}, with what it will do and why it was chosen. */
export interface BackendChoice {
  /** The chosen backend. */
  readonly info: BackendInfo;
  /** What it will do: strategy and size. */
  readonly assessment: Extract<BackendAssessment, { ok: true }>;
  /** e.g. `fastest available that runs closure models; webgpu runs expression models only`. */
  readonly why: string;
}

/**
 * Pick the fastest eligible backend that `assess` accepts.
 *
 * @param caller - the public function name for error messages.
 * @param backends - the available backends.
 * @param modelKind - the model's kind.
 * @param synchronous - only synchronous backends qualify.
 * @param assess - what a backend can do (e.g. {@link assessBackend} on the host decision).
 * @returns the choice.
 * @throws BackendUnavailableError when no backend qualifies, listing why each was skipped.
 */
export function chooseBackend(
  caller: string,
  backends: readonly BackendInfo[],
  modelKind: ModelKind,
  synchronous: boolean,
  assess: (info: BackendInfo) => BackendAssessment,
): BackendChoice {
  const { eligible, skipped } = rankBackends(backends, modelKind, synchronous);
  for (const [index, info] of eligible.entries()) {
    const assessment = assess(info);
    if (!assessment.ok) {
      skipped.push(assessment.why);
      continue;
    }
    const rank = index === 0 ? 'fastest available' : 'fastest available that can hold it';
    const kind = skipped.some((s) => s.endsWith('expression models only')) ? ` that runs ${modelKind} models` : '';
    return { info, assessment, why: `${rank}${kind}${skipped.length > 0 ? `; ${skipped.join('; ')}` : ''}` };
  }
  const names = backends.map((b) => b.name).join(', ') || 'none';
  throw new BackendUnavailableError(`${caller}: no backend can run this fit automatically (available: ${names})${skipped.length > 0 ? `: ${skipped.join('; ')}` : ''}`);
}

/**
 * The clause saying how the data is walked, e.g. `100,000 points per chunk`.
 * @param strategy - the strategy.
 * @param size - points per block, chunk or batch.
 * @returns the clause.
 */
export function sizeClause(strategy: Strategy, size: number): string {
  if (strategy === 'standard') return `all ${formatCount(size)} points resident`;
  if (strategy === 'chunked') return `${formatCount(size)} points per chunk`;
  return `batches of ${formatCount(size)} points`;
}

/** The selection config NLSQ would return for a strategy and size. */
function configFor(strategy: Strategy, size: number, thresholdGb: number): ChunkedConfig | StreamingConfig | null {
  if (strategy === 'standard') return null;
  if (strategy === 'streaming') return Object.freeze({ batchSize: size });
  return Object.freeze({ chunkSize: size, minChunkSize: MIN_CHUNK_SIZE, maxChunkSize: MAX_CHUNK_SIZE, memoryLimitGb: thresholdGb });
}

/**
 * NLSQ's `MemoryBudgetSelector`, backend-aware.
 *
 * @example
 * ```ts
 * const s = new MemoryBudgetSelector().select({ nPoints: 1_200_000, nParams: 3, memoryLimitGb: 0.01 });
 * s.strategy;  // 'streaming'
 * s.config;    // { batchSize: 100663 }
 * s.reason;    // 'data 0.018 GB exceeds the 0.0075 GB threshold (memory limit 0.01 GB × 0.75): streaming, batches of 100,663 points'
 * ```
 */
export class MemoryBudgetSelector {
  /** Fraction of the available memory a fit may use. */
  readonly safetyFactor: number;

  /**
   * @param options - `safetyFactor` in (0, 1], default 0.75.
   * @throws NlsqRangeError when safetyFactor is outside (0, 1].
   */
  constructor(options: { readonly safetyFactor?: number } = {}) {
    const sf = options.safetyFactor ?? DEFAULT_SAFETY_FACTOR;
    if (typeof sf !== 'number' || !(sf > 0 && sf <= 1)) {
      throw new NlsqRangeError(`MemoryBudgetSelector: safetyFactor must be in (0, 1], got ${describeValue(sf)}`, 'safetyFactor');
    }
    this.safetyFactor = sf;
  }

  /**
   * Select the strategy and backend for a fit.
   *
   * @param input - sizes, memory limit, the available backends and the model kind.
   * @returns the strategy, backend, NLSQ-style config, budget and a reason with the numbers.
   * @throws NlsqRangeError for invalid sizes or memory limit (as `MemoryBudget.compute`),
   *   or an unknown modelKind.
   * @throws BackendUnavailableError when backends were given but none may run this model
   *   automatically, or none can hold a minimal chunk.
   */
  select(input: SelectorInput): Selection {
    const caller = 'MemoryBudgetSelector.select';
    const v = validateBudgetInput(caller, { ...input, safetyFactor: this.safetyFactor });
    const modelKind = input.modelKind ?? 'closure';
    if (modelKind !== 'closure' && modelKind !== 'expression') {
      throw new NlsqRangeError(`${caller}: modelKind must be 'closure' or 'expression', got ${describeValue(modelKind)}`, 'modelKind');
    }
    const budget = MemoryBudget.compute(v);
    const host = decideHostStrategy(budget);
    const backends = input.backends ?? [];
    if (backends.length === 0) {
      const size = host.strategy === 'standard' ? v.nPoints : host.strategy === 'chunked' ? computeChunkSize(budget.thresholdGb, v.nParams) : computeBatchSize(budget.thresholdGb, v.nParams);
      const reason = `${host.clause}: ${host.strategy}, ${sizeClause(host.strategy, size)}`;
      return Object.freeze({ strategy: host.strategy, backend: null, config: configFor(host.strategy, size, budget.thresholdGb), budget, reason });
    }
    const choice = chooseBackend(caller, backends, modelKind, input.synchronous === true, (info) =>
      assessBackend(info, v, host.strategy, budget.thresholdGb),
    );
    const a = choice.assessment;
    const reason = `${host.clause}${a.forcedBy}: ${a.strategy}, ${sizeClause(a.strategy, a.size)}${a.sizeNote}, on ${choice.info.name} (${choice.why})`;
    return Object.freeze({ strategy: a.strategy, backend: choice.info, config: configFor(a.strategy, a.size, budget.thresholdGb), budget, reason });
  }
}
