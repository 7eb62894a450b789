/**
 * Serve a built playground folder on 127.0.0.1 (static files only).
 *
 *   npm run playground               # builds, then serves playground/build on port 8173
 *   node scripts/serve-playground.mjs [DIR] [--port N]   # port 0 picks a free one
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const MIME = { '.js': 'text/javascript', '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.map': 'application/json', '.wasm': 'application/wasm', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png' };

/** Serve `dir`; resolves to the listening server (its port from `server.address().port`). */
export function servePlayground(dir, port = 0) {
  const base = resolve(dir);
  const server = createServer((req, res) => {
    let path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    if (path.endsWith('/')) path += 'index.html';
    const file = resolve(join(base, path));
    if (!(file === base || file.startsWith(base + sep)) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    // Cross-origin isolation, so that the page can share a SharedArrayBuffer stop flag with the
    // fit worker (Cancel within one iteration); the page works without it, cancelling by message.
    res.writeHead(200, {
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-store',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
    });
    res.end(readFileSync(file));
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => ok(server));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--port');
  const port = at >= 0 ? Number(args[at + 1]) : 8173;
  const dir = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--port') ?? join(fileURLToPath(new URL('..', import.meta.url)), 'playground', 'build');
  if (!existsSync(join(dir, 'index.html'))) {
    console.error(`serve-playground: ${dir}/index.html is missing; run npm run build:playground first`);
    process.exit(1);
  }
  const server = await servePlayground(dir, port);
  console.log(`nlsq playground at http://127.0.0.1:${server.address().port}/ (Ctrl-C to stop)`);
}
