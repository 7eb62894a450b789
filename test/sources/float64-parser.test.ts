import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { DataSourceError } from '../../src/errors.ts';
import type { SourceChunk } from '../../src/sources/data-source.ts';
import { parseFloat64 } from '../../src/sources/float64-parser.ts';

/** Little-endian bytes of the values, written through a DataView (platform independent). */
export function leBytes(values: readonly number[]): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setFloat64(8 * i, v, true));
  return out;
}

async function* blocks(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function parseAll(bytes: Uint8Array, size: number, options: Parameters<typeof parseFloat64>[1]): Promise<SourceChunk[]> {
  const out: SourceChunk[] = [];
  for await (const c of parseFloat64(blocks(bytes, size), options)) out.push(c);
  return out;
}

describe('parseFloat64', () => {
  test.prop([fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 9 }), fc.boolean()], { numRuns: 40 })(
    'de-interleaves records exactly whatever the block and chunk sizes',
    async (n, size, chunkRows, sigma) => {
      const width = 3 + (sigma ? 1 : 0);
      const values = Array.from({ length: n * width }, (_, i) => i * 0.1 - 3);
      const chunks = await parseAll(leBytes(values), size, { variables: 2, sigma, chunkRows });
      expect(chunks.reduce((s, c) => s + (c.y as Float64Array).length, 0)).toBe(n);
      const rows: number[] = [];
      for (const c of chunks) {
        const [x0, x1] = c.x as Float64Array[];
        for (let i = 0; i < c.y.length; i++) rows.push(x0![i]!, x1![i]!, c.y[i]! as number, ...(sigma ? [(c.sigma as Float64Array)[i]!] : []));
      }
      expect(rows).toEqual(values);
    },
  );

  it('reports data that end inside a record', async () => {
    const bytes = leBytes([1, 2, 3, 4, 5]);
    await expect(parseAll(bytes, 7, { chunkRows: 1 })).rejects.toThrow(
      'float64Source: the data end inside record 2 (8 trailing bytes; each record is 2 doubles = 16 bytes)',
    );
    await expect(parseAll(bytes.subarray(0, 13), 7, {})).rejects.toThrow(DataSourceError);
  });

  it('rejects a non-integer variable count', async () => {
    await expect(parseAll(leBytes([1, 2]), 8, { variables: 0 })).rejects.toThrow('float64Source: variables must be an integer from 1 to 65536 (independent variables per record), got 0');
  });
});
