/**
 * Closure lifting, measured: y = a·exp(−b·x) + c on 1M points (the exp-decay data of `fits.ts`)
 * fitted from a plain JS closure — lifted to an expression model by default, and per point with
 * finite differences under `lift: false` — beside the same model written with `model()` and
 * SciPy `curve_fit` lm on the same data. Ours run round-robin on the default backend, so that
 * load on a shared machine hits all three alike; SciPy runs in its own process.
 *
 * `npm run bench -- closure`.
 */
import { type BenchRow, measureRoundRobin } from './harness.ts';
import { expDecayData, type loadFitLibrary } from './fits.ts';
import { runScipy, scipyUnavailable } from './peers/scipy.ts';

type Lib = Exclude<Awaited<ReturnType<typeof loadFitLibrary>>, string>;

/**
 * The closure-versus-expression rows ("closure 1M a*exp(-b*x)+c" beside "expression 1M …").
 * @param lib - curveFit and model.
 * @param n - number of points.
 * @param withPeers - run SciPy lm too.
 */
export async function benchClosureLift(lib: Lib, n: number, withPeers: boolean): Promise<BenchRow[]> {
  const { x, y } = expDecayData(n);
  const p0 = [1, 1, 0];
  const size = n >= 1e6 && n % 1e6 === 0 ? `${n / 1e6}M` : String(n);
  const rows: BenchRow[] = [];
  const scipyReason = withPeers ? scipyUnavailable() : 'peers not requested';
  const peer = scipyReason === null ? `scipy lm ${size} a*exp(-b*x)+c` : undefined;
  if (scipyReason !== null) process.stdout.write(`(SciPy peer skipped: ${scipyReason})\n`);
  if (peer !== undefined) {
    const s = runScipy(x, y, 'expdecay', p0, 'lm', 5, 1);
    rows.push({ section: 'fits', name: peer, impl: 'scipy/lm', medianMs: s.median_s * 1e3, minMs: s.min_s * 1e3, runs: s.runs, extra: { nfev: s.nfev, popt: s.popt.map((v) => v.toPrecision(6)).join(',') } });
  }
  const cases: { name: string; f: unknown; opts: Record<string, unknown> }[] = [
    { name: `expression ${size} a*exp(-b*x)+c`, f: lib.model('a*exp(-b*x) + c'), opts: { p0 } },
    { name: `closure ${size} a*exp(-b*x)+c`, f: (t: number, a: number, b: number, c: number) => a * Math.exp(-b * t) + c, opts: { p0 } },
    { name: `closure (lift: false) ${size} a*exp(-b*x)+c`, f: (t: number, a: number, b: number, c: number) => a * Math.exp(-b * t) + c, opts: { p0, lift: false } },
  ];
  const last: Record<string, unknown>[] = cases.map(() => ({}));
  const times = await measureRoundRobin(
    cases.map((c, i) => async () => {
      const r = (await lib.curveFit(c.f, x, y, c.opts)) as unknown as { nfev: number; njev: number; popt: number[]; backend: string; choices: { model?: { used: string } } };
      last[i] = { nfev: r.nfev, njev: r.njev, backend: r.backend, model: r.choices.model?.used ?? 'expression', popt: r.popt.map((v) => v.toPrecision(6)).join(',') };
    }),
    { warmup: 1, minRuns: 5, maxRuns: 5 },
  );
  cases.forEach((c, i) => rows.push({ section: 'fits', name: c.name, impl: `nlsq/${String(last[i]!.backend)}`, ...times[i]!, ...(peer ? { peer } : {}), extra: last[i]! }));
  return rows;
}
