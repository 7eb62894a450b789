/**
 * Decimal number text to double, correctly rounded, without allocating on the common path.
 *
 * Numbers with at most 15 significant digits and a decimal exponent within ±22 are converted by
 * Clinger's exact fast path (one correctly rounded multiplication or division by an exact power
 * of ten: W. D. Clinger, "How to read floating point numbers accurately", PLDI 1990); all others
 * go through `Number()` — both give the correctly rounded double. `NaN`, `inf`, `Infinity` (any
 * case, signed) are read by name.
 *
 * @module
 */

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/**
 * Parse the decimal number in `s[start, end)` (surrounding spaces and tabs allowed).
 *
 * @param s - text.
 * @param start - first character.
 * @param end - one past the last character.
 * @returns the correctly rounded double, NaN for `NaN`, or `undefined` when the text is not a number.
 */
export function parseDecimal(s: string, start: number, end: number): number | undefined {
  let c = 0;
  while (start < end && ((c = s.charCodeAt(start)) === 32 || c === 9)) start++;
  while (end > start && ((c = s.charCodeAt(end - 1)) === 32 || c === 9)) end--;
  if (start >= end) return undefined;
  let i = start;
  let neg = false;
  c = s.charCodeAt(i);
  if (c === 43 || c === 45) {
    neg = c === 45;
    i++;
  }
  let mant = 0;
  let digits = 0; // significant digits in mant
  let exp10 = 0;
  let any = false;
  for (; i < end && (c = s.charCodeAt(i)) >= 48 && c <= 57; i++, any = true) {
    if (mant !== 0 || c !== 48) (mant = mant * 10 + (c - 48)), digits++;
  }
  if (i < end && s.charCodeAt(i) === 46) {
    for (i++; i < end && (c = s.charCodeAt(i)) >= 48 && c <= 57; i++, any = true) {
      if (mant !== 0 || c !== 48) (mant = mant * 10 + (c - 48)), digits++;
      exp10--;
    }
  }
  if (any && i < end && ((c = s.charCodeAt(i)) === 101 || c === 69)) {
    let j = i + 1;
    let eneg = false;
    if (j < end && ((c = s.charCodeAt(j)) === 43 || c === 45)) (eneg = c === 45), j++;
    let e = 0;
    const j0 = j;
    for (; j < end && (c = s.charCodeAt(j)) >= 48 && c <= 57; j++) e = Math.min(e * 10 + (c - 48), 1e6);
    if (j > j0) (exp10 += eneg ? -e : e), (i = j);
  }
  if (any && i === end) {
    if (digits <= 15 && exp10 >= -22 && exp10 <= 22) {
      const v = exp10 >= 0 ? mant * POW10[exp10]! : mant / POW10[-exp10]!;
      return neg ? -v : v;
    }
    return Number(s.slice(start, end)); // syntax checked above; more digits than the fast path takes
  }
  return slowDecimal(s.slice(start, end));
}

function slowDecimal(t: string): number | undefined {
  const lower = t.toLowerCase();
  if (lower === 'nan') return NaN;
  if (lower === 'inf' || lower === '+inf' || lower === 'infinity' || lower === '+infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return undefined;
  return Number(t);
}
