/**
 * The shared trust-region loop driven with a scripted step object and scripted evaluations, so
 * that every branch — acceptance, rejection, the radius rule, each termination reason, the
 * non-finite paths, the Jacobian requests and the callback — is checked against numbers written
 * out here rather than against the loop's own arithmetic.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { AbortError, ModelEvaluationError, NlsqError } from '../../src/errors.ts';
import { runSolverAsync, runSolverSync } from '../../src/optim/driver.ts';
import type { Evaluation, IterationInfo, SolverGenerator, SolverOutcome, SolverReply, SolverRequest } from '../../src/optim/evaluation.ts';
import type { SolverOptions } from '../../src/optim/solver-options.ts';
import { gtolMessage, maxNfevMessage, stoppedMessage } from '../../src/optim/termination.ts';
import { type LinearizedPoint, type MinimizerSteps, type TrialStep, trustRegionMinimizer } from '../../src/optim/trust-region-minimizer.ts';

const F = (a: number[]) => Float64Array.from(a);

/** The augmented triangle of a one-parameter problem: [R z; 0 ρ] with J = R, g = R·z. */
const tri = (r = 1, z = 1): Float64Array => F([r, z, 0, 0]);

/** One scripted trial: what the fake steps propose. */
interface Scripted {
  readonly step: number;
  readonly predicted: number;
  readonly boundaryHit?: boolean;
  /** Where x goes on acceptance, when it differs from the trial point. */
  readonly next?: number;
}

/** A step object that proposes the scripted trials in order and records what the loop told it. */
function fakeSteps(script: Scripted[], optimality: (at: LinearizedPoint) => number, Delta0 = 1) {
  const log = {
    starts: [] as { x: number[]; scale: number[]; m: number }[],
    linearized: [] as { x: number[]; scale: number[]; scaleInv: number[] }[],
    computed: [] as number[],
    radius: [] as [number, number][],
    accepted: [] as TrialStep[],
  };
  let k = 0;
  const steps: MinimizerSteps = {
    measure: 'fake‖g‖',
    start(at, m) {
      log.starts.push({ x: Array.from(at.x), scale: Array.from(at.scale.scale), m });
      return Delta0;
    },
    linearize(at) {
      log.linearized.push({ x: Array.from(at.x), scale: Array.from(at.scale.scale), scaleInv: Array.from(at.scale.scaleInv) });
      return {
        optimality: optimality(at),
        compute(Delta) {
          log.computed.push(Delta);
          const s = script[k++]!;
          const xTrial = F([at.x[0]! + s.step]);
          const xNext = s.next === undefined ? xTrial : F([s.next]);
          return { step: F([s.step]), xTrial, xNext, norm: Math.abs(s.step), predicted: s.predicted, boundaryHit: s.boundaryHit ?? false };
        },
      };
    },
    radiusChanged(from, to) {
      log.radius.push([from, to]);
    },
    accept(trial) {
      log.accepted.push(trial);
    },
    activeMask: (x) => Int8Array.from(x, (v) => (v <= 0 ? -1 : 0)),
  };
  return { steps, log };
}

const options = (o: Partial<SolverOptions> = {}): SolverOptions => ({
  method: 'trf',
  x0: F([1]),
  lb: F([-Infinity]),
  ub: F([Infinity]),
  ftol: 1e-8,
  xtol: 1e-8,
  gtol: 1e-8,
  maxNfev: 100,
  xScale: F([1]),
  jacobianCostsNfev: 0,
  ...o,
});

/** Drive a generator by hand, answering each request with `reply`; returns the outcome and the requests. */
function drive(gen: SolverGenerator, reply: (req: SolverRequest, index: number) => SolverReply) {
  const requests: SolverRequest[] = [];
  let step = gen.next();
  while (step.done !== true) {
    requests.push(step.value);
    step = gen.next(reply(step.value, requests.length - 1));
  }
  return { out: step.value, requests };
}

/** Answer evaluations from a list (in order) and iterations with `true` unless `stopAt` says so. */
function scripted(evaluations: Evaluation[], stopAt = -1) {
  let e = 0;
  return (req: SolverRequest): SolverReply => {
    if (req.kind === 'iteration') return req.info.iteration !== stopAt;
    return evaluations[e++]!;
  };
}

