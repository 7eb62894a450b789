/**
 * The Faddeeva function w(z) = exp(−z²)·erfc(−iz) of a complex argument z = x + iy, in double
 * precision, as two real functions of (x, y): {@link faddeevaRe} = Re w and {@link faddeevaIm} = Im w.
 *
 * Re w is the Voigt function: the Voigt profile (a Gaussian of standard deviation σ convolved with
 * a Lorentzian of half width γ) is V(x; σ, γ) = Re w((x + iγ)/(σ√2)) / (σ√(2π)).
 *
 * ## Algorithm (upper half plane, y ≥ 0)
 *
 * - |z| < 8: J. A. C. Weideman, "Computation of the complex error function", SIAM J. Numer. Anal.
 *   31 (1994) 1497–1518, the rational approximation with N = 32 terms,
 *
 *   w(z) ≈ 2·p(Z)/(L − iz)² + (1/√π)/(L − iz),   Z = (L + iz)/(L − iz),   L = √(N/√2),
 *
 *   p the polynomial of degree N − 1 whose coefficients {@link WEIDEMAN_COEFFICIENTS} are the
 *   Fourier coefficients of exp(−t²)(L² + t²) under t = L·tan(θ/2) (Weideman's eq. (3.4), computed
 *   by his MATLAB program's FFT of size 4N; the tests recompute them). Its error is below 3.2e−13
 *   relative to |w| over the upper half plane (SciPy's `wofz` as reference).
 * - |z| ≥ 8: the Laplace continued fraction w(z) = (i/√π) / (z − ½/(z − 1/(z − (3/2)/(z − …)))),
 *   truncated after 20 levels (W. Gautschi, "Efficient computation of the complex error function",
 *   SIAM J. Numer. Anal. 7 (1970) 187–198; the large-|z| region of Humlíček's and Poppe–Wijers'
 *   algorithms): relative error below 1e−14 for |z| ≥ 8, in Re w and Im w separately whenever
 *   y > 1e−10·|z| (the Lorentzian tails of a Voigt profile keep their relative accuracy).
 *
 * Below the real axis (y < 0): w(z) = 2·exp(−z²) − w(−z) (overflowing to ±∞ where exp(y² − x²)
 * does, as SciPy's `wofz`). Non-finite input: w → 0 as |z| → ∞ with y ≥ 0; NaN gives NaN.
 *
 * Near the real axis with |x| ≥ 8 the continued fraction leaves out exp(−x²) ≤ 1.6e−28 from Re w:
 * for y = 0 exactly Re w is returned as 0 there (an error below 1e−27 absolute, 1e−26 relative to |w|).
 *
 * Derivatives (used by `model/differentiate.ts`): w′(z) = −2z·w(z) + 2i/√π and w analytic, so with
 * u = Re w, v = Im w: ∂u/∂x = ∂v/∂y = −2(xu − yv), ∂v/∂x = −∂u/∂y = 2/√π − 2(xv + yu).
 *
 * `assembly/math.ts` (wasm) and `backends/webgpu/codegen-wgsl.ts` (f32) are ports of this file.
 *
 * @module
 */

/** L = √(N/√2) of Weideman's approximation with N = 32. */
export const WEIDEMAN_L = 4.756828460010884;

/**
 * The N = 32 coefficients of Weideman's polynomial p(Z), highest degree first (Horner order):
 * p(Z) = Σ_k WEIDEMAN_COEFFICIENTS[k]·Z^(31−k).
 */
export const WEIDEMAN_COEFFICIENTS: readonly number[] = Object.freeze([
  -1.3031797863050087e-12, 3.7408812931653625e-12, 8.03036789996389e-12, -2.154363207783877e-11,
  -5.5442359481664624e-11, 1.1658251093523774e-10, 4.153743091833453e-10, -5.231020481196329e-10,
  -3.208015091723369e-9, 8.124889456846652e-10, 2.3797556779897417e-8, 2.2930439065099966e-8,
  -1.4813078915120977e-7, -4.1840763702169776e-7, 4.2558331375750085e-7, 4.40153173157855e-6,
  6.821031944001985e-6, -2.140961920171075e-5, -0.00013075449254615346, -0.0002453298027002143,
  0.0003925913607007031, 0.004519541105349217, 0.019006155784845408, 0.05730440352983722,
  0.14060716226893769, 0.2954445107150873, 0.5460139720639341, 0.9019254893647999,
  1.345544169234545, 1.8256696296324815, 2.2635372999002676, 2.5722534081245696,
]);

