/**
 * Further peak line shapes, after lmfit's built-in models (Newville et al.,
 * https://lmfit.github.io/lmfit-py/builtin_models.html): Moffat, Pearson VII, skewed Gaussian,
 * exponentially modified Gaussian, damped (driven) harmonic oscillator, Breit–Wigner–Fano,
 * log-normal and Voigt. Each is a plain expression, so it is differentiated exactly and compiled on every
 * backend; each has an estimator built on the dominant peak's height, centre and FWHM
 * (`estimatePeak` in `peaks.ts`), and is marked a peak (so a sum of them shares peaks out in
 * `Model.guess`).
 *
 * The Voigt profile calls the IR's Faddeeva function (`faddeeva_re`, `stats/faddeeva.ts`:
 * Weideman's rational approximation), so it too has exact derivatives on every backend; the
 * pseudo-Voigt (`models.pseudoVoigt`) approximates it.
 *
 * @module
 */

import { faddeevaRe } from '../../stats/faddeeva.ts';
import { Model } from '../model.ts';
import { sortByX } from './estimate.ts';
import { libraryOptions, type LibraryModelOptions } from './library-options.ts';
import { estimatePeak, type PeakEstimate } from './peaks.ts';

const INF = Infinity;
const FWHM_PER_SIGMA = 2 * Math.sqrt(2 * Math.LN2);

function peakOf(x: readonly Float64Array[], y: Float64Array, caller: string, minPoints: number): PeakEstimate {
  return estimatePeak(sortByX(x[0]!, y, caller, minPoints));
}

/**
 * Moffat profile `a*(((x - x0)/w)^2 + 1)^(-beta)` (lmfit's `MoffatModel` with the height as
 * amplitude; FWHM = 2w·√(2^(1/β) − 1)). Starting values: β = 1, w = FWHM/2.
 * @param options - `prefix`. @returns the model (params a, x0, w, beta; w, beta ≥ 0).
 */
export function moffat(options: LibraryModelOptions = {}): Model {
  return new Model('a*(((x - x0)/w)^2 + 1)^(-beta)', {
    ...libraryOptions('models.moffat', options, true),
    name: 'moffat',
    params: ['a', 'x0', 'w', 'beta'],
    estimateP0: (x, y) => {
      const p = peakOf(x, y, 'models.moffat.estimateP0', 4);
      return [p.height, p.center, p.fwhm / 2, 1];
    },
    defaultBounds: [[-INF, -INF, 0, 0], [INF, INF, INF, INF]],
  });
}

/**
 * Pearson VII `a*(1 + (2^(1/m) - 1)*((x - x0)/w)^2)^(-m)`, w the half width at half maximum for
 * every shape m (m = 1 Lorentzian, m → ∞ Gaussian; lmfit's `Pearson7Model` with the height as
 * amplitude). Starting values: m = 1.5, w = FWHM/2.
 * @param options - `prefix`. @returns the model (params a, x0, w, m; w ≥ 0, m ≥ 0.5).
 */
export function pearson7(options: LibraryModelOptions = {}): Model {
  return new Model('a*(1 + (2^(1/m) - 1)*((x - x0)/w)^2)^(-m)', {
    ...libraryOptions('models.pearson7', options, true),
    name: 'pearson7',
    params: ['a', 'x0', 'w', 'm'],
    estimateP0: (x, y) => {
      const p = peakOf(x, y, 'models.pearson7.estimateP0', 4);
      return [p.height, p.center, p.fwhm / 2, 1.5];
    },
    defaultBounds: [[-INF, -INF, 0, 0.5], [INF, INF, INF, INF]],
  });
}

/**
 * Skewed Gaussian `a*exp(-(x - mu)^2/(2*sigma^2))*(1 + erf(gamma*(x - mu)/(sqrt(2)*sigma)))`
 * (lmfit's `SkewedGaussianModel` with a height-like amplitude: the peak value is a at gamma = 0).
 * Starting values: the Gaussian's, gamma = 0.
 * @param options - `prefix`. @returns the model (params a, mu, sigma, gamma; sigma ≥ 0).
 */
