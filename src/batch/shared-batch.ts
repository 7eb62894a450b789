/**
 * A batch on workers through shared memory (where `SharedArrayBuffer` is usable): the batch's
 * inputs are copied once into shared memory, round by round; every worker runs one task per round,
 * claiming small chunks of its fits from a shared counter, and writes their rows straight into
 * shared outputs. Both halves live here: {@link prepareSharedRound} (main thread) and
 * {@link runSharedRound} (in the worker).
 *
 * ```
 *   main thread                                             worker w (one task per round)
 *   round A … B−1: shared memory, first segment copied,
 *   task posted                                         ──▶  rangeProblem(setup), engine created
 *   the other segments copied, READY = fits copied      ──▶  a = NEXT += claim; wait READY ≥ a + claim
 *   (meanwhile: the next round's inputs copied)              engine.run(a, a + claim, shared outputs)
 *   progress (fits done by w)                         ◀──    every `progressEvery` fits
 *   outputs copied into the batch's at A; messages    ◀──    when NEXT ≥ B: the messages, fits done
 * ```
 *
 * Compared with one message per chunk (`batch-share.ts`, the path without shared memory), the main
 * thread's work per round is the inputs' bytes copied once (a memcpy per array and segment, the
 * offsets rebased in one typed loop) and the outputs' bytes copied once — no per-chunk copies,
 * transfers or allocations, no per-fit JavaScript; the workers never wait for a hand-over (a claim
 * is one `Atomics.add`), and chunks can be small (about {@link CLAIM_POINTS} points), so the
 * workers finish within one small chunk of each other.
 *
 * - **The same rows on any number of workers.** A round is a batch of its own (offsets rebased to
 *   0), run by the single-thread engine (`createLocalEngine`) on the same numbers: each fit's row is
 *   bitwise the one-thread row whoever claims it; messages are shifted back to the batch's indices.
 * - **Overlap.** A round's first segment (an eighth) is copied, then its tasks are posted, then the
 *   rest is copied: each worker builds its engine while the main thread copies, and would wait
 *   (`Atomics.wait`, in the worker only) only for a segment not yet copied. The next round's inputs
 *   are copied while the workers run this one.
 * - **Bounded memory.** A round holds at most {@link ROUND_POINTS} points and {@link ROUND_FITS}
 *   fits, carved out of one shared buffer; at most two rounds are in shared memory at a time, so
 *   the extra working set is bounded whatever the batch's size. The buffer of a round that ended
 *   well is kept for the next round or batch (at most two, dropped after 10 s unused), so that
 *   the copies meet pages already mapped rather than fault in fresh ones — most of the copy's cost
 *   on the main thread. A round that failed or was cancelled is not reused (a terminated worker
 *   may not have stopped writing yet).
 * - **Failure.** When a worker's task fails, the main thread sets the STOP flag, so the others
 *   stop at their next claim; the batch then fails as `worker-tasks.ts` says.
 *
 * @module
 */
import type { ModelProgram } from '../model/program-model.ts';
import { placeRows, type BatchOutput, type BatchProblem } from './batch-engine.ts';
import type { BatchData, BatchX } from './batch-data.ts';
import type { ParamRows } from './batch-params.ts';
import type { BatchSolverOptions } from './batch-settings.ts';
import { keptBackend, outputWidth, rangeMessages, rangeProblem, type BatchShareSetup } from './batch-share.ts';
import { createLocalEngine } from './local-engine.ts';

/**
 * Points per claim a worker takes (about 650 of Gpufit's 25-point fits: ~3 ms of the WASM engine's
 * work on a quiet core; at least 4 claims per worker and round). Measured (Gpufit's 10⁵ fits, 2
 * workers, 6 alternated runs each, load average ~5): the process's CPU time per batch 1 269, 1 271,
 * 1 235, 1 202, 1 198 ms for claims of 1 024, 4 096, 16 384, 65 536, 262 144 points — a few percent
 * for fewer, larger claims — while the idle tail grows with the claim (up to one claim's work on
 * one worker): 16 384 takes most of the gain for a tail of a few ms.
 */
export const CLAIM_POINTS = 16_384;

/** The most points of one round in shared memory (32 MiB of y). */
export const ROUND_POINTS = 1 << 22;

/** The most fits of one round in shared memory. */
export const ROUND_FITS = 1 << 17;

