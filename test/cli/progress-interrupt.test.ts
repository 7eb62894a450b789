/**
 * The progress bar on a pseudo-terminal (util-linux `script -qec`, when present; no node-pty), its
 * absence on a pipe and with --quiet, and Ctrl-C (SIGINT) during a streaming fit with
 * --checkpoint: exit 130, the checkpoint on disk, and --resume finishing to the answer of the
 * uninterrupted fit.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { cliArgs, csvText, decayData, runNlsq, runNode, tempFolder } from '../support/cli.ts';

const tmp = tempFolder('nlsq-cli-progress-');
afterAll(() => tmp.remove());

const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
const { t, y } = decayData(400_000);
const big = tmp.write('big.csv', csvText(['time', 'signal'], [t.map((v) => v / 4000), y]));
const FIT = ['fit', big, '--model', 'a*exp(-b*time)+c', '--x', 'time', '--y', 'signal', '--p0', '1,1,0', '--workflow', 'streaming', '--format', 'json'];

function shellQuote(a: string): string {
  return `'${a.replace(/'/g, `'\\''`)}'`;
}

describe('progress on stderr', () => {
  it.skipIf(!hasScript)('draws a bar with percentage, points/s and ETA on a terminal, none with --quiet', async () => {
    const command = [process.execPath, ...cliArgs(FIT)].map(shellQuote).join(' ');
    const [tty, quiet] = await Promise.all([
      runNode([], undefined, undefined, ['script', '-qec', `${command} >/dev/null`, '/dev/null']),
      runNode([], undefined, undefined, ['script', '-qec', `${command} --quiet >/dev/null`, '/dev/null']),
    ]);
    expect(tty.code).toBe(0);
    expect(tty.stdout).toMatch(/pass 1 \|[=-]+\| \d+% \| [\d.kM–]+ points\/s \| ETA \d+s/);
    expect(tty.stdout).toMatch(/\d+(\.\d)?[kM] points\/s/);
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).not.toMatch(/points\/s/);
  });

  it.skipIf(!hasScript)('draws the batch bar with fits done and fits/s on a terminal (fitBatch onProgress)', async () => {
    const xs = Array.from({ length: 30 }, (_, i) => i * 0.3);
    const cols = Array.from({ length: 300 }, (_, k) => xs.map((v, i) => (1 + k / 300) * Math.exp(-((v - 4) ** 2) / 2) + 0.01 * Math.sin(i + k)));
    const file = tmp.write('many.csv', csvText(['x', ...cols.map((_, k) => `y${k}`)], [xs, ...cols]));
    const command = [process.execPath, ...cliArgs(['batch', file, '--model', 'gaussian', '--x', 'x', '--columns', 'y*', '--p0', 'auto'])].map(shellQuote).join(' ');
    const tty = await runNode([], undefined, undefined, ['script', '-qec', `${command} >/dev/null`, '/dev/null']);
    expect(tty.code).toBe(0);
    expect(tty.stdout).toMatch(/fits \|[=-]+\| \d+\/300 \| [\d.kM]+ fits\/s/);
    expect(tty.stdout).toMatch(/300\/300/);
  });

  it('draws nothing when stderr is a pipe', async () => {
    const run = await runNlsq(FIT);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
  });
});

describe('Ctrl-C during a streaming fit', () => {
  it('writes the checkpoint, exits 130, and --resume finishes to the same answer', async () => {
    const ck = `${tmp.dir}/fit.ckpt.json`;
    const child = spawn(process.execPath, cliArgs([...FIT, '--checkpoint', ck]), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    const closed = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
    let finishedFirst = false;
    void closed.then(() => (finishedFirst = true));
    while (!existsSync(ck) && !finishedFirst) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
    const code = await closed;
    expect(stdout).toBe('');
    expect(code).toBe(130);
    expect(stderr).toMatch(/^nlsq fit: interrupted; checkpoint \(pass \d+, (warmup|exact) phase\) written to .*fit\.ckpt\.json; continue with --resume/);
    const state = JSON.parse(readFileSync(ck, 'utf8')) as { format: string; passes: number };
    expect(state.format).toBe('nlsq-streaming-checkpoint');

    const [resumed, whole] = await Promise.all([runNlsq([...FIT, '--resume', ck]), runNlsq(FIT)]);
    expect(resumed.code).toBe(0);
    expect(whole.code).toBe(0);
    const a = JSON.parse(resumed.stdout) as { popt: number[]; success: boolean; statistics: { n: number } };
    const b = JSON.parse(whole.stdout) as { popt: number[]; statistics: { n: number } };
    expect(a.success).toBe(true);
    expect(a.statistics.n).toBe(400_000);
    expect(a.popt).toBeAllclose(b.popt, { rtol: 1e-6 });
  });
});
