import { describe, expect, it } from 'vitest';
import { NlsqRangeError, NlsqTypeError } from '../../src/errors.ts';
import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  type StreamingCheckpoint,
  exactCheckpoint,
  validateCheckpoint,
  warmupCheckpoint,
  withResumedCounters,
} from '../../src/streaming/checkpoint.ts';
import { createClosureKernel } from '../../src/model/closure-kernel.ts';
import type { SolverOutcome } from '../../src/optim/evaluation.ts';
import { WARMUP_DISABLED, type WarmupState } from '../../src/streaming/warmup.ts';
import { arraySource } from '../../src/sources/data-source.ts';
import { type StreamingFitOptions, streamingFit } from '../../src/streaming/streaming-fit.ts';
import { cpu, expData, expKernel, maxRelDiff, trfOptions } from '../support/streaming-helpers.ts';

const N = 5000;
const data = expData(N, 5);
const solver = trfOptions([1, 2, 0], 1e-13);

function run(extra: Partial<StreamingFitOptions>) {
  return streamingFit({
    source: arraySource(data, 700),
    kernel: expKernel(),
    backend: cpu(),
    solver,
    loss: null,
    scheme: { kind: 'analytic' },
    batchSize: 100,
    warmup: { maxEpochs: 3, window: 5, minImprovement: 0 },
    ...extra,
  });
}

async function checkpointsOf(every = 1): Promise<StreamingCheckpoint[]> {
  const states: StreamingCheckpoint[] = [];
  await run({ onCheckpoint: (s) => void states.push(JSON.parse(JSON.stringify(s)) as StreamingCheckpoint), checkpointEvery: every });
  return states;
}

describe('checkpoints', () => {
  it('are emitted every checkpointEvery passes, JSON-serializable, in both phases', async () => {
    const states = await checkpointsOf(1);
    expect(states.some((s) => s.phase === 'warmup')).toBe(true);
    expect(states.some((s) => s.phase === 'exact')).toBe(true);
    const passes = states.map((s) => s.passes);
    for (let i = 1; i < passes.length; i++) expect(passes[i]!).toBeGreaterThan(passes[i - 1]!);
    expect((await checkpointsOf(3)).every((s, i, a) => i === 0 || s.passes - a[i - 1]!.passes >= 3)).toBe(true);
    for (const s of states) expect(validateCheckpoint(s, 3)).toBe(s);
  });

  it('resuming from a warm-up checkpoint reproduces the uninterrupted fit exactly', async () => {
    const straight = await run({});
    const warm = (await checkpointsOf()).find((s) => s.phase === 'warmup');
    expect(warm).toBeDefined();
    const resumed = await run({ resumeFrom: warm });
    expect(resumed.resumed).toBe(true);
    expect(Array.from(resumed.outcome.x)).toEqual(Array.from(straight.outcome.x));
    expect(resumed.passes).toBe(straight.passes);
    expect(resumed.outcome.nfev).toBe(straight.outcome.nfev);
  });

  it('resuming from any exact-phase checkpoint reaches the same popt (1e-9) with counters carried over', async () => {
    const straight = await run({});
    const exact = (await checkpointsOf()).filter((s) => s.phase === 'exact');
    expect(exact.length).toBeGreaterThan(1);
    for (const state of exact) {
      const resumed = await run({ resumeFrom: state });
      expect(maxRelDiff(resumed.outcome.x, straight.outcome.x)).toBeLessThan(1e-9);
      expect(resumed.outcome.nfev).toBeGreaterThan(state.nfev);
      expect(resumed.passes).toBeGreaterThan(state.passes);
      expect(resumed.warmup).toEqual(straight.warmup);
    }
  });

  it('validateCheckpoint rejects what is not a checkpoint, naming the field', () => {
    const good = { format: 'nlsq-streaming-checkpoint', version: 1, phase: 'exact', p0: [1, 1], x: [1, 2], cost: 3, m: 10, passes: 2, pointsSeen: 20, nfev: 2, njev: 1, nit: 1, warmup: null, warmupSummary: null };
    expect(validateCheckpoint(good, 2)).toBe(good);
    expect(() => validateCheckpoint({ x: [1] }, 2)).toThrow(NlsqTypeError);
    expect(() => validateCheckpoint({ ...good, version: 2 }, 2)).toThrow('fit: resumeFrom.version must be 1, got 2');
    expect(() => validateCheckpoint({ ...good, x: [1] }, 2)).toThrow('fit: resumeFrom.x must be 2 finite numbers (one per parameter), got an array of length 1');
    expect(() => validateCheckpoint({ ...good, x: [1, null] }, 2)).toThrow(NlsqRangeError);
    expect(() => validateCheckpoint({ ...good, nfev: -1 }, 2)).toThrow('fit: resumeFrom.nfev must be a non-negative integer, got -1');
    expect(() => validateCheckpoint({ ...good, phase: 'warmup' }, 2)).toThrow(/warmup must hold the Adam state/);
  });
});

