/**
 * Multi-start: fit from many starts with the caller's own method and options, keep the best.
 * p0 is always start 0; the others are the first `starts − 1` points of the chosen design
 * (`sampling/`), mapped into the sampling box (`start-box.ts`). Each start is the caller's fit
 * with only `x0` replaced — a fresh warnings array, the caller's `onIteration` and verbose lines
 * off (they would interleave), the caller's `signal` honoured — so the winner's result, pcov and
 * statistics included, is exactly the one `curveFit` / `leastSquares` returns from that start
 * (NLSQ's `MultiStartOrchestrator`; SciPy users write this loop around `curve_fit`).
 *
 * The search itself ({@link multiStartSearch}) is a generator over starts, driven synchronously
 * or asynchronously by {@link runStartsSync} / {@link runStarts}, so both APIs share one core.
 * A start whose fit throws (the model not finite there, …) is recorded and skipped; an abort
 * ends the search; when every start fails, the first start's error is thrown.
 *
 * @module
 */
import { AbortError, throwIfAborted } from '../errors.ts';
import type { IterationInfo } from '../optim/evaluation.ts';
import type { ResolvedGlobal } from '../options/global-option.ts';
import type { SolverSettings } from '../options/solver-settings.ts';
import { samplePoints } from '../sampling/sample-points.ts';
import { COST_RTOL, distinctMinima, type LocalFit } from './distinct-minima.ts';
import { fromUnit, type StartBox } from './start-box.ts';
import type { GlobalMinimum } from '../result/global-summary.ts';

/** What the search reads of a local fit's result. */
export interface LocalResult {
  /** Final cost. */
  readonly cost: number;
  /** Function evaluations. */
  readonly nfev: number;
}

/** The fields of a resolved call that a start replaces. */
export interface StartableCall {
  /** Solver settings; `solver.x0` is the start. */
  readonly settings: SolverSettings;
  /** The caller's per-iteration callback (off for the starts). */
  readonly onIteration: ((info: IterationInfo) => boolean | void) | undefined;
  /** Verbosity (0 for the starts). */
  readonly verbose: 0 | 1 | 2;
  /** Where verbose lines go. */
  readonly log: (line: string) => void;
}

/**
 * The caller's resolved call, started from x0: x0 replaced, a fresh warnings array, no
 * `onIteration`, silent.
 *
 * @param resolved - the resolved call.
 * @param x0 - the start (free parameters).
 * @returns the call for that start.
 */
export function fromStart<T extends StartableCall>(resolved: T, x0: Float64Array): T {
  const { settings } = resolved;
  return { ...resolved, settings: { ...settings, solver: { ...settings.solver, x0 }, warnings: [...settings.warnings] }, onIteration: undefined, verbose: 0, log: () => {} };
}

/**
 * The starts of a multi-start search: p0, then `starts − 1` points of the design in the box.
 *
 * @param search - the resolved `global` option.
 * @param x0 - p0.
 * @param box - the sampling box.
 * @returns the starts, p0 first.
 */
export function startPoints(search: ResolvedGlobal, x0: Float64Array, box: StartBox): Float64Array[] {
  const starts: Float64Array[] = [Float64Array.from(x0)];
  const p = x0.length;
  if (search.starts > 1) {
    const u = samplePoints(search.sampler, search.starts - 1, p, { scramble: search.scramble, seed: search.seed });
    for (let i = 0; i < search.starts - 1; i++) starts.push(fromUnit(box, u.subarray(i * p, (i + 1) * p)));
  }
  return starts;
}

/** The answer to one start: its result, or the error its fit threw. */
export type StartReply<R> = { readonly result: R } | { readonly error: unknown };

/** What a multi-start search found. */
export interface MultiStartOutcome<R> {
  /** The best fit's result. */
  readonly best: R;
  /** Its start's index. */
  readonly winner: number;
  /** The distinct minima, best first. */
  readonly minima: GlobalMinimum[];
  /** Starts whose fit threw. */
  readonly failed: { readonly start: number; readonly message: string }[];
  /** Σ nfev over the finished fits. */
  readonly evaluations: number;
  /** Local fits run. */
  readonly starts: number;
}

/**
 * The search as a generator: yields each start, receives its reply, returns the outcome. The
 * winner is the earliest start whose cost is within {@link COST_RTOL} (relative) of the lowest —
 * so when p0's own fit already reaches the best minimum (to rounding), the result is that fit,
 * bit for bit the plain `curveFit`.
 *
 * @param starts - the starts.
 * @param solution - the parameters of a result (for clustering).
 * @throws the first start's error when every start failed.
 */
export function* multiStartSearch<R extends LocalResult>(starts: readonly Float64Array[], solution: (result: R) => readonly number[]): Generator<Float64Array, MultiStartOutcome<R>, StartReply<R>> {
  const fits: LocalFit[] = [];
  const results: { result: R; start: number }[] = [];
  const failed: { start: number; message: string }[] = [];
  const errors: unknown[] = [];
  let evaluations = 0;
  for (let start = 0; start < starts.length; start++) {
    const reply = yield starts[start]!;
    if ('error' in reply) {
      errors.push(reply.error);
      failed.push({ start, message: reply.error instanceof Error ? reply.error.message : String(reply.error) });
      continue;
    }
    const { result } = reply;
    evaluations += result.nfev;
    fits.push({ start, cost: result.cost, x: solution(result) });
    if (Number.isFinite(result.cost)) results.push({ result, start });
  }
  if (results.length === 0) throw errors[0];
  const lowest = Math.min(...results.map((r) => r.result.cost));
  const best = results.find((r) => r.result.cost <= lowest + COST_RTOL * Math.abs(lowest))!;
  return { best: best.result, winner: best.start, minima: distinctMinima(fits), failed, evaluations, starts: starts.length };
}

function settle<R>(run: () => R): StartReply<R> {
  try {
    return { result: run() };
  } catch (error) {
    if (error instanceof AbortError) throw error;
    return { error };
  }
}

/**
 * Run the starts one after the other, synchronously.
 *
 * @param starts - the starts, p0 first.
 * @param fit - the caller's fit from a start.
 * @param solution - the parameters of a result.
 * @param signal - checked before each start.
 * @param caller - public function name, for the abort message.
 * @returns the outcome.
 * @throws AbortError when `signal` aborts; the first start's error when all fail.
 */
export function runStartsSync<R extends LocalResult>(starts: readonly Float64Array[], fit: (x0: Float64Array) => R, solution: (result: R) => readonly number[], signal: AbortSignal | undefined, caller: string): MultiStartOutcome<R> {
  const search = multiStartSearch<R>(starts, solution);
  let step = search.next();
  while (!step.done) {
    throwIfAborted(signal, caller);
    const x0 = step.value;
    step = search.next(settle(() => fit(x0)));
  }
  return step.value;
}

/** {@link runStartsSync} with an asynchronous fit (each fit yields to the event loop itself). */
export async function runStarts<R extends LocalResult>(starts: readonly Float64Array[], fit: (x0: Float64Array) => Promise<R>, solution: (result: R) => readonly number[], signal: AbortSignal | undefined, caller: string): Promise<MultiStartOutcome<R>> {
  const search = multiStartSearch<R>(starts, solution);
  let step = search.next();
  while (!step.done) {
    throwIfAborted(signal, caller);
    let reply: StartReply<R>;
    try {
      reply = { result: await fit(step.value) };
    } catch (error) {
      if (error instanceof AbortError) throw error;
      reply = { error };
    }
    step = search.next(reply);
  }
  return step.value;
}
