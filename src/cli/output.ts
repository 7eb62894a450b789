/**
 * What `nlsq fit` prints and writes: the fit's report as text (the library's
 * `result.report()` plus the confidence intervals and where the fit ran and why), JSON, CSV (one
 * row per parameter) or Markdown. Numbers in JSON and CSV are the result's own (full precision,
 * `JSON.stringify` / `String` round-trip); text and Markdown round to 6 significant digits.
 *
 * @module
 */
import type { GlobalSummary } from '../result/global-summary.ts';
import type { FitResult } from '../result/fit-result.ts';
import { formatNumber } from '../util/format.ts';

/** The output formats of `--format`. */
export const OUTPUT_FORMATS = ['text', 'json', 'csv', 'markdown'] as const;

/** One of {@link OUTPUT_FORMATS}. */
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** What the fit was asked: shown in every format. */
export interface FitSummaryInput {
  /** The data file. */
  readonly file: string;
  /** The model's name or expression. */
  readonly model: string;
}

/** The 95 % intervals, or null when dof ≤ 0. */
function intervals(r: FitResult): { lower: number[]; upper: number[] } | null {
  return r.dof > 0 ? r.confidenceIntervals(0.95) : null;
}

/** JSON numbers: ±Infinity and NaN become strings (JSON has no such numbers). */
function num(v: number): number | string {
  return Number.isFinite(v) ? v : String(v);
}

/**
 * The result as a plain JSON-serialisable object.
 *
 * @param r - the fit's result. @param input - file and model.
 * @returns parameters (value, stderr, 95 % CI, kind), popt, perr, pcov, statistics, counters,
 *   where it ran and why (backend, strategy, plan reason) and the warnings.
 */
export function resultJson(r: FitResult, input: FitSummaryInput): Record<string, unknown> {
  const ci = intervals(r);
  const params: Record<string, unknown> = {};
  r.paramNames.forEach((name, j) => {
    const q = r.params[name];
    params[name] = {
      value: r.popt[j],
      stderr: num(r.perr[j]!),
      ci95: ci === null ? null : [num(ci.lower[j]!), num(ci.upper[j]!)],
      kind: q?.kind ?? 'free',
      ...(q?.expr === undefined ? {} : { expr: q.expr }),
      atBound: q?.atBound ?? false,
    };
  });
  return {
    file: input.file,
    model: input.model,
    success: r.success,
    status: r.status,
    message: r.message,
    params,
    popt: r.popt,
    perr: r.perr.map(num),
    pcov: r.pcov.map((row) => row.map(num)),
    statistics: {
      n: r.n, p: r.p, dof: r.dof, chiSquare: num(r.chiSquare), reducedChiSquare: num(r.reducedChiSquare), rss: num(r.rss),
      rSquared: num(r.rSquared), adjRSquared: num(r.adjRSquared), rmse: num(r.rmse), mae: num(r.mae), aic: num(r.aic), bic: num(r.bic),
    },
    nfev: r.nfev, njev: r.njev, nit: r.nit, cost: num(r.cost), optimality: num(r.optimality),
    method: r.method, backend: r.backend, strategy: r.strategy, reason: r.reason,
    plan: { strategy: r.plan.strategy, backend: r.plan.backend, chunkSize: r.plan.chunkSize, reason: r.plan.reason },
    warnings: r.warnings.map((w) => ({ code: w.code, message: w.message })),
    ...(r.global === undefined ? {} : { global: globalJson(r.global) }),
  };
}

/** `result.global` as JSON (non-finite costs as strings). */
function globalJson(g: GlobalSummary): Record<string, unknown> {
  return {
    method: g.method, starts: g.starts, sampler: g.sampler, seed: g.seed, winner: g.winner, evaluations: g.evaluations, engine: g.engine,
    box: g.box, minima: g.minima.map((m) => ({ cost: num(m.cost), x: m.x, count: m.count, firstStart: m.firstStart })), failed: g.failed,
    ...(g.cmaes === undefined ? {} : { cmaes: g.cmaes }),
    ...(g.tournament === undefined ? {} : { tournament: g.tournament }),
  };
}

