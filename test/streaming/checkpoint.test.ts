import { describe, expect, it } from 'vitest';
import { NlsqRangeError, NlsqTypeError } from '../../src/errors.ts';
import { type StreamingCheckpoint, validateCheckpoint } from '../../src/streaming/checkpoint.ts';
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
