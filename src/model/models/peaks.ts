/**
 * Peak models: Gaussian, Lorentzian, pseudo-Voigt (one variable) and an axis-aligned 2-D
 * Gaussian with offset (variables x, y).
 *
 * Starting values: the peak is the extremum of the lightly smoothed data that deviates most from
 * the median (so dips work too), its height the amplitude, and the full width at half maximum
 * (from the half-level crossings on each side) gives the width parameter.
 *
 * @module
 */

import { NlsqRangeError } from '../../errors.ts';
import { Model } from '../model.ts';
import { libraryOptions, type LibraryModelOptions } from './library-options.ts';
import { argExtreme, crossing, median, sortByX, type SortedData } from './estimate.ts';

const INF = Infinity;
const FWHM_PER_SIGMA = 2 * Math.sqrt(2 * Math.LN2);

/** Moving average over 2h+1 points (h = 0 for short data). */
function smooth(y: Float64Array): Float64Array {
  const h = y.length >= 30 ? 2 : y.length >= 10 ? 1 : 0;
  if (h === 0) return y;
  return Float64Array.from(y, (_, i) => {
    let s = 0;
    let c = 0;
    for (let j = Math.max(0, i - h); j <= Math.min(y.length - 1, i + h); j++) {
      s += y[j]!;
      c++;
    }
    return s / c;
  });
}

/** A baseline-free peak: signed height, centre and FWHM. */
export interface PeakEstimate {
  /** Signed peak height (negative for a dip). */
  readonly height: number;
  /** Abscissa of the extremum. */
  readonly center: number;
  /** Full width at half maximum. */
  readonly fwhm: number;
}

/**
 * Locate the dominant peak (or dip) of sorted data with zero baseline.
 * @param d - data sorted by x. @returns the estimate.
 */
export function estimatePeak(d: SortedData): PeakEstimate {
  const s = smooth(d.y);
  const med = median(s);
  const iMax = argExtreme(s, 1);
  const iMin = argExtreme(s, -1);
  const sign = s[iMax]! - med >= med - s[iMin]! ? 1 : -1;
  const i = sign > 0 ? iMax : iMin;
  const height = s[i]!;
  const left = crossing(d.x, s, height / 2, i, -1);
  const right = crossing(d.x, s, height / 2, i, 1);
  const span = d.x[d.x.length - 1]! - d.x[0]! || 1;
  let fwhm: number;
  if (Number.isFinite(left) && Number.isFinite(right)) fwhm = right - left;
  else if (Number.isFinite(left)) fwhm = 2 * (d.x[i]! - left);
  else if (Number.isFinite(right)) fwhm = 2 * (right - d.x[i]!);
  else fwhm = span / 4;
  return { height, center: d.x[i]!, fwhm: fwhm > 0 ? fwhm : span / 4 };
}

/**
 * Gaussian peak `a*exp(-(x - mu)^2/(2*sigma^2))` (NLSQ's `gaussian`).
 * @returns the model (params a, mu, sigma; sigma ≥ 0 by default bounds).
 */
export function gaussian(options: LibraryModelOptions = {}): Model {
  return new Model('a*exp(-(x - mu)^2/(2*sigma^2))', {
    ...libraryOptions('models.gaussian', options, true),
    name: 'gaussian',
    params: ['a', 'mu', 'sigma'],
    estimateP0: (xs, ys) => {
      const p = estimatePeak(sortByX(xs[0]!, ys, 'models.gaussian.estimateP0', 3));
      return [p.height, p.center, p.fwhm / FWHM_PER_SIGMA];
    },
    defaultBounds: [[-INF, -INF, 0], [INF, INF, INF]],
  });
}

/**
 * Lorentzian (Cauchy) peak `a*gamma^2/((x - x0)^2 + gamma^2)`, gamma the half width at half maximum.
 * @returns the model (params a, x0, gamma; gamma ≥ 0 by default bounds).
 */
export function lorentzian(options: LibraryModelOptions = {}): Model {
  return new Model('a*gamma^2/((x - x0)^2 + gamma^2)', {
    ...libraryOptions('models.lorentzian', options, true),
    name: 'lorentzian',
    params: ['a', 'x0', 'gamma'],
    estimateP0: (xs, ys) => {
      const p = estimatePeak(sortByX(xs[0]!, ys, 'models.lorentzian.estimateP0', 3));
      return [p.height, p.center, p.fwhm / 2];
    },
    defaultBounds: [[-INF, -INF, 0], [INF, INF, INF]],
  });
}

