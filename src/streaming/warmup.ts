/**
 * Phase 1 of the streaming strategy: a mini-batch first-order warm-up (Adam) from p0 — its
 * options, its JSON-serializable state, its summary, and the optimizer itself. How the warm-up
 * reads the source is in `mini-batch-pass.ts`, the phase (epochs and guard pass) in
 * `warmup-phase.ts`.
 *
 * Notation: x the parameters (p of them), a mini-batch B of n_B points, its loss-scaled
 * residuals f_s and Jacobian J_s (SciPy's `scale_for_robust_loss_function`), the batch cost
 * C_B = ½ Σ_{i∈B} ρ(f_i²) and gradient g_B = J_sᵀ f_s. Both come from the same
 * {@link BlockEvaluator} as the exact passes: the batch is folded into the triangle T = [R z; 0 ρ]
 * and g_B = Rᵀz, so the warm-up honours σ, the loss and the Jacobian scheme exactly as phase 2.
 *
 * Update (Kingma & Ba, "Adam: a method for stochastic optimization", ICLR 2015), on the
 * per-point gradient ḡ = g_B / n_B, in units of the parameter scale s_j = |p0_j| (1 when p0_j = 0):
 *
 * ```
 *   m ← β₁ m + (1 − β₁) ḡ,   v ← β₂ v + (1 − β₂) ḡ²,   t ← t + 1
 *   x_j ← Π( x_j − η s_j · m̂_j / (√v̂_j + ε) ),   m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ)
 * ```
 *
 * where Π projects onto the box shrunk by 10⁻¹⁰·max(1, |bound|) (so every iterate, and the point
 * handed to TRF, is strictly feasible; projection, not NLSQ's NaN for half-infinite bounds). A
 * batch with a non-finite cost or gradient undoes the step that led to it and halves η.
 *
 * **Switch criteria** (phase 1 ends at the first that holds):
 * 1. *Stalled*: the mean per-point batch cost over the last `window` batches improved on the
 *    previous window's mean by less than `minImprovement` (relative) — the loss no longer falls
 *    quickly, so exact trust-region passes take over;
 * 2. *Budget*: `maxBatches` batches or `maxEpochs` full passes were used;
 * 3. *Diverging*: η was halved `maxHalvings` times.
 *
 * @module
 */
import { NlsqRangeError } from '../errors.ts';
import type { BlockEvaluator } from '../evaluate/block-evaluator.ts';
import type { DataColumns } from '../model/model-kernel.ts';

/** Options of the warm-up (all optional; defaults in {@link WARMUP_DEFAULTS}). */
export interface WarmupOptions {
  /** Step size η relative to the parameter scale |p0_j|. */
  readonly learningRate?: number;
  /** Adam β₁. */
  readonly beta1?: number;
  /** Adam β₂. */
  readonly beta2?: number;
  /** Adam ε. */
  readonly epsilon?: number;
  /** Batches per window of the stall criterion. */
  readonly window?: number;
  /** Relative improvement of the window-mean batch cost below which the warm-up stops. */
  readonly minImprovement?: number;
  /** Maximum number of mini-batches. */
  readonly maxBatches?: number;
  /** Maximum number of full passes (epochs) over a re-readable source. */
  readonly maxEpochs?: number;
  /** Maximum number of step-size halvings after non-finite batches. */
  readonly maxHalvings?: number;
}

/** Fully defaulted warm-up options. */
export type ResolvedWarmupOptions = Required<WarmupOptions>;

/** Default warm-up options. */
export const WARMUP_DEFAULTS: ResolvedWarmupOptions = Object.freeze({
  learningRate: 1e-2,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
  window: 20,
  minImprovement: 1e-3,
  maxBatches: Infinity,
  maxEpochs: 1,
  maxHalvings: 10,
});

/**
 * Merge and validate warm-up options.
 *
 * @param options - the caller's options.
 * @param caller - function name for messages.
 * @returns the defaulted options.
 * @throws NlsqRangeError for an out-of-range option.
 */
export function resolveWarmupOptions(options: WarmupOptions | undefined, caller = 'fit'): ResolvedWarmupOptions {
  const o = { ...WARMUP_DEFAULTS, ...(options ?? {}) };
  const check = (name: keyof WarmupOptions, ok: boolean, expected: string): void => {
    if (!ok) throw new NlsqRangeError(`${caller}: warmup.${name} must be ${expected}, got ${String(o[name])}`, `warmup.${name}`);
  };
  check('learningRate', o.learningRate > 0 && Number.isFinite(o.learningRate), 'a positive finite number');
  check('beta1', o.beta1 >= 0 && o.beta1 < 1, 'in [0, 1)');
  check('beta2', o.beta2 >= 0 && o.beta2 < 1, 'in [0, 1)');
  check('epsilon', o.epsilon > 0, 'positive');
  check('window', Number.isInteger(o.window) && o.window >= 1, 'a positive integer');
  check('minImprovement', o.minImprovement >= 0, 'non-negative');
  check('maxBatches', o.maxBatches >= 0, 'non-negative');
  check('maxEpochs', o.maxEpochs >= 0, 'non-negative');
  check('maxHalvings', Number.isInteger(o.maxHalvings) && o.maxHalvings >= 0, 'a non-negative integer');
  return o;
}

