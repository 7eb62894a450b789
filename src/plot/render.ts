/**
 * Render a figure in Node: {@link toSVG} compiles the Vega-Lite spec to Vega and renders it with
 * a headless Vega View (`renderer: 'none'`, no DOM), and {@link toPNG} rasterises that SVG with
 * resvg (a Rust SVG renderer, `@resvg/resvg-js`).
 *
 * The packages load lazily, inside these functions, so importing `nlsq/plot` (or building specs
 * for a browser's vega-embed) loads none of them. They are optional peer dependencies of nlsq,
 * not dependencies: together they weigh tens of megabytes (resvg ships a native binary per
 * platform), which every `npm install nlsq` would otherwise pay for a feature most users of the
 * core never call. A missing one is reported by an NlsqError naming the package to install:
 * `npm install vega vega-lite` for SVG, plus `@resvg/resvg-js` for PNG.
 *
 * @module
 */
import { describeValue, NlsqError, NlsqRangeError, NlsqTypeError } from '../errors.ts';
import type { VegaLiteSpec } from './spec.ts';

/** Options of {@link toPNG}. */
export interface PngOptions {
  /** Pixels per SVG pixel (default 2, crisp on high-density screens and in print). */
  readonly scale?: number;
  /** Background colour (default white). */
  readonly background?: string;
}

/** Whether an import failed because the package is not installed (looking through wrapping errors' causes). */
function isMissingModule(error: unknown, name: string): boolean {
  for (let e = error as { code?: unknown; message?: unknown; cause?: unknown } | null, depth = 0; e !== null && typeof e === 'object' && depth < 5; e = e.cause as typeof e, depth++) {
    const message = typeof e.message === 'string' ? e.message : '';
    const missing = e.code === 'ERR_MODULE_NOT_FOUND' || e.code === 'MODULE_NOT_FOUND' || /Cannot find (module|package)|Failed to (resolve|load)/.test(message);
    if (missing && message.includes(name)) return true;
  }
  return false;
}

/** Text escaped for XML character data. */
function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Import an optional peer dependency, or throw an NlsqError naming it.
 *
 * @param caller - public function name.
 * @param name - the package, for the message.
 * @param load - the `import()` of it (a literal specifier, so bundlers can follow it).
 * @throws NlsqError (`ERR_NOT_SUPPORTED`, argument `spec`) when the package is not installed.
 */
async function loadPeer<T>(caller: string, name: string, install: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (isMissingModule(error, name)) {
      throw new NlsqError(`${caller}: rendering needs the package ${name}, an optional peer dependency of nlsq; install it with: npm install ${install}`, 'ERR_NOT_SUPPORTED', 'spec', { cause: error });
    }
    throw error;
  }
}

function checkSpec(caller: string, spec: unknown): asserts spec is VegaLiteSpec {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new NlsqTypeError(`${caller}: spec must be a Vega-Lite specification (an object, e.g. from plotFit), got ${describeValue(spec)}`, 'spec');
  }
}

/**
 * Render a Vega-Lite spec to an SVG document, headless (Node; no DOM, no browser).
 *
 * @param spec - a spec from `plotFit`, `plotResiduals`, … or any Vega-Lite specification.
 * @returns the SVG text, with the spec's `description` as its `<desc>`.
 * @throws NlsqTypeError when spec is not an object; NlsqRangeError when Vega-Lite rejects it;
 *   NlsqError (`ERR_NOT_SUPPORTED`) naming `vega` or `vega-lite` when it is not installed.
 */
export async function toSVG(spec: VegaLiteSpec): Promise<string> {
  return renderSVG('toSVG', spec);
}

async function renderSVG(caller: string, spec: VegaLiteSpec): Promise<string> {
  checkSpec(caller, spec);
  const vegaLite = await loadPeer(caller, 'vega-lite', 'vega vega-lite', () => import('vega-lite'));
  const vega = await loadPeer(caller, 'vega', 'vega vega-lite', () => import('vega'));
  let compiled;
  try {
    compiled = vegaLite.compile(spec as unknown as Parameters<typeof vegaLite.compile>[0]).spec;
  } catch (error) {
    throw new NlsqRangeError(`${caller}: spec is not a valid Vega-Lite specification: ${(error as Error).message}`, 'spec', 'ERR_RANGE', { cause: error });
  }
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  let svg: string;
  try {
    svg = await view.toSVG();
  } finally {
    view.finalize();
  }
  // The headless renderer drops the description; keep it as the document's <desc> (screen
  // readers, and the note of how many points were drawn).
  if (typeof spec.description !== 'string' || spec.description === '') return svg;
  const start = svg.indexOf('>', svg.indexOf('<svg')) + 1;
  return `${svg.slice(0, start)}<desc>${escapeXml(spec.description)}</desc>${svg.slice(start)}`;
}

/**
 * Render a Vega-Lite spec to a PNG image: {@link toSVG}, then resvg at `scale` pixels per SVG
 * pixel with the system fonts (DejaVu Sans preferred, the figures' font).
 *
 * @param spec - a spec from `plotFit`, `plotResiduals`, … or any Vega-Lite specification.
 * @param options - scale (default 2) and background (default white).
 * @returns the PNG bytes.
 * @throws as {@link toSVG}; NlsqRangeError for a scale that is not a positive number; NlsqError
 *   (`ERR_NOT_SUPPORTED`) naming `@resvg/resvg-js` when it is not installed.
 */
export async function toPNG(spec: VegaLiteSpec, options: PngOptions = {}): Promise<Uint8Array> {
  const caller = 'toPNG';
  const scale = options.scale ?? 2;
  if (!(typeof scale === 'number' && Number.isFinite(scale) && scale > 0)) throw new NlsqRangeError(`${caller}: scale must be a positive number, got ${describeValue(scale)}`, 'scale');
  const svg = await renderSVG(caller, spec);
  const { Resvg } = await loadPeer(caller, '@resvg/resvg-js', '@resvg/resvg-js', () => import('@resvg/resvg-js'));
  const png = new Resvg(svg, {
    background: options.background ?? 'white',
    fitTo: { mode: 'zoom', value: scale },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  })
    .render()
    .asPng();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}
