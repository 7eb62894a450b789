/**
 * Drivers: run a solver generator against a {@link ResidualProblem}.
 *
 * A solver yields `evaluate` and `iteration` requests (see `evaluation.ts`); a driver answers
 * them. The synchronous driver serves `curveFitSync`/`leastSquaresSync` with synchronous
 * problems (CPU and wasm backends); the asynchronous one serves everything else (streaming
 * sources, WebGPU) and adds cancellation and progress callbacks. Both run the *same* generator,
 * so the iteration path does not depend on the driver.
 *
 * @module
 */
import { AbortError, NlsqError } from '../errors.ts';
import { dogbox } from './dogbox.ts';
import type { Evaluation, IterationInfo, ResidualProblem, SolverGenerator, SolverOutcome, SolverReply } from './evaluation.ts';
import { lm } from './lm.ts';
import type { SolverOptions } from './solver-options.ts';
import { trf } from './trf.ts';

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

/** Options of {@link runSolverAsync}. */
export interface AsyncDriverOptions {
  /** Cancels the fit; checked before every evaluation. */
  readonly signal?: AbortSignal;
  /** Progress callback after each iteration; returning `false` (or a Promise of false) stops the fit. */
  readonly onIteration?: (info: IterationInfo) => boolean | void | Promise<boolean | void>;
  /** Public function name for messages (default `'curveFit'`). */
  readonly caller?: string;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * Run a solver synchronously.
 *
 * @param gen - the solver generator (e.g. `trf(problem, options)`).
 * @param problem - a problem whose `evaluate` returns an {@link Evaluation} synchronously.
 * @param onIteration - optional progress callback; returning `false` stops the fit.
 * @param caller - public function name for messages (default `'curveFitSync'`).
 * @returns the solver's outcome.
 * @throws NlsqError (`ERR_NOT_SUPPORTED`) when `problem.evaluate` returns a Promise; any error
 *   thrown by `problem.evaluate` or `onIteration` propagates after the generator is closed.
 */
export function runSolverSync(
  gen: SolverGenerator,
  problem: ResidualProblem,
  onIteration?: (info: IterationInfo) => boolean | void,
  caller = 'curveFitSync',
): SolverOutcome {
  let reply: SolverReply | undefined;
  let done = false;
  try {
    for (;;) {
      const step = reply === undefined ? gen.next() : gen.next(reply);
      if (step.done === true) {
        done = true;
        return step.value;
      }
      const req = step.value;
      if (req.kind === 'evaluate') {
        const ev = problem.evaluate(req.x, req.jacobian);
        if (isPromiseLike(ev)) {
          (ev as Promise<Evaluation>).catch(() => undefined);
          throw new NlsqError(`${caller}: the problem evaluates asynchronously (its backend or data source is asynchronous); use the asynchronous API instead`, 'ERR_NOT_SUPPORTED');
        }
        reply = ev;
      } else {
        const r = onIteration === undefined ? undefined : onIteration(req.info);
        if (isPromiseLike(r)) {
          throw new NlsqError(`${caller}: onIteration must return a boolean or nothing in the synchronous API, got a Promise`, 'ERR_NOT_SUPPORTED', 'onIteration');
        }
        reply = r !== false;
      }
    }
  } finally {
    if (!done) gen.return(undefined as never);
  }
}

/**
 * Run a solver asynchronously: evaluations may return Promises, `signal` is checked before each
 * evaluation, `onIteration` may be async.
 *
 * @param gen - the solver generator.
 * @param problem - the problem.
 * @param options - signal, onIteration and the caller's name.
 * @returns the solver's outcome.
 * @throws AbortError when the signal is aborted ("curveFit: the fit was aborted by its
 *   AbortSignal after N evaluations"); errors from `problem.evaluate` or `onIteration` propagate
 *   after the generator is closed.
 */
export async function runSolverAsync(
  gen: SolverGenerator,
  problem: ResidualProblem,
  options: AsyncDriverOptions = {},
): Promise<SolverOutcome> {
  const { signal, onIteration } = options;
  const caller = options.caller ?? 'curveFit';
  let reply: SolverReply | undefined;
  let evaluations = 0;
  let done = false;
  try {
    for (;;) {
      const step = reply === undefined ? gen.next() : gen.next(reply);
      if (step.done === true) {
        done = true;
        return step.value;
      }
      const req = step.value;
      if (req.kind === 'evaluate') {
        if (signal?.aborted === true) {
          throw new AbortError(`${caller}: the fit was aborted by its AbortSignal after ${evaluations} evaluations`, { cause: signal.reason });
        }
        reply = await problem.evaluate(req.x, req.jacobian);
        evaluations += 1;
      } else {
        const r = onIteration === undefined ? undefined : await onIteration(req.info);
        reply = r !== false;
      }
    }
  } finally {
    if (!done) gen.return(undefined as never);
  }
}
