/**
 * The plan of a fit: which backend, which strategy, how many points per chunk and per block, and why —
 * built once from the caller's options, the data size and the backends available, and never
 * re-decided by the minimizer (as Ceres' preprocessor hands its minimizer one plan).
 *
 * Precedence: what the caller gives wins — an explicit `workflow` ('standard' | 'chunked' |
 * 'streaming'), `chunkSize` or backend name is used as given (and checked against the backend's
 * hard ceilings, which would otherwise fail mid-fit); everything left to `'auto'` is decided by
 * `MemoryBudgetSelector`'s rules. {@link Plan.given} and {@link Plan.used} record both
 * sides, and {@link Plan.reason} says why in one sentence with the numbers.
 *
 * @module
 */
import type { BackendInfo } from '../backends/backend.ts';
import { BackendUnavailableError, describeValue, NlsqRangeError } from '../errors.ts';
import { formatCount } from '../util/format.ts';
import { blockRowsFor } from './block-rows.ts';
import { MemoryBudget, validateBudgetInput } from './memory-budget.ts';
import type { ResolvedBudgetInput } from './memory-budget.ts';
import {
  assessBackend,
  backendCapacity,
  chooseBackend,
  decideHostStrategy,
  sizeClause,
} from './memory-budget-selector.ts';
import type { BackendAssessment, ModelKind, Strategy } from './memory-budget-selector.ts';
import { planWorkers, type WorkerPlan } from './worker-count.ts';

/** The caller's `workflow` option: `'auto'` or a strategy to force. */
export type Workflow = 'auto' | Strategy;

const WORKFLOWS: readonly Workflow[] = ['auto', 'standard', 'chunked', 'streaming'];

/** Inputs of {@link buildPlan}. */
export interface PlanInput {
  /** `'auto'` (default) or a strategy to force. */
  readonly workflow?: Workflow | undefined;
  /** Number of data points n. */
  readonly nPoints: number;
  /** Number of parameters p. */
  readonly nParams: number;
  /** Number of independent variables k (default 1). */
  readonly nFeatures?: number | undefined;
  /** Memory limit in GB (2³⁰ bytes); absent: measured by the MemoryEstimator. */
  readonly memoryLimitGb?: number | undefined;
  /** Fraction of the memory a fit may use, in (0, 1] (default 0.75). */
  readonly safetyFactor?: number | undefined;
  /** Points per chunk (chunked) or per batch (streaming), given by the caller. */
  readonly chunkSize?: number | undefined;
  /** The backends available here (at least one). */
  readonly backends: readonly BackendInfo[];
  /** The model's kind (default `'closure'`). */
  readonly modelKind?: ModelKind | undefined;
  /** A backend named by the caller; it must be among `backends`. Software adapters are allowed here. */
  readonly backendGiven?: string | undefined;
  /** Only synchronous backends qualify (a `curveFitSync` call). */
  readonly synchronous?: boolean | undefined;
  /**
   * The `workers` option, the cores offered to workers and why the fit cannot cross to a worker
   * whatever its backend (null when it can); absent: workers not asked for. A backend other than
   * wasm blocks workers too (they run the WebAssembly engine); the plan adds that itself.
   */
  readonly workers?:
    | {
        /** The `workers` option as given. */
        readonly given: 'auto' | number | undefined;
        /** Logical cores offered to workers. */
        readonly cores: number;
        /** Why the fit cannot cross to a worker whatever its backend, or null. */
        readonly blocked: string | null;
        /** Points the workers share when it differs from `nPoints`: null for a streaming source (unknown before its first pass). */
        readonly nPoints?: number | null;
      }
    | undefined;
}

