/**
 * `nlsq/plot`: figures of fits as Vega-Lite specs, and their rendering in Node.
 *
 * The figure functions (`plotFit`, `plotResiduals`, `plotConvergence`, `plotCorrelation`, `plotBatch`,
 * `plotStrategies`; `plotProfile`, asynchronous since it may compute the profile) return plain JSON and load nothing: a browser passes the spec to vega-embed.
 * `toSVG` / `toPNG` render it in Node with Vega (headless) and resvg, loaded only when called;
 * they are optional peer dependencies (`npm install vega vega-lite @resvg/resvg-js`). The core
 * `nlsq` entry never imports this subpath.
 *
 * @example
 * ```ts
 * import { curveFit, model } from 'nlsq';
 * import { plotFit, toSVG } from 'nlsq/plot';
 * const r = await curveFit(model('a*exp(-b*t) + c'), t, y, { sigma });
 * await writeFile('fit.svg', await toSVG(plotFit(r, { x: t, y, sigma })));
 * ```
 *
 * @module
 */
export { VEGA_LITE_SCHEMA, type VegaLiteSpec } from './spec.ts';
export type { FitData, PlotLabels, PlottableFit } from './fit-data.ts';
export { plotFit, type PlotFitOptions } from './plot-fit.ts';
export { plotResiduals, type PlotResidualsOptions } from './plot-residuals.ts';
export { plotConvergence, type PlotConvergenceOptions } from './plot-convergence.ts';
export { plotCorrelation, type PlotCorrelationOptions } from './plot-correlation.ts';
export { plotProfile, type PlotProfileOptions } from './plot-profile.ts';
export { plotStrategies, sampleStrategies, type PlotStrategiesOptions, type StrategyCell, type StrategyScan, type StrategyScanPoint } from './plot-strategies.ts';
export { plotBatch, type BatchSummary, type PlotBatchOptions } from './plot-batch.ts';
export { toSVG, toPNG, type PngOptions } from './render.ts';
