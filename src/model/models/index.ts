/**
 * The model library: ready-made expression models with data-driven starting values
 * (`estimateP0`, used by `p0: 'auto'`) and default bounds.
 *
 * Each factory returns a fresh {@link Model}; names follow NLSQ's `nlsq.functions` where they
 * overlap (linear, polynomial, exponential decay/growth, gaussian, sigmoid, power law).
 *
 * @example
 * ```ts
 * const m = models.gaussian();
 * m.params;                    // ['a', 'mu', 'sigma']
 * m.estimateP0!([x], y);       // ≈ [height, centre, width]
 * ```
 *
 * @module
 */

import { dampedSine } from './oscillation.ts';
import { doubleExponential, exponentialDecay, exponentialGrowth, powerLaw } from './exponential.ts';
import { gaussian, gaussian2d, lorentzian, pseudoVoigt } from './peaks.ts';
import { linear, polynomial } from './polynomial.ts';
import { fivePL, fourPL, gompertz, hill, michaelisMenten, sigmoid } from './sigmoidal.ts';

/** Factories of the built-in models (see each function for its expression and estimator). */
export const models = Object.freeze({
  linear,
  polynomial,
  exponentialDecay,
  exponentialGrowth,
  doubleExponential,
  gaussian,
  lorentzian,
  pseudoVoigt,
  sigmoid,
  hill,
  fourPL,
  fivePL,
  michaelisMenten,
  powerLaw,
  dampedSine,
  gompertz,
  gaussian2d,
});

export { linear, polynomial, exponentialDecay, exponentialGrowth, doubleExponential, gaussian, lorentzian, pseudoVoigt, sigmoid, hill, fourPL, fivePL, michaelisMenten, powerLaw, dampedSine, gompertz, gaussian2d };