/** Why the warm-up ended. */
export type WarmupStopReason = 'stalled' | 'max-batches' | 'max-epochs' | 'diverging' | 'disabled' | 'source-exhausted';

/** What the warm-up did (part of the streaming result and of exact-phase checkpoints). */
export interface WarmupSummary {
  /** False when the warm-up was disabled. */
  readonly enabled: boolean;
  /** Mini-batches processed. */
  readonly batches: number;
  /** Full epochs completed. */
  readonly epochs: number;
  /** Which switch criterion ended it. */
  readonly stopReason: string;
  /** Exact cost at p0 (from the guard pass), or null. */
  readonly startCost: number | null;
  /** Exact cost at the warm-up's end point (from the guard pass), or null. */
  readonly endCost: number | null;
  /** True when the warm-up point was handed to the solver (it lowered the exact cost). */
  readonly used: boolean;
}

/** The summary of a fit whose warm-up did not run. */
export const WARMUP_DISABLED: WarmupSummary = Object.freeze({
  enabled: false,
  batches: 0,
  epochs: 0,
  stopReason: 'disabled',
  startCost: null,
  endCost: null,
  used: false,
});

/** JSON-serializable warm-up state (part of a checkpoint). */
export interface WarmupState {
  /** Current iterate. */
  readonly x: number[];
  /** The point before the last step (restored if the next batch is non-finite). */
  readonly xPrev: number[];
  /** Adam first-moment estimate. */
  readonly m: number[];
  /** Adam second-moment estimate. */
  readonly v: number[];
  /** Adam step count. */
  readonly t: number;
  /** Current step size η (after halvings). */
  readonly learningRate: number;
  /** Step-size halvings so far. */
  readonly halvings: number;
  /** Mini-batches so far. */
  readonly batches: number;
  /** Completed epochs. */
  readonly epochs: number;
  /** Sum of the per-point batch costs in the current window. */
  readonly windowSum: number;
  /** Batches in the current window. */
  readonly windowCount: number;
  /** Mean of the previous complete window (null before the first). */
  readonly previousWindowMean: number | null;
  /** Mean per-point batch cost of the last complete window (null before the first). */
  readonly lastWindowMean: number | null;
}

/**
 * Adam over mini-batches with projection onto the strictly feasible box and the switch criteria
 * of the module documentation.
 */
export class AdamWarmup {
  /** Set when a switch criterion fired. */
  stopReason: WarmupStopReason | null = null;
  private x: Float64Array;
  private xPrev: Float64Array;
  private readonly m1: Float64Array;
  private readonly v1: Float64Array;
  private readonly scale: Float64Array;
  private readonly lo: Float64Array;
  private readonly hi: Float64Array;
  private t = 0;
  private lr: number;
  private halvings = 0;
  private batches = 0;
  private epochs = 0;
  private windowSum = 0;
  private windowCount = 0;
  private previousWindowMean: number | null = null;
  private lastWindowMean: number | null = null;

  /**
   * @param evaluator - a block evaluator (its Jacobian scheme and loss are used).
   * @param x0 - starting point (the scale s_j = |x0_j| comes from it).
   * @param lb - lower bounds (−∞ allowed).
   * @param ub - upper bounds (+∞ allowed).
   * @param options - resolved options.
   * @param state - a state to resume from (from {@link AdamWarmup.state}).
   */
  constructor(
    private readonly evaluator: BlockEvaluator,
    x0: Float64Array,
    lb: Float64Array,
    ub: Float64Array,
    private readonly options: ResolvedWarmupOptions,
    state?: WarmupState,
  ) {
    const p = x0.length;
    this.scale = x0.map((v) => (v !== 0 ? Math.abs(v) : 1));
    this.lo = lb.map((l, j) => (Number.isFinite(l) ? Math.min(l + 1e-10 * Math.max(1, Math.abs(l)), 0.5 * (l + ub[j]!)) : l));
    this.hi = ub.map((u, j) => (Number.isFinite(u) ? Math.max(u - 1e-10 * Math.max(1, Math.abs(u)), 0.5 * (lb[j]! + u)) : u));
    this.x = Float64Array.from(state ? state.x : x0);
    this.project(this.x);
    this.xPrev = state ? Float64Array.from(state.xPrev) : Float64Array.from(this.x);
    this.m1 = state ? Float64Array.from(state.m) : new Float64Array(p);
    this.v1 = state ? Float64Array.from(state.v) : new Float64Array(p);
    this.lr = state ? state.learningRate : options.learningRate;
    if (state) {
      this.t = state.t;
      this.halvings = state.halvings;
      this.batches = state.batches;
      this.epochs = state.epochs;
      this.windowSum = state.windowSum;
      this.windowCount = state.windowCount;
      this.previousWindowMean = state.previousWindowMean;
      this.lastWindowMean = state.lastWindowMean;
    }
  }

