/**
 * The shape of `result.global`: what a global search (the `global` option of `curveFit`,
 * `curveFitSync`, `leastSquares`, `leastSquaresSync` and `fit`; built in `global/global-report.ts`) did —
 * the starts, the sampling box and how each coordinate's range was chosen, the distinct minima
 * found, which start won and the evaluations spent.
 *
 * @module
 */

/** One coordinate of the sampling box. */
export interface GlobalBoxCoordinate {
  /** Lowest value drawn. */
  readonly lo: number;
  /** Highest value drawn. */
  readonly hi: number;
  /** Whether the coordinate is drawn log-uniformly. */
  readonly log: boolean;
  /** How the range was chosen, in words (e.g. `finite bounds [1e-3, 10], log-uniform (ratio ≥ 1e3)`). */
  readonly how: string;
}

/** One distinct minimum (local fits whose costs and parameters agree, clustered). */
export interface GlobalMinimum {
  /** Its cost ½Σρ(r²). */
  readonly cost: number;
  /** Its parameters (the best of its cluster): the solver's free parameters — with `params`, fixed and tied ones left out — except for sequential curve-fit starts, which report `popt`. */
  readonly x: readonly number[];
  /** How many starts reached it. */
  readonly count: number;
  /** The first start (index) that reached it. */
  readonly firstStart: number;
}

/** One CMA-ES run (the first and each restart). */
export interface GlobalCmaesRun {
  /** `'default'`, `'large'` or `'small'` (BIPOP's regimes). */
  readonly regime: string;
  /** Population size λ. */
  readonly popsize: number;
  /** Initial step size, in the unit box. */
  readonly sigma0: number;
  /** Cost evaluations spent. */
  readonly evaluations: number;
  /** Best cost the run found. */
  readonly f: number;
  /** Why it stopped. */
  readonly stop: string;
}

/** How the local fits of a search ran. */
export interface GlobalEngine {
  /**
   * `'batch'`: every start in one batch on `fitBatch`'s engine, the winner fitted again by the
   * caller's path; `'sequential'`: one call of the caller's path per start; `'tournament'`: a
   * streaming source's starts raced on its first chunks (`global/tournament.ts`).
   */
  readonly kind: 'batch' | 'sequential' | 'tournament';
  /** Why, in words. */
  readonly reason: string;
}

/** One round of a streaming tournament. */
export interface GlobalTournamentRound {
  /** Rows of the source's prefix the survivors were fitted on. */
  readonly rows: number;
  /** Starts that entered the round. */
  readonly survivors: number;
}

/** A streaming tournament's rounds (`fit(model, source, { global })`). */
export interface GlobalTournament {
  /** Per round: the rows of the source's prefix the survivors were fitted on, and how many started the round. */
  readonly rounds: readonly GlobalTournamentRound[];
  /** Start indices of the finalists, which streamed the whole source. */
  readonly finalists: readonly number[];
  /**
   * Rows read from the source in all: the prefix once, then every pass of every finalist (its
   * statistics pass included) — all but the first chunk, which `fit` reads once to resolve the options.
   */
  readonly rowsRead: number;
  /** True when the source ended inside the prefix: the rounds then saw all the data. */
  readonly wholeSourceInPrefix: boolean;
}

/** What a global search did (`result.global`). */
export interface GlobalSummary {
  /** `'multistart'` or `'cmaes'`. */
  readonly method: 'multistart' | 'cmaes';
  /** Local fits run (multi-start: the starts, p0 first; CMA-ES: 2, the polishes from p0 and from the CMA-ES best). */
  readonly starts: number;
  /** The design of the starts (multi-start) — also reported for CMA-ES, where it is unused. */
  readonly sampler: string;
  /** The seed. */
  readonly seed: number;
  /** The sampling box, one entry per free parameter. */
  readonly box: readonly GlobalBoxCoordinate[];
  /** The distinct minima, best first. */
  readonly minima: readonly GlobalMinimum[];
  /** The index of the start whose fit is the result. */
  readonly winner: number;
  /** Starts whose local fit failed with an error (model not finite there, …), with the message. */
  readonly failed: readonly {
    /** The start's index (0 is p0). */
    readonly start: number;
    /** The error's message. */
    readonly message: string;
  }[];
  /** Total function evaluations: every local fit's nfev, plus CMA-ES's cost evaluations. */
  readonly evaluations: number;
  /** CMA-ES only: its runs. */
  readonly cmaes?: readonly GlobalCmaesRun[];
  /** How the local fits ran (one batch, one call per start, or a streaming tournament) and why. */
  readonly engine: GlobalEngine;
  /** Streaming sources only: the tournament. */
  readonly tournament?: GlobalTournament;
}
