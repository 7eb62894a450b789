/**
 * toSVG / toPNG without their optional peer dependencies: an NlsqError that names the package to
 * install. The packages are replaced by modules whose import fails as Node's does for a package
 * that is not installed.
 */
import { describe, expect, it, vi } from 'vitest';
import { NlsqError } from '../../src/index.ts';
import { toPNG, toSVG, VEGA_LITE_SCHEMA } from '../../src/plot/index.ts';

const notInstalled = (name: string): Error => Object.assign(new Error(`Cannot find package '${name}' imported from /app/node_modules/nlsq/dist/plot/render.js`), { code: 'ERR_MODULE_NOT_FOUND' });

vi.mock('vega-lite', () => {
  throw notInstalled('vega-lite');
});
vi.mock('@resvg/resvg-js', () => {
  throw notInstalled('@resvg/resvg-js');
});

const spec = { $schema: VEGA_LITE_SCHEMA, mark: 'point', data: { values: [{ a: 1 }] }, encoding: { x: { field: 'a', type: 'quantitative' } } };

describe('rendering without the optional peers', () => {
  it('says which package to install', async () => {
    const error = await toSVG(spec).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NlsqError);
    expect(error).toMatchObject({ code: 'ERR_NOT_SUPPORTED', argument: 'spec' });
    expect((error as Error).message).toBe('toSVG: rendering needs the package vega-lite, an optional peer dependency of nlsq; install it with: npm install vega vega-lite');
    await expect(toPNG(spec)).rejects.toMatchObject({ message: expect.stringContaining('toPNG: rendering needs the package vega-lite') });
  });
});
