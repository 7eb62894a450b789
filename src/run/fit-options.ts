/**
 * The options of `fit()`: every `curveFit` option plus the workflow's own.
 *
 * @module
 */
import { NlsqRangeError, describeValue } from '../errors.ts';
import type { CurveFitOptions } from '../options/types.ts';
import type { StreamingCheckpoint, TournamentCheckpoint } from '../streaming/checkpoint.ts';
import { type Goal, goalTolerances } from '../workflow/goal.ts';
import { DEFAULT_GLOBAL_STARTS, resolveGlobal, type ResolvedGlobal } from '../options/global-option.ts';
import type { Workflow } from '../workflow/plan.ts';
import type { StreamingProgress } from '../streaming/streaming-fit.ts';
import type { WarmupOptions } from '../streaming/warmup.ts';

/** Options of `fit()`: every `curveFit` option (`global` included) plus the workflow's own. */
export interface FitOptions extends CurveFitOptions {
  /** `'auto'` (default: the memory-budget selector decides) or a strategy to force. */
  readonly workflow?: Workflow;
  /** Memory the fit may plan for, in GB (2³⁰ bytes); default: measured free memory. */
  readonly memoryLimitGb?: number;
  /** Fraction of the memory a fit may use, in (0, 1] (default 0.75, NLSQ's). */
  readonly safetyFactor?: number;
  /** Points per chunk (chunked) or per mini-batch (streaming); default: from the budget. */
  readonly chunkSize?: number;
  /**
   * NLSQ's goal: size-tiered tolerances (`'robust'` the size's tier, `'quality'` one tighter,
   * `'fast'` one looser). Explicit `ftol`/`xtol`/`gtol` win. `'global'`: the size's tier and the
   * `global` search with its defaults (16 scrambled Sobol starts, `DEFAULT_GLOBAL_STARTS`,
   * seed 0) unless `global` says otherwise; `result.choices.global` says which ran.
   */
  readonly goal?: Goal;
  /** Streaming: the mini-batch warm-up (Adam) options, or false to start the exact passes at p0. */
  readonly warmup?: WarmupOptions | false;
  /** Streaming: progress after every pass. */
  readonly onProgress?: (progress: StreamingProgress) => void;
  /**
   * Streaming: receives a JSON-serializable state every `checkpointEvery` passes — a
   * {@link StreamingCheckpoint}, or with `global` over a source a {@link TournamentCheckpoint}
   * (the tournament's, its running finalist's streaming checkpoint inside).
   */
  readonly onCheckpoint?: (state: StreamingCheckpoint | TournamentCheckpoint) => void | Promise<void>;
  /** Streaming: passes between checkpoints (default 1). */
  readonly checkpointEvery?: number;
  /** Streaming: a checkpoint to continue from. */
  readonly resumeFrom?: unknown;
}

/** The keys `fit` accepts beyond `curveFit`'s (passed to the option-table check). */
export const FIT_KEYS: readonly string[] = Object.freeze([
  'workflow',
  'memoryLimitGb',
  'safetyFactor',
  'chunkSize',
  'goal',
  'warmup',
  'onProgress',
  'onCheckpoint',
  'checkpointEvery',
  'resumeFrom',
]);

/** The workflow-only keys, stripped before the curveFit resolution sees the options. */
const WORKFLOW_ONLY = new Set(FIT_KEYS);

/**
 * Split `fit` options into the `curveFit` part (with the goal's tolerances filled in where the
 * caller gave none) and the workflow part.
 *
 * @param options - the caller's options.
 * @param nPoints - the number of points (selects the goal's size tier).
 */
export function splitFitOptions(options: FitOptions, nPoints: number): CurveFitOptions {
  if (typeof options !== 'object' || options === null) {
    throw new NlsqRangeError(`fit: options must be an object, got ${describeValue(options)}`, 'options');
  }
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) if (!WORKFLOW_ONLY.has(key)) rest[key] = value;
  if (options.goal !== undefined && nPoints > 0) {
    const tol = goalTolerances(nPoints, options.goal);
    for (const key of ['ftol', 'xtol', 'gtol'] as const) if (rest[key] === undefined) rest[key] = tol[key];
  }
  return rest as CurveFitOptions;
}

/**
 * The global search of a `fit()` call: the `global` option as given, else `goal: 'global'`'s
 * default (multi-start from {@link DEFAULT_GLOBAL_STARTS} scrambled Sobol starts, seed 0), else none.
 *
 * @param options - the caller's options.
 * @returns the search, or null.
 * @throws as `resolveGlobal`, naming `global`.
 */
export function fitGlobalSearch(options: FitOptions): ResolvedGlobal | null {
  if (options.global !== undefined) return resolveGlobal(options.global, 'fit');
  if (options.goal !== 'global') return null;
  return { ...resolveGlobal(true, 'fit')!, given: `goal 'global' (default: ${DEFAULT_GLOBAL_STARTS} scrambled Sobol starts, seed 0)` };
}