const ev = (cost: number, T: Float64Array | null = tri()): Evaluation => ({ cost, m: 4, T });
const evals = (requests: SolverRequest[]) => requests.filter((r) => r.kind === 'evaluate');
const infos = (requests: SolverRequest[]): IterationInfo[] => requests.flatMap((r) => (r.kind === 'iteration' ? [r.info] : []));

describe('trustRegionMinimizer: acceptance and the radius', () => {
  it('rejects a step that raises the cost (Δ = ¼‖s‖), accepts the next, doubles Δ on a very good boundary step', () => {
    const { steps, log } = fakeSteps([{ step: 0.8, predicted: 1 }, { step: -0.2, predicted: 2, boundaryHit: true }], (at) => (at.x[0] === 1 ? 1 : 0));
    const gen = trustRegionMinimizer({ p: 1, jacobianIsCheap: false }, options(), steps);
    const { out, requests } = drive(gen, scripted([ev(10), ev(11), ev(8), ev(8, tri(1, 0.5))]));
    expect(log.computed).toEqual([1, 0.2]);
    expect(log.radius).toEqual([
      [1, 0.2],
      [0.2, 0.4],
    ]);
    expect(log.accepted.map((t) => t.step[0])).toEqual([-0.2]);
    expect(evals(requests).map((r) => (r.kind === 'evaluate' ? [r.x[0], r.jacobian] : null))).toEqual([
      [1, true],
      [1.8, false],
      [0.8, false],
      [0.8, true],
    ]);
    expect(infos(requests)).toEqual([{ iteration: 1, cost: 8, params: [0.8], gradientNorm: 0, stepNorm: 0.2, nfev: 3 }]);
    expect(out).toMatchObject({ cost: 8, status: 'gtol', nfev: 3, njev: 2, nit: 1, optimality: 0 });
    expect(out.message).toBe(gtolMessage(0, 1e-8, 'fake‖g‖'));
    expect(Array.from(out.x)).toEqual([0.8]);
    expect(Array.from(out.grad)).toEqual([0.5]);
    expect(Array.from(out.T!)).toEqual([1, 0.5, 0, 0]);
  });

  it('keeps Δ for a middling ratio, for a very good step inside the region, and shrinks it when the model predicts no decrease', () => {
    const { steps, log } = fakeSteps(
      [
        { step: 0.5, predicted: 2 }, // ratio ½: keep
        { step: 0.5, predicted: 1 }, // ratio 1, not on the boundary: keep
        { step: 0.5, predicted: -1 }, // predicted < 0: ratio 0, Δ = ¼·0.5; the cost did fall, so accepted
      ],
      () => 1,
    );
    const gen = trustRegionMinimizer({ p: 1, jacobianIsCheap: true }, options({ maxNfev: 4 }), steps);
    drive(gen, scripted([ev(100), ev(99), ev(98), ev(97)]));
    expect(log.computed).toEqual([1, 1, 1]);
    expect(log.radius).toEqual([
      [1, 1],
      [1, 1],
      [1, 0.125],
    ]);
    expect(log.accepted).toHaveLength(3);
  });

  test.prop(
    [
      fc.array(
        fc.record({
          step: fc.double({ min: 1e-3, max: 2, noNaN: true }),
          predicted: fc.double({ min: -1, max: 2, noNaN: true }),
          actual: fc.oneof(fc.double({ min: -1, max: -1e-3, noNaN: true }), fc.double({ min: 1e-3, max: 2, noNaN: true }), fc.constant(NaN)),
          boundaryHit: fc.boolean(),
        }),
        { minLength: 1, maxLength: 25 },
      ),
    ],
    { numRuns: 200 },
  )('follows SciPy’s update_tr_radius trial by trial and counts nfev, njev, iterations as SciPy', (trials) => {
    const { steps, log } = fakeSteps(trials, () => 1, 0.7);
    let cost = 1000;
    let evaluations = 0;
    const reply = (req: SolverRequest): SolverReply => {
      if (req.kind === 'iteration') return true;
      if (evaluations++ === 0) return ev(cost);
      const t = trials[evaluations - 2]!;
      const trialCost = cost - t.actual;
      if (t.actual > 0) cost = trialCost;
      return ev(trialCost);
    };
    // ftol = xtol = 0 never hold; gtol = 0 never holds: the loop ends on maxNfev after every trial.
    const gen = trustRegionMinimizer({ p: 1, jacobianIsCheap: true }, options({ ftol: 0, xtol: 0, gtol: 0, maxNfev: trials.length + 1 }), steps);
    const { out, requests } = drive(gen, reply);
    let Delta = 0.7;
    let accepted = 0;
    let iterations = 0;
    for (let k = 0; k < trials.length; k++) {
      const t = trials[k]!;
      expect(log.computed[k]).toBe(Delta);
      if (Number.isNaN(t.actual)) {
        Delta = 0.25 * t.step;
        continue;
      }
      const ratio = t.predicted > 0 ? t.actual / t.predicted : 0;
      const next = ratio < 0.25 ? 0.25 * t.step : ratio > 0.75 && t.boundaryHit ? 2 * Delta : Delta;
      expect(log.radius.shift()).toEqual([Delta, next]);
      Delta = next;
      if (t.actual > 0) {
        accepted += 1;
        iterations += 1;
      }
    }
    if (!(trials.at(-1)!.actual > 0)) iterations += 1; // the evaluation limit ends a last, unsuccessful iteration
    expect(out).toMatchObject({ status: 'max-nfev', nfev: trials.length + 1, njev: 1 + accepted, nit: iterations, cost });
    const reported = infos(requests).map((i) => i.cost);
    expect(reported).toHaveLength(iterations);
    for (let i = 1; i < reported.length; i++) expect(reported[i]!).toBeLessThanOrEqual(reported[i - 1]!);
  });
});

