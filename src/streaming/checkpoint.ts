/**
 * Checkpoints of a streaming fit, all of it: the JSON-serializable snapshot, its creation in
 * either phase (every `checkpointEvery` passes), its validation when a fit resumes from one, and
 * the counters a resumed fit carries over.
 *
 * What a checkpoint holds, and what resuming reproduces:
 *
 * - **warm-up phase** (`phase: 'warmup'`, taken at the end of a warm-up epoch): the full Adam
 *   state (x, both moment vectors, step count, step size, window statistics). Resuming continues
 *   the warm-up with the next epoch exactly as the uninterrupted fit would have, so the whole fit
 *   from there on is identical.
 * - **exact phase** (`phase: 'exact'`, taken at a solver iteration): the current accepted iterate
 *   x, its cost, the counters (nfev, njev, nit, passes, points seen) and m. Resuming restarts the
 *   solver (trf, dogbox or lm) from that x with the evaluation budget that remained
 *   (maxNfev − nfev). The solver's internal trust-region radius and variable scaling are not part
 *   of the `SolverRequest` protocol, so the restarted solver re-initialises them as SciPy does from
 *   a starting point: its path after the resume may differ from the uninterrupted one, but it
 *   starts from the same iterate and stops on the same tolerances at the same optimum (within
 *   those tolerances). Reported counters are the checkpoint's plus the resumed run's.
 *
 * When the checkpoint is emitted is the context's business (`streaming-context.ts`); which point
 * the resumed fit starts from is decided in `streaming-fit.ts`.
 *
 * @module
 */
import { NlsqRangeError, NlsqTypeError, describeValue } from '../errors.ts';
import type { IterationInfo, SolverOutcome } from '../optim/evaluation.ts';
import type { WarmupState, WarmupSummary } from './warmup.ts';

export type { WarmupSummary } from './warmup.ts';

/** Format tag of a checkpoint. */
export const CHECKPOINT_FORMAT = 'nlsq-streaming-checkpoint';

/** Version of the checkpoint layout. */
export const CHECKPOINT_VERSION = 1;

/** A JSON-serializable snapshot of a streaming fit (see the module documentation). */
export interface StreamingCheckpoint {
  /** Always {@link CHECKPOINT_FORMAT}. */
  readonly format: typeof CHECKPOINT_FORMAT;
  /** Always {@link CHECKPOINT_VERSION}. */
  readonly version: typeof CHECKPOINT_VERSION;
  /** Which phase the fit was in. */
  readonly phase: 'warmup' | 'exact';
  /** The caller's starting point p0 (the warm-up guard compares against it). */
  readonly p0: number[];
  /** Current point: the Adam iterate (warm-up) or the accepted solver iterate (exact). */
  readonly x: number[];
  /** Cost at x (exact phase), or null. */
  readonly cost: number | null;
  /** Number of points, once a full pass has counted it; else null. */
  readonly m: number | null;
  /** Passes over the source so far (warm-up epochs, guard pass and exact passes). */
  readonly passes: number;
  /** Points read so far, over all passes. */
  readonly pointsSeen: number;
  /** Solver function evaluations so far (exact phase). */
  readonly nfev: number;
  /** Solver Jacobian evaluations so far. */
  readonly njev: number;
  /** Solver iterations so far. */
  readonly nit: number;
  /** Adam state (warm-up phase), else null. */
  readonly warmup: WarmupState | null;
  /** Warm-up summary once it has finished (exact phase), else null. */
  readonly warmupSummary: WarmupSummary | null;
}

function isFiniteArray(v: unknown, p: number): v is number[] {
  return Array.isArray(v) && v.length === p && v.every((e) => typeof e === 'number' && Number.isFinite(e));
}

function isCount(v: unknown): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

function isFiniteNumber(v: unknown): boolean {
  return typeof v === 'number' && Number.isFinite(v);
}

