import { describe, expect, it } from 'vitest';
import { AbortError } from '../../src/errors.ts';
import { curveFit, fit, type SourceChunk } from '../../src/index.ts';

/**
 * Issue 21, defect 1: an abort from a timer must be honoured by a fit over resident data, whose
 * evaluations never wait on anything. The model is a closure (per-point calls, finite-difference
 * Jacobian) over 100 000 points: each evaluation is several milliseconds of work, the whole fit
 * well over the 5 ms after which the timer aborts and the 10 ms yield budget. The timer is set by
 * the model's first call, so no turn of the event loop before the fit starts can run it.
 */
const N = 100_000;
const x = new Float64Array(N);
const y = new Float64Array(N);
for (let i = 0; i < N; i++) {
  x[i] = (5 * i) / N;
  y[i] = 2 * Math.exp(-1.3 * x[i]!) + 0.5 + 0.01 * Math.sin(i);
}
const decay = (t: number, a: number, b: number, c: number): number => a * Math.exp(-b * t) + c;
const p0 = [1, 1, 1];

/**
 * The model and a signal that a timer aborts `ms` after the model's first call — so the timer is
 * set while the fit is already running, and only a turn of the event loop during the fit can run it.
 */
function armedOnFirstCall(ms = 5): { model: typeof decay; signal: AbortSignal } {
  const controller = new AbortController();
  let armed = false;
  const model = (t: number, a: number, b: number, c: number): number => {
    if (!armed) {
      armed = true;
      setTimeout(() => controller.abort(new Error('timer')), ms);
    }
    return decay(t, a, b, c);
  };
  return { model, signal: controller.signal };
}

async function expectAborted(run: Promise<unknown>, caller: string): Promise<void> {
  const error = await run.then(
    () => 'the fit ended without seeing the abort',
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AbortError);
  expect((error as AbortError).message).toBe(`${caller}: the fit was aborted by its AbortSignal`);
  expect((error as AbortError).cause).toEqual(new Error('timer'));
}

describe('cancellation of in-memory fits by a timer (issue 21, defect 1)', () => {
  it('curveFit (standard)', async () => {
    const { model, signal } = armedOnFirstCall();
    await expectAborted(curveFit(model, x, y, { p0, signal }), 'curveFit');
  });

  it('fit, chunked', async () => {
    const { model, signal } = armedOnFirstCall();
    await expectAborted(fit(model, x, y, { p0, workflow: 'chunked', chunkSize: 10_000, signal }), 'fit');
  });

  it('fit, streaming over arrays', async () => {
    const { model, signal } = armedOnFirstCall();
    await expectAborted(fit(model, x, y, { p0, workflow: 'streaming', chunkSize: 10_000, signal }), 'fit');
  });

  it('fit over a never-ending synchronous source with maxNfev: 3', async () => {
    let chunks = 0;
    const endless: Iterable<SourceChunk> = {
      *[Symbol.iterator]() {
        for (;;) {
          // a cap, so that a regression fails instead of hanging (a starved event loop would stop vitest's own timeout)
          if (++chunks > 100_000) throw new Error('no abort was seen within 100 000 chunks');
          const xs = Float64Array.from({ length: 200 }, (_, i) => ((chunks * 200 + i) % 5000) / 1000);
          yield { x: xs, y: xs.map((t) => decay(t, 2, 1.3, 0.5)) };
        }
      },
    };
    const { model, signal } = armedOnFirstCall(20);
    await expectAborted(fit(model, endless, { p0, maxNfev: 3, signal }), 'fit');
    expect(chunks).toBeGreaterThan(0);
  });

  it('a 1 ms interval ticks while curveFit runs to completion', async () => {
    let ticks = 0;
    const interval = setInterval(() => ticks++, 1);
    try {
      // lift: false keeps the closure on its per-point path (a lifted one fits in a few ms, within one yield budget)
      const r = await curveFit(decay, x, y, { p0, lift: false });
      expect(r.success).toBe(true);
      expect(ticks).toBeGreaterThan(0);
    } finally {
      clearInterval(interval);
    }
  });
});
