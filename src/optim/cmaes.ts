/**
 * One run of CMA-ES, the covariance matrix adaptation evolution strategy (N. Hansen and
 * A. Ostermeier, "Completely derandomized self-adaptation in evolution strategies", Evol.
 * Comput. 9(2), 2001; the (μ/μ_w, λ) form with rank-one and rank-μ updates and cumulative
 * step-size adaptation exactly as in N. Hansen, "The CMA evolution strategy: a tutorial",
 * arXiv:1604.00772, Table 1 and Fig. 6 — the default constants are quoted below).
 *
 * Written as a generator so that the caller decides how a population is evaluated (in a loop, as
 * one batch on a backend, on workers): each `yield` hands out λ candidate points (rows of a λ×n
 * matrix, already inside the box through `box-transform.ts`) and receives their λ costs;
 * non-finite costs rank last. The restarts (IPOP, BIPOP) are in `cmaes-restarts.ts`.
 *
 * Constants (n the dimension, λ the population, μ = ⌊λ/2⌋, w_i ∝ ln((λ+1)/2) − ln i,
 * μ_eff = 1/Σw_i²): c_σ = (μ_eff+2)/(n+μ_eff+5), d_σ = 1 + 2 max(0, √((μ_eff−1)/(n+1)) − 1) + c_σ,
 * c_c = (4+μ_eff/n)/(n+4+2μ_eff/n), c_1 = 2/((n+1.3)²+μ_eff),
 * c_μ = min(1−c_1, 2(μ_eff−2+1/μ_eff)/((n+2)²+μ_eff)), E‖N(0,I)‖ ≈ √n(1 − 1/(4n) + 1/(21n²)).
 *
 * Stopping (per run; tutorial §B.3 and pycma's defaults): `tolfun` — the best costs of the last
 * 10 + ⌈30n/λ⌉ generations and the current costs all lie within `tolFun`·(1 + |f_best|); `tolx` — σ·max(√C_ii)
 * and σ·‖p_c‖_∞ below `tolX`; `conditioncov` — κ(C) > 1e14; `noeffectcoord` — adding 0.2σ√C_ii
 * leaves a mean coordinate unchanged; `maxiter` — 100 + 150(n+3)²/√λ generations; `budget` — the
 * caller's evaluation budget; `ftarget` — a cost at or below the target.
 *
 * @module
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import type { Random } from '../sampling/random.ts';
import type { BoxTransform } from './box-transform.ts';

/** Why a run stopped. */
export type CmaesStop = 'tolfun' | 'tolx' | 'conditioncov' | 'noeffectcoord' | 'maxiter' | 'budget' | 'ftarget';

/** The settings of one run (coordinates are the caller's scaled ones). */
export interface CmaesRunSettings {
  /** Initial mean (genotype), length n. */
  readonly mean: Float64Array;
  /** Initial step size σ0 > 0. */
  readonly sigma: number;
  /** Population size λ ≥ 2. */
  readonly popsize: number;
  /** Maps genotypes into the box. */
  readonly box: BoxTransform;
  /** The run's random stream. */
  readonly random: Random;
  /** Evaluations this run may spend. */
  readonly budget: number;
  /** Stop when a cost ≤ this is seen (default −∞). */
  readonly ftarget: number;
  /** Tolerance on the spread of costs, relative to 1 + |f_best| (default 1e-12). */
  readonly tolFun: number;
  /** Tolerance on σ·√C_ii (default 1e-12, in scaled units). */
  readonly tolX: number;
}

/** What one run found. */
export interface CmaesRunResult {
  /** The best point seen (phenotype: inside the box). */
  readonly x: Float64Array;
  /** Its cost. */
  readonly f: number;
  /** Evaluations spent. */
  readonly evaluations: number;
  /** Generations run. */
  readonly generations: number;
  /** Why it stopped. */
  readonly stop: CmaesStop;
}

/** Default population size 4 + ⌊3 ln n⌋ (tutorial, Table 1). */
export function defaultPopsize(n: number): number {
  return 4 + Math.floor(3 * Math.log(n));
}

