/**
 * The package as npm publishes it: a copy of the tracked files (what a fresh clone has — no
 * `dist/`) is packed with `npm pack`, whose `prepack` script must build `dist/`; the tarball is
 * installed into a scratch project with `npm install --offline` (its runtime dependencies linked
 * from this checkout's node_modules), and a consumer's Node process imports it by name and runs
 * a fit.
 *
 * Working on a copy leaves this checkout's `dist/` and sources alone while other test files use
 * them. Skipped, with the reason, only where npm or git cannot be run.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './dist-build.ts';

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(cmd: string, args: readonly string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });
}

function unavailable(): string | null {
  for (const [cmd, args] of [[NPM, ['--version']], ['git', ['--version']]] as const) {
    try {
      run(cmd, args, ROOT);
    } catch (e) {
      return `${cmd} cannot be run here (${(e as Error).message.split('\n')[0]})`;
    }
  }
  return null;
}

const skipReason = unavailable();
const work = mkdtempSync(join(tmpdir(), 'nlsq-pack-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface PackEntry {
  readonly filename: string;
  readonly files: readonly { readonly path: string }[];
}

describe.skipIf(skipReason !== null)(`npm pack${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  it('builds dist/ in prepack on a fresh checkout, and the tarball installs and runs a fit by its name', () => {
    // A fresh checkout: the tracked files only, with this checkout's node_modules for the build tools.
    const clone = join(work, 'clone');
    for (const file of run('git', ['ls-files', '-z'], ROOT).split('\0').filter((f) => f !== '')) {
      mkdirSync(join(clone, dirname(file)), { recursive: true });
      cpSync(join(ROOT, file), join(clone, file));
    }
    symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'), 'dir');
    const pkg = JSON.parse(readFileSync(join(clone, 'package.json'), 'utf8')) as { name: string; scripts: Record<string, string>; dependencies: Record<string, string> };
    expect(pkg.scripts['prepack']).toBe('npm run build');

    const output = run(NPM, ['pack', '--json', '--pack-destination', work], clone);
    const packed = JSON.parse(output.slice(output.search(/^\[$/m))) as PackEntry[]; // after the build's own lines
    const files = packed[0]!.files.map((f) => f.path);
    for (const f of ['dist/index.js', 'dist/index.d.ts', 'dist/node/index.js', 'dist/node/index.d.ts', 'package.json']) expect(files).toContain(f);
    expect(files.filter((f) => !/^(dist|src)\/|^(package\.json|README\.md|LICENSE.*)$/.test(f))).toEqual([]);

    // The runtime dependencies, linked from this checkout: offline, npm finds them installed (the
    // npm cache after `npm ci` holds their tarballs but not the registry metadata a range needs).
    const consumer = join(work, 'consumer');
    mkdirSync(join(consumer, 'node_modules'), { recursive: true });
    for (const dep of Object.keys(pkg.dependencies)) symlinkSync(join(ROOT, 'node_modules', dep), join(consumer, 'node_modules', dep), 'dir');
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    run(NPM, ['install', '--offline', '--no-audit', '--no-fund', '--omit=optional', '--ignore-scripts', join(work, packed[0]!.filename)], consumer);
    writeFileSync(
      join(consumer, 'main.js'),
      [
        `import { curveFit, model } from '${pkg.name}';`,
        `import { csvFileSource } from '${pkg.name}/node';`,
        'const x = [0, 1, 2, 3, 4, 5, 6, 7];',
        'const r = await curveFit(model("a*x + b"), x, x.map((v) => 2 * v + 1));',
        'console.log(JSON.stringify({ popt: Array.from(r.popt), success: r.success, node: typeof csvFileSource }));',
      ].join('\n'),
    );
    const out = JSON.parse(run(process.execPath, ['main.js'], consumer)) as { popt: number[]; success: boolean; node: string };
    expect(out.success).toBe(true);
    expect(out.popt[0]).toBeCloseTo(2, 10);
    expect(out.popt[1]).toBeCloseTo(1, 10);
    expect(out.node).toBe('function');
  }, 240_000);
});