/** Slots of the control array: the next fit to claim, the fits whose inputs are copied, the stop flag, the fits done. */
const NEXT = 0;
const READY = 1;
const STOP = 2;
const DONE = 3;

/** A round's outputs in shared memory (the rows of its fits). */
export type SharedOutput = Omit<BatchOutput, 'messages'>;

/** What crosses to every worker for a round (its arrays are views on shared memory). */
export interface SharedRoundSetup extends BatchShareSetup {
  /** NEXT, READY, STOP, DONE (an Int32Array on a SharedArrayBuffer). */
  readonly control: Int32Array;
  /** Fits per claim. */
  readonly claim: number;
  /** The round's outputs. */
  readonly out: SharedOutput;
}

/** What a worker returns for a round. */
export interface SharedRoundResult {
  /** The messages of the fits it ran, keyed by their index in the whole batch. */
  readonly messages: readonly (readonly [number, string])[];
  /** Fits it ran. */
  readonly done: number;
}

/** A round on the main thread: its setup, the copy of its inputs, and the copy of its outputs. */
export interface SharedRound {
  /** First fit (in the whole batch). */
  readonly a: number;
  /** One past the last fit. */
  readonly b: number;
  /** What crosses to every worker. */
  readonly setup: SharedRoundSetup;
  /**
   * Copy the inputs into shared memory, segment by segment (an eighth of the round, or a claim),
   * publishing READY after each: the next `segments` segments, or all that are left.
   */
  fill(segments?: number): void;
  /** Tell the workers to stop at their next claim (a worker failed). */
  stop(): void;
  /**
   * Copy the round's rows into the batch's outputs and add the workers' messages (after every
   * worker's task has succeeded); the round's shared memory is then kept for the next round.
   */
  take(out: BatchOutput, results: readonly SharedRoundResult[]): void;
}

/** Shared memory of rounds that ended well, kept for the next round (of this batch or the next one) so that its copies meet pages already mapped. */
const spare: SharedArrayBuffer[] = [];

/** The most spare buffers kept (a batch has two rounds in shared memory at a time). */
const MAX_SPARE = 2;

/** Idle time after which the spare buffers are dropped, in ms (the worker pool's idle time). */
const SPARE_MS = 10_000;

let spareTimer: ReturnType<typeof setTimeout> | null = null;

/** A shared buffer of at least `bytes`: the smallest spare one that is large enough, else a fresh one. */
function sharedBuffer(bytes: number): SharedArrayBuffer {
  let best = -1;
  for (let i = 0; i < spare.length; i++) if (spare[i]!.byteLength >= bytes && (best < 0 || spare[i]!.byteLength < spare[best]!.byteLength)) best = i;
  return best >= 0 ? spare.splice(best, 1)[0]! : new SharedArrayBuffer(bytes);
}

/** Keep a round's buffer for the next round (the largest {@link MAX_SPARE}), dropped after {@link SPARE_MS} unused. */
function keepSpare(buffer: SharedArrayBuffer): void {
  spare.push(buffer);
  spare.sort((u, v) => v.byteLength - u.byteLength);
  spare.length = Math.min(spare.length, MAX_SPARE);
  if (spareTimer !== null) clearTimeout(spareTimer);
  spareTimer = setTimeout(() => {
    spare.length = 0;
    spareTimer = null;
  }, SPARE_MS);
  (spareTimer as { unref?: () => void }).unref?.();
}

/** Views carved one after another out of one shared buffer (8-byte arrays first, so that every view is aligned). */
class Carver {
  private at = 0;
  constructor(readonly buffer: SharedArrayBuffer) {}
  f64(n: number): Float64Array {
    const view = new Float64Array(this.buffer, this.at, n);
    this.at += n * 8;
    return view;
  }
  i32(n: number): Int32Array {
    const view = new Int32Array(this.buffer, this.at, n);
    this.at += n * 4;
    return view;
  }
  i8(n: number): Int8Array {
    const view = new Int8Array(this.buffer, this.at, n);
    this.at += n;
    return view;
  }
}

/**
 * One past the last fit of the round that starts at fit a: as many fits as fit under both limits,
 * at least one (binary search on the offsets).
 *
 * @param offsets - the batch's offsets. @param nFits - fits in the batch. @param a - the round's first fit.
 * @param maxFits - the most fits of a round. @param maxPoints - the most points of a round.
 * @returns the round's end.
 */
