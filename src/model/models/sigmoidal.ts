/**
 * Sigmoidal and saturating models: logistic sigmoid, Hill, four- and five-parameter logistic
 * (dose–response), Michaelis–Menten and Gompertz.
 *
 * Starting values: plateaus from the means of the first and last 10 % of the points (sorted by
 * x), the midpoint from the half-level crossing, and the slope from a straight-line fit of the
 * linearised model (logit or log–log) over the points strictly between the plateaus.
 *
 * @module
 */

import { Model } from '../model.ts';
import { libraryOptions, type LibraryModelOptions } from './library-options.ts';
import { crossing, edgeMean, lineFit, sortByX, type SortedData } from './estimate.ts';

const INF = Infinity;
const LN3_TIMES_2 = 2 * Math.log(3);

function span(d: SortedData): number {
  return d.x[d.x.length - 1]! - d.x[0]! || 1;
}

/** x where the data first cross `level` scanning from the left (NaN if never). */
function firstCrossing(d: SortedData, level: number): number {
  return crossing(d.x, d.y, level, 0, 1);
}

/**
 * Logistic sigmoid `L/(1 + exp(-k*(x - x0))) + b` (NLSQ's `sigmoid`); k > 0 by convention, a
 * decreasing curve has L < 0.
 * @returns the model (params L, x0, k, b).
 */
export function sigmoid(options: LibraryModelOptions = {}): Model {
  return new Model('L/(1 + exp(-k*(x - x0))) + b', {
    ...libraryOptions('models.sigmoid', options),
    name: 'sigmoid',
    params: ['L', 'x0', 'k', 'b'],
    estimateP0: (xs, ys) => {
      const d = sortByX(xs[0]!, ys, 'models.sigmoid.estimateP0', 4);
      const lo = edgeMean(d.y, false);
      const hi = edgeMean(d.y, true);
      const L = hi - lo;
      let x0 = firstCrossing(d, lo + L / 2);
      if (!Number.isFinite(x0)) x0 = 0.5 * (d.x[0]! + d.x[d.x.length - 1]!);
      const x25 = firstCrossing(d, lo + L / 4);
      const x75 = firstCrossing(d, lo + (3 * L) / 4);
      let k = LN3_TIMES_2 / (x75 - x25);
      if (!(k > 0) || !Number.isFinite(k)) k = 8 / span(d);
      return [L, x0, k, lo];
    },
    defaultBounds: [[-INF, -INF, 0, -INF], [INF, INF, INF, INF]],
  });
}

/**
 * Plateau search: the linearised fits of Hill and Gompertz need the upper asymptote, which the
 * data only approach. Try plateaus edge·(1 + 0.01·i), i = 1…40, fit the rest by the linearised
 * regression, and keep the candidate with the smallest residual sum of squares in y.
 */
function bestPlateau(
  d: SortedData,
  edge: number,
  fitRest: (plateau: number) => number[] | null,
  f: (p: number[], x: number) => number,
): number[] | null {
  let best: number[] | null = null;
  let bestRss = Infinity;
  for (let i = 1; i <= 40; i++) {
    const p = fitRest(edge * (1 + 0.01 * i));
    if (p === null) continue;
    let rss = 0;
    for (let k = 0; k < d.x.length; k++) rss += (f(p, d.x[k]!) - d.y[k]!) ** 2;
    if (rss < bestRss) {
      bestRss = rss;
      best = p;
    }
  }
  return best;
}

/** Slope n and log-midpoint of log((y − bottom)/(top − y)) = n·log x − n·log c, over the interior points. */
function logitFit(d: SortedData, bottom: number, top: number): { n: number; c: number } | null {
  const lx: number[] = [];
  const lz: number[] = [];
  const range = top - bottom;
  for (let i = 0; i < d.x.length; i++) {
    const f = (d.y[i]! - bottom) / range;
    if (d.x[i]! > 0 && f > 0.05 && f < 0.95) {
      lx.push(Math.log(d.x[i]!));
      lz.push(Math.log(f / (1 - f)));
    }
  }
  if (lx.length < 2) return null;
  const [n, intercept] = lineFit(lx, lz);
  if (!Number.isFinite(n) || n === 0) return null;
  return { n, c: Math.exp(-intercept / n) };
}

/**
 * Hill equation `vmax*x^n/(k^n + x^n)` for x ≥ 0 (k: half-saturation, n: Hill coefficient).
 * @returns the model (params vmax, k, n; k, n ≥ 0 by default bounds).
 */
export function hill(options: LibraryModelOptions = {}): Model {
  return new Model('vmax*x^n/(k^n + x^n)', {
    ...libraryOptions('models.hill', options),
    name: 'hill',
    params: ['vmax', 'k', 'n'],
    estimateP0: (xs, ys) => {
      const d = sortByX(xs[0]!, ys, 'models.hill.estimateP0', 3);
      const edge = edgeMean(d.y, true);
      const hillAt = (v: number, k: number, n: number, x: number): number => (v * x ** n) / (k ** n + x ** n);
      const best = bestPlateau(d, edge, (vmax) => {
        const fit = logitFit(d, 0, vmax);
        return fit !== null && fit.n > 0 ? [vmax, fit.c, fit.n] : null;
      }, (p, x) => hillAt(p[0]!, p[1]!, p[2]!, x));
      if (best !== null) return best;
      const half = firstCrossing(d, edge / 2);
      return [edge, half > 0 ? half : 0.5 * (d.x[0]! + d.x[d.x.length - 1]!), 1];
    },
    defaultBounds: [[-INF, 0, 0], [INF, INF, INF]],
  });
}

