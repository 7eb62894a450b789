/**
 * Where the pool worker's entry file is, for the runtime that runs this module.
 *
 * The entry (`src/pool-worker.ts`) serves every task of the pool — the fold shares of one fit,
 * the ranges of a `fitBatch`, the chunks of a streaming pass — so it sits in the top layer, beside
 * the public entry points, where it may import each of them. It is located relative to this
 * module (`new URL('../…', import.meta.url)`: a file location, not an import), so it resolves the
 * same way from `dist/` after `npm run build` (tsc emits `pool-worker.js` one folder above this
 * file's `.js`) and from `src/` when the TypeScript runs directly:
 *
 * | this module is | runtime | the worker runs |
 * |---|---|---|
 * | `worker-script.js` (dist, a bundle) | any | `pool-worker.js` |
 * | `worker-script.ts` (source) | Deno, Bun (run TS natively) | `pool-worker.ts` |
 * | any | Bun | Web Workers (Bun's `worker_threads` do not carry workerpool's messages) |
 * | `worker-script.ts` (source) | Node (vitest, tsx) | `pool-worker-tsx.mjs`, which registers tsx in the worker thread and imports `pool-worker.ts` (Node 20 does not pass `--import tsx` to worker threads) |
 *
 * Node's `worker_threads` (which workerpool uses there) take an absolute path, not a `file:` URL
 * string, so the URL is turned into a path by {@link fileUrlToPath} (the core cannot import
 * `node:url`). Browsers take the URL itself and run the entry as a module worker.
 *
 * @module
 */

/** How a runtime starts the pool worker. */
export interface WorkerScript {
  /** The URL of the entry file. */
  readonly url: URL;
  /** What to hand to workerpool: an absolute path under Node/Deno/Bun, the URL text in a browser. */
  readonly script: string;
  /** Whether the pool creates `worker_threads` (Node-compatible runtimes) or Web Workers. */
  readonly type: 'thread' | 'web';
}

/**
 * The path of a `file:` URL: percent-decoded, with the leading slash of a Windows drive path
 * (`/C:/…`) dropped — what Node's `url.fileURLToPath` returns for local files.
 *
 * @param url - a `file:` URL.
 * @returns the absolute file path.
 */
export function fileUrlToPath(url: URL): string {
  const path = decodeURIComponent(url.pathname);
  return /^\/[A-Za-z]:\//.test(path) ? path.slice(1) : path;
}

/** True under Node itself (not Deno or Bun, which also define `process.versions.node`). */
function isPlainNode(): boolean {
  const g = globalThis as { process?: { versions?: Record<string, string | undefined> }; Deno?: unknown; Bun?: unknown };
  return g.process?.versions?.node !== undefined && g.Deno === undefined && g.Bun === undefined && g.process.versions['bun'] === undefined;
}

/** True under Bun. */
function isBun(): boolean {
  const g = globalThis as { process?: { versions?: Record<string, string | undefined> }; Bun?: unknown };
  return g.Bun !== undefined || g.process?.versions?.['bun'] !== undefined;
}

/** True where `worker_threads` exist (Node, Deno, Bun); false in browsers. */
export function hasWorkerThreads(): boolean {
  const g = globalThis as { process?: { versions?: Record<string, string | undefined> } };
  return g.process?.versions?.node !== undefined;
}

/**
 * The pool worker's entry for this runtime (see the module documentation).
 *
 * @param base - the URL of the module that locates it (default: this module's).
 * @returns the entry URL, what to hand to workerpool, and the worker type.
 */
export function poolWorkerScript(base: string = import.meta.url): WorkerScript {
  const fromSource = /\.ts(?:[?#].*)?$/.test(base);
  const name = !fromSource ? 'pool-worker.js' : isPlainNode() ? 'pool-worker-tsx.mjs' : 'pool-worker.ts';
  const url = new URL(`../${name}`, base);
  // Bun's worker_threads and workerpool's worker side disagree on the message channel (the task
  // never arrives); its Web Worker API works, so Bun gets Web Workers.
  const threads = hasWorkerThreads() && !isBun();
  return { url, script: threads && url.protocol === 'file:' ? fileUrlToPath(url) : url.href, type: threads ? 'thread' : 'web' };
}
