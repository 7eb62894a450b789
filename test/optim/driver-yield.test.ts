import { describe, expect, it } from 'vitest';
import { AbortError } from '../../src/errors.ts';
import { driveSolver, runSolverAsync, runSolverSync, type DriverWait } from '../../src/optim/driver.ts';
import type { Evaluation, ResidualProblem, SolverGenerator, SolverOutcome, SolverRequest } from '../../src/optim/evaluation.ts';
import { trf } from '../../src/optim/trf.ts';
import { createDenseProblem } from './dense-problem.ts';
import { caseOptions, loadFixture, problems } from './problems.ts';

const fixture = loadFixture();
const rosen = fixture.cases.find((c) => c.name === 'rosenbrock-trf')!;
const spec = problems(fixture).rosenbrock!;

function busy(ms: number): void {
  const start = performance.now();
  while (performance.now() - start < ms);
}

/** The Rosenbrock problem, each (synchronous) evaluation taking `ms` of busy work. */
function slowProblem(ms: number): ResidualProblem & { readonly calls: () => number } {
  const inner = createDenseProblem(spec);
  let calls = 0;
  return {
    p: inner.p,
    jacobianIsCheap: inner.jacobianIsCheap,
    evaluate(x, jac) {
      calls++;
      busy(ms);
      return inner.evaluate(x, jac) as Evaluation;
    },
    calls: () => calls,
  };
}

/** A solver that asks for `n` evaluations at x = [1] and then returns (a long fit of cheap steps). */
function manyEvaluations(n: number): SolverGenerator {
  return (function* (): SolverGenerator {
    const x = new Float64Array([1]);
    for (let i = 0; i < n; i++) yield { kind: 'evaluate', x, jacobian: false } satisfies SolverRequest;
    const outcome: SolverOutcome = {
      x,
      cost: 0,
      T: null,
      grad: new Float64Array(1),
      optimality: 0,
      activeMask: new Int8Array(1),
      status: 'maxNfev',
      message: 'done',
      nfev: n,
      njev: 0,
      nit: 0,
    };
    return outcome;
  })();
}

describe('the asynchronous driver yields to the event loop (issue 21, defect 1)', () => {
  it('honours an abort from setTimeout(…, 5) during a fit whose evaluations are synchronous', async () => {
    let calls = 0;
    const cheap: ResidualProblem = {
      p: 1,
      jacobianIsCheap: false,
      evaluate: () => {
        calls++;
        busy(1);
        return { cost: 1, m: 1, T: null };
      },
    };
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('timer')), 5);
    const error = await runSolverAsync(manyEvaluations(5000), cheap, { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).cause).toEqual(new Error('timer'));
    expect(calls).toBeLessThan(5000); // stopped before the end, not after
  });

  it('honours AbortSignal.timeout during a TRF fit of slow synchronous evaluations', async () => {
    const problem = slowProblem(4);
    const error = await runSolverAsync(trf(problem, caseOptions(rosen)), problem, { signal: AbortSignal.timeout(5) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(problem.calls()).toBeLessThan(rosen.nfev);
  });

  it('lets interval timers tick during the fit', async () => {
    let ticks = 0;
    const interval = setInterval(() => ticks++, 1);
    try {
      const problem = slowProblem(3);
      const out = await runSolverAsync(trf(problem, caseOptions(rosen)), problem);
      expect(out.nfev).toBe(rosen.nfev);
      expect(ticks).toBeGreaterThan(0);
    } finally {
      clearInterval(interval);
    }
  });

  it('does not change the path: the same outcome with yielding on every request and never', async () => {
    const never = await runSolverAsync(trf(createDenseProblem(spec), caseOptions(rosen)), createDenseProblem(spec), { pause: () => null });
    const always = await runSolverAsync(trf(createDenseProblem(spec), caseOptions(rosen)), createDenseProblem(spec), { pause: () => Promise.resolve() });
    const sync = runSolverSync(trf(createDenseProblem(spec), caseOptions(rosen)), createDenseProblem(spec));
    for (const out of [never, always]) {
      expect(Array.from(out.x)).toEqual(Array.from(sync.x));
      expect(out.cost).toBe(sync.cost);
      expect(out.nfev).toBe(sync.nfev);
    }
  });

  it('asks the pause hook before each evaluation request, not before a primed one nor an iteration', () => {
    const problem = createDenseProblem(spec);
    const x0 = Float64Array.from(caseOptions(rosen).x0);
    const primedEval = problem.evaluate(x0, true) as Evaluation;
    let pauses = 0;
    let evaluations = 0;
    const core = driveSolver(trf(problem, caseOptions(rosen)), {
      caller: 'curveFit',
      evaluate: (x, jac) => {
        evaluations++;
        return problem.evaluate(x, jac);
      },
      primed: { x: x0, evaluation: primedEval },
      pause: () => {
        pauses++;
        return pauses % 2 === 0 ? Promise.resolve() : null;
      },
    });
    const kinds: DriverWait['kind'][] = [];
    let input: unknown;
    for (;;) {
      const step = core.next(input);
      if (step.done === true) break;
      kinds.push(step.value.kind);
      input = step.value.value;
    }
    expect(pauses).toBe(evaluations);
    let unprimed = 0;
    runSolverSync(trf(createDenseProblem(spec), caseOptions(rosen)), {
      ...problem,
      evaluate: (x, jac) => {
        unprimed++;
        return problem.evaluate(x, jac);
      },
    });
    expect(evaluations).toBe(unprimed - 1); // the primed first evaluation is not paused for
    expect(kinds.filter((k) => k === 'pause').length).toBe(Math.floor(pauses / 2));
  });
});
