/**
 * The result of `fitBatch`: per-fit arrays (popt, perr, status, χ², cost, nfev, nit) for the
 * whole batch, each fit's full `CurveFitResult` on demand, and the plan — which engine ran, on
 * how many threads, and why.
 *
 * `get(i)` runs fit i once more through `curveFitSync` on the CPU backend with the start, bounds
 * and tolerances the batch used for it; since the CPU batch engine runs the same solver path,
 * that result's popt, status and counts are the batch's row i exactly, and it adds what the
 * batch does not keep per fit: pcov, the statistics (R², AIC/BIC, …), confidence and prediction
 * bands, `report()`.
 *
 * @module
 */
import { NlsqRangeError } from '../errors.ts';
import { STATUS_CODE, type SolverStatus } from '../optim/evaluation.ts';
import type { FitWarning } from '../options/solver-settings.ts';
import type { CurveFitResult } from '../result/curve-fit-result.ts';
import type { BatchOutput } from './batch-engine.ts';

/** Where and how a batch ran (`r.plan`, part of `r.summary()`). */
export interface BatchPlan {
  /** The engine that ran the fits (`'wasm'` or `'cpu'`), on the main thread or in each worker. */
  readonly engine: string;
  /** Threads that ran fits: 1 (the main thread) or the number of workers (`workers` option). */
  readonly workers: number;
  /** The method every fit used. */
  readonly method: string;
  /** Fits per sub-batch. */
  readonly subBatchSize: number;
  /** Why this engine and thread count, in sentences. */
  readonly reason: string;
  /**
   * Device engines only: true when every fit was polished in f64 on the host after the device
   * (popt and perr carry f64 accuracy), false when the results are the device's f32 answers.
   */
  readonly polish?: boolean;
}

/** `r.summary()`: what happened to the batch. */
export interface BatchSummary extends BatchPlan {
  /** Fits in the batch. */
  readonly nFits: number;
  /** Fits per status name (`gtol`, `ftol`, `xtol`, `ftol-xtol`, `max-nfev`, `improper-input`). */
  readonly counts: Readonly<Partial<Record<SolverStatus, number>>>;
  /** Fits that met a convergence test (status 1–4). */
  readonly converged: number;
  /** Fits that did not (status ≤ 0). */
  readonly failed: number;
  /** Wall-clock time of the batch, ms. */
  readonly elapsedMs: number;
  /** Fits per second. */
  readonly fitsPerSecond: number;
  /** Warnings that apply to every fit (e.g. a tolerance below ε). */
  readonly warnings: readonly FitWarning[];
}

/** The status name of each of SciPy's numeric codes (the inverse of `STATUS_CODE`). */
export const STATUS_NAME = new Map<number, SolverStatus>(Object.entries(STATUS_CODE).map(([name, code]) => [code, name as SolverStatus]));

/** The result of `fitBatch`. */
export class BatchResult {
  /** Number of fits. */
  readonly nFits: number;
  /** Names of the columns of popt and perr. */
  readonly paramNames: readonly string[];
  /** nFits × p fitted parameters, row-major (row i = fit i). */
  readonly popt: Float64Array;
  /** nFits × p standard errors √diag(pcov) (SciPy's scaling; 0 for held parameters, +∞ when pcov is indeterminate). */
  readonly perr: Float64Array;
  /** SciPy's status code per fit (`STATUS_CODE`: 1–4 converged, 0 max-nfev, −1 could not start). */
  readonly status: Int8Array;
  /** Σ ((f − y)/σ)² at popt per fit. */
  readonly chiSquare: Float64Array;
  /** ½Σρ(r²) at popt per fit (SciPy's `cost`). */
  readonly cost: Float64Array;
  /** Function evaluations per fit. */
  readonly nfev: Int32Array;
  /** Iterations per fit. */
  readonly nit: Int32Array;
  /** Where and how the batch ran. */
  readonly plan: BatchPlan;
  private readonly messages: ReadonlyMap<number, string>;
  private readonly elapsedMs: number;
  private readonly warnings: readonly FitWarning[];
  private readonly single: (i: number) => CurveFitResult;

