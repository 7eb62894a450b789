/**
 * Whole-fit benchmarks and peers:
 * - y = a·exp(−b·x) + c on 1M points (true 3.0, 1.2, 0.5, noise σ = 0.01, x in [0, 5],
 *   p0 = [1, 1, 0]) as a JS closure (lifted to an expression model; `bench -- closure` adds
 *   `lift: false`, per point with finite differences) and as an expression model
 *   (exact Jacobian), on cpu, wasm and the default backend;
 * - a Gaussian plus linear background (5 parameters) on 10M points, expression model;
 * - peers on the same data: SciPy curve_fit (lm, trf) and ml-levenberg-marquardt (per iteration).
 *
 * `curveFit` and `model` are imported lazily: if they are not there yet the section is skipped
 * with the reason.
 */
import type { Backend } from '../src/backends/backend.ts';
import { type BenchRow, gaussian, measure, rng } from './harness.ts';
import { benchMlLm } from './peers/ml-lm.ts';
import { runScipy, type ScipyResult, scipyUnavailable } from './peers/scipy.ts';

type AnyFit = (f: unknown, x: Float64Array, y: Float64Array, o: Record<string, unknown>) => Promise<{ popt: number[]; nfev: number; njev: number; success: boolean }>;

interface Lib {
  curveFit: AnyFit;
  model: (expr: string, o?: Record<string, unknown>) => unknown;
}

/** Load curveFit and model, or say why not. */
export async function loadFitLibrary(): Promise<Lib | string> {
  try {
    const cf = await import('../src/curve-fit.ts');
    const md = await import('../src/model/model.ts');
    return { curveFit: cf.curveFit as unknown as AnyFit, model: md.model as unknown as Lib['model'] };
  } catch (e) {
    return `curveFit/model could not be imported: ${(e as Error).message}`;
  }
}

/** The exponential-decay data set. */
export function expDecayData(n: number): { x: Float64Array; y: Float64Array } {
  const u = rng(7);
  const g = gaussian(u);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = (5 * i) / (n - 1);
    y[i] = 3.0 * Math.exp(-1.2 * x[i]!) + 0.5 + 0.01 * g();
  }
  return { x, y };
}

/** A Gaussian peak on a linear background: a=5, mu=2, s=0.7, b0=1, b1=0.3, x in [−5, 10]. */
export function gaussBgData(n: number): { x: Float64Array; y: Float64Array } {
  const g = gaussian(rng(11));
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = -5 + (15 * i) / (n - 1);
    x[i] = t;
    y[i] = 5 * Math.exp(-((t - 2) ** 2) / (2 * 0.49)) + 1 + 0.3 * t + 0.05 * g();
  }
  return { x, y };
}

const once = { warmup: 1, minRuns: 3, maxRuns: 5, minTimeMs: 0 };

async function fitRow(lib: Lib, label: string, f: unknown, x: Float64Array, y: Float64Array, opts: Record<string, unknown>, peer: string | undefined, timing = once): Promise<BenchRow> {
  let last: Awaited<ReturnType<AnyFit>> | null = null;
  // Time between consecutive onIteration calls: one solver iteration (its trial evaluations with
  // their Jacobian, and the small p×p work), without the per-fit set-up and result passes.
  const intervals: number[] = [];
  let previous = -1;
  const onIteration = (): void => {
    const now = performance.now();
    if (previous >= 0) intervals.push(now - previous);
    previous = now;
  };
  const t = await measure(async () => {
    previous = -1;
    last = await lib.curveFit(f, x, y, { ...opts, onIteration });
  }, timing);
  const r = last! as Awaited<ReturnType<AnyFit>>;
  const backend = opts.backend ? (opts.backend as Backend).info.name : 'default';
  const iterationMs = intervals.length === 0 ? NaN : median(intervals);
  return {
    section: 'fits', name: label, impl: `nlsq/${backend}`, ...t, ...(peer ? { peer } : {}),
    extra: { nfev: r.nfev, njev: r.njev, msPerNfev: t.medianMs / r.nfev, iterationMs, popt: r.popt.map((v) => v.toPrecision(6)).join(',') },
  };
}

/** One row from SciPy runs (each run's own median; the row's median is over runs). */
function scipyRow(name: string, method: string, runs: readonly ScipyResult[]): BenchRow {
  const last = runs[runs.length - 1]!;
  const ms = runs.map((r) => r.median_s * 1e3);
  const med = median(ms);
  return {
    section: 'fits', name, impl: `scipy/${method}`, medianMs: med, minMs: Math.min(...runs.map((r) => r.min_s * 1e3)), runs: runs.reduce((a, r) => a + r.runs, 0),
    extra: { nfev: last.nfev, msPerNfev: med / last.nfev, popt: last.popt.map((v) => v.toPrecision(6)).join(',') },
  };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 === 1 ? s[h]! : 0.5 * (s[h - 1]! + s[h]!);
}

/**
 * The 1M-point exponential-decay fits on each backend plus peers.
 * @param withPeers - run SciPy and ml-levenberg-marquardt too.
 */
