/**
 * `fit()` with `global`: over arrays the starts run as one batch and the winner is fitted by the
 * planned strategy (standard or chunked); `goal: 'global'` turns the search on with its defaults;
 * over a streaming source the starts race in a tournament. The tournament is checked against the
 * full multi-start on the same rugged problem (the same winner) while reading fewer rows (counted
 * by the source), and its checkpoints resume to the same answer.
 */
import { describe, expect, it } from 'vitest';
import { DataSourceError, NlsqRangeError } from '../../src/errors.ts';
import { fit } from '../../src/fit.ts';
import { model } from '../../src/model/model.ts';
import type { SourceChunk } from '../../src/sources/data-source.ts';
import { resolveGlobal } from '../../src/options/global-option.ts';
import { startPoints } from '../../src/global/multi-start.ts';
import { startBox } from '../../src/global/start-box.ts';
import { TOURNAMENT_CHECKPOINT_FORMAT, survivors, type TournamentCheckpoint } from '../../src/global/tournament.ts';

/** The starts the search draws (p0 first), as `startPoints` draws them. */
function startsOf(starts: number, seed: number): number[][] {
  const search = resolveGlobal({ starts, seed }, 'test')!;
  return startPoints(search, Float64Array.from(p0), startBox(p0, bounds[0], bounds[1])).map((s) => Array.from(s));
}

const sine = model('A*exp(-k*x)*sin(w*x + phi)');
const truth = [2, 0.05, 4, 0.5];
const bounds: [number[], number[]] = [[1.5, 0.02, 0, -4], [3, 0.1, 10, 4]];
const p0 = [2.5, 0.03, 1, 0];

