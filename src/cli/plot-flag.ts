/**
 * `--plot FILE` of `nlsq fit`: the file is checked when the flags are read (`.svg` or `.png`),
 * and the optional `nlsq/plot` module (`src/plot/`) is loaded lazily, so a fit without `--plot`
 * never loads the plotting packages. Where that module is not part of the build, the flag fails
 * with one clear line before any fitting.
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

/** The plot module, by a computed specifier so that builds without it still compile. */
const PLOT_MODULE = '../plot/index.js';

/**
 * Load `renderPlot(result, data, file)` from the plot module.
 *
 * @param caller - command name for messages.
 * @returns the plotter.
 * @throws NlsqRangeError naming `--plot` when plotting is not available in this build.
 */
export async function loadPlotter(caller: string): Promise<Plotter> {
  const mod = (await import(PLOT_MODULE).catch(() => null)) as { renderPlot?: Plotter } | null;
  if (typeof mod?.renderPlot !== 'function') throw new NlsqRangeError(`${caller}: --plot: plotting is not available in this build (the nlsq/plot module is missing)`, '--plot');
  return mod.renderPlot;
}
