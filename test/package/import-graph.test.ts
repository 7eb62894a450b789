import { builtinModules } from 'node:module';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DIST_ENTRY, ROOT, ensureDist } from './dist-build.ts';
import { packageName, walkImportGraph } from './import-graph.ts';
import { LAYERS, findCycles, layerOf, layerViolations, sourceEdges, unitOf } from './source-graph.ts';
import type { ImportGraph } from './import-graph.ts';

const skipReason = ensureDist();
const NODE_ONLY = new Set(builtinModules.map((m) => m.replace(/^node:/, '')));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
};
/** Optional peer dependencies (the Parquet/Arrow/HDF5 readers): loaded only by dynamic import, by the sources that need them. */
const optionalPeers = new Set(Object.entries(pkg.peerDependenciesMeta ?? {}).filter(([, m]) => m.optional === true).map(([name]) => name));

function isNodeBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || NODE_ONLY.has(specifier) || NODE_ONLY.has(packageName(specifier));
}

describe('the import-graph walker', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nlsq-graph-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string): string => {
    const file = join(dir, name);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, text);
    return file;
  };

  it('follows static, re-export and dynamic imports and records bare ones', () => {
    write('b.js', "export * from './sub/c.js';\nimport 'ml-matrix';\n");
    write('sub/c.js', "export const c = () => import('node:fs');\n");
    const entry = write('a.js', "import { x } from './b.js';\n// import 'os' in a comment is ignored\nconst s = \"import('path')\";\n");
    const graph = walkImportGraph(entry);
    expect(graph.files.map((f) => relative(dir, f))).toEqual(['a.js', 'b.js', join('sub', 'c.js')]);
    expect(graph.imports.map((i) => `${i.kind}:${i.specifier}`)).toEqual([
      'static:./b.js',
      'static:./sub/c.js',
      'static:ml-matrix',
      'dynamic:node:fs',
    ]);
  });

  it('finds top-level await but not await inside functions', () => {
    const entry = write(
      'tla.js',
      'async function f() { await 1; for await (const x of []) {} }\nconst g = async () => await 2;\nawait f();\nclass K { async m() { await 3; } }\n',
    );
    const graph = walkImportGraph(entry);
    expect(graph.topLevelAwaits.map((s) => s.replace(/^.*:/, ''))).toEqual(['3']);
  });

  it('reports relative imports that do not exist', () => {
    const entry = write('broken.js', "import './missing.js';\n");
    expect(walkImportGraph(entry).unresolved.map((u) => u.specifier)).toEqual(['./missing.js']);
  });
});

