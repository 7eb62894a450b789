import { describe, expect, it } from 'vitest';
import { AbortError, NlsqError } from '../../src/errors.ts';
import type { Evaluation, IterationInfo, ResidualProblem, SolverGenerator, SolverOutcome, SolverReply, SolverRequest } from '../../src/optim/evaluation.ts';
import { createSolver, driveSolver, runSolverAsync, runSolverSync } from '../../src/optim/driver.ts';
import { trf } from '../../src/optim/trf.ts';
import { createDenseProblem } from './dense-problem.ts';
import { caseOptions, loadFixture, problems } from './problems.ts';

const fixture = loadFixture();
const rosen = fixture.cases.find((c) => c.name === 'rosenbrock-trf')!;
const spec = problems(fixture).rosenbrock!;

/** Wrap a generator to observe whether it was closed. */
function tracked(gen: SolverGenerator): { gen: SolverGenerator; closed: () => boolean } {
  let closed = false;
  const wrapper = (function* (): SolverGenerator {
    try {
      return yield* gen;
    } finally {
      closed = true;
    }
  })();
  return { gen: wrapper, closed: () => closed };
}

function asyncProblem(inner: ResidualProblem): ResidualProblem {
  return {
    p: inner.p,
    jacobianIsCheap: inner.jacobianIsCheap,
    evaluate: async (x, jac) => {
      await Promise.resolve();
      return inner.evaluate(x, jac) as Evaluation;
    },
  };
}

describe('runSolverSync', () => {
  it('runs a solver to SciPy’s answer', () => {
    const problem = createDenseProblem(spec);
    const out = runSolverSync(trf(problem, caseOptions(rosen)), problem);
    expect(out.nfev).toBe(rosen.nfev);
    expect(out.status).toBe('gtol');
  });

  it('throws when the problem evaluates asynchronously, and closes the generator', () => {
    const problem = asyncProblem(createDenseProblem(spec));
    const t = tracked(trf(problem, caseOptions(rosen)));
    expect(() => runSolverSync(t.gen, problem)).toThrow(NlsqError);
    expect(() => runSolverSync(trf(problem, caseOptions(rosen)), problem)).toThrow(/asynchronous API/);
    expect(t.closed()).toBe(true);
  });

  it('stops with status "stopped" when onIteration returns false, after that iteration', () => {
    const problem = createDenseProblem(spec);
    const seen: IterationInfo[] = [];
    const out = runSolverSync(trf(problem, caseOptions(rosen)), problem, (info) => {
      seen.push(info);
      return info.iteration < 3;
    });
    expect(out.status).toBe('stopped');
    expect(out.message).toMatch(/onIteration callback returned false \(after iteration 3\)/);
    expect(seen.map((s) => s.iteration)).toEqual([1, 2, 3]);
    expect(out.history?.map((h) => [h.iteration, h.cost, h.stepNorm])).toEqual(seen.map((s) => [s.iteration, s.cost, s.stepNorm]));
    expect(out.nit).toBe(3);
    expect(seen[2]!.params).toEqual(Array.from(out.x));
  });

  it('reports non-increasing costs and the evaluations so far to onIteration', () => {
    const problem = createDenseProblem(spec);
    const seen: IterationInfo[] = [];
    runSolverSync(trf(problem, caseOptions(rosen)), problem, (info) => void seen.push(info));
    for (let k = 1; k < seen.length; k++) {
      expect(seen[k]!.cost).toBeLessThanOrEqual(seen[k - 1]!.cost);
      expect(seen[k]!.nfev).toBeGreaterThan(seen[k - 1]!.nfev);
    }
  });

  it('propagates an exception from evaluate and closes the generator', () => {
    const inner = createDenseProblem(spec);
    let calls = 0;
    const problem: ResidualProblem = {
      ...inner,
      evaluate(x, jac) {
        if (++calls === 4) throw new Error('model exploded');
        return inner.evaluate(x, jac);
      },
    };
    const t = tracked(trf(problem, caseOptions(rosen)));
    expect(() => runSolverSync(t.gen, problem)).toThrow('model exploded');
    expect(t.closed()).toBe(true);
  });
});

