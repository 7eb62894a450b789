/**
 * Damped sine `a*exp(-gamma*x)*sin(omega*x + phi) + c`.
 *
 * Starting values: ω₀ from the zero crossings of the smoothed, mean-removed data (with
 * hysteresis against noise); then a grid over ω ∈ [0.7, 1.3]·ω₀ and γ ∈ {0} ∪ a log grid, where
 * for each pair the model is linear in (A, B, c) — A e^(−γx) sin ωx + B e^(−γx) cos ωx + c — and
 * solved by least squares; the pair with the smallest residual wins, and a = √(A² + B²),
 * φ = atan2(B, A).
 *
 * @module
 */

import { Model } from '../model.ts';
import { libraryOptions, type LibraryModelOptions } from './library-options.ts';
import { linearLeastSquares, sortByX, type SortedData } from './estimate.ts';

const INF = Infinity;

function frequencyFromCrossings(d: SortedData): number {
  const n = d.y.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += d.y[i]!;
  mean /= n;
  let sd = 0;
  for (let i = 0; i < n; i++) sd += (d.y[i]! - mean) ** 2;
  sd = Math.sqrt(sd / n);
  const band = 0.2 * sd;
  let state = 0;
  let crossings = 0;
  let first = NaN;
  let last = NaN;
  for (let i = 0; i < n; i++) {
    const v = d.y[i]! - mean;
    const s = v > band ? 1 : v < -band ? -1 : 0;
    if (s !== 0 && s !== state) {
      if (state !== 0) {
        crossings++;
        if (Number.isNaN(first)) first = d.x[i]!;
        last = d.x[i]!;
      }
      state = s;
    }
  }
  const span = d.x[n - 1]! - d.x[0]! || 1;
  if (crossings >= 2) return (Math.PI * (crossings - 1)) / (last - first);
  return (2 * Math.PI) / span;
}

function bestFit(d: SortedData, omega: number, gamma: number): { rss: number; A: number; B: number; c: number } {
  const n = d.x.length;
  const s = new Float64Array(n);
  const co = new Float64Array(n);
  const ones = new Float64Array(n).fill(1);
  const x0 = d.x[0]!;
  for (let i = 0; i < n; i++) {
    const e = Math.exp(-gamma * (d.x[i]! - x0));
    s[i] = e * Math.sin(omega * d.x[i]!);
    co[i] = e * Math.cos(omega * d.x[i]!);
  }
  const [A, B, c] = linearLeastSquares([s, co, ones], d.y);
  let rss = 0;
  for (let i = 0; i < n; i++) rss += (A! * s[i]! + B! * co[i]! + c! - d.y[i]!) ** 2;
  return { rss: Number.isFinite(rss) ? rss : INF, A: A! * Math.exp(gamma * x0), B: B! * Math.exp(gamma * x0), c: c! };
}

/**
 * Damped sine with offset, `a*exp(-gamma*x)*sin(omega*x + phi) + c`.
 * @returns the model (params a, gamma, omega, phi, c; a, omega ≥ 0 by default bounds).
 */
export function dampedSine(options: LibraryModelOptions = {}): Model {
  return new Model('a*exp(-gamma*x)*sin(omega*x + phi) + c', {
    ...libraryOptions('models.dampedSine', options),
    name: 'dampedSine',
    params: ['a', 'gamma', 'omega', 'phi', 'c'],
    estimateP0: (xs, ys) => {
      const d = sortByX(xs[0]!, ys, 'models.dampedSine.estimateP0', 5);
      const w0 = frequencyFromCrossings(d);
      const span = d.x[d.x.length - 1]! - d.x[0]! || 1;
      const gammas = [0, ...Array.from({ length: 16 }, (_, i) => (0.05 * 200 ** (i / 15)) / span)];
      let best = { rss: INF, A: 1, B: 0, c: 0, omega: w0, gamma: 0 };
      for (let k = 0; k <= 30; k++) {
        const omega = w0 * (0.7 + (0.6 * k) / 30);
        for (const gamma of gammas) {
          const f = bestFit(d, omega, gamma);
          if (f.rss < best.rss) best = { ...f, omega, gamma };
        }
      }
      return [Math.hypot(best.A, best.B), best.gamma, best.omega, Math.atan2(best.B, best.A), best.c];
    },
    defaultBounds: [[0, -INF, 0, -INF, -INF], [INF, INF, INF, INF, INF]],
  });
}
