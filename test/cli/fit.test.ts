/**
 * `nlsq fit` as a subprocess on files the test writes: the numbers equal `fit()` on the same
 * columns, every reader gives the same answer, the formats, and the exit codes (0 fitted, 1 not
 * converged, 2 bad usage or input with one line naming the flag or the file and line).
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { fit } from '../../src/fit.ts';
import { model } from '../../src/model/model.ts';
import { models } from '../../src/model/models/index.ts';
import { params } from '../../src/model/params.ts';
import { csvText, decayData, runNlsq, tempFolder } from '../support/cli.ts';

const tmp = tempFolder('nlsq-cli-fit-');
afterAll(() => tmp.remove());

const { t, y, err } = decayData(200);
const csv = tmp.write('decay.csv', csvText(['time', 'signal', 'err'], [t, y, err]));
const T = Float64Array.from(t);
const Y = Float64Array.from(y);
const E = Float64Array.from(err);
const EXPR = 'a*exp(-b*time)+c';

interface JsonReport {
  success: boolean;
  popt: number[];
  perr: number[];
  pcov: number[][];
  params: Record<string, { value: number; stderr: number; ci95: [number, number]; kind: string }>;
  statistics: { n: number; chiSquare: number; rSquared: number };
  backend: string;
  strategy: string;
  reason: string;
}

async function fitJson(args: string[]): Promise<JsonReport> {
  const run = await runNlsq(['fit', ...args, '--format', 'json']);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as JsonReport;
}

describe('nlsq fit', () => {
  it('gives the numbers of fit() on the same columns (popt, perr, pcov, CIs, statistics)', async () => {
    const cli = await fitJson([csv, '--model', EXPR, '--x', 'time', '--y', 'signal', '--sigma', 'err', '--p0', '1,1,0', '--memory', '8']);
    // a memory limit, so that the plan's reason does not carry the free memory of the moment
    const lib = await fit(model(EXPR, { variables: ['time'] }), T, Y, { p0: [1, 1, 0], sigma: E, memoryLimitGb: 8 });
    expect(cli.popt).toEqual(lib.popt);
    expect(cli.perr).toEqual(lib.perr);
    expect(cli.pcov).toEqual(lib.pcov);
    const ci = lib.confidenceIntervals(0.95);
    expect(cli.params['b']!.ci95).toEqual([ci.lower[1], ci.upper[1]]);
    expect(cli.statistics.chiSquare).toBe(lib.chiSquare);
    expect(cli.statistics.n).toBe(200);
    expect([cli.backend, cli.strategy, cli.reason]).toEqual([lib.backend, lib.strategy, lib.reason]);
    expect(cli.popt).toBeAllclose([3, 1.3, 0.5], { rtol: 1e-2 });
  });

  it('reads TSV, whitespace text (no header, 1-based columns) and raw Float64 to the same answer as CSV', async () => {
    const tsv = tmp.write('decay.tsv', csvText(['time', 'signal', 'err'], [t, y, err], '\t'));
    const rows = t.map((ti, i) => `  ${ti}\t  ${y[i]}   ${err[i]}  `).join('\n');
    const txt = tmp.write('decay.txt', `# time signal err\n${rows}\n`);
    const f64 = new Float64Array(3 * t.length);
    t.forEach((ti, i) => f64.set([ti, y[i]!, err[i]!], 3 * i));
    const raw = tmp.write('decay.f64', new Uint8Array(f64.buffer));
    const flags = ['--model', 'a*exp(-b*x)+c', '--p0', '1,1,0'];
    const [a, b, c, d] = await Promise.all([
      fitJson([csv, ...flags, '--x', 'time', '--y', 'signal', '--sigma', 'err']),
      fitJson([tsv, ...flags, '--x', 'time', '--y', 'signal', '--sigma', '3']),
      fitJson([txt, ...flags, '--x', '1', '--y', '2', '--sigma', '3']),
      fitJson([raw, ...flags, '--sigma', 'yes']),
    ]);
    expect(b.popt).toEqual(a.popt);
    expect(c.popt).toEqual(a.popt);
    expect(d.popt).toEqual(a.popt);
    expect(d.perr).toEqual(a.perr);
  });

  it('maps --param onto params() (fixed, bounds, ties) and a library model with --p0 auto', async () => {
    const gx = Array.from({ length: 120 }, (_, i) => i * 0.1);
    const gy = gx.map((x, i) => 2 * Math.exp(-((x - 6) ** 2) / (2 * 1.5 ** 2)) + 0.3 + 0.01 * Math.cos(i * 3.3));
    const file = tmp.write('peak.csv', csvText(['x', 'y'], [gx, gy]));
    const expr = 'A*exp(-((x-mu)^2)/(2*s^2)) + c';
    const [cli, auto] = await Promise.all([
      fitJson([file, '--model', expr, '--x', 'x', '--y', 'y', '--param', 'A=1:0..10', '--param', 'mu=5', '--param', 's=1:0.1..', '--param', 'c=0.3:fixed']),
      fitJson([file, '--model', 'gaussian', '--x', 'x', '--y', 'y', '--p0', 'auto']),
    ]);
    const P = params({ A: { value: 1, min: 0, max: 10 }, mu: 5, s: { value: 1, min: 0.1 }, c: { value: 0.3, vary: false } });
    const lib = await fit(model(expr), Float64Array.from(gx), Float64Array.from(gy), { params: P });
    expect(cli.popt).toEqual(lib.popt);
    expect(cli.perr).toEqual(lib.perr);
    expect(cli.params['c']).toMatchObject({ value: 0.3, kind: 'fixed' });
    const libAuto = await fit(models.gaussian(), Float64Array.from(gx), Float64Array.from(gy), { p0: 'auto' });
    expect(auto.popt).toEqual(libAuto.popt);

    const tied = await fitJson([file, '--model', expr, '--x', 'x', '--y', 'y', '--param', 'A=1', '--param', 'mu=5', '--param', 's=1', '--param', 'c=s/5']);
    expect(tied.params['c']!.kind).toBe('tied');
    expect(tied.params['c']!.value).toBeCloseTo(tied.params['s']!.value / 5, 12);
  });

  it('prints text, CSV and Markdown and writes --out by its extension', async () => {
    const out = tmp.dir + '/result.json';
    const base = [csv, '--model', EXPR, '--x', 'time', '--y', 'signal', '--p0', '1,1,0'];
    const [text, csvOut, md] = await Promise.all([
      runNlsq(['fit', ...base, '--out', out]),
      runNlsq(['fit', ...base, '--format', 'csv']),
      runNlsq(['fit', ...base, '--format', 'markdown']),
    ]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/success/);
    expect(text.stdout).toMatch(/95% confidence intervals:\n\s+a\s+\[/);
    expect(text.stdout).toMatch(/plan: .*standard/);
    const json = JSON.parse(readFileSync(out, 'utf8')) as JsonReport;
    const lines = csvOut.stdout.trim().split('\n');
    expect(lines[0]).toBe('name,value,stderr,ci95_lower,ci95_upper,kind');
    expect(lines.slice(1).map((l) => Number(l.split(',')[1]))).toEqual(json.popt);
    expect(md.stdout).toMatch(/^## Fit of `a\*exp\(-b\*time\)\+c`/);
    expect(md.stdout).toMatch(/\| parameter \| value \| std\. error \| 95% CI \|/);
  });

  it('exits 1 with the reason when the fit does not converge', async () => {
    const run = await runNlsq(['fit', csv, '--model', EXPR, '--x', 'time', '--y', 'signal', '--p0', '1,1,0', '--method', 'trf', '--max-nfev', '2', '--format', 'json']);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as JsonReport & { status: string };
    expect(report.success).toBe(false);
    expect(report.status).toBe('max-nfev');
    expect(run.stderr).toMatch(/^nlsq fit: the fit did not converge \(max-nfev\)/);
  });

  it('exits 2 with one line naming the flag, or the file and line', async () => {
    const bad = tmp.write('bad.csv', 'time,signal\n0,1\n0.1,0.9\n0.2,oops\n');
    const cases: [string[], RegExp][] = [
      [['fit', csv, '--x', 'time', '--y', 'signal'], /required option '-m, --model/],
      [['fit', csv, '--model', EXPR, '--x', 'time', '--y', 'sgnal'], /--y names column "sgnal", which is not in the header/],
      [['fit', csv, '--model', EXPR, '--x', 'time', '--y', 'signal', '--p0', '1,2'], /--p0 must have 3 values \(a, b, c\)/],
      [['fit', csv, '--model', EXPR, '--x', 'time', '--y', 'signal', '--param', 'b=1:5..0'], /--param "b=1:5\.\.0"/],
      [['fit', csv, '--model', EXPR, '--x', 'time', '--y', 'signal', '--loss', 'l2'], /--loss must be one of/],
      [['fit', csv, '--model', 'gausian', '--x', 'time', '--y', 'signal'], /--model gausian is not a library model/],
      [['fit', csv, '--model', EXPR, '--x', 'time', '--y', 'signal', '--plot', 'fit.pdf'], /--plot must name a \.svg or \.png file/],
      [['fit', csv, '--model', EXPR, '--x', 'time', '--y', 'signal', '--workflow', 'standard', '--checkpoint', 'c.json'], /--checkpoint needs the streaming workflow/],
      [['fit', bad, '--model', 'a*exp(-b*time)', '--x', 'time', '--y', 'signal'], /bad\.csv: line 4, column "signal": cannot read "oops" as a number/],
      [['fit', tmp.dir + '/missing.csv', '--model', 'linear', '--x', '1', '--y', '2'], /missing\.csv: no such file/],
      [['fit', tmp.write('data.xyz', '1 2\n'), '--model', 'linear', '--x', '1', '--y', '2'], /no reader for "\.xyz" files/],
      [['fit', csv, '--model', EXPR, '--bogus'], /unknown option '--bogus'/],
    ];
    const runs = await Promise.all(cases.map(([args]) => runNlsq(args)));
    runs.forEach((run, i) => {
      expect(run.code, cases[i]![0].join(' ')).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(cases[i]![1]);
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    });
  });
});
