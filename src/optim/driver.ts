/**
 * Drivers: run a solver generator against a {@link ResidualProblem}.
 *
 * A solver yields `evaluate` and `iteration` requests (see `evaluation.ts`); a driver answers
 * them. There is one driver core, {@link driveSolver}: it serves the requests, checks the abort
 * signal before each one, answers a primed first evaluation, runs the callbacks, and closes the
 * solver generator (`return()`, so its `finally` blocks run) whenever the run ends early — an
 * error from the problem, a callback, the signal or the runner itself. The core never waits
 * itself: every evaluation and callback answer passes through the runner as a
 * {@link DriverWait}. {@link runSolverSync} hands the values straight back and refuses Promises
 * (`curveFitSync`, `leastSquaresSync` on CPU or wasm); {@link runSolverAsync} awaits them
 * (`curveFit`, WebGPU, and the exact phase of the streaming strategy). Sync, async and streaming
 * therefore run the same generator along the same path. The asynchronous runner also yields to
 * the event loop on a time budget (`util/yield-control.ts`, 10 ms by default) before an evaluation,
 * so that timers, I/O and the abort signal run during a fit whose evaluations are synchronous.
 *
 * @module
 */
import { NlsqError, throwIfAborted } from '../errors.ts';
import { dogbox } from './dogbox.ts';
import type { Evaluation, IterationInfo, IterationRecord, ResidualProblem, SolverGenerator, SolverOutcome, SolverReply } from './evaluation.ts';
import { lm } from './lm.ts';
import type { SolverOptions } from './solver-options.ts';
import { trf } from './trf.ts';
import { sameVector } from '../util/same-vector.ts';
import { createYielder, type Yielder } from '../util/yield-control.ts';

/**
 * The solver generator for `options.method` (`trf`, `dogbox` or `lm`).
 *
 * @param problem - p and whether the Jacobian is cheap.
 * @param options - resolved options (see `checkSolverOptions`).
 * @returns the generator, ready for {@link runSolverSync} or {@link runSolverAsync}.
 * @example
 * ```ts
 * const outcome = runSolverSync(createSolver(problem, options), problem);
 * ```
 */
export function createSolver(problem: Pick<ResidualProblem, 'p' | 'jacobianIsCheap'>, options: SolverOptions): SolverGenerator {
  switch (options.method) {
    case 'trf':
      return trf(problem, options);
    case 'dogbox':
      return dogbox(problem, options);
    case 'lm':
      return lm(problem, options);
  }
}

/** An evaluation already made at `x` (e.g. the streaming warm-up's guard pass at x0). */
export interface PrimedEvaluation {
  /** Where it was made. */
  readonly x: Float64Array;
  /** The evaluation there, with the triangle T. */
  readonly evaluation: Evaluation;
}

/** What the driver has served so far, for a hook that records progress (a checkpoint). */
export interface DriverProgress {
  /** Evaluation requests answered (a primed answer included). */
  readonly evaluations: number;
  /** Of those, the ones that asked for the Jacobian. */
  readonly jacobians: number;
}

/** How the driver core answers a solver: the evaluator, the callbacks and the cancellation. */
export interface DriverHooks {
  /** Public function name for messages. */
  readonly caller: string;
  /** Evaluate at x (with the triangle T when `jacobian`). */
  readonly evaluate: (x: Float64Array, jacobian: boolean) => Evaluation | PromiseLike<Evaluation>;
  /** Progress callback after each iteration; `false` stops the fit (status `'stopped'`). */
  readonly onIteration?: ((info: IterationInfo) => boolean | void | PromiseLike<boolean | void>) | undefined;
  /** Runs before `onIteration` at each iteration (the streaming checkpoint). */
  readonly beforeIteration?: ((info: IterationInfo, progress: DriverProgress) => void | PromiseLike<void>) | undefined;
  /** Cancels the fit; checked before every request. */
  readonly signal?: AbortSignal | undefined;
  /**
   * Answers the first evaluation request instead of `evaluate` when that request is at exactly
   * `primed.x` (a request without the Jacobian gets the cost alone); dropped after that request.
   */
  readonly primed?: PrimedEvaluation | null | undefined;
  /**
   * Asked before each evaluation request (a primed answer excepted): a Promise to wait on first —
   * a turn of the event loop once the time budget is spent — or null to go on at once. The signal
   * is checked after the wait, so an abort from a timer that ran during it is seen at once.
   */
  readonly pause?: Yielder | undefined;
}

