/**
 * Build the playground (playground/) into a static folder: esbuild bundles the page script and the
 * fit worker (the library from src/, vega and vega-lite for the figure; code splitting, so the
 * shared code and the lazily imported backends are chunks) and copies index.html and style.css.
 *
 *   npm run build:playground            # → playground/build/
 *   node scripts/build-playground.mjs OUTDIR
 *
 * Served as it is by `npm run playground`; needs no network after load.
 */
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForBrowser } from './lib/browser-bundle.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'playground');

/** Bundle the playground into `outdir` (emptied first); resolves to esbuild's metafile. */
export async function buildPlayground(outdir = join(source, 'build'), { minify = true } = {}) {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const result = await bundleForBrowser({
    entryPoints: { main: join(source, 'main.js'), worker: join(source, 'worker.js') },
    outdir,
    splitting: true,
    minify,
    metafile: true,
    // toPNG's renderer is native (Node only); the page draws SVG and never calls toPNG.
    external: ['@resvg/resvg-js'],
  });
  for (const file of ['index.html', 'style.css']) copyFileSync(join(source, file), join(outdir, file));
  return result.metafile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const outdir = resolve(process.argv[2] ?? join(source, 'build'));
  const t0 = performance.now();
  const meta = await buildPlayground(outdir);
  const files = Object.entries(meta.outputs).filter(([p]) => !p.endsWith('.map'));
  const bytes = files.reduce((s, [, o]) => s + o.bytes, 0);
  console.log(`playground: ${files.length} files, ${(bytes / 1e6).toFixed(2)} MB in ${outdir} (${(performance.now() - t0).toFixed(0)} ms)`);
}
