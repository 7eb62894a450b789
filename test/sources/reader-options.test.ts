import { describe, expect, it } from 'vitest';
import { NlsqRangeError, NlsqTypeError } from '../../src/errors.ts';
import { blobSource } from '../../src/sources/blob-source.ts';
import { parseCsv } from '../../src/sources/csv-parser.ts';
import { parseFloat64 } from '../../src/sources/float64-parser.ts';
import { MAX_CHUNK_BYTES, chunkRowsOption, integerOption } from '../../src/sources/reader-options.ts';

const none = (async function* () {})();

describe('reader options', () => {
  it('checks every CSV option when the reader is created, not when it is first read', () => {
    const bad: [object, RegExp][] = [
      [{ x: 0, y: 1, chunkRows: 0 }, /chunkRows must be an integer from 1 to/],
      [{ x: 0, y: 1, chunkRows: 2.5 }, /chunkRows must be an integer/],
      [{ x: 0, y: 1, maxLineLength: 0 }, /maxLineLength must be an integer from 1 to 268435456/],
      [{ x: 0, y: 1, delimiter: ';;' }, /delimiter must be one character other than/],
      [{ x: 0, y: 1, delimiter: '"' }, /delimiter must be one character/],
      [{ x: 0, y: 1, comment: '\n' }, /comment must not contain a line break/],
      [{ x: -1, y: 1 }, /x must be a header name or a 0-based column index \(a non-negative integer\), got -1/],
      [{ x: [0, 1.5], y: 2 }, /x\[1\] must be a header name or a 0-based column index/],
      [{ x: [], y: 2 }, /x must name at least one column/],
      [{ x: 0, y: 1, header: 'yes' }, /header must be a boolean/],
      [{ x: 0, y: 1, Sigma: 2 }, /unknown option 'Sigma'/],
    ];
    for (const [options, message] of bad) {
      const make = () => parseCsv(none, options as never, 'csvSource');
      expect(make).toThrow(message);
      try {
        make();
      } catch (e) {
        expect(e instanceof NlsqRangeError || e instanceof NlsqTypeError).toBe(true);
      }
    }
    expect(() => parseCsv(none, null as never)).toThrow('csvSource: options must be an object, got null');
  });

  it('checks the Float64 options the same way', () => {
    expect(() => parseFloat64(none, { variables: 1.5 })).toThrow(NlsqRangeError);
    expect(() => parseFloat64(none, { chunkRows: NaN })).toThrow('float64Source: chunkRows must be an integer from 1 to 67108864 (rows per chunk; 2 columns × 8 bytes a row, at most 1 GiB a chunk), got NaN');
    expect(() => parseFloat64(none, { variables: 2, chunkrows: 4 } as never)).toThrow("unknown option 'chunkrows' (accepted: chunkRows, sigma, variables)");
  });

  it('checks a Blob source up front, its format key included', () => {
    const blob = new Blob(['x,y\n1,2\n']);
    expect(() => blobSource(blob, { format: 'csv', x: 'x', y: 'y', highWaterMark: 10 } as never)).toThrow(
      "blobSource: unknown option 'highWaterMark' (accepted: chunkRows, comment, delimiter, format, header, maxLineLength, sigma, x, y)",
    );
    expect(() => blobSource(blob, { format: 'csv', x: 'x' } as never)).toThrow('blobSource: the y option is required');
    expect(() => blobSource(blob, { format: 'float64', chunkRows: -1 })).toThrow(NlsqRangeError);
  });

  it('bounds a chunk to 1 GiB whatever the number of columns, and defaults within the bound', () => {
    for (const columns of [1, 3, 1000, 2 ** 20]) {
      const max = Math.max(1, Math.floor(MAX_CHUNK_BYTES / (8 * columns)));
      expect(chunkRowsOption('f', max, columns)).toBe(max);
      expect(() => chunkRowsOption('f', max + 1, columns)).toThrow(NlsqRangeError);
      expect(chunkRowsOption('f', undefined, columns)).toBe(Math.min(65536, max));
    }
    expect(integerOption('f', 'n', undefined, 7, 1, 9, 'things')).toBe(7);
    expect(() => integerOption('f', 'n', 10, 7, 1, 9, 'things')).toThrow('f: n must be an integer from 1 to 9 (things), got 10');
  });
});
