/**
 * fitBatch's workers through shared memory (`src/batch/shared-batch.ts`): rounds cut under both
 * limits, both halves run in this thread (rows bitwise the single-thread engine's, messages keyed
 * for the whole batch, progress, the STOP flag), and the whole engine on 2 and 3 workers in
 * several rounds — and on the queue of transferred chunks that runs where shared memory is not
 * usable — with every row bitwise the single-thread row; two batches on the same lanes at once.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { allocateOutput, type BatchOutput, type BatchProblem } from '../../src/batch/batch-engine.ts';
import { validateBatchData } from '../../src/batch/batch-data.ts';
import { resolveBatchParams } from '../../src/batch/batch-params.ts';
import { resolveBatchSettings } from '../../src/batch/batch-settings.ts';
import type { BatchResult } from '../../src/batch/batch-result.ts';
import type { FitBatchData, FitBatchOptions } from '../../src/batch/batch-options.ts';
import { prepareSharedRound, roundEnd, runSharedRound } from '../../src/batch/shared-batch.ts';
import { batchWorkerModel, runBatchOnWorkers } from '../../src/batch/worker-engine.ts';
import { fitBatch } from '../../src/fit-batch.ts';
import type { ModelProgram } from '../../src/model/program-model.ts';
import { terminateWorkers } from '../../src/parallel/worker-pool.ts';
import { gauss, gaussians, grid } from './gaussian-batches.ts';

afterAll(() => terminateWorkers());

/** The validated problem `runBatch` builds for `gauss` (4 parameters, 1 variable). */
function problemOf(data: FitBatchData, options: FitBatchOptions): { problem: BatchProblem; ir: ModelProgram } {
  const batch = validateBatchData('fitBatch', data, options.sigma, 1);
  const params = resolveBatchParams('fitBatch', gauss, options, batch.nFits, 1);
  const settings = resolveBatchSettings('fitBatch', options, params.free.length, params.bounded, params.kernel.analyticJacobian);
  const problem: BatchProblem = { caller: 'fitBatch', data: batch, params, settings, absoluteSigma: false, engine: 'auto' };
  const crossing = batchWorkerModel(problem, false);
  if (!('ir' in crossing)) throw new Error(crossing.blocked);
  return { problem, ir: crossing.ir };
}

/** Rows a … b−1 of every per-fit output bitwise equal to the single-thread result's (NaN equal to NaN). */
function expectRows(single: BatchResult, out: BatchOutput, a = 0, b = single.nFits): void {
  const P = out.P;
  for (const key of ['popt', 'perr'] as const) {
    const differ = Array.from(single[key].subarray(a * P, b * P)).findIndex((v, i) => !Object.is(v, out[key][a * P + i]));
    expect(differ, `${key}[${a * P + differ}]`).toBe(-1);
  }
  for (const key of ['status', 'cost', 'chiSquare', 'nfev', 'nit'] as const) {
    const differ = Array.from(single[key].subarray(a, b)).findIndex((v, i) => !Object.is(v, out[key][a + i]));
    expect(differ, `${key}[${a + differ}]`).toBe(-1);
  }
}

describe('rounds', () => {
  it('hold as many fits as fit under both limits, at least one', () => {
    const even = Int32Array.from({ length: 101 }, (_, i) => i * 10);
    expect(roundEnd(even, 100, 0, 30, 1000)).toBe(30);
    expect(roundEnd(even, 100, 90, 30, 1000)).toBe(100);
    expect(roundEnd(even, 100, 0, 1000, 255)).toBe(25);
    expect(roundEnd(even, 100, 7, 1000, 5)).toBe(8); // one fit over the point limit still makes a round
    const ragged = Int32Array.of(0, 3, 4, 40, 41, 42);
    expect(roundEnd(ragged, 5, 0, 10, 4)).toBe(2);
    expect(roundEnd(ragged, 5, 1, 10, 36)).toBe(2);
    expect(roundEnd(ragged, 5, 1, 10, 37)).toBe(3);
    expect(roundEnd(ragged, 5, 2, 10, 38)).toBe(5);
  });
});