/**
 * Pseudo-Voigt peak: a mixture of a Gaussian and a Lorentzian of equal half width w,
 * `a*(eta*exp(-log(2)*((x - x0)/w)^2) + (1 - eta)/(1 + ((x - x0)/w)^2))`.
 * @returns the model (params a, x0, w, eta; w ≥ 0 and 0 ≤ eta ≤ 1 by default bounds).
 */
export function pseudoVoigt(options: LibraryModelOptions = {}): Model {
  return new Model('a*(eta*exp(-log(2)*((x - x0)/w)^2) + (1 - eta)/(1 + ((x - x0)/w)^2))', {
    ...libraryOptions('models.pseudoVoigt', options, true),
    name: 'pseudoVoigt',
    params: ['a', 'x0', 'w', 'eta'],
    estimateP0: (xs, ys) => {
      const p = estimatePeak(sortByX(xs[0]!, ys, 'models.pseudoVoigt.estimateP0', 4));
      return [p.height, p.center, p.fwhm / 2, 0.5];
    },
    defaultBounds: [[-INF, -INF, 0, 0], [INF, INF, INF, 1]],
  });
}

/** Starting values of the 2-D Gaussian from the points above half maximum. */
function estimateGaussian2d(xs: readonly Float64Array[], z: Float64Array): number[] {
  if (xs.length !== 2 || xs[0]!.length !== z.length || xs[1]!.length !== z.length || z.length < 6) {
    throw new NlsqRangeError(`models.gaussian2d.estimateP0: x must be two columns [x, y] as long as z (at least 6 points), got ${xs.length} columns for ${z.length} points`, 'x', 'ERR_SHAPE');
  }
  const x = xs[0]!;
  const y = xs[1]!;
  const c = median(z);
  const iMax = argExtreme(z, 1);
  const iMin = argExtreme(z, -1);
  const sign = z[iMax]! - c >= c - z[iMin]! ? 1 : -1;
  const i = sign > 0 ? iMax : iMin;
  const a = z[i]! - c;
  // Over a uniform grid the points above half maximum fill an ellipse of semi-axes √(2 ln 2)·σ,
  // whose coordinate variance is (semi-axis)²/4 = (ln 2/2)·σ².
  let n = 0;
  let mx = 0;
  let my = 0;
  for (let k = 0; k < z.length; k++) {
    if (sign * (z[k]! - c) >= (sign * a) / 2) {
      n++;
      mx += x[k]!;
      my += y[k]!;
    }
  }
  mx /= n;
  my /= n;
  let vx = 0;
  let vy = 0;
  for (let k = 0; k < z.length; k++) {
    if (sign * (z[k]! - c) >= (sign * a) / 2) {
      vx += (x[k]! - mx) ** 2;
      vy += (y[k]! - my) ** 2;
    }
  }
  const spanX = Math.max(...x) - Math.min(...x) || 1;
  const spanY = Math.max(...y) - Math.min(...y) || 1;
  const sx = n > 2 && vx > 0 ? Math.sqrt(vx / n / (Math.LN2 / 2)) : spanX / 8;
  const sy = n > 2 && vy > 0 ? Math.sqrt(vy / n / (Math.LN2 / 2)) : spanY / 8;
  return [a, mx, my, sx, sy, c];
}

/**
 * Axis-aligned 2-D Gaussian with offset, `a*exp(-((x - x0)^2/(2*sx^2) + (y - y0)^2/(2*sy^2))) + c`,
 * over the variables x and y (xdata is [x, y], ydata the heights z).
 * @returns the model (params a, x0, y0, sx, sy, c; widths ≥ 0 by default bounds).
 */
export function gaussian2d(options: LibraryModelOptions = {}): Model {
  return new Model('a*exp(-((x - x0)^2/(2*sx^2) + (y - y0)^2/(2*sy^2))) + c', {
    ...libraryOptions('models.gaussian2d', options),
    name: 'gaussian2d',
    params: ['a', 'x0', 'y0', 'sx', 'sy', 'c'],
    variables: ['x', 'y'],
    estimateP0: estimateGaussian2d,
    defaultBounds: [[-INF, -INF, -INF, 0, 0, -INF], [INF, INF, INF, INF, INF, INF]],
  });
}
