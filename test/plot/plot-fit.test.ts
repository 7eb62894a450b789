/**
 * plotFit on real fits: the spec's curve and bands against the model and the delta method written
 * out here (SciPy's t quantile), and the rendered SVG — parsed — holds the data marks, the curve,
 * the bands, the error bars, the residual panel and axis titles from the model or the labels.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { NlsqRangeError, NlsqTypeError } from '../../src/index.ts';
import type { CurveFitResult } from '../../src/index.ts';
import { plotFit, toSVG } from '../../src/plot/index.ts';
import { byClass, markItems, parseSvg, textOf, type SvgNode } from '../support/svg-tree.ts';
import { bumpFit, decay, decayFit, decayGradient } from './fit-fixtures.ts';

/** scipy.stats.t.ppf(0.975, 77), SciPy 1.17. */
const T_975_77 = 1.9912543953883846;

type Row = Record<string, number>;
const datasets = (spec: Record<string, unknown>): { points: Row[]; curve: Row[] } => spec['datasets'] as { points: Row[]; curve: Row[] };
const axisTitles = (svg: SvgNode): string[] => byClass(svg, 'role-axis-title').map(textOf);

let fit: Awaited<ReturnType<typeof decayFit>>;
beforeAll(async () => {
  fit = await decayFit();
});

describe('plotFit: the spec of a one-variable fit', () => {
  it('draws the curve f(x; popt) on an even grid over the data range', () => {
    const { curve } = datasets(plotFit(fit.r, { x: fit.t, y: fit.y, gridPoints: 101 }));
    expect(curve).toHaveLength(101);
    expect(curve[0]!['x']).toBe(0);
    expect(curve[100]!['x']).toBe(5);
    expect(curve.map((c) => c['yhat'])).toBeAllclose(curve.map((c) => decay(c['x']!, fit.r.popt)), { rtol: 1e-12 });
  });

  it('draws the confidence and prediction bands of the delta method: ŷ ± t·√(gᵀPg) and ŷ ± t·√(gᵀPg + RSS/dof)', () => {
    const { r } = fit;
    expect(r.dof).toBe(77);
    const { curve } = datasets(plotFit(r, { x: fit.t, y: fit.y, sigma: fit.sigma, gridPoints: 50 }));
    const s2 = r.rss / r.dof;
    const half = curve.map((c) => {
      const g = decayGradient(c['x']!, r.popt);
      let q = 0;
      for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) q += g[a]! * r.pcov[a]![b]! * g[b]!;
      return [T_975_77 * Math.sqrt(q), T_975_77 * Math.sqrt(q + s2)];
    });
    // The bands' Jacobian is the compiled model's, exact: only rounding separates the two.
    expect(curve.map((c) => c['chi']! - c['yhat']!)).toBeAllclose(half.map((h) => h[0]), { rtol: 1e-7 });
    expect(curve.map((c) => c['yhat']! - c['clo']!)).toBeAllclose(half.map((h) => h[0]), { rtol: 1e-7 });
    expect(curve.map((c) => c['phi']! - c['yhat']!)).toBeAllclose(half.map((h) => h[1]), { rtol: 1e-7 });
    expect(curve.map((c) => c['yhat']! - c['plo']!)).toBeAllclose(half.map((h) => h[1]), { rtol: 1e-7 });
  });

  it('gives the residuals y − ŷ and the ±σ bars of every point, and the estimates ± errors in the subtitle', () => {
    const spec = plotFit(fit.r, { x: fit.t, y: fit.y, sigma: fit.sigma });
    const { points } = datasets(spec);
    expect(points).toHaveLength(80);
    expect(points.map((p) => p['residual'])).toBeAllclose(fit.y.map((y, i) => y - decay(fit.t[i]!, fit.r.popt)), { rtol: 1e-9, atol: 1e-12 });
    expect(points.map((p) => p['hi']! - p['lo']!)).toBeAllclose(0.1, { rtol: 1e-12 });
    const subtitle = (spec['title'] as { subtitle: string[] }).subtitle.join('\n');
    expect(subtitle).toContain(`a = ${Number(fit.r.popt[0]!.toPrecision(5))} ± ${Number(fit.r.perr[0]!.toPrecision(2))}`);
    expect(subtitle).toMatch(/b = [\d.]+ ± [\d.]+ · c = /);
    expect(subtitle).toContain('R² = ');
  });

  it('thins more than maxPoints points to an even subsample, says so, and keeps the SVG small', async () => {
    const many = await decayFit(20_000);
    const spec = plotFit(many.r, { x: many.t, y: many.y, maxPoints: 500 });
    expect(datasets(spec).points).toHaveLength(500);
    expect(datasets(spec).points[1]!['x']).toBe(many.t[40]);
    expect(spec.description).toContain('showing 500 of 20,000 points (every 40th');
    const svg = await toSVG(spec);
    expect(markItems(parseSvg(svg), 'data_points_marks')).toHaveLength(500);
    expect(svg.length).toBeLessThan(400_000);
  });

  it('leaves out bands it cannot compute (dof = 0) and says so', () => {
    const spec = plotFit({ ...fit.r, confidenceBand: () => { throw new NlsqRangeError('x: bands need dof > 0', 'level'); }, predictionBand: fit.r.predictionBand.bind(fit.r), predict: fit.r.predict.bind(fit.r) } as unknown as CurveFitResult, { x: fit.t, y: fit.y });
    expect(datasets(spec).curve[0]).not.toHaveProperty('clo');
    expect(datasets(spec).curve[0]).toHaveProperty('plo');
    expect(spec.description).toContain('No confidence band');
  });
});

