/**
 * `nlsq/plot` is an optional subpath: the core entry never reaches it or its rendering packages
 * (vega, vega-lite, @resvg/resvg-js) — neither in the built import graph nor in a browser bundle
 * (`scripts/bundle-size.mjs`) — and the subpath itself loads those packages only by dynamic
 * import, from optional peer dependencies, with no Node built-in (its specs are for browsers too).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { builtinModules } from 'node:module';
import { join, relative, sep } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DIST_ENTRY, ROOT, ensureDist } from './dist-build.ts';
import { packageName, walkImportGraph } from './import-graph.ts';

const skipReason = ensureDist();
const RENDERERS = ['vega', 'vega-lite', '@resvg/resvg-js'];
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  exports: Record<string, Record<string, string>>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
};

interface SizeReport {
  readonly excluded: string[];
}
function bundleSize(args: readonly string[]): { report: SizeReport; status: number | null } {
  const run = spawnSync(process.execPath, [join(ROOT, 'scripts', 'bundle-size.mjs'), ...args, '--json'], { cwd: ROOT, encoding: 'utf8' });
  return { report: JSON.parse(run.stdout) as SizeReport, status: run.status };
}

describe('package.json declares nlsq/plot', () => {
  it('exports ./plot from dist/plot and lists the renderers as optional peer dependencies, not dependencies', () => {
    expect(pkg.exports['./plot']).toEqual({ types: './dist/plot/index.d.ts', default: './dist/plot/index.js' });
    for (const name of RENDERERS) {
      expect(pkg.dependencies).not.toHaveProperty(name);
      expect(pkg.peerDependencies?.[name]).toBe(pkg.devDependencies[name]);
      expect(pkg.peerDependenciesMeta?.[name]?.optional).toBe(true);
    }
  });
});

describe('the core bundle (scripts/bundle-size.mjs)', () => {
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  const dir = mkdtempSync(join(ROOT, '.tmp', 'plot-bundle-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('holds nothing of nlsq/plot or its renderers, in any chunk', () => {
    const { report, status } = bundleSize([]);
    expect(report.excluded).toEqual([]);
    expect(status).toBe(0);
  });

  it('fails, listing them, for an entry that reaches nlsq/plot (the check can fail)', () => {
    const entry = join(dir, 'entry.ts');
    // The figure code and a lazily loaded renderer (the whole subpath cannot be bundled for a
    // browser: resvg is a Node addon).
    const plotFit = relative(dir, join(ROOT, 'src', 'plot', 'plot-fit.ts')).split(sep).join('/');
    writeFileSync(entry, `export { plotFit } from './${plotFit}';\nexport const load = () => import('vega-lite');\n`);
    const { report, status } = bundleSize([entry, '--check-excluded']);
    expect(report.excluded).toEqual(expect.arrayContaining([expect.stringMatching(/src\/plot\/plot-fit\.ts$/), expect.stringMatching(/node_modules\/vega-lite\//)]));
    expect(status).toBe(1);
  }, 60_000);
});

describe.skipIf(skipReason !== null)(`the built package${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  const PLOT_ENTRY = join(ROOT, 'dist', 'plot', 'index.js');

  it('reaches no file of dist/plot and no renderer from dist/index.js, statically or dynamically', () => {
    const core = walkImportGraph(DIST_ENTRY);
    expect(core.files.filter((f) => f.includes(`${sep}dist${sep}plot${sep}`))).toEqual([]);
    expect(core.imports.filter((s) => RENDERERS.includes(packageName(s.specifier))).map((s) => `${s.file}:${s.line} ${s.specifier}`)).toEqual([]);
  });

  it('imports the renderers from dist/plot only dynamically, other packages only from dependencies, and no Node built-in', () => {
    const plot = walkImportGraph(PLOT_ENTRY);
    expect(plot.unresolved).toEqual([]);
    const bare = plot.imports.filter((s) => !s.specifier.startsWith('.'));
    const renderers = bare.filter((s) => RENDERERS.includes(packageName(s.specifier)));
    expect(new Set(renderers.map((s) => packageName(s.specifier)))).toEqual(new Set(RENDERERS));
    expect(renderers.filter((s) => s.kind !== 'dynamic').map((s) => `${s.file}:${s.line} ${s.specifier}`)).toEqual([]);
    const builtins = new Set(builtinModules);
    expect(bare.filter((s) => s.specifier.startsWith('node:') || builtins.has(s.specifier)).map((s) => s.specifier)).toEqual([]);
    expect(bare.filter((s) => !RENDERERS.includes(packageName(s.specifier)) && !(packageName(s.specifier) in pkg.dependencies)).map((s) => s.specifier)).toEqual([]);
  });

  it('type-checks a consumer of nlsq/plot (strict, skipLibCheck off), with declarations that name no renderer type', () => {
    for (const file of ['index', 'render', 'spec', 'plot-fit']) expect(readFileSync(join(ROOT, 'dist', 'plot', `${file}.d.ts`), 'utf8')).not.toMatch(/from ['"](vega|vega-lite|@resvg\/resvg-js)['"]/);
    const dir = mkdtempSync(join(tmpdir(), 'nlsq-plot-consumer-'));
    try {
      mkdirSync(join(dir, 'node_modules'));
      symlinkSync(ROOT, join(dir, 'node_modules', pkg.name), 'dir');
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module' }));
      const compilerOptions = { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, lib: ['ES2022', 'DOM'], types: [] };
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['main.ts'] }));
      writeFileSync(join(dir, 'main.ts'), [
        `import { curveFit, model } from '${pkg.name}';`,
        `import { plotFit, plotConvergence, toSVG, toPNG, type VegaLiteSpec } from '${pkg.name}/plot';`,
        'const x = [0, 1, 2, 3], y = [1, 0.5, 0.25, 0.125];',
        "const r = await curveFit(model('a*exp(-b*x)'), x, y, { p0: [1, 1] });",
        "const spec: VegaLiteSpec = plotFit(r, { x, y, labels: { x: 'time' } });",
        'export const out: [Promise<string>, Promise<Uint8Array>, VegaLiteSpec] = [toSVG(spec), toPNG(spec, { scale: 1 }), plotConvergence(r)];',
      ].join('\n'));
      let output = '';
      try {
        execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { encoding: 'utf8', stdio: 'pipe' });
      } catch (e) {
        output = String((e as { stdout?: string }).stdout ?? e);
      }
      expect(output).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('gives a consumer importing nlsq/plot by name the figure and render functions', () => {
    const script = `import(${JSON.stringify(`${pkg.name}/plot`)}).then((m) => process.stdout.write(JSON.stringify(Object.keys(m).sort())))`;
    const names = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' })) as string[];
    expect(names).toEqual(expect.arrayContaining(['plotFit', 'plotResiduals', 'plotConvergence', 'plotCorrelation', 'plotStrategies', 'toSVG', 'toPNG']));
  });
});