/**
 * Something the driver core waits on — an evaluation, the answer of `onIteration`, or the end of
 * `beforeIteration` — as a value or, for the asynchronous runner, a Promise of it. The runner
 * sends the settled value back into the core.
 */
export type DriverWait =
  | { readonly kind: 'evaluation'; readonly value: Evaluation | PromiseLike<Evaluation> }
  | { readonly kind: 'onIteration'; readonly value: boolean | void | PromiseLike<boolean | void> }
  | { readonly kind: 'beforeIteration'; readonly value: void | PromiseLike<void> }
  | { readonly kind: 'pause'; readonly value: PromiseLike<void> };

/** The driver core as a generator: yields what it waits on, returns the solver's outcome. */
export type DriverCore = Generator<DriverWait, SolverOutcome, unknown>;

/**
 * The one driver core: advance the solver generator `gen`, answering its requests through
 * `hooks`. Before each request the signal is checked ({@link throwIfAborted}); an `evaluate`
 * request is answered by the primed evaluation when it matches, else by `hooks.evaluate`; an
 * `iteration` request runs `beforeIteration` then `onIteration`, and a `false` from the latter
 * is sent to the solver, which then stops. Every iteration's cost, step and gradient norm are
 * recorded and returned as the outcome's `history` (plots draw the convergence from it). When the run ends other than by the solver returning
 * — anything thrown here, or the runner closing the core — `gen.return()` is called, so the
 * solver's `finally` blocks run.
 *
 * @param gen - the solver generator (e.g. `lm(problem, options)`).
 * @param hooks - evaluator, callbacks, signal, primed evaluation and the caller's name.
 * @returns the core; drive it with a runner that settles each {@link DriverWait} and sends the
 *   value back (`runSolverSync`, `runSolverAsync`).
 * @throws AbortError (from the core, when resumed) when the signal has aborted.
 */
export function* driveSolver(gen: SolverGenerator, hooks: DriverHooks): DriverCore {
  let primed = hooks.primed ?? null;
  let evaluations = 0;
  let jacobians = 0;
  let reply: SolverReply | undefined;
  let finished = false;
  const history: IterationRecord[] = [];
  try {
    for (;;) {
      const step = reply === undefined ? gen.next() : gen.next(reply);
      if (step.done === true) {
        finished = true;
        return { ...step.value, history };
      }
      const req = step.value;
      const usePrimed = req.kind === 'evaluate' && primed !== null && sameVector(req.x, primed.x);
      if (req.kind === 'evaluate' && !usePrimed && hooks.pause !== undefined) {
        const turn = hooks.pause();
        if (turn !== null) yield { kind: 'pause', value: turn };
      }
      throwIfAborted(hooks.signal, hooks.caller);
      if (req.kind === 'evaluate') {
        let ev: Evaluation;
        if (usePrimed && primed !== null) {
          const first = primed.evaluation;
          ev = req.jacobian ? first : { cost: first.cost, m: first.m, T: null };
        } else {
          ev = (yield { kind: 'evaluation', value: hooks.evaluate(req.x, req.jacobian) }) as Evaluation;
        }
        primed = null;
        evaluations += 1;
        if (req.jacobian) jacobians += 1;
        reply = ev;
      } else {
        const { iteration, cost, gradientNorm, stepNorm, nfev } = req.info;
        history.push({ iteration, cost, gradientNorm, stepNorm, nfev });
        if (hooks.beforeIteration !== undefined) {
          yield { kind: 'beforeIteration', value: hooks.beforeIteration(req.info, { evaluations, jacobians }) };
        }
        const answer = hooks.onIteration === undefined ? undefined : yield { kind: 'onIteration', value: hooks.onIteration(req.info) };
        reply = answer !== false;
      }
    }
  } finally {
    if (!finished) gen.return(undefined as never);
  }
}

