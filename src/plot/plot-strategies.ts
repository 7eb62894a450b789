/**
 * `plotStrategies`: the strategy-boundaries figure (moved here from the workflow demo,
 * `examples/02-workflow-tiers.ts`) — which strategy `MemoryBudgetSelector` picks for a dataset
 * size and a memory limit: NLSQ's standard / chunked / streaming tiers (its
 * `02_workflow_tiers.py` figure), with nlsq's backends. One unit throughout: GiB (2^30 bytes,
 * what NLSQ and the selector call GB).
 *
 * @module
 */
import type { BackendInfo } from '../backends/backend.ts';
import { describeValue, NlsqRangeError } from '../errors.ts';
import { MemoryBudgetSelector, type Strategy } from '../workflow/memory-budget-selector.ts';
import { VEGA_LITE_SCHEMA, type VegaLiteSpec } from './spec.ts';

/** What the strategy figure shows. */
export interface PlotStrategiesOptions {
  /** Parameters of the model the selector plans for. */
  readonly nParams: number;
  /** Dataset sizes on x: [min, max] points. */
  readonly points: readonly [number, number];
  /** Memory limits on y: [min, max] GiB. */
  readonly memoryGb: readonly [number, number];
  /** Tick values on y (GiB). */
  readonly memoryTicks: readonly number[];
  /** This machine's available memory (GiB), marked by a horizontal rule; omitted for a machine-independent figure. */
  readonly machineGb?: number | undefined;
  /** Points to mark, e.g. a scan of memory limits at one dataset size, with the strategy chosen at each. */
  readonly scan?: StrategyScan | undefined;
  /** The backend(s) the selector may use (what the demo's own selection used). */
  readonly backends: readonly BackendInfo[];
  /** Lines under the title. */
  readonly subtitle: readonly string[];
  /** Columns of the sampling grid (default 240). */
  readonly columns?: number;
  /** Rows of the sampling grid (default 480). */
  readonly rows?: number;
}

/** Points marked on the figure: e.g. a scan of memory limits at one dataset size. */
export interface StrategyScan {
  /** The label written above the scan. */
  readonly label: string;
  /** The points. */
  readonly points: readonly StrategyScanPoint[];
}

/** One point of a {@link StrategyScan}. */
export interface StrategyScanPoint {
  /** Dataset size (points). */
  readonly n: number;
  /** Memory limit (GiB). */
  readonly gb: number;
  /** The strategy chosen there. */
  readonly strategy: Strategy;
}

/** One region of the figure: a column's run of one strategy. */
export interface StrategyCell {
  /** Smallest dataset size (points). */
  readonly n0: number;
  /** Largest dataset size (points). */
  readonly n1: number;
  /** Smallest memory limit (GiB). */
  readonly m0: number;
  /** Largest memory limit (GiB). */
  readonly m1: number;
  /** The strategy chosen in the region. */
  readonly strategy: Strategy;
}

/** Axis labels 10K, 100K, 1M, … 1B. */
const SIZE_LABEL = "datum.value >= 1e9 ? datum.value / 1e9 + 'B' : datum.value >= 1e6 ? datum.value / 1e6 + 'M' : datum.value / 1e3 + 'K'";

function checkRange(name: string, range: readonly [number, number]): void {
  const ok = Array.isArray(range) && range.length === 2 && range[0] > 0 && range[1] > range[0] && Number.isFinite(range[1]);
  if (!ok) throw new NlsqRangeError(`plotStrategies: ${name} must be [min, max] with 0 < min < max, got ${describeValue(range)}`, name);
}

const logspace = (lo: number, hi: number, k: number): number[] =>
  Array.from({ length: k + 1 }, (_, i) => lo * (hi / lo) ** (i / k));

/**
 * Sample the selector on a log grid and merge each column's runs of one strategy into a cell.
 * A cell's strategy is the selector's choice at the geometric centre of its sample row.
 *
 * @param opts - the ranges, the backends and the grid.
 * @returns the regions, column by column.
 * @throws NlsqRangeError naming `points` or `memoryGb` when a range is not two increasing
 *   positive numbers, or `nParams` when it is not a positive integer.
 */
export function sampleStrategies(opts: PlotStrategiesOptions): StrategyCell[] {
  checkRange('points', opts.points);
  checkRange('memoryGb', opts.memoryGb);
  if (!(Number.isInteger(opts.nParams) && opts.nParams > 0)) throw new NlsqRangeError(`plotStrategies: nParams must be a positive integer, got ${describeValue(opts.nParams)}`, 'nParams');
  const selector = new MemoryBudgetSelector();
  const xs = logspace(opts.points[0], opts.points[1], opts.columns ?? 240);
  const ys = logspace(opts.memoryGb[0], opts.memoryGb[1], opts.rows ?? 480);
  const cells: StrategyCell[] = [];
  for (let i = 0; i + 1 < xs.length; i++) {
    const n = Math.round(Math.sqrt(xs[i]! * xs[i + 1]!));
    let start = 0;
    let current: Strategy | null = null;
    for (let j = 0; j + 1 < ys.length; j++) {
      const m = Math.sqrt(ys[j]! * ys[j + 1]!);
      const s = selector.select({ nPoints: n, nParams: opts.nParams, memoryLimitGb: m, backends: opts.backends }).strategy;
      if (current !== null && s !== current) {
        cells.push({ n0: xs[i]!, n1: xs[i + 1]!, m0: ys[start]!, m1: ys[j]!, strategy: current });
        start = j;
      }
      current = s;
    }
    if (current !== null) cells.push({ n0: xs[i]!, n1: xs[i + 1]!, m0: ys[start]!, m1: ys[ys.length - 1]!, strategy: current });
  }
  return cells;
}