describe('runSolverAsync', () => {
  it('follows exactly the synchronous path', async () => {
    const sync = runSolverSync(trf(createDenseProblem(spec), caseOptions(rosen)), createDenseProblem(spec));
    const problem = asyncProblem(createDenseProblem(spec));
    const out = await runSolverAsync(trf(problem, caseOptions(rosen)), problem);
    expect(Array.from(out.x)).toEqual(Array.from(sync.x));
    expect(out.nfev).toBe(sync.nfev);
  });

  it('throws the one AbortError message when the signal aborts, and closes the generator', async () => {
    const controller = new AbortController();
    const inner = createDenseProblem(spec);
    const problem: ResidualProblem = {
      ...inner,
      evaluate(x, jac) {
        if (inner.points.length === 4) controller.abort(new Error('enough'));
        return inner.evaluate(x, jac);
      },
    };
    const t = tracked(trf(problem, caseOptions(rosen)));
    const error = await runSolverAsync(t.gen, problem, { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).message).toBe('curveFit: the fit was aborted by its AbortSignal');
    expect((error as AbortError).cause).toEqual(new Error('enough'));
    expect(t.closed()).toBe(true);
    expect(inner.points.length).toBe(5); // the evaluation during which it aborted completes; none follows
    await expect(runSolverAsync(trf(createDenseProblem(spec), caseOptions(rosen)), createDenseProblem(spec), { signal: controller.signal, caller: 'leastSquares' })).rejects.toThrow(
      'leastSquares: the fit was aborted by its AbortSignal',
    );
  });

  it('awaits an async onIteration and stops on false', async () => {
    const problem = createDenseProblem(spec);
    const out = await runSolverAsync(trf(problem, caseOptions(rosen)), problem, {
      onIteration: async (info) => {
        await Promise.resolve();
        return info.iteration < 2;
      },
    });
    expect(out.status).toBe('stopped');
    expect(out.nit).toBe(2);
  });

  it('propagates a rejected evaluation', async () => {
    const problem: ResidualProblem = { p: 2, jacobianIsCheap: false, evaluate: () => Promise.reject(new Error('source failed')) };
    await expect(runSolverAsync(trf(problem, caseOptions(rosen)), problem)).rejects.toThrow('source failed');
  });
});

describe('createSolver', () => {
  it('dispatches on options.method', () => {
    for (const name of ['rosenbrock-trf', 'rosenbrock-dogbox', 'rosenbrock-lm']) {
      const c = fixture.cases.find((k) => k.name === name)!;
      const problem = createDenseProblem(spec);
      const out = runSolverSync(createSolver(problem, caseOptions(c)), problem);
      expect(out.nfev).toBe(c.nfev);
    }
  });
});

const OUTCOME: SolverOutcome = {
  x: new Float64Array([1]),
  cost: 0,
  T: null,
  grad: new Float64Array(1),
  optimality: 0,
  activeMask: new Int8Array(1),
  status: 'gtol',
  message: 'done',
  nfev: 1,
  njev: 1,
  nit: 1,
};

/** A scripted solver: yields `requests` in order, records the replies and whether its `finally` ran. */
function scripted(requests: readonly SolverRequest[]): { gen: SolverGenerator; replies: SolverReply[]; finallyRan: () => boolean } {
  const replies: SolverReply[] = [];
  let ran = false;
  const gen = (function* (): SolverGenerator {
    try {
      for (const r of requests) replies.push(yield r);
      return OUTCOME;
    } finally {
      ran = true;
    }
  })();
  return { gen, replies, finallyRan: () => ran };
}

const X0 = new Float64Array([1]);
const INFO: IterationInfo = { iteration: 1, cost: 1, params: [1], gradientNorm: 1, stepNorm: 0, nfev: 1 };
const EVAL_J: SolverRequest = { kind: 'evaluate', x: X0, jacobian: true };
const EVAL: SolverRequest = { kind: 'evaluate', x: new Float64Array([2]), jacobian: false };
const ITER: SolverRequest = { kind: 'iteration', info: INFO };
const SCRIPT = [EVAL_J, ITER, EVAL, ITER];
const good: Evaluation = { cost: 1, m: 3, T: new Float64Array([2, 1, 0, 1]) };
const goodProblem: ResidualProblem = { p: 1, jacobianIsCheap: false, evaluate: () => good };

