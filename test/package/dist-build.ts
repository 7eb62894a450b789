/**
 * Test helper: make sure the built package (`dist/`) exists before the package checks run.
 *
 * When `dist/index.js` is missing, or older than a file under `src/` (a stale local build), it is
 * (re)built with `tsc -p tsconfig.build.json`. If that fails, the checks fail under CI
 * (`CI=true`) and are skipped with the reason otherwise.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root. */
export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/** The built entry. */
export const DIST_ENTRY = join(ROOT, 'dist', 'index.js');

const inCi = process.env.CI === 'true' || process.env.CI === '1';

/** Latest modification time of any file under `dir`, in ms. */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function isFresh(): boolean {
  return existsSync(DIST_ENTRY) && statSync(DIST_ENTRY).mtimeMs >= newestMtime(join(ROOT, 'src'));
}

/** A lock directory so that test files running in parallel build dist/ once, not concurrently. */
const LOCK = join(ROOT, 'node_modules', '.cache', 'nlsq-dist-build.lock');
const LOCK_STALE_MS = 300_000;

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Take the lock, or wait for the holder to finish; true when this caller holds it. */
function acquire(): boolean {
  mkdirSync(join(LOCK, '..'), { recursive: true });
  for (let waited = 0; ; waited += 250) {
    try {
      mkdirSync(LOCK);
      return true;
    } catch {
      if (existsSync(LOCK) && Date.now() - statSync(LOCK).mtimeMs > LOCK_STALE_MS) rmSync(LOCK, { recursive: true, force: true });
      if (isFresh()) return false;
      if (waited > LOCK_STALE_MS) return false;
      sleep(250);
    }
  }
}

/**
 * Ensure dist/index.js exists and is not older than the sources.
 * @returns null when it does, or the reason it could not be built (outside CI only).
 * @throws when it cannot be built under CI.
 */
export function ensureDist(): string | null {
  if (isFresh()) return null;
  const held = acquire();
  try {
    if (held && !isFresh()) {
      execFileSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
    }
  } catch (error) {
    // tsc emits despite type errors; only a missing output is fatal.
    if (!existsSync(DIST_ENTRY)) {
      const reason = `dist/index.js could not be built: ${String((error as { stdout?: Buffer }).stdout ?? error).slice(0, 2000)}`;
      if (inCi) throw new Error(reason);
      return reason;
    }
  } finally {
    if (held) rmSync(LOCK, { recursive: true, force: true });
  }
  if (!existsSync(DIST_ENTRY)) {
    const reason = 'dist/index.js is missing after tsc -p tsconfig.build.json (is src/index.ts there?)';
    if (inCi) throw new Error(reason);
    return reason;
  }
  return null;
}