export function roundEnd(offsets: Int32Array, nFits: number, a: number, maxFits = ROUND_FITS, maxPoints = ROUND_POINTS): number {
  const limit = offsets[a]! + maxPoints;
  let lo = a + 1;
  let hi = Math.min(nFits, a + maxFits);
  if (offsets[hi]! <= limit) return hi;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (offsets[mid]! <= limit) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Rows of a round's n fits in shared memory (per fit), or a copy of the shared row. */
function sharedRows(rows: ParamRows, p: number, n: number, carve: Carver): ParamRows {
  return rows.perFit ? { perFit: true, values: carve.f64(n * p) } : { perFit: false, values: rows.values.slice() };
}

/** x for a round's m points: the shared columns copied (small), else shared memory. */
function sharedX(x: BatchX, k: number, m: number, carve: Carver): BatchX {
  if (x.kind === 'shared') return { kind: 'shared', columns: x.columns.map((c) => c.slice()) };
  if (x.kind === 'columns') return { kind: 'columns', columns: x.columns.map(() => carve.f64(m)) };
  return { kind: 'interleaved', values: carve.f64(m * k) };
}

/**
 * Allocate a round of fits a … b−1 in shared memory (its inputs not yet copied: {@link SharedRound.fill}).
 *
 * @param problem - the whole batch (validated).
 * @param model - the model's IR.
 * @param solver - the solver options as given.
 * @param p0 - the starting values to send (the estimates for `p0: 'auto'`), or null.
 * @param a - first fit. @param b - one past the last fit.
 * @param workers - workers taking part (sizes the claims).
 * @param progressEvery - fits between two progress reports of a worker.
 * @returns the round.
 */
export function prepareSharedRound(problem: BatchProblem, model: ModelProgram, solver: BatchSolverOptions, p0: ParamRows | null, a: number, b: number, workers: number, progressEvery: number): SharedRound {
  const { data, params } = problem;
  const { p, k } = { p: params.p, k: data.k };
  const n = b - a;
  const o0 = data.offsets[a]!;
  const m = data.offsets[b]! - o0;
  let maxPoints = 0;
  for (let i = a; i < b; i++) maxPoints = Math.max(maxPoints, data.offsets[i + 1]! - data.offsets[i]!);
  const P = params.layout !== null ? params.layout.names.length : params.names.length;
  const perFitRows = [p0, params.lb, params.ub].filter((r) => r?.perFit === true).length;
  const xPoints = data.x.kind === 'shared' ? 0 : m * k;
  const bytes = 8 * (m * (data.sigma === null ? 1 : 2) + xPoints + n * p * perFitRows + n * (2 * P + 2)) + 4 * (n + 1 + 2 * n + 4) + n;
  const buffer = sharedBuffer(bytes);
  const carve = new Carver(buffer);
  // 8-byte views first (inputs, then outputs), then the 4-byte ones, then status
  const y = carve.f64(m);
  const sigma = data.sigma === null ? null : carve.f64(m);
  const x = sharedX(data.x, k, m, carve);
  const rows = { p0: p0 === null ? null : sharedRows(p0, p, n, carve), lb: sharedRows(params.lb, p, n, carve), ub: sharedRows(params.ub, p, n, carve) };
  const [popt, perr, cost, chiSquare] = [carve.f64(n * P), carve.f64(n * P), carve.f64(n), carve.f64(n)];
  const range: BatchData = { nFits: n, k, offsets: carve.i32(n + 1), maxPoints, y, sigma, x };
  const [nfev, nit, control] = [carve.i32(n), carve.i32(n), carve.i32(4)];
  const out: SharedOutput = { P, popt, perr, cost, chiSquare, nfev, nit, status: carve.i8(n) };
  control.fill(0);
  range.offsets[0] = 0;
  const claim = Math.max(1, Math.min(Math.floor((CLAIM_POINTS * n) / Math.max(1, m)), Math.floor(n / (4 * workers))));
  const setup: SharedRoundSetup = {
    caller: problem.caller, first: a, model, data: range, p, free: params.free.slice(), names: params.names, ...rows,
    bounded: params.bounded, layout: params.layout, solver, absoluteSigma: problem.absoluteSigma, engine: problem.engine ?? 'auto', progressEvery,
    control, claim, out,
  };
  const copyRows = (to: ParamRows | null, from: ParamRows | null, s: number, t: number): void => {
    if (to !== null && from !== null && to.perFit) to.values.set(from.values.subarray((a + s) * p, (a + t) * p), s * p);
  };
  const segment = Math.max(claim, Math.ceil(n / 8));
  let copied = 0;
  const fill = (segments = Infinity): void => {
    const offsets = range.offsets;
    for (let s = copied, left = segments; s < n && left > 0; s += segment, left--) {
      const t = Math.min(n, s + segment);
      for (let i = s; i < t; i++) offsets[i + 1] = data.offsets[a + i + 1]! - o0;
      const [u, v] = [data.offsets[a + s]!, data.offsets[a + t]!];
      range.y.set(data.y.subarray(u, v), u - o0);
      if (range.sigma !== null) range.sigma.set(data.sigma!.subarray(u, v), u - o0);
      const x = data.x;
      if (range.x.kind === 'columns' && x.kind === 'columns') range.x.columns.forEach((c, j) => c.set(x.columns[j]!.subarray(u, v), u - o0));
      if (range.x.kind === 'interleaved' && x.kind === 'interleaved') range.x.values.set(x.values.subarray(u * k, v * k), (u - o0) * k);
      copyRows(setup.p0, p0, s, t);
      copyRows(setup.lb, params.lb, s, t);
      copyRows(setup.ub, params.ub, s, t);
      copied = t;
      Atomics.store(control, READY, t);
      Atomics.notify(control, READY);
    }
  };
  const stop = (): void => {
    Atomics.store(control, STOP, 1);
    Atomics.notify(control, READY);
  };
  const take = (into: BatchOutput, results: readonly SharedRoundResult[]): void => {
    Atomics.load(control, DONE); // acquire: every row a worker wrote before its last Atomics.add on DONE is visible here
    placeRows(into, out, a);
    for (const r of results) for (const [i, text] of r.messages) into.messages.set(i, text);
    keepSpare(buffer); // every worker has settled: nothing reads or writes it any more
  };
  return { a, b, setup, fill, stop, take };
}

/** Wait (in a worker) until the inputs of fits up to `t` are copied, or STOP is set; false when stopped. */
function awaitReady(control: Int32Array, t: number): boolean {
  for (;;) {
    if (Atomics.load(control, STOP) !== 0) return false;
    const ready = Atomics.load(control, READY);
    if (ready >= t) return true;
    Atomics.wait(control, READY, ready, 50);
  }
}

/**
 * Run a round in this thread (the worker's side): rebuild the problem (`rangeProblem`), create
 * the single-thread engine on this thread's kept wasm backend, and claim chunks of `setup.claim`
 * fits until the round is exhausted or STOP is set, writing each chunk's rows into the shared
 * outputs (initialised as `allocateOutput` does, then written by the engine).
 *
 * @param setup - from {@link prepareSharedRound}.
 * @param progress - called with the fits this thread has done, about every `progressEvery` fits and at the end.
 * @returns the messages of the fits it ran (indices of the whole batch) and their number.
 */
export async function runSharedRound(setup: SharedRoundSetup, progress?: (done: number) => void): Promise<SharedRoundResult> {
  const problem = rangeProblem(setup);
  const { control, claim, progressEvery } = setup;
  const n = problem.data.nFits;
  const P = outputWidth(setup);
  const out: BatchOutput = { ...setup.out, P, messages: new Map() };
  const engine = await createLocalEngine(problem, await keptBackend(problem));
  let done = 0;
  let told = 0;
  try {
    for (;;) {
      const a = Atomics.add(control, NEXT, claim);
      if (a >= n) break;
      const b = Math.min(n, a + claim);
      if (!awaitReady(control, b)) break;
      out.popt.fill(NaN, a * P, b * P);
      out.perr.fill(NaN, a * P, b * P);
      out.cost.fill(NaN, a, b);
      out.chiSquare.fill(NaN, a, b);
      out.status.fill(0, a, b);
      out.nfev.fill(0, a, b);
      out.nit.fill(0, a, b);
      engine.run(a, b, out);
      done += b - a;
      Atomics.add(control, DONE, b - a);
      if (done - told >= progressEvery) {
        told = done;
        progress?.(done);
      }
    }
  } finally {
    engine.dispose();
  }
  if (done > told) progress?.(done);
  return { messages: rangeMessages(setup, out.messages), done };
}
