/**
 * Exponential and power-law models.
 *
 * Starting values come from regressions that use all the data: the integral method for an
 * exponential with offset (see `exponentialOffsetFit`), a second-order integral equation for two
 * exponentials, and a log–log line for the power law.
 *
 * @module
 */

import { Model } from '../model.ts';
import { libraryOptions, type LibraryModelOptions } from './library-options.ts';
import { cumulativeIntegral, edgeMean, exponentialOffsetFit, lineFit, linearLeastSquares, sortByX } from './estimate.ts';

const INF = Infinity;

/** Fallback exponential estimate when the integral method is degenerate. */
function roughExponential(x: Float64Array, y: Float64Array, sign: number): [number, number, number] {
  const span = x[x.length - 1]! - x[0]! || 1;
  const c = edgeMean(y, sign < 0);
  const a0 = edgeMean(y, sign > 0) - c;
  const rate = (sign * 3) / span;
  return [a0 * Math.exp(-rate * (sign < 0 ? x[0]! : x[x.length - 1]!)), rate, c];
}

/**
 * Exponential decay with offset, `a*exp(-k*x) + c` (NLSQ's `exponential_decay`).
 * @returns the model (params a, k, c; k ≥ 0 by default bounds).
 */
export function exponentialDecay(options: LibraryModelOptions = {}): Model {
  return new Model('a*exp(-k*x) + c', {
    ...libraryOptions('models.exponentialDecay', options),
    name: 'exponentialDecay',
    params: ['a', 'k', 'c'],
    estimateP0: (xs, ys) => {
      const { x, y } = sortByX(xs[0]!, ys, 'models.exponentialDecay.estimateP0', 3);
      let [a, r, c] = exponentialOffsetFit(x, y);
      if (!(r < 0) || !Number.isFinite(a)) [a, r, c] = roughExponential(x, y, -1);
      return [a, -r, c];
    },
    defaultBounds: [[-INF, 0, -INF], [INF, INF, INF]],
  });
}

/**
 * Exponential growth with offset, `a*exp(k*x) + c` (NLSQ's `exponential_growth`).
 * @returns the model (params a, k, c; k ≥ 0 by default bounds).
 */
export function exponentialGrowth(options: LibraryModelOptions = {}): Model {
  return new Model('a*exp(k*x) + c', {
    ...libraryOptions('models.exponentialGrowth', options),
    name: 'exponentialGrowth',
    params: ['a', 'k', 'c'],
    estimateP0: (xs, ys) => {
      const { x, y } = sortByX(xs[0]!, ys, 'models.exponentialGrowth.estimateP0', 3);
      let [a, r, c] = exponentialOffsetFit(x, y);
      if (!(r > 0) || !Number.isFinite(a)) [a, r, c] = roughExponential(x, y, 1);
      return [a, r, c];
    },
    defaultBounds: [[-INF, 0, -INF], [INF, INF, INF]],
  });
}

/**
 * Rates of y = a₁e^(−k₁x) + a₂e^(−k₂x) + c from the integral form of y'' + (k₁+k₂)y' + k₁k₂(y−c) = 0:
 * y = α + βt + γt² − (k₁+k₂)·S₁ − k₁k₂·S₂ with S₁ = ∫y, S₂ = ∬y, t = x − x₀.
 */
function twoRates(x: Float64Array, y: Float64Array): [number, number] | null {
  const s1 = cumulativeIntegral(x, y);
  const s2 = cumulativeIntegral(x, s1);
  const t = Float64Array.from(x, (v) => v - x[0]!);
  const t2 = Float64Array.from(t, (v) => v * v);
  const ones = new Float64Array(x.length).fill(1);
  const [p, q] = linearLeastSquares([s1, s2, ones, t, t2], y);
  const sum = -p!;
  const prod = -q!;
  const disc = sum * sum - 4 * prod;
  if (!Number.isFinite(disc) || disc <= 0 || sum <= 0 || prod <= 0) return null;
  const root = Math.sqrt(disc);
  return [(sum + root) / 2, (sum - root) / 2];
}

/**
 * Two exponentials with offset, `a1*exp(-k1*x) + a2*exp(-k2*x) + c` (fast phase first).
 * @returns the model (params a1, k1, a2, k2, c; rates ≥ 0 by default bounds).
 */
export function doubleExponential(options: LibraryModelOptions = {}): Model {
  return new Model('a1*exp(-k1*x) + a2*exp(-k2*x) + c', {
    ...libraryOptions('models.doubleExponential', options),
    name: 'doubleExponential',
    params: ['a1', 'k1', 'a2', 'k2', 'c'],
    estimateP0: (xs, ys) => {
      const { x, y } = sortByX(xs[0]!, ys, 'models.doubleExponential.estimateP0', 5);
      let rates = twoRates(x, y);
      if (rates === null) {
        let [, r] = exponentialOffsetFit(x, y);
        if (!(r < 0)) r = -3 / (x[x.length - 1]! - x[0]! || 1);
        rates = [-3 * r, -r / 3];
      }
      const [k1, k2] = rates;
      const e1 = Float64Array.from(x, (v) => Math.exp(-k1 * (v - x[0]!)));
      const e2 = Float64Array.from(x, (v) => Math.exp(-k2 * (v - x[0]!)));
      const [b1, b2, c] = linearLeastSquares([e1, e2, new Float64Array(x.length).fill(1)], y);
      return [b1! * Math.exp(k1 * x[0]!), k1, b2! * Math.exp(k2 * x[0]!), k2, c!].map((v) => (Number.isFinite(v) ? v : 1));
    },
    defaultBounds: [[-INF, 0, -INF, 0, -INF], [INF, INF, INF, INF, INF]],
  });
}

/**
 * Power law `a*x^b` (NLSQ's `power_law`), for x > 0.
 * `estimateP0`: a line through (log x, log |y|) over the points with x > 0 and y ≠ 0.
 * @returns the model (params a, b).
 */
export function powerLaw(options: LibraryModelOptions = {}): Model {
  return new Model('a*x^b', {
    ...libraryOptions('models.powerLaw', options),
    name: 'powerLaw',
    params: ['a', 'b'],
    estimateP0: (xs, ys) => {
      const { x, y } = sortByX(xs[0]!, ys, 'models.powerLaw.estimateP0', 2);
      const lx: number[] = [];
      const ly: number[] = [];
      let sum = 0;
      for (let i = 0; i < x.length; i++) {
        sum += y[i]!;
        if (x[i]! > 0 && y[i]! !== 0) {
          lx.push(Math.log(x[i]!));
          ly.push(Math.log(Math.abs(y[i]!)));
        }
      }
      if (lx.length < 2) return [sum >= 0 ? 1 : -1, 1];
      const [b, la] = lineFit(lx, ly);
      return [(sum >= 0 ? 1 : -1) * Math.exp(la), Number.isFinite(b) ? b : 1];
    },
    defaultBounds: [[-INF, -INF], [INF, INF]],
  });
}
