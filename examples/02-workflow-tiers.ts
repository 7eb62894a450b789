/**
 * Memory-Based Strategy Selection in nlsq
 *
 * A port of NLSQ's example `examples/scripts/08_workflow_system/02_workflow_tiers.py`: how a fit
 * chooses between the standard, chunked and streaming strategies from a memory budget — and, in
 * nlsq, which backend runs it.
 *
 * Features demonstrated:
 * - The three strategies: standard, chunked, streaming
 * - MemoryBudget for computing memory requirements
 * - MemoryBudgetSelector for automatic strategy (and backend) selection
 * - Overriding the choice (given vs used in a plan)
 * - A test fit with workflow 'auto', and the same fit with the `nlsq` command line
 * - The strategy-boundaries figure of what the selector picks with the backends found here,
 *   written to figures/out/ (ignored by git: it carries this machine's memory)
 *
 * Run this example:
 *     npm run demo        (= tsx examples/02-workflow-tiers.ts)
 *     npm run demo -- --reference
 *                         (rewrites the committed figures/strategy-boundaries.svg / .png: the
 *                          same figure without this machine's memory line)
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BackendInfo } from '../src/backends/backend.ts';
import { formatCount } from '../src/util/format.ts';
import { MemoryBudget, validateBudgetInput } from '../src/workflow/memory-budget.ts';
import { backendCapacity, MemoryBudgetSelector } from '../src/workflow/memory-budget-selector.ts';
import type { ModelKind, Strategy } from '../src/workflow/memory-budget-selector.ts';
import { MemoryEstimator } from '../src/workflow/memory-estimator.ts';
import { buildPlan } from '../src/workflow/plan.ts';
import { fit } from '../src/fit.ts';
import { listBackends } from '../src/backends/list-backends.ts';
import { plotStrategies, toPNG, toSVG } from '../src/plot/index.ts';

const RULE = '='.repeat(70);
const LINE = '-'.repeat(50);
const REFERENCE = process.argv.includes('--reference');
const FIGURE_BASE = fileURLToPath(new URL(REFERENCE ? '../figures/strategy-boundaries' : '../figures/out/strategy-boundaries', import.meta.url));
const SCAN_POINTS = 5_000_000;
const SCAN_LIMITS_GB = [0.05, 0.5, 8, 32, 64, 128];

/** One point of the memory-limit scan of section 6. */
interface ScanPoint {
  readonly n: number;
  readonly gb: number;
  readonly strategy: Strategy;
}

/** "1K", "50K", "5M", "1B" */
function sizeLabel(n: number): string {
  if (n >= 1e9) return `${n / 1e9}B`;
  if (n >= 1e6) return `${n / 1e6}M`;
  if (n >= 1e3) return `${n / 1e3}K`;
  return String(n);
}

function heading(title: string): void {
  console.log(`\n\n${title}\n${LINE}`);
}

/** The backends usable here, from the registry. */
async function backendsHere(): Promise<{ infos: BackendInfo[]; lines: string[] }> {
  const statuses = await listBackends();
  const infos = statuses.flatMap((s) => (s.available && s.info !== undefined ? [s.info] : []));
  const lines = statuses.map((s) => `  ${s.available ? '✓' : '✗'} ${s.name.padEnd(12)} ${s.available ? `speed class ${s.info?.speedClass}, ${s.info?.precision}` : s.reason}`);
  return { infos, lines };
}

function section1(): void {
  console.log('1. Strategy Overview');
  console.log(LINE);
  const info: [string, string, string, string][] = [
    ['standard', 'All data resident; cache-sized blocks folded into the p×p factor', 'When peak memory fits in available memory', 'O(N) - the data arrays (never the N×p Jacobian)'],
    ['chunked', 'Resident data walked in bounded chunks (exact: same R factor)', "When data fits but the Jacobian doesn't", 'O(chunk_size) - one chunk block at a time'],
    ['streaming', 'Data read pass by pass from a source, never resident', 'When even data arrays exceed memory', 'O(batch_size) - one batch at a time'],
  ];
  for (const [name, description, useCase, memory] of info) {
    console.log(`\n${name.toUpperCase()}:`);
    console.log(`  Description: ${description}`);
    console.log(`  Use case:    ${useCase}`);
    console.log(`  Memory:      ${memory}`);
  }
}

