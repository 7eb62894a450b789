/**
 * `node --expose-gc --import tsx bench/yield.ts [rounds]`: the cost of yielding to the event loop
 * during an asynchronous fit (issue 21, defect 1).
 *
 * The 1M-point y = a·exp(−b·x) + c expression-model `curveFit` (default backend, p0 = [1, 1, 0],
 * the data of `bench/fits.ts`) is timed with the default yield budget (a macrotask every 10 ms of
 * work) and with yielding off (budget Infinity, through the internal `setDefaultYieldBudget`),
 * alternating one run of each per round (default 21 rounds, after a warm-up of each) so that load
 * changes on a shared machine hit both alike. Prints each round, the medians, and the median of
 * the per-round ratios (yielding / not yielding), which the task bounds at 1.02, and the same cost
 * estimated from its parts (the time of one turn × the turns of a fit), which is far less
 * disturbed by other load on the machine.
 */
import { curveFit } from '../src/curve-fit.ts';
import { model } from '../src/model/model.ts';
import { DEFAULT_YIELD_BUDGET_MS, setDefaultYieldBudget, yieldToEventLoop } from '../src/util/yield-control.ts';
import { expDecayData } from './fits.ts';

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 21);
  const n = 1_000_000;
  const { x, y } = expDecayData(n);
  const expr = model('a*exp(-b*x) + c');
  const gc = (globalThis as { gc?: () => void }).gc;
  const cpu: { on: number[]; off: number[] } = { on: [], off: [] };
  const run = async (budget: number): Promise<number> => {
    setDefaultYieldBudget(budget);
    try {
      gc?.();
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const r = await curveFit(expr, x, y, { p0: [1, 1, 0] });
      const ms = performance.now() - t0;
      const c = process.cpuUsage(c0);
      (budget === Infinity ? cpu.off : cpu.on).push((c.user + c.system) / 1000);
      if (!r.success) throw new Error(`bench/yield: the fit failed: ${r.message}`);
      return ms;
    } finally {
      setDefaultYieldBudget(null);
    }
  };
  await run(DEFAULT_YIELD_BUDGET_MS);
  await run(Infinity);
  cpu.on.length = 0;
  cpu.off.length = 0;
  const on: number[] = [];
  const off: number[] = [];
  const ratios: number[] = [];
  process.stdout.write(`bench/yield: 1M-point expression exp-decay curveFit, ${rounds} alternating rounds (${process.version})\n`);
  for (let i = 0; i < rounds; i++) {
    // alternate which goes first, so that neither always runs on the warmer heap
    let a: number;
    let b: number;
    if (i % 2 === 0) {
      a = await run(DEFAULT_YIELD_BUDGET_MS);
      b = await run(Infinity);
    } else {
      b = await run(Infinity);
      a = await run(DEFAULT_YIELD_BUDGET_MS);
    }
    on.push(a);
    off.push(b);
    ratios.push(a / b);
    process.stdout.write(`  round ${i + 1}: yield ${a.toFixed(1)} ms, no yield ${b.toFixed(1)} ms, ratio ${(a / b).toFixed(4)}\n`);
  }
  const cpuRatios = cpu.on.map((v, i) => v / cpu.off[i]!);
  process.stdout.write(
    `CPU time of the process (less disturbed by other processes): median yield ${median(cpu.on).toFixed(1)} ms, no yield ${median(cpu.off).toFixed(1)} ms; median ratio ${median(cpuRatios).toFixed(4)}\n`,
  );
  // The same cost estimated from its parts, which a loaded machine disturbs far less: the time of
  // one turn of the event loop times the turns a fit takes (about one per budget of work).
  const turnsTimed = 2000;
  const t0 = performance.now();
  for (let i = 0; i < turnsTimed; i++) await yieldToEventLoop();
  const turnMs = (performance.now() - t0) / turnsTimed;
  const turnsPerFit = median(on) / DEFAULT_YIELD_BUDGET_MS;
  process.stdout.write(
    `one turn (yieldToEventLoop): ${(turnMs * 1000).toFixed(1)} µs; ≈ ${turnsPerFit.toFixed(1)} turns per fit → estimated cost ${((100 * turnMs * turnsPerFit) / median(off)).toFixed(2)} %\n`,
  );
  let ticks = 0;
  const interval = setInterval(() => ticks++, 0);
  await run(DEFAULT_YIELD_BUDGET_MS);
  clearInterval(interval);
  process.stdout.write(
    `median: yield ${median(on).toFixed(1)} ms, no yield ${median(off).toFixed(1)} ms; median ratio ${median(ratios).toFixed(4)}; ` +
      `min: yield ${Math.min(...on).toFixed(1)} ms, no yield ${Math.min(...off).toFixed(1)} ms; interval ticks during one more yielding fit: ${ticks}\n`,
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