const STRATEGIES = ['standard', 'chunked', 'streaming'];
const STRATEGY_COLOURS = ['#59a14f', '#f28e2b', '#e15759'];

/**
 * The strategy-boundaries figure: dataset size (log x) against memory limit (log y), each region
 * coloured by the strategy the selector picks there with the given backends, optionally with
 * this machine's memory marked and a scan of memory limits drawn as points.
 *
 * @param opts - what to draw (sizes, memory range, backends, subtitle, …).
 * @returns the Vega-Lite spec; `toSVG` / `toPNG` render it.
 */
export function plotStrategies(opts: PlotStrategiesOptions): VegaLiteSpec {
  const cells = sampleStrategies(opts);
  const [lo, hi] = opts.memoryGb;
  const yScale = { type: 'log', domain: [lo, hi], nice: false } as const;
  const xScale = { type: 'log', domain: [...opts.points], nice: false } as const;
  const x = { field: 'n0', type: 'quantitative', scale: xScale, axis: { title: 'dataset size (points)', values: [1e4, 1e5, 1e6, 1e7, 1e8, 1e9], labelExpr: SIZE_LABEL, grid: false } } as const;
  const y = { field: 'm0', type: 'quantitative', scale: yScale, axis: { title: 'memory limit (GiB = 2³⁰ bytes)', values: [...opts.memoryTicks], grid: false } } as const;
  const layers: unknown[] = [
    {
      data: { values: cells.map((c) => ({ ...c })) },
      // Each rect is stroked in its own colour so neighbouring columns leave no hairline seams.
      mark: { type: 'rect', strokeWidth: 0.8 },
      encoding: {
        x,
        x2: { field: 'n1' },
        y,
        y2: { field: 'm1' },
        color: { field: 'strategy', type: 'nominal', title: 'strategy', scale: { domain: STRATEGIES, range: STRATEGY_COLOURS }, legend: { orient: 'right' } },
        stroke: { field: 'strategy', type: 'nominal', scale: { domain: STRATEGIES, range: STRATEGY_COLOURS }, title: 'strategy', legend: { orient: 'right' } },
      },
    },
  ];
  if (opts.machineGb !== undefined) {
    const inRange = opts.machineGb >= lo && opts.machineGb <= hi;
    const ruleGb = Math.min(hi, Math.max(lo, opts.machineGb));
    const label = `this machine: ${opts.machineGb.toFixed(1)} GiB available${inRange ? '' : opts.machineGb < lo ? ' (below the chart)' : ' (above the chart)'}`;
    layers.push({
      data: { values: [{ gb: ruleGb, label }] },
      layer: [
        { mark: { type: 'rule', color: 'black', strokeWidth: 2, strokeDash: [6, 4] }, encoding: { y: { field: 'gb', type: 'quantitative', scale: yScale } } },
        {
          mark: { type: 'text', align: 'left', dx: 6, dy: -8, fontSize: 13, fontWeight: 'bold', color: 'black' },
          encoding: { x: { datum: opts.points[0], type: 'quantitative', scale: xScale }, y: { field: 'gb', type: 'quantitative', scale: yScale }, text: { field: 'label' } },
        },
      ],
    });
  }
  if (opts.scan !== undefined && opts.scan.points.length > 0) {
    const top = opts.scan.points.reduce((a, b) => (b.gb > a.gb ? b : a));
    layers.push({
      data: { values: opts.scan.points.map((p) => ({ ...p, text: `${p.gb} GiB: ${p.strategy}` })) },
      layer: [
        {
          mark: { type: 'point', filled: true, size: 70, color: 'black', shape: 'diamond', opacity: 1 },
          encoding: { x: { field: 'n', type: 'quantitative', scale: xScale }, y: { field: 'gb', type: 'quantitative', scale: yScale } },
        },
        {
          mark: { type: 'text', align: 'right', dx: -9, fontSize: 11, color: 'black' },
          encoding: { x: { field: 'n', type: 'quantitative', scale: xScale }, y: { field: 'gb', type: 'quantitative', scale: yScale }, text: { field: 'text' } },
        },
      ],
    });
    layers.push({
      data: { values: [{ n: top.n, gb: top.gb, label: opts.scan.label }] },
      mark: { type: 'text', align: 'center', dy: -14, fontSize: 12, fontWeight: 'bold', color: 'black' },
      encoding: { x: { field: 'n', type: 'quantitative', scale: xScale }, y: { field: 'gb', type: 'quantitative', scale: yScale }, text: { field: 'label' } },
    });
  }
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: 'Strategy chosen by MemoryBudgetSelector', subtitle: [...opts.subtitle], anchor: 'start', fontSize: 16, subtitleFontSize: 11 },
    width: 720,
    height: 440,
    background: 'white',
    config: { font: 'DejaVu Sans', axis: { labelFontSize: 12, titleFontSize: 13 }, legend: { labelFontSize: 12, titleFontSize: 13 } },
    layer: layers,
  };
}
