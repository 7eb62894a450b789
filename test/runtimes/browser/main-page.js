/** Browser page: the portable smoke suite on the main thread, against the bundled package. */
import * as nlsq from 'nlsq';
import { backendsToTest, runCases, smokeCases } from '../smoke.js';

async function main() {
  const webgpu = new URLSearchParams(location.search).get('webgpu') ?? 'auto';
  const backends = await backendsToTest(nlsq, webgpu);
  const result = await runCases(smokeCases(nlsq, backends));
  result.lines.unshift(`backends under test: ${backends.join(', ')}`);
  globalThis.__smoke = result;
}
main().catch((error) => {
  globalThis.__smoke = { passed: 0, failed: 1, lines: [`FAIL page: ${error?.stack ?? error}`] };
});
