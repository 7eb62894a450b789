/**
 * Peer: SciPy `curve_fit` through `bench/peers/scipy_curve_fit.py`, when `python3 -c "import scipy"`
 * works. Data go through raw float64 files in a temp dir; only the fit is timed, inside Python.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What the Python script prints. */
export interface ScipyResult {
  method: string;
  median_s: number;
  min_s: number;
  runs: number;
  nfev: number;
  popt: number[];
  n: number;
}

/** Why SciPy cannot be used here, or null when it can. */
export function scipyUnavailable(): string | null {
  const r = spawnSync('python3', ['-c', 'import scipy, numpy'], { encoding: 'utf8' });
  if (r.error) return `python3 not runnable: ${r.error.message}`;
  return r.status === 0 ? null : `python3 cannot import scipy: ${r.stderr.trim().split('\n').pop()}`;
}

/** Run curve_fit on (x, y) with the named model and method: `warmup` untimed fits, then `repeats` timed ones. */
export function runScipy(x: Float64Array, y: Float64Array, model: 'expdecay' | 'gauss_bg', p0: number[], method: 'lm' | 'trf', repeats: number, warmup = 0): ScipyResult {
  const dir = mkdtempSync(join(tmpdir(), 'nlsq-bench-'));
  try {
    writeFileSync(join(dir, 'x.f64'), new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
    writeFileSync(join(dir, 'y.f64'), new Uint8Array(y.buffer, y.byteOffset, y.byteLength));
    const script = join(dirname(fileURLToPath(import.meta.url)), 'scipy_curve_fit.py');
    const r = spawnSync('python3', [script, '--x', join(dir, 'x.f64'), '--y', join(dir, 'y.f64'), '--model', model, '--p0', p0.join(','), '--method', method, '--repeats', String(repeats), '--warmup', String(warmup)], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (r.status !== 0) throw new Error(`scipy_curve_fit.py failed: ${r.stderr || r.error?.message}`);
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as ScipyResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
