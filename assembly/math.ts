/**
 * Double-precision math functions for generated expression-model modules
 * (`src/backends/wasm/codegen-wasm.ts`): a model module imports these exports of the kernel
 * instance, so a model's `exp`, `log`, `pow`, … run as wasm → wasm calls, not JS calls.
 *
 * Semantics follow JavaScript's `Math` (see `src/model/ir.ts`). AssemblyScript's `Math` is a port
 * of musl's libm (correctly rounded in most cases, < 1 ulp), so values may differ from V8's in the
 * last bit. `pow` is wrapped where C's `pow` and JavaScript's differ (`pow(1, NaN)`,
 * `pow(±1, ±∞)` are NaN in JavaScript). `erf`/`erfc` are a port of `src/stats/erf.ts` (Cody), the
 * Faddeeva pair `mathFaddeevaRe`/`mathFaddeevaIm` of `src/stats/faddeeva.ts` (Weideman).
 */

export function mathExp(x: f64): f64 { return Math.exp(x); }
export function mathLog(x: f64): f64 { return Math.log(x); }
export function mathLog10(x: f64): f64 { return Math.log10(x); }
export function mathLog2(x: f64): f64 { return Math.log2(x); }
export function mathCbrt(x: f64): f64 { return Math.cbrt(x); }
export function mathSin(x: f64): f64 { return Math.sin(x); }
export function mathCos(x: f64): f64 { return Math.cos(x); }
export function mathTan(x: f64): f64 { return Math.tan(x); }
export function mathAsin(x: f64): f64 { return Math.asin(x); }
export function mathAcos(x: f64): f64 { return Math.acos(x); }
export function mathAtan(x: f64): f64 { return Math.atan(x); }
export function mathSinh(x: f64): f64 { return Math.sinh(x); }
export function mathCosh(x: f64): f64 { return Math.cosh(x); }
export function mathTanh(x: f64): f64 { return Math.tanh(x); }
export function mathAtan2(y: f64, x: f64): f64 { return Math.atan2(y, x); }
export function mathHypot(a: f64, b: f64): f64 { return Math.hypot(a, b); }

/** `Math.pow` with JavaScript's special cases: y NaN gives NaN; |x| = 1 with y = ±∞ gives NaN. */
export function mathPow(x: f64, y: f64): f64 {
  if (y != y) return NaN;
  if (Math.abs(x) == 1.0 && Math.abs(y) == Infinity) return NaN;
  return Math.pow(x, y);
}

// Cody's CALERF, as in src/model/erf.ts.
const THRESH: f64 = 0.46875;
const XSMALL: f64 = 1.11e-16;
const XBIG: f64 = 26.543;
const SQRPI: f64 = 0.56418958354775628695;

function erfSmall(x: f64): f64 {
  const y = Math.abs(x);
  const ysq = y > XSMALL ? y * y : 0.0;
  let xnum = 0.185777706184603153 * ysq;
  let xden = ysq;
  xnum = (xnum + 3.1611237438705656) * ysq; xden = (xden + 23.6012909523441209) * ysq;
  xnum = (xnum + 113.86415415105016) * ysq; xden = (xden + 244.024637934444173) * ysq;
  xnum = (xnum + 377.485237685302021) * ysq; xden = (xden + 1282.61652607737228) * ysq;
  return (x * (xnum + 3209.37758913846947)) / (xden + 2844.23683343917062);
}

function erfcLarge(y: f64): f64 {
  let result: f64;
  if (y <= 4.0) {
    let xnum = 2.15311535474403846e-8 * y;
    let xden = y;
    xnum = (xnum + 0.564188496988670089) * y; xden = (xden + 15.7449261107098347) * y;
    xnum = (xnum + 8.88314979438837594) * y; xden = (xden + 117.693950891312499) * y;
    xnum = (xnum + 66.1191906371416295) * y; xden = (xden + 537.181101862009858) * y;
    xnum = (xnum + 298.635138197400131) * y; xden = (xden + 1621.38957456669019) * y;
    xnum = (xnum + 881.95222124176909) * y; xden = (xden + 3290.79923573345963) * y;
    xnum = (xnum + 1712.04761263407058) * y; xden = (xden + 4362.61909014324716) * y;
    xnum = (xnum + 2051.07837782607147) * y; xden = (xden + 3439.36767414372164) * y;
    result = (xnum + 1230.33935479799725) / (xden + 1230.33935480374942);
  } else {
    if (y >= XBIG) return 0.0;
    const ysq = 1.0 / (y * y);
    let xnum = 0.0163153871373020978 * ysq;
    let xden = ysq;
    xnum = (xnum + 0.305326634961232344) * ysq; xden = (xden + 2.56852019228982242) * ysq;
    xnum = (xnum + 0.360344899949804439) * ysq; xden = (xden + 1.87295284992346047) * ysq;
    xnum = (xnum + 0.125781726111229246) * ysq; xden = (xden + 0.527905102951428412) * ysq;
    xnum = (xnum + 0.0160837851487422766) * ysq; xden = (xden + 0.0605183413124413191) * ysq;
    result = (ysq * (xnum + 6.58749161529837803e-4)) / (xden + 0.00233520497626869185);
    result = (SQRPI - result) / y;
  }
  const ysq = Math.trunc(y * 16.0) / 16.0;
  const del = (y - ysq) * (y + ysq);
  return Math.exp(-ysq * ysq) * Math.exp(-del) * result;
}

