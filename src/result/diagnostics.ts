/**
 * Health diagnostics of a fit: is every parameter determined by the data, and is the answer a
 * minimum? Computed from what the solver already left — the triangle R of the final Jacobian
 * (JᵀJ = RᵀR, so the singular values and right singular vectors of R are those of J), the
 * covariance, the bounds, the start and the gradient — without another pass over the data.
 *
 * - Equilibration: D = diag(‖J e_j‖) (the column norms of R), J̃ = J D⁻¹ — a parameter's unit no
 *   longer matters (van der Sluis, "Condition numbers and equilibration of matrices", Numer.
 *   Math. 14:14–23, 1969: column scaling is within √p of the best). The condition number is
 *   κ(J̃) = s_max/s_min of R D⁻¹, the numerical rank counts s_k > s_max·max(n, p)·ε (SciPy's
 *   covariance cut-off, NumPy's `matrix_rank`). A column with ‖J e_j‖ = 0 is a parameter the data
 *   cannot see: reported on its own and left out of κ.
 * - Sloppy directions (Transtrum, Machta & Sethna, "Geometry of nonlinear least squares with
 *   applications to sloppy models", Phys. Rev. E 83:036701, 2011): the eigenpairs (λ_k = s_k²,
 *   v_k) of the scaled JᵀJ; a direction with λ_k/λ_max below `sloppy` moves the fit by almost
 *   nothing, and the parameters with a large share of v_k are those it mixes.
 * - Correlations above `correlation` from pcov; parameters at a bound (the solver's active mask);
 *   parameters that never moved from p0; a stop on the step or cost test while the gradient is
 *   still large — the largest cosine between the residual vector and a Jacobian column,
 *   |g_j| / (‖J e_j‖·‖r‖) (MINPACK's gtol measure), above `gradient` — and a stop on maxNfev.
 *
 * Every finding has a stable `code`, its numbers and a sentence on what to do.
 *
 * @module
 */
import { describeValue, NlsqRangeError, NlsqTypeError } from '../errors.ts';
import { EPS, thinSvd } from '../linalg/small-linalg.ts';
import type { SolverStatus } from '../optim/evaluation.ts';
import { extractR } from '../stats/covariance.ts';
import { formatNumber } from '../util/format.ts';

/** The stable codes of diagnostic findings. */
export type DiagnosticCode =
  | 'not-determined'
  | 'rank-deficient'
  | 'ill-conditioned'
  | 'sloppy-direction'
  | 'high-correlation'
  | 'at-bound'
  | 'unmoved'
  | 'gradient-stalled'
  | 'not-converged'
  | 'no-jacobian';

/** One finding: what, the numbers, and what to do. */
export interface DiagnosticFinding {
  /** Stable code. */
  readonly code: DiagnosticCode;
  /** `'warning'`: the estimates or their errors are not to be trusted as they are; `'info'`: worth knowing. */
  readonly severity: 'warning' | 'info';
  /** The parameters concerned. */
  readonly params: readonly string[];
  /** The numbers behind the finding. */
  readonly values: Readonly<Record<string, number>>;
  /** What was found, with the numbers. */
  readonly message: string;
  /** What to do about it. */
  readonly advice: string;
}

/** A sloppy (or any) direction of the scaled JᵀJ. */
export interface Eigendirection {
  /** λ_k = s_k² of the equilibrated Jacobian. */
  readonly eigenvalue: number;
  /** λ_k / λ_max. */
  readonly ratio: number;
  /** The unit eigenvector over the determined parameters (`Diagnostics.determined`). */
  readonly vector: readonly number[];
}

/** What `CurveFitResult.diagnostics()` returns. */
export interface Diagnostics {
  /** κ of the equilibrated Jacobian over the determined parameters (∞ when rank-deficient, NaN without R). */
  readonly conditionNumber: number;
  /** Numerical rank of the Jacobian (over every solver parameter). */
  readonly rank: number;
  /** Solver parameters p. */
  readonly p: number;
  /** Column norms ‖J e_j‖ per solver parameter. */
  readonly columnNorms: readonly number[];
  /** The solver parameters with a non-zero Jacobian column (the ones κ and the directions are over). */
  readonly determined: readonly string[];
  /** Singular values of the equilibrated Jacobian, descending. */
  readonly singularValues: readonly number[];
  /** Eigenpairs of the scaled JᵀJ, eigenvalues ascending (sloppiest first). */
  readonly directions: readonly Eigendirection[];
  /** Every finding, warnings first. */
  readonly findings: readonly DiagnosticFinding[];
  /** True when no finding is a warning. */
  readonly healthy: boolean;
}

