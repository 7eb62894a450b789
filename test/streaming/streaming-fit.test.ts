import { describe, expect, it } from 'vitest';
import { AbortError, DataSourceError, ModelEvaluationError } from '../../src/errors.ts';
import type { SolverGenerator, SolverOutcome } from '../../src/optim/evaluation.ts';
import { createSolver as createSolverFor } from '../../src/optim/driver.ts';
import type { StreamingCheckpoint } from '../../src/streaming/checkpoint.ts';
import { resolveLoss } from '../../src/optim/loss.ts';
import type { SolverOptions } from '../../src/optim/solver-options.ts';
import { type DataSource, arraySource } from '../../src/sources/data-source.ts';
import { type SolverFactory, type StreamingFitOptions, streamingFit } from '../../src/streaming/streaming-fit.ts';
import type { StreamingProgress } from '../../src/streaming/streaming-context.ts';
import { cpu, expData, expKernel, maxRelDiff, standardErrors, standardFit, trfOptions } from '../support/streaming-helpers.ts';

const N = 6000;
const data = expData(N, 3);
const kernel = expKernel();

function fit(source: DataSource, solver: SolverOptions, extra: Partial<StreamingFitOptions> = {}) {
  return streamingFit({ source, kernel, backend: cpu(), solver, loss: null, scheme: { kind: 'analytic' }, batchSize: 256, ...extra });
}

function expectSameFit(a: SolverOutcome, b: SolverOutcome, m: number): void {
  expect(maxRelDiff(a.x, b.x)).toBeLessThan(1e-9);
  expect(maxRelDiff(standardErrors(a.T!, 3, a.cost, m), standardErrors(b.T!, 3, b.cost, m))).toBeLessThan(1e-6);
}

describe('streamingFit: exact passes', () => {
  it('equals the standard strategy without warm-up (popt to 1e-9, standard errors to 1e-6), with sigma', async () => {
    const solver = trfOptions([1, 1, 0]);
    const reference = standardFit(kernel, data, solver);
    const r = await fit(arraySource(data, 997), solver, { warmup: false });
    expectSameFit(r.outcome, reference, N);
    expect(r.outcome.status).toBe(reference.status);
    expect(r.outcome.nfev).toBe(reference.nfev);
    expect(r).toMatchObject({ m: N, approximate: false, resumed: false, passes: reference.nfev, pointsSeen: reference.nfev * N });
    expect(r.warmup.enabled).toBe(false);
  });

  it('reaches the standard optimum after the warm-up, and the warm-up never starts the solver from a worse point', async () => {
    const solver = trfOptions([1, 1, 0], 1e-13);
    const reference = standardFit(kernel, data, solver);
    const r = await fit(arraySource(data, 1000), solver);
    expectSameFit(r.outcome, reference, N);
    expect(r.warmup.enabled).toBe(true);
    expect(r.warmup.batches).toBeGreaterThan(0);
    expect(r.warmup.used).toBe(r.warmup.endCost! < r.warmup.startCost!);
  });

  it('honours half-infinite bounds (reflective TRF, no NaN) and a robust loss like the standard strategy', async () => {
    const solver = trfOptions([1, 1.6, 0], 1e-12, [-Infinity, 1.4, -Infinity], [Infinity, Infinity, 0.45]);
    const loss = resolveLoss('soft_l1', 0.2);
    const reference = standardFit(kernel, data, solver, loss);
    const r = await fit(arraySource(data, 512), solver, { loss, warmup: { maxEpochs: 2 } });
    expectSameFit(r.outcome, reference, N);
    expect(r.outcome.x[1]).toBeGreaterThanOrEqual(1.4);
    expect(r.outcome.x[2]).toBeLessThanOrEqual(0.45);
    expect(Array.from(r.outcome.activeMask)).toEqual(Array.from(reference.activeMask));
  });

  it('runs dogbox and lm through the default solver factory to the same optimum', async () => {
    const reference = standardFit(kernel, data, trfOptions([1, 1, 0], 1e-12)).x;
    for (const method of ['dogbox', 'lm'] as const) {
      const solver: SolverOptions = { ...trfOptions([1, 1, 0], 1e-12), method };
      const r = await fit(arraySource(data, 2000), solver, { warmup: false });
      expect(maxRelDiff(r.outcome.x, reference)).toBeLessThan(1e-8);
    }
    await expect(fit(arraySource(data, 2000), { ...trfOptions([1, 1, 0]), method: 'newton' as never })).rejects.toThrow(
      `fit: method must be one of 'trf', 'dogbox', 'lm', got "newton"`,
    );
  });

  it('reports progress after every pass, warm-up then exact, with points counted', async () => {
    const progress: StreamingProgress[] = [];
    const r = await fit(arraySource(data, 1500), trfOptions([1, 1, 0]), { onProgress: (p) => void progress.push(p) });
    expect(progress.map((p) => p.pass)).toEqual(progress.map((_, i) => i + 1));
    expect(progress.length).toBe(r.passes);
    const phases = progress.map((p) => p.phase);
    expect(phases.lastIndexOf('warmup')).toBeLessThan(phases.indexOf('exact'));
    expect(progress.at(-1)!.pointsSeen).toBe(r.pointsSeen);
    expect(r.pointsSeen).toBe(r.passes * N);
  });

  it('stops with status stopped when onIteration returns false, and with an AbortError on abort', async () => {
    const r = await fit(arraySource(data, 1500), trfOptions([1, 1, 0]), { warmup: false, onIteration: () => false });
    expect(r.outcome.status).toBe('stopped');
    const ac = new AbortController();
    const run = fit(arraySource(data, 1500), trfOptions([1, 1, 0]), { signal: ac.signal, onProgress: () => ac.abort() });
    await expect(run).rejects.toThrow(AbortError);
  });
});

