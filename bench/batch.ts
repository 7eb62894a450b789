/**
 * `npm run bench -- batch`: fitBatch's WASM engine (the default: the whole lm loop in
 * WebAssembly, median of three runs) and its CPU engine (the reference) against a SciPy
 * `curve_fit` loop and nlsq's own `curveFitSync` loop, on the same fits in the same run; on
 * Gpufit's test the WASM row also says how far it is from the target (one WASM thread
 * ≥ 25× the SciPy loop).
 *
 * - Gpufit's test (Przybylski et al., Sci. Rep. 7:15722, 2017): a 2-D Gaussian with one width,
 *   5 parameters, 5×5 points, tolerance 1e-4, at most 10 iterations, 10⁵ fits. Iterations are
 *   capped through the evaluation count: lm with an exact Jacobian spends one evaluation per
 *   iteration (maxNfev 11 = start + 10), SciPy's lm differences the Jacobian (maxfev 66 = 11·(p+1)).
 * - 10⁴ 1-D Gaussians with offset (4 parameters, 50 points), default tolerances.
 * - 10⁴ 1-D Gaussians of 20–80 points through `offsets`.
 * - Bounded (method trf, bounds active for part of the fits): Gpufit's test with an upper bound
 *   on the offset below its true value (maxNfev 11, SciPy's trf max_nfev 11: its finite-difference
 *   Jacobian is not counted), and the 10⁴ 1-D Gaussians with upper bounds on the amplitude and
 *   the offset. The WASM engine runs its whole trf loop in WebAssembly (`assembly/trf-batch.ts`);
 *   the SciPy loop is `curve_fit(…, bounds=…)` (trf).
 *
 * The SciPy loop runs a subset (`SCIPY_FITS`) and is reported in fits/s; every ratio is fits/s
 * over fits/s. Rows report ms per 1000 fits as "median ms", so the harness's peer ratio is the
 * fits/s ratio.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { curveFitSync, fitBatch, model } from '../src/index.ts';
import type { BatchResult, FitBatchData, FitBatchOptions } from '../src/index.ts';
import { type BenchRow, gaussian, rng } from './harness.ts';
import { scipyUnavailable } from './peers/scipy.ts';

const SCIPY_FITS = 2000;
const LOOP_FITS = 2000;

/** One benchmark batch: model, data, starts and options. */
export interface Batch {
  readonly label: string;
  readonly model: ReturnType<typeof model>;
  readonly scipyModel: 'gauss2d5' | 'gauss1d4';
  readonly x: Float64Array[];
  readonly perPoint: boolean;
  readonly y: Float64Array;
  readonly offsets: Int32Array;
  readonly p0: Float64Array;
  readonly p: number;
  readonly options: { ftol?: number; xtol?: number; maxNfev?: number };
  readonly scipyMaxfev: number;
  /** lm, or trf with `bounds` (shared by every fit). */
  readonly method: 'lm' | 'trf';
  readonly bounds?: readonly [readonly number[], readonly number[]];
}

/** The same batch, bounded: method trf with shared bounds (SciPy: curve_fit with bounds, trf, `scipyMaxfev` function evaluations). */
function bounded(b: Batch, lb: number[], ub: number[], scipyMaxfev: number): Batch {
  return { ...b, label: `${b.label}, bounded (trf)`, method: 'trf', bounds: [lb, ub], scipyMaxfev };
}

