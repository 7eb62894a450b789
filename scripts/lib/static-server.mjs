/**
 * The one static file server of the scripts and browser suites: files of one folder on
 * 127.0.0.1, with their MIME types, 404 for anything outside the folder, 204 for the favicon
 * (so that browsers log no error for it), no caching; optionally cross-origin isolated (COOP/COEP,
 * for SharedArrayBuffer).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

const MIME = {
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/**
 * Serve the files of `dir` (a path ending in `/` serves its index.html).
 * @param {string} dir - the folder.
 * @param {{ port?: number, isolated?: boolean }} [options] - port (0: a free one); `isolated` adds
 *   Cross-Origin-Opener-Policy and Cross-Origin-Embedder-Policy.
 * @returns {Promise<import('node:http').Server>} the listening server (`server.address().port`).
 */
export function serveStatic(dir, options = {}) {
  const base = resolve(dir);
  const server = createServer((req, res) => {
    let path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (path.endsWith('/')) path += 'index.html';
    const file = resolve(join(base, path));
    if (!(file === base || file.startsWith(base + sep)) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-store',
      ...(options.isolated ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } : {}),
    });
    res.end(readFileSync(file));
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, '127.0.0.1', () => ok(server));
  });
}
