/**
 * Serve a built playground folder on 127.0.0.1 (static files only).
 *
 *   npm run playground               # builds, then serves playground/build on port 8173
 *   node scripts/serve-playground.mjs [DIR] [--port N]   # port 0 picks a free one
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveStatic } from './lib/static-server.mjs';

/**
 * Serve `dir`; resolves to the listening server (its port from `server.address().port`).
 * Cross-origin isolated, so that the page can share a SharedArrayBuffer stop flag with the fit
 * worker (Cancel within one iteration); the page works without it, cancelling by message.
 */
export function servePlayground(dir, port = 0) {
  return serveStatic(dir, { port, isolated: true });
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
