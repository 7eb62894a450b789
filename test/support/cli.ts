/**
 * Test helpers for the `nlsq` command: run it as a subprocess (`node --import tsx src/cli/main.ts`,
 * no build needed) and write data files into a temporary folder.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root. */
export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/** The CLI entry in the sources. */
export const CLI_ENTRY = join(ROOT, 'src', 'cli', 'main.ts');

/** What a run of the command gave. */
export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The node arguments that run the CLI from the sources. */
export function cliArgs(args: readonly string[]): string[] {
  return ['--import', 'tsx', CLI_ENTRY, ...args];
}

/**
 * Run `nlsq ARGS` to its end.
 * @param args - the arguments after `nlsq`. @param cwd - working directory (default the root).
 */
export function runNlsq(args: readonly string[], cwd = ROOT): Promise<CliRun> {
  return runNode(cliArgs(args), cwd);
}

/** Run node with arguments (or, when given, another `command` line) to its end, collecting the output. */
export function runNode(args: readonly string[], cwd = ROOT, env: NodeJS.ProcessEnv = process.env, command?: readonly string[]): Promise<CliRun> {
  return new Promise((done, fail) => {
    const [exe, ...rest] = command ?? [process.execPath, ...args];
    const child = spawn(exe!, rest, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', fail);
    child.on('close', (code, signal) => done({ code, signal, stdout, stderr }));
  });
}

/** A temporary folder and a writer of files in it. */
export function tempFolder(prefix: string): { dir: string; write: (name: string, content: string | Uint8Array) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    write: (name, content) => {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Decaying-exponential data y = a·exp(−b·t) + c with deterministic wiggles, as columns. */
export function decayData(n: number, a = 3, b = 1.3, c = 0.5): { t: number[]; y: number[]; err: number[] } {
  const t = Array.from({ length: n }, (_, i) => i * 0.05);
  const y = t.map((ti, i) => a * Math.exp(-b * ti) + c + 0.01 * Math.sin(i * 7.1));
  const err = t.map((_, i) => 0.01 + 0.002 * (i % 3));
  return { t, y, err };
}

/** Columns as CSV text with a header (numbers written with `String`, so they read back exactly). */
export function csvText(names: readonly string[], columns: readonly (readonly (number | string)[])[], delimiter = ','): string {
  const rows = [names.join(delimiter)];
  for (let i = 0; i < columns[0]!.length; i++) rows.push(columns.map((c) => String(c[i])).join(delimiter));
  return rows.join('\n') + '\n';
}
