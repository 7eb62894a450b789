import { describe, expect, it } from 'vitest';
import { formatBytes, formatCount, formatGb, formatLimitGb } from '../../src/util/format.ts';

describe('workflow number formatting', () => {
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
  });

  it('prints bytes in binary units', () => {
    expect(formatBytes(256 * 1024 ** 2)).toBe('256 MiB');
    expect(formatBytes(2 ** 32)).toBe('4 GiB');
    expect(formatBytes(512)).toBe('512 B');
  });
});
