/**
 * Kernel benchmarks per backend at N rows: the Householder fold of augmented blocks, the Gram
 * accumulation (JᵀJ, Jᵀr, rᵀr), and sum of squares; plus a block-size sweep for the fold.
 *
 * Fold and gram are timed as a data walk does them: for every block, the block's rows are written
 * into the backend's workspace (the model evaluation's write, here a copy from a source array)
 * and then folded / accumulated. The `fill` row times the copies alone.
 */
import type { Backend } from '../src/backends/backend.ts';
import { createCpuBackend } from '../src/backends/cpu/cpu-backend.ts';
import { type BenchRow, measure, measureRoundRobin, rng } from './harness.ts';

/** Backends to benchmark (the wasm ones when they load). */
export async function kernelBackends(): Promise<Backend[]> {
  const list: Backend[] = [createCpuBackend()];
  try {
    const { createWasmBackend, wasmSupport } = await import('../src/backends/wasm/wasm-backend.ts');
    const support = await wasmSupport();
    if (support.simd) list.push(await createWasmBackend({ simd: true }));
    if (support.scalar) list.push(await createWasmBackend({ simd: false }));
    if (!support.simd) process.stdout.write(`(wasm-simd skipped: ${support.reason})\n`);
  } catch (e) {
    process.stdout.write(`(wasm backends skipped: ${(e as Error).message})\n`);
  }
  return list;
}

function sourceData(n: number, cols: number): Float64Array {
  const u = rng(12345 + cols);
  const a = new Float64Array(n * cols);
  for (let i = 0; i < a.length; i++) a[i] = u() * 2 - 1;
  return a;
}

/** Walk `src` in blocks of `block` rows: copy each into the workspace, then run `kernel`. */
function walk(b: Backend, src: Float64Array, n: number, cols: number, block: number, kernel: 'fold' | 'gram' | 'fill'): number {
  const ws = b.createWorkspace(block, cols);
  const T = new Float64Array(cols * cols);
  for (let s = 0; s < n; s += block) {
    const rows = Math.min(block, n - s);
    ws.data().set(src.subarray(s * cols, (s + rows) * cols));
    if (kernel === 'fold') b.foldRows(T, ws, rows);
    else if (kernel === 'gram') b.gram(T, ws, rows);
  }
  b.releaseWorkspace(ws);
  return T[0]!;
}

/**
 * Kernel rows for every backend and p in `ps` at `n` rows (blocks of `block` rows).
 * Each wasm row names the cpu row of the same kernel as its peer.
 */
export async function benchKernels(backends: Backend[], n: number, ps: number[], block: number): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const quick = { warmup: 1, minRuns: 5, maxRuns: 9, minTimeMs: 0 };
  for (const p of ps) {
    const cols = p + 1;
    const src = sourceData(n, cols);
    for (const kernel of ['fold', 'gram', 'fill'] as const) {
      const times = await measureRoundRobin(backends.map((b) => () => walk(b, src, n, cols, block, kernel)), quick);
      for (const [i, b] of backends.entries()) {
        const t = times[i]!;
        rows.push({ section: 'kernels', name: `${kernel} p=${p} ${b.info.name}`, impl: b.info.name, ...t, ...(b.info.name !== 'cpu' && kernel !== 'fill' ? { peer: `${kernel} p=${p} cpu` } : {}), extra: { N: n, block } });
      }
    }
  }
  rows.push(...(await benchSumSquares(backends, n)));
  return rows;
}

/** Sum of squares of n doubles: on a plain array (wasm copies it in chunks) and wasm-resident. */
async function benchSumSquares(backends: Backend[], n: number): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const quick = { warmup: 2, minRuns: 7, maxRuns: 30, minTimeMs: 300 };
  const flat = sourceData(n, 1);
  const plain = await measureRoundRobin(backends.map((b) => () => b.sumSquares(flat, 0, n)), { warmup: 3, minRuns: 15, maxRuns: 31 });
  for (const [i, b] of backends.entries()) {
    const t = plain[i]!;
    rows.push({ section: 'kernels', name: `sumSquares ${b.info.name}`, impl: b.info.name, ...t, ...(b.info.name !== 'cpu' ? { peer: 'sumSquares cpu' } : {}), extra: { N: n, copy: b.info.name === 'cpu' ? 'none' : 'chunked' } });
    if (b.info.family !== 'wasm') continue;
    const ws = b.createWorkspace(n, 1);
    ws.data().set(flat);
    const tr = await measure(() => b.sumSquares(ws.data(), 0, n), quick);
    rows.push({ section: 'kernels', name: `sumSquares resident ${b.info.name}`, impl: b.info.name, ...tr, peer: 'sumSquares cpu', extra: { N: n, copy: 'zero-copy' } });
    b.releaseWorkspace(ws);
  }
  return rows;
}

/** Fold time per block size at p (cpu and the first wasm backend), to pick the data walk's block. */
export async function benchBlockSizes(backends: Backend[], n: number, p: number, sizes: number[]): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const cols = p + 1;
  const src = sourceData(n, cols);
  for (const b of backends.slice(0, 2)) {
    const times = await measureRoundRobin(sizes.map((block) => () => walk(b, src, n, cols, block, 'fold')), { warmup: 1, minRuns: 5, maxRuns: 7 });
    for (const [i, block] of sizes.entries()) {
      const t = times[i]!;
      rows.push({ section: 'blocks', name: `fold p=${p} block=${block} ${b.info.name}`, impl: b.info.name, ...t, extra: { N: n, block, Mrows_per_s: n / t.medianMs / 1e3 } });
    }
  }
  return rows;
}
