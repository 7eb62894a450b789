/**
 * Small fits, side by side with SciPy (`npm run bench -- small`, issue 13):
 *
 * - y = a·exp(−b·x) + c at N = 100 and 1,000 (`expression`: `model('a*exp(-b*x) + c')`;
 *   `closure`: the same as an arrow function, lifted), p0 = [1, 1, 0]: `await curveFit` and
 *   `curveFitSync` on the default backend, `curveFitSync` on a caller's wasm instance, beside
 *   SciPy `curve_fit` lm on the same data (`bench/peers/scipy_small.py`, `python3`). Ours run
 *   round-robin in this process, 30 untimed fits first; SciPy in its own process likewise.
 * - A cold process: import plus the first 100-point fit, in a fresh `node` (from `dist/` when
 *   built, else the sources through tsx — which adds transpiling) and a fresh `python3`; also the
 *   cost of importing acorn, the closure parser, on its own.
 * - A costly residual function: the calls `leastSquares` makes of a counting residual function
 *   ('2-point' Jacobian) for trf, dogbox and lm, beside SciPy `least_squares`' calls.
 *
 * Targets (issue 13): `await curveFit` ≤ 0.5× SciPy lm, `curveFitSync` ≤ 0.3×, a lifted closure
 * ≤ 1×; nlsq's calls ≤ SciPy's.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BenchRow, measureRoundRobin } from './harness.ts';
import { scipyUnavailable } from './peers/scipy.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SCRIPT = join(ROOT, 'bench', 'peers', 'scipy_small.py');

/** The data of `scipy_small.py`: y = 3 exp(−1.2 x) + 0.5 + 0.01 sin(7.3 i) on x ∈ [0, 5]. */
export function smallData(n: number): { x: Float64Array; y: Float64Array } {
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = (5 * i) / (n - 1);
    y[i] = 3 * Math.exp(-1.2 * x[i]!) + 0.5 + 0.01 * Math.sin(7.3 * i);
  }
  return { x, y };
}

function python(args: string[]): Record<string, unknown> {
  const r = spawnSync('python3', [SCRIPT, ...args], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`scipy_small.py ${args[0]} failed: ${r.stderr || r.error?.message}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

type Lib = typeof import('../src/index.ts');

/**
 * The small-fit rows at each size, with SciPy lm as the peer.
 * @param sizes - numbers of points.
 * @param runs - timed runs per body.
 */
export async function benchSmallFits(sizes: readonly number[], runs: number): Promise<BenchRow[]> {
  const lib: Lib = await import('../src/index.ts');
  const rows: BenchRow[] = [];
  const reason = scipyUnavailable();
  const scipy = reason === null ? python(['small', '--sizes', sizes.join(','), '--repeats', String(runs)]) : null;
  if (reason !== null) process.stdout.write(`(SciPy peer skipped: ${reason})\n`);
  const wasm = await lib.createWasmBackend();
  const expression = lib.model('a*exp(-b*x) + c');
  const closure = (t: number, a: number, b: number, c: number): number => a * Math.exp(-b * t) + c;
  for (const n of sizes) {
    const { x, y } = smallData(n);
    const opts = { p0: [1, 1, 0] };
    const peer = `scipy curve_fit lm N=${n}`;
    const s = scipy?.[String(n)] as { median_s: number; min_s: number; runs: number } | undefined;
    if (s !== undefined) rows.push({ section: 'small', name: peer, impl: `scipy ${String(scipy!['scipy'])}`, medianMs: s.median_s * 1e3, minMs: s.min_s * 1e3, runs: s.runs });
    const cases: { name: string; run: () => Promise<{ backend: string; nfev: number }> | { backend: string; nfev: number } }[] = [
      { name: `await curveFit expression N=${n}`, run: () => lib.curveFit(expression, x, y, opts) },
      { name: `curveFitSync expression N=${n}`, run: () => lib.curveFitSync(expression, x, y, opts) },
      { name: `curveFitSync expression (wasm instance) N=${n}`, run: () => lib.curveFitSync(expression, x, y, { ...opts, backend: wasm }) },
      { name: `await curveFit closure N=${n}`, run: () => lib.curveFit(closure, x, y, opts) },
      { name: `curveFitSync closure N=${n}`, run: () => lib.curveFitSync(closure, x, y, opts) },
      { name: `curveFitSync closure (wasm instance) N=${n}`, run: () => lib.curveFitSync(closure, x, y, { ...opts, backend: wasm }) },
    ];
    const last: { backend: string; nfev: number; model: string }[] = cases.map(() => ({ backend: '', nfev: 0, model: '' }));
    const times = await measureRoundRobin(
      cases.map((c, i) => async () => {
        const r = (await c.run()) as { backend: string; nfev: number; choices: { model?: { used: string } } };
        last[i] = { backend: r.backend, nfev: r.nfev, model: r.choices.model?.used ?? 'expression' };
      }),
      { warmup: 30, minRuns: runs, maxRuns: runs },
    );
    cases.forEach((c, i) => rows.push({ section: 'small', name: c.name, impl: `nlsq/${last[i]!.backend}`, ...times[i]!, ...(s ? { peer } : {}), extra: { nfev: last[i]!.nfev, model: last[i]!.model } }));
  }
  return rows;
}

/** Milliseconds a fresh `node` spends on `code` (an ES module body that prints a JSON `{ ms }`). */
function nodeCold(code: string, viaTsx: boolean): number {
  const args = [...(viaTsx ? ['--import', 'tsx'] : []), '--input-type=module', '-e', code];
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cold node run failed: ${r.stderr}`);
  return (JSON.parse(r.stdout.trim().split('\n').pop()!) as { ms: number }).ms;
}

