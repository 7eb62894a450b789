import { afterEach, describe, expect, it, vi } from 'vitest';
import { createYielder, DEFAULT_YIELD_BUDGET_MS, defaultYieldBudget, setDefaultYieldBudget, yieldToEventLoop } from '../../src/util/yield-control.ts';

/** A fake clock and a macrotask that counts its calls and settles at once. */
function fakeHost(): { now: () => number; yieldNow: () => Promise<void>; advance: (ms: number) => void; turns: () => number } {
  let t = 1000;
  let turns = 0;
  return {
    now: () => t,
    yieldNow: () => {
      turns++;
      return Promise.resolve();
    },
    advance: (ms) => {
      t += ms;
    },
    turns: () => turns,
  };
}

describe('createYielder', () => {
  afterEach(() => setDefaultYieldBudget(null));

  it('goes on at once while the budget lasts, and takes a turn once it is spent', async () => {
    const host = fakeHost();
    const pause = createYielder(10, host);
    expect(pause()).toBeNull();
    host.advance(9.9);
    expect(pause()).toBeNull();
    host.advance(0.1);
    const turn = pause();
    expect(turn).toBeInstanceOf(Promise);
    await turn;
    expect(host.turns()).toBe(1);
    // the budget starts again when the turn ends
    host.advance(5);
    expect(pause()).toBeNull();
    host.advance(5);
    await pause();
    expect(host.turns()).toBe(2);
  });

  it('restarts the budget at the end of the turn, not when it was asked for', async () => {
    let t = 0;
    const pause = createYielder(10, {
      now: () => t,
      yieldNow: async () => {
        t += 50; // a long turn: other tasks ran for 50 ms
      },
    });
    t = 10;
    await pause();
    t += 9;
    expect(pause()).toBeNull();
  });

  it('never yields with an infinite budget and always with a zero one', () => {
    const host = fakeHost();
    const never = createYielder(Infinity, host);
    host.advance(1e9);
    expect(never()).toBeNull();
    const always = createYielder(0, host);
    expect(always()).not.toBeNull();
    expect(host.turns()).toBe(1);
  });

  it('uses the default budget (10 ms) unless it is overridden, and the override can be undone', () => {
    expect(defaultYieldBudget()).toBe(DEFAULT_YIELD_BUDGET_MS);
    expect(DEFAULT_YIELD_BUDGET_MS).toBe(10);
    setDefaultYieldBudget(Infinity);
    const host = fakeHost();
    const off = createYielder(undefined, host);
    host.advance(1e6);
    expect(off()).toBeNull();
    setDefaultYieldBudget(null);
    const on = createYielder(undefined, host);
    host.advance(DEFAULT_YIELD_BUDGET_MS);
    expect(on()).not.toBeNull();
  });
});

describe('yieldToEventLoop', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('is a macrotask: a due timer runs during a busy loop that yields through it', async () => {
    let fired = false;
    setTimeout(() => {
      fired = true;
    }, 1);
    const deadline = performance.now() + 5000;
    let turns = 0;
    while (!fired && performance.now() < deadline) {
      const start = performance.now();
      while (performance.now() - start < 2); // 2 ms of work
      await yieldToEventLoop();
      turns++;
    }
    expect(fired).toBe(true);
    expect(turns).toBeGreaterThan(0);
  });

  it('a chain of resolved promises does not let the timer run (why a microtask is not enough)', async () => {
    let fired = false;
    setTimeout(() => {
      fired = true;
    }, 0);
    const start = performance.now();
    while (performance.now() - start < 20) await Promise.resolve();
    expect(fired).toBe(false);
    await yieldToEventLoop();
    await new Promise((r) => setTimeout(r, 1));
    expect(fired).toBe(true);
  });

  it('prefers scheduler.yield() on a page’s main thread, where the runtime has it', async () => {
    const calls: unknown[] = [];
    const scheduler = {
      yield(this: unknown) {
        calls.push(this);
        return Promise.resolve();
      },
    };
    vi.stubGlobal('scheduler', scheduler);
    vi.stubGlobal('document', {});
    await yieldToEventLoop();
    expect(calls).toEqual([scheduler]);
  });

  it('does not use scheduler.yield() in a worker (no document): its continuation would run ahead of a posted Cancel', async () => {
    const calls: unknown[] = [];
    vi.stubGlobal('scheduler', { yield: () => (calls.push(1), Promise.resolve()) });
    vi.stubGlobal('document', undefined);
    await yieldToEventLoop();
    expect(calls).toEqual([]);
  });

  it('falls back to setTimeout where there is no MessageChannel', async () => {
    vi.stubGlobal('MessageChannel', undefined);
    const spy = vi.spyOn(globalThis, 'setTimeout');
    await yieldToEventLoop();
    expect(spy).toHaveBeenCalledWith(expect.any(Function), 0);
    spy.mockRestore();
  });
});
