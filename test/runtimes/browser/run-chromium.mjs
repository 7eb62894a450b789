/**
 * Runs the smoke suite in headless Chromium, loading the package the way a browser app does:
 * bundled by esbuild (`import ... from 'nlsq'` resolved to the built `dist/index.js`, code
 * splitting on, so the wasm and WebGPU backends arrive as lazily imported chunks) and served on
 * 127.0.0.1 by a tiny http server.
 *
 *   node test/runtimes/browser/run-chromium.mjs main     # the smoke suite on the main thread
 *   node test/runtimes/browser/run-chromium.mjs worker   # fits in Web Workers (examples/worker)
 *
 * Options (environment): CHROMIUM_PATH (default /usr/bin/chromium), NLSQ_ENTRY (package entry,
 * default dist/index.js), NLSQ_SMOKE_WEBGPU ('auto' default: webgpu cases when an adapter is
 * usable; '0' never; '1' always), NLSQ_BROWSER_TIMEOUT_MS, NLSQ_BROWSER_CONSOLE (print the page's
 * console). Prints one line per case, then exactly `N passed, N failed`; exits
 * non-zero when a case fails or the page never reports.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForBrowser } from '../../../scripts/lib/browser-bundle.mjs';
import { launchChromium } from '../../../scripts/lib/chromium.mjs';
import { serveStatic } from '../../../scripts/lib/static-server.mjs';

const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const suite = process.argv[2] ?? 'main';
const PAGES = { main: 'main-page', worker: 'worker-page' };
const TIMEOUT_MS = Number(process.env.NLSQ_BROWSER_TIMEOUT_MS ?? 240_000);

function finish(result) {
  console.log(`${result.passed} passed, ${result.failed} failed`);
  process.exit(result.failed === 0 && result.passed > 0 ? 0 : 1);
}

const ENTRIES = {
  main: { 'main-page': 'test/runtimes/browser/main-page.js' },
  worker: { 'worker-page': 'test/runtimes/browser/worker-page.js', 'fit-worker': 'examples/worker/fit-worker.js' },
};

async function bundle(outdir, entry) {
  const entryPoints = Object.fromEntries(Object.entries(ENTRIES[suite]).map(([k, v]) => [k, join(root, v)]));
  await bundleForBrowser({ entryPoints, outdir, splitting: true, sourcemap: true, alias: { nlsq: entry } });
  // One page per entry: /NAME.html loads /NAME.js.
  for (const name of Object.keys(entryPoints)) {
    writeFileSync(join(outdir, `${name}.html`), `<!doctype html><meta charset="utf-8"><title>nlsq ${name}</title><script type="module" src="/${name}.js"></script>`);
  }
}

async function runPage(url, userDataDir) {
  const context = await launchChromium(userDataDir);
  const problems = [];
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    if (process.env.NLSQ_BROWSER_CONSOLE) page.on('worker', (w) => problems.push(`worker started: ${w.url()}`));
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('crash', () => problems.push('the page crashed'));
    page.on('console', (msg) => {
      if (msg.type() === 'error' || process.env.NLSQ_BROWSER_CONSOLE) problems.push(`console ${msg.type()}: ${msg.text()}`);
    });
    await page.goto(url);
    await page.waitForFunction(() => globalThis.__smoke !== undefined, undefined, { timeout: TIMEOUT_MS });
    return await page.evaluate(() => globalThis.__smoke);
  } finally {
    for (const p of problems) console.log(`note ${p}`);
    await context.close();
  }
}

async function main() {
  if (!(suite in PAGES)) throw new Error(`run-chromium: suite must be 'main' or 'worker', got ${JSON.stringify(suite)}`);
  const entry = resolve(root, process.env.NLSQ_ENTRY ?? 'dist/index.js');
  if (!existsSync(entry)) throw new Error(`run-chromium: ${entry} is missing; run npm run build first`);
  const work = mkdtempSync(join(tmpdir(), 'nlsq-chromium-'));
  const outdir = join(work, 'www');
  let server;
  try {
    await bundle(outdir, entry);
    server = await serveStatic(outdir);
    const { port } = server.address();
    const webgpu = encodeURIComponent(process.env.NLSQ_SMOKE_WEBGPU ?? 'auto');
    const result = await runPage(`http://127.0.0.1:${port}/${PAGES[suite]}.html?webgpu=${webgpu}`, join(work, 'profile'));
    for (const line of result.lines ?? []) console.log(line);
    return result;
  } finally {
    server?.close();
    rmSync(work, { recursive: true, force: true });
  }
}

main().then(finish, (error) => {
  console.log(`FAIL chromium ${suite}: ${error?.stack ?? error}`);
  finish({ passed: 0, failed: 1 });
});
