import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { DataSourceError, NlsqRangeError } from '../../src/errors.ts';
import { type CsvOptions, parseCsv, parseDecimal } from '../../src/sources/csv-parser.ts';
import type { SourceChunk } from '../../src/sources/data-source.ts';

/** The text's bytes in blocks of `size` (splitting lines, numbers and UTF-8 sequences). */
async function* blocks(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function parseAll(text: string, options: CsvOptions, size = 5): Promise<SourceChunk[]> {
  const out: SourceChunk[] = [];
  for await (const c of parseCsv(blocks(text, size), options, 'csvFileSource')) out.push(c);
  return out;
}

const flat = (chunks: SourceChunk[], key: 'y' | 'sigma') => chunks.flatMap((c) => Array.from(c[key] as Float64Array));

describe('parseDecimal', () => {
  test.prop([fc.double({ noNaN: true, noDefaultInfinity: true })], { numRuns: 300 })('reads String(v) back to v exactly', (v) => {
    const s = String(v);
    expect(Object.is(parseDecimal(s, 0, s.length), v === 0 ? 0 : v)).toBe(true); // String(-0) is "0"
  });

  test.prop([fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.integer({ min: 0, max: 17 })], { numRuns: 200 })(
    'agrees with Number() on fixed and exponential notations',
    (v, digits) => {
      for (const s of [v.toFixed(digits), v.toExponential(Math.min(digits, 16)), v.toPrecision(Math.max(1, digits))]) {
        expect(parseDecimal(s, 0, s.length)).toBe(Number(s));
      }
    },
  );

  it('reads NaN and infinities by name and rejects what is not a number', () => {
    expect(parseDecimal(' NaN ', 0, 5)).toBeNaN();
    expect(parseDecimal('-inf', 0, 4)).toBe(-Infinity);
    expect(parseDecimal('Infinity', 0, 8)).toBe(Infinity);
    for (const bad of ['', ' ', 'abc', '1e', '--1', '0x10', '1.2.3', '.', '+']) expect(parseDecimal(bad, 0, bad.length)).toBeUndefined();
    expect(parseDecimal('x=12.5;', 2, 6)).toBe(12.5);
    expect(parseDecimal('.5', 0, 2)).toBe(0.5);
    expect(parseDecimal('5.', 0, 2)).toBe(5);
    expect(Object.is(parseDecimal('-0', 0, 2), -0)).toBe(true);
    expect(parseDecimal('123456789012345678901', 0, 21)).toBe(123456789012345678901);
  });
});

describe('parseCsv', () => {
  const text = '# exported\r\n"t","signal","err","é"\r\n0,1.5,0.1,9\r\n\r\n1,2.5,0.2,9\r\n# mid comment\r\n2,-3e-2,0.3,9\r\n3,4,0.4,9';

  test.prop([fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 5 })], { numRuns: 30 })(
    'reads named columns through a header whatever the block and chunk sizes (CRLF, comments, blank lines, no final newline)',
    async (size, chunkRows) => {
      const chunks = await parseAll(text, { x: 't', y: 'signal', sigma: 'err', chunkRows }, size);
      expect(chunks.flatMap((c) => Array.from(c.x as Float64Array))).toEqual([0, 1, 2, 3]);
      expect(flat(chunks, 'y')).toEqual([1.5, 2.5, -0.03, 4]);
      expect(flat(chunks, 'sigma')).toEqual([0.1, 0.2, 0.3, 0.4]);
      expect(chunks.every((c) => (c.y as Float64Array).length <= chunkRows)).toBe(true);
    },
  );

  it('reads columns by index without a header, k variables, and another delimiter', async () => {
    const chunks = await parseAll('1;2;3\n4;5;6\n', { x: [2, 0], y: 1, delimiter: ';' });
    expect((chunks[0]!.x as Float64Array[]).map((c) => Array.from(c))).toEqual([[3, 6], [1, 4]]);
    expect(flat(chunks, 'y')).toEqual([2, 5]);
    expect(chunks[0]!.sigma).toBeNull();
  });

  it('names the line and column of a value it cannot read', async () => {
    await expect(parseAll('a,b\n1,2\n3,oops\n', { x: 'a', y: 'b' })).rejects.toThrow('csvFileSource: line 3, column "b": cannot read "oops" as a number');
    await expect(parseAll('a,b\n1,2\n3\n', { x: 'a', y: 'b' })).rejects.toThrow(/line 3 has too few fields/);
  });

  it('names a missing column and lists those in the header', async () => {
    await expect(parseAll('a,b\n1,2\n', { x: 'a', y: 'c' })).rejects.toThrow('csvFileSource: column "c" is not in the header (columns: "a", "b")');
    await expect(parseAll('1,2\n', { x: 'a', y: 1, header: false })).rejects.toThrow(NlsqRangeError);
  });

  it('bounds memory on a file without line breaks', async () => {
    await expect(parseAll('1'.repeat(200), { x: 0, y: 1, maxLineLength: 50 }, 16)).rejects.toThrow(DataSourceError);
  });

  it('passes NaN through to the chunk (the chunk validation names it)', async () => {
    const chunks = await parseAll('x,y\n1,NaN\n', { x: 'x', y: 'y' });
    expect(flat(chunks, 'y')[0]).toBeNaN();
  });
});
