import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { DataSourceError } from '../../src/errors.ts';
import { CsvFieldCursor, CsvRecordReader } from '../../src/sources/csv-records.ts';
import { DELIMITERS, byteBlocks, fieldStyle, layoutStyle, textField, writeCsv } from './csv-tables.ts';

interface Read {
  readonly rows: string[][];
  readonly lines: number[];
}

/** Split CSV bytes into records of fields through the streaming reader. */
async function readTable(blocks: AsyncIterable<Uint8Array>, delimiter = ',', comment = '#', maxRecordLength = 1 << 20): Promise<Read> {
  const reader = new CsvRecordReader(delimiter, comment, maxRecordLength, 'test');
  const cursor = new CsvFieldCursor(delimiter, 'test');
  const decoder = new TextDecoder();
  const rows: string[][] = [];
  const lines: number[] = [];
  const drain = () => {
    while (reader.next()) {
      cursor.reset(reader.text, reader.start, reader.end, reader.quoted, reader.line);
      const row: string[] = [];
      while (cursor.next()) row.push(cursor.value());
      rows.push(row);
      lines.push(reader.line);
    }
  };
  for await (const b of blocks) {
    reader.push(decoder.decode(b, { stream: true }));
    drain();
  }
  reader.push(decoder.decode());
  reader.finish();
  drain();
  return { rows, lines };
}

const readText = (text: string, size = 3, delimiter = ',') => readTable(byteBlocks(text, [size]), delimiter);

describe('CsvRecordReader and CsvFieldCursor (RFC 4180)', () => {
  test.prop(
    [
      fc.integer({ min: 1, max: 5 }).chain((width) => fc.array(fc.array(textField, { minLength: width, maxLength: width }), { minLength: 1, maxLength: 8 })),
      fc.constantFrom(...DELIMITERS),
      fc.array(fieldStyle, { minLength: 1, maxLength: 7 }),
      layoutStyle,
      fc.array(fc.integer({ min: 1, max: 17 }), { minLength: 1, maxLength: 5 }),
    ],
    { numRuns: 400 },
  )('gives back random tables of quoted and unquoted fields whatever the delimiter, line endings and byte blocks', async (rows, delimiter, styles, layout, sizes) => {
    const { text, lines } = writeCsv(rows, delimiter, styles, layout);
    const back = await readTable(byteBlocks(text, sizes), delimiter);
    expect(back.rows).toEqual(rows);
    expect(back.lines).toEqual(lines);
  });

  it('keeps delimiters, doubled quotes and line breaks inside quoted fields', async () => {
    const text = 'name,t,v\r\n"a, 2, 3, 4",0,1\r\n"say ""hi""\nthere",5,6\r\n';
    for (const size of [1, 2, 5, 100]) {
      const r = await readText(text, size);
      expect(r.rows).toEqual([['name', 't', 'v'], ['a, 2, 3, 4', '0', '1'], ['say "hi"\nthere', '5', '6']]);
      expect(r.lines).toEqual([1, 2, 3]);
    }
  });

  it('treats a quote inside an unquoted field as text and drops blanks around quoted fields', async () => {
    expect((await readText('5"3,x\n')).rows).toEqual([['5"3', 'x']]);
    expect((await readText('  "a" ,\t"b"\t\n')).rows).toEqual([['a', 'b']]);
    expect((await readText('1\t\t2\n\t\n', 2, '\t')).rows).toEqual([['1', '', '2'], ['', '']]); // a line of tabs is a record of empty fields
  });

  it('skips blank and comment lines only where a record starts', async () => {
    const r = await readText('# c\n\n  \t\n1,"#x\n\n# not a comment"\n#c2\n2,y', 4);
    expect(r.rows).toEqual([['1', '#x\n\n# not a comment'], ['2', 'y']]);
    expect(r.lines).toEqual([4, 8]);
  });

  it('rejects text after a closing quote and a quote never closed, naming the line', async () => {
    await expect(readText('a,b\n"x"y,1\n')).rejects.toThrow('test: line 2, field 0: unexpected "y" after the closing quote (a quote inside a quoted field is written "")');
    await expect(readText('a,b\n1,"open\n2,3\n')).rejects.toThrow('test: line 2: a quoted field is not closed before the end of the data');
    const long = readTable(byteBlocks('1,"' + 'x'.repeat(100), [7]), ',', '#', 50);
    await expect(long).rejects.toThrow(DataSourceError);
    await expect(readTable(byteBlocks('1,"' + 'x'.repeat(100), [7]), ',', '#', 50)).rejects.toThrow(/longer than maxLineLength = 50 characters \(inside a quoted field/);
  });
});
