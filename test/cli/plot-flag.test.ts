/**
 * `nlsq fit --plot FILE`: the fit figure of `nlsq/plot` written as SVG or PNG next to the report.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { csvText, decayData, runNlsq, tempFolder } from '../support/cli.ts';

const tmp = tempFolder('nlsq-cli-plot-');
afterAll(() => tmp.remove());
const { t, y, err } = decayData(60);
const csv = tmp.write('decay.csv', csvText(['time', 'signal', 'err'], [t, y, err]));
const base = ['fit', csv, '--model', 'a*exp(-b*time)+c', '--x', 'time', '--y', 'signal', '--sigma', 'err', '--p0', '1,1,0', '--quiet'];

describe('nlsq fit --plot', () => {
  it('writes the fit figure as SVG: data, curve, band and the axis titles from the columns', async () => {
    const file = join(tmp.dir, 'fit.svg');
    const run = await runNlsq([...base, '--plot', file]);
    expect(run.code).toBe(0);
    const svg = readFileSync(file, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('time');
    expect(svg).toMatch(/<path[^>]*aria-roledescription="line mark"/);
    expect(svg).toMatch(/aria-roledescription="area mark"/);
  }, 60_000);

  it('writes PNG by the extension', async () => {
    const file = join(tmp.dir, 'fit.png');
    const run = await runNlsq([...base, '--plot', file]);
    expect(run.code).toBe(0);
    expect(Array.from(readFileSync(file).subarray(0, 8))).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
  }, 60_000);
});