describe('streamingFit: bad input never gives an answer', () => {
  it('rejects a chunk with NaN met in a later pass, naming the chunk and index', async () => {
    let pass = 0;
    const source = () => {
      pass++;
      const y = Float64Array.from(data.y);
      if (pass >= 4) y[1500 + 17] = NaN;
      return arraySource({ x: data.x, y }, 500);
    };
    await expect(fit(source, trfOptions([1, 1, 0]), { warmup: false })).rejects.toThrow('fit: source chunk 3 has NaN in y at index 17');
  });

  it('rejects a source that throws in the exact phase, with the cause', async () => {
    let pass = 0;
    const source = () => {
      const p = ++pass;
      return (async function* () {
        yield* arraySource(data, 3000);
        if (p === 5) throw new Error('connection reset');
      })();
    };
    const err = await fit(source, trfOptions([1, 1, 0]), { warmup: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataSourceError);
    expect((err as Error).message).toBe('fit: source threw while reading chunk 2: connection reset');
  });

  it('rejects empty sources and chunk length mismatches', async () => {
    await expect(fit([], trfOptions([1, 1, 0]))).rejects.toThrow(/no data points/);
    await expect(fit([{ x: [1, 2, 3], y: [1, 2] }], trfOptions([1, 1, 0]), { warmup: false })).rejects.toThrow(
      'fit: source chunk 0: x must have length 2 (one per y value), got 3',
    );
  });

  it('reports a model that is not finite at the start', async () => {
    const solver = trfOptions([1, -800, 0]);
    await expect(fit(arraySource(data, 3000), solver, { warmup: false })).rejects.toThrow(ModelEvaluationError);
  });
});

describe('streamingFit: the exact phase runs on the shared driver core', () => {
  /** The default solver, wrapped so that the test sees whether its `finally` ran. */
  function recordingFactory(): { createSolver: SolverFactory; closed: () => boolean; evaluations: () => number; jacobiansAtIteration: number[] } {
    let closed = false;
    let evaluations = 0;
    let jacobians = 0;
    const jacobiansAtIteration: number[] = [];
    const createSolver: SolverFactory = (problem, options) =>
      (function* (): SolverGenerator {
        const inner = createSolverFor(problem, options);
        try {
          let r = inner.next();
          while (r.done !== true) {
            if (r.value.kind === 'evaluate') {
              evaluations++;
              if (r.value.jacobian) jacobians++;
            } else jacobiansAtIteration.push(jacobians);
            r = inner.next(yield r.value);
          }
          return r.value;
        } finally {
          closed = true;
          inner.return(undefined as never);
        }
      })();
    return { createSolver, closed: () => closed, evaluations: () => evaluations, jacobiansAtIteration };
  }

  it('closes the solver generator when a pass fails', async () => {
    let pass = 0;
    const source = () => {
      const p = ++pass;
      return (async function* () {
        yield* arraySource(data, 3000);
        if (p === 3) throw new Error('connection reset');
      })();
    };
    const rec = recordingFactory();
    await expect(fit(source, trfOptions([1, 1, 0]), { warmup: false, createSolver: rec.createSolver })).rejects.toThrow(DataSourceError);
    expect(rec.closed()).toBe(true);
  });

  it('closes it on abort, with the one abort message', async () => {
    const ac = new AbortController();
    const rec = recordingFactory();
    const run = fit(arraySource(data, 1500), trfOptions([1, 1, 0]), { warmup: false, signal: ac.signal, createSolver: rec.createSolver, onIteration: () => void ac.abort() });
    await expect(run).rejects.toThrow(new AbortError('fit: the fit was aborted by its AbortSignal'));
    expect(rec.closed()).toBe(true);
  });

  it('closes it when a checkpoint callback throws', async () => {
    const rec = recordingFactory();
    const onCheckpoint = (state: { phase: string }) => {
      if (state.phase === 'exact') throw new Error('disk full');
    };
    await expect(fit(arraySource(data, 1500), trfOptions([1, 1, 0]), { warmup: false, createSolver: rec.createSolver, onCheckpoint })).rejects.toThrow('disk full');
    expect(rec.closed()).toBe(true);
  });

  it('answers the first request with the warm-up guard pass (no pass of its own), counting it as a Jacobian pass', async () => {
    const checkpoints: StreamingCheckpoint[] = [];
    const rec = recordingFactory();
    let exactPasses = 0;
    const r = await fit(arraySource(data, 1500), trfOptions([1, 1, 0]), {
      createSolver: rec.createSolver,
      onCheckpoint: (c) => void checkpoints.push(c),
      onProgress: (p) => void (exactPasses += p.phase === 'exact' ? 1 : 0),
    });
    expect(r.warmup.used).toBe(true);
    expect(exactPasses).toBe(rec.evaluations() - 1);
    // njev of each exact checkpoint: the Jacobian requests so far, the primed x0 answer included
    expect(checkpoints.filter((c) => c.phase === 'exact').map((c) => c.njev)).toEqual(rec.jacobiansAtIteration);
    expect(rec.closed()).toBe(true);
  });
});

describe('streamingFit: one-pass sources', () => {
  it('fits a plain iterator by mini-batches only, flagged approximate with a warning', async () => {
    async function* once() {
      yield* arraySource(data, 500);
    }
    const p0 = [1, 1, 0];
    const r = await fit(once(), trfOptions(p0), { batchSize: 100, warmup: { learningRate: 0.05 } });
    expect(r.approximate).toBe(true);
    expect(r.warnings[0]).toMatch(/read only once.*approximate/);
    expect(r.outcome.status).toBe('max-nfev');
    expect(r.outcome.T).toBeNull();
    expect(r).toMatchObject({ m: N, passes: 1, pointsSeen: N });
    const truth = [2.5, 1.3, 0.5];
    expect(maxRelDiff(r.outcome.x, truth)).toBeLessThan(maxRelDiff(p0, truth));
  });

  it('refuses to resume with a one-pass source', async () => {
    async function* once() {
      yield* arraySource(data, 500);
    }
    const ckpt = { format: 'nlsq-streaming-checkpoint', version: 1, phase: 'exact', p0: [1, 1, 0], x: [1, 1, 0], cost: 1, m: N, passes: 1, pointsSeen: N, nfev: 1, njev: 1, nit: 1, warmup: null, warmupSummary: null };
    await expect(fit(once(), trfOptions([1, 1, 0]), { resumeFrom: ckpt })).rejects.toThrow(/resumeFrom needs a re-readable source/);
  });
});