/**
 * One CMA-ES run as a generator: yields λ×n candidate matrices, receives λ costs.
 *
 * @param settings - the run's settings.
 * @returns the best point and why the run stopped.
 */
export function* cmaesRun(settings: CmaesRunSettings): Generator<Float64Array, CmaesRunResult, Float64Array> {
  const n = settings.mean.length;
  const lambda = settings.popsize;
  const mu = Math.floor(lambda / 2);
  const weights = new Float64Array(mu);
  let wsum = 0;
  for (let i = 0; i < mu; i++) wsum += weights[i] = Math.log((lambda + 1) / 2) - Math.log(i + 1);
  let w2 = 0;
  for (let i = 0; i < mu; i++) w2 += (weights[i] = (weights[i] as number) / wsum) ** 2;
  const mueff = 1 / w2;
  const cs = (mueff + 2) / (n + mueff + 5);
  const ds = 1 + 2 * Math.max(0, Math.sqrt((mueff - 1) / (n + 1)) - 1) + cs;
  const cc = (4 + mueff / n) / (n + 4 + (2 * mueff) / n);
  const c1 = 2 / ((n + 1.3) ** 2 + mueff);
  const cmu = Math.min(1 - c1, (2 * (mueff - 2 + 1 / mueff)) / ((n + 2) ** 2 + mueff));
  const chiN = Math.sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n));
  const maxGenerations = Math.ceil(100 + (150 * (n + 3) ** 2) / Math.sqrt(lambda));
  const historyLength = 10 + Math.ceil((30 * n) / lambda);

  const mean = Float64Array.from(settings.mean);
  let sigma = settings.sigma;
  const pc = new Float64Array(n);
  const ps = new Float64Array(n);
  const C = new Float64Array(n * n);
  const B = new Float64Array(n * n);
  const D = new Float64Array(n).fill(1);
  for (let i = 0; i < n; i++) C[i * n + i] = B[i * n + i] = 1;
  const genotypes = new Float64Array(lambda * n);
  const steps = new Float64Array(lambda * n); // y_k = B D z_k
  const population = new Float64Array(lambda * n);
  const z = new Float64Array(n);
  const order = new Int32Array(lambda);
  const yw = new Float64Array(n);
  const tmp = new Float64Array(n);
  const history: number[] = [];
  const best = { x: new Float64Array(n), f: Number.POSITIVE_INFINITY };
  let evaluations = 0;
  let generation = 0;
  let eigenAge = 0;
  const eigenEvery = Math.max(1, Math.floor(lambda / ((c1 + cmu) * n * 10)));

  const finish = (stop: CmaesStop): CmaesRunResult => ({ x: best.x, f: best.f, evaluations, generations: generation, stop });

  for (;;) {
    if (evaluations + lambda > settings.budget) return finish('budget');
    // sample λ genotypes x_k = m + σ B D z_k and their phenotypes in the box
    for (let k = 0; k < lambda; k++) {
      for (let i = 0; i < n; i++) z[i] = settings.random.normal();
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += (B[i * n + j] as number) * (D[j] as number) * (z[j] as number);
        steps[k * n + i] = s;
        genotypes[k * n + i] = (mean[i] as number) + sigma * s;
      }
      settings.box.toBox(genotypes.subarray(k * n, (k + 1) * n), population.subarray(k * n, (k + 1) * n));
    }
    const costs = yield population;
    evaluations += lambda;
    generation++;
    for (let k = 0; k < lambda; k++) order[k] = k;
    const rank = (k: number): number => {
      const f = costs[k] as number;
      return Number.isNaN(f) ? Number.POSITIVE_INFINITY : f;
    };
    order.sort((a, b) => rank(a) - rank(b) || a - b);
    const fBest = rank(order[0] as number);
    if (fBest < best.f) {
      best.f = fBest;
      best.x.set(population.subarray((order[0] as number) * n, ((order[0] as number) + 1) * n));
    }
    if (best.f <= settings.ftarget) return finish('ftarget');

    // recombination: m ← Σ w_i x_{i:λ}; y_w = Σ w_i y_{i:λ}
    yw.fill(0);
    for (let r = 0; r < mu; r++) {
      const k = order[r] as number;
      for (let i = 0; i < n; i++) yw[i] = (yw[i] as number) + (weights[r] as number) * (steps[k * n + i] as number);
    }
    for (let i = 0; i < n; i++) mean[i] = (mean[i] as number) + sigma * (yw[i] as number);

    // cumulation for σ: p_σ ← (1−c_σ)p_σ + √(c_σ(2−c_σ)μ_eff) C^{−1/2} y_w, C^{−1/2} = B D⁻¹ Bᵀ
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += (B[i * n + j] as number) * (yw[i] as number);
      tmp[j] = s / (D[j] as number);
    }
    const csFactor = Math.sqrt(cs * (2 - cs) * mueff);
    let psNorm2 = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += (B[i * n + j] as number) * (tmp[j] as number);
      ps[i] = (1 - cs) * (ps[i] as number) + csFactor * s;
      psNorm2 += (ps[i] as number) ** 2;
    }
    const psNorm = Math.sqrt(psNorm2);
    const hsig = psNorm / Math.sqrt(1 - (1 - cs) ** (2 * generation)) < (1.4 + 2 / (n + 1)) * chiN ? 1 : 0;
    const ccFactor = hsig * Math.sqrt(cc * (2 - cc) * mueff);
    for (let i = 0; i < n; i++) pc[i] = (1 - cc) * (pc[i] as number) + ccFactor * (yw[i] as number);

    // covariance: rank-one and rank-μ updates
    const keep = 1 - c1 - cmu + (1 - hsig) * c1 * cc * (2 - cc);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        let rankMu = 0;
        for (let r = 0; r < mu; r++) {
          const k = order[r] as number;
          rankMu += (weights[r] as number) * (steps[k * n + i] as number) * (steps[k * n + j] as number);
        }
        const v = keep * (C[i * n + j] as number) + c1 * (pc[i] as number) * (pc[j] as number) + cmu * rankMu;
        C[i * n + j] = v;
        C[j * n + i] = v;
      }
    }
    sigma *= Math.exp((cs / ds) * (psNorm / chiN - 1));

    // C = B D² Bᵀ, refreshed every few generations (tutorial: O(n²) per sample amortised)
    if (++eigenAge >= eigenEvery) {
      eigenAge = 0;
      const eig = new EigenvalueDecomposition(new Matrix(Array.from({ length: n }, (_, i) => Array.from(C.subarray(i * n, (i + 1) * n)))), { assumeSymmetric: true });
      const values = eig.realEigenvalues;
      const vectors = eig.eigenvectorMatrix;
      for (let j = 0; j < n; j++) {
        D[j] = Math.sqrt(Math.max(values[j] as number, 1e-300));
        for (let i = 0; i < n; i++) B[i * n + j] = vectors.get(i, j);
      }
    }

    // stopping tests
    history.push(fBest);
    if (history.length > historyLength) history.shift();
    if (generation >= maxGenerations) return finish('maxiter');
    const fWorst = rank(order[lambda - 1] as number);
    if (history.length === historyLength && Math.max(...history, fWorst) - Math.min(...history, fBest) < settings.tolFun * (1 + Math.abs(best.f))) return finish('tolfun');
    let maxSd = 0;
    let maxPc = 0;
    let noEffect = false;
    for (let i = 0; i < n; i++) {
      const sd = Math.sqrt(C[i * n + i] as number);
      maxSd = Math.max(maxSd, sd);
      maxPc = Math.max(maxPc, Math.abs(pc[i] as number));
      if ((mean[i] as number) + 0.2 * sigma * sd === mean[i]) noEffect = true;
    }
    if (sigma * maxSd < settings.tolX && sigma * maxPc < settings.tolX) return finish('tolx');
    let dMax = 0;
    let dMin = Number.POSITIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      dMax = Math.max(dMax, D[i] as number);
      dMin = Math.min(dMin, D[i] as number);
    }
    if ((dMax / dMin) ** 2 > 1e14) return finish('conditioncov');
    if (noEffect) return finish('noeffectcoord');
  }
}