/** Gpufit's own test set: nFits 2-D Gaussians on 5 × 5 pixels, 5 parameters, tolerance 1e-4, at most 10 iterations (also used by `webgpu.ts`). */
export function gpufitBatch(nFits: number): Batch {
  const u = rng(14);
  const g = gaussian(u);
  const gx = new Float64Array(25);
  const gy = new Float64Array(25);
  for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) ((gx[i * 5 + j] = j), (gy[i * 5 + j] = i));
  const y = new Float64Array(nFits * 25);
  const p0 = new Float64Array(nFits * 5);
  for (let f = 0; f < nFits; f++) {
    // Gpufit's example: amplitude 10, centre (2, 2) ± 0.2 px, width 0.4 px·5/4... here width 1, offset 1, noise σ = 0.1·√signal
    const t = [10, 2 + 0.2 * (u() - 0.5), 2 + 0.2 * (u() - 0.5), 1, 1];
    for (let q = 0; q < 25; q++) {
      const v = t[0]! * Math.exp(-((gx[q]! - t[1]!) ** 2 + (gy[q]! - t[2]!) ** 2) / (2 * t[3]! * t[3]!)) + t[4]!;
      y[f * 25 + q] = v + 0.1 * Math.sqrt(v) * g();
    }
    p0.set([t[0]! * (0.9 + 0.2 * u()), 2 + 0.4 * (u() - 0.5), 2 + 0.4 * (u() - 0.5), 1.2, 0.8], f * 5);
  }
  return {
    label: `Gpufit 2-D Gaussian (5×5, p = 5, tol 1e-4, ≤ 10 it), ${nFits} fits`,
    model: model('a*exp(-((x - x0)^2 + (y - y0)^2)/(2*s^2)) + b', { params: ['a', 'x0', 'y0', 's', 'b'], variables: ['x', 'y'] }),
    scipyModel: 'gauss2d5', x: [gx, gy], perPoint: false, y, offsets: Int32Array.from({ length: nFits + 1 }, (_, i) => i * 25), p0, p: 5,
    options: { ftol: 1e-4, xtol: 1e-4, maxNfev: 11 }, scipyMaxfev: 66, method: 'lm',
  };
}

function gauss1dBatch(nFits: number, variable: boolean): Batch {
  const u = rng(variable ? 2 : 1);
  const g = gaussian(u);
  const lengths = Array.from({ length: nFits }, () => (variable ? 20 + Math.floor(61 * u()) : 50));
  const offsets = new Int32Array(nFits + 1);
  for (let f = 0; f < nFits; f++) offsets[f + 1] = offsets[f]! + lengths[f]!;
  const total = offsets[nFits]!;
  const x = new Float64Array(variable ? total : 50);
  const y = new Float64Array(total);
  const p0 = new Float64Array(nFits * 4);
  for (let f = 0; f < nFits; f++) {
    const n = lengths[f]!;
    const t = [1 + u(), 0.5 * (u() - 0.5), 0.8 + 0.4 * u(), 0.2 * u()];
    for (let q = 0; q < n; q++) {
      const xq = -5 + (10 * q) / (n - 1);
      if (variable || f === 0) x[variable ? offsets[f]! + q : q] = xq;
      y[offsets[f]! + q] = t[0]! * Math.exp(-((xq - t[1]!) ** 2) / (2 * t[2]! * t[2]!)) + t[3]! + 0.02 * g();
    }
    p0.set([1, 0, 1, 0], f * 4);
  }
  return {
    label: variable ? `1-D Gaussian (p = 4, 20–80 points, offsets), ${nFits} fits` : `1-D Gaussian (p = 4, 50 points), ${nFits} fits`,
    model: model('a*exp(-(x - mu)^2/(2*s^2)) + b'), scipyModel: 'gauss1d4', x: [x], perPoint: variable, y, offsets, p0, p: 4, options: {}, scipyMaxfev: 0, method: 'lm',
  };
}