/** Shared 4PL estimate: [a, b, c, d]. */
function estimate4pl(d: SortedData): [number, number, number, number] {
  const a = edgeMean(d.y, false);
  const dd = edgeMean(d.y, true);
  // (a − y)/(y − d) = (x/c)^b  ⇔  logit of (y − a)/(d − a) has slope b in log x.
  const fit = logitFit(d, a, dd);
  let c = fit?.c ?? firstCrossing(d, (a + dd) / 2);
  if (!(c > 0)) c = 0.5 * (d.x[0]! + d.x[d.x.length - 1]!);
  const b = fit !== null && fit.n > 0 ? fit.n : 1;
  return [a, b, c, dd];
}

/**
 * Four-parameter logistic (dose–response) `d + (a - d)/(1 + (x/c)^b)`: a at x → 0, d at x → ∞,
 * c the inflection (EC50), b the slope; for x > 0.
 * @returns the model (params a, b, c, d; c ≥ 0 by default bounds).
 */
export function fourPL(options: LibraryModelOptions = {}): Model {
  return new Model('d + (a - d)/(1 + (x/c)^b)', {
    ...libraryOptions('models.fourPL', options),
    name: 'fourPL',
    params: ['a', 'b', 'c', 'd'],
    estimateP0: (xs, ys) => estimate4pl(sortByX(xs[0]!, ys, 'models.fourPL.estimateP0', 4)),
    defaultBounds: [[-INF, -INF, 0, -INF], [INF, INF, INF, INF]],
  });
}

/**
 * Five-parameter logistic `d + (a - d)/(1 + (x/c)^b)^g` (asymmetric dose–response; g = 1 is 4PL).
 * @returns the model (params a, b, c, d, g; c ≥ 0, g > 0 by default bounds).
 */
export function fivePL(options: LibraryModelOptions = {}): Model {
  return new Model('d + (a - d)/(1 + (x/c)^b)^g', {
    ...libraryOptions('models.fivePL', options),
    name: 'fivePL',
    params: ['a', 'b', 'c', 'd', 'g'],
    estimateP0: (xs, ys) => [...estimate4pl(sortByX(xs[0]!, ys, 'models.fivePL.estimateP0', 5)), 1],
    defaultBounds: [[-INF, -INF, 0, -INF, 1e-3], [INF, INF, INF, INF, INF]],
  });
}

/**
 * Michaelis–Menten `vmax*x/(km + x)`.
 * `estimateP0`: the Hanes–Woolf line x/y = x/vmax + km/vmax over points with x > 0, y ≠ 0.
 * @returns the model (params vmax, km; km ≥ 0 by default bounds).
 */
export function michaelisMenten(options: LibraryModelOptions = {}): Model {
  return new Model('vmax*x/(km + x)', {
    ...libraryOptions('models.michaelisMenten', options),
    name: 'michaelisMenten',
    params: ['vmax', 'km'],
    estimateP0: (xs, ys) => {
      const d = sortByX(xs[0]!, ys, 'models.michaelisMenten.estimateP0', 2);
      const px: number[] = [];
      const q: number[] = [];
      for (let i = 0; i < d.x.length; i++) {
        if (d.x[i]! > 0 && d.y[i]! !== 0) {
          px.push(d.x[i]!);
          q.push(d.x[i]! / d.y[i]!);
        }
      }
      const [slope, intercept] = px.length >= 2 ? lineFit(px, q) : [NaN, NaN];
      const vmax = 1 / slope;
      const km = intercept * vmax;
      if (Number.isFinite(vmax) && km > 0) return [vmax, km];
      const top = edgeMean(d.y, true) * 1.2;
      const half = firstCrossing(d, top / 2);
      return [top, half > 0 ? half : span(d) / 4];
    },
    defaultBounds: [[-INF, 0], [INF, INF]],
  });
}

/**
 * Gompertz growth `a*exp(-b*exp(-c*x))` (a: asymptote, b: displacement, c: growth rate).
 * `estimateP0`: for trial asymptotes a just above the upper plateau, the line
 * log(−log(y/a)) = log b − c·x; the trial with the smallest residual wins.
 * @returns the model (params a, b, c).
 */
export function gompertz(options: LibraryModelOptions = {}): Model {
  return new Model('a*exp(-b*exp(-c*x))', {
    ...libraryOptions('models.gompertz', options),
    name: 'gompertz',
    params: ['a', 'b', 'c'],
    estimateP0: (xs, ys) => {
      const d = sortByX(xs[0]!, ys, 'models.gompertz.estimateP0', 3);
      const edge = edgeMean(d.y, true);
      const best = bestPlateau(d, edge, (a) => {
        const px: number[] = [];
        const z: number[] = [];
        for (let i = 0; i < d.x.length; i++) {
          const f = d.y[i]! / a;
          if (f > 0.1 && f < 0.9) {
            px.push(d.x[i]!);
            z.push(Math.log(-Math.log(f)));
          }
        }
        if (px.length < 2) return null;
        const [slope, intercept] = lineFit(px, z);
        return Number.isFinite(slope) && Number.isFinite(intercept) ? [a, Math.exp(intercept), -slope] : null;
      }, (p, x) => p[0]! * Math.exp(-p[1]! * Math.exp(-p[2]! * x)));
      return best ?? [edge, 1, 4 / span(d)];
    },
    defaultBounds: [[-INF, -INF, -INF], [INF, INF, INF]],
  });
}

