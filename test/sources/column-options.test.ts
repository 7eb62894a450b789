import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { DataSourceError, NlsqRangeError, NlsqTypeError } from '../../src/errors.ts';
import { blobBytes, bytesOpener, memoryBytes } from '../../src/sources/byte-reader.ts';
import { chunkOf, resolveColumns, toFloat64 } from '../../src/sources/column-options.ts';

describe('toFloat64', () => {
  test.prop([fc.array(fc.oneof(fc.double(), fc.constant(null), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.integer()), { maxLength: 200 })])(
    'maps numbers to themselves, bigints to Number(v), null to NaN',
    (values) => {
      const out = toFloat64(values, 'where', 0);
      expect(out.length).toBe(values.length);
      values.forEach((v, i) => expect(Object.is(out[i], v === null ? NaN : typeof v === 'bigint' ? Number(v) : v)).toBe(true));
    },
  );

  test.prop([fc.array(fc.float({ noNaN: true }), { maxLength: 100 }), fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 100 })])(
    'widens float32 and int32 typed arrays exactly; returns a Float64Array as is',
    (f, k) => {
      expect(Array.from(toFloat64(Float32Array.from(f), 'w', 0))).toEqual(Array.from(Float32Array.from(f)));
      expect(Array.from(toFloat64(Int32Array.from(k), 'w', 0))).toEqual(k);
      const same = Float64Array.from(k);
      expect(toFloat64(same, 'w', 0)).toBe(same);
    },
  );

  it('names the column and the file row of a value that is not a number', () => {
    expect(() => toFloat64([1, 2, 'x'], 'parquetSource: column "t" of row group 2', 100)).toThrow(
      new DataSourceError('parquetSource: column "t" of row group 2 holds the string "x" at row 102; only numeric columns (integer or floating point) can be read'),
    );
    expect(() => toFloat64([new Date(0)], 'c', 0)).toThrow(/holds a date at row 0/);
  });
});

describe('resolveColumns and chunkOf', () => {
  it('orders the columns x…, y, sigma and builds chunks in that order', () => {
    const r = resolveColumns({ x: ['a', 'b'], y: 'c', sigma: 'd' }, 'f');
    expect(r.all).toEqual(['a', 'b', 'c', 'd']);
    const cols = [1, 2, 3, 4].map((v) => Float64Array.of(v));
    expect(chunkOf(cols, r)).toEqual({ x: [cols[0], cols[1]], y: cols[2], sigma: cols[3] });
    expect(chunkOf(cols.slice(0, 2), resolveColumns({ x: 'a', y: 'c' }, 'f'))).toEqual({ x: cols[0], y: cols[1], sigma: null });
  });

  it('rejects bad selections with the argument named', () => {
    expect(() => resolveColumns({ x: 'a', y: 'b', z: 1 }, 'f')).toThrow(NlsqRangeError);
    expect(() => resolveColumns({ x: ['a', ''], y: 'b' }, 'f')).toThrow(new NlsqTypeError('f: x[1] must be a non-empty column name, got ""', 'x[1]'));
    expect(() => resolveColumns({ x: 'a', y: 'b', sigma: 2 }, 'f')).toThrow(/sigma must be a non-empty column name, got 2/);
  });
});

describe('random-access bytes', () => {
  const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 37) & 255);
  test.prop([fc.nat(1100), fc.nat(400)])('reads [position, position + length), clipped at the end, from a Blob and from memory', async (position, length) => {
    const want = Array.from(bytes.subarray(position, position + length));
    expect(Array.from(await blobBytes(new Blob([bytes]), 'f').read(position, length))).toEqual(want);
    expect(Array.from(await memoryBytes(bytes).read(position, length))).toEqual(want);
  });

  it('names a File by its name and rejects what is neither a Blob nor bytes', async () => {
    expect((await bytesOpener(new File([bytes], 'a.bin'), 'f', 'file')()).name).toBe('a.bin');
    expect((await bytesOpener(bytes.buffer, 'f', 'file')()).size).toBe(1000);
    expect(() => bytesOpener('a.bin', 'parquetSource', 'file')).toThrow(new NlsqTypeError('parquetSource: file must be a Blob, File, Uint8Array or ArrayBuffer, got "a.bin"', 'file'));
  });
});
