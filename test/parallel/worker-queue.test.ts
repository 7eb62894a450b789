/**
 * onWorkerQueue (parallel/worker-tasks.ts), with stand-in tasks: every item runs once and its
 * value lands by item whatever order the workers finish in; a free worker takes the next item
 * (a slow worker takes fewer); after a failure no new item starts, the tasks in flight settle and
 * the first failed worker by worker order is named; an abort cancels the tasks in flight.
 */
import { describe, expect, it } from 'vitest';
import { AbortError } from '../../src/errors.ts';
import { WorkerError } from '../../src/parallel/worker-error.ts';
import type { WorkerTask } from '../../src/parallel/worker-pool.ts';
import { onWorkerQueue } from '../../src/parallel/worker-tasks.ts';

/** A task that settles after `ms` with `value` (or rejects with `error`); `cancel` rejects it at once. */
function task<T>(ms: number, value: T, error?: Error): WorkerTask<T> & { cancelled: boolean } {
  let reject!: (e: unknown) => void;
  const p = new Promise<T>((res, rej) => {
    reject = rej;
    setTimeout(() => (error === undefined ? res(value) : rej(error)), ms);
  }) as WorkerTask<T> & { cancelled: boolean };
  p.cancelled = false;
  p.cancel = () => {
    p.cancelled = true;
    reject(new Error('cancelled'));
  };
  return p;
}

const ctx = (workers: number, signal?: AbortSignal) => ({ caller: 'fitBatch', workers, subject: 'batch', signal });

describe('onWorkerQueue', () => {
  it('runs every item once, places values by item, and a slow worker takes fewer items', async () => {
    const byWorker: number[][] = [[], [], []];
    const got = new Array<number>(20).fill(-1);
    await onWorkerQueue(ctx(3), 20, (w, item) => {
      byWorker[w]!.push(item);
      return task(w === 0 ? 30 : 2, item * 10);
    }, (item, value) => {
      expect(got[item]).toBe(-1);
      got[item] = value;
    });
    expect(got).toEqual(Array.from({ length: 20 }, (_, i) => i * 10));
    expect(byWorker.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(byWorker[0]!.length).toBeLessThan(byWorker[1]!.length);
  });

  it('more workers than items: each item once, the extra workers idle', async () => {
    const seen: number[] = [];
    await onWorkerQueue(ctx(4), 2, (_w, item) => task(1, item), (item) => seen.push(item));
    expect(seen.sort()).toEqual([0, 1]);
  });

  it('a failure stops new items, lets the tasks in flight settle, and names the first failed worker', async () => {
    const started: number[] = [];
    const settled: number[] = [];
    const run = onWorkerQueue(ctx(2), 50, (w, item) => {
      started.push(item);
      return item === 3 ? task(1, 0, new Error('out of memory')) : task(w === 0 ? 20 : 2, item);
    }, (item) => settled.push(item));
    const error = await run.then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerError);
    expect((error as Error).message).toMatch(/^fitBatch: worker [12] of 2 failed \(out of memory\); the batch has no result/);
    expect(started.length).toBeLessThan(50);
    expect(settled.length).toBe(started.length - 1); // every other started task settled before the rejection
  });

  it('an abort cancels the tasks in flight and rejects with the AbortError', async () => {
    const ac = new AbortController();
    const tasks: (WorkerTask<number> & { cancelled: boolean })[] = [];
    const run = onWorkerQueue(ctx(2, ac.signal), 10, (_w, item) => {
      const t = task(1000, item);
      tasks.push(t);
      return t;
    }, () => undefined);
    setTimeout(() => ac.abort(), 5);
    await expect(run).rejects.toBeInstanceOf(AbortError);
    expect(tasks.length).toBe(2);
    expect(tasks.every((t) => t.cancelled)).toBe(true);
    await expect(onWorkerQueue(ctx(2, ac.signal), 3, () => task(1, 0), () => undefined)).rejects.toBeInstanceOf(AbortError);
  });
});
