import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { blockRowsFor, DEFAULT_BLOCK_ROWS, VECTOR_BLOCK_ROWS } from '../../src/workflow/block-rows.ts';

describe('blockRowsFor', () => {
  it('is the cache-sized default capped at n, or the height given', () => {
    expect(DEFAULT_BLOCK_ROWS).toBe(2048);
    expect(blockRowsFor(1_000_000)).toBe(2048);
    expect(blockRowsFor(300)).toBe(300);
    expect(blockRowsFor(10_000, 64)).toBe(64);
    expect(blockRowsFor(10, 64)).toBe(10);
    expect(blockRowsFor(0)).toBe(1);
  });

  it('takes the dense vector problem\'s own default when asked', () => {
    expect(VECTOR_BLOCK_ROWS).toBe(4096);
    expect(blockRowsFor(5000, undefined, VECTOR_BLOCK_ROWS)).toBe(4096);
    expect(blockRowsFor(5000, 100, VECTOR_BLOCK_ROWS)).toBe(100);
  });

  test.prop([fc.integer({ min: 0, max: 1e7 }), fc.option(fc.integer({ min: 1, max: 1e7 }), { nil: undefined })])('lies in [1, max(n, 1)] and never exceeds what was asked', (n, given) => {
    const rows = blockRowsFor(n, given);
    expect(rows).toBeGreaterThanOrEqual(1);
    expect(rows).toBeLessThanOrEqual(Math.max(n, 1));
    expect(rows).toBeLessThanOrEqual(given ?? DEFAULT_BLOCK_ROWS);
    if (n >= (given ?? DEFAULT_BLOCK_ROWS)) expect(rows).toBe(given ?? DEFAULT_BLOCK_ROWS);
  });
});
