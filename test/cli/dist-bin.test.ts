/**
 * The built `nlsq` executable (package.json `bin` → `dist/cli/main.js`), when `dist/` has been
 * built (CI builds before testing): a shebang, and the same answer as the command run from the
 * sources.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, csvText, decayData, runNlsq, runNode, tempFolder } from '../support/cli.ts';

const BIN = join(ROOT, 'dist', 'cli', 'main.js');
const built = existsSync(BIN);
const tmp = tempFolder('nlsq-cli-dist-');
afterAll(() => tmp.remove());

describe.skipIf(!built)(`the built bin${built ? '' : ' (skipped: dist/cli/main.js is not built)'}`, () => {
  it('is the package.json bin, starts with a shebang and fits as the sources do', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(pkg.bin).toEqual({ nlsq: './dist/cli/main.js' });
    expect(readFileSync(BIN, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    const { t, y } = decayData(100);
    const file = tmp.write('d.csv', csvText(['t', 'y'], [t, y]));
    const args = ['fit', file, '--model', 'a*exp(-b*t)+c', '--x', 't', '--y', 'y', '--p0', '1,1,0', '--format', 'json'];
    const [dist, src, usage] = await Promise.all([runNode([BIN, ...args]), runNlsq(args), runNode([BIN, 'fit', file])]);
    expect(dist.code).toBe(0);
    expect(JSON.parse(dist.stdout).popt).toEqual(JSON.parse(src.stdout).popt);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^nlsq fit: required option/);
  });
});
