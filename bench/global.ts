/**
 * The `global` option, measured: a 32-start Sobol multi-start on the rugged set of issue 15 (a
 * bounded damped sine from a wrong frequency, two Gaussians started on the same peak, an
 * exponential whose rate is three orders off), beside SciPy `curve_fit` in a loop over the very
 * same starts (`peers/scipy_multistart.py`, `python3` on PATH), in one run. Each row carries the
 * evaluations spent and the best cost found. The search runs its starts as one batch on
 * `fitBatch`'s engine (`global/batch-starts.ts`; `engine` in the row says so); a third row per
 * problem is nlsq's own loop of `curveFit` over the same starts, the sequential path the batch
 * replaces.
 *
 * The CMA-ES rows (`benchCmaes`): the search of `global: 'cmaes'` (no polish) on the same problems
 * and on a 20 000-point damped sine, its generations evaluated as one population (one walk over
 * the data per generation, `BlockEvaluator.costs`) beside the same seeded search evaluated point
 * by point (the path before), round-robin in one run, on the CPU and the WASM backend; both give
 * the same search (the rows' `f` and `evaluations` agree).
 *
 * `npm run bench -- global`.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { curveFit } from '../src/curve-fit.ts';
import { resolveGlobal } from '../src/options/global-option.ts';
import { startBox } from '../src/global/start-box.ts';
import { startPoints } from '../src/global/multi-start.ts';
import { cmaesInBox } from '../src/global/cmaes-fit.ts';
import { resolveCurveFitOptions } from '../src/options/resolve-curve-fit.ts';
import { pointByPoint, withCurveFitCost } from '../src/run/cost-function.ts';
import { type BenchRow, measure, measureRoundRobin } from './harness.ts';
import { scipyUnavailable } from './peers/scipy.ts';

const noise = (i: number, a: number): number => a * Math.sin(i * 12.9898 + 78.233 * Math.cos(i));

interface Problem {
  readonly name: string;
  readonly python: string;
  readonly f: (t: number, ...b: number[]) => number;
  readonly x: number[];
  readonly y: number[];
  readonly p0: number[];
  readonly lb: number[];
  readonly ub: number[];
  readonly method: 'lm' | 'trf';
}

function problems(): Problem[] {
  const sx = Array.from({ length: 300 }, (_, i) => (i * 10) / 300);
  const sine = (t: number, A: number, k: number, w: number, phi: number): number => A * Math.exp(-k * t) * Math.sin(w * t + phi);
  const gx = Array.from({ length: 400 }, (_, i) => i * 0.05);
  const g2 = (t: number, a1: number, m1: number, s1: number, a2: number, m2: number, s2: number): number =>
    a1 * Math.exp(-0.5 * ((t - m1) / s1) ** 2) + a2 * Math.exp(-0.5 * ((t - m2) / s2) ** 2);
  const ex = Array.from({ length: 200 }, (_, i) => 0.1 + i * 0.05);
  const decay = (t: number, A: number, k: number): number => A * Math.exp(-k * t);
  const inf = Number.POSITIVE_INFINITY;
  return [
    { name: 'damped sine', python: 'damped_sine', f: sine as Problem['f'], x: sx, y: sx.map((t, i) => sine(t, 2, 0.05, 4, 0.5) + noise(i, 0.05)), p0: [2.5, 0.03, 1, 0], lb: [1.5, 0.02, 0, -4], ub: [3, 0.1, 10, 4], method: 'trf' },
    { name: 'two Gaussians', python: 'two_gaussians', f: g2 as Problem['f'], x: gx, y: gx.map((t, i) => g2(t, 3, 5, 0.4, 2, 14, 0.5) + noise(i, 0.01)), p0: [1, 5, 0.5, 1, 5.2, 0.5], lb: Array(6).fill(-inf), ub: Array(6).fill(inf), method: 'lm' },
    { name: 'exponential, rate 1e3 off', python: 'decay', f: decay as Problem['f'], x: ex, y: ex.map((t, i) => decay(t, 5, 1.2) + noise(i, 0.01)), p0: [1, 1200], lb: [0, 1e-5], ub: [100, 1e4], method: 'trf' },
  ];
}

function scipyLoop(p: Problem, starts: Float64Array[]): { medianMs: number; minMs: number; runs: number; nfev: number; cost: number | null; failed: number } {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'peers', 'scipy_multistart.py');
  const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);
  const input = JSON.stringify({ model: p.python, x: p.x, y: p.y, starts: starts.map((s) => Array.from(s)), lb: p.lb.map(finite), ub: p.ub.map(finite), method: p.method, repeats: 5, warmup: 1 });
  const r = spawnSync('python3', [script], { input, encoding: 'utf8', maxBuffer: 1 << 22 });
  if (r.status !== 0) throw new Error(`scipy_multistart.py failed: ${r.stderr || r.error?.message}`);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { median_s: number; min_s: number; runs: number; nfev: number; cost: number | null; failed: number };
  return { medianMs: out.median_s * 1e3, minMs: out.min_s * 1e3, runs: out.runs, nfev: out.nfev, cost: out.cost, failed: out.failed };
}

/**
 * The global-search rows: ours (`curveFit` with `global: { starts: 32, seed: 1 }`) and the SciPy loop over the same starts.
 * @param withPeers - run the SciPy loop too.
 */
