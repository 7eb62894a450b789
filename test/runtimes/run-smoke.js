/**
 * Command-line runner of the smoke suite for Node, Deno and Bun.
 *
 *   node test/runtimes/run-smoke.js [entry]
 *   npx deno run --allow-read --allow-env --allow-sys=cpus test/runtimes/run-smoke.js [entry]
 *   npx bun run test/runtimes/run-smoke.js [entry]
 *
 * NLSQ_SMOKE_WEBGPU: 'auto' (default: webgpu cases when an adapter is usable), '0' or '1'.
 * `entry` (or the NLSQ_ENTRY environment variable) is the package entry to test, relative to the
 * working directory (default: the built `dist/index.js`). Prints one line per
 * case, then exactly `N passed, N failed`, and exits non-zero when a case fails.
 */
import { backendsToTest, environmentCase, runCases, smokeCases, summaryLine } from './smoke.js';

const g = globalThis;
const args = g.Deno ? g.Deno.args : (g.process?.argv ?? []).slice(2);
const given = args[0] ?? (g.Deno ? g.Deno.env.get('NLSQ_ENTRY') : g.process?.env?.NLSQ_ENTRY);
const cwd = g.Deno ? g.Deno.cwd() : g.process.cwd();
const entry = given ? new URL(given, `file://${cwd}/`) : new URL('../../dist/index.js', import.meta.url);

/** The runtime's environment variables (Deno: Deno.env, needs --allow-env; Node and Bun: process.env). */
const env = g.Deno
  ? { get: (n) => g.Deno.env.get(n), set: (n, v) => g.Deno.env.set(n, v), unset: (n) => g.Deno.env.delete(n) }
  : { get: (n) => g.process.env[n], set: (n, v) => void (g.process.env[n] = v), unset: (n) => void delete g.process.env[n] };

function exit(code) {
  if (g.Deno) g.Deno.exit(code);
  else g.process.exit(code);
}

let result;
try {
  const nlsq = await import(entry.href);
  const backends = await backendsToTest(nlsq, env.get('NLSQ_SMOKE_WEBGPU') ?? 'auto');
  console.log(`backends under test: ${backends.join(', ')}`);
  const cases = [...smokeCases(nlsq, backends), environmentCase(nlsq, env)];
  result = await runCases(cases, (line) => console.log(line));
} catch (error) {
  console.log(`FAIL loading the package: ${error?.stack ?? error}`);
  result = { passed: 0, failed: 1 };
}
console.log(summaryLine(result));
exit(result.failed === 0 && result.passed > 0 ? 0 : 1);
