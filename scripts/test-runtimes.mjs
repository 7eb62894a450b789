/**
 * Runs the portable smoke suite (test/runtimes/smoke.js) against the built package in every
 * supported runtime, in sequence: Node, Deno, Bun, Chromium (main thread) and Chromium (Web
 * Workers). Each runtime prints its own `N passed, N failed`; this script prints a summary and
 * exits non-zero when any runtime fails.
 *
 *   npm run test:runtimes                 # all runtimes
 *   npm run test:runtimes -- deno bun     # a selection
 *
 * A runtime whose binary is missing is a failure when CI=true and a printed skip otherwise.
 * Needs `npm run build` first (dist/index.js).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const bin = (name) => join(root, 'node_modules', '.bin', name);
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ci = process.env.CI === 'true' || process.env.CI === '1';
const RUNTIME_TIMEOUT_MS = 300_000;
const smoke = 'test/runtimes/run-smoke.js';
const browserRunner = 'test/runtimes/browser/run-chromium.mjs';

/** Each runtime: the binary it needs and the command that runs the suite. */
const RUNTIMES = [
  { name: 'node', binary: process.execPath, command: [process.execPath, smoke] },
  { name: 'deno', binary: bin('deno'), command: [bin('deno'), 'run', '--allow-read', '--allow-env', '--allow-sys=cpus', smoke] },
  { name: 'bun', binary: bin('bun'), command: [bin('bun'), 'run', smoke] },
  { name: 'chromium', binary: chromiumPath, command: [process.execPath, browserRunner, 'main'] },
  { name: 'chromium-worker', binary: chromiumPath, command: [process.execPath, browserRunner, 'worker'] },
];

function run(runtime, env) {
  return new Promise((done) => {
    const [cmd, ...args] = runtime.command;
    const child = spawn(cmd, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let summary = null;
    let pending = '';
    const onData = (chunk) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (/^\d+ passed, \d+ failed$/.test(line)) summary = line;
        process.stdout.write(`[${runtime.name}] ${line}\n`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => {
      process.stdout.write(`[${runtime.name}] timed out after ${RUNTIME_TIMEOUT_MS / 1000} s\n`);
      child.kill('SIGKILL');
    }, RUNTIME_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (pending !== '') onData('\n');
      done({ code, summary });
    });
  });
}

async function main() {
  const selected = process.argv.slice(2);
  const unknown = selected.filter((s) => !RUNTIMES.some((r) => r.name === s));
  if (unknown.length > 0) throw new Error(`test-runtimes: unknown runtime ${unknown.join(', ')}; known: ${RUNTIMES.map((r) => r.name).join(', ')}`);
  if (!existsSync(join(root, 'dist', 'index.js'))) throw new Error('test-runtimes: dist/index.js is missing; run npm run build first');
  const xdg = mkdtempSync(join(tmpdir(), 'nlsq-xdg-'));
  const env = { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? xdg, NO_COLOR: '1' };
  const rows = [];
  try {
    for (const runtime of RUNTIMES) {
      if (selected.length > 0 && !selected.includes(runtime.name)) continue;
      if (!existsSync(runtime.binary)) {
        rows.push({ name: runtime.name, ok: !ci, text: `${ci ? 'FAILED' : 'skipped'}: ${runtime.binary} not found` });
        continue;
      }
      const { code, summary } = await run(runtime, env);
      const ok = code === 0 && summary !== null && /^[1-9]\d* passed, 0 failed$/.test(summary);
      rows.push({ name: runtime.name, ok, text: summary ?? `no summary line (exit code ${code})` });
    }
  } finally {
    rmSync(xdg, { recursive: true, force: true });
  }
  console.log('\nruntime          result');
  for (const r of rows) console.log(`${r.name.padEnd(16)} ${r.ok ? '' : '✗ '}${r.text}`);
  return rows.every((r) => r.ok);
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (error) => {
    console.error(error?.message ?? error);
    process.exit(1);
  },
);