export async function benchExpDecay(lib: Lib, backends: Backend[], n: number, withPeers: boolean): Promise<BenchRow[]> {
  const { x, y } = expDecayData(n);
  const p0 = [1, 1, 0];
  const rows: BenchRow[] = [];
  const scipyReason = withPeers ? scipyUnavailable() : 'peers not requested';
  const peer = scipyReason === null ? `scipy lm expdecay n=${n}` : undefined;
  if (scipyReason !== null) process.stdout.write(`(SciPy peer skipped: ${scipyReason})\n`);
  const expr = lib.model('a*exp(-b*x) + c');
  const closure = (t: number, a: number, b: number, c: number) => a * Math.exp(-b * t) + c;
  // The headline ratio: SciPy lm and the default-backend fit alternate run by run, so that the
  // machine's drift hits both alike. Each side is timed the same way: one untimed warm-up fit
  // right before the timed one (SciPy's inside its Python process, ours after that process ended).
  const lmRuns: ScipyResult[] = [];
  const warmOurs = () => lib.curveFit(expr, x, y, { p0 });
  const interleaved = { warmup: 1, minRuns: 7, maxRuns: 7, minTimeMs: 0, ...(peer === undefined ? {} : { setup: async () => {
    lmRuns.push(runScipy(x, y, 'expdecay', p0, 'lm', 1, 1));
    await warmOurs();
  } }) };
  const headline = await fitRow(lib, `expression expdecay n=${n} default`, expr, x, y, { p0 }, peer, interleaved);
  if (peer !== undefined) {
    rows.push(scipyRow(`scipy lm expdecay n=${n}`, 'lm', lmRuns.slice(1)));
    rows.push(scipyRow(`scipy trf expdecay n=${n}`, 'trf', [runScipy(x, y, 'expdecay', p0, 'trf', 3, 1)]));
  }
  rows.push(headline);
  for (const b of backends) {
    rows.push(await fitRow(lib, `expression expdecay n=${n} ${b.info.name}`, expr, x, y, { p0, backend: b }, peer));
    rows.push(await fitRow(lib, `closure expdecay n=${n} ${b.info.name}`, closure, x, y, { p0, backend: b }, peer));
    rows.push(await fitRow(lib, `expression lm expdecay n=${n} ${b.info.name}`, expr, x, y, { p0, backend: b, method: 'lm' }, peer));
  }
  if (withPeers) {
    // Per iteration against ml-levenberg-marquardt: its rounds alternate with default-backend fits
    // of ours (one untimed warm-up each), whose iteration intervals make the default row; the
    // other backends' rows take the intervals of their fits above.
    const perRound: number[] = [];
    let last: BenchRow | null = null;
    const ours = async (): Promise<void> => {
      await warmOurs();
      last = await fitRow(lib, `nlsq expdecay n=${n} default (per iteration)`, expr, x, y, { p0 }, undefined, { warmup: 0, minRuns: 1, maxRuns: 1, minTimeMs: 0 });
      perRound.push(Number(last.extra!.iterationMs));
    };
    const mlName = `ml-levenberg-marquardt expdecay n=${n} (per iteration)`;
    const ml = await benchMlLm(x, y, p0, ([a, b, c]) => (t) => a! * Math.exp(-b! * t) + c!, ours);
    rows.push({ section: 'fits', name: mlName, impl: 'ml-lm', medianMs: ml.perIterationMs, minMs: ml.minMs, runs: ml.runs, extra: { method: ml.method } });
    const sorted = [...perRound].sort((a, b) => a - b);
    rows.push({ ...last!, medianMs: sorted[sorted.length >> 1]!, minMs: sorted[0]!, runs: perRound.length, peer: mlName });
    for (const b of backends) {
      const fitted = rows.find((r) => r.name === `expression expdecay n=${n} ${b.info.name}`)!;
      const perIteration = Number(fitted.extra!.iterationMs);
      rows.push({ ...fitted, name: `nlsq expdecay n=${n} ${b.info.name} (per iteration)`, medianMs: perIteration, minMs: perIteration, peer: mlName });
    }
  }
  return rows;
}

/** The 10M-point Gaussian + background fit (expression) on each backend, plus SciPy trf. */
export async function benchGaussBg(lib: Lib, backends: Backend[], n: number, withPeers: boolean): Promise<BenchRow[]> {
  const { x, y } = gaussBgData(n);
  const p0 = [4, 1.5, 1, 0.5, 0];
  const rows: BenchRow[] = [];
  const peer = withPeers && scipyUnavailable() === null ? `scipy lm gauss_bg n=${n}` : undefined;
  if (peer) {
    const s = runScipy(x, y, 'gauss_bg', p0, 'lm', 1);
    rows.push({ section: 'fits', name: peer, impl: 'scipy/lm', medianMs: s.median_s * 1e3, minMs: s.min_s * 1e3, runs: s.runs, extra: { nfev: s.nfev, popt: s.popt.map((v) => v.toPrecision(6)).join(',') } });
  }
  const expr = lib.model('a*exp(-(x - mu)^2/(2*s^2)) + b0 + b1*x', { params: ['a', 'mu', 's', 'b0', 'b1'] });
  const single = { warmup: 0, minRuns: 1, maxRuns: 1, minTimeMs: 0 };
  for (const b of backends) rows.push(await fitRow(lib, `expression gauss_bg n=${n} ${b.info.name}`, expr, x, y, { p0, backend: b }, peer, single));
  return rows;
}