function section2(): void {
  heading('2. MemoryBudget - Computing Memory Requirements');
  console.log(`\n${'Dataset'.padEnd(10)} ${'Data (GB)'.padEnd(12)} ${'Jacobian (GB)'.padEnd(15)} ${'Peak (GB)'.padEnd(12)}`);
  console.log(LINE);
  for (const n of [100_000, 1_000_000, 10_000_000, 50_000_000, 100_000_000]) {
    const b = MemoryBudget.compute({ nPoints: n, nParams: 5 });
    console.log(`${sizeLabel(n).padEnd(10)} ${b.dataGb.toFixed(4).padEnd(12)} ${b.jacobianGb.toFixed(4).padEnd(15)} ${b.peakGb.toFixed(4).padEnd(12)}`);
  }
  const reading = MemoryEstimator.read();
  console.log(`\n(5 parameters; GB = 2^30 bytes, as NLSQ counts.)`);
  console.log(`Current system available memory: ${reading.availableGb.toFixed(1)} GB  [${reading.source}: ${reading.detail}]`);
}

function section3(): void {
  heading('3. Memory Budget Details for 5M Points');
  const b = MemoryBudget.compute({ nPoints: 5_000_000, nParams: 5, safetyFactor: 0.75 });
  console.log(`  Available memory:  ${b.availableGb.toFixed(1)} GB`);
  console.log(`  Threshold (75%):   ${b.thresholdGb.toFixed(1)} GB`);
  console.log(`  Data arrays:       ${b.dataGb.toFixed(3)} GB`);
  console.log(`  Jacobian matrix:   ${b.jacobianGb.toFixed(3)} GB`);
  console.log(`  Peak estimate:     ${b.peakGb.toFixed(3)} GB`);
  console.log(`  Fits in memory:    ${b.fitsInMemory}`);
  console.log(`  Data fits:         ${b.dataFits}`);
}

function section4(backends: readonly BackendInfo[], lines: readonly string[]): void {
  heading('4. Automatic Strategy Selection (on this machine)');
  console.log(`  Available memory: ${MemoryEstimator.getAvailableMemoryGb().toFixed(1)} GB`);
  console.log('  Backends found here:');
  for (const line of lines) console.log(line);
  const selector = new MemoryBudgetSelector({ safetyFactor: 0.75 });
  // Expression models differ only where some backend cannot run closures (WebGPU).
  const kinds: ModelKind[] = backends.every((b) => b.runsClosures) ? ['closure'] : ['closure', 'expression'];
  for (const modelKind of kinds) {
    console.log(`\n  ${modelKind} model, 5 parameters:`);
    console.log(`  ${'Dataset Size'.padEnd(14)} ${'Strategy'.padEnd(11)} ${'Backend'.padEnd(12)} Points per block`);
    console.log(`  ${'-'.repeat(60)}`);
    for (const n of [1_000, 50_000, 500_000, 5_000_000, 50_000_000, 500_000_000, 2_000_000_000]) {
      const s = selector.select({ nPoints: n, nParams: 5, backends, modelKind });
      const size = s.config === null ? n : 'chunkSize' in s.config ? s.config.chunkSize : s.config.batchSize;
      console.log(`  ${sizeLabel(n).padEnd(14)} ${s.strategy.padEnd(11)} ${(s.backend?.name ?? '-').padEnd(12)} ${formatCount(size)}`);
    }
  }
  if (kinds.length === 1) console.log('\n  (Expression models choose the same here: every backend found runs closures too.)');
  const example = selector.select({ nPoints: 2_000_000_000, nParams: 5, backends, modelKind: 'closure' });
  console.log(`\n  Why, for 2B points: ${example.reason}.`);
}

function section5(): void {
  heading('5. Strategy Selection Decision Tree');
  console.log(`
                 Compute memory budget  (MemoryBudget.compute)
                 threshold = available × 0.75
                               │
                  data_gb > threshold_gb ?
                 ┌─────── yes ─┴─ no ────────┐
             STREAMING            peak_gb > 0.9 × threshold_gb ?
          (batch of points)       ┌──── yes ─┴─ no ────┐
                               CHUNKED              STANDARD
                          (memory-managed)     (full in-memory fit)

  then, in nlsq: the fastest backend that can run the model (closures never on WebGPU,
  software adapters never automatically); a backend whose buffer or address space cannot hold
  the whole block runs it chunked, with chunks capped to fit.`);
}

