/**
 * toSVG / toPNG: a real fit's figure renders to a well-formed SVG and to a PNG with the PNG
 * signature and the size the SVG and the scale give; bad specs and options are NlsqErrors naming
 * the argument.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { NlsqRangeError, NlsqTypeError } from '../../src/index.ts';
import { plotFit, toPNG, toSVG, VEGA_LITE_SCHEMA, type VegaLiteSpec } from '../../src/plot/index.ts';
import { parseSvg } from '../support/svg-tree.ts';
import { decayFit } from './fit-fixtures.ts';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Width and height from the PNG's IHDR chunk (bytes 16–23, big-endian). */
function pngSize(png: Uint8Array): [number, number] {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  expect(String.fromCharCode(...png.subarray(12, 16))).toBe('IHDR');
  return [view.getUint32(16), view.getUint32(20)];
}

let spec: VegaLiteSpec;
beforeAll(async () => {
  const { r, t, y, sigma } = await decayFit();
  spec = plotFit(r, { x: t, y, sigma });
});

describe('toSVG and toPNG', () => {
  it('renders a fit figure to a well-formed SVG with its size and the description as <desc>', async () => {
    const text = await toSVG(spec);
    const svg = parseSvg(text).children[0]!;
    expect(svg.name).toBe('svg');
    expect(Number(svg.attrs['width'])).toBeGreaterThan(560);
    expect(Number(svg.attrs['height'])).toBeGreaterThan(320 + 120);
    expect(svg.children[0]!.name).toBe('desc');
    expect(svg.children[0]!.text).toBe(spec.description);
  });

  it('renders a PNG with the PNG signature at scale × the SVG size', async () => {
    const svg = parseSvg(await toSVG(spec)).children[0]!;
    const [w, h] = [Number(svg.attrs['width']), Number(svg.attrs['height'])];
    const png = await toPNG(spec);
    expect(Array.from(png.subarray(0, 8))).toEqual(PNG_SIGNATURE);
    expect(pngSize(png)).toEqual([Math.round(2 * w), Math.round(2 * h)]);
    expect(png.length).toBeGreaterThan(20_000);
    expect(png.length).toBeLessThan(2_000_000);
    const small = await toPNG(spec, { scale: 1 });
    expect(pngSize(small)).toEqual([w, h]);
  });

  it('names spec when it is not an object or not valid Vega-Lite, scale when it is not positive', async () => {
    await expect(toSVG(null as never)).rejects.toBeInstanceOf(NlsqTypeError);
    await expect(toSVG('plot' as never)).rejects.toMatchObject({ argument: 'spec', message: expect.stringContaining('toSVG: spec must be a Vega-Lite specification') });
    await expect(toSVG({ $schema: VEGA_LITE_SCHEMA, mark: 'nonsense', data: { values: [] } })).rejects.toBeInstanceOf(NlsqRangeError);
    await expect(toSVG({ $schema: VEGA_LITE_SCHEMA, mark: 'nonsense', data: { values: [] } })).rejects.toMatchObject({ argument: 'spec' });
    await expect(toPNG(spec, { scale: 0 })).rejects.toMatchObject({ argument: 'scale', message: 'toPNG: scale must be a positive number, got 0' });
  });
});