/** Options of {@link runSolverAsync}. */
export interface AsyncDriverOptions {
  /** Cancels the fit; checked before every request. */
  readonly signal?: AbortSignal | undefined;
  /** Progress callback after each iteration; returning `false` (or a Promise of false) stops the fit. */
  readonly onIteration?: ((info: IterationInfo) => boolean | void | PromiseLike<boolean | void>) | undefined;
  /** Runs (and is awaited) before `onIteration` at each iteration, with the evaluations served so far. */
  readonly beforeIteration?: ((info: IterationInfo, progress: DriverProgress) => void | PromiseLike<void>) | undefined;
  /** An evaluation already made, answering the first request at its x. */
  readonly primed?: PrimedEvaluation | null | undefined;
  /** Public function name for messages (default `'curveFit'`). */
  readonly caller?: string | undefined;
  /**
   * When to yield to the event loop (default: a fresh `createYielder()`, a turn every 10 ms of
   * work; see `util/yield-control.ts`).
   */
  readonly pause?: Yielder | undefined;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** The error of a Promise met by the synchronous runner. */
function notSynchronous(kind: DriverWait['kind'], caller: string): NlsqError {
  if (kind === 'evaluation') {
    return new NlsqError(`${caller}: the problem evaluates asynchronously (its backend or data source is asynchronous); use the asynchronous API instead`, 'ERR_NOT_SUPPORTED');
  }
  return new NlsqError(`${caller}: ${kind} must return a boolean or nothing in the synchronous API, got a Promise`, 'ERR_NOT_SUPPORTED', kind);
}

/**
 * Run a solver synchronously.
 *
 * @param gen - the solver generator (e.g. `trf(problem, options)`).
 * @param problem - a problem whose `evaluate` returns an {@link Evaluation} synchronously.
 * @param onIteration - optional progress callback; returning `false` stops the fit.
 * @param caller - public function name for messages (default `'curveFitSync'`).
 * @returns the solver's outcome.
 * @throws NlsqError (`ERR_NOT_SUPPORTED`) when `problem.evaluate` or `onIteration` returns a
 *   Promise; any error thrown by `problem.evaluate` or `onIteration` propagates. In every case
 *   the generator is closed first.
 */
export function runSolverSync(
  gen: SolverGenerator,
  problem: ResidualProblem,
  onIteration?: (info: IterationInfo) => boolean | void,
  caller = 'curveFitSync',
): SolverOutcome {
  const core = driveSolver(gen, { caller, evaluate: (x, jacobian) => problem.evaluate(x, jacobian), onIteration });
  let input: unknown;
  let finished = false;
  try {
    for (;;) {
      const step = core.next(input);
      if (step.done === true) {
        finished = true;
        return step.value;
      }
      const wait = step.value;
      if (isPromiseLike(wait.value)) {
        Promise.resolve(wait.value).catch(() => undefined);
        throw notSynchronous(wait.kind, caller);
      }
      input = wait.value;
    }
  } finally {
    if (!finished) core.return(undefined as never);
  }
}

/**
 * Run a solver asynchronously: evaluations and callbacks may return Promises (awaited), the
 * signal is checked before every request, a primed evaluation answers the first request at its x.
 * Before an evaluation, once 10 ms of work (the yielder's budget) have passed since the last turn,
 * it waits for a new macrotask, so that timers, I/O, UI events and the signal's abort run even
 * when every evaluation is synchronous; the solver's path and numbers do not change.
 *
 * @param gen - the solver generator.
 * @param problem - the problem.
 * @param options - signal, callbacks, primed evaluation and the caller's name.
 * @returns the solver's outcome.
 * @throws AbortError when the signal aborts ("curveFit: the fit was aborted by its AbortSignal");
 *   errors from `problem.evaluate` or the callbacks propagate. In every case the generator is
 *   closed first.
 */
export async function runSolverAsync(gen: SolverGenerator, problem: ResidualProblem, options: AsyncDriverOptions = {}): Promise<SolverOutcome> {
  const core = driveSolver(gen, {
    caller: options.caller ?? 'curveFit',
    evaluate: (x, jacobian) => problem.evaluate(x, jacobian),
    onIteration: options.onIteration,
    beforeIteration: options.beforeIteration,
    signal: options.signal,
    primed: options.primed,
    pause: options.pause ?? createYielder(),
  });
  let input: unknown;
  let finished = false;
  try {
    for (;;) {
      const step = core.next(input);
      if (step.done === true) {
        finished = true;
        return step.value;
      }
      input = await step.value.value;
    }
  } finally {
    if (!finished) core.return(undefined as never);
  }
}
