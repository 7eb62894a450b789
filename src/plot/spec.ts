/**
 * The figure format of `nlsq/plot`: a Vega-Lite specification as plain JSON, and the look every
 * figure shares.
 *
 * A spec is data, not a drawing: the browser hands it to `vega-embed`, Node renders it with
 * {@link toSVG} / {@link toPNG} (`./render.ts`). Building one needs no plotting library, so the
 * figure functions load nothing. Vega-Lite's grammar: Satyanarayan, Moritz, Wongsuphasawat and
 * Heer, "Vega-Lite: A Grammar of Interactive Graphics", IEEE TVCG 23(1), 2017.
 *
 * @module
 */

/** The Vega-Lite schema the figures are written against (Vega-Lite 6). */
export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/**
 * A Vega-Lite top-level specification (plain JSON). Typed loosely on purpose: `nlsq/plot` does
 * not make its users install Vega-Lite's types; cast to `TopLevelSpec` from `vega-lite` for
 * stricter checking.
 */
export interface VegaLiteSpec {
  /** The schema URL ({@link VEGA_LITE_SCHEMA}). */
  readonly $schema: string;
  /** What the figure shows, in words (the SVG's accessible description). */
  readonly description?: string;
  /** Any other Vega-Lite property: title, data, layer, vconcat, config, … */
  readonly [key: string]: unknown;
}

/** Colours of the figures (Tableau 10, Vega's default categorical scheme). */
export const COLOURS = {
  data: '#4c78a8',
  fit: '#e45756',
  confidence: '#f58518',
  prediction: '#bab0ac',
  residual: '#54a24b',
} as const;

/** The shared look: font, sizes, a white background. */
export const BASE_CONFIG = {
  font: 'DejaVu Sans',
  axis: { labelFontSize: 11, titleFontSize: 12 },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  title: { anchor: 'start', fontSize: 15, subtitleFontSize: 11 },
} as const;

/**
 * A top-level spec with the schema, a white background and the shared config.
 *
 * @param description - what the figure shows.
 * @param body - the rest of the spec (title, data, layer/concat, …).
 * @returns the spec.
 */
export function topLevel(description: string, body: Record<string, unknown>): VegaLiteSpec {
  return { $schema: VEGA_LITE_SCHEMA, description, background: 'white', config: BASE_CONFIG, ...body };
}

/**
 * `value ± error` with a few significant digits (`3.012 ± 0.0041`); `value (fixed)` for an error
 * of 0 and `value ± ?` for a non-finite one.
 *
 * @param name - the parameter's name.
 * @param value - its value.
 * @param error - its standard error.
 */
export function formatEstimate(name: string, value: number, error: number): string {
  const v = Number.isFinite(value) ? Number(value.toPrecision(5)).toString() : String(value);
  if (error === 0) return `${name} = ${v} (fixed)`;
  if (!Number.isFinite(error)) return `${name} = ${v} ± ?`;
  return `${name} = ${v} ± ${Number(error.toPrecision(2)).toString()}`;
}
