/**
 * `nlsq fit … --global SPEC` as a subprocess: the numbers and `result.global` equal `fit()` with
 * the same `global` option on the same columns (multi-start and CMA-ES; the tournament when the
 * workflow streams), the text report shows the search, and a bad spec is a usage error naming
 * `--global`. `parseGlobal` is checked directly for every form.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { parseGlobal } from '../../src/cli/fit-spec.ts';
import { NlsqRangeError } from '../../src/errors.ts';
import { fit } from '../../src/fit.ts';
import { model } from '../../src/model/model.ts';
import { csvText, runNlsq, tempFolder } from '../support/cli.ts';

const tmp = tempFolder('nlsq-cli-global-');
afterAll(() => tmp.remove());

const EXPR = 'A*exp(-k*t)*sin(w*t + phi)';
const sine = model(EXPR, { variables: ['t'] });
const t = Array.from({ length: 300 }, (_, i) => (i * 10) / 300);
const y = Array.from(sine.evaluate([2, 0.05, 4, 0.5], [Float64Array.from(t)]), (v, i) => v + 0.05 * Math.sin(i * 12.9898 + 78.233 * Math.cos(i)));
const csv = tmp.write('sine.csv', csvText(['t', 'y'], [t, y]));
const flags = ['--model', EXPR, '--x', 't', '--y', 'y', '--p0', '2.5,0.03,1,0', '--param', 'A=2.5:1.5..3', '--param', 'k=0.03:0.02..0.1', '--param', 'w=1:0..10', '--param', 'phi=0:-4..4', '--memory', '8'];


interface GlobalJson {
  popt: number[];
  global: { method: string; starts: number; winner: number; engine: { kind: string }; minima: { cost: number; count: number }[]; tournament?: { rowsRead: number } };
}

describe('nlsq fit --global', () => {
  it('sobol:32 gives fit()\'s global result, and the text report shows the search', async () => {
    const run = await runNlsq(['fit', csv, ...flags, '--global', 'sobol:32:1', '--format', 'json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const cli = JSON.parse(run.stdout) as GlobalJson;
    const lib = await fit(sine, t, y, { params: { A: { value: 2.5, min: 1.5, max: 3 }, k: { value: 0.03, min: 0.02, max: 0.1 }, w: { value: 1, min: 0, max: 10 }, phi: { value: 0, min: -4, max: 4 } }, memoryLimitGb: 8, global: { starts: 32, seed: 1 } });
    expect(cli.popt).toEqual(lib.popt);
    expect(cli.global.starts).toBe(32);
    expect(cli.global.winner).toBe(lib.global!.winner);
    expect(cli.global.engine.kind).toBe('batch');
    expect(cli.global.minima.map((m) => m.count)).toEqual(lib.global!.minima.map((m) => m.count));
    expect(cli.popt).toBeAllclose([2, 0.05, 4, 0.5], { rtol: 0.02, atol: 0.01 });
    // Without --global the same command stays in the local minimum.
    const local = JSON.parse((await runNlsq(['fit', csv, ...flags, '--format', 'json'])).stdout) as GlobalJson;
    expect(Math.abs(local.popt[2]! - 4)).toBeGreaterThan(1);
    expect(local.global).toBeUndefined();
    const text = await runNlsq(['fit', csv, ...flags, '--global', 'sobol:32:1']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/global search: multistart, 32 starts \(sobol, seed 1\), batch; start \d+ won/);
    expect(text.stdout).toMatch(/minimum 1: cost .* reached by \d+ start/);
  });

  it('cmaes, and the tournament when the workflow streams', async () => {
    const cm = JSON.parse((await runNlsq(['fit', csv, ...flags, '--global', 'cmaes', '--format', 'json'])).stdout) as GlobalJson;
    expect(cm.global.method).toBe('cmaes');
    expect(cm.popt).toBeAllclose([2, 0.05, 4, 0.5], { rtol: 0.02, atol: 0.01 });
    const streamed = await runNlsq(['fit', csv, ...flags, '--global', 'sobol:16:1', '--workflow', 'streaming', '--format', 'json']);
    expect(streamed.code).toBe(0);
    const s = JSON.parse(streamed.stdout) as GlobalJson;
    expect(s.global.engine.kind).toBe('tournament');
    expect(s.global.tournament!.rowsRead).toBeGreaterThan(0);
    expect(s.popt).toBeAllclose([2, 0.05, 4, 0.5], { rtol: 0.02, atol: 0.01 });
  });

  it('a bad spec is a usage error (exit 2) naming --global', async () => {
    const run = await runNlsq(['fit', csv, ...flags, '--global', 'sobol:zero']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^nlsq fit: --global starts must be an integer ≥ 1, got "zero"/);
  });

  it('parseGlobal reads every form and names the flag otherwise', () => {
    expect(parseGlobal(undefined, 'nlsq fit')).toBeUndefined();
    expect(parseGlobal('sobol', 'nlsq fit')).toEqual({ method: 'multistart', sampler: 'sobol' });
    expect(parseGlobal('lhs:16:7', 'nlsq fit')).toEqual({ method: 'multistart', sampler: 'lhs', starts: 16, seed: 7 });
    expect(parseGlobal('halton:8', 'nlsq fit')).toEqual({ method: 'multistart', sampler: 'halton', starts: 8 });
    expect(parseGlobal('cmaes', 'nlsq fit')).toEqual({ method: 'cmaes' });
    expect(parseGlobal('cmaes:3', 'nlsq fit')).toEqual({ method: 'cmaes', seed: 3 });
    for (const bad of ['nope', 'sobol:0', 'sobol:1:2:3', 'cmaes:1:2', 'sobol:-1', 'random:1.5']) {
      expect(() => parseGlobal(bad, 'nlsq fit')).toThrow(NlsqRangeError);
      try {
        parseGlobal(bad, 'nlsq fit');
      } catch (e) {
        expect((e as NlsqRangeError).argument).toBe('--global');
        expect((e as Error).message).toContain(JSON.stringify(bad));
      }
    }
  });
});