/** Thresholds of `CurveFitResult.diagnostics()`. */
export interface DiagnosticsOptions {
  /** |correlation| above which a pair is reported; default 0.95. */
  readonly correlation?: number;
  /** κ above which the Jacobian is ill-conditioned; default 1e8 (half of double precision's digits lost in the normal equations). */
  readonly condition?: number;
  /** λ_k/λ_max below which a direction is sloppy; default 1e-8. */
  readonly sloppy?: number;
  /** Largest residual–column cosine accepted at a stop on the step or cost test; default 1e-4. */
  readonly gradient?: number;
}

/** What the diagnostics read of a fit, over the solver's (free) parameters. */
export interface HealthInput {
  /** Solver parameter names. */
  readonly names: readonly string[];
  /** The (p+1)×(p+1) triangle T = [R z; 0 ρ] of the final Jacobian, or null. */
  readonly T: Float64Array | null;
  /** Number of residuals. */
  readonly n: number;
  /** The solution. */
  readonly popt: Float64Array;
  /** The start. */
  readonly x0: Float64Array;
  /** Lower bounds. */
  readonly lb: Float64Array;
  /** Upper bounds. */
  readonly ub: Float64Array;
  /** 0 free, −1 at the lower bound, 1 at the upper. */
  readonly activeMask: Int8Array | readonly number[];
  /** Gradient of the cost, Jᵀr. */
  readonly grad: Float64Array | readonly number[];
  /** Final cost ½‖r‖². */
  readonly cost: number;
  /** Covariance over `names`, p×p row-major. */
  readonly pcov: Float64Array;
  /** Termination status. */
  readonly status: SolverStatus;
}

function threshold(caller: string, name: keyof DiagnosticsOptions, value: unknown, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!(typeof value === 'number' && value > 0 && value < max)) throw new NlsqRangeError(`${caller}: ${name} must be a number in (0, ${max}), got ${describeValue(value)}`, name);
  return value;
}

/**
 * Diagnose a fit.
 *
 * @param caller - the public method name.
 * @param input - the fit's numbers over the solver's parameters.
 * @param options - thresholds.
 * @returns the diagnostics.
 * @throws NlsqTypeError / NlsqRangeError naming a bad option.
 */
