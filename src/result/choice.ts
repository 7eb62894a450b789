/**
 * A decision a fit made, with what the caller gave and why — the rows of `report({ full: true })`
 * (after Ceres' `Solver::Summary::FullReport`, which shows given against used).
 *
 * @module
 */

/** One decision: given vs used, and the reason. */
export interface Choice {
  /** What the caller asked for (`'default'` when nothing). */
  readonly given: string;
  /** What the fit used. */
  readonly used: string;
  /** Why, in a sentence. */
  readonly reason: string;
}

/** The decisions every fit reports. */
export interface FitChoices {
  /** Which backend. */
  readonly backend: Choice;
  /** Standard, chunked or streaming. */
  readonly strategy: Choice;
  /** trf, dogbox or lm. */
  readonly method: Choice;
  /** Rows per block. */
  readonly blockSize: Choice;
  /** f64 or f32 arithmetic. */
  readonly precision: Choice;
  /** Analytic or finite differences. */
  readonly jacobian: Choice;
  /** The loss and fScale. */
  readonly loss: Choice;
}
