/**
 * `--plot FILE` of `nlsq fit`: the file is checked when the flags are read (`.svg` or `.png`),
 * and the optional `nlsq/plot` module (`src/plot/`) is loaded lazily, so a fit without `--plot`
 * never loads the plotting packages (vega, vega-lite, resvg).
 *
 * @module
 */
import { NlsqRangeError } from '../errors.ts';
import type { FitResult } from '../fit.ts';
import type { ResidentData } from './resident-data.ts';

/** Writes the fit figure of a result and its data to a file. */
export type Plotter = (result: FitResult, data: ResidentData, file: string) => Promise<void>;

/**
 * The image format of a `--plot` file.
 *
 * @param file - the file name. @param caller - command name for messages.
 * @returns `'svg'` or `'png'`.
 * @throws NlsqRangeError naming `--plot` for another extension.
 */
export function plotFormat(file: string, caller: string): 'svg' | 'png' {
  const lower = file.toLowerCase();
  if (lower.endsWith('.svg')) return 'svg';
  if (lower.endsWith('.png')) return 'png';
  throw new NlsqRangeError(`${caller}: --plot must name a .svg or .png file, got ${JSON.stringify(file)}`, '--plot');
}

/**
 * The plotter of `--plot`: `plotFit` of `nlsq/plot` (data, curve, confidence and prediction
 * bands, residual panel) rendered by `toSVG`/`toPNG` by the file's extension. The plot module and
 * its renderers (vega, vega-lite, resvg: optional peer dependencies) load only when `--plot` is
 * given; a missing renderer fails with the `npm install` line that adds it.
 *
 * @param caller - the command name, for messages.
 * @returns the plotter.
 */
export async function loadPlotter(caller: string): Promise<Plotter> {
  const plot = await import('../plot/index.ts');
  const { writeFile } = await import('node:fs/promises');
  return async (result, data, file) => {
    const x = data.x.length === 1 ? (data.x[0] as Float64Array) : data.x;
    const spec = plot.plotFit(result, { x, y: data.y, sigma: data.sigma ?? undefined });
    const bytes = plotFormat(file, caller) === 'svg' ? await plot.toSVG(spec) : await plot.toPNG(spec);
    await writeFile(file, bytes);
  };
}
