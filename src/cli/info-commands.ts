/**
 * The commands that fit nothing: `nlsq models` (the model library: formula, parameters,
 * estimator, default bounds), `nlsq info [--points N --params P]` (the backends that load here,
 * and why the others do not — `listBackends`; the memory the estimator reads and the budget; the
 * plan for a fit of that size) and `nlsq plan --points N --params P [--memory GB]` (the
 * selector's plan — `buildPlan` — as the seed example of the workflow tiers).
 *
 * @module
 */
import { NlsqRangeError } from '../errors.ts';
import { listBackends } from '../backends/list-backends.ts';
import type { BackendInfo } from '../backends/backend.ts';
import type { Model } from '../model/model.ts';
import { models } from '../model/models/index.ts';
import { formatCount, formatNumber } from '../util/format.ts';
import { MemoryEstimator } from '../workflow/memory-estimator.ts';
import { buildPlan, type Plan, type Workflow } from '../workflow/plan.ts';
import type { CliIO } from './fit-command.ts';
import { choice, parseNumber, positive } from './fit-spec.ts';

/** One library model as `nlsq models` shows it. */
export interface ModelEntry {
  /** The name `--model` takes. */
  readonly name: string;
  /** The expression. */
  readonly formula: string;
  /** Parameter names. */
  readonly params: readonly string[];
  /** Whether `--p0 auto` works (the model has an estimator). */
  readonly estimator: boolean;
  /** Default bounds per parameter, as `[lo, hi]`. */
  readonly bounds: readonly (readonly [number, number])[];
}

/** The library's models (polynomial shown at degree 2, named `polynomial:DEGREE`). */
export function modelEntries(): ModelEntry[] {
  return Object.entries(models).map(([name, factory]) => {
    const m = (name === 'polynomial' ? (models.polynomial(2) as Model) : (factory as () => Model)()) as Model;
    return {
      name: name === 'polynomial' ? 'polynomial:DEGREE' : name,
      formula: m.expression,
      params: m.params,
      estimator: m.estimateP0 !== undefined,
      bounds: m.params.map((_, j) => [m.defaultBounds?.[0][j] ?? -Infinity, m.defaultBounds?.[1][j] ?? Infinity] as const),
    };
  });
}

function boundText(lo: number, hi: number): string {
  if (lo === -Infinity && hi === Infinity) return '';
  const f = (v: number): string => (v === Infinity ? '∞' : v === -Infinity ? '-∞' : String(v));
  return `[${f(lo)}, ${f(hi)}]`;
}

/**
 * `nlsq models`.
 * @param json - print JSON instead of text. @param io - where to write.
 */
export function runModels(json: boolean, io: CliIO): number {
  const entries = modelEntries();
  if (json) {
    io.out(JSON.stringify(entries.map((e) => ({ ...e, bounds: e.bounds.map(([lo, hi]) => [String(lo), String(hi)]) })), null, 2) + '\n');
    return 0;
  }
  const lines = ['Library models (--model NAME; --p0 auto uses the estimator):', ''];
  for (const e of entries) {
    lines.push(`${e.name}${e.estimator ? '' : '  (no estimator)'}`);
    lines.push(`  ${e.formula}`);
    const params = e.params.map((p, j) => {
      const b = boundText(e.bounds[j]![0], e.bounds[j]![1]);
      return b === '' ? p : `${p} ∈ ${b}`;
    });
    lines.push(`  parameters: ${params.join(', ')}`, '');
  }
  io.out(lines.join('\n'));
  return 0;
}

/** The `--points`, `--params`, `--memory`, `--workflow` flags of `info` and `plan`. */
export interface PlanFlags {
  /** `--points`: data points. */
  readonly points?: string | undefined;
  /** `--params`: parameters. */
  readonly params?: string | undefined;
  /** `--memory` in GB. */
  readonly memory?: string | undefined;
  /** `--workflow`. */
  readonly workflow?: string | undefined;
  /** `--json`. */
  readonly json?: boolean | undefined;
}

function count(flag: string, text: string, caller: string): number {
  const v = parseNumber(text);
  if (v === undefined || !Number.isSafeInteger(v) || v < 1) throw new NlsqRangeError(`${caller}: ${flag} must be a positive integer (1e9 is fine), got ${JSON.stringify(text)}`, flag);
  return v;
}