describe('a round run in this thread (the worker’s half)', () => {
  const x = grid(12, -3, 3);
  const Y = gaussians(x, 10, 4);
  Y[12 * 7] = Infinity; // fit 7 cannot start

  it('writes the rows of fits a … b−1 into shared memory, bitwise the single thread’s, messages keyed for the whole batch', async () => {
    const single = await fitBatch(gauss, { x, y: Y }, { p0: [1, 0, 1, 0] });
    const { problem, ir } = problemOf({ x, y: Y }, { p0: [1, 0, 1, 0] });
    const round = prepareSharedRound(problem, ir, {}, problem.params.p0 as never, 6, 10, 1, 2);
    expect(round.setup.data.y.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(round.setup.out.popt.buffer).toBeInstanceOf(SharedArrayBuffer);
    round.fill();
    const seen: number[] = [];
    const result = await runSharedRound(round.setup, (d) => seen.push(d));
    expect(result.done).toBe(4);
    expect(seen.at(-1)).toBe(4);
    expect(result.messages).toEqual([[7, single.message(7)]]);
    expect(single.message(7)).toMatch(/^fitBatch: fit 7: y has Infinity at point 0/);
    const again = await runSharedRound(round.setup); // every fit claimed: nothing left
    expect(again).toEqual({ messages: [], done: 0 });
    const out = allocateOutput(10, 4);
    round.take(out, [result, again]);
    expectRows(single, out, 6, 10);
    expect(out.messages.get(7)).toBe(single.message(7));
    expect(Number.isNaN(out.popt[0])).toBe(true); // rows outside the round untouched

    // The next round reuses the shared memory of the one that ended well: stale rows and inputs are overwritten.
    const next = prepareSharedRound(problem, ir, {}, problem.params.p0 as never, 0, 4, 1, 2); // as large as the last: fits
    expect(next.setup.data.y.buffer).toBe(round.setup.data.y.buffer);
    next.fill();
    const r2 = await runSharedRound(next.setup);
    next.take(out, [r2]);
    expectRows(single, out, 0, 4);
    expectRows(single, out, 6, 10);
    expect(Number.isNaN(out.popt[4 * 4])).toBe(true);
    expect(out.messages).toEqual(new Map([[7, single.message(7)]]));
  });

  it('claims nothing once STOP is set, even before its inputs are copied', async () => {
    const { problem, ir } = problemOf({ x, y: Y }, { p0: [1, 0, 1, 0] });
    const round = prepareSharedRound(problem, ir, {}, problem.params.p0 as never, 0, 10, 2, 5);
    round.stop();
    expect(await runSharedRound(round.setup)).toEqual({ messages: [], done: 0 });
    // a round that did not end well is never reused
    const next = prepareSharedRound(problem, ir, {}, problem.params.p0 as never, 0, 10, 2, 5);
    expect(next.setup.data.y.buffer).not.toBe(round.setup.data.y.buffer);
  });
});

describe('the batch on workers, in several rounds and on the queue', () => {
  const x = grid(16, -3, 3);
  const n = x.length;
  const nFits = 40;
  const Y = gaussians(x, nFits, 8);
  Y[33 * n + 2] = NaN; // a failing fit in a later round
  const X = new Float64Array(nFits * n);
  for (let f = 0; f < nFits; f++) for (let i = 0; i < n; i++) X[f * n + i] = x[i]! * (1 + 0.01 * f);
  const P0 = Float64Array.from({ length: nFits * 4 }, (_, q) => [1, 0, 1, 0][q % 4]! + 0.01 * (q % 5));

  for (const [label, data, options] of [
    ['shared x, one p0', { x, y: Y }, { p0: [1, 0, 1, 0] }],
    ['per-fit x and p0, bounds (trf)', { x: X, y: Y, nPoints: n }, { p0: P0, bounds: [[0, -1, 0.1, -1], [3, 1, 5, 1]], method: 'trf' }],
  ] as const) {
    it(`${label}: every row bitwise the single thread's, progress summed over rounds and workers`, async () => {
      const single = await fitBatch(gauss, data as FitBatchData, options as FitBatchOptions);
      expect(single.message(33)).toMatch(/^fitBatch: fit 33: y has NaN at point 2/);
      for (const [workers, sharedMemory, roundFits] of [[2, true, 7], [3, true, 11], [2, false, undefined]] as const) {
        const { problem, ir } = problemOf(data as FitBatchData, options as FitBatchOptions);
        const seen: number[] = [];
        const run = { workers, ir, solver: options as never, progressEvery: 3, signal: undefined, onProgress: ({ done, total }: { done: number; total: number }) => { expect(total).toBe(nFits); seen.push(done); }, sharedMemory, roundFits };
        const out = await runBatchOnWorkers(problem, run, 4);
        expectRows(single, out);
        expect(out.messages).toEqual((single as unknown as { messages: ReadonlyMap<number, string> }).messages);
        expect(seen.at(-1)).toBe(nFits);
        expect(seen.every((d, i) => i === 0 || d > seen[i - 1]!)).toBe(true);
        if (roundFits !== undefined) expect(seen.length).toBeGreaterThanOrEqual(Math.ceil(nFits / roundFits));
      }
    }, 120_000);
  }
});

describe('batches at the same time', () => {
  it('two batches on the same lanes at once: each finishes, each row bitwise the single thread’s', async () => {
    const x = grid(20, -3, 3);
    const [Y1, Y2] = [gaussians(x, 300, 31), gaussians(x, 200, 32)];
    const [s1, s2] = await Promise.all([fitBatch(gauss, { x, y: Y1 }, { p0: [1, 0, 1, 0] }), fitBatch(gauss, { x, y: Y2 }, { p0: [1, 0, 1, 0] })]);
    const [w1, w2] = await Promise.all([fitBatch(gauss, { x, y: Y1 }, { p0: [1, 0, 1, 0], workers: 2 }), fitBatch(gauss, { x, y: Y2 }, { p0: [1, 0, 1, 0], workers: 2 })]);
    expect([w1.plan.workers, w2.plan.workers]).toEqual([2, 2]);
    expect(Array.from(w1.popt)).toEqual(Array.from(s1.popt));
    expect(Array.from(w2.popt)).toEqual(Array.from(s2.popt));
    expect(Array.from(w2.nfev)).toEqual(Array.from(s2.nfev));
  }, 60_000);
});
