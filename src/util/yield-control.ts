/**
 * Yielding to the event loop on a time budget, so that a long asynchronous fit over resident data
 * lets timers, I/O, UI events and an `AbortSignal` run (issue 21, defect 1).
 *
 * A fit whose evaluations all return synchronously only ever awaits resolved promises: those run
 * as microtasks, and no timer, `AbortSignal.timeout`, I/O callback or (in a browser) input event
 * or repaint gets a turn until the whole fit is over. A {@link Yielder} measures the work done
 * since the last turn with `performance.now()` and, once `budgetMs` (default
 * {@link DEFAULT_YIELD_BUDGET_MS} = 10 ms) has passed, hands back a Promise that settles in a
 * fresh macrotask ({@link yieldToEventLoop}); the asynchronous driver awaits it before the next
 * evaluation request, the streaming pass reader before the next chunk. Between two turns the fit
 * runs at most one evaluation (or one chunk) past the budget. The policy follows the browsers'
 * "long task" guideline (a task over 50 ms is long; yield well inside that) and
 * `scheduler.yield()`'s intended use (web.dev, "Optimize long tasks").
 *
 * Isomorphic: no `node:` import; only `performance`, `scheduler` and `MessageChannel`/`setTimeout`
 * from the global object.
 *
 * @module
 */

/** The default time budget between two turns of the event loop, in milliseconds. */
export const DEFAULT_YIELD_BUDGET_MS = 10;

let budgetOverride: number | null = null;

/**
 * Set the budget used by yielders created afterwards without an explicit one (null restores
 * {@link DEFAULT_YIELD_BUDGET_MS}); `Infinity` turns yielding off. For benchmarks that compare
 * the cost of yielding (`bench/yield.ts`) and for tests.
 *
 * @internal
 * @param ms - the budget in milliseconds (≥ 0, or Infinity), or null for the default.
 */
export function setDefaultYieldBudget(ms: number | null): void {
  budgetOverride = ms;
}

/** The budget a yielder created now without an explicit one uses. */
export function defaultYieldBudget(): number {
  return budgetOverride ?? DEFAULT_YIELD_BUDGET_MS;
}

/**
 * A time-budgeted yielder: returns null while less than the budget has passed since the last
 * turn (the caller goes on at once, paying one clock read), else a Promise that settles in a new
 * macrotask, after which the budget starts again.
 */
export type Yielder = () => Promise<void> | null;

/** The clock and the macrotask of {@link createYielder} (tests pass fake ones). */
export interface YielderHost {
  /** Milliseconds from a monotonic clock (default `performance.now`). */
  readonly now?: () => number;
  /** A Promise settling in a new macrotask (default {@link yieldToEventLoop}). */
  readonly yieldNow?: () => Promise<void>;
}

/**
 * Create a {@link Yielder} with a time budget.
 *
 * @param budgetMs - milliseconds of work between two turns (default {@link defaultYieldBudget}();
 *   `Infinity` never yields, 0 yields every time).
 * @param host - clock and macrotask, for tests.
 * @returns the yielder; its budget starts now.
 * @example
 * ```ts
 * const pause = createYielder();
 * for (const block of blocks) {
 *   const turn = pause();
 *   if (turn !== null) await turn;
 *   work(block);
 * }
 * ```
 */
export function createYielder(budgetMs: number = defaultYieldBudget(), host: YielderHost = {}): Yielder {
  const now = host.now ?? (() => performance.now());
  const yieldNow = host.yieldNow ?? yieldToEventLoop;
  if (budgetMs === Infinity) return () => null;
  let last = now();
  return () => {
    if (now() - last < budgetMs) return null;
    return yieldNow().then(() => {
      last = now();
    });
  };
}

interface SchedulerLike {
  yield(): Promise<void>;
}

/**
 * A Promise that settles in a new macrotask of the event loop, so that pending timers, I/O and
 * input events run first. Uses, in order:
 *
 * - `scheduler.yield()` (Prioritized Task Scheduling, Chromium ≥ 129) on a page's main thread (a
 *   `document` exists): a new task that keeps the fit ahead of other queued tasks of the page,
 *   while input events keep their higher priority. Not in a worker: there the prioritized
 *   continuation runs ahead of the page's queued `message` events, so a Cancel posted to the
 *   worker never arrived during a fit (found by the playground's end-to-end test);
 * - a `MessageChannel` message: a new task in every browser, Node ≥ 15, Deno and Bun, without the
 *   clamping of timers (≈ 40 µs a turn in Node 20, measured);
 * - `setTimeout(0)` otherwise: clamped to ≥ 1 ms in Node and ≥ 4 ms in nested browser timers, so
 *   it is the last resort.
 *
 * A fresh channel is opened per turn and closed once its message arrives, so that no port keeps a
 * Node process alive after the fit.
 *
 * @returns the Promise of the next turn.
 */
export function yieldToEventLoop(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: Partial<SchedulerLike> }).scheduler;
  const onPage = typeof (globalThis as { document?: unknown }).document === 'object';
  if (onPage && scheduler !== undefined && typeof scheduler.yield === 'function') return scheduler.yield();
  if (typeof MessageChannel === 'function') {
    return new Promise((resolve) => {
      const { port1, port2 } = new MessageChannel();
      port1.onmessage = () => {
        port1.close();
        resolve();
      };
      port2.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}