/** SciPy's curve_fit loop over the first `count` fits (python3 on PATH: pip's SciPy). */
function runScipyBatch(b: Batch, count: number): { fitsPerS: number; converged: number; raised: number; version: string } {
  const dir = mkdtempSync(join(tmpdir(), 'nlsq-batch-'));
  try {
    const x = new Float64Array(b.x.length * b.x[0]!.length);
    b.x.forEach((c, v) => x.set(c, v * c.length));
    const write = (name: string, a: Float64Array | Int32Array) => writeFileSync(join(dir, name), new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    write('x.f64', x);
    write('y.f64', b.y);
    write('offsets.i32', b.offsets);
    write('p0.f64', b.p0);
    const script = join(dirname(fileURLToPath(import.meta.url)), 'peers', 'scipy_batch.py');
    const args = [script, '--dir', dir, '--model', b.scipyModel, '--k', String(b.x.length), '--p', String(b.p), '--method', b.method, '--count', String(count)];
    if (b.bounds !== undefined) args.push('--lb', b.bounds[0].join(','), '--ub', b.bounds[1].join(','));
    if (b.perPoint) args.push('--per-point');
    if (b.options.ftol !== undefined) args.push('--ftol', String(b.options.ftol), '--xtol', String(b.options.xtol));
    if (b.scipyMaxfev > 0) args.push('--maxfev', String(b.scipyMaxfev));
    const r = spawnSync('python3', args, { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (r.status !== 0) throw new Error(`scipy_batch.py failed: ${r.stderr || r.error?.message}`);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { fits_per_s: number; converged: number; raised: number };
    const version = spawnSync('python3', ['-c', 'import scipy; print(scipy.__version__)'], { encoding: 'utf8' }).stdout.trim();
    return { fitsPerS: out.fits_per_s, converged: out.converged, raised: out.raised, version };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function row(section: string, name: string, impl: string, fitsPerS: number, extra: Record<string, number | string>, peer?: string): BenchRow {
  const ms = 1e6 / fitsPerS; // ms per 1000 fits
  return { section, name, impl, medianMs: ms, minMs: ms, runs: 1, ...(peer === undefined ? {} : { peer }), extra: { fitsPerS: Math.round(fitsPerS), ...extra } };
}

/** The target for one WASM thread on Gpufit's test: 25× the SciPy loop's fits/s (issue 14). */
const WASM_TARGET = 25;

/** fits/s of one fitBatch run (the median of `runs`), and the result of the last. */
async function timeBatch(b: Batch, data: FitBatchData, opts: FitBatchOptions, runs: number): Promise<{ fps: number; r: BatchResult }> {
  const nFits = b.offsets.length - 1;
  const rates: number[] = [];
  let r: BatchResult | null = null;
  for (let k = 0; k < runs; k++) {
    const t0 = performance.now();
    r = await fitBatch(b.model, data, opts);
    rates.push((1000 * nFits) / (performance.now() - t0));
  }
  rates.sort((x, y) => x - y);
  return { fps: rates[Math.floor(rates.length / 2)]!, r: r! };
}

async function benchOne(b: Batch, section: string, gpufit: boolean): Promise<BenchRow[]> {
  const nFits = b.offsets.length - 1;
  const data = b.perPoint ? { x: b.x[0]!, y: b.y, offsets: b.offsets } : { x: b.x.length === 1 ? b.x[0]! : b.x, y: b.y };
  const opts: FitBatchOptions = { p0: b.p0, method: b.method, ...b.options, ...(b.bounds === undefined ? {} : { bounds: [b.bounds[0], b.bounds[1]] }) };
  const w = Math.min(2000, nFits); // warm-up (JIT) on the first fits
  const end = b.offsets[w]!;
  const warm = b.perPoint ? { x: b.x[0]!.subarray(0, end), y: b.y.subarray(0, end), offsets: b.offsets.subarray(0, w + 1) } : { x: data.x, y: b.y.subarray(0, end) };
  await fitBatch(b.model, warm, { ...opts, p0: b.p0.subarray(0, w * b.p), engine: 'cpu' });
  // V8 runs wasm in its baseline tier first and optimizes hot functions in the background (which
  // a loaded machine delays): warm the WASM engine on the whole batch.
  await fitBatch(b.model, data, { ...opts, engine: 'wasm' });
  // The WASM engine (the default): the median of three runs; the CPU engine (the reference) once.
  const wasm = await timeBatch(b, data, { ...opts, engine: 'wasm' }, 3);
  const cpu = await timeBatch(b, data, { ...opts, engine: 'cpu' }, 1);
  const ws = wasm.r.summary();
  const cs = cpu.r.summary();
  const wasmRow = row(section, `fitBatch wasm engine — ${b.label}`, 'nlsq', wasm.fps, { engine: ws.engine, converged: ws.converged, failed: ws.failed }, 'scipy');
  const rows = [wasmRow, row(section, `fitBatch cpu engine — ${b.label}`, 'nlsq', cpu.fps, { engine: cs.engine, converged: cs.converged, failed: cs.failed, wasmOverCpu: Number((wasm.fps / cpu.fps).toFixed(2)) }, 'scipy')];
  const loopN = Math.min(LOOP_FITS, nFits);
  const t1 = performance.now();
  for (let i = 0; i < loopN; i++) {
    const lo = b.offsets[i]!;
    const hi = b.offsets[i + 1]!;
    const x = b.perPoint ? b.x[0]!.subarray(lo, hi) : b.x.length === 1 ? b.x[0]! : b.x;
    try {
      curveFitSync(b.model, x, b.y.subarray(lo, hi), { ...b.options, p0: b.p0.subarray(i * b.p, (i + 1) * b.p), method: b.method, ...(b.bounds === undefined ? {} : { bounds: [b.bounds[0], b.bounds[1]] }), backend: 'cpu' });
    } catch {
      /* counted like SciPy's raise: the loop goes on */
    }
  }
  const loopFps = (1000 * loopN) / (performance.now() - t1);
  rows.push(row(section, `curveFitSync loop (${loopN} fits) — ${b.label}`, 'nlsq', loopFps, {}, 'scipy'));
  const why = scipyUnavailable();
  if (why === null) {
    const sp = runScipyBatch(b, SCIPY_FITS);
    rows.push(row(section, 'scipy', `SciPy ${sp.version} curve_fit loop (python3)`, sp.fitsPerS, { fits: Math.min(SCIPY_FITS, nFits), converged: sp.converged, raised: sp.raised }));
    const ratio = wasm.fps / sp.fitsPerS;
    wasmRow.extra!['vsScipy'] = Number(ratio.toFixed(1));
    if (gpufit) wasmRow.extra!['ofTarget25x'] = `${(ratio / WASM_TARGET).toFixed(2)} (${ratio >= WASM_TARGET ? 'met' : 'not met'})`;
  } else process.stdout.write(`(SciPy peer skipped: ${why})\n`);
  // Each batch is its own section so that the 'scipy' peer row is the one of the same fits.
  return rows;
}

/**
 * Run the batch benchmarks.
 *
 * @param scale - 1 for the sizes (10⁵ Gpufit fits, 10⁴ 1-D fits).
 * @param only - run only the sections whose name contains this (e.g. `trf`), or all.
 * @returns rows; sections `batch-gpufit`, `batch-gauss1d`, `batch-variable`, `batch-gpufit-trf`, `batch-gauss1d-trf`.
 */
export async function benchBatch(scale = 1, only = ''): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const gpufit = gpufitBatch(Math.round(100_000 * scale));
  const gauss1d = gauss1dBatch(Math.round(10_000 * scale), false);
  const sections: [string, () => Batch, boolean][] = [
    ['batch-gpufit', () => gpufit, true],
    ['batch-gauss1d', () => gauss1d, false],
    ['batch-variable', () => gauss1dBatch(Math.round(10_000 * scale), true), false],
    // The offset's upper bound (true value 1) is active; the amplitude, centre and width are boxed loosely.
    ['batch-gpufit-trf', () => bounded(gpufit, [0, 0, 0, 0.2, 0], [15, 4, 4, 3, 0.95], 11), false],
    // Amplitudes 1 … 2 under ub 1.5, offsets 0 … 0.2 under ub 0.15: both bounds active for part of the fits.
    ['batch-gauss1d-trf', () => bounded(gauss1d, [0, -1, 0.5, 0], [1.5, 1, 2, 0.15], 0), false],
  ];
  for (const [section, make, isGpufit] of sections) if (section.includes(only)) rows.push(...(await benchOne(make(), section, isGpufit)));
  return rows;
}