/** n points of the damped sine on [0, 10] with a deterministic wobble, in a shuffled (deterministic) order. */
function sineData(n: number): { x: Float64Array; y: Float64Array } {
  const order = Array.from({ length: n }, (_, i) => i);
  let s = 12345;
  for (let i = n - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const x = Float64Array.from(order, (i) => (i * 10) / n);
  const clean = sine.evaluate(truth, [x]);
  const y = Float64Array.from(clean, (v, i) => v + 0.05 * Math.sin(order[i]! * 12.9898 + 78.233 * Math.cos(order[i]!)));
  return { x, y };
}

/** A re-readable source of fixed-size chunks that counts every row it hands out. */
function countingSource(x: Float64Array, y: Float64Array, chunk: number): Iterable<SourceChunk> & { rows: number } {
  const source = {
    rows: 0,
    *[Symbol.iterator](): Iterator<SourceChunk> {
      for (let at = 0; at < y.length; at += chunk) {
        const end = Math.min(y.length, at + chunk);
        source.rows += end - at;
        yield { x: x.subarray(at, end), y: y.subarray(at, end) };
      }
    },
  };
  return source;
}

describe('fit() with global over arrays', () => {
  const { x, y } = sineData(600);

  it('standard: the starts as one batch, the winner fitted by the planned strategy; chunked reaches the same minimum', async () => {
    const local = await fit(sine, x, y, { p0, bounds });
    expect(Math.abs(local.popt[2]! - 4)).toBeGreaterThan(1); // the plain fit misses
    const r = await fit(sine, x, y, { p0, bounds, global: { starts: 16, seed: 1 } });
    expect(r.plan.strategy).toBe('standard');
    expect(r.global!.engine.kind).toBe('batch');
    expect(r.popt).toBeAllclose(truth, { rtol: 0.02, atol: 0.01 });
    // The result is fit()'s own from the winning start.
    const again = await fit(sine, x, y, { p0: startsOf(16, 1)[r.global!.winner]!, bounds });
    expect(again.popt).toEqual(r.popt);
    expect(again.pcov).toEqual(r.pcov);
    const chunked = await fit(sine, x, y, { p0, bounds, workflow: 'chunked', chunkSize: 100, global: { starts: 16, seed: 1 } });
    expect(chunked.plan.strategy).toBe('chunked');
    expect(chunked.global!.winner).toBe(r.global!.winner);
    expect(chunked.popt).toBeAllclose(r.popt, { rtol: 1e-9 });
    expect(chunked.pcov).toBeAllclose(r.pcov, { rtol: 1e-6 });
  });

  it("goal: 'global' turns the search on with its documented defaults, and the choices say so", async () => {
    const r = await fit(sine, x, y, { p0, bounds, goal: 'global' });
    expect(r.global!.starts).toBe(16);
    expect(r.global!.sampler).toBe('sobol');
    expect(r.choices.global!.given).toBe("goal 'global' (default: 16 scrambled Sobol starts, seed 0)");
    expect(r.popt).toBeAllclose(truth, { rtol: 0.02, atol: 0.01 });
    expect(r.report()).toContain('global');
    // An explicit global wins over the goal's default.
    const own = await fit(sine, x, y, { p0, bounds, goal: 'global', global: { starts: 4, seed: 2 } });
    expect(own.global!.starts).toBe(4);
  });

  it('CMA-ES through fit() over arrays', async () => {
    const r = await fit(sine, x, y, { p0, bounds, global: 'cmaes' });
    expect(r.global!.method).toBe('cmaes');
    expect(r.popt).toBeAllclose(truth, { rtol: 0.02, atol: 0.01 });
  });
});

describe('fit() with global over a streaming source: the tournament', () => {
  const n = 12_000;
  const chunk = 500;
  const { x, y } = sineData(n);
  const search = { starts: 16, seed: 1 };

  it('finds the winner of the full multi-start while reading fewer rows than streaming every start (counted)', async () => {
    // The full multi-start over the source: every start streams the whole source; the best wins.
    let everyStart = 0;
    let best = { cost: Infinity, popt: [] as number[] };
    for (const start of startsOf(16, 1)) {
      const one = countingSource(x, y, chunk);
      const r = await fit(sine, one, { p0: start, bounds, warmup: false });
      everyStart += one.rows;
      if (r.cost < best.cost) best = r;
    }
    const source = countingSource(x, y, chunk);
    const t = await fit(sine, source, { p0, bounds, global: search, warmup: false });
    expect(t.global!.engine.kind).toBe('tournament');
    expect(t.popt).toBeAllclose(best.popt, { rtol: 1e-6, atol: 1e-9 });
    expect(t.popt).toBeAllclose(truth, { rtol: 0.02, atol: 0.01 });
    const info = t.global!.tournament!;
    expect(info.finalists.length).toBeLessThanOrEqual(2);
    expect(info.rounds[0]).toEqual({ rows: chunk, survivors: 16 });
    expect(info.rounds.map((r) => r.rows)).toEqual(info.rounds.map((_, i) => chunk * 2 ** i));
    expect(info.rowsRead + chunk).toBe(source.rows); // + the first chunk, read once to resolve the options
    expect(source.rows).toBeLessThan(everyStart / 3);
    console.log(`tournament read ${source.rows} rows; streaming all 16 starts read ${everyStart}`);
  });

  it('checkpoints: the rounds and each finalist pass are saved; resuming from one finishes at the same answer', async () => {
    const states: TournamentCheckpoint[] = [];
    const first = await fit(sine, countingSource(x, y, chunk), {
      p0, bounds, global: search, warmup: false, onCheckpoint: (s) => void states.push(JSON.parse(JSON.stringify(s)) as TournamentCheckpoint),
    });
    expect(states[0]!.format).toBe(TOURNAMENT_CHECKPOINT_FORMAT);
    expect(states[0]!.current).toBeNull();
    const mid = states.find((s) => s.current !== null && s.done.length === 0)!;
    expect(mid).toBeDefined();
    const resumed = await fit(sine, countingSource(x, y, chunk), { p0, bounds, global: search, warmup: false, resumeFrom: mid });
    expect(resumed.popt).toBeAllclose(first.popt, { rtol: 1e-6, atol: 1e-9 });
    expect(resumed.global!.winner).toBe(first.global!.winner);
    expect(resumed.global!.tournament!.rounds).toEqual(first.global!.tournament!.rounds); // carried by the checkpoint, not replayed
    // Resuming while the second finalist streams: the first is not streamed again (unless it wins, from its final point).
    const late = states.find((s) => s.current !== null && s.done.length === 1);
    expect(first.global!.tournament!.finalists).toHaveLength(2);
    expect(late).toBeDefined();
    const source = countingSource(x, y, chunk);
    const again = await fit(sine, source, { p0, bounds, global: search, warmup: false, resumeFrom: late });
    expect(again.popt).toBeAllclose(first.popt, { rtol: 1e-6, atol: 1e-9 });
    expect(source.rows).toBeLessThan(first.global!.tournament!.rowsRead);
  });

  it('a source that ends inside the prefix: the last round is exact and only its best streams', async () => {
    const small = sineData(1500);
    const t = await fit(sine, countingSource(small.x, small.y, 500), { p0, bounds, global: search, warmup: false });
    expect(t.global!.tournament!.wholeSourceInPrefix).toBe(true);
    expect(t.global!.tournament!.finalists).toHaveLength(1);
    const full = await fit(sine, small.x, small.y, { p0, bounds, global: search });
    expect(t.popt).toBeAllclose(full.popt, { rtol: 1e-6, atol: 1e-9 });
  });

  it('refuses CMA-ES, one-pass iterators and foreign checkpoints, naming the argument', async () => {
    await expect(fit(sine, countingSource(x, y, chunk), { p0, bounds, global: 'cmaes' })).rejects.toSatisfy((e) => e instanceof NlsqRangeError && e.argument === 'global');
    const once = countingSource(x, y, chunk)[Symbol.iterator]();
    await expect(fit(sine, once as never, { p0, bounds, global: true })).rejects.toBeInstanceOf(DataSourceError);
    await expect(fit(sine, countingSource(x, y, chunk), { p0, bounds, global: true, resumeFrom: { format: 'nlsq-streaming-checkpoint' } })).rejects.toThrow(/resumeFrom must be a checkpoint its onCheckpoint received \(format 'nlsq-tournament-checkpoint'\)/);
  });

  it('survivors: ranked, duplicates of a better one dropped, the better half kept but never fewer than the finalists', () => {
    const e = (start: number, cost: number, x: number[]): { start: number; cost: number; x: number[] } => ({ start, cost, x });
    const ranked = [e(0, 5, [1]), e(1, 1, [2]), e(2, 1 + 1e-9, [2.000001]), e(3, Infinity, [0]), e(4, 3, [4]), e(5, 2, [5])];
    expect(survivors(ranked, 2).map((s) => s.start)).toEqual([1, 5, 4]);
    expect(survivors([e(0, 1, [1]), e(1, 2, [2]), e(2, 3, [3])], 2).map((s) => s.start)).toEqual([0, 1]);
  });
});