/** A fit's plan. */
export interface Plan {
  /** The strategy used. */
  readonly strategy: Strategy;
  /** Name of the backend used. */
  readonly backend: string;
  /** Points resident at once: all n points (standard), the chunk (chunked), the batch (streaming). */
  readonly chunkSize: number;
  /** Points per streamed batch (streaming only; else null). */
  readonly batchSize: number | null;
  /**
   * Points the data walk evaluates and folds at once: the chunk size (chunked), else the
   * cache-sized `DEFAULT_BLOCK_ROWS` capped at n (see `blockRowsFor`). Decided here, once.
   */
  readonly blockRows: number;
  /** What the caller gave (null: left to auto). */
  readonly given: {
    /** The `workflow` option. */
    readonly workflow: Workflow | null;
    /** The backend name. */
    readonly backend: string | null;
    /** The `chunkSize` option. */
    readonly chunkSize: number | null;
    /** The `memoryLimitGb` option. */
    readonly memoryLimitGb: number | null;
  };
  /** What is used. */
  readonly used: {
    /** The strategy run. */
    readonly workflow: Strategy;
    /** The backend name. */
    readonly backend: string;
    /** Points resident at once. */
    readonly chunkSize: number;
    /** Points per streamed batch, or null. */
    readonly batchSize: number | null;
    /** Points the data walk folds at once. */
    readonly blockRows: number;
    /** The memory the budget was computed against, in GB. */
    readonly memoryGb: number;
    /** Where `memoryGb` came from. */
    readonly memoryFrom: 'memoryLimitGb' | 'estimator';
    /** The safety factor applied. */
    readonly safetyFactor: number;
    /** memoryGb × safetyFactor. */
    readonly thresholdGb: number;
  };
  /** The host memory budget. */
  readonly budget: MemoryBudget;
  /**
   * How many workers fold the data, on which engine, and why (`planWorkers`, `worker-count.ts`):
   * shares of the rows for the standard and chunked strategies, the chunks of each pass for
   * streaming; 0 (the main thread) when the `workers` option was not given.
   */
  readonly workers: WorkerPlan;
  /** Why, in one sentence with the numbers. */
  readonly reason: string;
}

const FN = 'buildPlan';

/** Validate the plan-specific options. */
function validatePlanOptions(input: PlanInput): { workflow: Workflow; modelKind: ModelKind; chunkSize: number | undefined } {
  const workflow = input.workflow ?? 'auto';
  if (!WORKFLOWS.includes(workflow)) {
    throw new NlsqRangeError(`${FN}: workflow must be one of 'auto', 'standard', 'chunked', 'streaming', got ${describeValue(workflow)}`, 'workflow');
  }
  const modelKind = input.modelKind ?? 'closure';
  if (modelKind !== 'closure' && modelKind !== 'expression') {
    throw new NlsqRangeError(`${FN}: modelKind must be 'closure' or 'expression', got ${describeValue(modelKind)}`, 'modelKind');
  }
  const chunkSize = input.chunkSize;
  if (chunkSize !== undefined && (typeof chunkSize !== 'number' || !Number.isSafeInteger(chunkSize) || chunkSize <= 0)) {
    throw new NlsqRangeError(`${FN}: chunkSize must be a positive integer, got ${describeValue(chunkSize)}`, 'chunkSize');
  }
  if (chunkSize !== undefined && workflow === 'standard') {
    throw new NlsqRangeError(`${FN}: chunkSize is used by the 'chunked' and 'streaming' workflows only, got chunkSize ${chunkSize} with workflow 'standard'`, 'chunkSize');
  }
  if (!Array.isArray(input.backends) || input.backends.length === 0) {
    throw new BackendUnavailableError(`${FN}: backends must list at least one available backend, got ${describeValue(input.backends)}`);
  }
  return { workflow, modelKind, chunkSize };
}

/** The caller's backend, checked: present, able to run the model, synchronous if needed. */
function givenBackend(input: PlanInput, name: string, modelKind: ModelKind): BackendInfo {
  const info = input.backends.find((b) => b.name === name);
  const names = input.backends.map((b) => `'${b.name}'`).join(', ');
  if (info === undefined) throw new BackendUnavailableError(`${FN}: backend '${name}' is not available here; available: ${names}`);
  if (modelKind === 'closure' && !info.runsClosures) {
    throw new BackendUnavailableError(`${FN}: backend '${name}' cannot run closure models (expression models only); pass an expression model or choose one of ${names}`);
  }
  if (input.synchronous === true && !info.synchronous) {
    throw new BackendUnavailableError(`${FN}: backend '${name}' is asynchronous and cannot serve a synchronous fit`);
  }
  return info;
}

/**
 * What `info` can do under the caller's constraints: the forced workflow (standard must hold all
 * points at once) and the given chunk size (must fit the backend).
 */
