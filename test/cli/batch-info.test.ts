/**
 * `nlsq batch` (one fit per column, one per group: the numbers of fitBatch on the same data, and
 * of fit() on each data set within rounding),
 * `nlsq models` (the library), `nlsq plan` (buildPlan's plan) and `nlsq info` (listBackends).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { listBackends } from '../../src/backends/list-backends.ts';
import { fit } from '../../src/fit.ts';
import { fitBatch } from '../../src/fit-batch.ts';
import { params } from '../../src/model/params.ts';
import { models } from '../../src/model/models/index.ts';
import { buildPlan } from '../../src/workflow/plan.ts';
import { csvText, runNlsq, tempFolder } from '../support/cli.ts';

const tmp = tempFolder('nlsq-cli-batch-');
afterAll(() => tmp.remove());

const x = Array.from({ length: 60 }, (_, i) => i * 0.2);
const peak = (a: number, mu: number, s: number, phase: number): number[] => x.map((v, i) => a * Math.exp(-((v - mu) ** 2) / (2 * s * s)) + 0.01 * Math.sin(i + phase));
const ys = [peak(2, 5, 1, 0), peak(1.5, 6, 0.7, 1), peak(1, 4, 1.2, 2)];

function parseCsv(text: string): string[][] {
  return text.trim().split('\n').map((l) => l.split(','));
}

describe('nlsq batch', () => {
  it('fits every matching column (--columns) through fitBatch: the same popt and perr, and fit() within 1e-9', async () => {
    const spectra = tmp.write('spectra.csv', csvText(['x', 'y1', 'y2', 'y3', 'other'], [x, ...ys, x]));
    const cols = await runNlsq(['batch', spectra, '--model', 'gaussian', '--x', 'x', '--columns', 'y*', '--p0', 'auto']);
    expect(cols.code).toBe(0);
    expect(cols.stderr).toBe('nlsq batch: 3 of 3 fits converged\n');
    const table = parseCsv(cols.stdout);
    expect(table[0]).toEqual(['name', 'status', 'success', 'n', 'a', 'a_stderr', 'mu', 'mu_stderr', 'sigma', 'sigma_stderr', 'reduced_chi_square', 'r_squared', 'rmse', 'message']);
    expect(table.slice(1).map((r) => r[0])).toEqual(['y1', 'y2', 'y3']);
    const X = Float64Array.from(x);
    const batch = await fitBatch(models.gaussian(), { x: X, y: ys }, { p0: 'auto' });
    for (let k = 0; k < 3; k++) {
      const row = table[k + 1]!;
      expect([row[4], row[6], row[8]].map(Number)).toEqual(Array.from(batch.params(k)));
      expect([row[5], row[7], row[9]].map(Number)).toEqual(Array.from(batch.perr.subarray(3 * k, 3 * k + 3)));
      // fit() on the column: the same solver path, so the same numbers up to rounding
      const lib = await fit(models.gaussian(), X, Float64Array.from(ys[k]!), { p0: 'auto' });
      expect([row[4], row[6], row[8]].map(Number)).toBeAllclose(lib.popt, { rtol: 1e-9 });
      expect([row[5], row[7], row[9]].map(Number)).toBeAllclose(lib.perr, { rtol: 1e-9 });
      expect(row[1]).toBe(lib.status);
      expect(Number(row[3])).toBe(lib.n);
      expect([row[10], row[11], row[12]].map(Number)).toBeAllclose([lib.reducedChiSquare, lib.rSquared, lib.rmse], { rtol: 1e-9 });
    }
  });

  it('fits every group (--group) of different lengths through fitBatch with offsets, with sigma', async () => {
    const n1 = 60, n2 = 45;
    const sensor = [...x.slice(0, n1).map(() => 'left'), ...x.slice(0, n2).map(() => 'right')];
    const xs = [...x.slice(0, n1), ...x.slice(0, n2)];
    const yv = [...ys[0]!.slice(0, n1), ...ys[1]!.slice(0, n2)];
    const sg = xs.map((_, i) => 0.01 + 0.001 * (i % 4));
    // the groups interleave in the file: rows of one group need not be contiguous
    const order = xs.map((_, i) => i).sort((i, j) => (i % 7) - (j % 7) || i - j);
    const groups = tmp.write('groups.tsv', csvText(['sensor', 'x', 'y', 'err'], [order.map((i) => sensor[i]!), order.map((i) => xs[i]!), order.map((i) => yv[i]!), order.map((i) => sg[i]!)], '\t'));
    const out = `${tmp.dir}/fits.csv`;
    const grouped = await runNlsq(['batch', groups, '--model', 'gaussian', '--x', 'x', '--y', 'y', '--sigma', 'err', '--group', 'sensor', '--p0', '1,5,1', '--out', out]);
    expect(grouped.code).toBe(0);
    expect(grouped.stdout).toBe('');
    const { readFileSync } = await import('node:fs');
    const g = parseCsv(readFileSync(out, 'utf8'));
    const names = [...new Set(order.map((i) => sensor[i]!))];
    expect(g.slice(1).map((r) => r[0])).toEqual(names);
    const pick = (name: string, col: readonly number[]): number[] => order.filter((i) => sensor[i] === name).map((i) => col[i]!);
    const batch = await fitBatch(
      models.gaussian(),
      { x: names.flatMap((nm) => pick(nm, xs)), y: Float64Array.from(names.flatMap((nm) => pick(nm, yv))), offsets: [0, pick(names[0]!, xs).length, xs.length] },
      { p0: [1, 5, 1], sigma: Float64Array.from(names.flatMap((nm) => pick(nm, sg))) },
    );
    names.forEach((nm, k) => {
      expect(Number(g[k + 1]![3])).toBe(nm === 'left' ? n1 : n2);
      expect([4, 6, 8].map((c) => Number(g[k + 1]![c]))).toEqual(Array.from(batch.params(k)));
      expect([5, 7, 9].map((c) => Number(g[k + 1]![c]))).toEqual(Array.from(batch.perr.subarray(3 * k, 3 * k + 3)));
    });
    expect(Number(g[names.indexOf('right') + 1]![6])).toBeCloseTo(6, 2);
  });

  it('holds --param settings in every fit as fitBatch with params does', async () => {
    const spectra = tmp.write('fixed.csv', csvText(['x', 'y1', 'y2'], [x, ys[0]!, ys[1]!]));
    const run = await runNlsq(['batch', spectra, '--model', 'gaussian', '--x', 'x', '--columns', 'y*', '--p0', '1.8,5,1', '--param', 'a=2:fixed', '--param', 'sigma=1:0.1..5']);
    expect(run.code).toBe(0);
    const table = parseCsv(run.stdout);
    const batch = await fitBatch(models.gaussian(), { x: Float64Array.from(x), y: [ys[0]!, ys[1]!] }, { params: params({ a: { value: 2, vary: false }, mu: { value: 5, min: 0 }, sigma: { value: 1, min: 0.1, max: 5 } }) });
    for (let k = 0; k < 2; k++) {
      expect([4, 6, 8].map((c) => Number(table[k + 1]![c]))).toEqual(Array.from(batch.params(k)));
      expect(table[k + 1]![4]).toBe('2');
      expect(table[k + 1]![5]).toBe('0');
    }
  });

  it('gives a fit that cannot start a row with its message and exits 1', async () => {
    const bad = tmp.write('short.csv', csvText(['x', 'y1', 'y2'], [x.slice(0, 2), ys[0]!.slice(0, 2), ys[1]!.slice(0, 2)]));
    const run = await runNlsq(['batch', bad, '--model', 'gaussian', '--x', 'x', '--columns', 'y*', '--p0', '1,5,1']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('nlsq batch: 0 of 2 fits converged\n');
    const table = parseCsv(run.stdout);
    expect(table[1]!.slice(0, 5)).toEqual(['y1', 'improper-input', 'false', '2', '']);
    expect(run.stdout.split('\n')[1]).toMatch(/,"fitBatch: fit 0: 2 points[^"]*"$/);
  });

  it('exits 2 when neither --columns nor --group is given, the glob matches nothing, or a flag does not apply', async () => {
    const file = tmp.write('one.csv', csvText(['x', 'y'], [x, ys[0]!]));
    const [none, nomatch, workflow, autoParam] = await Promise.all([
      runNlsq(['batch', file, '--model', 'gaussian', '--x', 'x']),
      runNlsq(['batch', file, '--model', 'gaussian', '--x', 'x', '--columns', 'z*']),
      runNlsq(['batch', file, '--model', 'gaussian', '--x', 'x', '--columns', 'y', '--workflow', 'streaming']),
      runNlsq(['batch', file, '--model', 'gaussian', '--x', 'x', '--columns', 'y', '--p0', 'auto', '--param', 'a=1:fixed']),
    ]);
    expect([none.code, nomatch.code, workflow.code, autoParam.code]).toEqual([2, 2, 2, 2]);
    expect(none.stderr).toMatch(/^nlsq batch: give exactly one of --columns GLOB .* and --group COL/);
    expect(nomatch.stderr).toMatch(/^nlsq batch: --columns z\* matches no column of .*one\.csv \(columns: x, y\)\n$/);
    expect(workflow.stderr).toBe('nlsq batch: --workflow does not apply to a batch: fitBatch holds every fit\'s data in memory and runs each as a standard fit\n');
    expect(autoParam.stderr).toMatch(/^nlsq batch: --p0 auto cannot be combined with --param in a batch/);
  });
});

describe('nlsq models, plan, info', () => {
  it('lists every library model with its formula, parameters, estimator and bounds', async () => {
    const run = await runNlsq(['models', '--json']);
    expect(run.code).toBe(0);
    const list = JSON.parse(run.stdout) as { name: string; formula: string; params: string[]; estimator: boolean; bounds: [string, string][] }[];
    expect(list.map((m) => m.name)).toEqual(Object.keys(models).map((n) => (n === 'polynomial' ? 'polynomial:DEGREE' : n)));
    const g = list.find((m) => m.name === 'gaussian')!;
    const lib = models.gaussian();
    expect(g).toEqual({ name: 'gaussian', formula: lib.expression, params: [...lib.params], estimator: true, bounds: lib.params.map((_, j) => [String(lib.defaultBounds![0][j]), String(lib.defaultBounds![1][j])]) });
  });

  it("prints buildPlan's plan, and the backends listBackends reports", async () => {
    const [plan, info, bad] = await Promise.all([
      runNlsq(['plan', '--points', '1e9', '--params', '5', '--memory', '8', '--json']),
      runNlsq(['info', '--json']),
      runNlsq(['plan', '--points', '-3']),
    ]);
    expect(plan.code).toBe(0);
    const statuses = await listBackends({ allowSoftware: false });
    const backends = statuses.flatMap((s) => (s.available && s.info !== undefined ? [s.info] : []));
    const lib = buildPlan({ nPoints: 1e9, nParams: 5, memoryLimitGb: 8, backends, modelKind: 'expression' });
    const got = JSON.parse(plan.stdout) as { strategy: string; backend: string; chunkSize: number; reason: string };
    expect(got).toMatchObject({ strategy: 'streaming', backend: lib.backend, chunkSize: lib.chunkSize, reason: lib.reason });
    const i = JSON.parse(info.stdout) as { backends: { name: string; available: boolean; reason: string }[]; memory: { availableGb: number } };
    expect(i.backends.map((b) => [b.name, b.available])).toEqual(statuses.map((s) => [s.name, s.available]));
    expect(i.memory.availableGb).toBeGreaterThan(0);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('nlsq plan: --points must be a positive integer (1e9 is fine), got "-3"\n');
  });
});
