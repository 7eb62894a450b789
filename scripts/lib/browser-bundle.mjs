/**
 * The one set of esbuild settings for code that runs in a browser (the playground, the browser
 * runtime suite, the WebGPU checks, the bundle-size report): ES modules for the browser platform,
 * ES2022, everything bundled.
 */
import { build } from 'esbuild';

/** esbuild's options shared by every browser bundle of the repository. */
export const BROWSER_BUILD = Object.freeze({ bundle: true, format: 'esm', platform: 'browser', target: 'es2022' });

/**
 * Bundle for the browser: {@link BROWSER_BUILD} with the caller's entry points, output and extras.
 * @param {import('esbuild').BuildOptions} options - entryPoints, outdir/outfile, splitting, minify…
 * @returns {Promise<import('esbuild').BuildResult>} esbuild's result.
 */
export function bundleForBrowser(options) {
  return build({ ...BROWSER_BUILD, logLevel: 'warning', ...options });
}
