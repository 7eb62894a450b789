/**
 * A small benchmark harness: warm-up, repeated `performance.now` timing, median/min, a printed
 * table with a ratio against a named peer, and JSON results under `bench/results/`.
 *
 * Each measurement runs the body `warmup` times untimed, then at least `minRuns` times and until
 * `minTimeMs` has passed (capped at `maxRuns`); the median is the headline figure, min shows the
 * noise floor. `setup` (untimed, awaited) runs before every timed call: when the body consumes its
 * input, or to interleave a peer's run with ours.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One benchmark result row. */
export interface BenchRow {
  section: string;
  name: string;
  /** Backend or library that ran. */
  impl: string;
  medianMs: number;
  minMs: number;
  runs: number;
  /** Name of the row this one is compared to (same section). */
  peer?: string;
  /** peer median / this median (> 1: this one is faster). */
  speedup?: number;
  /** Free-form extra figures (per-iteration times, nfev, …). */
  extra?: Record<string, number | string>;
}

/** Timing options. */
export interface MeasureOptions {
  warmup?: number;
  minRuns?: number;
  maxRuns?: number;
  minTimeMs?: number;
  setup?: () => unknown;
}

/** Time `body`; returns median, min (ms) and the number of timed runs. */
export async function measure(body: () => unknown, opts: MeasureOptions = {}): Promise<{ medianMs: number; minMs: number; runs: number }> {
  const { warmup = 2, minRuns = 5, maxRuns = 50, minTimeMs = 300, setup } = opts;
  for (let i = 0; i < warmup; i++) {
    await setup?.();
    await body();
  }
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minRuns || (performance.now() - start < minTimeMs && times.length < maxRuns)) {
    await setup?.();
    const t0 = performance.now();
    await body();
    times.push(performance.now() - t0);
  }
  return summarize(times);
}

/**
 * Time several bodies round-robin (one run of each per round), so that load changes on a shared
 * machine hit all of them alike and their ratios stay meaningful. Returns one summary per body.
 */
export async function measureRoundRobin(bodies: readonly (() => unknown)[], opts: MeasureOptions = {}): Promise<{ medianMs: number; minMs: number; runs: number }[]> {
  const { warmup = 1, minRuns = 5, maxRuns = 15, minTimeMs = 0 } = opts;
  for (let i = 0; i < warmup; i++) for (const body of bodies) await body();
  const times: number[][] = bodies.map(() => []);
  const start = performance.now();
  for (let round = 0; round < maxRuns && (round < minRuns || performance.now() - start < minTimeMs); round++) {
    for (let b = 0; b < bodies.length; b++) {
      const t0 = performance.now();
      await bodies[b]!();
      times[b]!.push(performance.now() - t0);
    }
  }
  return times.map(summarize);
}

function summarize(times: number[]): { medianMs: number; minMs: number; runs: number } {
  times.sort((a, b) => a - b);
  const mid = times.length >> 1;
  const medianMs = times.length % 2 ? times[mid]! : (times[mid - 1]! + times[mid]!) / 2;
  return { medianMs, minMs: times[0]!, runs: times.length };
}

/** Fill in `speedup` for rows naming a peer in the same section. */
export function applyPeers(rows: BenchRow[]): void {
  for (const row of rows) {
    if (!row.peer) continue;
    const peer = rows.find((r) => r.section === row.section && r.name === row.peer);
    if (peer) row.speedup = peer.medianMs / row.medianMs;
  }
}

function fmt(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(4);
}

/** Print rows as a fixed-width table. */
export function printTable(title: string, rows: readonly BenchRow[]): void {
  const head = ['benchmark', 'median ms', 'min ms', 'runs', 'vs peer', 'extra'];
  const body = rows.map((r) => [
    r.name,
    fmt(r.medianMs),
    fmt(r.minMs),
    String(r.runs),
    r.speedup !== undefined ? `${r.speedup.toFixed(2)}x vs ${r.peer}` : '',
    r.extra ? Object.entries(r.extra).map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toPrecision(4)) : v}`).join(' ') : '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i >= 4 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  process.stdout.write(`\n== ${title}\n${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const b of body) process.stdout.write(`${line(b)}\n`);
}

/** Write the rows as JSON to bench/results/<section>-<timestamp>.json; returns the path. */
export function writeResults(section: string, rows: readonly BenchRow[], meta: Record<string, unknown>): string {
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${section}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ section, ...meta, rows }, null, 2));
  return file;
}

/** A seeded uniform generator (mulberry32), so every implementation sees the same data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal deviates from a uniform generator (Box–Muller). */
export function gaussian(u: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}