export function skewedGaussian(options: LibraryModelOptions = {}): Model {
  return new Model('a*exp(-(x - mu)^2/(2*sigma^2))*(1 + erf(gamma*(x - mu)/(sqrt(2)*sigma)))', {
    ...libraryOptions('models.skewedGaussian', options, true),
    name: 'skewedGaussian',
    params: ['a', 'mu', 'sigma', 'gamma'],
    estimateP0: (x, y) => {
      const p = peakOf(x, y, 'models.skewedGaussian.estimateP0', 4);
      return [p.height, p.center, p.fwhm / FWHM_PER_SIGMA, 0];
    },
    defaultBounds: [[-INF, -INF, 0, -INF], [INF, INF, INF, INF]],
  });
}

/**
 * Exponentially modified Gaussian (a Gaussian convolved with a decaying exponential of rate
 * gamma), `area*gamma/2*exp(gamma*(mu - x + gamma*sigma^2/2))*erfc((mu + gamma*sigma^2 - x)/(sqrt(2)*sigma))`
 * (lmfit's `ExponentialGaussianModel`; `area` is the integral). Far to the left of the peak
 * (gamma·(mu − x) > 709) the exponential overflows while erfc underflows: keep x within the data's
 * range. Starting values: sigma from the FWHM, gamma = 1/sigma, area = height·FWHM·1.0645.
 * @param options - `prefix`. @returns the model (params area, mu, sigma, gamma; sigma, gamma ≥ 0).
 */
export function expGaussian(options: LibraryModelOptions = {}): Model {
  return new Model('area*gamma/2*exp(gamma*(mu - x + gamma*sigma^2/2))*erfc((mu + gamma*sigma^2 - x)/(sqrt(2)*sigma))', {
    ...libraryOptions('models.expGaussian', options, true),
    name: 'expGaussian',
    params: ['area', 'mu', 'sigma', 'gamma'],
    estimateP0: (x, y) => {
      const p = peakOf(x, y, 'models.expGaussian.estimateP0', 4);
      const sigma = p.fwhm / FWHM_PER_SIGMA;
      return [p.height * p.fwhm * 1.0645, p.center - sigma / 2, sigma / 1.5, 1 / sigma];
    },
    defaultBounds: [[-INF, -INF, 0, 0], [INF, INF, INF, INF]],
  });
}

/**
 * Damped driven harmonic oscillator amplitude `a/sqrt((1 - (x/x0)^2)^2 + (2*gamma*x/x0)^2)`
 * (lmfit's `DampedOscillatorModel`; x0 the resonance, gamma the damping ratio, peak ≈ a/(2γ)).
 * Starting values: x0 at the peak, gamma = FWHM/(2·x0), a = 2γ·height.
 * @param options - `prefix`. @returns the model (params a, x0, gamma; x0, gamma ≥ 0).
 */
export function dampedOscillator(options: LibraryModelOptions = {}): Model {
  return new Model('a/sqrt((1 - (x/x0)^2)^2 + (2*gamma*x/x0)^2)', {
    ...libraryOptions('models.dampedOscillator', options, true),
    name: 'dampedOscillator',
    params: ['a', 'x0', 'gamma'],
    estimateP0: (x, y) => {
      const p = peakOf(x, y, 'models.dampedOscillator.estimateP0', 3);
      const gamma = Math.max(p.fwhm / (2 * Math.abs(p.center)), 1e-3);
      return [2 * gamma * p.height, p.center, gamma];
    },
    defaultBounds: [[-INF, 0, 0], [INF, INF, INF]],
  });
}

/**
 * Breit–Wigner–Fano resonance `a*(q*sigma/2 + x - x0)^2/((sigma/2)^2 + (x - x0)^2)` (lmfit's
 * `BreitWignerModel`; sigma the FWHM of the resonance, q the Fano asymmetry: a Lorentzian of height
 * a·q² as |q| → ∞). Starting values: x0 at the peak, sigma the FWHM, q = 10 (nearly Lorentzian),
 * a = height/q².
 * @param options - `prefix`. @returns the model (params a, x0, sigma, q; sigma ≥ 0).
 */