describe('the driver core closes the solver generator on every error path', () => {
  const boom = () => {
    throw new Error('boom');
  };
  const failing = (n: number): ResidualProblem => {
    let calls = 0;
    return { p: 1, jacobianIsCheap: false, evaluate: () => (++calls === n ? boom() : good) };
  };

  it('finishes normally: the outcome is returned with the iteration history and the solver’s finally ran once it returned', async () => {
    const { params: _, ...record } = INFO;
    const expected = { ...OUTCOME, history: [record, record] };
    const a = scripted(SCRIPT);
    expect(runSolverSync(a.gen, goodProblem)).toEqual(expected);
    expect(a.replies).toEqual([good, true, good, true]);
    expect(a.finallyRan()).toBe(true);
    const b = scripted(SCRIPT);
    expect(await runSolverAsync(b.gen, goodProblem)).toEqual(expected);
    expect(b.finallyRan()).toBe(true);
  });

  it.each([
    ['evaluate throws', failing(2), undefined, 'boom'],
    ['evaluate returns a Promise', { ...goodProblem, evaluate: () => Promise.resolve(good) }, undefined, 'curveFitSync: the problem evaluates asynchronously'],
    ['onIteration throws', goodProblem, boom, 'boom'],
    ['onIteration returns a Promise', goodProblem, () => Promise.resolve(true) as never, 'curveFitSync: onIteration must return a boolean or nothing in the synchronous API, got a Promise'],
  ] as const)('sync: %s', (_name, problem, onIteration, message) => {
    const s = scripted(SCRIPT);
    expect(() => runSolverSync(s.gen, problem, onIteration)).toThrow(message);
    expect(s.finallyRan()).toBe(true);
  });

  it.each([
    ['evaluate throws', failing(2), {}, 'boom'],
    ['evaluate rejects', { ...goodProblem, evaluate: () => Promise.reject(new Error('source failed')) }, {}, 'source failed'],
    ['onIteration rejects', goodProblem, { onIteration: () => Promise.reject(new Error('callback failed')) }, 'callback failed'],
    ['beforeIteration throws', goodProblem, { beforeIteration: boom }, 'boom'],
    ['the signal aborts', goodProblem, { signal: AbortSignal.abort(), caller: 'fit' }, 'fit: the fit was aborted by its AbortSignal'],
  ] as const)('async: %s', async (_name, problem, options, message) => {
    const s = scripted(SCRIPT);
    await expect(runSolverAsync(s.gen, problem, options)).rejects.toThrow(message);
    expect(s.finallyRan()).toBe(true);
  });

  it('closes the solver when the runner abandons the core', () => {
    const s = scripted(SCRIPT);
    const core = driveSolver(s.gen, { caller: 'curveFit', evaluate: () => good });
    expect(core.next().value).toMatchObject({ kind: 'evaluation' });
    core.return(undefined as never);
    expect(s.finallyRan()).toBe(true);
  });

  it('checks the signal before every request, iterations included', async () => {
    const controller = new AbortController();
    const s = scripted(SCRIPT);
    const run = runSolverAsync(s.gen, goodProblem, { signal: controller.signal, onIteration: () => void controller.abort() });
    await expect(run).rejects.toBeInstanceOf(AbortError);
    expect(s.replies).toEqual([good, true]); // aborted in the first onIteration: the next request is refused
    expect(s.finallyRan()).toBe(true);
  });
});

describe('the driver core with a primed evaluation', () => {
  function counting(): { problem: ResidualProblem; calls: Array<[number, boolean]> } {
    const calls: Array<[number, boolean]> = [];
    return { calls, problem: { p: 1, jacobianIsCheap: false, evaluate: (x, jac) => (calls.push([x[0]!, jac]), good) } };
  }
  const primedEv: Evaluation = { cost: 7, m: 3, T: new Float64Array([3, 2, 0, 1]) };

  it('answers the first request at its x without evaluating, the Jacobian with it when asked', async () => {
    const { problem, calls } = counting();
    const s = scripted([EVAL_J, { kind: 'evaluate', x: X0, jacobian: true }]);
    await runSolverAsync(s.gen, problem, { primed: { x: Float64Array.from(X0), evaluation: primedEv } });
    expect(s.replies[0]).toBe(primedEv);
    expect(s.replies[1]).toBe(good); // used once only
    expect(calls).toEqual([[1, true]]);
  });

  it('answers a cost-only first request with the cost alone', async () => {
    const { problem, calls } = counting();
    const s = scripted([{ kind: 'evaluate', x: X0, jacobian: false }]);
    await runSolverAsync(s.gen, problem, { primed: { x: X0, evaluation: primedEv } });
    expect(s.replies).toEqual([{ cost: 7, m: 3, T: null }]);
    expect(calls).toEqual([]);
  });

  it('drops it when the first request is elsewhere (bitwise: −0 is not 0)', async () => {
    const { problem, calls } = counting();
    const s = scripted([{ kind: 'evaluate', x: new Float64Array([-0]), jacobian: true }, EVAL_J]);
    await runSolverAsync(s.gen, problem, { primed: { x: new Float64Array([0]), evaluation: primedEv } });
    expect(calls).toEqual([[-0, true], [1, true]]);
  });

  it('tells beforeIteration what was served (the primed answer included), before onIteration', async () => {
    const order: string[] = [];
    const s = scripted([EVAL_J, ITER, EVAL, EVAL_J, ITER]);
    await runSolverAsync(s.gen, goodProblem, {
      primed: { x: X0, evaluation: primedEv },
      beforeIteration: async (_info, progress) => void order.push(`before ${progress.evaluations}/${progress.jacobians}`),
      onIteration: () => void order.push('on'),
    });
    expect(order).toEqual(['before 1/1', 'on', 'before 3/2', 'on']);
  });
});
