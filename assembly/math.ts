/**
 * Double-precision math functions for generated expression-model modules
 * (`src/backends/wasm/codegen-wasm.ts`): a model module imports these exports of the kernel
 * instance, so a model's `exp`, `log`, `pow`, … run as wasm → wasm calls, not JS calls.
 *
 * Semantics follow JavaScript's `Math` (see `src/model/ir.ts`). AssemblyScript's `Math` is a port
 * of musl's libm (correctly rounded in most cases, < 1 ulp), so values may differ from V8's in the
 * last bit. `pow` is wrapped where C's `pow` and JavaScript's differ (`pow(1, NaN)`,
 * `pow(±1, ±∞)` are NaN in JavaScript). `erf`/`erfc` are a port of `src/model/erf.ts` (Cody).
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
