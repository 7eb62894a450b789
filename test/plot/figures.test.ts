/**
 * plotConvergence, plotCorrelation, plotResiduals and plotStrategies on real fits: the numbers in
 * each spec against the result (and pcov's correlations computed here), and the parsed SVG holds
 * the marks and axis titles.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { curveFitSync, model, NlsqRangeError, NlsqTypeError } from '../../src/index.ts';
import type { BackendInfo } from '../../src/index.ts';
import { createCpuBackend } from '../../src/index.ts';
import { plotBatch, plotConvergence, plotCorrelation, plotResiduals, plotStrategies, sampleStrategies, toSVG } from '../../src/plot/index.ts';
import { MemoryBudgetSelector } from '../../src/workflow/memory-budget-selector.ts';
import { byClass, markItems, parseSvg, textOf } from '../support/svg-tree.ts';
import { bumpFit, decay, decayFit } from './fit-fixtures.ts';

type Row = Record<string, number | string>;
const values = (spec: Record<string, unknown>): Row[] => (spec['data'] as { values: Row[] }).values;

let fit: Awaited<ReturnType<typeof decayFit>>;
beforeAll(async () => {
  fit = await decayFit();
});

const thrown = (f: () => unknown): unknown => {
  try {
    f();
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('plotConvergence', () => {
  it('draws the cost of every iteration the solver reported, and the step and gradient norms', async () => {
    const seen: { cost: number; stepNorm: number }[] = [];
    const r = curveFitSync(model('a*exp(-b*t) + c', { variables: ['t'] }), fit.t, fit.y, { p0: [1, 1, 0], sigma: fit.sigma, method: 'trf', onIteration: (info) => void seen.push(info) });
    expect(r.history.map((h) => h.cost)).toEqual(seen.map((s) => s.cost));
    expect(r.history.length).toBeGreaterThan(2);
    const spec = plotConvergence(r);
    const [costPanel, stepPanel] = spec['vconcat'] as Record<string, unknown>[];
    expect(values(costPanel!).map((c) => c['cost'])).toEqual(seen.map((s) => s.cost));
    expect(values(stepPanel!).filter((c) => c['quantity'] === 'step ‖Δx‖').map((c) => c['norm'])).toEqual(seen.map((s) => s.stepNorm).filter((s) => s > 0));
    const svg = parseSvg(await toSVG(spec));
    expect(markItems(svg, 'cost_panel_marks')).toHaveLength(1);
    const titles = byClass(svg, 'role-axis-title').map(textOf);
    expect(titles).toEqual(expect.arrayContaining(['iteration', 'cost ½Σρ(f²)', 'norm']));
    expect(textOf(byClass(svg, 'role-title-subtitle')[0]!)).toContain('trf');
  });

  it('names result when there is no history to draw', () => {
    expect(thrown(() => plotConvergence({ history: [] }))).toMatchObject({ argument: 'result', message: expect.stringContaining('no iterations') });
    expect(thrown(() => plotConvergence({} as never))).toBeInstanceOf(NlsqTypeError);
  });
});

describe('plotCorrelation', () => {
  it('draws r_ij = P_ij/√(P_ii P_jj) with the value written in each cell', async () => {
    const { r } = fit;
    const spec = plotCorrelation(r);
    const cells = values(spec);
    expect(cells).toHaveLength(9);
    for (const c of cells) {
      const i = r.paramNames.indexOf(c['row'] as string);
      const j = r.paramNames.indexOf(c['column'] as string);
      expect(c['r']).toBeCloseTo(r.pcov[i]![j]! / Math.sqrt(r.pcov[i]![i]! * r.pcov[j]![j]!), 14);
      if (i === j) expect(c['r']).toBe(1);
    }
    const svg = parseSvg(await toSVG(spec));
    expect(markItems(svg, 'correlation_cells_marks')).toHaveLength(9);
    expect(markItems(svg, 'correlation_values_marks').map(textOf)).toEqual(cells.map((c) => (c['r'] as number).toFixed(2)));
    expect(byClass(svg, 'role-axis-title').map(textOf)).toEqual(['parameter', 'parameter']);
  });

  it('leaves out a fixed parameter and names result when the covariance could not be estimated', () => {
    const three = [0, 1, 2];
    const exact = curveFitSync(model('a + b*x + c*x^2'), three, [1, 2, 5], { p0: [0, 0, 0] });
    expect(exact.dof).toBe(0);
    expect(thrown(() => plotCorrelation(exact))).toBeInstanceOf(NlsqRangeError);
    expect(thrown(() => plotCorrelation(exact))).toMatchObject({ argument: 'result' });
    const pcov = [[4, 0, 1], [0, 0, 0], [1, 0, 1]];
    expect(values(plotCorrelation({ pcov, paramNames: ['a', 'b', 'c'] })).map((c) => `${c['row']}${c['column']}:${c['r']}`)).toEqual(['aa:1', 'ac:0.5', 'ca:0.5', 'cc:1']);
  });
});

describe('plotResiduals', () => {
  it('draws (y − ŷ)/σ against x with normalized, y − ŷ with ±σ bars otherwise', async () => {
    const spec = plotResiduals(fit.r, { x: fit.t, y: fit.y, sigma: fit.sigma, normalized: true, labels: { x: 'time' } });
    expect(values(spec).map((p) => p['residual'])).toBeAllclose(fit.y.map((y, i) => (y - decay(fit.t[i]!, fit.r.popt)) / 0.05), { rtol: 1e-8, atol: 1e-10 });
    const svg = parseSvg(await toSVG(spec));
    expect(markItems(svg, 'residual_points_marks')).toHaveLength(80);
    expect(markItems(svg, 'residual_error_bars_marks')).toHaveLength(0);
    expect(byClass(svg, 'role-axis-title').map(textOf)).toEqual(expect.arrayContaining(['time', '(y − ŷ)/σ']));
    const raw = parseSvg(await toSVG(plotResiduals(fit.r, { x: fit.t, y: fit.y, sigma: fit.sigma })));
    expect(markItems(raw, 'residual_error_bars_marks')).toHaveLength(80);
  });

  it('draws a residual heat map for two variables', async () => {
    const { r, u, v, z } = await bumpFit();
    const svg = parseSvg(await toSVG(plotResiduals(r, { x: [u, v], y: z })));
    expect(markItems(svg, 'residual_heatmap_marks')).toHaveLength(480);
    expect(byClass(svg, 'role-axis-title').map(textOf)).toEqual(expect.arrayContaining(['u', 'v']));
  });

  it('names sigma when normalized residuals are asked without it', () => {
    expect(thrown(() => plotResiduals(fit.r, { x: fit.t, y: fit.y, normalized: true }))).toMatchObject({ argument: 'sigma' });
  });
});

describe('plotStrategies (the demo figure)', () => {
  const cpu: BackendInfo = createCpuBackend().info;
  const opts = { nParams: 5, points: [1e4, 1e9] as const, memoryGb: [0.01, 256] as const, memoryTicks: [0.01, 1, 100], backends: [cpu], subtitle: ['cpu only'], columns: 40, rows: 60 };

  it('colours each region by the strategy the selector picks at its centre', () => {
    const cells = sampleStrategies(opts);
    const selector = new MemoryBudgetSelector();
    for (const c of cells.filter((_, i) => i % 7 === 0)) {
      const n = Math.round(Math.sqrt(c.n0 * c.n1));
      const m = Math.sqrt(c.m0 * c.m1);
      expect(selector.select({ nPoints: n, nParams: 5, memoryLimitGb: m, backends: [cpu] }).strategy).toBe(c.strategy);
    }
    expect(new Set(cells.map((c) => c.strategy))).toEqual(new Set(['standard', 'chunked', 'streaming']));
  });

  it('renders the regions, the machine line and the titled log axes', async () => {
    const svg = parseSvg(await toSVG(plotStrategies({ ...opts, machineGb: 12 })));
    expect(byClass(svg, 'role-mark', 'mark-rect')[0]!.children.length).toBe(sampleStrategies(opts).length);
    expect(byClass(svg, 'role-axis-title').map(textOf)).toEqual(expect.arrayContaining(['dataset size (points)', 'memory limit (GiB = 2³⁰ bytes)']));
    expect(textOf(svg)).toContain('this machine: 12.0 GiB available');
  });

  it('names the range that is not [min, max]', () => {
    expect(thrown(() => plotStrategies({ ...opts, points: [1e9, 1e4] }))).toMatchObject({ argument: 'points' });
    expect(thrown(() => plotStrategies({ ...opts, memoryGb: [0, 1] }))).toMatchObject({ argument: 'memoryGb' });
  });
});

describe('plotBatch', () => {
  /** 200 fits of the decay to fresh noise: the estimates a batch runner would collect. */
  async function batch(): Promise<{ names: string[]; popt: Float64Array; status: string[] }> {
    const { normalNoise } = await import('./fit-fixtures.ts');
    const noise = normalNoise(3);
    const m = model('a*exp(-b*t) + c', { variables: ['t'] });
    const popt = new Float64Array(200 * 3);
    const status: string[] = [];
    for (let i = 0; i < 200; i++) {
      const y = fit.t.map((t) => decay(t, [3, 1.2, 0.5]) + 0.05 * noise());
      const r = curveFitSync(m, fit.t, y, { p0: [1, 1, 0], maxNfev: i % 50 === 0 ? 2 : undefined });
      popt.set(r.popt, 3 * i);
      status.push(r.status);
    }
    return { names: ['a', 'b', 'c'], popt, status };
  }

  it('draws a histogram of each parameter over the fits, and the status counts', async () => {
    const summary = await batch();
    const spec = plotBatch(summary, { bins: 20 });
    const [grid, statusPanel] = spec['vconcat'] as Record<string, unknown>[];
    const histograms = (grid!['concat'] as Record<string, unknown>[]).map(values);
    expect(histograms).toHaveLength(3);
    for (const [j, h] of histograms.entries()) {
      expect(h).toHaveLength(20);
      expect(h.reduce((s, b) => s + (b['count'] as number), 0)).toBe(200);
      const column = Array.from({ length: 200 }, (_, i) => summary.popt[3 * i + j]!);
      expect(h[0]!['lo']).toBe(Math.min(...column));
      expect(h[19]!['hi']).toBeCloseTo(Math.max(...column), 12);
    }
    const counts = Object.fromEntries(values(statusPanel!).map((r) => [r['status'], r['count']]));
    expect(counts['max-nfev']).toBe(4);
    expect(Object.values(counts).reduce((s, c) => (s as number) + (c as number), 0)).toBe(200);
    const svg = parseSvg(await toSVG(spec));
    for (let j = 0; j < 3; j++) expect(markItems(svg, `histogram_${j}_marks`)).toHaveLength(20);
    expect(markItems(svg, 'status_counts_marks').length).toBe(Object.keys(counts).length);
    expect(byClass(svg, 'role-axis-title').map(textOf)).toEqual(expect.arrayContaining(['a', 'b', 'c', 'fits', 'status']));
  });

  it('names summary when popt is not nFits × p or a field is missing', () => {
    expect(thrown(() => plotBatch({ names: ['a', 'b'], popt: new Float64Array(5), status: ['gtol', 'gtol'] }))).toMatchObject({ argument: 'summary', code: 'ERR_SHAPE', message: 'plotBatch: summary.popt must have length 4 (2 fits × 2 parameters), got 5' });
    expect(thrown(() => plotBatch({ names: ['a'] } as never))).toMatchObject({ argument: 'summary' });
  });
});
