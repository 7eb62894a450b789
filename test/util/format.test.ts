import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { formatBytes, formatCount, formatExponent, formatGb, formatLimitGb, formatNumber } from '../../src/util/format.ts';

describe('number formatting', () => {
  it('formats report numbers to six significant digits, exponent form outside [1e-3, 1e6)', () => {
    expect(formatNumber(1234.56789)).toBe('1234.57');
    expect(formatNumber(1.5e-7)).toBe('1.50000e-7');
    expect(formatNumber(-2.5e6)).toBe('-2.50000e+6');
    expect(formatNumber(0.001)).toBe('0.001');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(Infinity)).toBe('Infinity');
    expect(formatNumber(NaN)).toBe('NaN');
  });

  test.prop([fc.double({ noNaN: true, noDefaultInfinity: true }).filter((v) => v !== 0)])('keeps six significant digits: parsing the text gives v to 5e-6 relative', (v) => {
    expect(Math.abs(Number(formatNumber(v)) - v)).toBeLessThanOrEqual(5e-6 * Math.abs(v));
  });

  it('formats message numbers in exponent form with two significant digits by default', () => {
    expect(formatExponent(0)).toBe('0');
    expect(formatExponent(Infinity)).toBe('Infinity');
    expect(formatExponent(123456)).toBe('1.2e+5');
    expect(formatExponent(3.14e-10)).toBe('3.1e-10');
    expect(formatExponent(2 ** -52, 2)).toBe('2.22e-16');
  });

  it('groups counts by thousands without depending on the locale', () => {
    expect(formatCount(100663)).toBe('100,663');
    expect(formatCount(1_000_000)).toBe('1,000,000');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(-1234)).toBe('-1,234');
  });

  it('prints GB with precision suited to the size', () => {
    expect(formatGb(17.42)).toBe('17.4 GB');
    expect(formatGb(3.2665)).toBe('3.27 GB');
    expect(formatGb(0.0149)).toBe('0.015 GB');
    expect(formatGb(0)).toBe('0 GB');
    expect(formatLimitGb(4)).toBe('4 GB');
    expect(formatLimitGb(0.2)).toBe('0.2 GB');
    expect(formatGb(6, 1)).toBe('6.0 GB');
    expect(formatGb(23.25, 1)).toBe('23.3 GB');
  });

  it('prints bytes in binary units', () => {
    expect(formatBytes(256 * 1024 ** 2)).toBe('256 MiB');
    expect(formatBytes(2 ** 32)).toBe('4 GiB');
    expect(formatBytes(512)).toBe('512 B');
  });
});
