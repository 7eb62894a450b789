import { describe, expect, it } from 'vitest';
import { AbortError, NlsqError } from '../../src/errors.ts';
import type { Evaluation, IterationInfo, ResidualProblem, SolverGenerator } from '../../src/optim/evaluation.ts';
import { createSolver, runSolverAsync, runSolverSync } from '../../src/optim/driver.ts';
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

  it('throws AbortError naming the evaluations done when the signal aborts, and closes the generator', async () => {
    const controller = new AbortController();
    const inner = createDenseProblem(spec);
    const problem: ResidualProblem = {
      ...inner,
      evaluate(x, jac) {
        if (inner.points.length === 4) controller.abort();
        return inner.evaluate(x, jac);
      },
    };
    const t = tracked(trf(problem, caseOptions(rosen)));
    const run = runSolverAsync(t.gen, problem, { signal: controller.signal });
    await expect(run).rejects.toBeInstanceOf(AbortError);
    await expect(runSolverAsync(trf(createDenseProblem(spec), caseOptions(rosen)), createDenseProblem(spec), { signal: controller.signal })).rejects.toThrow(
      'curveFit: the fit was aborted by its AbortSignal after 0 evaluations',
    );
    expect(t.closed()).toBe(true);
  });

  it('aborts between evaluations with the count in the message', async () => {
    const controller = new AbortController();
    const inner = createDenseProblem(spec);
    const problem: ResidualProblem = {
      ...inner,
      evaluate(x, jac) {
        const ev = inner.evaluate(x, jac);
        if (inner.points.length === 5) controller.abort();
        return ev;
      },
    };
    await expect(runSolverAsync(trf(problem, caseOptions(rosen)), problem, { signal: controller.signal, caller: 'leastSquares' })).rejects.toThrow(
      'leastSquares: the fit was aborted by its AbortSignal after 5 evaluations',
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
