/**
 * `nlsq fit` on Parquet, Arrow IPC (file and stream) and HDF5 files written by the test with
 * hyparquet-writer, apache-arrow and h5wasm: the numbers equal `fit()` on the same columns (the CSV
 * of the same data gives them too), in memory and streamed; HDF5 datasets by absolute path and
 * under `--h5-group`; and the errors (a missing column, a missing dataset, `--h5-group` on a CSV
 * file, a group that is not absolute) as one line with exit 2; and the readers load lazily: no
 * static import of the command reaches the columnar sources or their packages.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { RecordBatch, Table, makeVector, tableToIPC } from 'apache-arrow';
import ts from 'typescript';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetPath } from '../../src/cli/columnar-readers.ts';
import { fit } from '../../src/fit.ts';
import { model } from '../../src/model/model.ts';
import { ROOT, csvText, decayData, runNlsq, tempFolder } from '../support/cli.ts';

const tmp = tempFolder('nlsq-cli-columnar-');
afterAll(() => tmp.remove());

const N = 3000;
const { t, y, err } = decayData(N);
const T = Float64Array.from(t);
const Y = Float64Array.from(y);
const E = Float64Array.from(err);
const EXPR = 'a*exp(-b*t)+c';
const files = { parquet: '', arrow: '', arrows: '', h5: '', csv: '' };
/** Each case starts several CLI subprocesses (tsx compiles the sources in each): slow on a loaded machine. */
const SUBPROCESS_TIMEOUT_MS = 180_000;

beforeAll(async () => {
  files.parquet = tmp.write(
    'decay.parquet',
    new Uint8Array(parquetWriteBuffer({ columnData: [{ name: 't', data: T, type: 'DOUBLE' }, { name: 's', data: Y, type: 'DOUBLE' }, { name: 'e', data: E, type: 'DOUBLE' }] as never, rowGroupSize: 1000 })),
  );
  const batches: RecordBatch[] = [];
  for (let s = 0; s < N; s += 700) {
    const cols = { t: T.slice(s, s + 700), s: Y.slice(s, s + 700), e: E.slice(s, s + 700) };
    batches.push(new RecordBatch(Object.fromEntries(Object.entries(cols).map(([k, v]) => [k, makeVector(v).data[0]!]))));
  }
  const table = new Table(batches);
  files.arrow = tmp.write('decay.arrow', tableToIPC(table, 'file'));
  files.arrows = tmp.write('decay.arrows', tableToIPC(table, 'stream'));
  const h5 = await import('h5wasm/node');
  await h5.ready;
  files.h5 = `${tmp.dir}/decay.h5`;
  const f = new h5.File(files.h5, 'w');
  const g = f.create_group('grp');
  g.create_dataset({ name: 't', data: T, chunks: [500], compression: 'gzip' });
  g.create_dataset({ name: 's', data: Y });
  g.create_dataset({ name: 'e', data: E });
  f.close();
  files.csv = tmp.write('decay.csv', csvText(['t', 's', 'e'], [t, y, err]));
});

interface JsonReport {
  popt: number[];
  perr: number[];
  statistics: { n: number };
}

