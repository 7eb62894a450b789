/**
 * The playground's table parser (playground/table.js): delimiters, header detection, errors that
 * name the line, and a round trip of random tables written in every supported format.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
// @ts-expect-error -- plain JS module of the playground, no declaration file
import { parseTable } from '../../playground/table.js';

interface Table {
  names: string[];
  columns: Float64Array[];
  rows: number;
  header: boolean;
}
const parse = parseTable as (text: string) => Table;

describe('parseTable', () => {
  it('reads CSV with a header', () => {
    const t = parse('t,signal\n0,1.5\n0.5,2e-3\n');
    expect(t.header).toBe(true);
    expect(t.names).toEqual(['t', 'signal']);
    expect(Array.from(t.columns[1]!)).toEqual([1.5, 0.002]);
  });

  it('reads whitespace-separated rows without a header, skipping comments and blank lines', () => {
    const t = parse('# NIST\n  10.07   77.6\n\n14.73    114.9');
    expect(t.header).toBe(false);
    expect(t.names).toEqual(['col1', 'col2']);
    expect(t.rows).toBe(2);
  });

  it('reads TSV and semicolons, and strips quotes around cells', () => {
    expect(Array.from(parse('"a"\t"b"\n1\t2').columns[1]!)).toEqual([2]);
    expect(parse('x;y\n1;2\n3;4').rows).toBe(2);
  });

  it('names the line of a short row and of a cell that is not a number', () => {
    expect(() => parse('x,y\n1,2\n3')).toThrow('line 3 has 1 cells, the first row has 2');
    expect(() => parse('1,2\n3,abc')).toThrow('line 2, column col2: "abc" is not a number');
    expect(() => parse('\n# only a comment\n')).toThrow('the table is empty');
    expect(() => parse('x,y\n')).toThrow('a header but no rows');
  });

  it('round-trips random tables in CSV, TSV, semicolon and space formats', () => {
    const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }).chain((w) => fc.array(fc.array(finite, { minLength: w, maxLength: w }), { minLength: 1, maxLength: 20 })),
        fc.constantFrom(',', '\t', ';', '   '),
        fc.boolean(),
        (rows, sep, header) => {
          const width = rows[0]!.length;
          const names = Array.from({ length: width }, (_, j) => `c${j}`);
          const lines = rows.map((r) => r.map(String).join(sep));
          const t = parse([...(header ? [names.join(sep)] : []), ...lines].join('\n'));
          expect(t.header).toBe(header);
          expect(t.rows).toBe(rows.length);
          for (let j = 0; j < width; j++) {
            // Object.is: -0 stays -0 through String() and Number().
            rows.forEach((r, i) => expect(Object.is(t.columns[j]![i], r[j]) || t.columns[j]![i] === r[j]).toBe(true));
          }
        },
      ),
    );
  });
});
