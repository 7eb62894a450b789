/**
 * Shared data and file writers of the columnar-source tests (Parquet, Arrow, HDF5): one
 * deterministic data set — the exponential decay of `streaming-helpers.ts` with a second x
 * column, an integer column and a float32 column — written by each library's own writer with
 * several row groups / record batches / chunks.
 */
import { expData } from './streaming-helpers.ts';

/** n points of y = a·exp(−b·t) + c with σ, plus `k` (integers) and `t32` (t as float32). */
export function columnarData(n: number, seed = 11): { t: Float64Array; y: Float64Array; sigma: Float64Array; k: Int32Array; t32: Float32Array } {
  const d = expData(n, seed);
  return { t: d.x, y: d.y, sigma: d.sigma, k: Int32Array.from(d.x, (_, i) => i), t32: Float32Array.from(d.x) };
}

/** Concatenate the y (and, if asked, the x) of every chunk of one pass. */
export async function readColumns(source: AsyncIterable<{ x: unknown; y: ArrayLike<number>; sigma?: ArrayLike<number> | null | undefined }>): Promise<{ y: number[]; x: number[][]; sigma: number[]; chunks: number }> {
  const y: number[] = [];
  const x: number[][] = [];
  const sigma: number[] = [];
  let chunks = 0;
  for await (const c of source) {
    chunks++;
    y.push(...Array.from(c.y));
    const xs = (Array.isArray(c.x) && ArrayBuffer.isView(c.x[0]) ? c.x : [c.x]) as ArrayLike<number>[];
    xs.forEach((col, j) => (x[j] ??= []).push(...Array.from(col)));
    if (c.sigma) sigma.push(...Array.from(c.sigma));
  }
  return { y, x, sigma, chunks };
}