async function fitJson(file: string, args: readonly string[]): Promise<JsonReport> {
  const run = await runNlsq(['fit', file, '--model', EXPR, '--p0', '1,1,0', '--memory', '8', '--format', 'json', ...args]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as JsonReport;
}

describe('nlsq fit on columnar files', () => {
  it('reads Parquet, Arrow file, Arrow stream and HDF5 to the numbers of fit() on the same columns', { timeout: SUBPROCESS_TIMEOUT_MS }, async () => {
    const lib = await fit(model(EXPR, { variables: ['t'] }), T, Y, { p0: [1, 1, 0], sigma: E, memoryLimitGb: 8 });
    const cols = ['--x', 't', '--y', 's', '--sigma', 'e'];
    const runs = await Promise.all([
      fitJson(files.parquet, cols),
      fitJson(files.arrow, cols),
      fitJson(files.arrows, cols),
      fitJson(files.h5, ['--x', '/grp/t', '--y', '/grp/s', '--sigma', '/grp/e']),
      fitJson(files.h5, ['--h5-group', '/grp', ...cols]),
      fitJson(files.csv, cols),
    ]);
    for (const r of runs) {
      expect(r.statistics.n).toBe(N);
      expect(r.popt).toEqual(lib.popt);
      expect(r.perr).toEqual(lib.perr);
    }
  });

  it('streams a Parquet and an HDF5 file pass by pass to the in-memory answer', { timeout: SUBPROCESS_TIMEOUT_MS }, async () => {
    const lib = await fit(model(EXPR, { variables: ['t'] }), T, Y, { p0: [1, 1, 0], memoryLimitGb: 8 });
    const [pq, h5] = await Promise.all([
      fitJson(files.parquet, ['--x', 't', '--y', 's', '--workflow', 'streaming']),
      fitJson(files.h5, ['--x', '/grp/t', '--y', '/grp/s', '--workflow', 'streaming']),
    ]);
    for (const r of [pq, h5]) expect(r.popt).toBeAllclose(lib.popt, { rtol: 1e-6 });
  });

  it('exits 2 with one line for a missing column or dataset, --h5-group on a CSV file, a relative group, no --y', { timeout: SUBPROCESS_TIMEOUT_MS }, async () => {
    const base = ['--model', 'a*exp(-b*x)+c', '--p0', '1,1,0'];
    const [col, set, csvGroup, relative, noY] = await Promise.all([
      runNlsq(['fit', files.parquet, ...base, '--x', 'time', '--y', 's']),
      runNlsq(['fit', files.h5, ...base, '--x', '/grp/t', '--y', '/grp/nope']),
      runNlsq(['fit', files.csv, ...base, '--x', 't', '--y', 's', '--h5-group', '/grp']),
      runNlsq(['fit', files.h5, ...base, '--x', 't', '--y', 's', '--h5-group', 'grp']),
      runNlsq(['fit', files.arrow, ...base, '--x', 't']),
    ]);
    expect([col.code, set.code, csvGroup.code, relative.code, noY.code]).toEqual([2, 2, 2, 2, 2]);
    for (const r of [col, set, csvGroup, relative, noY]) expect(r.stderr.split('\n').filter((l) => l.length > 0)).toHaveLength(1);
    expect(col.stderr).toMatch(/^nlsq fit .*decay\.parquet: .*"time"/);
    expect(set.stderr).toMatch(/^nlsq fit .*decay\.h5: .*"\/grp\/nope"/);
    expect(csvGroup.stderr).toBe(`nlsq fit: --h5-group applies to HDF5 files (.h5, .hdf5, .he5), got ${files.csv}\n`);
    expect(relative.stderr).toBe('nlsq fit: --h5-group must be an absolute group path such as /grp, got "grp"\n');
    expect(noY.stderr).toBe(`nlsq fit: --y is required for ${files.arrow}: the column of the observations\n`);
  });
});

describe('datasetPath', () => {
  it('keeps absolute paths, puts relative ones under the group (or the root)', () => {
    expect(datasetPath(undefined, 't', 'c')).toBe('/t');
    expect(datasetPath('/grp', 't', 'c')).toBe('/grp/t');
    expect(datasetPath('/grp/', 'sub/t', 'c')).toBe('/grp/sub/t');
    expect(datasetPath('/grp', '/other/t', 'c')).toBe('/other/t');
    expect(() => datasetPath('grp', 't', 'c')).toThrow('c: --h5-group must be an absolute group path such as /grp, got "grp"');
  });
});

describe('lazy loading', () => {
  /** The files reached from `entry` by static imports (dynamic `import()` not followed), and the bare packages they name. */
  function staticClosure(entry: string): { files: Set<string>; packages: Set<string> } {
    const files = new Set([entry]);
    const packages = new Set<string>();
    const queue = [entry];
    while (queue.length > 0) {
      const file = queue.pop()!;
      const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
      for (const node of source.statements) {
        if (!(ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) || node.moduleSpecifier === undefined || !ts.isStringLiteral(node.moduleSpecifier)) continue;
        const typeOnly = ts.isImportDeclaration(node) ? node.importClause?.isTypeOnly === true : node.isTypeOnly;
        if (typeOnly) continue;
        const spec = node.moduleSpecifier.text;
        if (!spec.startsWith('.')) {
          packages.add(spec);
          continue;
        }
        const target = resolve(dirname(file), spec);
        if (!files.has(target)) {
          files.add(target);
          queue.push(target);
        }
      }
    }
    return { files, packages };
  }

  it('reaches neither the columnar sources nor hyparquet, apache-arrow or h5wasm from the nlsq command by static imports', () => {
    const { files, packages } = staticClosure(join(ROOT, 'src', 'cli', 'main.ts'));
    const reached = [...files].map((f) => relative(join(ROOT, 'src'), f));
    expect(reached).toContain('cli/columnar-readers.ts');
    expect(reached.filter((f) => /^(node\/|sources\/(parquet|arrow|hdf5)-source)/.test(f))).toEqual([]);
    expect([...packages].filter((p) => /hyparquet|apache-arrow|h5wasm/.test(p))).toEqual([]);
  });
});