export async function benchGlobal(withPeers: boolean): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const scipyReason = withPeers ? scipyUnavailable() : 'peers not requested';
  if (scipyReason !== null) process.stdout.write(`(SciPy peer skipped: ${scipyReason})\n`);
  const search = resolveGlobal({ starts: 32, seed: 1 }, 'bench')!;
  for (const p of problems()) {
    const options = { p0: p.p0, method: p.method, ...(p.method === 'lm' ? {} : { bounds: [p.lb, p.ub] as [number[], number[]] }), global: { starts: 32, seed: 1 } };
    const starts = startPoints(search, Float64Array.from(p.p0), startBox(p.p0, p.lb, p.ub));
    const peer = scipyReason === null ? `scipy loop, 32 starts: ${p.name}` : undefined;
    if (peer !== undefined) {
      const s = scipyLoop(p, starts);
      rows.push({ section: 'global', name: peer, impl: `scipy/${p.method}`, medianMs: s.medianMs, minMs: s.minMs, runs: s.runs, extra: { nfev: s.nfev, cost: s.cost === null ? 'none' : s.cost.toPrecision(6), failed: s.failed } });
    }
    let last: Record<string, number | string> = {};
    const t = await measure(async () => {
      const r = await curveFit(p.f, p.x, p.y, options);
      last = { evaluations: r.global!.evaluations, cost: r.cost.toPrecision(6), minima: r.global!.minima.length, winner: r.global!.winner, backend: r.backend, engine: r.global!.engine.kind };
    }, { warmup: 1, minRuns: 5, maxRuns: 5 });
    rows.push({ section: 'global', name: `nlsq global, 32 starts: ${p.name}`, impl: `nlsq/${String(last.backend)}`, ...t, ...(peer ? { peer } : {}), extra: last });
    const { global: _, ...local } = options;
    let loop: Record<string, number | string> = {};
    const l = await measure(async () => {
      let best = Infinity;
      let nfev = 0;
      for (const start of starts) {
        const r = await curveFit(p.f, p.x, p.y, { ...local, p0: start }).catch(() => null);
        if (r === null) continue;
        nfev += r.nfev;
        best = Math.min(best, r.cost);
      }
      loop = { evaluations: nfev, cost: best.toPrecision(6) };
    }, { warmup: 1, minRuns: 5, maxRuns: 5 });
    rows.push({ section: 'global', name: `nlsq loop of curveFit, 32 starts: ${p.name}`, impl: `nlsq/${String(last.backend)}`, ...l, peer: `nlsq global, 32 starts: ${p.name}`, extra: loop });
  }
  return rows;
}

/**
 * The CMA-ES rows: the search alone, each generation one population walk vs point by point.
 * @returns one pair of rows per problem and backend.
 */
export async function benchCmaes(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const sine = problems()[0]!;
  const bigX = Array.from({ length: 20_000 }, (_, i) => (i * 10) / 20_000);
  const big: Problem = { ...sine, name: 'damped sine, 20 000 points', x: bigX, y: bigX.map((t, i) => sine.f(t, 2, 0.05, 4, 0.5) + noise(i, 0.05)) };
  for (const backend of ['cpu', 'wasm'] as const) {
    for (const p of [...problems(), big]) {
      const search = resolveGlobal({ method: 'cmaes', seed: 1 }, 'bench')!;
      const box = startBox(p.p0, p.lb, p.ub);
      const resolved = resolveCurveFitOptions('curveFit', p.f, p.x, p.y, { p0: p.p0, backend, ...(p.lb.every((v) => v === -Infinity) ? {} : { bounds: [p.lb, p.ub] as [number[], number[]] }) });
      const x0 = Float64Array.from(p.p0);
      const seen: Record<string, number | string>[] = [{}, {}];
      const times = await withCurveFitCost(resolved, (costs) =>
        measureRoundRobin([
          async () => {
            const r = await cmaesInBox(search, box, x0, costs, undefined, 'bench');
            seen[0] = { evaluations: r.result.evaluations, f: r.result.f.toPrecision(8) };
          },
          async () => {
            const r = await cmaesInBox(search, box, x0, { one: costs.one, population: pointByPoint(costs.one) }, undefined, 'bench');
            seen[1] = { evaluations: r.result.evaluations, f: r.result.f.toPrecision(8) };
          },
        ], { warmup: 1, minRuns: 5, maxRuns: 5 }),
      );
      const single = `cmaes search, point by point: ${p.name} (${backend})`;
      rows.push({ section: 'global', name: `cmaes search, one walk per generation: ${p.name} (${backend})`, impl: `nlsq/${backend}`, ...times[0]!, peer: single, extra: seen[0]! });
      rows.push({ section: 'global', name: single, impl: `nlsq/${backend}`, ...times[1]!, extra: seen[1]! });
    }
  }
  return rows;
}