describe('plotFit: the rendered SVG', () => {
  it('holds the data marks, error bars, curve, both bands, the residual panel and the model variable as x title', async () => {
    const svg = parseSvg(await toSVG(plotFit(fit.r, { x: fit.t, y: fit.y, sigma: fit.sigma })));
    const points = markItems(svg, 'data_points_marks');
    expect(points).toHaveLength(80);
    // Each symbol carries its datum: the first point is (0, y[0]).
    expect(points[0]!.attrs['aria-label']).toBe(`x: 0; y: ${Number(fit.y[0]!.toPrecision(12))}`);
    expect(markItems(svg, 'error_bars_marks')).toHaveLength(80);
    const curve = markItems(svg, 'fit_curve_marks');
    expect(curve).toHaveLength(1);
    expect(curve[0]!.attrs['d']!.split('L')).toHaveLength(400);
    for (const band of ['confidence_band_marks', 'prediction_band_marks']) {
      expect(markItems(svg, band)).toHaveLength(1);
      expect(markItems(svg, band)[0]!.attrs['d']).toMatch(/^M.*Z$/);
    }
    expect(markItems(svg, 'residual_points_marks')).toHaveLength(80);
    expect(markItems(svg, 'residual_error_bars_marks')).toHaveLength(80);
    expect(axisTitles(svg)).toEqual(expect.arrayContaining(['t', 'y', 'residual y − ŷ']));
    const legend = byClass(svg, 'role-legend-label').map(textOf);
    expect(legend).toEqual(['data', 'fit', '95% confidence band', '95% prediction band']);
    expect(byClass(svg, 'role-title-text').map(textOf)).toEqual(['Fit of y against t']);
  });

  it('takes the axis titles from labels', async () => {
    const svg = parseSvg(await toSVG(plotFit(fit.r, { x: fit.t, y: fit.y, labels: { x: 'time (s)', y: 'signal (mV)' }, level: 0.9 })));
    expect(axisTitles(svg)).toEqual(expect.arrayContaining(['time (s)', 'signal (mV)', 'residual signal (mV) − ŷ']));
    expect(byClass(svg, 'role-legend-label').map(textOf)).toContain('90% confidence band');
    expect(markItems(svg, 'error_bars_marks')).toHaveLength(0);
  });
});

