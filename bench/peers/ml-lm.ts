/**
 * Peer: ml-levenberg-marquardt on the same data. Its iterations are capped (it rebuilds N×p
 * ml-matrix matrices every iteration, so a full fit on 1M points would take minutes) and timed
 * at the margin: (time of 3 iterations − time of 1 iteration) / 2, so its set-up is not counted
 * as iteration time — the same footing as nlsq's figure (time between consecutive iterations).
 * This per-iteration time is what the ≥ 50x target compares.
 */
import { levenbergMarquardt } from 'ml-levenberg-marquardt';
import { measure } from '../harness.ts';

/** Marginal time per iteration of ml-levenberg-marquardt (ms), from runs capped at 1 and 3 iterations. */
export async function benchMlLm(x: Float64Array, y: Float64Array, p0: number[], fn: (p: number[]) => (t: number) => number) {
  const timed = async (iterations: number) => {
    let done = 0;
    const t = await measure(
      () => {
        const r = levenbergMarquardt({ x, y }, fn, { initialValues: p0, maxIterations: iterations, gradientDifference: 1e-6, errorTolerance: 0 });
        done = r.iterations;
      },
      { warmup: 0, minRuns: 1, maxRuns: 1, minTimeMs: 0 },
    );
    return { ms: t.medianMs, done };
  };
  const one = await timed(1);
  const three = await timed(3);
  const extra = Math.max(three.done - one.done, 1);
  return { perIterationMs: (three.ms - one.ms) / extra, runs: 2, method: `(t(${three.done} it) − t(${one.done} it)) / ${extra}` };
}