describe('trustRegionMinimizer: termination', () => {
  const one = (o: Partial<SolverOptions>, trial: Scripted, trialCost: number, cost0 = 1) => {
    const { steps, log } = fakeSteps([trial], () => 1);
    const { out, requests } = drive(trustRegionMinimizer({ p: 1, jacobianIsCheap: false }, options(o), steps), scripted([ev(cost0), ev(trialCost), ev(trialCost)]));
    return { out, requests, log };
  };

  it('gtol at x0: no step is computed', () => {
    const { steps, log } = fakeSteps([], () => 1e-9);
    const { out, requests } = drive(trustRegionMinimizer({ p: 1, jacobianIsCheap: false }, options(), steps), scripted([ev(3)]));
    expect(requests).toHaveLength(1);
    expect(log.computed).toEqual([]);
    expect(out).toMatchObject({ status: 'gtol', nfev: 1, njev: 1, nit: 0, optimality: 1e-9, cost: 3 });
    expect(log.starts).toEqual([{ x: [1], scale: [1], m: 4 }]);
  });

  it('ftol: a tiny relative decrease with a good ratio, accepted', () => {
    const { out, log } = one({}, { step: 0.5, predicted: 1e-12 }, 1 - 1e-12);
    expect(out).toMatchObject({ status: 'ftol', nfev: 2, njev: 2, nit: 1 });
    expect(out.message).toMatch(/^`ftol` termination condition is satisfied: dF = 1\.0e-12 < ftol·F = 1\.0e-8 \(reduction ratio 1\.0e\+0 > 0\.25\)$/);
    expect(Array.from(out.x)).toEqual([1.5]);
    expect(log.radius).toEqual([]);
  });

  it('not ftol when the ratio is at most ¼', () => {
    const { out } = one({ maxNfev: 2 }, { step: 0.5, predicted: 1e-11 }, 1 - 1e-12);
    expect(out.status).toBe('max-nfev');
  });

  it('xtol: a tiny step ends the fit even when the cost rose, and x stays', () => {
    const { out, requests } = one({}, { step: 1e-12, predicted: 1 }, 2);
    expect(out).toMatchObject({ status: 'xtol', nfev: 2, njev: 1, nit: 1 });
    expect(out.message).toBe('`xtol` termination condition is satisfied: ‖dx‖ = 1.0e-12 < xtol·(xtol + ‖x‖) = 1.0e-8');
    expect(Array.from(out.x)).toEqual([1]);
    expect(infos(requests)[0]!.stepNorm).toBe(0);
  });

  it('ftol and xtol together', () => {
    const { out } = one({}, { step: 1e-12, predicted: 1e-12 }, 1 - 1e-12);
    expect(out.status).toBe('ftol-xtol');
    expect(out.message).toMatch(/^Both `ftol` and `xtol` termination conditions are satisfied: dF = .+; ‖dx‖ = .+$/);
  });

  it('max-nfev inside the inner loop ends the iteration and then the fit', () => {
    const { steps } = fakeSteps([{ step: 0.5, predicted: 1 }, { step: 0.1, predicted: 1 }], () => 1);
    const { out, requests } = drive(trustRegionMinimizer({ p: 1, jacobianIsCheap: false }, options({ maxNfev: 3 }), steps), scripted([ev(1), ev(2), ev(2)]));
    expect(infos(requests)).toEqual([{ iteration: 1, cost: 1, params: [1], gradientNorm: 1, stepNorm: 0, nfev: 3 }]);
    expect(out).toMatchObject({ status: 'max-nfev', nfev: 3, njev: 1, nit: 1 });
    expect(out.message).toBe(maxNfevMessage(3, 3));
  });

  it('max-nfev = 1 ends the fit before any step', () => {
    const { steps, log } = fakeSteps([], () => 1);
    const { out } = drive(trustRegionMinimizer({ p: 1, jacobianIsCheap: false }, options({ maxNfev: 1 }), steps), scripted([ev(1)]));
    expect(out).toMatchObject({ status: 'max-nfev', nfev: 1, nit: 0 });
    expect(log.computed).toEqual([]);
  });

  it('stopped: the callback’s false ends the fit after that iteration; optimality is the one the iteration began with', () => {
    const { steps } = fakeSteps([{ step: -0.5, predicted: 1 }, { step: -0.1, predicted: 1 }], (at) => at.x[0]!);
    const gen = trustRegionMinimizer({ p: 1, jacobianIsCheap: true }, options(), steps);
    const { out, requests } = drive(gen, scripted([ev(1), ev(0.5), ev(0.4)], 1));
    expect(infos(requests).map((i) => i.gradientNorm)).toEqual([0.5]);
    expect(out).toMatchObject({ status: 'stopped', nit: 1, nfev: 2, njev: 2, optimality: 1, cost: 0.5 });
    expect(out.message).toBe(stoppedMessage(1));
    expect(Array.from(out.x)).toEqual([0.5]);
    expect(Array.from(out.activeMask)).toEqual([0]);
  });
});

