/**
 * `nlsq batch` (one fit per column, one per group: the numbers of fit() on each data set),
 * `nlsq models` (the library), `nlsq plan` (buildPlan's plan) and `nlsq info` (listBackends).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { listBackends } from '../../src/backends/list-backends.ts';
import { fit } from '../../src/fit.ts';
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
  it('fits every matching column (--columns) and every group (--group) as fit() does', async () => {
    const spectra = tmp.write('spectra.csv', csvText(['x', 'y1', 'y2', 'y3', 'other'], [x, ...ys, x]));
    const groups = tmp.write('groups.tsv', csvText(['sensor', 'x', 'y'], [[...x.map(() => 'left'), ...x.map(() => 'right')], [...x, ...x], [...ys[0]!, ...ys[1]!]], '\t'));
    const out = `${tmp.dir}/fits.csv`;
    const [cols, grouped] = await Promise.all([
      runNlsq(['batch', spectra, '--model', 'gaussian', '--x', 'x', '--columns', 'y*', '--p0', 'auto']),
      runNlsq(['batch', groups, '--model', 'gaussian', '--x', 'x', '--y', 'y', '--group', 'sensor', '--p0', 'auto', '--out', out]),
    ]);
    expect(cols.code).toBe(0);
    expect(cols.stderr).toBe('nlsq batch: 3 of 3 fits converged\n');
    const table = parseCsv(cols.stdout);
    expect(table[0]!.slice(0, 10)).toEqual(['name', 'status', 'success', 'n', 'a', 'a_stderr', 'mu', 'mu_stderr', 'sigma', 'sigma_stderr']);
    expect(table.slice(1).map((r) => r[0])).toEqual(['y1', 'y2', 'y3']);
    const X = Float64Array.from(x);
    for (let k = 0; k < 3; k++) {
      const lib = await fit(models.gaussian(), X, Float64Array.from(ys[k]!), { p0: 'auto' });
      const row = table[k + 1]!;
      expect([row[4], row[6], row[8]].map(Number)).toEqual(lib.popt);
      expect([row[5], row[7], row[9]].map(Number)).toEqual(lib.perr);
    }
    expect(grouped.code).toBe(0);
    expect(grouped.stdout).toBe('');
    const { readFileSync } = await import('node:fs');
    const g = parseCsv(readFileSync(out, 'utf8'));
    expect(g.slice(1).map((r) => r[0])).toEqual(['left', 'right']);
    expect(Number(g[2]![6])).toBeCloseTo(6, 2);
  });

  it('exits 2 when neither --columns nor --group is given, or the glob matches nothing', async () => {
    const file = tmp.write('one.csv', csvText(['x', 'y'], [x, ys[0]!]));
    const [none, nomatch] = await Promise.all([
      runNlsq(['batch', file, '--model', 'gaussian', '--x', 'x']),
      runNlsq(['batch', file, '--model', 'gaussian', '--x', 'x', '--columns', 'z*']),
    ]);
    expect([none.code, nomatch.code]).toEqual([2, 2]);
    expect(none.stderr).toMatch(/^nlsq batch: give exactly one of --columns GLOB .* and --group COL/);
    expect(nomatch.stderr).toMatch(/^nlsq batch: --columns z\* matches no column of .*one\.csv \(columns: x, y\)\n$/);
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