describe('checkpoint.ts directly: creation, JSON, validation, resume', () => {
  const adam: WarmupState = {
    x: [1, 2, 0.5],
    xPrev: [1, 2, 0.4],
    m: [0.1, -0.2, 0],
    v: [0.01, 0.04, 0],
    t: 7,
    learningRate: 0.005,
    halvings: 1,
    batches: 7,
    epochs: 1,
    windowSum: 3.5,
    windowCount: 2,
    previousWindowMean: null,
    lastWindowMean: 1.25,
  };
  const counters = { p0: new Float64Array([1, 1, 0]), m: 500, passes: 3, pointsSeen: 1500 };
  const summary = { ...WARMUP_DISABLED, enabled: true, batches: 7, epochs: 1, stopReason: 'stalled', startCost: 9, endCost: 4, used: true };
  const info = { iteration: 4, cost: 2.5, params: [2.4, 1.3, 0.5], gradientNorm: 1e-3, stepNorm: 1e-2, nfev: 5 };
  const roundTrip = (s: StreamingCheckpoint): unknown => JSON.parse(JSON.stringify(s));

  it('warmupCheckpoint and exactCheckpoint build what validateCheckpoint accepts, unchanged through JSON', () => {
    const warm = warmupCheckpoint(counters, adam);
    expect(warm).toMatchObject({ format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, phase: 'warmup', p0: [1, 1, 0], x: adam.x, m: 500, passes: 3, nfev: 0, warmup: adam });
    const exact = exactCheckpoint(counters, info, null, 4, summary);
    expect(exact).toMatchObject({ phase: 'exact', x: info.params, cost: 2.5, nfev: 5, njev: 4, nit: 4, warmup: null, warmupSummary: summary });
    for (const s of [warm, exact]) {
      const parsed = roundTrip(s);
      expect(validateCheckpoint(parsed, 3)).toEqual(s);
    }
    // a resumed run's checkpoint adds the counters of the one it resumed from
    const later = exactCheckpoint(counters, info, exact, 9, summary);
    expect(later).toMatchObject({ nfev: 10, nit: 8, njev: 9 });
    expect(exactCheckpoint(counters, { ...info, cost: NaN }, null, 1, summary).cost).toBeNull();
  });

  it('withResumedCounters adds the checkpoint counters to the resumed outcome (and nothing without one)', () => {
    const outcome = { nfev: 3, njev: 2, nit: 2 } as unknown as SolverOutcome;
    expect(withResumedCounters(outcome, null)).toBe(outcome);
    expect(withResumedCounters(outcome, exactCheckpoint(counters, info, null, 4, summary))).toMatchObject({ nfev: 8, njev: 6, nit: 6 });
  });

  it('round trip: a checkpoint as JSON text, validated and resumed, gives the uninterrupted popt (warm-up: exactly; exact phase: to 1e-9)', async () => {
    const straight = await run({});
    const texts: string[] = [];
    await run({ onCheckpoint: (s) => void texts.push(JSON.stringify(s)) });
    const warm = texts.map((t) => JSON.parse(t) as unknown).find((s) => (s as StreamingCheckpoint).phase === 'warmup')!;
    const exact = texts.map((t) => JSON.parse(t) as unknown).filter((s) => (s as StreamingCheckpoint).phase === 'exact').at(-2)!;
    const fromWarm = await run({ resumeFrom: validateCheckpoint(warm, 3) });
    expect(Array.from(fromWarm.outcome.x)).toEqual(Array.from(straight.outcome.x));
    const fromExact = await run({ resumeFrom: validateCheckpoint(exact, 3) });
    expect(fromExact.outcome.x).toBeAllclose(straight.outcome.x, { rtol: 1e-9, atol: 0 });
    expect(fromExact.outcome.status).toBe(straight.outcome.status);
  });

  /** [field path, malformed value, expected message fragment] — every field of both phases. */
  const malformed: [string, unknown, string][] = [
    ['version', 2, 'resumeFrom.version must be 1, got 2'],
    ['phase', 'solver', `resumeFrom.phase must be 'warmup' or 'exact'`],
    ['x', [1, 2], 'resumeFrom.x must be 3 finite numbers (one per parameter)'],
    ['x', [1, NaN, 0], 'resumeFrom.x must be 3 finite numbers'],
    ['p0', [1, 1, Infinity], 'resumeFrom.p0 must be 3 finite numbers'],
    ['cost', 'low', 'resumeFrom.cost must be a finite number or null'],
    ['passes', -1, 'resumeFrom.passes must be a non-negative integer'],
    ['pointsSeen', 1.5, 'resumeFrom.pointsSeen must be a non-negative integer'],
    ['nfev', '3', 'resumeFrom.nfev must be a non-negative integer'],
    ['njev', null, 'resumeFrom.njev must be a non-negative integer'],
    ['nit', -2, 'resumeFrom.nit must be a non-negative integer'],
    ['m', 0, 'resumeFrom.m must be a positive integer or null'],
    ['warmup', null, 'resumeFrom.warmup must hold the Adam state in the warm-up phase'],
    ['warmup.x', [1, 2], 'resumeFrom.warmup.x must be 3 finite numbers'],
    ['warmup.xPrev', 'x', 'resumeFrom.warmup.xPrev must be 3 finite numbers'],
    ['warmup.m', [0, 0, NaN], 'resumeFrom.warmup.m must be 3 finite numbers'],
    ['warmup.v', [0, -1, 0], 'resumeFrom.warmup.v must be non-negative'],
    ['warmup.t', 1.5, 'resumeFrom.warmup.t must be a non-negative integer'],
    ['warmup.halvings', -1, 'resumeFrom.warmup.halvings must be a non-negative integer'],
    ['warmup.batches', null, 'resumeFrom.warmup.batches must be a non-negative integer'],
    ['warmup.epochs', '1', 'resumeFrom.warmup.epochs must be a non-negative integer'],
    ['warmup.windowCount', 0.5, 'resumeFrom.warmup.windowCount must be a non-negative integer'],
    ['warmup.learningRate', 0, 'resumeFrom.warmup.learningRate must be a positive finite number'],
    ['warmup.windowSum', NaN, 'resumeFrom.warmup.windowSum must be a finite number'],
    ['warmup.previousWindowMean', 'none', 'resumeFrom.warmup.previousWindowMean must be a finite number or null'],
    ['warmup.lastWindowMean', Infinity, 'resumeFrom.warmup.lastWindowMean must be a finite number or null'],
    ['warmupSummary', 'done', 'resumeFrom.warmupSummary must be the warm-up summary or null'],
    ['warmupSummary.enabled', 1, 'resumeFrom.warmupSummary.enabled must be a boolean'],
    ['warmupSummary.used', 'yes', 'resumeFrom.warmupSummary.used must be a boolean'],
    ['warmupSummary.batches', -3, 'resumeFrom.warmupSummary.batches must be a non-negative integer'],
    ['warmupSummary.epochs', 1.5, 'resumeFrom.warmupSummary.epochs must be a non-negative integer'],
    ['warmupSummary.stopReason', 3, 'resumeFrom.warmupSummary.stopReason must be a string'],
    ['warmupSummary.startCost', NaN, 'resumeFrom.warmupSummary.startCost must be a finite number or null'],
    ['warmupSummary.endCost', 'x', 'resumeFrom.warmupSummary.endCost must be a finite number or null'],
  ];

  it.each(malformed)('rejects a malformed %s, naming the field', (path, value, message) => {
    const base = path.startsWith('warmupSummary') ? exactCheckpoint(counters, info, null, 4, summary) : warmupCheckpoint(counters, adam);
    const state = roundTrip(base) as Record<string, unknown>;
    const keys = path.split('.');
    const holder = keys.length === 1 ? state : (state[keys[0]!] as Record<string, unknown>);
    holder[keys.at(-1)!] = value;
    const err = (() => {
      try {
        validateCheckpoint(state, 3);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(NlsqRangeError);
    expect((err as NlsqRangeError).message).toContain(`fit: ${message}`);
    expect((err as NlsqRangeError).argument).toBe('resumeFrom');
  });

  it('rejects a checkpoint with a missing field, naming it', () => {
    for (const field of ['version', 'phase', 'x', 'p0', 'cost', 'm', 'passes', 'pointsSeen', 'nfev', 'njev', 'nit', 'warmup', 'warmupSummary']) {
      const state = roundTrip(warmupCheckpoint(counters, adam)) as Record<string, unknown>;
      delete state[field];
      expect(() => validateCheckpoint(state, 3), field).toThrow(`resumeFrom.${field}`);
    }
    expect(() => validateCheckpoint({ ...warmupCheckpoint(counters, adam), format: 'other' }, 3)).toThrow(NlsqTypeError);
  });

  it('rejects the checkpoint of a model with a different number of parameters, in validation and in a fit', async () => {
    const three = (await checkpointsOf()).find((s) => s.phase === 'exact')!;
    expect(() => validateCheckpoint(three, 2)).toThrow('fit: resumeFrom.x must be 2 finite numbers (one per parameter), got an array of length 3');
    const line = createClosureKernel({ f: (t: number, a: number, b: number) => a * t + b, nParams: 2, nVariables: 1, caller: 'fit' });
    await expect(run({ kernel: line, solver: trfOptions([1, 0]), resumeFrom: three })).rejects.toThrow(
      'fit: resumeFrom.x must be 2 finite numbers (one per parameter), got an array of length 3',
    );
  });
});