function section6(backends: readonly BackendInfo[]): ScanPoint[] {
  heading('6. Strategy Selection with Different Memory Limits');
  const n = SCAN_POINTS;
  console.log(`Dataset: ${n / 1e6}M points, 5 parameters\n`);
  const selector = new MemoryBudgetSelector({ safetyFactor: 0.75 });
  const scan: ScanPoint[] = [];
  for (const limit of SCAN_LIMITS_GB) {
    const s = selector.select({ nPoints: n, nParams: 5, memoryLimitGb: limit, backends });
    const config = s.config === null ? 'all points resident' : 'chunkSize' in s.config ? `chunkSize ${formatCount(s.config.chunkSize)}` : `batchSize ${formatCount(s.config.batchSize)}`;
    console.log(`  Memory limit: ${String(limit).padStart(6)} GB -> ${s.strategy.padEnd(10)} (${config}) on ${s.backend?.name ?? '-'}`);
    scan.push({ n, gb: limit, strategy: s.strategy });
  }
  heading('7. Overriding the Choice: given vs used');
  const plan = buildPlan({ workflow: 'chunked', chunkSize: 250_000, nPoints: n, nParams: 5, backends });
  console.log(`  given: ${JSON.stringify(plan.given)}`);
  console.log(`  used:  strategy ${plan.used.workflow}, backend ${plan.used.backend}, chunkSize ${formatCount(plan.used.chunkSize)}`);
  console.log(`  reason: ${plan.reason}`);
  return scan;
}