function planFor(flags: PlanFlags, backends: readonly BackendInfo[], caller: string): Plan {
  if (flags.points === undefined) throw new NlsqRangeError(`${caller}: --points is required: the number of data points`, '--points');
  const nPoints = count('--points', flags.points, caller);
  const nParams = flags.params === undefined ? 3 : count('--params', flags.params, caller);
  const memory = positive('--memory', flags.memory, caller);
  const workflow = choice<Workflow>('--workflow', flags.workflow, ['auto', 'standard', 'chunked', 'streaming'], caller);
  return buildPlan({ nPoints, nParams, backends, modelKind: 'expression', ...(memory === undefined ? {} : { memoryLimitGb: memory }), ...(workflow === undefined ? {} : { workflow }) });
}

function planLines(plan: Plan): string[] {
  const b = plan.budget;
  return [
    `  strategy    ${plan.strategy}`,
    `  backend     ${plan.backend}`,
    `  chunk size  ${formatCount(plan.chunkSize)} points${plan.batchSize === null ? '' : ` (batch ${formatCount(plan.batchSize)})`}`,
    `  block rows  ${formatCount(plan.blockRows)}`,
    `  memory      ${formatNumber(plan.used.memoryGb)} GB (${plan.used.memoryFrom}) × ${plan.used.safetyFactor} = ${formatNumber(plan.used.thresholdGb)} GB threshold`,
    `  estimate    data ${formatNumber(b.dataGb)} GB, Jacobian ${formatNumber(b.jacobianGb)} GB, peak ${formatNumber(b.peakGb)} GB`,
    `  workers     ${plan.workers.used} (${plan.workers.reason})`,
    `  reason      ${plan.reason}`,
  ];
}

function planJson(plan: Plan): Record<string, unknown> {
  return { strategy: plan.strategy, backend: plan.backend, chunkSize: plan.chunkSize, batchSize: plan.batchSize, blockRows: plan.blockRows, given: plan.given, used: plan.used, budget: plan.budget, workers: plan.workers, reason: plan.reason };
}

async function availableBackends(): Promise<{ statuses: Awaited<ReturnType<typeof listBackends>>; infos: BackendInfo[] }> {
  const statuses = await listBackends({ allowSoftware: false });
  return { statuses, infos: statuses.flatMap((s) => (s.available && s.info !== undefined ? [s.info] : [])) };
}

/**
 * `nlsq info`: backends, memory, and (with `--points`) the plan.
 * @param flags - the flags. @param io - where to write.
 */
export async function runInfo(flags: PlanFlags, io: CliIO): Promise<number> {
  const caller = 'nlsq info';
  const { statuses, infos } = await availableBackends();
  const reading = MemoryEstimator.read();
  const plan = flags.points === undefined ? null : planFor(flags, infos, caller);
  if (flags.json === true) {
    io.out(JSON.stringify({ backends: statuses.map((s) => ({ name: s.name, available: s.available, reason: s.reason })), memory: reading, plan: plan === null ? null : planJson(plan) }, null, 2) + '\n');
    return 0;
  }
  const lines = ['Backends:'];
  for (const s of statuses) lines.push(`  ${s.available ? '✓' : '✗'} ${s.name.padEnd(12)} ${s.available && s.info !== undefined ? `${s.info.precision}, speed class ${s.info.speedClass}: ` : ''}${s.reason}`);
  lines.push('', `Memory: ${formatNumber(reading.availableGb)} GB available of ${formatNumber(reading.totalGb)} GB (${reading.source}: ${reading.detail})`);
  if (plan !== null) lines.push('', 'Plan:', ...planLines(plan));
  io.out(lines.join('\n') + '\n');
  return 0;
}

/**
 * `nlsq plan`: the plan the selector makes for a fit of that size.
 * @param flags - the flags. @param io - where to write.
 */
export async function runPlan(flags: PlanFlags, io: CliIO): Promise<number> {
  const caller = 'nlsq plan';
  const { infos } = await availableBackends();
  const plan = planFor(flags, infos, caller);
  io.out(flags.json === true ? JSON.stringify(planJson(plan), null, 2) + '\n' : ['Plan:', ...planLines(plan)].join('\n') + '\n');
  return 0;
}