/** The text lines of `result.global`: what was searched and what was found. */
function globalLines(g: GlobalSummary): string[] {
  const lines = [`  global search: ${g.method}, ${g.starts} start${g.starts === 1 ? '' : 's'} (${g.method === 'cmaes' ? 'polish from p0 and the CMA-ES best' : `${g.sampler}, seed ${g.seed}`}), ${g.engine.kind}; start ${g.winner} won; ${g.evaluations} evaluations`];
  g.minima.slice(0, 5).forEach((m, i) => lines.push(`    minimum ${i + 1}: cost ${formatNumber(m.cost)} reached by ${m.count} start${m.count === 1 ? '' : 's'} (first: start ${m.firstStart})`));
  if (g.minima.length > 5) lines.push(`    … ${g.minima.length - 5} more minima`);
  if (g.tournament !== undefined) lines.push(`    tournament: ${g.tournament.rounds.map((r) => `${r.survivors} starts on ${r.rows} rows`).join(' → ')}; finalists ${g.tournament.finalists.join(', ')}; ${g.tournament.rowsRead} rows read`);
  if (g.failed.length > 0) lines.push(`    ${g.failed.length} start(s) failed, e.g. start ${g.failed[0]!.start}: ${g.failed[0]!.message}`);
  return lines;
}

/** A CSV field: quoted when it holds a delimiter, a quote or a line break. */
export function csvField(v: string | number): string {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csvTable(r: FitResult): string {
  const ci = intervals(r);
  const rows = [['name', 'value', 'stderr', 'ci95_lower', 'ci95_upper', 'kind'].join(',')];
  r.paramNames.forEach((name, j) => {
    const lo = ci === null ? '' : ci.lower[j]!;
    const hi = ci === null ? '' : ci.upper[j]!;
    rows.push([name, r.popt[j]!, r.perr[j]!, lo, hi, r.params[name]?.kind ?? 'free'].map(csvField).join(','));
  });
  return rows.join('\n') + '\n';
}

function markdown(r: FitResult, input: FitSummaryInput): string {
  const ci = intervals(r);
  const lines = [
    `## Fit of \`${input.model}\` to ${input.file}`,
    '',
    `**${r.success ? 'Converged' : 'Did not converge'}** (${r.status}): ${r.message}`,
    '',
    '| parameter | value | std. error | 95% CI |',
    '|---|---:|---:|---|',
    ...r.paramNames.map((name, j) => {
      const interval = ci === null ? '–' : `[${formatNumber(ci.lower[j]!)}, ${formatNumber(ci.upper[j]!)}]`;
      return `| ${name} | ${formatNumber(r.popt[j]!)} | ${formatNumber(r.perr[j]!)} | ${interval} |`;
    }),
    '',
    `n = ${r.n}, dof = ${r.dof}, χ² = ${formatNumber(r.chiSquare)}, χ²ν = ${formatNumber(r.reducedChiSquare)}, R² = ${formatNumber(r.rSquared)}, RMSE = ${formatNumber(r.rmse)}, AIC = ${formatNumber(r.aic)}, BIC = ${formatNumber(r.bic)}`,
    '',
    `Ran ${r.method} on ${r.backend}, ${r.strategy} strategy (nfev ${r.nfev}, nit ${r.nit}): ${r.plan.reason}`,
  ];
  return lines.join('\n') + '\n';
}

function text(r: FitResult, input: FitSummaryInput): string {
  const ci = intervals(r);
  const width = Math.max(4, ...r.paramNames.map((n) => n.length));
  const lines = [`nlsq fit ${input.file} --model ${input.model}`, r.report()];
  if (ci !== null) {
    lines.push('  95% confidence intervals:');
    r.paramNames.forEach((name, j) => lines.push(`    ${name.padEnd(width)} [${formatNumber(ci.lower[j]!)}, ${formatNumber(ci.upper[j]!)}]`));
  }
  lines.push(`  n = ${r.n} · χ² = ${formatNumber(r.chiSquare)} · AIC = ${formatNumber(r.aic)} · BIC = ${formatNumber(r.bic)}`);
  lines.push(`  plan: ${r.plan.reason}`);
  if (r.global !== undefined) lines.push(...globalLines(r.global));
  for (const w of r.warnings) lines.push(`  warning [${w.code}]: ${w.message}`);
  return lines.join('\n') + '\n';
}

/**
 * Render a fit's result.
 *
 * @param r - the result. @param format - text, json, csv or markdown. @param input - file and model.
 * @returns the text to print or write (ends with a line break).
 */
export function renderResult(r: FitResult, format: OutputFormat, input: FitSummaryInput): string {
  switch (format) {
    case 'json':
      return JSON.stringify(resultJson(r, input), null, 2) + '\n';
    case 'csv':
      return csvTable(r);
    case 'markdown':
      return markdown(r, input);
    default:
      return text(r, input);
  }
}

/**
 * The format of an output file, by its extension: `.json`, `.csv`, `.md`, otherwise text.
 *
 * @param path - the `--out` file.
 * @returns the format.
 */
export function formatForFile(path: string): OutputFormat {
  const lower = path.toLowerCase();
  return lower.endsWith('.json') ? 'json' : lower.endsWith('.csv') ? 'csv' : lower.endsWith('.md') ? 'markdown' : 'text';
}