/** Deterministic standard-normal noise (mulberry32 + Box–Muller). */
function normalNoise(seed: number): () => number {
  let s = seed >>> 0;
  const uniform = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

async function section8(): Promise<void> {
  heading('8. Test Fit');
  const nSamples = 1000;
  const [trueA, trueB, trueC] = [3.0, 1.2, 0.5];
  const noise = normalNoise(42);
  const x = Array.from({ length: nSamples }, (_, i) => (5 * i) / (nSamples - 1));
  const y = x.map((t) => trueA * Math.exp(-trueB * t) + trueC + 0.1 * noise());
  console.log(`  Test dataset: ${nSamples} points`);
  console.log(`  True parameters: a=${trueA}, b=${trueB}, c=${trueC}`);
  const r = await fit((t: number, a: number, b: number, c: number) => a * Math.exp(-b * t) + c, x, y, { p0: [1.0, 1.0, 0.0], workflow: 'auto' });
  const [a, b, c] = r.popt;
  const [ea, eb, ec] = r.perr;
  console.log(`  Fitted: a=${a!.toFixed(4)} ± ${ea!.toFixed(4)}, b=${b!.toFixed(4)} ± ${eb!.toFixed(4)}, c=${c!.toFixed(4)} ± ${ec!.toFixed(4)}`);
  console.log(`  Ran via fit(): strategy ${r.strategy}, backend ${r.backend}`);
  console.log(`  Reason: ${r.reason}`);
  fitFromCommandLine(x, y);
}

/** The same fit from the command line (`npx nlsq fit …`), on a CSV file in a temporary folder. */
function fitFromCommandLine(x: readonly number[], y: readonly number[]): void {
  const dir = mkdtempSync(join(tmpdir(), 'nlsq-demo-'));
  try {
    const file = join(dir, 'decay.csv');
    writeFileSync(file, `x,y\n${x.map((v, i) => `${v},${y[i]}`).join('\n')}\n`);
    const args = ['fit', file, '--model', 'a*exp(-b*x)+c', '--x', 'x', '--y', 'y', '--p0', '1,1,0', '--format', 'markdown'];
    console.log(`\n  The same fit from the command line: npx nlsq ${args.join(' ').replace(file, 'decay.csv').replace('a*exp(-b*x)+c', "'a*exp(-b*x)+c'")}`);
    const cli = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
    const out = execFileSync(process.execPath, ['--import', 'tsx', cli, ...args], { encoding: 'utf8' });
    console.log(out.replace(file, 'decay.csv').trimEnd().split('\n').map((l) => (l === '' ? '' : `    ${l}`)).join('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What a backend's capacity is bounded by, in words. */
function capacityBound(info: BackendInfo, byBuffer: boolean): string {
  const bytes = byBuffer ? info.maxBufferBytes : info.memoryBytes;
  const gib = `${(bytes / 2 ** 30).toFixed(bytes % 2 ** 30 === 0 ? 0 : 1)} GiB`;
  const what = info.name === 'cpu' ? 'the largest typed array' : info.name.startsWith('wasm') ? 'the wasm32 address space' : byBuffer ? 'its largest buffer' : 'its device memory';
  return byBuffer ? `${gib}, ${what}` : `0.75 × ${gib}, ${what}`;
}

async function section9(backends: readonly BackendInfo[], scan: readonly ScanPoint[]): Promise<void> {
  heading('9. Saving the strategy-boundaries figure...');
  // Draw what the demo itself selects: the closure model with the backends found here.
  const selector = new MemoryBudgetSelector({ safetyFactor: 0.75 });
  const chosen = selector.select({ nPoints: SCAN_POINTS, nParams: 5, backends, modelKind: 'closure' }).backend ?? backends[0]!;
  const capacity = backendCapacity(chosen, validateBudgetInput('demo', { nPoints: 1, nParams: 5 }));
  const spec = plotStrategies({
      nParams: 5,
      points: [1e4, 1e9],
      memoryGb: [0.01, 256],
      memoryTicks: [0.01, 0.1, 1, 10, 100],
      machineGb: REFERENCE ? undefined : MemoryEstimator.getAvailableMemoryGb(),
      scan: { label: `${SCAN_POINTS / 1e6}M-point scan (section 6)`, points: scan },
      backends,
      subtitle: [
        `5 parameters, closure model, safety factor 0.75; backends here: ${backends.map((b) => b.name).join(', ')}; the selector runs ${chosen.name}`,
        `Right edge: ${chosen.name} holds ≤ ${formatCount(capacity.maxRows)} points at once (${capacityBound(chosen, capacity.limit.includes('buffer'))})`,
      ],
  });
  // nlsq/plot: the spec is plain JSON; toSVG renders it headless (Vega), toPNG rasterises it (resvg).
  await mkdir(dirname(FIGURE_BASE), { recursive: true });
  await writeFile(`${FIGURE_BASE}.svg`, await toSVG(spec));
  await writeFile(`${FIGURE_BASE}.png`, await toPNG(spec, { scale: 2 }));
  console.log(`  Saved: ${FIGURE_BASE}.svg`);
  console.log(`  Saved: ${FIGURE_BASE}.png`);
}

function summary(): void {
  console.log(`\n\n${RULE}\nSummary\n${RULE}\n`);
  console.log('Strategies:');
  console.log('  standard:  Full in-memory computation, fastest for small datasets');
  console.log('  chunked:   Memory-managed chunking for large datasets (exact: TSQR folding)');
  console.log('  streaming: Pass-by-pass from a data source (exact, same solver)\n');
  console.log('Decision tree:');
  console.log("  1. data_gb > threshold_gb?       → streaming (data doesn't fit)");
  console.log("  2. peak_gb > 0.9 × threshold_gb? → chunked (Jacobian doesn't fit)");
  console.log('  3. else                          → standard (everything fits)');
  console.log('  4. nlsq: fastest backend that runs the model and holds a block\n');
  console.log(`Current system memory: ${MemoryEstimator.getAvailableMemoryGb().toFixed(1)} GB\n`);
  console.log('Key functions:');
  console.log('  MemoryBudget.compute()       - Compute memory requirements');
  console.log('  new MemoryBudgetSelector()   - Automatic strategy and backend selection');
  console.log('  buildPlan()                  - The plan a fit runs: given / used / reason');
}

async function main(): Promise<void> {
  console.log(`${RULE}\nMemory-Based Strategy Selection\n${RULE}\n`);
  const { infos, lines } = await backendsHere();
  section1();
  section2();
  section3();
  section4(infos, lines);
  section5();
  const scan = section6(infos);
  await section8();
  await section9(infos, scan);
  summary();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
