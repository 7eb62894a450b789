/**
 * Number formatting for messages, reasons and reports — the one home of the library's number
 * formatters (locale-independent).
 *
 * | formatter          | for                                   | example                     |
 * |--------------------|---------------------------------------|-----------------------------|
 * | {@link formatNumber}   | report values: 6 significant digits | `1234.56789` → `'1234.57'`  |
 * | {@link formatExponent} | termination tests, κ: exponent form | `3.14e-10` → `'3.1e-10'`    |
 * | {@link formatCount}    | point counts                        | `100663` → `'100,663'`      |
 * | {@link formatGb}       | memory sizes in GB (2³⁰ bytes)      | `3.2665` → `'3.27 GB'`      |
 * | {@link formatLimitGb}  | a user-given limit in GB            | `0.2` → `'0.2 GB'`          |
 * | {@link formatBytes}    | byte counts in binary units         | `2 ** 28` → `'256 MiB'`     |
 *
 * @module
 */

/** `v` rounded to `digits` significant digits, without trailing zeros: `(3.2665, 2)` → `3.3`. */
function significant(v: number, digits: number): number {
  return Number(v.toPrecision(digits));
}

/**
 * A number in 6 significant digits for reports and logs; exponent form (6 significant digits)
 * below 1e-3 and from 1e6 in magnitude: `1234.56789` → `'1234.57'`, `1.5e-7` → `'1.50000e-7'`.
 * @param v - the number.
 * @returns its text (`'0'` for zero, `'NaN'`/`'Infinity'` as is).
 */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e-3 && a < 1e6 ? String(significant(v, 6)) : v.toExponential(5);
}

/**
 * A number in exponent form with `digits` decimals, for the numbers a message states (a
 * termination test, a condition number): `3.14e-10` → `'3.1e-10'`, `123456` → `'1.2e+5'`.
 * @param x - the number.
 * @param digits - decimals of the mantissa (default 1: two significant digits).
 * @returns its text (`'0'` for zero, `'NaN'`/`'Infinity'` as is).
 */
export function formatExponent(x: number, digits = 1): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  return x.toExponential(digits);
}

/**
 * Format a count with thousands separators: `100663` → `'100,663'`.
 * @param n - an integer (non-integers are rounded).
 * @returns the formatted count.
 */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const s = Math.round(Math.abs(n)).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return n < 0 ? `-${s}` : s;
}

/**
 * Format a size in GB (2³⁰ bytes) for a sentence: 1 decimal from 10 GB, 2 decimals from 0.1 GB,
 * 2 significant digits below: `17.42` → `'17.4 GB'`, `3.2665` → `'3.27 GB'`, `0.0149` → `'0.015 GB'`;
 * or, with `decimals`, that many decimals always (a probe's reading: `6` → `'6.0 GB'`).
 * @param gb - the size in GB.
 * @param decimals - fixed decimals instead of the adaptive rule.
 * @returns the formatted size with its unit.
 */
export function formatGb(gb: number, decimals?: number): string {
  if (decimals !== undefined) return `${gb.toFixed(decimals)} GB`;
  if (!Number.isFinite(gb)) return `${gb} GB`;
  if (gb >= 10) return `${gb.toFixed(1)} GB`;
  if (gb >= 0.1) return `${gb.toFixed(2)} GB`;
  if (gb === 0) return '0 GB';
  return `${significant(gb, 2)} GB`;
}

/**
 * Format a user-given limit in GB without trailing zeros: `4` → `'4 GB'`, `0.2` → `'0.2 GB'`.
 * @param gb - the limit in GB.
 * @returns the formatted limit with its unit.
 */
export function formatLimitGb(gb: number): string {
  return `${significant(gb, 4)} GB`;
}

/**
 * Format a byte count in binary units: `268435456` → `'256 MiB'`, `2 ** 32` → `'4 GiB'`.
 * @param bytes - the byte count.
 * @returns the formatted size with its unit.
 */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${significant(value, 3)} ${units[unit]}`;
}
