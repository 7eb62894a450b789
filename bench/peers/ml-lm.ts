/**
 * Peer: ml-levenberg-marquardt on the same data. Its iterations are capped (it rebuilds N×p
 * ml-matrix matrices every iteration, so a full fit on 1M points would take minutes) and timed
 * at the margin: (time of 3 iterations − time of 1 iteration) / 2, so its set-up is not counted
 * as iteration time — the same footing as nlsq's figure (time between consecutive iterations).
 * This per-iteration time is what the ≥ 50x target compares; the rounds alternate with nlsq's
 * fits (see {@link benchMlLm}).
 */
import { levenbergMarquardt } from 'ml-levenberg-marquardt';

/** One marginal measurement: (t(3 iterations) − t(1)) / (iterations added), in ms. */
function marginal(x: Float64Array, y: Float64Array, p0: number[], fn: (p: number[]) => (t: number) => number): { ms: number; method: string } {
  const timed = (iterations: number) => {
    const t = performance.now();
    const r = levenbergMarquardt({ x, y }, fn, { initialValues: p0, maxIterations: iterations, gradientDifference: 1e-6, errorTolerance: 0 });
    return { ms: performance.now() - t, done: r.iterations };
  };
  const one = timed(1);
  const three = timed(3);
  const extra = Math.max(three.done - one.done, 1);
  return { ms: (three.ms - one.ms) / extra, method: `(t(${three.done} it) − t(${one.done} it)) / ${extra}` };
}

/**
 * Marginal time per iteration of ml-levenberg-marquardt (ms), the median over `rounds` marginal
 * measurements; `between` runs after each round (the caller's own timed run), so the two sides
 * alternate and the machine's drift reaches both alike, as in the SciPy comparison.
 */
export async function benchMlLm(x: Float64Array, y: Float64Array, p0: number[], fn: (p: number[]) => (t: number) => number, between: () => Promise<void> = async () => {}, rounds = 3) {
  const ms: number[] = [];
  let method = '';
  const gc = (globalThis as { gc?: () => void }).gc; // `npm run bench` runs node with --expose-gc
  for (let r = 0; r < rounds; r++) {
    const m = marginal(x, y, p0, fn);
    ms.push(m.ms);
    method = m.method;
    gc?.(); // collect its matrices (hundreds of MB) now, untimed, not inside the next timed run
    await between();
  }
  const sorted = [...ms].sort((a, b) => a - b);
  return { perIterationMs: sorted[sorted.length >> 1]!, minMs: sorted[0]!, runs: rounds, method: `median over ${rounds} rounds of ${method}, alternating with nlsq` };
}
