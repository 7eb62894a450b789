/**
 * `npm run test:duckdb-wasm`: `fitSql` on DuckDB-Wasm in headless Debian Chromium. Bundles
 * test/browser/duckdb-wasm/page.ts with esbuild (nlsq from src/, `@duckdb/duckdb-wasm`'s browser
 * build), serves it on 127.0.0.1 beside DuckDB-Wasm's worker scripts and wasm modules, and loads
 * the page: it instantiates DuckDB in a Web Worker, makes a table by SQL (a quoted name with a
 * double quote in it), fits it with `fitSql(…, { db: duckdbWasm(connection) })` — with a sigma
 * column, and with a where filter and bound values — and fits the same rows, read back as
 * arrays, with `curveFit` in the same page. Passes when popt agrees to 1e-9 relative and perr
 * to 1e-6, row counts are equal, the backend reads `duckdb (in-database)`, and the page logged
 * no error.
 *
 * Prints `ok`/`FAIL` per case and `[duckdb-wasm] N passed, M failed`; exits non-zero on a failure.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { launchChromium } from './lib/chromium.mjs';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const TAG = '[duckdb-wasm]';
const TIMEOUT_MS = Number(process.env.NLSQ_BROWSER_TIMEOUT_MS ?? 180_000);
const MIME = { '.js': 'text/javascript', '.html': 'text/html', '.map': 'application/json', '.wasm': 'application/wasm' };
const DUCKDB_FILES = ['duckdb-mvp.wasm', 'duckdb-eh.wasm', 'duckdb-browser-mvp.worker.js', 'duckdb-browser-eh.worker.js'];

function serve(dir) {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><meta charset="utf-8"><title>nlsq duckdb-wasm</title><script type="module" src="/page.js"></script>');
      return;
    }
    const file = join(dir, path);
    if (!file.startsWith(dir) || !existsSync(file)) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

/** Relative difference of two vectors, elementwise max. */
function relDiff(a, b) {
  return Math.max(...a.map((v, i) => Math.abs(v - b[i]) / Math.max(Math.abs(b[i]), Number.MIN_VALUE)));
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'nlsq-duckdb-wasm-'));
  const www = join(work, 'www');
  let server;
  let context;
  const problems = [];
  let passed = 0;
  let failed = 0;
  try {
    await build({
      entryPoints: { page: join(root, 'test/browser/duckdb-wasm/page.ts') },
      outdir: www,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      sourcemap: true,
      logLevel: 'warning',
    });
    const dist = join(root, 'node_modules/@duckdb/duckdb-wasm/dist');
    for (const f of DUCKDB_FILES) copyFileSync(join(dist, f), join(www, f));
    server = await serve(www);
    context = await launchChromium(join(work, 'profile'));
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`HTTP ${response.status()} for ${response.url()}`);
    });
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
    });
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.waitForFunction(() => globalThis.__duckdbWasm !== undefined, undefined, { timeout: TIMEOUT_MS });
    const result = await page.evaluate(() => globalThis.__duckdbWasm);
    if (result.error !== undefined) throw new Error(`the page failed: ${result.error}`);
    for (const c of result.cases) {
      const dp = relDiff(c.popt, c.refPopt);
      const de = relDiff(c.perr, c.refPerr);
      const ok = dp <= 1e-9 && de <= 1e-6 && c.n === c.refN && c.n > 0 && c.backend === 'duckdb (in-database)';
      console.log(`${TAG} ${ok ? 'ok' : 'FAIL'} ${c.name}: n ${c.n} (arrays ${c.refN}), popt ${c.popt.map((v) => v.toPrecision(12)).join(' ')}, |Δpopt| ${dp.toExponential(1)} (≤ 1e-9), |Δperr| ${de.toExponential(1)} (≤ 1e-6), backend ${c.backend}`);
      if (ok) passed++;
      else failed++;
    }
    if (result.cases.length !== 2) {
      console.log(`${TAG} FAIL expected 2 cases, got ${result.cases.length}`);
      failed++;
    }
  } catch (error) {
    console.log(`${TAG} FAIL ${error?.stack ?? error}`);
    failed++;
  } finally {
    for (const p of problems) {
      console.log(`${TAG} FAIL ${p}`);
      failed++;
    }
    await context?.close();
    server?.close();
    rmSync(work, { recursive: true, force: true });
  }
  console.log(`${TAG} ${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}

main();