describe.skipIf(skipReason !== null)(`the built package's import graph${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  const g: ImportGraph =
    skipReason === null
      ? walkImportGraph(DIST_ENTRY)
      : { files: [], imports: [], topLevelAwaits: [], unresolved: [], opaqueDynamicImports: [] };
  const where = (site: { file: string; line: number; specifier: string }): string =>
    `${relative(ROOT, site.file)}:${site.line} imports ${site.specifier}`;

  it('reaches the core modules from dist/index.js', () => {
    expect(g.files.length).toBeGreaterThan(5);
    expect(g.unresolved.map(where)).toEqual([]);
  });

  it('never imports Node built-in modules (node:* or bare fs, os, path, …) from anything reachable', () => {
    expect(g.imports.filter((s) => isNodeBuiltin(s.specifier)).map(where)).toEqual([]);
  });

  it('uses no top-level await in any reachable module', () => {
    expect(g.topLevelAwaits.map((s) => relative(ROOT, s))).toEqual([]);
  });

  it('imports only packages listed as runtime dependencies, and optional peers only dynamically', () => {
    const allowed = new Set(Object.keys(pkg.dependencies ?? {}));
    const bare = g.imports.filter((s) => !s.specifier.startsWith('.') && !isNodeBuiltin(s.specifier));
    const listed = (s: (typeof bare)[number]): boolean => allowed.has(packageName(s.specifier)) || (s.kind === 'dynamic' && optionalPeers.has(packageName(s.specifier)));
    expect(bare.filter((s) => !listed(s)).map(where)).toEqual([]);
    expect(bare.filter((s) => s.kind === 'dynamic' && optionalPeers.has(packageName(s.specifier))).map((s) => s.specifier).sort()).toEqual(['apache-arrow', 'h5wasm', 'hyparquet', 'hyparquet-compressors']);
  });

  it('loads the wasm bytes, the WGSL shaders and the heavy backends lazily: none is reachable by static imports', () => {
    const heavy = /(\.wgsl\.js|wasm-bytes\.generated\.js|\/wasm\/wasm-backend\.js|\/webgpu\/webgpu-backend\.js)$/;
    const eager = new Set([DIST_ENTRY]);
    const queue = [DIST_ENTRY];
    const via = new Map<string, string>();
    while (queue.length > 0) {
      const file = queue.pop() as string;
      for (const s of g.imports) {
        if (s.file !== file || s.kind !== 'static' || !s.specifier.startsWith('.')) continue;
        const target = resolve(dirname(file), s.specifier);
        if (eager.has(target)) continue;
        eager.add(target);
        via.set(target, where(s));
        queue.push(target);
      }
    }
    const chain = (file: string): string => {
      const steps: string[] = [];
      for (let f: string | undefined = file; f !== undefined && via.has(f); f = resolve(ROOT, (via.get(f) as string).split(':')[0] as string)) {
        steps.unshift(via.get(f) as string);
        if (steps.length > 20) break;
      }
      return steps.join(' → ');
    };
    expect([...eager].filter((f) => heavy.test(f)).map(chain)).toEqual([]);
  });

  it('has no dynamic import that a bundler cannot follow, except the one that must not be followed', () => {
    // workerpool is loaded by a specifier held in a variable (parallel/worker-pool.ts): its browser
    // build names worker_threads, os and child_process, which esbuild and webpack refuse to bundle
    // for a browser, so a literal import would break every browser bundle of nlsq.
    const deliberate = /^dist\/parallel\/worker-pool\.js:\d+$/;
    expect(g.opaqueDynamicImports.map((s) => relative(ROOT, s)).filter((s) => !deliberate.test(s))).toEqual([]);
    expect(g.opaqueDynamicImports.filter((s) => deliberate.test(relative(ROOT, s)))).toHaveLength(1);
  });
});

describe('the layers of src/ (docs/architecture.md)', () => {
  const SRC = join(ROOT, 'src');
  const edges = sourceEdges(SRC);

  it('reads the relative imports of every source file, type-only imports included', () => {
    expect(edges.length).toBeGreaterThan(100);
    expect(edges.some((e) => e.from === 'index.ts' && e.to === 'curve-fit.ts')).toBe(true);
  });

  it('has no import cycle in src/', () => {
    expect(findCycles(edges).map((c) => c.join(' → '))).toEqual([]);
  });

  it('imports only downward: every cross-folder import respects the layer list', () => {
    expect(layerViolations(edges)).toEqual([]);
  });

  it('names every folder of src/ in exactly one layer', () => {
    const units = new Set(edges.flatMap((e) => [unitOf(e.from), unitOf(e.to)]));
    expect([...units].filter((u) => layerOf(u) < 0)).toEqual([]);
    const listed = LAYERS.flat();
    expect(new Set(listed).size).toBe(listed.length);
  });

  it('flags an upward import, a sibling import and a cycle (the checks can fail)', () => {
    expect(layerViolations([{ from: 'optim/trf.ts', to: 'backends/backend.ts', line: 1 }])).toEqual([
      'optim/trf.ts:1 → backends/backend.ts (siblings optim and backends)',
    ]);
    expect(layerViolations([{ from: 'model/ir.ts', to: 'run/solve.ts', line: 2 }])[0]).toContain('imports upward');
    expect(findCycles([{ from: 'a.ts', to: 'b.ts', line: 1 }, { from: 'b.ts', to: 'a.ts', line: 1 }])).toEqual([['a.ts', 'b.ts', 'a.ts']]);
  });
});
