import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { NlsqRangeError } from '../../src/errors.ts';
import type { DataColumns } from '../../src/model/model-kernel.ts';
import { BlockEvaluator } from '../../src/evaluate/block-evaluator.ts';
import { createClosureKernel } from '../../src/model/closure-kernel.ts';
import { AdamWarmup, WARMUP_DEFAULTS, type WarmupState, resolveWarmupOptions } from '../../src/streaming/warmup.ts';
import { cpu, expData, expKernel } from '../support/streaming-helpers.ts';

const data = expData(4000, 11);
const cols: DataColumns = { x: [data.x], y: data.y, w: null };
const free = new Float64Array(3).fill(-Infinity);
const freeU = new Float64Array(3).fill(Infinity);

function evaluator(kernel = expKernel()): BlockEvaluator {
  return new BlockEvaluator({ backend: cpu(), kernel, loss: null, scheme: { kind: 'analytic' }, blockRows: 256 });
}

function fullCost(x: Float64Array): number {
  const ev = evaluator();
  ev.begin(x, false);
  ev.addWindow(cols, 0, 4000);
  return ev.finish().cost;
}

/** Run `epochs` passes of batches of 100 points through the warm-up; returns it. */
function run(warm: AdamWarmup, epochs: number, batches = Infinity): AdamWarmup {
  let count = 0;
  for (let e = 0; e < epochs && !warm.done; e++) {
    for (let s = 0; s < 4000 && !warm.done && count < batches; s += 100, count++) warm.step(cols, s, 100);
    if (count >= batches) break;
    warm.endEpoch();
  }
  return warm;
}

describe('resolveWarmupOptions', () => {
  it('fills the defaults', () => {
    expect(resolveWarmupOptions(undefined)).toEqual(WARMUP_DEFAULTS);
    expect(resolveWarmupOptions({ window: 5 }).window).toBe(5);
  });

  it('names the option and the value it rejects', () => {
    expect(() => resolveWarmupOptions({ learningRate: -1 })).toThrow('fit: warmup.learningRate must be a positive finite number, got -1');
    expect(() => resolveWarmupOptions({ beta1: 1 })).toThrow(NlsqRangeError);
    expect(() => resolveWarmupOptions({ window: 2.5 })).toThrow(/warmup.window must be a positive integer, got 2.5/);
  });
});

describe('AdamWarmup', () => {
  it('lowers the exact cost from a poor starting point', () => {
    const x0 = new Float64Array([1, 3, 0]);
    const warm = run(new AdamWarmup(evaluator(), x0, free, freeU, resolveWarmupOptions({ maxEpochs: 3, learningRate: 0.05 })), 3);
    expect(warm.batchCount).toBeGreaterThan(0);
    expect(fullCost(warm.point)).toBeLessThan(0.5 * fullCost(x0));
  });

  test.prop(
    [
      fc.tuple(fc.double({ min: 0.2, max: 2, noNaN: true }), fc.double({ min: 2.1, max: 5, noNaN: true })),
      fc.double({ min: 0.05, max: 0.5, noNaN: true }),
    ],
    { numRuns: 15 },
  )('keeps every iterate strictly inside the bounds (projection, never on or past a bound)', ([lo, hi], lr) => {
    const lb = new Float64Array([lo, 0.5, -1]);
    const ub = new Float64Array([hi, 2, 0.2]);
    const warm = new AdamWarmup(evaluator(), new Float64Array([hi, 2, -1]), lb, ub, resolveWarmupOptions({ learningRate: lr }));
    for (let s = 0; s < 4000; s += 200) {
      const x = warm.point;
      for (let j = 0; j < 3; j++) {
        expect(x[j]!).toBeGreaterThan(lb[j]!);
        expect(x[j]!).toBeLessThan(ub[j]!);
      }
      warm.step(cols, s, 200);
    }
  });

  it('stops as stalled when the window-mean batch cost stops improving', () => {
    const truth = new Float64Array([2.5, 1.3, 0.5]);
    const warm = run(new AdamWarmup(evaluator(), truth, free, freeU, resolveWarmupOptions({ window: 5, maxEpochs: 10, learningRate: 1e-6 })), 10);
    expect(warm.stopReason).toBe('stalled');
    expect(warm.batchCount).toBe(10); // two windows: the second did not improve on the first by 0.1 %
  });

  it('stops at maxBatches and at maxEpochs', () => {
    const x0 = new Float64Array([1, 3, 0]);
    expect(run(new AdamWarmup(evaluator(), x0, free, freeU, resolveWarmupOptions({ maxBatches: 7 })), 5).batchCount).toBe(7);
    const w = run(new AdamWarmup(evaluator(), x0, free, freeU, resolveWarmupOptions({ maxEpochs: 2, window: 1000 })), 5);
    expect(w.stopReason).toBe('max-epochs');
    expect(w.epochCount).toBe(2);
  });

  it('undoes a step into a non-finite region and halves the step size, then reports divergence', () => {
    const kernel = createClosureKernel({
      f: (x: number, a: number) => (a > 1.5 ? NaN : a * x),
      jac: (x: number) => [x],
      nParams: 1,
      nVariables: 1,
    });
    const ev = new BlockEvaluator({ backend: cpu(), kernel, loss: null, scheme: { kind: 'analytic' }, blockRows: 64 });
    const d: DataColumns = { x: [Float64Array.from({ length: 50 }, (_, i) => i / 50)], y: Float64Array.from({ length: 50 }, (_, i) => (3 * i) / 50), w: null };
    const warm = new AdamWarmup(ev, new Float64Array([1]), new Float64Array([-Infinity]), new Float64Array([Infinity]), resolveWarmupOptions({ learningRate: 1, maxHalvings: 0 }));
    warm.step(d, 0, 50); // at 1: finite, steps to 2
    expect(warm.point[0]).toBeCloseTo(2, 6);
    expect(Number.isNaN(warm.step(d, 0, 50))).toBe(true); // at 2: NaN → back to 1
    expect(warm.point[0]).toBe(1);
    expect(warm.state().learningRate).toBe(0.5);
    expect(warm.stopReason).toBe('diverging');
  });

  it('resumes from a JSON round-tripped state exactly as if never interrupted', () => {
    const x0 = new Float64Array([1, 3, 0]);
    const opts = resolveWarmupOptions({ maxEpochs: 3, window: 4 });
    const straight = run(new AdamWarmup(evaluator(), x0, free, freeU, opts), 2);
    const first = run(new AdamWarmup(evaluator(), x0, free, freeU, opts), 1);
    const state = JSON.parse(JSON.stringify(first.state())) as WarmupState;
    const resumed = run(new AdamWarmup(evaluator(), x0, free, freeU, opts, state), 1);
    expect(Array.from(resumed.point)).toEqual(Array.from(straight.point));
    expect(resumed.state()).toEqual(straight.state());
  });
});
