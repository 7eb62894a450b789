/**
 * `plotProfile`: the profile likelihood of one parameter (`CurveFitResult.profile`, lmfit's
 * `conf_interval` traces, drawn): χ²(t) of the refits with the parameter held at t, the
 * threshold χ²_min·(1 + F_c/(n − p)) the interval is read at, the interval's ends, the best fit,
 * and — dashed — the parabola χ²_min·(1 + ((t − θ̂)/σ)²/(n − p)) the covariance assumes, so that
 * an asymmetric profile shows against the symmetric interval.
 *
 * @module
 */
import { describeValue, NlsqTypeError } from '../errors.ts';
import type { CurveFitResult } from '../result/curve-fit-result.ts';
import type { ProfileOptions, ProfileResult } from '../result/profile.ts';
import { requireResult } from './fit-data.ts';
import { topLevel, type VegaLiteSpec } from './spec.ts';

/** Options of {@link plotProfile}: the profile's own options, and the figure's size. */
export interface PlotProfileOptions extends ProfileOptions {
  /** Width in pixels (default 480). */
  readonly width?: number;
  /** Height in pixels (default 300). */
  readonly height?: number;
}

const CALLER = 'plotProfile';

function isProfile(v: unknown): v is ProfileResult {
  return typeof v === 'object' && v !== null && 'trace' in v && 'fCritical' in v && 'chiSquareThreshold' in v;
}

function short(v: number): string {
  return Number.isFinite(v) ? Number(v.toPrecision(5)).toString() : v > 0 ? '+∞' : '−∞';
}

/**
 * The profile of a parameter as a figure.
 *
 * @param source - a fitted result (the profile is computed now with `options`), or a profile
 *   `result.profile(…)` already returned.
 * @param name - the parameter (name or index) when `source` is a result.
 * @param options - the profile's options (level, points, …) and width/height.
 * @returns the spec.
 * @throws NlsqTypeError naming `result` when `source` is neither; what `result.profile` throws.
 * @example
 * ```ts
 * import { plotProfile, toSVG } from 'nlsq/plot';
 * const svg = await toSVG(await plotProfile(result, 'k', { level: 0.95 }));
 * ```
 */
export async function plotProfile(source: CurveFitResult | ProfileResult, name?: string | number, options: PlotProfileOptions = {}): Promise<VegaLiteSpec> {
  let profile: ProfileResult;
  const { width = 480, height = 300, ...profileOptions } = options;
  if (isProfile(source)) profile = source;
  else {
    requireResult(CALLER, source, ['profile', 'paramNames']);
    if (name === undefined) throw new NlsqTypeError(`${CALLER}: name must be the parameter to profile (a name or an index), got ${describeValue(name)}`, 'name');
    profile = await (source as CurveFitResult).profile(name, profileOptions);
  }
  const { trace, chiSquareMin, dof, fCritical, value, lower, upper, level } = profile;
  const sd = profile.covarianceHalfWidth / Math.sqrt(fCritical);
  const points = Array.from(trace.values, (t, i) => ({ value: t, chiSquare: trace.chiSquare[i]!, converged: trace.status[i]! > 0 })).filter((q) => q.converged && Number.isFinite(q.chiSquare));
  const parabola = Number.isFinite(sd) && sd > 0 ? points.map((q) => ({ value: q.value, chiSquare: chiSquareMin * (1 + ((q.value - value) / sd) ** 2 / dof) })) : [];
  const ends = [lower, upper].filter(Number.isFinite).map((v) => ({ value: v }));
  const x = { field: 'value', type: 'quantitative', title: profile.name, scale: { zero: false } };
  const y = { field: 'chiSquare', type: 'quantitative', title: 'χ² (others refitted)', scale: { zero: false } };
  const pct = `${Number((100 * level).toPrecision(4))}%`;
  return topLevel(
    `Profile likelihood of ${profile.name}: χ² of ${points.length} refits with ${profile.name} held, the ${pct} threshold χ² = ${short(profile.chiSquareThreshold)} and the interval [${short(lower)}, ${short(upper)}].`,
    {
      title: { text: `Profile of ${profile.name}`, subtitle: `${pct} interval [${short(lower)}, ${short(upper)}] (profile) · ${short(value)} ± ${short(profile.covarianceHalfWidth)} (covariance)` },
      width,
      height,
      layer: [
        { name: 'profile_parabola', data: { values: parabola }, mark: { type: 'line', strokeDash: [4, 3], color: '#999999' }, encoding: { x, y } },
        { name: 'profile_curve', data: { values: points }, mark: { type: 'line', color: '#1f77b4' }, encoding: { x, y } },
        { name: 'profile_points', data: { values: points }, mark: { type: 'point', filled: true, size: 18, color: '#1f77b4' }, encoding: { x, y } },
        { name: 'profile_threshold', data: { values: [{ chiSquare: profile.chiSquareThreshold }] }, mark: { type: 'rule', color: '#d62728' }, encoding: { y: { field: 'chiSquare', type: 'quantitative' } } },
        { name: 'profile_interval', data: { values: ends }, mark: { type: 'rule', color: '#d62728', strokeDash: [6, 3] }, encoding: { x: { field: 'value', type: 'quantitative' } } },
        { name: 'profile_best', data: { values: [{ value, chiSquare: chiSquareMin }] }, mark: { type: 'point', shape: 'diamond', filled: true, size: 80, color: '#2ca02c' }, encoding: { x, y } },
      ],
    },
  );
}
