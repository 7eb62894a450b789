/** Test data shared by the batch suites: a grid, a seeded generator and batches of noisy Gaussians. */
import { model } from '../../src/model/model.ts';

/** a·exp(−(x − μ)²/(2s²)) + b. */
export const gauss = model('a*exp(-(x - mu)^2/(2*s^2)) + b');

/** n points evenly spaced on [lo, hi]. */
export const grid = (n: number, lo: number, hi: number): Float64Array => Float64Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));

/** The Park–Miller minimal standard generator, shifted to [−0.5, 0.5). */
export function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647 - 0.5;
}

/** nFits noisy Gaussians on x, fit f with amplitude 1 + f/nFits, centre drifting. */
export function gaussians(x: Float64Array, nFits: number, seed = 7): Float64Array {
  const r = lcg(seed);
  const n = x.length;
  const Y = new Float64Array(nFits * n);
  for (let f = 0; f < nFits; f++) for (let i = 0; i < n; i++) Y[f * n + i] = (1 + f / nFits) * Math.exp(-((x[i]! - 0.2 * Math.sin(f)) ** 2) / 2) + 0.1 + 0.02 * r();
  return Y;
}