  /** Current (strictly feasible) point, a copy. */
  get point(): Float64Array {
    return Float64Array.from(this.x);
  }

  /** Mini-batches processed. */
  get batchCount(): number {
    return this.batches;
  }

  /** Completed epochs. */
  get epochCount(): number {
    return this.epochs;
  }

  /** Mean per-point batch cost of the last complete window, else of the current partial one (NaN if none). */
  get recentMeanCost(): number {
    if (this.lastWindowMean !== null) return this.lastWindowMean;
    return this.windowCount > 0 ? this.windowSum / this.windowCount : NaN;
  }

  /** True when a switch criterion has fired. */
  get done(): boolean {
    return this.stopReason !== null;
  }

  /**
   * Evaluate one mini-batch at the current point and take an Adam step.
   *
   * @param data - the chunk's columns.
   * @param start - first point of the batch.
   * @param n - points in the batch (≥ 1).
   * @returns the batch cost C_B at the point before the step (NaN if non-finite).
   */
  step(data: DataColumns, start: number, n: number): number {
    if (this.done) return NaN;
    const ev = this.evaluator;
    ev.begin(this.x, true);
    ev.addWindow(data, start, n);
    const { cost, T } = ev.finish();
    this.batches++;
    if (!Number.isFinite(cost) || T === null) {
      this.retreat();
      return NaN;
    }
    this.adamUpdate(T, n);
    this.record(cost / n);
    if (this.batches >= this.options.maxBatches && !this.done) this.stopReason = 'max-batches';
    return cost;
  }

  /** Mark the end of a full pass (epoch); applies the `maxEpochs` criterion. */
  endEpoch(): void {
    this.epochs++;
    if (this.epochs >= this.options.maxEpochs && !this.done) this.stopReason = 'max-epochs';
  }

  /** JSON-serializable state for a checkpoint. */
  state(): WarmupState {
    return {
      x: Array.from(this.x),
      xPrev: Array.from(this.xPrev),
      m: Array.from(this.m1),
      v: Array.from(this.v1),
      t: this.t,
      learningRate: this.lr,
      halvings: this.halvings,
      batches: this.batches,
      epochs: this.epochs,
      windowSum: this.windowSum,
      windowCount: this.windowCount,
      previousWindowMean: this.previousWindowMean,
      lastWindowMean: this.lastWindowMean,
    };
  }

  private adamUpdate(T: Float64Array, n: number): void {
    const p = this.x.length;
    const c = p + 1;
    const { beta1, beta2, epsilon } = this.options;
    this.t++;
    const bc1 = 1 - beta1 ** this.t;
    const bc2 = 1 - beta2 ** this.t;
    this.xPrev.set(this.x);
    for (let j = 0; j < p; j++) {
      let g = 0; // (Rᵀz)_j = Σ_{i ≤ j} R_ij z_i
      for (let i = 0; i <= j; i++) g += T[i * c + j]! * T[i * c + p]!;
      g /= n;
      this.m1[j] = beta1 * this.m1[j]! + (1 - beta1) * g;
      this.v1[j] = beta2 * this.v1[j]! + (1 - beta2) * g * g;
      const mh = this.m1[j]! / bc1;
      const vh = this.v1[j]! / bc2;
      this.x[j] = this.x[j]! - (this.lr * this.scale[j]! * mh) / (Math.sqrt(vh) + epsilon);
    }
    this.project(this.x);
  }

  /** Undo the last step after a non-finite batch and halve η. */
  private retreat(): void {
    this.x.set(this.xPrev);
    this.lr *= 0.5;
    this.halvings++;
    if (this.halvings > this.options.maxHalvings) this.stopReason = 'diverging';
  }

  private record(meanCost: number): void {
    this.windowSum += meanCost;
    this.windowCount++;
    if (this.windowCount < this.options.window) return;
    const mean = this.windowSum / this.windowCount;
    this.windowSum = 0;
    this.windowCount = 0;
    this.previousWindowMean = this.lastWindowMean;
    this.lastWindowMean = mean;
    const prev = this.previousWindowMean;
    if (prev !== null && prev > 0 && (prev - mean) / prev < this.options.minImprovement) this.stopReason = 'stalled';
  }

  private project(x: Float64Array): void {
    for (let j = 0; j < x.length; j++) {
      if (x[j]! < this.lo[j]!) x[j] = this.lo[j]!;
      else if (x[j]! > this.hi[j]!) x[j] = this.hi[j]!;
    }
  }
}
