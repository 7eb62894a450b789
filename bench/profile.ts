/**
 * The profile likelihood, measured (issue 15): `confidenceIntervals(0.95, { method: 'profile' })`
 * of a 4-parameter fit — every parameter profiled, each round of refits one `fitBatch` batch —
 * beside the same refits run as sequential `curveFit` calls (the loop lmfit's `conf_interval`
 * runs, one `leastsq` per held value): the same held values, the same starts, in one run,
 * round-robin so that load on a shared machine hits both alike.
 *
 * `npm run bench -- global` (the rows follow the multi-start rows).
 */
import { curveFit } from '../src/curve-fit.ts';
import { model } from '../src/model/model.ts';
import type { CurveFitResult } from '../src/result/curve-fit-result.ts';
import { type BenchRow, measureRoundRobin } from './harness.ts';

const noise = (i: number, a: number): number => a * Math.sin(i * 12.9898 + 78.233 * Math.cos(i));

/**
 * Rows: the batched profile of all four parameters of a Gaussian on a background (200 points),
 * and the same number of sequential `curveFit` calls with one parameter held at each traced value.
 *
 * @returns the rows (section `global`).
 */
export async function benchProfile(): Promise<BenchRow[]> {
  const x = Array.from({ length: 200 }, (_, i) => i * 0.05);
  const y = x.map((t, i) => 3 * Math.exp(-((t - 4.6) ** 2) / (2 * 1.2 ** 2)) + 0.2 + noise(i, 0.05));
  const gauss = model('A*exp(-((x-mu)^2)/(2*s^2)) + c');
  const r: CurveFitResult = await curveFit(gauss, x, y, { p0: [1, 4, 1, 0] });
  const ci = await r.confidenceIntervals(0.95, { method: 'profile' });
  // The refits the profile ran, as (held parameter, held value, start) triples for the loop.
  const calls: { name: string; value: number; start: Record<string, number> }[] = [];
  for (const [name, prof] of Object.entries(ci.profiles)) {
    prof.trace.values.forEach((value, i) => {
      if (value === prof.value) return; // the optimum itself is not a refit
      const start = Object.fromEntries(prof.paramNames.map((n, j) => [n, n === name ? value : r.popt[j]!]));
      calls.push({ name, value, start });
    });
  }
  const fits = Object.values(ci.profiles).reduce((s, q) => s + q.fits, 0);
  const loop = (backend?: 'cpu') => async (): Promise<void> => {
    for (const c of calls) {
      const params = Object.fromEntries(Object.entries(c.start).map(([n, v]) => [n, n === c.name ? { value: v, vary: false } : v]));
      await curveFit(gauss, x, y, { params, ...(backend === undefined ? {} : { backend }) });
    }
  };
  const batched = async (): Promise<void> => {
    await r.confidenceIntervals(0.95, { method: 'profile' });
  };
  const [b, l, lc] = await measureRoundRobin([batched, loop(), loop('cpu')], { warmup: 1, minRuns: 7, maxRuns: 11 });
  const peer = `sequential curveFit × ${calls.length} (4-parameter Gaussian, 200 points)`;
  const cpuPeer = `sequential curveFit × ${calls.length}, backend 'cpu'`;
  return [
    { section: 'global', name: peer, impl: `nlsq/${r.backend} curveFit loop`, ...l!, extra: { fits: calls.length } },
    // The CPU backend runs the same plain-TypeScript solver path as the batch engine: the gain
    // left against it is what one batch saves per fit (validation, backends, result objects).
    { section: 'global', name: cpuPeer, impl: 'nlsq/cpu curveFit loop', ...lc!, peer, extra: { fits: calls.length } },
    {
      section: 'global', name: `profile of all 4 parameters, batched (${fits} refits)`, impl: 'nlsq/fitBatch cpu engine', ...b!, peer: cpuPeer,
      extra: { fits, 'fits/s': Math.round((1000 * fits) / b!.medianMs), 'vs default curveFit loop': `${(l!.medianMs / b!.medianMs).toFixed(1)}x`, widths: Object.values(ci.profiles).map((q) => `${q.name} ${(q.upper - q.value).toPrecision(3)}/${(q.value - q.lower).toPrecision(3)}`).join(' ') },
    },
  ];
}
