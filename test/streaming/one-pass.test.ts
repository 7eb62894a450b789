import { describe, expect, it } from 'vitest';
import { DataSourceError, NlsqRangeError } from '../../src/errors.ts';
import { type SourceChunk, arraySource, classifySource } from '../../src/sources/data-source.ts';
import { onePassFit, refuseOnePassResume, runOnePass } from '../../src/streaming/one-pass.ts';
import { createStreamingContext } from '../../src/streaming/streaming-context.ts';
import { warmupCheckpoint } from '../../src/streaming/checkpoint.ts';
import { resolveWarmupOptions } from '../../src/streaming/warmup.ts';
import { cpu, expData, expKernel, maxRelDiff, trfOptions } from '../support/streaming-helpers.ts';

const N = 6000;
const data = expData(N, 5);
const truth = [2.5, 1.3, 0.5];
const p0 = [1, 1, 0];

/** A one-pass source (an async generator object) that records how many chunks were taken from it and whether it was closed. */
function onceSource(chunk = 500): { source: AsyncGenerator<SourceChunk>; chunksRead: () => number; closed: () => boolean } {
  let read = 0;
  let closed = false;
  async function* gen(): AsyncGenerator<SourceChunk> {
    try {
      for (const c of arraySource(data, chunk)) {
        read++;
        yield c;
      }
    } finally {
      closed = true;
    }
  }
  return { source: gen(), chunksRead: () => read, closed: () => closed };
}

async function contextOver(source: AsyncGenerator<SourceChunk>) {
  const passes = await classifySource(source);
  expect(passes.rereadable).toBe(false);
  return createStreamingContext(
    { kernel: expKernel(), backend: cpu(), solver: trfOptions(p0), loss: null, scheme: { kind: 'analytic' }, batchSize: 100 },
    passes,
    'fit',
    null,
  );
}

describe('one-pass mode (one-pass.ts)', () => {
  it('reads the source exactly once, to the end, and refuses a second read with the clear error', async () => {
    const once = onceSource();
    const ctx = await contextOver(once.source);
    const r = await runOnePass(ctx, resolveWarmupOptions({ learningRate: 0.05 }));
    expect(once.chunksRead()).toBe(N / 500);
    expect(once.closed()).toBe(true);
    expect(r.stopReason).toBe('source-exhausted');
    expect(r.batches).toBe(N / 100);
    expect(ctx).toMatchObject({ passes: 1, pointsSeen: N, m: N });
    const again = await runOnePass(ctx, resolveWarmupOptions(undefined)).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(DataSourceError);
    expect((again as Error).message).toBe('fit: source can be read only once (it is an iterator, not a re-readable iterable)');
    await expect(ctx.source.open()).rejects.toThrow(DataSourceError);
    expect(once.chunksRead()).toBe(N / 500);
  });

  it('stops on maxBatches without reading the rest (closing the source); m is the points read', async () => {
    const once = onceSource();
    const ctx = await contextOver(once.source);
    const r = await runOnePass(ctx, resolveWarmupOptions({ maxBatches: 12 }));
    expect(r).toMatchObject({ batches: 12, stopReason: 'max-batches' });
    expect(once.chunksRead()).toBe(3); // 12 batches of 100 = the first 1200 points, in chunks of 500
    expect(once.closed()).toBe(true);
    expect(ctx.m).toBe(1500); // the points of the chunks read
  });

  it('flags the result approximate: warning, no triangle, not a success, estimate better than p0', async () => {
    const ctx = await contextOver(onceSource().source);
    const r = await onePassFit(ctx, resolveWarmupOptions({ learningRate: 0.05 }), 1e-8);
    expect(r.approximate).toBe(true);
    expect(r.resumed).toBe(false);
    expect(r.statistics).toBeNull();
    expect(r.warnings).toEqual([
      'fit: the source can be read only once, so the result is a mini-batch (Adam) estimate from one pass: approximate, without exact trust-region passes or a covariance; pass a re-readable source (an iterable or a function returning a fresh iterator) for the exact fit',
    ]);
    expect(r.outcome).toMatchObject({ T: null, status: 'max-nfev', nfev: 0, njev: 0, nit: N / 100 });
    expect(r.outcome.message).toBe(`one-pass source: mini-batch (Adam) estimate after ${N / 100} batches over ${N} points (source-exhausted); approximate, no exact passes`);
    expect(Number.isNaN(r.outcome.optimality)).toBe(true);
    expect(Array.from(r.outcome.grad).every(Number.isNaN)).toBe(true);
    expect(r.warmup).toMatchObject({ enabled: true, epochs: 1, used: true, batches: N / 100 });
    expect(r).toMatchObject({ m: N, passes: 1, pointsSeen: N });
    expect(maxRelDiff(r.outcome.x, truth)).toBeLessThan(maxRelDiff(p0, truth));
    // its cost is an estimate (the recent mean per-point batch cost × m), finite and positive
    expect(Number.isFinite(r.outcome.cost) && r.outcome.cost > 0).toBe(true);
  });

  it('runs with the default mini-batch options when the warm-up was disabled (it is the only way to use the source)', async () => {
    const ctx = await contextOver(onceSource().source);
    const r = await onePassFit(ctx, null, 1e-8);
    expect(r.approximate).toBe(true);
    expect(r.outcome.nit).toBe(N / 100);
  });

  it('refuses to resume a one-pass source, naming resumeFrom', async () => {
    const ctx = await contextOver(onceSource().source);
    expect(() => refuseOnePassResume(ctx, null)).not.toThrow();
    const ckpt = warmupCheckpoint(ctx, { x: p0, xPrev: p0, m: [0, 0, 0], v: [0, 0, 0], t: 0, learningRate: 0.01, halvings: 0, batches: 0, epochs: 0, windowSum: 0, windowCount: 0, previousWindowMean: null, lastWindowMean: null });
    const err = (() => {
      try {
        refuseOnePassResume(ctx, ckpt);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(NlsqRangeError);
    expect((err as NlsqRangeError).argument).toBe('resumeFrom');
    expect((err as Error).message).toBe('fit: resumeFrom needs a re-readable source; this one can be read only once');
  });
});