/** |z|² at and above which the continued fraction is used. */
export const FADDEEVA_CF_RADIUS_SQ = 64;
/** Levels of the continued fraction. */
export const FADDEEVA_CF_TERMS = 20;

const INV_SQRT_PI = 0.5641895835477563; // 1/√π

// The last value computed: faddeevaRe and faddeevaIm share one evaluation when called in turn at
// the same point (a Voigt model's derivatives need both).
let lastX = NaN;
let lastY = NaN;
let re = NaN;
let im = NaN;

/** Smith's complex division (a + ib)/(c + id) into re, im (no overflow of c² + d²). */
function divide(a: number, b: number, c: number, d: number): void {
  if (Math.abs(c) >= Math.abs(d)) {
    const r = d / c;
    const t = c + d * r;
    re = (a + b * r) / t;
    im = (b - a * r) / t;
  } else {
    const r = c / d;
    const t = c * r + d;
    re = (a * r + b) / t;
    im = (b * r - a) / t;
  }
}

/** w(x + iy) for y ≥ 0 into re, im. */
function upper(x: number, y: number): void {
  if (!Number.isFinite(x) || !Number.isFinite(y)) {
    re = 0;
    im = 0;
    return;
  }
  if (x * x + y * y >= FADDEEVA_CF_RADIUS_SQ) {
    let rr = 0;
    let ri = 0;
    for (let k = FADDEEVA_CF_TERMS; k >= 1; k--) {
      divide(k / 2, 0, x - rr, y - ri);
      rr = re;
      ri = im;
    }
    // (i/√π)/(z − r)
    divide(0, INV_SQRT_PI, x - rr, y - ri);
    return;
  }
  // d = L − iz = (L + y) − ix; n = L + iz = (L − y) + ix; Z = n/d.
  const dr = WEIDEMAN_L + y;
  const di = -x;
  divide(WEIDEMAN_L - y, x, dr, di);
  const Zr = re;
  const Zi = im;
  let pr = WEIDEMAN_COEFFICIENTS[0]!;
  let pi = 0;
  for (let k = 1; k < 32; k++) {
    const t = pr * Zr - pi * Zi + WEIDEMAN_COEFFICIENTS[k]!;
    pi = pr * Zi + pi * Zr;
    pr = t;
  }
  // w = (2p/d + 1/√π)/d
  divide(2 * pr, 2 * pi, dr, di);
  divide(re + INV_SQRT_PI, im, dr, di);
}

/** w(x + iy) into re, im (cached for the last point). */
function evaluate(x: number, y: number): void {
  if (Object.is(x, lastX) && Object.is(y, lastY)) return;
  if (Number.isNaN(x) || Number.isNaN(y)) {
    re = NaN;
    im = NaN;
  } else if (y >= 0) {
    upper(x, y);
  } else {
    // w(z) = 2·exp(−z²) − w(−z), exp(−z²) = exp(y² − x²)·(cos 2xy − i sin 2xy).
    upper(-x, -y);
    const e = 2 * Math.exp((y - x) * (y + x));
    const phase = 2 * x * y;
    re = e * Math.cos(phase) - re;
    im = -e * Math.sin(phase) - im;
  }
  lastX = x;
  lastY = y;
}

/**
 * Re w(x + iy), the real part of the Faddeeva function (the Voigt function K(x, y) for y ≥ 0).
 *
 * @param x - real part of z.
 * @param y - imaginary part of z.
 * @returns Re w(z); error below 3.2e−13·|w(z)| (see the module documentation).
 */
export function faddeevaRe(x: number, y: number): number {
  evaluate(x, y);
  return re;
}

/**
 * Im w(x + iy), the imaginary part of the Faddeeva function (the Voigt function L(x, y) for y ≥ 0;
 * on the real axis 2/√π times Dawson's integral).
 *
 * @param x - real part of z.
 * @param y - imaginary part of z.
 * @returns Im w(z); error below 3.2e−13·|w(z)|.
 */
export function faddeevaIm(x: number, y: number): number {
  evaluate(x, y);
  return im;
}