export function diagnoseFit(caller: string, input: HealthInput, options: DiagnosticsOptions = {}): Diagnostics {
  if (typeof options !== 'object' || options === null) throw new NlsqTypeError(`${caller}: options must be an object, got ${describeValue(options)}`, 'options');
  for (const key of Object.keys(options)) if (!['correlation', 'condition', 'sloppy', 'gradient'].includes(key)) throw new NlsqRangeError(`${caller}: unknown option '${key}' (accepted: condition, correlation, gradient, sloppy)`, key);
  const corrMax = threshold(caller, 'correlation', options.correlation, 0.95, 1);
  const condMax = threshold(caller, 'condition', options.condition, 1e8, Infinity);
  const sloppyMin = threshold(caller, 'sloppy', options.sloppy, 1e-8, 1);
  const gradMax = threshold(caller, 'gradient', options.gradient, 1e-4, 1);
  const { names, n, popt, pcov } = input;
  const p = names.length;
  const findings: DiagnosticFinding[] = [];
  let conditionNumber = NaN;
  let rank = p;
  let singularValues: number[] = [];
  let directions: Eigendirection[] = [];
  let columnNorms: number[] = new Array<number>(p).fill(NaN);
  let determined: string[] = [...names];
  if (input.T === null || p === 0) {
    findings.push({ code: 'no-jacobian', severity: 'info', params: [], values: {}, message: 'the solver left no Jacobian factor, so conditioning and rank are not known', advice: 'refit the data in memory (curveFit) for these checks' });
  } else {
    const R = extractR(input.T, p);
    columnNorms = Array.from({ length: p }, (_, j) => {
      let s = 0;
      for (let i = 0; i <= j; i++) s += R[i * p + j]! ** 2;
      return Math.sqrt(s);
    });
    const largest = Math.max(...columnNorms);
    const seen = columnNorms.map((c) => Number.isFinite(c) && c > largest * EPS * Math.max(n, p));
    for (let j = 0; j < p; j++) {
      if (seen[j]) continue;
      findings.push({
        code: 'not-determined', severity: 'warning', params: [names[j]!], values: { columnNorm: columnNorms[j]!, largestColumnNorm: largest },
        message: `the data does not see ${names[j]}: its Jacobian column has norm ${formatNumber(columnNorms[j]!)} (the largest is ${formatNumber(largest)}), so the model does not change when ${names[j]} does`,
        advice: `fix ${names[j]} at a known value, or add data where it matters (the range of x where the model depends on it)`,
      });
    }
    const keep = names.map((_, j) => j).filter((j) => seen[j]);
    determined = keep.map((j) => names[j]!);
    const q = keep.length;
    // The full R's rank (every column), then κ and the directions over the determined columns.
    const svAll = thinSvd(R, p, p).s;
    rank = svAll.filter((s) => s > svAll[0]! * Math.max(n, p) * EPS).length;
    if (q > 0) {
      const Rs = new Float64Array(p * q);
      for (let i = 0; i < p; i++) keep.forEach((j, c) => (Rs[i * q + c] = R[i * p + j]! / columnNorms[j]!));
      const { s, V } = thinSvd(Rs, p, q);
      singularValues = Array.from(s);
      const rankScaled = singularValues.filter((v) => v > singularValues[0]! * Math.max(n, p) * EPS).length;
      conditionNumber = rankScaled < q ? Infinity : singularValues[0]! / singularValues[q - 1]!;
      const lmax = singularValues[0]! ** 2;
      directions = singularValues.map((sv, k) => ({ eigenvalue: sv * sv, ratio: (sv * sv) / lmax, vector: Array.from({ length: q }, (_, c) => V[c * q + k]!) })).reverse();
    }
    if (rank < p) {
      findings.push({
        code: 'rank-deficient', severity: 'warning', params: [...names], values: { rank, p },
        message: `the Jacobian has numerical rank ${rank} < p = ${p}: ${p - rank} combination(s) of the parameters are not determined by the data`,
        advice: 'fix or tie the parameters a sloppy direction below mixes, or reparametrise the model so that each combination the data sees is one parameter (a·b → one c)',
      });
    } else if (conditionNumber > condMax) {
      findings.push({
        code: 'ill-conditioned', severity: 'warning', params: determined, values: { conditionNumber, threshold: condMax },
        message: `the equilibrated Jacobian has condition number ${formatNumber(conditionNumber)} > ${formatNumber(condMax)}: the errors and correlations are only as good as its last ${Math.max(0, Math.round(16 - Math.log10(conditionNumber)))} digits`,
        advice: 'reparametrise (centre x, use products or ratios the data sees), fix a parameter of the sloppy direction, or add data that separates the mixed parameters',
      });
    }
    for (const d of directions) {
      if (!(d.ratio < sloppyMin)) continue;
      const big = Math.max(...d.vector.map(Math.abs));
      const mixed = d.vector.map((v, c) => ({ name: determined[c]!, v })).filter((e) => Math.abs(e.v) >= 0.2 * big);
      const values: Record<string, number> = { eigenvalue: d.eigenvalue, ratio: d.ratio };
      for (const e of mixed) values[e.name] = e.v;
      findings.push({
        code: 'sloppy-direction', severity: 'warning', params: mixed.map((e) => e.name), values,
        message: `a sloppy direction (λ/λmax = ${formatNumber(d.ratio)}) mixes ${mixed.map((e, i) => `${i === 0 ? (e.v < 0 ? '−' : '') : e.v < 0 ? ' − ' : ' + '}${formatNumber(Math.abs(e.v))}·${e.name}`).join('')}: moving along it changes the fit by almost nothing`,
        advice: `the data determines only combinations of ${mixed.map((e) => e.name).join(', ')}: fix one of them, reparametrise, add data where they act differently, or use profile() for honest intervals`,
      });
    }
  }
  // Correlations from pcov.
  for (let a = 0; a < p; a++) {
    for (let b = a + 1; b < p; b++) {
      const r = pcov[a * p + b]! / Math.sqrt(pcov[a * p + a]! * pcov[b * p + b]!);
      if (!(Math.abs(r) > corrMax)) continue;
      findings.push({
        code: 'high-correlation', severity: 'info', params: [names[a]!, names[b]!], values: { correlation: r, threshold: corrMax },
        message: `${names[a]} and ${names[b]} are correlated, r = ${formatNumber(r)} (|r| > ${corrMax})`,
        advice: `their individual errors overstate what is unknown: report the pair's covariance, reparametrise (e.g. centre x), or profile() them`,
      });
    }
  }
  for (let j = 0; j < p; j++) {
    const side = input.activeMask[j]!;
    if (side !== 0) {
      const at = side < 0 ? input.lb[j]! : input.ub[j]!;
      findings.push({
        code: 'at-bound', severity: 'warning', params: [names[j]!], values: { value: popt[j]!, bound: at },
        message: `${names[j]} = ${formatNumber(popt[j]!)} is at its ${side < 0 ? 'lower' : 'upper'} bound ${formatNumber(at)}: its error and the covariance ignore the bound`,
        advice: `widen the bound if it is not physical, or fix ${names[j]} at it; profile() gives the interval the bound allows`,
      });
    }
    const x0 = input.x0[j]!;
    if (popt[j] === x0 || Math.abs(popt[j]! - x0) <= 1e-12 * Math.max(1, Math.abs(x0))) {
      findings.push({
        code: 'unmoved', severity: 'warning', params: [names[j]!], values: { value: popt[j]!, initial: x0 },
        message: `${names[j]} never moved from its start ${formatNumber(x0)}`,
        advice: `check that the model depends on ${names[j]} over the data's x range; if it does, start elsewhere (p0) or use the global option`,
      });
    }
  }
  const rnorm = Math.sqrt(2 * input.cost);
  let cosine = 0;
  for (let j = 0; j < p; j++) {
    const c = columnNorms[j]!;
    if (c > 0 && rnorm > 0) cosine = Math.max(cosine, Math.abs(input.grad[j]!) / (c * rnorm));
  }
  if (input.status === 'max-nfev') {
    findings.push({
      code: 'not-converged', severity: 'warning', params: [], values: { cosine },
      message: 'the fit stopped on the evaluation limit (maxNfev) before a convergence test was met',
      advice: 'raise maxNfev, start nearer (p0), or use the global option',
    });
  } else if (input.status !== 'gtol' && cosine > gradMax) {
    findings.push({
      code: 'gradient-stalled', severity: 'warning', params: [], values: { cosine, threshold: gradMax },
      message: `the fit stopped on the ${input.status} test while the gradient is still large: the largest residual–column cosine is ${formatNumber(cosine)} > ${formatNumber(gradMax)}`,
      advice: 'the solver may have stalled short of a minimum: tighten ftol/xtol, try another method, rescale the parameters (xScale), or use the global option',
    });
  }
  findings.sort((u, v) => (u.severity === v.severity ? 0 : u.severity === 'warning' ? -1 : 1));
  return { conditionNumber, rank, p, columnNorms, determined, singularValues, directions, findings, healthy: findings.every((f) => f.severity !== 'warning') };
}

/**
 * The diagnostics as report lines (the section of `report({ full: true })`).
 *
 * @param d - the diagnostics.
 * @returns indented lines.
 */
export function diagnosticLines(d: Diagnostics): string[] {
  const kappa = d.conditionNumber === Infinity ? '∞' : formatNumber(d.conditionNumber);
  const lines = [`  health: κ(equilibrated J) = ${kappa} · rank ${d.rank}/${d.p}${d.healthy ? ' · no warnings' : ''}`];
  for (const f of d.findings) lines.push(`    [${f.code}] ${f.message} — ${f.advice}`);
  return lines;
}
