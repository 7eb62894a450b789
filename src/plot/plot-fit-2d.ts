/**
 * The figure of a fit of a two-variable model f(x₀, x₁; θ): three heat maps side by side — the
 * data, the fitted surface, and the residuals y − ŷ — over the data's bounding box.
 *
 * Scattered or gridded data alike are binned on a grid (`./heat-grid.ts`): a data or residual
 * cell shows the mean over the points that fall in it (cells without points stay empty), the fit
 * cell shows f at the cell's centre. The data and fit maps share one colour scale; the residual
 * map uses a diverging scale centred on 0.
 *
 * @module
 */
import { formatNumber } from '../util/format.ts';
import { estimateLines, type PlottableFit, type ResolvedFitData } from './fit-data.ts';
import { binMeans, cellAt, cellCentres, gridAxis, heatPanel } from './heat-grid.ts';
import { topLevel, type VegaLiteSpec } from './spec.ts';

/** Settings of {@link plotFit2d}, checked by `plotFit`. */
export interface Fit2dSettings {
  /** Most cells per side. */
  readonly cells: number;
  readonly width: number;
  readonly height: number;
  readonly title: string | undefined;
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
  const a0 = gridAxis(caller, 'x[0]', x0, s.cells);
  const a1 = gridAxis(caller, 'x[1]', x1, s.cells);
  const residuals = d.y.map((v, i) => v - d.yhat[i]!);
  const dataCells = binMeans(x0, x1, d.y, a0, a1);
  const residualCells = binMeans(x0, x1, residuals, a0, a1);
  const surface = result.predict(cellCentres(a0, a1));
  const fitCells = Array.from(surface, (value, k) => cellAt(a0, a1, k % a0.cells, Math.floor(k / a0.cells), value));
  const finite = [...dataCells, ...fitCells].map((c) => c.value).filter(Number.isFinite);
  const domain = finite.length === 0 ? [0, 1] : [finite.reduce((a, b) => Math.min(a, b)), finite.reduce((a, b) => Math.max(a, b))];
  const names = d.xNames as [string, string];
  const size = Math.round(Math.min(s.width, s.height * 1.2) * 0.6);
  const legend = { orient: 'bottom', direction: 'horizontal' };
  const shared = { title: d.yName, scale: { domain, scheme: 'viridis' }, legend };
  const axes = [a0, a1] as const;
  return topLevel(
    `Fit of ${d.yName} against ${names[0]} and ${names[1]} (${d.y.length.toLocaleString('en-US')} points): heat maps of the data (mean per cell of a ${a0.cells}×${a1.cells} grid), the fitted surface (at the cell centres) and the residuals ${d.yName} − ŷ (mean per cell).`,
    {
      title: { text: s.title ?? `Fit of ${d.yName} against ${names[0]}, ${names[1]}`, subtitle: [...estimateLines(result), `R² = ${formatNumber(result.rSquared)} · n = ${result.n}`] },
      hconcat: [
        heatPanel('data_heatmap', 'data', dataCells, axes, names, size, shared),
        heatPanel('fit_heatmap', 'fit', fitCells, axes, names, size, shared),
        heatPanel('residual_heatmap', 'residuals', residualCells, axes, names, size, { title: `${d.yName} − ŷ`, scale: { scheme: 'redblue', domainMid: 0 }, legend }),
      ],
      resolve: { scale: { color: 'independent' } },
    },
  );
}
