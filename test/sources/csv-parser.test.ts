import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { DataSourceError, NlsqRangeError, NlsqTypeError } from '../../src/errors.ts';
import { type CsvOptions, parseCsv } from '../../src/sources/csv-parser.ts';
import { parseDecimal } from '../../src/sources/decimal.ts';
import { DELIMITERS, byteBlocks, fieldStyle, layoutStyle, textField, writeCsv } from './csv-tables.ts';
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
    expect(parseDecimal('\t1.5 \t', 0, 6)).toBe(1.5); // tab padding as well as spaces
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
    expect(() => parseCsv(blocks('1,2\n', 5), { x: 'a', y: 1, header: false }, 'csvFileSource')).toThrow(NlsqRangeError);
  });

  it('says the y option is required instead of looking for column "undefined"', () => {
    const run = () => parseCsv(blocks('a,b\n1,2\n', 5), { x: 'a' } as never, 'csvFileSource');
    expect(run).toThrow(NlsqTypeError);
    expect(run).toThrow('csvFileSource: the y option is required: the column of the observations, by header name or 0-based index');
    expect(() => parseCsv(blocks('', 5), { y: 1 } as never, 'csvFileSource')).toThrow(/the x option is required/);
  });

  it('reads tab-padded cells, and shows a cell it cannot read as it is (tabs visible)', async () => {
    const chunks = await parseAll('a,b\n\t1\t, 2 \n', { x: 'a', y: 'b' });
    expect(flat(chunks, 'y')).toEqual([2]);
    expect(Array.from(chunks[0]!.x as Float64Array)).toEqual([1]);
    await expect(parseAll('a,b\n1,\t2x\n', { x: 'a', y: 'b' })).rejects.toThrow('line 2, column "b": cannot read "\\t2x" as a number');
    await expect(parseAll('a,b\n1,\n', { x: 'a', y: 'b' })).rejects.toThrow('line 2, column "b": cannot read an empty cell as a number');
  });

  it('never shifts columns on a quoted field holding delimiters (issue 21, defect 3)', async () => {
    const text = 'name,time,signal\n"a, 2, 3, 4",0,1\n"b,\n""5""",1,3\n';
    for (const size of [1, 3, 64]) {
      const chunks = await parseAll(text, { x: 'time', y: 'signal' }, size);
      expect(chunks.flatMap((c) => Array.from(c.x as Float64Array))).toEqual([0, 1]);
      expect(flat(chunks, 'y')).toEqual([1, 3]);
    }
    const quotedNumbers = await parseAll('"t","v"\n"1.5", " 2"\n', { x: 't', y: 'v' });
    expect(flat(quotedNumbers, 'y')).toEqual([2]);
  });

  it('bounds memory on a file without line breaks', async () => {
    await expect(parseAll('1'.repeat(200), { x: 0, y: 1, maxLineLength: 50 }, 16)).rejects.toThrow(DataSourceError);
  });

  it('passes NaN through to the chunk (the chunk validation names it)', async () => {
    const chunks = await parseAll('x,y\n1,NaN\n', { x: 'x', y: 'y' });
    expect(flat(chunks, 'y')[0]).toBeNaN();
  });

  test.prop(
    [
      fc.integer({ min: 0, max: 3 }).chain((extra) =>
        fc.record({
          names: fc.uniqueArray(textField.filter((t) => t.trim() === t), { minLength: 3 + extra, maxLength: 3 + extra }),
          order: fc.shuffledSubarray([0, 1, 2, 3, 4, 5].slice(0, 3 + extra), { minLength: 3 + extra, maxLength: 3 + extra }),
          rows: fc.array(
            fc.tuple(
              fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => (v === 0 ? 0 : v)), { minLength: 3, maxLength: 3 }),
              fc.array(textField, { minLength: extra, maxLength: extra }),
            ),
            { maxLength: 12 },
          ),
        }),
      ),
      fc.constantFrom(...DELIMITERS),
      fc.array(fieldStyle, { minLength: 1, maxLength: 7 }),
      layoutStyle,
      fc.array(fc.integer({ min: 1, max: 23 }), { minLength: 1, maxLength: 4 }),
      fc.integer({ min: 1, max: 5 }),
    ],
    { numRuns: 200 },
  )('reads the numeric columns of random tables with quoted text columns by header name, whatever the blocks (RFC 4180)', async (table, delimiter, styles, layout, sizes, chunkRows) => {
    const { names, order, rows } = table;
    // file column c holds logical column order.indexOf(c): x (0), y (1), sigma (2) or a text column (3…)
    const record = (cells: readonly string[]) => order.map((_, c) => cells[order.indexOf(c)]!);
    const body = rows.map(([nums, texts]) => record([...nums.map(String), ...texts]));
    const { text } = writeCsv([record(names), ...body], delimiter, styles, layout);
    const chunks: SourceChunk[] = [];
    for await (const c of parseCsv(byteBlocks(text, sizes), { x: names[0]!, y: names[1]!, sigma: names[2]!, delimiter, chunkRows }, 'csvFileSource')) chunks.push(c);
    expect(chunks.flatMap((c) => Array.from(c.x as Float64Array))).toEqual(rows.map(([n]) => n[0]));
    expect(flat(chunks, 'y')).toEqual(rows.map(([n]) => n[1]));
    expect(flat(chunks, 'sigma')).toEqual(rows.map(([n]) => n[2]));
  });
});