describe('trustRegionMinimizer: non-finite values and Jacobian requests', () => {
  it('a non-finite trial cost shrinks Δ to ¼‖s‖ without a ratio; so does a missing Jacobian at a cheap trial', () => {
    for (const bad of [ev(NaN, null), ev(0.5, null)]) {
      const { steps, log } = fakeSteps([{ step: 2, predicted: 1 }, { step: -0.5, predicted: 1 }], (at) => (at.x[0] === 1 ? 1 : 0));
      const { out } = drive(trustRegionMinimizer({ p: 1, jacobianIsCheap: true }, options(), steps), scripted([ev(1), bad, ev(0.5)]));
      expect(log.computed).toEqual([1, 0.5]);
      expect(log.radius).toEqual([[0.5, 0.5]]);
      expect(out).toMatchObject({ nfev: 3, njev: 2, status: 'gtol', cost: 0.5 });
    }
  });

  it('a non-finite Jacobian at the accepted point rejects the step and cancels a termination test that held', () => {
    const { steps, log } = fakeSteps([{ step: 1e-12, predicted: 1e-12 }, { step: -0.5, predicted: 1 }], (at) => (at.x[0] === 1 ? 1 : 0));
    const gen = trustRegionMinimizer({ p: 1, jacobianIsCheap: false }, options(), steps);
    const { out, requests } = drive(gen, scripted([ev(1), ev(1 - 1e-12), ev(1 - 1e-12, null), ev(0.5), ev(0.5)]));
    expect(log.computed).toEqual([1, 0.25e-12]);
    expect(infos(requests).map((i) => [i.cost, i.stepNorm, i.params[0]])).toEqual([
      [1, 0, 1],
      [0.5, 0.5, 0.5],
    ]);
    expect(log.accepted).toHaveLength(1);
    expect(out).toMatchObject({ status: 'gtol', nfev: 3, njev: 3, nit: 2 });
  });

  it('asks for the Jacobian with every trial when it is cheap, otherwise once per acceptance at the accepted point', () => {
    for (const cheap of [true, false]) {
      const { steps } = fakeSteps([{ step: 0.5, predicted: 1, next: 2 }], (at) => (at.x[0] === 1 ? 1 : 0));
      const { out, requests } = drive(trustRegionMinimizer({ p: 1, jacobianIsCheap: cheap }, options(), steps), scripted([ev(1), ev(0.5), ev(0.5)]));
      const asked = evals(requests).map((r) => (r.kind === 'evaluate' ? [r.x[0], r.jacobian] : null));
      expect(asked).toEqual(cheap ? [[1, true], [1.5, true]] : [[1, true], [1.5, false], [2, true]]);
      expect(Array.from(out.x)).toEqual([2]);
    }
  });

  it('hands the steps x0’s scaling and, for xScale = jac, the running maximum of the column norms', () => {
    const { steps, log } = fakeSteps([{ step: 0.5, predicted: 1 }, { step: 0.5, predicted: 1 }], (at) => (at.x[0]! < 2 ? 1 : 0));
    drive(trustRegionMinimizer({ p: 1, jacobianIsCheap: true }, options({ xScale: 'jac' }), steps), scripted([ev(1, tri(0)), ev(0.5, tri(4)), ev(0.25, tri(2))]));
    expect(log.linearized.map((l) => l.scaleInv)).toEqual([[1], [4], [4]]);
    const fixed = fakeSteps([{ step: 0.5, predicted: 1 }], (at) => (at.x[0] === 1 ? 1 : 0));
    drive(trustRegionMinimizer({ p: 1, jacobianIsCheap: true }, options({ xScale: F([3]) }), fixed.steps), scripted([ev(1, tri(0)), ev(0.5, tri(4))]));
    expect(fixed.log.linearized.map((l) => l.scale)).toEqual([[3], [3]]);
  });
});

