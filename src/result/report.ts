/**
 * Plain-text reports of a fit: a brief one (status, the run, which backend ran and why,
 * parameters ± standard errors, key statistics) and a full one that adds every decision as
 * given / used / reason and the warnings — after Ceres' `BriefReport` / `FullReport`. Reports
 * are strings; nothing is printed.
 *
 * @module
 */
import type { FitWarning } from '../options/solver-settings.ts';
import type { FitChoices } from './choice.ts';
import { formatNumber } from '../util/format.ts';

/** What a report shows. */
export interface ReportInput {
  /** Public function name. */
  readonly caller: string;
  /** Whether the fit succeeded. */
  readonly success: boolean;
  /** Status name. */
  readonly status: string;
  /** Termination message. */
  readonly message: string;
  /** Function evaluations. */
  readonly nfev: number;
  /** Jacobian evaluations. */
  readonly njev: number;
  /** Iterations. */
  readonly nit: number;
  /** Final cost. */
  readonly cost: number;
  /** First-order optimality. */
  readonly optimality: number;
  /** Parameter names. */
  readonly names: readonly string[];
  /** Parameter values. */
  readonly values: readonly number[];
  /** Standard errors, or null. */
  readonly errors: readonly number[] | null;
  /** Active-bound mask. */
  readonly activeMask: readonly number[];
  /** Extra statistics lines, e.g. `R² = 0.999`. */
  readonly statistics: readonly string[];
  /** Decisions. */
  readonly choices: FitChoices;
  /** Warnings. */
  readonly warnings: readonly FitWarning[];
  /** A tag per parameter, e.g. `(fixed)` or `(= 2.3548*s)`; empty for none. */
  readonly tags?: readonly string[];
  /** Parameters whose error could not be estimated, with the reason (`name: why`). */
  readonly uncertaintyNotes?: readonly string[];
  /** Correlations above the report's threshold, e.g. `C(mu, s) = -0.9123`. */
  readonly correlations?: readonly string[];
  /** The health section (full reports): `diagnostics.ts`'s lines. */
  readonly health?: readonly string[];
}

function parameterLines(input: ReportInput): string[] {
  const width = Math.max(...input.names.map((n) => n.length), 4);
  return input.names.map((name, j) => {
    const err = input.errors === null ? '' : ` ± ${formatNumber(input.errors[j]!)}`;
    const mask = input.activeMask[j] === -1 ? '  (at lower bound)' : input.activeMask[j] === 1 ? '  (at upper bound)' : '';
    const tag = input.tags?.[j] ? `  ${input.tags[j]}` : '';
    return `  ${name.padEnd(width)} = ${formatNumber(input.values[j]!)}${err}${mask}${tag}`;
  });
}

/**
 * Render a report.
 *
 * @param input - the fit's numbers and decisions.
 * @param full - include given/used/reason for every decision and the warnings (the brief report
 *   already gives the backend's reason, on the line after the run line).
 * @returns the report text (lines joined with `\n`).
 */
export function renderReport(input: ReportInput, full: boolean): string {
  const head = `${input.caller}: ${input.success ? 'success' : 'FAILED'} (${input.status}) — ${input.message}`;
  const c = input.choices;
  const run =
    `  method ${c.method.used} · backend ${c.backend.used} · strategy ${c.strategy.used} · ` +
    `nfev ${input.nfev} · njev ${input.njev} · nit ${input.nit} · cost ${formatNumber(input.cost)} · optimality ${formatNumber(input.optimality)}`;
  const lines = [head, run, `  backend ${c.backend.used}: ${c.backend.reason}`];
  if (c.global !== undefined) lines.push(`  global ${c.global.used}: ${c.global.reason}`);
  lines.push(...parameterLines(input));
  if (input.uncertaintyNotes !== undefined && input.uncertaintyNotes.length > 0) {
    lines.push('  uncertainties could not be estimated:', ...input.uncertaintyNotes.map((note) => `    ${note}`));
  }
  if (input.correlations !== undefined && input.correlations.length > 0) lines.push(`  correlations: ${input.correlations.join(' · ')}`);
  if (input.statistics.length > 0) lines.push(`  ${input.statistics.join(' · ')}`);
  if (!full) {
    if (input.warnings.length > 0) lines.push(`  ${input.warnings.length} warning(s); report({ full: true }) lists them`);
    return lines.join('\n');
  }
  lines.push('', '  decision     given                used                 reason');
  for (const [label, choice] of Object.entries(c)) {
    lines.push(`  ${label.padEnd(12)} ${choice.given.padEnd(20)} ${choice.used.padEnd(20)} ${choice.reason}`);
  }
  if (input.health !== undefined) lines.push('', ...input.health);
  if (input.warnings.length > 0) {
    lines.push('', '  warnings:');
    for (const w of input.warnings) lines.push(`    [${w.code}] ${w.message}`);
  }
  return lines.join('\n');
}