describe('plotFit: a two-variable model', () => {
  it('draws heat maps of data, fit and residuals with one cell per grid point and the variables as axis titles', async () => {
    const { r, u, v, z } = await bumpFit();
    expect(r.variables).toEqual(['u', 'v']);
    const spec = plotFit(r, { x: [u, v], y: z });
    const svg = parseSvg(await toSVG(spec));
    for (const panel of ['data_heatmap_marks', 'fit_heatmap_marks', 'residual_heatmap_marks']) expect(markItems(svg, panel)).toHaveLength(24 * 20);
    expect(axisTitles(svg).filter((t) => t === 'u')).toHaveLength(3);
    expect(axisTitles(svg).filter((t) => t === 'v')).toHaveLength(3);
    const panels = (spec['hconcat'] as { data: { values: Row[] } }[]).map((p) => p.data.values);
    // On a grid each data cell holds one point: its value is that point's z, its residual z − f.
    const cell = panels[0]!.find((c) => c['x0']! < 0 && c['x0e']! > 0 && c['x1']! < 3 / 8 && c['x1e']! > 3 / 8)!;
    expect(cell['value']).toBe(z[3 * 24 + 0]);
    const f = (uu: number, vv: number): number => r.popt[0]! * Math.exp(-((uu - r.popt[1]!) ** 2 + (vv - r.popt[2]!) ** 2));
    expect(panels[1]!.map((c) => c['value'])).toBeAllclose(panels[1]!.map((c) => f((c['x0']! + c['x0e']!) / 2, (c['x1']! + c['x1e']!) / 2)), { rtol: 1e-12 });
    expect(panels[2]!.map((c) => c['value'])).toBeAllclose(panels[0]!.map((c) => c['value']! - f((c['x0']! + c['x0e']!) / 2, (c['x1']! + c['x1e']!) / 2)), { rtol: 1e-9, atol: 1e-12 });
  });
});

describe('plotFit: bad input', () => {
  const thrown = (f: () => unknown): { error: unknown } => {
    try {
      f();
    } catch (error) {
      return { error };
    }
    return { error: undefined };
  };

  it('names x when the data is missing (the result does not keep it)', () => {
    const { error } = thrown(() => plotFit(fit.r, { y: fit.y } as never));
    expect(error).toBeInstanceOf(NlsqTypeError);
    expect(error).toMatchObject({ argument: 'x', message: expect.stringContaining('plotFit: x is required') });
    expect(thrown(() => plotFit(fit.r, undefined as never)).error).toMatchObject({ argument: 'x' });
  });

  it('names y or sigma when its length differs from x', () => {
    expect(thrown(() => plotFit(fit.r, { x: fit.t, y: fit.y.slice(1) })).error).toMatchObject({ argument: 'y', code: 'ERR_SHAPE', message: 'plotFit: y must have length 80 (one per x value), got 79' });
    expect(thrown(() => plotFit(fit.r, { x: fit.t, y: fit.y, sigma: [1, 2] })).error).toMatchObject({ argument: 'sigma', code: 'ERR_SHAPE' });
  });

  it('names x when its rows do not match the model variables, labels when they do not name them', async () => {
    const { r, u } = await bumpFit();
    expect(thrown(() => plotFit(r, { x: u, y: u })).error).toMatchObject({ argument: 'x', code: 'ERR_SHAPE' });
    expect(thrown(() => plotFit(fit.r, { x: fit.t, y: fit.y, labels: { x: ['a', 'b'] } })).error).toMatchObject({ argument: 'labels', code: 'ERR_SHAPE' });
  });

  it('names result when it is not a fit result, and the option when it is out of range', () => {
    expect(thrown(() => plotFit({} as never, { x: fit.t, y: fit.y })).error).toMatchObject({ argument: 'result', message: expect.stringContaining('it has no predict') });
    expect(thrown(() => plotFit(null as never, { x: fit.t, y: fit.y })).error).toBeInstanceOf(NlsqTypeError);
    expect(thrown(() => plotFit(fit.r, { x: fit.t, y: fit.y, level: 1.5 })).error).toMatchObject({ argument: 'level' });
    expect(thrown(() => plotFit(fit.r, { x: fit.t, y: fit.y, maxPoints: 0 })).error).toMatchObject({ argument: 'maxPoints' });
    expect(thrown(() => plotFit(fit.r, { x: fit.t, y: fit.y, gridPoints: 1.5 })).error).toMatchObject({ argument: 'gridPoints' });
  });
});
