/**
 * plotConvergence, plotCorrelation, plotResiduals and plotStrategies on real fits: the numbers in
 * each spec against the result (and pcov's correlations computed here), and the parsed SVG holds
 * the marks and axis titles.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { curveFitSync, model, NlsqRangeError, NlsqTypeError } from '../../src/index.ts';
import type { BackendInfo } from '../../src/index.ts';
import { createCpuBackend } from '../../src/index.ts';
import { plotConvergence, plotCorrelation, plotResiduals, plotStrategies, sampleStrategies, toSVG } from '../../src/plot/index.ts';
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
