/**
 * Steps and rectangles with error-function, arctangent or logistic edges (lmfit's `StepModel`
 * and `RectangleModel`, https://lmfit.github.io/lmfit-py/builtin_models.html#stepmodel), as plain
 * expressions (exact derivatives, every backend). Add a constant or a line for an offset:
 * `models.step().plus(models.linear({ prefix: 'bg_' }))`.
 *
 * @module
 */

import { NlsqRangeError } from '../../errors.ts';
import { Model } from '../model.ts';
import { crossing, edgeMean, median, sortByX } from './estimate.ts';
import { libraryOptions, type LibraryModelOptions } from './library-options.ts';
import { estimatePeak } from './peaks.ts';

const INF = Infinity;

/** The shape of an edge: rising from 0 to 1 around u = 0, u = (x − x0)/w. */
export type StepForm = 'erf' | 'atan' | 'logistic';

/** Options of `models.step` and `models.rectangle`. */
export interface StepOptions extends LibraryModelOptions {
  /** The edge shape (default 'erf'). */
  readonly form?: StepForm;
}

/** A rising edge 0 → 1 at x0 of width w, as expression text. */
function edge(form: StepForm, x0: string, w: string): string {
  switch (form) {
    case 'erf':
      return `(1 + erf((x - ${x0})/${w}))/2`;
    case 'atan':
      return `(1/2 + atan((x - ${x0})/${w})/pi)`;
    case 'logistic':
      return `1/(1 + exp(-(x - ${x0})/${w}))`;
  }
}

function formOf(caller: string, options: StepOptions | undefined): StepForm {
  const form = options?.form ?? 'erf';
  if (form !== 'erf' && form !== 'atan' && form !== 'logistic') {
    throw new NlsqRangeError(`${caller}: form must be 'erf', 'atan' or 'logistic', got ${JSON.stringify(form)}`, 'form');
  }
  return form;
}

function libraryPart(options: StepOptions | undefined): LibraryModelOptions | undefined {
  return options?.prefix === undefined ? undefined : { prefix: options.prefix };
}

/**
 * A step of height a at x0 and width w: `a*edge((x - x0)/w)` with the edge erf, atan or logistic.
 * Starting values: a from the mean of the last 10 % minus the first 10 %, x0 where the data cross
 * half of it, w a tenth of the x range.
 * @param options - `form` ('erf' default) and `prefix`. @returns the model (params a, x0, w; w ≥ 0).
 */
export function step(options: StepOptions = {}): Model {
  const form = formOf('models.step', options);
  return new Model(`a*${edge(form, 'x0', 'w')}`, {
    ...libraryOptions('models.step', libraryPart(options)),
    name: `step(${form})`,
    params: ['a', 'x0', 'w'],
    estimateP0: (x, y) => {
      const d = sortByX(x[0]!, y, 'models.step.estimateP0', 3);
      const lo = edgeMean(d.y, false);
      const hi = edgeMean(d.y, true);
      const mid = crossing(d.x, d.y, (lo + hi) / 2, 0, 1);
      const span = d.x[d.x.length - 1]! - d.x[0]! || 1;
      return [hi - lo, Number.isFinite(mid) ? mid : d.x[0]! + span / 2, span / 10];
    },
    defaultBounds: [[-INF, -INF, 0], [INF, INF, INF]],
  });
}

/**
 * A rectangle of height a rising at x1 (width w1) and falling at x2 (width w2):
 * `a*(edge((x - x1)/w1) - edge((x - x2)/w2))`. Starting values from the dominant plateau (as a
 * peak, measured from the median): its height, its half-height crossings as x1 and x2, edge
 * widths a twentieth of the plateau.
 * @param options - `form` ('erf' default) and `prefix`. @returns the model (params a, x1, w1, x2, w2; widths ≥ 0).
 */
export function rectangle(options: StepOptions = {}): Model {
  const form = formOf('models.rectangle', options);
  return new Model(`a*(${edge(form, 'x1', 'w1')} - ${edge(form, 'x2', 'w2')})`, {
    ...libraryOptions('models.rectangle', libraryPart(options), true),
    name: `rectangle(${form})`,
    params: ['a', 'x1', 'w1', 'x2', 'w2'],
    estimateP0: (x, y) => {
      const d = sortByX(x[0]!, y, 'models.rectangle.estimateP0', 5);
      const base = median(d.y);
      const p = estimatePeak({ x: d.x, y: d.y.map((v) => v - base) });
      return [p.height, p.center - p.fwhm / 2, p.fwhm / 20, p.center + p.fwhm / 2, p.fwhm / 20];
    },
    defaultBounds: [[-INF, -INF, 0, -INF, 0], [INF, INF, INF, INF, INF]],
  });
}
