/**
 * The performance targets of the issue, checked against measured rows:
 * - WASM-SIMD ≥ 2.5x the CPU backend on the QR fold and on gram at N = 1e6, p = 8;
 * - the whole 1M-point expression fit on the default backend ≤ 0.33x SciPy `lm` time;
 * - ≥ 50x faster than ml-levenberg-marquardt per iteration;
 * - the 1M-point closure fit on the CPU backend no slower than SciPy `lm` (foundation issue);
 * - the 1M-point expression fit on the CPU backend ≤ 0.5x SciPy `lm` time (expression issue);
 * - chunked / standard time ≤ 1.3 on 10M points; streaming 50M points with peak RSS ≤ 300 MB.
 */
import type { BenchRow } from './harness.ts';

/** One target: what, the measured figure, the goal, and whether it is met (null: not measured). */
export interface TargetCheck {
  target: string;
  measured: number | null;
  goal: string;
  met: boolean | null;
}

function ratio(rows: readonly BenchRow[], name: string): number | null {
  return rows.find((r) => r.name === name)?.speedup ?? null;
}

function inverse(v: number | null): number | null {
  return v === null ? null : 1 / v;
}

/** Evaluate the targets on the rows of a run (speed-ups must already be applied). */
export function checkTargets(rows: readonly BenchRow[], n: number): TargetCheck[] {
  const fold = ratio(rows, 'fold p=8 wasm-simd');
  const gram = ratio(rows, 'gram p=8 wasm-simd');
  const fit = ratio(rows, `expression expdecay n=${n} default`);
  const perIt = ratio(rows, `nlsq expdecay n=${n} default (per iteration)`);
  const fitTime = fit === null ? null : 1 / fit;
  const closureCpu = inverse(ratio(rows, `closure expdecay n=${n} cpu`));
  const exprCpu = inverse(ratio(rows, `expression expdecay n=${n} cpu`));
  const chunked = inverse(rows.find((r) => r.name.startsWith('chunked '))?.speedup ?? null);
  const rssRow = rows.find((r) => r.name.startsWith('streaming '));
  const rss = rssRow?.extra?.['peakRssMB'] === undefined ? null : Number(rssRow.extra['peakRssMB']);
  return [
    { target: '1M closure fit, cpu time / SciPy lm time', measured: closureCpu, goal: '≤ 1.0', met: closureCpu === null ? null : closureCpu <= 1 },
    { target: '1M expression fit, cpu time / SciPy lm time', measured: exprCpu, goal: '≤ 0.5', met: exprCpu === null ? null : exprCpu <= 0.5 },
    { target: '10M chunked / standard time', measured: chunked, goal: '≤ 1.3', met: chunked === null ? null : chunked <= 1.3 },
    { target: '50M streaming peak RSS (MB)', measured: rss, goal: '≤ 300', met: rss === null ? null : rss <= 300 },
    { target: 'fold p=8, wasm-simd vs cpu', measured: fold, goal: '≥ 2.5x', met: fold === null ? null : fold >= 2.5 },
    { target: 'gram p=8, wasm-simd vs cpu', measured: gram, goal: '≥ 2.5x', met: gram === null ? null : gram >= 2.5 },
    { target: '1M expression fit, default backend time / SciPy lm time', measured: fitTime, goal: '≤ 0.33', met: fitTime === null ? null : fitTime <= 0.33 },
    { target: 'per iteration vs ml-levenberg-marquardt', measured: perIt, goal: '≥ 50x', met: perIt === null ? null : perIt >= 50 },
  ];
}

/** Print the checks, one line each. */
export function printTargets(checks: readonly TargetCheck[]): void {
  process.stdout.write('\n== targets\n');
  for (const c of checks) {
    const state = c.met === null ? 'not measured' : c.met ? 'MET' : 'MISSED';
    const value = c.measured === null ? '—' : c.measured.toFixed(2);
    process.stdout.write(`${state.padEnd(12)} ${c.target}: ${value} (goal ${c.goal})\n`);
  }
}
