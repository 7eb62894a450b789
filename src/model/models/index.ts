/**
 * The model library: ready-made expression models with data-driven starting values
 * (`estimateP0`, used by `p0: 'auto'`) and default bounds.
 *
 * Each factory returns a fresh {@link Model} and takes `{ prefix }` (e.g. `models.gaussian({ prefix: 'g1_' })`)
 * to keep the names of composite components apart; names follow NLSQ's `nlsq.functions` where they
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
import { breitWigner, dampedOscillator, expGaussian, logNormal, moffat, pearson7, skewedGaussian, voigt } from './line-shapes.ts';
import { linear, polynomial } from './polynomial.ts';
import { rectangle, step } from './steps.ts';
import { fivePL, fourPL, gompertz, hill, michaelisMenten, sigmoid } from './sigmoidal.ts';

/**
 * The marker of a model factory — a function that returns a model, such as `models.gaussian` —
 * under `Symbol.for('nlsq.modelFactory')`; its value is how to call the factory. Fitting
 * functions use it to tell someone who passed `models.gaussian` to call it (`models.gaussian()`),
 * instead of treating the factory as a model function f(x, ...params).
 */
export const MODEL_FACTORY: unique symbol = Symbol.for('nlsq.modelFactory') as never;

/**
 * How to call a model factory, when `value` is one (it carries {@link MODEL_FACTORY}).
 *
 * @param value - anything.
 * @returns e.g. `'models.gaussian()'`, or undefined when `value` is not a model factory.
 */
export function modelFactoryCall(value: unknown): string | undefined {
  if (typeof value !== 'function') return undefined;
  const call = (value as unknown as Record<symbol, unknown>)[MODEL_FACTORY];
  return typeof call === 'string' ? call : undefined;
}

function markFactories<T extends Record<string, (...args: never[]) => unknown>>(factories: T): T {
  for (const [name, f] of Object.entries(factories)) {
    Object.defineProperty(f, MODEL_FACTORY, { value: name === 'polynomial' ? 'models.polynomial(degree)' : `models.${name}()` });
  }
  return factories;
}

/** Factories of the built-in models (see each function for its expression and estimator). */
export const models = Object.freeze(
  markFactories({
    /** Straight line `a*x + b` (params a, b). */
    linear,
    /** Polynomial `c0 + c1*x + … + cd*x^d` of degree d from 0 to 20 (params c0 … cd). */
    polynomial,
    /** Exponential decay with offset `a*exp(-k*x) + c` (params a, k, c; k ≥ 0). */
    exponentialDecay,
    /** Exponential growth with offset `a*exp(k*x) + c` (params a, k, c; k ≥ 0). */
    exponentialGrowth,
    /** Two exponentials with offset `a1*exp(-k1*x) + a2*exp(-k2*x) + c` (params a1, k1, a2, k2, c; rates ≥ 0). */
    doubleExponential,
    /** Gaussian peak `a*exp(-(x - mu)^2/(2*sigma^2))` (params a, mu, sigma; sigma ≥ 0). */
    gaussian,
    /** Lorentzian peak `a*gamma^2/((x - x0)^2 + gamma^2)` (params a, x0, gamma; gamma the HWHM, ≥ 0). */
    lorentzian,
    /** Pseudo-Voigt peak `a*(eta*exp(-log(2)*((x - x0)/w)^2) + (1 - eta)/(1 + ((x - x0)/w)^2))` (params a, x0, w, eta; w ≥ 0, 0 ≤ eta ≤ 1). */
    pseudoVoigt,
    /** Logistic sigmoid `L/(1 + exp(-k*(x - x0))) + b` (params L, x0, k, b). */
    sigmoid,
    /** Hill equation `vmax*x^n/(k^n + x^n)` (params vmax, k, n; k, n ≥ 0). */
    hill,
    /** Four-parameter logistic `d + (a - d)/(1 + (x/c)^b)` (params a, b, c, d; c ≥ 0). */
    fourPL,
    /** Five-parameter logistic `d + (a - d)/(1 + (x/c)^b)^g` (params a, b, c, d, g; c ≥ 0, g > 0). */
    fivePL,
    /** Michaelis–Menten `vmax*x/(km + x)` (params vmax, km; km ≥ 0). */
    michaelisMenten,
    /** Power law `a*x^b` for x > 0 (params a, b). */
    powerLaw,
    /** Damped sine with offset `a*exp(-gamma*x)*sin(omega*x + phi) + c` (params a, gamma, omega, phi, c; a, omega ≥ 0). */
    dampedSine,
    /** Gompertz growth `a*exp(-b*exp(-c*x))` (params a, b, c). */
    gompertz,
    /** Axis-aligned 2-D Gaussian with offset `a*exp(-((x - x0)^2/(2*sx^2) + (y - y0)^2/(2*sy^2))) + c` over x, y (params a, x0, y0, sx, sy, c; sx, sy ≥ 0). */
    gaussian2d,
    /** Moffat profile `a*(((x - x0)/w)^2 + 1)^(-beta)` (params a, x0, w, beta; w, beta ≥ 0). */
    moffat,
    /** Pearson VII `a*(1 + (2^(1/m) - 1)*((x - x0)/w)^2)^(-m)`, w the HWHM (params a, x0, w, m; w ≥ 0, m ≥ 0.5). */
    pearson7,
    /** Skewed Gaussian `a*exp(-(x - mu)^2/(2*sigma^2))*(1 + erf(gamma*(x - mu)/(sqrt(2)*sigma)))` (params a, mu, sigma, gamma). */
    skewedGaussian,
    /** Exponentially modified Gaussian, lmfit's form with `area` (params area, mu, sigma, gamma; sigma, gamma ≥ 0). */
    expGaussian,
    /** Damped driven oscillator `a/sqrt((1 - (x/x0)^2)^2 + (2*gamma*x/x0)^2)` (params a, x0, gamma). */
    dampedOscillator,
    /** Breit–Wigner–Fano `a*(q*sigma/2 + x - x0)^2/((sigma/2)^2 + (x - x0)^2)` (params a, x0, sigma, q). */
    breitWigner,
    /** Log-normal `area/(x*sigma*sqrt(2*pi))*exp(-(log(x) - mu)^2/(2*sigma^2))`, x > 0 (params area, mu, sigma). */
    logNormal,
    /** Voigt profile `area*faddeeva_re((x - mu)/(sigma*sqrt(2)), gamma/(sigma*sqrt(2)))/(sigma*sqrt(2*pi))`, lmfit's `VoigtModel` (params area, mu, sigma, gamma; sigma, gamma ≥ 0). */
    voigt,
    /** Step `a*edge((x - x0)/w)`, the edge erf, atan or logistic (`{ form }`; params a, x0, w). */
    step,
    /** Rectangle `a*(edge((x - x1)/w1) - edge((x - x2)/w2))` (`{ form }`; params a, x1, w1, x2, w2). */
    rectangle,
  }),
);

export { linear, polynomial, exponentialDecay, exponentialGrowth, doubleExponential, gaussian, lorentzian, pseudoVoigt, sigmoid, hill, fourPL, fivePL, michaelisMenten, powerLaw, dampedSine, gompertz, gaussian2d };
export { moffat, pearson7, skewedGaussian, expGaussian, dampedOscillator, breitWigner, logNormal, voigt, step, rectangle };
export type { StepForm, StepOptions } from './steps.ts';
