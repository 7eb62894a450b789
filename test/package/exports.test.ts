import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, ensureDist } from './dist-build.ts';

const skipReason = ensureDist();

interface PackageJson {
  name: string;
  type?: string;
  main?: string;
  types?: string;
  files?: string[];
  exports: Record<string, string | Record<string, string>>;
}
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as PackageJson;

/** The public names the README and the smoke suites rely on. */
const PUBLIC_API = ['curveFit', 'curveFitSync', 'leastSquares', 'leastSquaresSync', 'model', 'models', 'fit', 'listBackends', 'createCpuBackend', 'createWasmBackend', 'createWebGPUBackend'];

/** Import a specifier the way a consumer's Node process would, from the package root; returns its export names. */
function consumerExports(specifier: string): string[] {
  const script = `import(${JSON.stringify(specifier)}).then((m) => process.stdout.write(JSON.stringify(Object.keys(m))))`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  return JSON.parse(out) as string[];
}

function target(entry: string | Record<string, string> | undefined, condition: string): string | undefined {
  return typeof entry === 'string' ? entry : entry?.[condition];
}

describe('package.json', () => {
  it('is an ES module package whose main entry is the built index', () => {
    expect(pkg.type).toBe('module');
    expect(target(pkg.exports['.'], 'default')).toBe('./dist/index.js');
    expect(target(pkg.exports['.'], 'types')).toBe('./dist/index.d.ts');
    expect(pkg.files).toContain('dist');
  });

  it('exports nlsq/node when src/node/index.ts exists, pointing at its built file', () => {
    if (!existsSync(join(ROOT, 'src', 'node', 'index.ts'))) return;
    expect(target(pkg.exports['./node'], 'default')).toBe('./dist/node/index.js');
    expect(target(pkg.exports['./node'], 'types')).toBe('./dist/node/index.d.ts');
  });
});

describe.skipIf(skipReason !== null)(`the built package${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  it('has a file behind every path in the exports map', () => {
    const missing: string[] = [];
    for (const [subpath, entry] of Object.entries(pkg.exports)) {
      const paths = typeof entry === 'string' ? [entry] : Object.values(entry);
      for (const p of paths) if (!existsSync(join(ROOT, p))) missing.push(`${subpath} → ${p}`);
    }
    expect(missing).toEqual([]);
  });

  it('gives a consumer importing the package by name the public API', () => {
    const names = consumerExports(pkg.name);
    expect(PUBLIC_API.filter((n) => !names.includes(n))).toEqual([]);
  });

  it('gives a consumer of nlsq/node its file readers without touching the core entry', (ctx) => {
    if (pkg.exports['./node'] === undefined) ctx.skip();
    const names = consumerExports(`${pkg.name}/node`);
    expect(['csvFileSource', 'float64FileSource', 'parquetFileSource', 'arrowFileSource', 'hdf5FileSource'].filter((n) => !names.includes(n))).toEqual([]);
  });

  it('gives the isomorphic Blob sources from the core entry (their readers load only when read)', () => {
    const names = consumerExports(pkg.name);
    expect(['blobSource', 'parquetSource', 'arrowSource', 'hdf5Source'].filter((n) => !names.includes(n))).toEqual([]);
  });

  it('type-checks a consumer project against the declarations (strict, skipLibCheck off, lib ES2022 + DOM)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nlsq-consumer-'));
    try {
      mkdirSync(join(dir, 'node_modules'));
      symlinkSync(ROOT, join(dir, 'node_modules', pkg.name), 'dir');
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module' }));
      const compilerOptions = { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, lib: ['ES2022', 'DOM'], types: [] };
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['main.ts'] }));
      writeFileSync(join(dir, 'main.ts'), [
        `import { curveFit, curveFitSync, createWasmBackend, createWebGPUBackend, fit, leastSquaresSync, model, models, type CurveFitResult } from '${pkg.name}';`,
        'const x = [0, 1, 2, 3], y = [1, 0.5, 0.25, 0.125];',
        'const wasm = await createWasmBackend({ simd: true });',
        "const r: CurveFitResult = curveFitSync(model('a*exp(-b*x)'), x, y, { p0: [1, 1], backend: wasm });",
        'const s = await curveFit((t: number, a: number, b: number) => a * Math.exp(-b * t), x, y, { bounds: [[0, 0], [10, 10]] });',
        'const l = leastSquaresSync((p) => [p[0]! - 1], [0]);',
        "const w = await fit(models.gaussian(), x, y, { p0: 'auto', workflow: 'auto' });",
        'const gpu: Promise<unknown> = createWebGPUBackend({ allowSoftware: false });',
        'export const out = [r.popt, s.perr, l.x, w.strategy, gpu];',
      ].join('\n'));
      const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
      let output = '';
      try {
        execFileSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8', stdio: 'pipe' });
      } catch (e) {
        output = String((e as { stdout?: string }).stdout ?? e);
      }
      expect(output).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ships a declaration file for every public name', () => {
    const dts = readFileSync(join(ROOT, 'dist', 'index.d.ts'), 'utf8');
    expect(PUBLIC_API.filter((n) => !new RegExp(`\\b${n}\\b`).test(dts))).toEqual([]);
  });
});