function assessUnderOptions(
  info: BackendInfo,
  v: ResolvedBudgetInput,
  target: Strategy,
  thresholdGb: number,
  workflow: Workflow,
  chunkSize: number | undefined,
): BackendAssessment {
  const a = assessBackend(info, v, target, thresholdGb);
  if (!a.ok) return a;
  const { maxRows, limit } = backendCapacity(info, v);
  if (workflow === 'standard' && a.strategy !== 'standard') {
    return { ok: false, why: `${info.name} cannot hold all ${formatCount(v.nPoints)} points at once (at most ${formatCount(maxRows)}: ${limit})` };
  }
  if (chunkSize === undefined || (a.strategy === 'standard' && chunkSize >= v.nPoints)) return a;
  if (chunkSize > maxRows) {
    return { ok: false, why: `${info.name} cannot hold the given chunkSize ${formatCount(chunkSize)} (at most ${formatCount(maxRows)}: ${limit})` };
  }
  return { ...a, strategy: a.strategy === 'standard' ? 'chunked' : a.strategy, size: chunkSize, sizeNote: ' (chunkSize given by the caller)' };
}

/**
 * Build the plan of a fit.
 *
 * @param input - the caller's workflow, chunkSize and backend (each optional), the sizes, the
 *   memory limit and the backends available here.
 * @returns the plan, with given/used and a reason.
 * @throws NlsqRangeError for invalid sizes, memory limit, safety factor, workflow, modelKind or
 *   chunkSize (or a chunkSize with workflow 'standard').
 * @throws BackendUnavailableError when the named backend is absent or cannot run the model, or no
 *   backend can hold the fit as asked (e.g. workflow 'standard' beyond every backend's buffer limit).
 * @example
 * ```ts
 * const plan = buildPlan({ nPoints: 1_200_000, nParams: 3, memoryLimitGb: 0.2, backends: [createCpuBackend().info] });
 * plan.strategy;  // 'chunked'
 * plan.chunkSize; // 1000000
 * ```
 */
export function buildPlan(input: PlanInput): Plan {
  const { workflow, modelKind, chunkSize } = validatePlanOptions(input);
  const v = validateBudgetInput(FN, input);
  const budget = MemoryBudget.compute(v);
  const host = decideHostStrategy(budget);
  const target: Strategy = workflow === 'auto' ? host.strategy : workflow;
  const assess = (info: BackendInfo): BackendAssessment => assessUnderOptions(info, v, target, budget.thresholdGb, workflow, chunkSize);
  let info: BackendInfo;
  let a: Extract<BackendAssessment, { ok: true }>;
  let backendWhy: string;
  if (input.backendGiven !== undefined) {
    info = givenBackend(input, input.backendGiven, modelKind);
    const assessed = assess(info);
    if (!assessed.ok) throw new BackendUnavailableError(`${FN}: the given backend cannot run this fit: ${assessed.why}`);
    a = assessed;
    backendWhy = 'given by the caller';
  } else {
    const choice = chooseBackend(FN, input.backends, modelKind, input.synchronous === true, assess);
    info = choice.info;
    a = choice.assessment;
    backendWhy = choice.why;
  }
  const why =
    workflow === 'auto'
      ? `${host.clause}${a.forcedBy}`
      : `workflow '${workflow}' given by the caller (auto would choose ${host.strategy}: ${host.clause})`;
  const reason = `${why}: ${a.strategy}, ${sizeClause(a.strategy, a.size)}${a.sizeNote}, on ${info.name} (${backendWhy})`;
  const batchSize = a.strategy === 'streaming' ? a.size : null;
  const blockRows = blockRowsFor(v.nPoints, a.strategy === 'chunked' ? a.size : undefined);
  const w = input.workers;
  const workers = planWorkers({
    given: w?.given,
    nPoints: w?.nPoints === undefined ? v.nPoints : w.nPoints,
    nParams: v.nParams,
    cores: w?.cores ?? 1,
    blocked: w?.blocked ?? (info.family !== 'wasm' ? `workers run the WebAssembly engine, and this fit runs on ${info.name}` : null),
    backend: info.name,
    split: a.strategy === 'streaming' ? 'chunks' : 'shares',
  });
  return Object.freeze({
    strategy: a.strategy,
    backend: info.name,
    chunkSize: a.size,
    batchSize,
    blockRows,
    given: Object.freeze({
      workflow: input.workflow ?? null,
      backend: input.backendGiven ?? null,
      chunkSize: chunkSize ?? null,
      memoryLimitGb: input.memoryLimitGb ?? null,
    }),
    used: Object.freeze({
      workflow: a.strategy,
      backend: info.name,
      chunkSize: a.size,
      batchSize,
      blockRows,
      memoryGb: budget.availableGb,
      memoryFrom: budget.availableFrom,
      safetyFactor: budget.safetyFactor,
      thresholdGb: budget.thresholdGb,
    }),
    budget,
    workers,
    reason,
  });
}
