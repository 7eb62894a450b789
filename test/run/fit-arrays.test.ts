import { describe, expect, it } from 'vitest';
import { NlsqRangeError } from '../../src/errors.ts';
import { fit } from '../../src/fit.ts';
import { model } from '../../src/model/model.ts';
import type { StreamingCheckpoint } from '../../src/streaming/checkpoint.ts';

const N = 3000;
const x = Float64Array.from({ length: N }, (_, i) => (5 * i) / N);
const sigma = Float64Array.from(x, (_, i) => 0.02 + 0.01 * (i % 5));
const y = Float64Array.from(x, (t, i) => 3 * Math.exp(-1.2 * t) + 0.5 + sigma[i]! * Math.sin(977 * i));
const seed = model('a*exp(-b*x) + c');
const base = { p0: [1, 1, 0], sigma, backend: 'cpu' as const, ftol: 1e-12, xtol: 1e-12, gtol: 1e-12 };
const streaming = { ...base, workflow: 'streaming' as const, chunkSize: 500, warmup: { maxEpochs: 2, window: 1000 } };

async function rejection(run: Promise<unknown>): Promise<NlsqRangeError> {
  const err = await run.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NlsqRangeError);
  return err as NlsqRangeError;
}

describe('fit(model, x, y, { resumeFrom }) with resident arrays (issue 21, defect 11)', () => {
  it('is honoured by the streaming workflow: resuming a checkpoint reaches the uninterrupted popt with fewer passes', async () => {
    const checkpoints: StreamingCheckpoint[] = [];
    let straightPasses = 0;
    const straight = await fit(seed, x, y, { ...streaming, onCheckpoint: (c) => void checkpoints.push(JSON.parse(JSON.stringify(c)) as StreamingCheckpoint), onProgress: () => void straightPasses++ });
    const warm = checkpoints.find((c) => c.phase === 'warmup')!;
    const exact = checkpoints.filter((c) => c.phase === 'exact').at(-1)!;
    expect(warm).toBeDefined();
    expect(exact).toBeDefined();
    for (const [checkpoint, rtol] of [[warm, 0], [exact, 1e-9]] as const) {
      let passes = 0;
      const resumed = await fit(seed, x, y, { ...streaming, resumeFrom: checkpoint, onProgress: () => void passes++ });
      expect(resumed.popt).toBeAllclose(straight.popt, { rtol, atol: 0 });
      // the resumed fit reads only the passes after the checkpoint (all of them, from a warm-up checkpoint: the same path)
      if (checkpoint.phase === 'warmup') expect(passes).toBe(straightPasses - checkpoint.passes);
      expect(passes).toBeLessThan(straightPasses);
    }
    // it is read: a malformed checkpoint is refused
    const err = await rejection(fit(seed, x, y, { ...streaming, resumeFrom: { ...exact, x: [1, 2] } }));
    expect(err.message).toBe('fit: resumeFrom.x must be 3 finite numbers (one per parameter), got an array of length 2');
  });

  it('is refused by the standard and chunked strategies (forced or planned), naming resumeFrom and the streaming workflow', async () => {
    const checkpoints: StreamingCheckpoint[] = [];
    await fit(seed, x, y, { ...streaming, onCheckpoint: (c) => void checkpoints.push(c) });
    const resumeFrom = checkpoints.at(-1)!;
    for (const [workflow, strategy] of [['standard', 'standard'], ['chunked', 'chunked'], [undefined, 'standard'], ['auto', 'standard']] as const) {
      const err = await rejection(fit(seed, x, y, { ...base, workflow, resumeFrom }));
      expect(err.argument).toBe('resumeFrom');
      expect(err.message).toBe(
        `fit: resumeFrom applies to the streaming workflow (it resumes a checkpoint from onCheckpoint), but this fit runs the ${strategy} strategy; pass workflow: 'streaming' to resume`,
      );
    }
    // null or undefined is no checkpoint
    const plain = await fit(seed, x, y, { ...base, workflow: 'standard', resumeFrom: null });
    expect(plain.success).toBe(true);
  });
});