  /**
   * @param out - the engine's outputs.
   * @param names - the column names.
   * @param plan - the plan.
   * @param elapsedMs - wall-clock time.
   * @param warnings - batch-wide warnings.
   * @param single - runs fit i as a `curveFitSync` (for {@link BatchResult.get}).
   */
  constructor(out: BatchOutput, names: readonly string[], plan: BatchPlan, elapsedMs: number, warnings: readonly FitWarning[], single: (i: number) => CurveFitResult) {
    this.nFits = out.status.length;
    this.paramNames = names;
    this.popt = out.popt;
    this.perr = out.perr;
    this.status = out.status;
    this.chiSquare = out.chiSquare;
    this.cost = out.cost;
    this.nfev = out.nfev;
    this.nit = out.nit;
    this.plan = plan;
    this.messages = out.messages;
    this.elapsedMs = elapsedMs;
    this.warnings = warnings;
    this.single = single;
  }

  private check(i: number): void {
    if (!(Number.isInteger(i) && i >= 0 && i < this.nFits)) throw new NlsqRangeError(`fitBatch result: the fit index must be an integer in [0, ${this.nFits - 1}], got ${i}`, 'i');
  }

  /** True when fit i met a convergence test (status 1–4). */
  success(i: number): boolean {
    this.check(i);
    return this.status[i]! > 0;
  }

  /**
   * Why fit i stopped: the solver's message for a fit that did not converge (or could not start),
   * the status name for one that did.
   */
  message(i: number): string {
    this.check(i);
    return this.messages.get(i) ?? `${STATUS_NAME.get(this.status[i]!) ?? 'unknown'} satisfied`;
  }

  /** Row i of popt (a copy). */
  params(i: number): Float64Array {
    this.check(i);
    const p = this.paramNames.length;
    return this.popt.slice(i * p, (i + 1) * p);
  }

  /**
   * Fit i as a full {@link CurveFitResult} (pcov, statistics, bands, report), computed now by
   * `curveFitSync` on the CPU backend with the same start, bounds and options.
   *
   * @param i - the fit index.
   * @returns the result, whose popt equals row i of {@link BatchResult.popt} (with `vary`, its
   *   parameters are the free ones: the held ones are constants of that fit's model).
   * @throws NlsqRangeError when i is out of range, or when fit i could not start (its message).
   */
  get(i: number): CurveFitResult {
    this.check(i);
    if (this.status[i] === STATUS_CODE['improper-input'] && this.messages.has(i)) {
      throw new NlsqRangeError(this.messages.get(i)!, 'i');
    }
    return this.single(i);
  }

  /** Counts by status, timing, and where the batch ran and why. */
  summary(): BatchSummary {
    const counts: Partial<Record<SolverStatus, number>> = {};
    let converged = 0;
    for (let i = 0; i < this.nFits; i++) {
      const s = this.status[i]!;
      const name = STATUS_NAME.get(s) ?? 'improper-input';
      counts[name] = (counts[name] ?? 0) + 1;
      if (s > 0) converged += 1;
    }
    const fitsPerSecond = this.elapsedMs > 0 ? (1000 * this.nFits) / this.elapsedMs : Infinity;
    return { ...this.plan, nFits: this.nFits, counts, converged, failed: this.nFits - converged, elapsedMs: this.elapsedMs, fitsPerSecond, warnings: this.warnings };
  }

  /** A text report of the summary: counts by status, timing, engine and why. */
  report(): string {
    const s = this.summary();
    const counts = Object.entries(s.counts).map(([name, c]) => `${name} ${c}`).join(', ');
    const lines = [
      `fitBatch: ${s.nFits} fits of ${this.paramNames.length} parameters (${this.paramNames.join(', ')}), method ${s.method}: ${s.converged} converged, ${s.failed} not (${counts})`,
      `time: ${s.elapsedMs.toFixed(1)} ms, ${Math.round(s.fitsPerSecond)} fits/s`,
      `engine: ${s.engine}, ${s.workers === 1 && !/worker × /.test(s.reason) ? '1 thread' : `${s.workers} worker${s.workers === 1 ? '' : 's'}`}, sub-batches of ${s.subBatchSize} fits — ${s.reason}`,
      ...(s.polish === false ? ['precision: f32 device results, not polished (polish: false)'] : []),
      ...s.warnings.map((w) => `warning: ${w.message}`),
    ];
    return lines.join('\n');
  }
}