export function breitWigner(options: LibraryModelOptions = {}): Model {
  return new Model('a*(q*sigma/2 + x - x0)^2/((sigma/2)^2 + (x - x0)^2)', {
    ...libraryOptions('models.breitWigner', options, true),
    name: 'breitWigner',
    params: ['a', 'x0', 'sigma', 'q'],
    estimateP0: (x, y) => {
      const p = peakOf(x, y, 'models.breitWigner.estimateP0', 4);
      return [p.height / 100, p.center, p.fwhm, 10];
    },
    defaultBounds: [[-INF, -INF, 0, -INF], [INF, INF, INF, INF]],
  });
}

/**
 * Log-normal peak `area/(x*sigma*sqrt(2*pi))*exp(-(log(x) - mu)^2/(2*sigma^2))` for x > 0 (lmfit's
 * `LognormalModel`; `area` the integral). x·f is a Gaussian in log x, so the estimator finds that
 * Gaussian's height, centre and width on (log x, x·y).
 * @param options - `prefix`. @returns the model (params area, mu, sigma; sigma ≥ 0).
 */
export function logNormal(options: LibraryModelOptions = {}): Model {
  return new Model('area/(x*sigma*sqrt(2*pi))*exp(-(log(x) - mu)^2/(2*sigma^2))', {
    ...libraryOptions('models.logNormal', options, true),
    name: 'logNormal',
    params: ['area', 'mu', 'sigma'],
    estimateP0: (x, y) => {
      const xs = x[0]!;
      const keep = Array.from(xs.keys()).filter((i) => xs[i]! > 0);
      const lx = Float64Array.from(keep, (i) => Math.log(xs[i]!));
      const xy = Float64Array.from(keep, (i) => xs[i]! * y[i]!);
      const p = estimatePeak(sortByX(lx, xy, 'models.logNormal.estimateP0', 3));
      const sigma = p.fwhm / FWHM_PER_SIGMA;
      return [p.height * sigma * Math.sqrt(2 * Math.PI), p.center, sigma];
    },
    defaultBounds: [[-INF, -INF, 0], [INF, INF, INF]],
  });
}

/**
 * Voigt profile: a Gaussian of standard deviation sigma convolved with a Lorentzian of half width
 * gamma, `area*faddeeva_re((x - mu)/(sigma*sqrt(2)), gamma/(sigma*sqrt(2)))/(sigma*sqrt(2*pi))`,
 * i.e. area·Re w(z)/(σ√(2π)) with z = (x − mu + iγ)/(σ√2) and w the Faddeeva function (lmfit's
 * `VoigtModel` with gamma free; `area` is the integral, as lmfit's `amplitude`). Its derivatives
 * are exact: w′(z) = −2z·w(z) + 2i/√π gives them from Re w and Im w.
 *
 * Starting values: gamma = sigma (lmfit's default tie), for which the FWHM is 3.6013·sigma (the
 * Olivero–Longbothum approximation 0.5346·f_L + √(0.2166·f_L² + f_G²) with f_L = 2γ, f_G =
 * 2√(2 ln 2)·σ); the area from the height and the profile's peak value Re w(iγ/(σ√2))/(σ√(2π)).
 * @param options - `prefix`. @returns the model (params area, mu, sigma, gamma; sigma, gamma ≥ 0).
 */
export function voigt(options: LibraryModelOptions = {}): Model {
  return new Model('area*faddeeva_re((x - mu)/(sigma*sqrt(2)), gamma/(sigma*sqrt(2)))/(sigma*sqrt(2*pi))', {
    ...libraryOptions('models.voigt', options, true),
    name: 'voigt',
    params: ['area', 'mu', 'sigma', 'gamma'],
    estimateP0: (x, y) => {
      const p = peakOf(x, y, 'models.voigt.estimateP0', 4);
      const fL = 2; // f_L/σ with γ = σ
      const sigma = p.fwhm / (0.5346 * fL + Math.sqrt(0.2166 * fL * fL + FWHM_PER_SIGMA * FWHM_PER_SIGMA));
      const peak = faddeevaRe(0, Math.SQRT1_2) / (sigma * Math.sqrt(2 * Math.PI));
      return [p.height / peak, p.center, sigma, sigma];
    },
    defaultBounds: [[-INF, -INF, 0, 0], [INF, INF, INF, INF]],
  });
}