describe('trustRegionMinimizer: the start and the drivers', () => {
  it('throws ModelEvaluationError when the cost or the Jacobian is not finite at x0', () => {
    const { steps } = fakeSteps([], () => 1);
    expect(() => drive(trustRegionMinimizer({ p: 1, jacobianIsCheap: false }, options({ caller: 'curveFit' }), steps), scripted([ev(NaN)]))).toThrow(
      new ModelEvaluationError('curveFit: the residuals must be finite at the initial point, got cost NaN at x0 = [1]', 'p0'),
    );
    expect(() => drive(trustRegionMinimizer({ p: 1, jacobianIsCheap: false }, options(), steps), scripted([ev(1, null)]))).toThrow(ModelEvaluationError);
  });

  it('refuses a boolean in answer to an evaluation', () => {
    const { steps } = fakeSteps([], () => 1);
    const gen = trustRegionMinimizer({ p: 1, jacobianIsCheap: false }, options(), steps);
    gen.next();
    expect(() => gen.next(true)).toThrow(NlsqError);
  });

  it('runs under both drivers; an async onIteration may stop it and an AbortSignal aborts it', async () => {
    const problem = { p: 1, jacobianIsCheap: true, evaluate: (x: Float64Array): Evaluation => ev((x[0]! - 3) ** 2, tri(1, x[0]! - 3)) };
    const trials = (): Scripted[] => [{ step: 1, predicted: 3 }, { step: 1, predicted: 2 }, { step: 0.5, predicted: 0.5 }];
    const gradient = (at: LinearizedPoint) => Math.abs(at.lin.g[0]!);
    const sync: SolverOutcome = runSolverSync(trustRegionMinimizer(problem, options(), fakeSteps(trials(), gradient).steps), problem);
    const stopped = await runSolverAsync(trustRegionMinimizer(problem, options(), fakeSteps(trials(), gradient).steps), problem, {
      onIteration: async (info) => info.iteration < 2,
    });
    expect(sync).toMatchObject({ status: 'gtol', nit: 2, cost: 0 });
    expect(stopped).toMatchObject({ status: 'stopped', nit: 2, cost: 0 });
    const controller = new AbortController();
    const run = runSolverAsync(trustRegionMinimizer(problem, options(), fakeSteps(trials(), gradient).steps), problem, {
      signal: controller.signal,
      onIteration: () => controller.abort(),
    });
    await expect(run).rejects.toThrow(new AbortError('curveFit: the fit was aborted by its AbortSignal'));
  });
});
