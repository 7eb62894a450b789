/**
 * The figure of a fit of a two-variable model f(x₀, x₁; θ): three heat maps side by side — the
 * data, the fitted surface, and the residuals y − ŷ — over the data's bounding box.
 *
 * Scattered or gridded data alike are binned on a `cells × cells` grid: a data or residual cell
 * shows the mean over the points that fall in it (cells without points stay empty), the fit cell
 * shows f at the cell's centre. The SVG thus holds at most 3·cells² rectangles whatever n is. The
 * data and fit maps share one colour scale; the residual map uses a diverging scale centred on 0.
 *
 * @module
 */
import { NlsqRangeError } from '../errors.ts';
import { estimateLines, type PlottableFit, type ResolvedFitData } from './fit-data.ts';
import { topLevel, type VegaLiteSpec } from './spec.ts';

/** Settings of {@link plotFit2d}, checked by `plotFit`. */
export interface Fit2dSettings {
  readonly cells: number;
  readonly maxPoints: number;
  readonly width: number;
  readonly height: number;
  readonly title: string | undefined;
}

/** One heat-map cell. */
interface Cell {
  readonly x0: number;
  readonly x0e: number;
  readonly x1: number;
  readonly x1e: number;
  readonly value: number;
}

function finiteBounds(a: Float64Array, caller: string, name: string): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of a) {
    if (!Number.isFinite(v)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (!(lo <= hi)) throw new NlsqRangeError(`${caller}: ${name} must hold at least one finite value`, 'x');
  return lo === hi ? [lo - 0.5, hi + 0.5] : [lo, hi];
}

/**
 * Means of `values` over a cells×cells grid of the box (points on the upper edge go to the last
 * cell; non-finite points are skipped).
 */
export function binMeans(x0: Float64Array, x1: Float64Array, values: Float64Array, box: readonly [number, number, number, number], cells: number): Cell[] {
  const [a0, b0, a1, b1] = box;
  const sum = new Float64Array(cells * cells);
  const count = new Int32Array(cells * cells);
  for (let i = 0; i < values.length; i++) {
    const u = x0[i]!, v = x1[i]!, w = values[i]!;
    if (!(Number.isFinite(u) && Number.isFinite(v) && Number.isFinite(w))) continue;
    const c0 = Math.min(cells - 1, Math.floor(((u - a0) / (b0 - a0)) * cells));
    const c1 = Math.min(cells - 1, Math.floor(((v - a1) / (b1 - a1)) * cells));
    sum[c1 * cells + c0] += w;
    count[c1 * cells + c0] += 1;
  }
  const out: Cell[] = [];
  for (let c1 = 0; c1 < cells; c1++) {
    for (let c0 = 0; c0 < cells; c0++) {
      const k = c1 * cells + c0;
      if (count[k] === 0) continue;
      out.push(cellAt(box, cells, c0, c1, sum[k]! / count[k]!));
    }
  }
  return out;
}

function cellAt(box: readonly [number, number, number, number], cells: number, c0: number, c1: number, value: number): Cell {
  const [a0, b0, a1, b1] = box;
  const h0 = (b0 - a0) / cells;
  const h1 = (b1 - a1) / cells;
  return { x0: a0 + c0 * h0, x0e: a0 + (c0 + 1) * h0, x1: a1 + c1 * h1, x1e: a1 + (c1 + 1) * h1, value };
}

/**
 * The three heat maps of a two-variable fit.
 *
 * @param caller - public function name.
 * @param result - the fit.
 * @param d - the resolved data (two columns).
 * @param s - grid cells per side, panel size and title.
 * @returns the spec.
 */
export function plotFit2d(caller: string, result: PlottableFit, d: ResolvedFitData, s: Fit2dSettings): VegaLiteSpec {
  const [x0, x1] = d.columns as [Float64Array, Float64Array];
  const box = [...finiteBounds(x0, caller, 'x[0]'), ...finiteBounds(x1, caller, 'x[1]')] as [number, number, number, number];
  const residuals = d.y.map((v, i) => v - d.yhat[i]!);
  const dataCells = binMeans(x0, x1, d.y, box, s.cells);
  const residualCells = binMeans(x0, x1, residuals, box, s.cells);
  const centres0 = new Float64Array(s.cells * s.cells);
  const centres1 = new Float64Array(s.cells * s.cells);
  for (let c1 = 0; c1 < s.cells; c1++) {
    for (let c0 = 0; c0 < s.cells; c0++) {
      const cell = cellAt(box, s.cells, c0, c1, 0);
      centres0[c1 * s.cells + c0] = (cell.x0 + cell.x0e) / 2;
      centres1[c1 * s.cells + c0] = (cell.x1 + cell.x1e) / 2;
    }
  }
  const surface = result.predict([centres0, centres1]);
  const fitCells = Array.from(surface, (value, k) => cellAt(box, s.cells, k % s.cells, Math.floor(k / s.cells), value));
  const finite = [...dataCells, ...fitCells].map((c) => c.value).filter(Number.isFinite);
  const domain = finite.length === 0 ? [0, 1] : [Math.min(...finite), Math.max(...finite)];
  const [n0, n1] = d.xNames as [string, string];
  const size = Math.round(Math.min(s.width, s.height * 1.2) * 0.6);
  const panel = (name: string, title: string, cells: readonly Cell[], color: Record<string, unknown>): Record<string, unknown> => ({
    name,
    title,
    width: size,
    height: size,
    data: { values: cells.map((c) => ({ ...c })) },
    mark: { type: 'rect' },
    encoding: {
      x: { field: 'x0', type: 'quantitative', title: n0, scale: { domain: [box[0], box[1]], nice: false, zero: false } },
      x2: { field: 'x0e' },
      y: { field: 'x1', type: 'quantitative', title: n1, scale: { domain: [box[2], box[3]], nice: false, zero: false } },
      y2: { field: 'x1e' },
      color: { field: 'value', type: 'quantitative', ...color },
    },
  });
  const shared = { title: d.yName, scale: { domain, scheme: 'viridis' }, legend: { orient: 'bottom', direction: 'horizontal' } };
  return topLevel(
    `Fit of ${d.yName} against ${n0} and ${n1} (${d.y.length.toLocaleString('en-US')} points): heat maps of the data (mean per cell of a ${s.cells}×${s.cells} grid), the fitted surface (at the cell centres) and the residuals ${d.yName} − ŷ (mean per cell).`,
    {
      title: { text: s.title ?? `Fit of ${d.yName} against ${n0}, ${n1}`, subtitle: [...estimateLines(result), `R² = ${result.rSquared.toPrecision(4)}    n = ${result.n}`] },
      hconcat: [
        panel('data_heatmap', 'data', dataCells, shared),
        panel('fit_heatmap', 'fit', fitCells, shared),
        panel('residual_heatmap', 'residuals', residualCells, { title: `${d.yName} − ŷ`, scale: { scheme: 'redblue', domainMid: 0 }, legend: { orient: 'bottom', direction: 'horizontal' } }),
      ],
      resolve: { scale: { color: 'independent' } },
    },
  );
}
