import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { DataSourceError } from '../../src/errors.ts';
import { createBlockProblem } from '../../src/evaluate/block-problem.ts';
import type { Evaluation } from '../../src/optim/evaluation.ts';
import type { JacobianScheme } from '../../src/optim/finite-difference.ts';
import { resolveLoss } from '../../src/optim/loss.ts';
import { type DataSource, arraySource, classifySource } from '../../src/sources/data-source.ts';
import { StreamingProblem } from '../../src/evaluate/streaming-problem.ts';
import { cpu, expData, expKernel, fusedExpKernel, retainedBytes } from '../support/streaming-helpers.ts';

/** TᵀT, which is independent of the row signs of the triangle. */
function gram(T: Float64Array, c: number): Float64Array {
  const G = new Float64Array(c * c);
  for (let i = 0; i < c; i++) for (let j = 0; j < c; j++) for (let k = 0; k < c; k++) G[i * c + j]! += T[k * c + i]! * T[k * c + j]!;
  return G;
}

function expectSameEvaluation(a: Evaluation, b: Evaluation, c: number): void {
  expect(a.m).toBe(b.m);
  expect(Math.abs(a.cost - b.cost)).toBeLessThanOrEqual(1e-12 * b.cost);
  const ga = gram(a.T!, c);
  const gb = gram(b.T!, c);
  const scale = Math.max(...gb.map(Math.abs));
  for (let i = 0; i < ga.length; i++) expect(Math.abs(ga[i]! - gb[i]!)).toBeLessThanOrEqual(1e-11 * scale);
}

async function streaming(source: DataSource, options: Partial<ConstructorParameters<typeof StreamingProblem>[0]> = {}) {
  return new StreamingProblem({
    backend: cpu(),
    kernel: expKernel(),
    source: await classifySource(source),
    loss: null,
    scheme: { kind: 'analytic' },
    blockRows: 64,
    ...options,
  });
}

describe('StreamingProblem', () => {
  const data = expData(500);
  const x = new Float64Array([2, 1, 0.3]);

  test.prop([fc.integer({ min: 1, max: 600 }), fc.integer({ min: 1, max: 200 }), fc.constantFrom('linear', 'soft_l1', 'cauchy'), fc.boolean()], {
    numRuns: 20,
  })('a pass gives the in-memory evaluation (cost, m and JᵀJ, Jᵀf) for any chunk and block size', async (chunk, blockRows, lossName, weighted) => {
    const loss = resolveLoss(lossName as 'linear', 0.7);
    const w = weighted ? data.sigma.map((s) => 1 / s) : null;
    const reference = createBlockProblem({ backend: cpu(), kernel: expKernel(), data: { x: [data.x], y: data.y, w }, n: 500, loss, scheme: { kind: 'analytic' } });
    const problem = await streaming(arraySource({ x: data.x, y: data.y, sigma: weighted ? data.sigma : null }, chunk), { loss, blockRows });
    expectSameEvaluation(await problem.evaluate(x, true), reference.evaluate(x, true) as Evaluation, 4);
    const costOnly = await problem.evaluate(x, false);
    expect(costOnly.T).toBeNull();
    expect(problem.passes).toBe(2);
    expect(problem.pointsSeen).toBe(1000);
  });

  it('uses the same finite-difference Jacobian as the in-memory walk', async () => {
    const scheme: JacobianScheme = { kind: '2-point', relStep: null, lb: new Float64Array(3).fill(-Infinity), ub: new Float64Array(3).fill(Infinity) };
    const kernel = expKernel(false);
    const reference = createBlockProblem({ backend: cpu(), kernel, data: { x: [data.x], y: data.y, w: null }, n: 500, loss: null, scheme });
    const problem = await streaming(arraySource({ x: data.x, y: data.y }, 77), { kernel, scheme });
    expect(problem.jacobianIsCheap).toBe(false);
    expectSameEvaluation(await problem.evaluate(x, true), reference.evaluate(x, true) as Evaluation, 4);
  });

  it('counts m on the first pass and reports each pass', async () => {
    const passes: number[] = [];
    const problem = await streaming(arraySource(data, 128), { onPass: (p) => void passes.push(p.points) });
    expect(problem.m).toBeNull();
    await problem.evaluate(x, false);
    expect(problem.m).toBe(500);
    expect(passes).toEqual([500]);
  });

  it('rejects a source whose point count changes between passes', async () => {
    let n = 10;
    const source = () => [{ x: new Float64Array(n).fill(1), y: new Float64Array(n--).fill(1) }];
    const problem = await streaming(source);
    await problem.evaluate(x, false);
    await expect(problem.evaluate(x, false)).rejects.toThrow(/yielded 8 points on pass 2 but 10 before/);
  });

  it('rejects a source with no chunks or only empty ones', async () => {
    await expect((await streaming([])).evaluate(x, true)).rejects.toThrow('fit: source yielded no data points (no chunks, or only empty ones)');
    await expect((await streaming([{ x: [], y: [] }])).evaluate(x, true)).rejects.toThrow(DataSourceError);
  });

  it('wraps a source that throws mid-pass, naming the chunk', async () => {
    const source = {
      async *[Symbol.asyncIterator]() {
        yield { x: [1, 2], y: [1, 2] };
        throw new TypeError('network down');
      },
    };
    const err = await (await streaming(source)).evaluate(x, true).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataSourceError);
    expect((err as Error).message).toBe('fit: source threw while reading chunk 1: network down');
    expect((err as Error).cause).toBeInstanceOf(TypeError);
  });

  it('refuses a one-pass source', async () => {
    async function* gen() {
      yield { x: [1], y: [1] };
    }
    await expect(streaming(gen())).rejects.toThrow(/exact streaming passes need a re-readable source/);
  });

  it('folds a 5M-point generated source with bounded heap growth (O(chunk), not O(m))', async () => {
    const n = 5_000_000;
    const chunk = 50_000;
    let peak = 0;
    const base = await retainedBytes();
    const source = {
      async *[Symbol.asyncIterator]() {
        for (let s = 0; s < n; s += chunk) {
          const xs = new Float64Array(chunk);
          const ys = new Float64Array(chunk);
          for (let i = 0; i < chunk; i++) {
            xs[i] = (4 * (s + i)) / n;
            ys[i] = 2 * Math.exp(-1.3 * xs[i]!) + 0.5;
          }
          yield { x: xs, y: ys };
          if (s % (25 * chunk) === 0) peak = Math.max(peak, (await retainedBytes()) - base);
        }
      },
    };
    const problem = await streaming(source, { blockRows: 4096, kernel: fusedExpKernel() });
    const ev = await problem.evaluate(new Float64Array([2, 1.3, 0.5]), true);
    expect(ev.m).toBe(n);
    expect(ev.cost).toBeLessThan(1e-20);
    expect(peak).toBeGreaterThan(0);
    // holding the data would take 5M × 2 × 8 B = 80 MB; a chunk is 0.8 MB
    expect(peak).toBeLessThan(8 * 2 ** 20);
  });
});
