import { describe, expect, it } from 'vitest';
import { lazy } from '../../src/util/lazy.ts';

describe('lazy', () => {
  it('runs the loader once and hands every caller the same promise', async () => {
    let calls = 0;
    const get = lazy(async () => ({ n: ++calls }));
    const a = get();
    const b = get();
    expect(a).toBe(b);
    expect(await a).toBe(await get());
    expect(calls).toBe(1);
  });

  it('tries again after a rejection, and keeps the first success', async () => {
    let calls = 0;
    const get = lazy(async () => {
      calls++;
      if (calls === 1) throw new Error('offline');
      return calls;
    });
    await expect(get()).rejects.toThrow('offline');
    expect(await get()).toBe(2);
    expect(await get()).toBe(2);
    expect(calls).toBe(2);
  });
});

describe('lazy().loaded', () => {
  it('is undefined until the load succeeds, then the value; a failed load leaves it undefined', async () => {
    const get = lazy(async () => 42);
    expect(get.loaded).toBeUndefined();
    const pending = get();
    expect(get.loaded).toBeUndefined();
    expect(await pending).toBe(42);
    expect(get.loaded).toBe(42);
    const failing = lazy(() => Promise.reject(new Error('offline')));
    await expect(failing()).rejects.toThrow('offline');
    expect(failing.loaded).toBeUndefined();
  });
});
