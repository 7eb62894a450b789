/**
 * Streaming a file that is never held in memory: write 2M points to a CSV file, then fit it with
 * `fit(model, csvFileSource(...))`, watching the passes. Run: `npx tsx examples/03-streaming-file.ts`.
 */
import { mkdtempSync, rmSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fit, model } from '../src/index.ts';
import { csvFileSource } from '../src/node/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'nlsq-example-'));
const file = join(dir, 'decay.csv');
const n = 2_000_000;

await new Promise<void>((resolve, reject) => {
  const out = createWriteStream(file);
  out.on('error', reject);
  out.write('time,signal\n');
  let i = 0;
  const writeSome = (): void => {
    let ok = true;
    for (; i < n && ok; i++) {
      const t = (5 * i) / (n - 1);
      ok = out.write(`${t},${3 * Math.exp(-1.2 * t) + 0.5 + 0.01 * Math.sin(977 * i)}\n`);
    }
    if (i < n) out.once('drain', writeSome);
    else out.end(resolve);
  };
  writeSome();
});

const r = await fit(model('a*exp(-b*x) + c'), csvFileSource(file, { x: 'time', y: 'signal' }), {
  p0: [1, 1, 0],
  onProgress: (p) => console.log(`  ${p.phase.padEnd(6)} pass ${p.pass}: ${p.pointsSeen.toLocaleString('en-US')} points read, cost ${p.cost.toExponential(3)}`),
});
console.log('popt', r.popt, '± ', r.perr);
console.log(r.reason);
rmSync(dir, { recursive: true, force: true });
