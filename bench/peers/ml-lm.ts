/**
 * Peer: ml-levenberg-marquardt on the same data, iterations capped (it rebuilds N×p ml-matrix
 * matrices every iteration, so a full fit on 1M points would take minutes). Reports time per
 * iteration, which is what the ≥ 50x target compares.
 */
import { levenbergMarquardt } from 'ml-levenberg-marquardt';
import { measure } from '../harness.ts';

/** Time `iterations` capped iterations of ml-levenberg-marquardt; per-iteration median in ms. */
export async function benchMlLm(x: Float64Array, y: Float64Array, p0: number[], fn: (p: number[]) => (t: number) => number, iterations: number) {
  let done = 0;
  const t = await measure(
    () => {
      const r = levenbergMarquardt({ x, y }, fn, { initialValues: p0, maxIterations: iterations, gradientDifference: 1e-6, errorTolerance: 0 });
      done = r.iterations;
    },
    { warmup: 0, minRuns: 1, maxRuns: 2, minTimeMs: 0 },
  );
  return { ...t, iterations: done, perIterationMs: t.medianMs / Math.max(done, 1) };
}
