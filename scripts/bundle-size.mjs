/**
 * Bundle size of the package as a browser app ships it: esbuild bundles `src/index.ts` (with its
 * runtime dependencies) minified, with code splitting so the lazily imported backends (wasm,
 * WebGPU) land in their own chunks, and gzips each file (node:zlib, level 9).
 *
 *   npm run size            # table of the entry and lazy chunks: raw / minified / gzip bytes
 *   npm run size -- --json  # the same as JSON
 *   node scripts/bundle-size.mjs path/to/entry.ts   # another entry
 *   node scripts/bundle-size.mjs path/to/entry.ts --check-excluded   # … held to the core's exclusions
 *
 * "raw" is the same bundle unminified. The entry and its eager chunks are what a CPU-only user
 * loads; the total adds every lazily imported chunk.
 *
 * The core entry must hold nothing of `nlsq/plot` or its rendering packages (vega, vega-lite,
 * @resvg/resvg-js) in any chunk, eager or lazy: a user who never imports `nlsq/plot` never
 * downloads them. The script lists what it finds (`excluded` in the JSON) and fails when it
 * finds any.
 */
import { gzipSync } from 'node:zlib';
import { existsSync } from 'node:fs';
import { dirname, join, resolve, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForBrowser } from './lib/browser-bundle.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const entry = resolve(positional[0] ?? join(root, 'src', 'index.ts'));

async function bundle(minify) {
  const result = await bundleForBrowser({
    entryPoints: { index: entry },
    outdir: join(root, '.tmp', 'bundle-size'),
    splitting: true,
    minify,
    write: false,
    metafile: true,
    logLevel: 'error',
  });
  // Chunk file names carry content hashes that differ between the minified and the plain build;
  // the set of source files in a chunk does not, so it is the key that pairs the two builds.
  const files = new Map();
  for (const [path, output] of Object.entries(result.metafile.outputs)) {
    if (path.endsWith('.map')) continue;
    const key = Object.keys(output.inputs).sort().join('|');
    const name = path.split('/').pop();
    const file = result.outputFiles.find((f) => f.path.endsWith(`/${name}`));
    files.set(key, { name, bytes: file.contents, output });
  }
  return { files, metafile: result.metafile };
}

/** What a chunk mostly holds: its three heaviest source folders, with their share of the chunk. */
function describeChunk(output) {
  const weight = new Map();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const folder = input.replace(/^src\//, '').split('/').slice(0, -1).join('/') || input;
    weight.set(folder, (weight.get(folder) ?? 0) + bytesInOutput);
  }
  const total = [...weight.values()].reduce((sum, w) => sum + w, 0) || 1;
  return [...weight]
    .sort((x, y) => y[1] - x[1])
    .slice(0, 3)
    .map(([f, w]) => `${f} ${Math.round((100 * w) / total)}%`)
    .join(', ');
}

/** File names loaded eagerly with the entry: the closure over static-import edges. */
function eagerNames(metafile) {
  const byName = new Map(Object.entries(metafile.outputs).map(([path, o]) => [path.split('/').pop(), o]));
  const eager = new Set(['index.js']);
  const queue = ['index.js'];
  while (queue.length > 0) {
    for (const edge of byName.get(queue.pop())?.imports ?? []) {
      const name = edge.path.split('/').pop();
      if (edge.kind === 'import-statement' && !eager.has(name)) {
        eager.add(name);
        queue.push(name);
      }
    }
  }
  return eager;
}

/** Inputs a bundle of the core entry must not contain: the plot subpath and its renderers. */
const EXCLUDED_FROM_CORE = /(^|\/)src\/plot\/|node_modules\/(vega|vega-[\w-]+|@resvg\/[\w-]+)\//;

/** The excluded inputs found in the bundle (checked for the core entry, or any with --check-excluded). */
function excludedInputs(metafile) {
  if (entry !== resolve(root, 'src', 'index.ts') && !process.argv.includes('--check-excluded')) return [];
  return Object.keys(metafile.inputs).filter((input) => EXCLUDED_FROM_CORE.test(input)).sort();
}

async function main() {
  if (!existsSync(entry)) throw new Error(`bundle-size: ${entry} is missing`);
  const raw = await bundle(false);
  const min = await bundle(true);
  const eager = eagerNames(min.metafile);
  const rows = [...min.files].map(([key, { name, bytes, output }]) => ({
    file: name,
    kind: name === 'index.js' ? 'entry' : eager.has(name) ? 'eager chunk' : 'lazy chunk',
    holds: describeChunk(output),
    raw: raw.files.get(key)?.bytes.length ?? NaN,
    min: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
  }));
  const order = { entry: 0, 'eager chunk': 1, 'lazy chunk': 2 };
  rows.sort((a, b) => order[a.kind] - order[b.kind] || b.min - a.min);
  const total = (key, only = () => true) => rows.filter(only).reduce((sum, r) => sum + r[key], 0);
  const isEager = (r) => r.kind !== 'lazy chunk';
  const rawTotal = [...raw.files.values()].reduce((sum, f) => sum + f.bytes.length, 0);
  const excluded = excludedInputs(min.metafile);
  if (excluded.length > 0) process.exitCode = 1;
  if (process.argv.includes('--json')) {
    const eagerTotal = { raw: total('raw', isEager), min: total('min', isEager), gzip: total('gzip', isEager) };
    console.log(JSON.stringify({ rows, eager: eagerTotal, total: { raw: rawTotal, min: total('min'), gzip: total('gzip') }, excluded }, null, 2));
    return;
  }
  const fmt = (n) => n.toLocaleString('en-US').padStart(11);
  console.log(`${'file'.padEnd(24)}${'raw'.padStart(11)}${'min'.padStart(11)}${'gzip'.padStart(11)}  holds`);
  for (const r of rows) console.log(`${r.file.padEnd(24)}${fmt(r.raw)}${fmt(r.min)}${fmt(r.gzip)}  ${r.kind}: ${r.holds}`);
  console.log(`${'eager (cpu-only user)'.padEnd(24)}${fmt(total('raw', isEager))}${fmt(total('min', isEager))}${fmt(total('gzip', isEager))}`);
  console.log(`${'total'.padEnd(24)}${fmt(rawTotal)}${fmt(total('min'))}${fmt(total('gzip'))}  (bytes; gzip level 9)`);
  if (excluded.length > 0) console.error(`bundle-size: the core bundle must not hold nlsq/plot or its renderers, found:\n  ${excluded.join('\n  ')}`);
}

main().catch((error) => {
  console.error(error?.message ?? error);
  process.exit(1);
});