/** erf(x) (Cody's CALERF; NaN gives NaN, ±∞ gives ±1). */
export function mathErf(x: f64): f64 {
  if (x != x) return NaN;
  const y = Math.abs(x);
  if (y <= THRESH) return erfSmall(x);
  const r = 0.5 - erfcLarge(y) + 0.5;
  return x < 0 ? -r : r;
}

/** erfc(x) (Cody's CALERF; NaN gives NaN, +∞ gives 0, −∞ gives 2). */
export function mathErfc(x: f64): f64 {
  if (x != x) return NaN;
  const y = Math.abs(x);
  if (y <= THRESH) return 1.0 - erfSmall(x);
  const r = erfcLarge(y);
  return x < 0 ? 2.0 - r : r;
}

// The Faddeeva function w(x + iy), as src/stats/faddeeva.ts (Weideman N = 32 for |z| < 8, the
// Laplace continued fraction with 20 levels beyond, w(z) = 2exp(−z²) − w(−z) below the real axis).
const WEIDEMAN_L: f64 = 4.756828460010884;
const INV_SQRT_PI: f64 = 0.5641895835477563;
const FADDEEVA_CF_RADIUS_SQ: f64 = 64.0;
const FADDEEVA_CF_TERMS: i32 = 20;
const WEIDEMAN_COEFFICIENTS: StaticArray<f64> = [
  -1.3031797863050087e-12, 3.7408812931653625e-12, 8.03036789996389e-12, -2.154363207783877e-11,
  -5.5442359481664624e-11, 1.1658251093523774e-10, 4.153743091833453e-10, -5.231020481196329e-10,
  -3.208015091723369e-9, 8.124889456846652e-10, 2.3797556779897417e-8, 2.2930439065099966e-8,
  -1.4813078915120977e-7, -4.1840763702169776e-7, 4.2558331375750085e-7, 4.40153173157855e-6,
  6.821031944001985e-6, -2.140961920171075e-5, -0.00013075449254615346, -0.0002453298027002143,
  0.0003925913607007031, 0.004519541105349217, 0.019006155784845408, 0.05730440352983722,
  0.14060716226893769, 0.2954445107150873, 0.5460139720639341, 0.9019254893647999,
  1.345544169234545, 1.8256696296324815, 2.2635372999002676, 2.5722534081245696,
];

let wRe: f64 = 0.0;
let wIm: f64 = 0.0;

/** Smith's complex division (a + ib)/(c + id) into wRe, wIm. */
function cdiv(a: f64, b: f64, c: f64, d: f64): void {
  if (Math.abs(c) >= Math.abs(d)) {
    const r = d / c;
    const t = c + d * r;
    wRe = (a + b * r) / t;
    wIm = (b - a * r) / t;
  } else {
    const r = c / d;
    const t = c * r + d;
    wRe = (a * r + b) / t;
    wIm = (b * r - a) / t;
  }
}

function faddeevaUpper(x: f64, y: f64): void {
  if (!isFinite(x) || !isFinite(y)) {
    wRe = 0.0;
    wIm = 0.0;
    return;
  }
  if (x * x + y * y >= FADDEEVA_CF_RADIUS_SQ) {
    let rr: f64 = 0.0;
    let ri: f64 = 0.0;
    for (let k = FADDEEVA_CF_TERMS; k >= 1; k--) {
      cdiv(<f64>k / 2.0, 0.0, x - rr, y - ri);
      rr = wRe;
      ri = wIm;
    }
    cdiv(0.0, INV_SQRT_PI, x - rr, y - ri);
    return;
  }
  const dr = WEIDEMAN_L + y;
  const di = -x;
  cdiv(WEIDEMAN_L - y, x, dr, di);
  const zr = wRe;
  const zi = wIm;
  let pr = unchecked(WEIDEMAN_COEFFICIENTS[0]);
  let pi: f64 = 0.0;
  for (let k = 1; k < 32; k++) {
    const t = pr * zr - pi * zi + unchecked(WEIDEMAN_COEFFICIENTS[k]);
    pi = pr * zi + pi * zr;
    pr = t;
  }
  cdiv(2.0 * pr, 2.0 * pi, dr, di);
  cdiv(wRe + INV_SQRT_PI, wIm, dr, di);
}

function faddeeva(x: f64, y: f64): void {
  if (x != x || y != y) {
    wRe = NaN;
    wIm = NaN;
  } else if (y >= 0.0) {
    faddeevaUpper(x, y);
  } else {
    faddeevaUpper(-x, -y);
    const e = 2.0 * Math.exp((y - x) * (y + x));
    const phase = 2.0 * x * y;
    wRe = e * Math.cos(phase) - wRe;
    wIm = -e * Math.sin(phase) - wIm;
  }
}

/** Re w(x + iy), the Faddeeva function's real part (src/stats/faddeeva.ts). */
export function mathFaddeevaRe(x: f64, y: f64): f64 {
  faddeeva(x, y);
  return wRe;
}

/** Im w(x + iy), the Faddeeva function's imaginary part (src/stats/faddeeva.ts). */
export function mathFaddeevaIm(x: f64, y: f64): f64 {
  faddeeva(x, y);
  return wIm;
}