function isFiniteOrNull(v: unknown): boolean {
  return v === null || isFiniteNumber(v);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Throws the range error for field `what` of the checkpoint (`resumeFrom.<what> must be …, got …`). */
type Reject = (what: string, got: unknown) => never;

/** The Adam state of a warm-up checkpoint: every field of {@link WarmupState}. */
function checkAdamState(w: unknown, p: number, bad: Reject): void {
  if (!isObject(w)) return bad('warmup must hold the Adam state in the warm-up phase', w);
  for (const k of ['x', 'xPrev', 'm', 'v'] as const) {
    if (!isFiniteArray(w[k], p)) bad(`warmup.${k} must be ${p} finite numbers (one per parameter)`, w[k]);
  }
  if (!(w.v as number[]).every((e) => e >= 0)) bad('warmup.v must be non-negative (a second-moment estimate)', w.v);
  for (const k of ['t', 'halvings', 'batches', 'epochs', 'windowCount'] as const) {
    if (!isCount(w[k])) bad(`warmup.${k} must be a non-negative integer`, w[k]);
  }
  if (!(isFiniteNumber(w.learningRate) && (w.learningRate as number) > 0)) bad('warmup.learningRate must be a positive finite number', w.learningRate);
  if (!isFiniteNumber(w.windowSum)) bad('warmup.windowSum must be a finite number', w.windowSum);
  for (const k of ['previousWindowMean', 'lastWindowMean'] as const) {
    if (!isFiniteOrNull(w[k])) bad(`warmup.${k} must be a finite number or null`, w[k]);
  }
}

/** The warm-up summary of an exact-phase checkpoint: null or every field of {@link WarmupSummary}. */
function checkWarmupSummary(w: unknown, bad: Reject): void {
  if (w === null) return;
  if (!isObject(w)) return bad('warmupSummary must be the warm-up summary or null', w);
  for (const k of ['enabled', 'used'] as const) if (typeof w[k] !== 'boolean') bad(`warmupSummary.${k} must be a boolean`, w[k]);
  for (const k of ['batches', 'epochs'] as const) if (!isCount(w[k])) bad(`warmupSummary.${k} must be a non-negative integer`, w[k]);
  if (typeof w.stopReason !== 'string') bad('warmupSummary.stopReason must be a string', w.stopReason);
  for (const k of ['startCost', 'endCost'] as const) if (!isFiniteOrNull(w[k])) bad(`warmupSummary.${k} must be a finite number or null`, w[k]);
}

/**
 * Check that `state` is a checkpoint this version can resume for a problem of p parameters:
 * every field is checked, and a malformed one is named.
 *
 * @param state - what the caller passed as `resumeFrom` (e.g. parsed JSON).
 * @param p - number of parameters of the model.
 * @param caller - function name for messages.
 * @returns the state, typed.
 * @throws NlsqTypeError when it is not a checkpoint object; NlsqRangeError naming the field when
 *   one is missing or malformed (wrong version or phase, wrong parameter count — a checkpoint of
 *   another model —, non-finite values, bad counters, a bad Adam state or warm-up summary).
 */
export function validateCheckpoint(state: unknown, p: number, caller = 'fit'): StreamingCheckpoint {
  if (state === null || typeof state !== 'object' || (state as StreamingCheckpoint).format !== CHECKPOINT_FORMAT) {
    throw new NlsqTypeError(`${caller}: resumeFrom must be a checkpoint passed to onCheckpoint (format '${CHECKPOINT_FORMAT}'), got ${describeValue(state)}`, 'resumeFrom');
  }
  const s = state as StreamingCheckpoint;
  const bad: Reject = (what, got) => {
    throw new NlsqRangeError(`${caller}: resumeFrom.${what}, got ${describeValue(got)}`, 'resumeFrom');
  };
  if (s.version !== CHECKPOINT_VERSION) bad(`version must be ${CHECKPOINT_VERSION}`, s.version);
  if (s.phase !== 'warmup' && s.phase !== 'exact') bad(`phase must be 'warmup' or 'exact'`, s.phase);
  if (!isFiniteArray(s.x, p)) bad(`x must be ${p} finite numbers (one per parameter)`, s.x);
  if (!isFiniteArray(s.p0, p)) bad(`p0 must be ${p} finite numbers (one per parameter)`, s.p0);
  if (!isFiniteOrNull(s.cost)) bad('cost must be a finite number or null', s.cost);
  for (const k of ['passes', 'pointsSeen', 'nfev', 'njev', 'nit'] as const) {
    if (!isCount(s[k])) bad(`${k} must be a non-negative integer`, s[k]);
  }
  if (s.m !== null && !(isCount(s.m) && s.m > 0)) bad('m must be a positive integer or null', s.m);
  if (s.phase === 'warmup') checkAdamState(s.warmup, p, bad);
  checkWarmupSummary(s.warmupSummary, bad);
  return s;
}

/** The fit's counters a checkpoint records (the streaming context provides them). */
export interface CheckpointCounters {
  /** The caller's starting point. */
  readonly p0: Float64Array;
  /** Number of points once a full pass has counted it. */
  readonly m: number | null;
  /** Passes so far. */
  readonly passes: number;
  /** Points read so far. */
  readonly pointsSeen: number;
}

/**
 * The warm-up checkpoint at the end of an epoch.
 *
 * @param counters - the fit's counters (p0, m, passes, points seen).
 * @param state - the Adam state.
 * @returns a JSON-serializable checkpoint.
 */
export function warmupCheckpoint(counters: CheckpointCounters, state: WarmupState): StreamingCheckpoint {
  return {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    phase: 'warmup',
    p0: Array.from(counters.p0),
    x: state.x,
    cost: null,
    m: counters.m,
    passes: counters.passes,
    pointsSeen: counters.pointsSeen,
    nfev: 0,
    njev: 0,
    nit: 0,
    warmup: state,
    warmupSummary: null,
  };
}

/**
 * The exact-phase checkpoint at a solver iteration.
 *
 * @param counters - the fit's counters (p0, m, passes, points seen).
 * @param info - the solver's iteration record (accepted x, cost, nfev, iteration).
 * @param base - the checkpoint this run resumed from, if any (its counters are added).
 * @param jacobianPasses - Jacobian passes so far (including `base`'s), reported as njev.
 * @param summary - the warm-up summary.
 * @returns a JSON-serializable checkpoint.
 */
export function exactCheckpoint(
  counters: CheckpointCounters,
  info: IterationInfo,
  base: StreamingCheckpoint | null,
  jacobianPasses: number,
  summary: WarmupSummary,
): StreamingCheckpoint {
  return {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    phase: 'exact',
    p0: Array.from(counters.p0),
    x: info.params.slice(),
    cost: Number.isFinite(info.cost) ? info.cost : null,
    m: counters.m,
    passes: counters.passes,
    pointsSeen: counters.pointsSeen,
    nfev: (base?.nfev ?? 0) + info.nfev,
    njev: jacobianPasses,
    nit: (base?.nit ?? 0) + info.iteration,
    warmup: null,
    warmupSummary: summary,
  };
}

/**
 * The solver's outcome with the counters before a resumed checkpoint added (nfev, njev, nit).
 *
 * @param outcome - what the solver returned.
 * @param base - the exact-phase checkpoint resumed from, or null.
 * @returns the outcome to report.
 */
export function withResumedCounters(outcome: SolverOutcome, base: StreamingCheckpoint | null): SolverOutcome {
  if (base === null) return outcome;
  return { ...outcome, nfev: outcome.nfev + base.nfev, njev: outcome.njev + base.njev, nit: outcome.nit + base.nit };
}

/** Format tag of a tournament checkpoint. */
export const TOURNAMENT_CHECKPOINT_FORMAT = 'nlsq-tournament-checkpoint';

/** A JSON-serializable snapshot of a streaming tournament (`global/tournament.ts`: `fit(model, source, { global })`): the rounds' outcome and the finalists' progress, each running finalist's own streaming checkpoint inside. */
export interface TournamentCheckpoint {
  /** Always {@link TOURNAMENT_CHECKPOINT_FORMAT}. */
  readonly format: typeof TOURNAMENT_CHECKPOINT_FORMAT;
  /** Layout version (1). */
  readonly version: 1;
  /** The starts drawn (for the report). */
  readonly starts: number;
  /** The rounds run. */
  readonly rounds: readonly {
    /** Rows of the prefix the round was played on. */
    readonly rows: number;
    /** Starts that entered it. */
    readonly survivors: number;
  }[];
  /** Rows read by the rounds. */
  readonly prefixRows: number;
  /** True when the source ended inside the prefix. */
  readonly wholeSourceInPrefix: boolean;
  /** The finalists: their start index and the point the rounds left them at. */
  readonly finalists: readonly {
    /** The start's index (0 is p0). */
    readonly start: number;
    /** Its point after the rounds. */
    readonly x: number[];
  }[];
  /** Finalists whose streaming fit has finished: final point, cost, evaluations and rows read. */
  readonly done: readonly {
    /** The start's index. */
    readonly start: number;
    /** Its final point. */
    readonly x: number[];
    /** Its final cost on the whole source. */
    readonly cost: number;
    /** Its function evaluations. */
    readonly nfev: number;
    /** Rows its streaming fit read. */
    readonly rows: number;
  }[];
  /** The running finalist's latest streaming checkpoint, or null. */
  readonly current: StreamingCheckpoint | null;
  /** Starts that failed in the rounds. */
  readonly failed: readonly {
    /** The start's index. */
    readonly start: number;
    /** Why it failed. */
    readonly message: string;
  }[];
  /** Evaluations spent by the rounds. */
  readonly roundEvaluations: number;
}
