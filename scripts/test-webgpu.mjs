#!/usr/bin/env node
/**
 * Run the WebGPU device checks (test/browser/webgpu/checks.ts) in real WebGPU runtimes:
 * headless Chromium (through playwright-core) and Deno (its built-in navigator.gpu).
 *
 * The checks module is bundled with esbuild, served from a localhost HTTP server to Chromium
 * (a secure context, which WebGPU requires) and imported from a file by Deno. Each runtime prints
 * `<runtime>: N passed, N failed` (and each failure), or `<runtime>: skipped (<reason>)` when it
 * has no WebGPU adapter or is not installed. Exit status 1 when any check failed.
 *
 * Usage: node scripts/test-webgpu.mjs [--runtime=chromium|deno] [--verbose]
 * Environment: CHROMIUM_PATH (default /usr/bin/chromium), DENO_PATH (default node_modules/.bin/deno).
 * Requirements on Debian: apt-get install -y chromium mesa-vulkan-drivers (lavapipe / SwiftShader
 * are software adapters: these runs check correctness, not speed).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForBrowser } from './lib/browser-bundle.mjs';
import { serveStatic } from './lib/static-server.mjs';
import { CHROMIUM_PATH, launchChromium } from './lib/chromium.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const only = args.find((a) => a.startsWith('--runtime='))?.slice('--runtime='.length);
const verbose = args.includes('--verbose');
const CHECK_TIMEOUT_MS = 240_000;

async function bundle(dir) {
  await bundleForBrowser({ entryPoints: [join(root, 'test/browser/webgpu/entry.ts')], outfile: join(dir, 'bundle.mjs'), logLevel: 'error' });
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>nlsq webgpu checks</title>');
}

function summarize(runtime, summary) {
  if (summary.skipped !== null) {
    console.log(`${runtime}: skipped (${summary.skipped})`);
    return { passed: 0, failed: 0 };
  }
  const passed = summary.results.filter((r) => r.ok).length;
  const failed = summary.results.length - passed;
  console.log(`${runtime}: ${passed} passed, ${failed} failed  [adapter: ${summary.adapter}]`);
  for (const r of summary.results) {
    if (!r.ok) console.log(`  ✗ ${r.name}\n      ${r.error}`);
    else if (verbose) console.log(`  ✓ ${r.name}`);
  }
  return { passed, failed };
}

async function runChromium(dir) {
  if (!existsSync(CHROMIUM_PATH)) return { skipped: `no Chromium at ${CHROMIUM_PATH} (apt-get install chromium)` };
  const userDataDir = mkdtempSync(join(tmpdir(), 'nlsq-chromium-'));
  const server = await serveStatic(dir);
  const t0 = Date.now();
  const context = await launchChromium(userDataDir, { swiftshader: true });
  if (verbose) console.log(`  chromium launched in ${Date.now() - t0} ms`);
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    if (verbose) page.on('console', (m) => console.log(`  [chromium console] ${m.text()}`));
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    page.setDefaultTimeout(CHECK_TIMEOUT_MS);
    return await page.evaluate(async () => {
      const mod = await import('/bundle.mjs');
      return mod.runWebGPUChecks();
    });
  } finally {
    await context.close();
    server.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}

function runDeno(dir) {
  const deno = process.env.DENO_PATH ?? join(root, 'node_modules/.bin/deno');
  if (!existsSync(deno)) return Promise.resolve({ skipped: `no deno at ${deno} (npm install)` });
  const runner = join(dir, 'deno-runner.mjs');
  writeFileSync(
    runner,
    "import { runWebGPUChecks } from './bundle.mjs';\nconsole.log('__NLSQ_RESULT__' + JSON.stringify(await runWebGPUChecks()));\n",
  );
  const xdg = mkdtempSync(join(tmpdir(), 'nlsq-deno-xdg-'));
  return new Promise((ok) => {
    const child = spawn(deno, ['run', '--unstable-webgpu', `--allow-read=${dir}`, runner], {
      env: { ...process.env, XDG_RUNTIME_DIR: xdg, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), CHECK_TIMEOUT_MS);
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      clearTimeout(timer);
      rmSync(xdg, { recursive: true, force: true });
      const line = out.split('\n').find((l) => l.startsWith('__NLSQ_RESULT__'));
      if (line === undefined) ok({ skipped: null, adapter: '', results: [{ name: 'deno run', ok: false, error: `exit ${code}: ${err.trim().slice(-2000)}` }] });
      else ok(JSON.parse(line.slice('__NLSQ_RESULT__'.length)));
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'nlsq-webgpu-'));
let failed = 0;
try {
  await bundle(dir);
  const runtimes = { chromium: runChromium, deno: runDeno };
  for (const [name, run] of Object.entries(runtimes)) {
    if (only !== undefined && only !== name) continue;
    let summary;
    try {
      summary = await run(dir);
      if (summary.results === undefined) summary = { skipped: summary.skipped, results: [] };
    } catch (err) {
      summary = { skipped: null, adapter: '', results: [{ name: `${name} launch`, ok: false, error: String(err?.stack ?? err) }] };
    }
    failed += summarize(name, summary).failed;
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exitCode = failed > 0 ? 1 : 0;