/**
 * A cold process: import + first 100-point fit, nlsq (median of 5 fresh processes) beside SciPy
 * (median of 3), and the import of acorn alone.
 */
export function benchCold(): BenchRow[] {
  const built = existsSync(join(ROOT, 'dist', 'index.js'));
  const entry = pathToFileURL(join(ROOT, built ? 'dist/index.js' : 'src/index.ts')).href;
  const fit =
    `const t0 = performance.now(); const lib = await import(${JSON.stringify(entry)});` +
    'const n = 100, x = new Float64Array(n), y = new Float64Array(n);' +
    'for (let i = 0; i < n; i++) { x[i] = 5 * i / (n - 1); y[i] = 3 * Math.exp(-1.2 * x[i]) + 0.5 + 0.01 * Math.sin(7.3 * i); }' +
    `await lib.curveFit(lib.model('a*exp(-b*x) + c'), x, y, { p0: [1, 1, 0] });` +
    'console.log(JSON.stringify({ ms: performance.now() - t0 }));';
  const acorn = `const t0 = performance.now(); await import('acorn'); console.log(JSON.stringify({ ms: performance.now() - t0 }));`;
  const median = (v: number[]): number => v.sort((a, b) => a - b)[v.length >> 1]!;
  const ours = Array.from({ length: 5 }, () => nodeCold(fit, !built));
  const parser = Array.from({ length: 5 }, () => nodeCold(acorn, false));
  const peer = 'python3: import numpy, scipy.optimize + first curve_fit lm';
  const rows: BenchRow[] = [];
  if (scipyUnavailable() === null) {
    const py = Array.from({ length: 3 }, () => Number(python(['cold'])['import_and_first_fit_s']) * 1e3);
    rows.push({ section: 'small', name: peer, impl: 'scipy', medianMs: median([...py]), minMs: Math.min(...py), runs: py.length });
  }
  rows.push({ section: 'small', name: `node: import nlsq + first await curveFit N=100${built ? '' : ' (src via tsx, includes transpiling)'}`, impl: 'nlsq', medianMs: median([...ours]), minMs: Math.min(...ours), runs: ours.length, peer });
  rows.push({ section: 'small', name: 'node: import acorn (the closure parser) alone', impl: 'acorn', medianMs: median([...parser]), minMs: Math.min(...parser), runs: parser.length });
  return rows;
}

/**
 * A costly residual function (counting calls): `leastSquares` with '2-point' differences for
 * trf, dogbox and lm on the 200-point exp-decay, beside SciPy `least_squares` on the same.
 */
export async function benchCalls(n = 200): Promise<BenchRow[]> {
  const lib: Lib = await import('../src/index.ts');
  const { x, y } = smallData(n);
  const scipy = scipyUnavailable() === null ? python(['calls', '--n', String(n)]) : null;
  const rows: BenchRow[] = [];
  for (const method of ['trf', 'dogbox', 'lm'] as const) {
    let calls = 0;
    const fun = (p: Float64Array): Float64Array => {
      calls += 1;
      const r = new Float64Array(n);
      for (let i = 0; i < n; i++) r[i] = p[0]! * Math.exp(-p[1]! * x[i]!) + p[2]! - y[i]!;
      return r;
    };
    const t0 = performance.now();
    const r = await lib.leastSquares(fun, [1, 1, 0], { method });
    const ms = performance.now() - t0;
    const s = scipy?.[method] as { calls: number; nfev: number } | undefined;
    rows.push({
      section: 'calls',
      name: `costly residual, ${method}: calls of fun`,
      impl: 'nlsq',
      medianMs: ms,
      minMs: ms,
      runs: 1,
      extra: { calls, nfev: r.nfev, njev: r.njev, ...(s ? { scipyCalls: s.calls, scipyNfev: s.nfev, ok: calls <= s.calls ? 'calls ≤ SciPy' : 'MORE than SciPy' } : {}) },
    });
  }
  return rows;
}
