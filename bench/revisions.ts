/**
 * `npx tsx bench/revisions.ts OTHER_CHECKOUT [rounds] [case,…]`: the same fits on this checkout and on
 * another one (a `git worktree` of an older commit, with its `node_modules`), **in one process,
 * alternating A and B every round**, so that the load of a shared machine falls on both alike.
 * Prints, per case, the median of each side over the rounds and the ratio this/other with the
 * range of the per-round ratios. A refactoring that should not change speed shows ratios near 1.
 *
 * Cases (the fits of `npm run bench`, sized so a round takes a few seconds):
 * - `expr 1M`: `a*exp(-b*x)+c` as an expression model on 1M points, default backend;
 * - `closure 1M`: the same model as a JS closure (finite differences), default backend;
 * - `expr 1M sync`: `curveFitSync` of the expression model;
 * - `small ×200`: 200 fits of 100 points (the fixed cost per call);
 * - `chunked 1M`: `fit` with `workflow: 'chunked'`;
 * - `streaming 1M`: `fit` with `workflow: 'streaming'` over the resident arrays.
 *
 * A third argument keeps only the cases whose names start with one of its comma-separated words.
 *
 * Both checkouts must export `curveFit`, `curveFitSync`, `fit` and `model` from `src/index.ts`.
 *
 * @module
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expDecayData } from './fits.ts';

interface Api {
  curveFit(f: unknown, x: Float64Array, y: Float64Array, o?: Record<string, unknown>): Promise<{ popt: ArrayLike<number>; success: boolean }>;
  curveFitSync(f: unknown, x: Float64Array, y: Float64Array, o?: Record<string, unknown>): { popt: ArrayLike<number>; success: boolean };
  fit(f: unknown, x: Float64Array, y: Float64Array, o?: Record<string, unknown>): Promise<{ popt: ArrayLike<number>; success: boolean }>;
  model(expr: string): unknown;
}

type Case = { readonly name: string; readonly run: (api: Api) => Promise<void> };

function check(r: { popt: ArrayLike<number>; success: boolean }, name: string): void {
  if (!r.success || Math.abs(r.popt[0]! - 3) > 0.01) throw new Error(`${name}: the fit did not converge (popt ${Array.from(r.popt).join(', ')})`);
}

function cases(): Case[] {
  const big = expDecayData(1_000_000);
  const small = expDecayData(100);
  const p0 = [1, 1, 0];
  const closure = (x: number, a: number, b: number, c: number): number => a * Math.exp(-b * x) + c;
  const models = new WeakMap<Api, unknown>();
  const expr = (api: Api): unknown => {
    if (!models.has(api)) models.set(api, api.model('a*exp(-b*x)+c'));
    return models.get(api);
  };
  return [
    { name: 'expr 1M', run: async (api) => check(await api.curveFit(expr(api), big.x, big.y, { p0 }), 'expr 1M') },
    { name: 'closure 1M', run: async (api) => check(await api.curveFit(closure, big.x, big.y, { p0 }), 'closure 1M') },
    { name: 'expr 1M sync', run: async (api) => check(api.curveFitSync(expr(api), big.x, big.y, { p0 }), 'expr 1M sync') },
    {
      name: 'small ×200',
      run: async (api) => {
        for (let i = 0; i < 200; i++) check(await api.curveFit(expr(api), small.x, small.y, { p0 }), 'small');
      },
    },
    { name: 'chunked 1M', run: async (api) => check(await api.fit(expr(api), big.x, big.y, { p0, workflow: 'chunked' }), 'chunked 1M') },
    { name: 'streaming 1M', run: async (api) => check(await api.fit(expr(api), big.x, big.y, { p0, workflow: 'streaming' }), 'streaming 1M') },
  ];
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function time(f: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const other = process.argv[2];
  if (other === undefined) {
    process.stderr.write('usage: npx tsx bench/revisions.ts OTHER_CHECKOUT [rounds] [case,…]\n');
    process.exit(2);
  }
  const rounds = Number(process.argv[3] ?? 7);
  const here = (await import(pathToFileURL(resolve('src/index.ts')).href)) as Api;
  const there = (await import(pathToFileURL(resolve(other, 'src/index.ts')).href)) as Api;
  process.stdout.write(`A = this checkout, B = ${other}; ${rounds} rounds, A and B alternating (B first on odd rounds)\n`);
  process.stdout.write(`${'case'.padEnd(14)} ${'A median ms'.padStart(12)} ${'B median ms'.padStart(12)} ${'A/B'.padStart(6)}  per-round A/B range\n`);
  const only = process.argv[4]?.split(',');
  for (const c of cases().filter((k) => only === undefined || only.some((o) => k.name.startsWith(o)))) {
    await c.run(here); // warm-up: compile, instantiate, pool
    await c.run(there);
    const a: number[] = [];
    const b: number[] = [];
    for (let r = 0; r < rounds; r++) {
      if (r % 2 === 0) {
        a.push(await time(() => c.run(here)));
        b.push(await time(() => c.run(there)));
      } else {
        b.push(await time(() => c.run(there)));
        a.push(await time(() => c.run(here)));
      }
    }
    const ratios = a.map((t, i) => t / b[i]!);
    const lo = Math.min(...ratios).toFixed(3);
    const hi = Math.max(...ratios).toFixed(3);
    const ratio = (median(a) / median(b)).toFixed(3);
    process.stdout.write(`${c.name.padEnd(14)} ${median(a).toFixed(1).padStart(12)} ${median(b).toFixed(1).padStart(12)} ${ratio.padStart(6)}  ${lo}–${hi}\n`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
