/**
 * Number formatting for the workflow's reasons and reports (locale-independent).
 *
 * @module
 */

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
 * 2 significant digits below: `17.42` → `'17.4 GB'`, `3.2665` → `'3.27 GB'`, `0.0149` → `'0.015 GB'`.
 * @param gb - the size in GB.
 * @returns the formatted size with its unit.
 */
export function formatGb(gb: number): string {
  if (!Number.isFinite(gb)) return `${gb} GB`;
  if (gb >= 10) return `${gb.toFixed(1)} GB`;
  if (gb >= 0.1) return `${gb.toFixed(2)} GB`;
  if (gb === 0) return '0 GB';
  return `${Number(gb.toPrecision(2))} GB`;
}

/**
 * Format a user-given limit in GB without trailing zeros: `4` → `'4 GB'`, `0.2` → `'0.2 GB'`.
 * @param gb - the limit in GB.
 * @returns the formatted limit with its unit.
 */
export function formatLimitGb(gb: number): string {
  return `${Number(gb.toPrecision(4))} GB`;
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
  return `${Number(value.toPrecision(3))} ${units[unit]}`;
}
