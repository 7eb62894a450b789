import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { curveFit, fit, model } from '../../src/index.ts';
import { DataSourceError, NlsqRangeError, NlsqTypeError } from '../../src/errors.ts';
import { parquetSource } from '../../src/sources/parquet-source.ts';
import { columnarData, readColumns } from '../support/columnar-files.ts';

const N = 2500;
const d = columnarData(N);

/** A Parquet file of the test data in row groups of `rows` rows, written by hyparquet-writer. */
function parquetBytes(rows = 1000, extra: { name: string; data: unknown; type: string }[] = []): Uint8Array {
  const buf = parquetWriteBuffer({
    columnData: [
      { name: 't', data: d.t, type: 'DOUBLE' },
      { name: 'signal', data: d.y, type: 'DOUBLE' },
      { name: 'err', data: d.sigma, type: 'DOUBLE', nullable: false },
      { name: 'k', data: d.k, type: 'INT32' },
      { name: 't32', data: d.t32, type: 'FLOAT' },
      { name: 'k64', data: BigInt64Array.from(d.k, (v) => BigInt(v)), type: 'INT64' },
      { name: 'label', data: Array.from(d.k, (v) => `p${v}`), type: 'STRING' },
      ...extra,
    ] as never,
    rowGroupSize: rows,
  });
  return new Uint8Array(buf);
}

const bytes = parquetBytes();
const file = new File([bytes], 'decay.parquet');

describe('parquetSource', () => {
  it('reads the selected columns, one chunk per row group, re-readably', async () => {
    const source = parquetSource(file, { x: 't', y: 'signal', sigma: 'err' });
    const first = await readColumns(source);
    expect(first.chunks).toBe(3);
    expect(first.y).toEqual(Array.from(d.y));
    expect(first.x[0]).toEqual(Array.from(d.t));
    expect(first.sigma).toEqual(Array.from(d.sigma));
    const second = await readColumns(source);
    expect(second.y).toEqual(first.y);
  });

  it('reads row groups with an offset index in chunks of whole pages of at least chunkRows rows, others whole', async () => {
    const paged = new Uint8Array(
      parquetWriteBuffer({
        columnData: ['t', 'signal', 'err'].map((name, j) => ({ name, data: [d.t, d.y, d.sigma][j], type: 'DOUBLE', offsetIndex: true })) as never,
        rowGroupSize: 1000,
        pageSize: 2048, // 256 doubles a page: a 300-row chunk reads two or three pages of its row group
      }),
    );
    const r = await readColumns(parquetSource(paged, { x: 't', y: 'signal', sigma: 'err', chunkRows: 300 }));
    // pages of 2048 bytes hold 255 doubles: they start at rows 0, 255, 510, 765 of each group: a chunk is the fewest whole pages of ≥ 300 rows
    const sizes = async (source: AsyncIterable<{ y: ArrayLike<number> }>): Promise<number[]> => {
      const out: number[] = [];
      for await (const c of source) out.push(c.y.length);
      return out;
    };
    expect(await sizes(parquetSource(paged, { x: 't', y: 'signal', chunkRows: 300 }))).toEqual([510, 490, 510, 490, 500]);
    expect(await sizes(parquetSource(paged, { x: 't', y: 'signal', chunkRows: 1 }))).toEqual([255, 255, 255, 235, 255, 255, 255, 235, 255, 245]);
    expect(r.chunks).toBe(5);
    expect(r.y).toEqual(Array.from(d.y));
    expect(r.x[0]).toEqual(Array.from(d.t));
    expect(r.sigma).toEqual(Array.from(d.sigma));
    const noIndex = new Uint8Array(
      parquetWriteBuffer({ columnData: [{ name: 't', data: d.t, type: 'DOUBLE', offsetIndex: false }, { name: 'y', data: d.y, type: 'DOUBLE', offsetIndex: false }] as never, rowGroupSize: 1000 }),
    );
    // columns whose pages start at different rows (2048-byte pages: 511 float32s, 255 doubles) share no page start but the
    // group's first: each row group is one chunk (cutting elsewhere would decode a page twice), values intact
    const mixed = new Uint8Array(
      parquetWriteBuffer({
        columnData: [{ name: 't32', data: d.t32, type: 'FLOAT', offsetIndex: true }, { name: 'y', data: d.y, type: 'DOUBLE', offsetIndex: true }] as never,
        rowGroupSize: 1000,
        pageSize: 2048,
      }),
    );
    expect(await sizes(parquetSource(mixed, { x: 't32', y: 'y', chunkRows: 1 }))).toEqual([1000, 1000, 500]);
    const m = await readColumns(parquetSource(mixed, { x: 't32', y: 'y', chunkRows: 1 }));
    expect(m.x[0]).toEqual(Array.from(d.t32));
    expect(m.y).toEqual(Array.from(d.y));
    const whole = await readColumns(parquetSource(noIndex, { x: 't', y: 'y', chunkRows: 300 }));
    expect(whole.chunks).toBe(3);
    expect(whole.y).toEqual(Array.from(d.y));
  });

  it('reads integer, int64 and float32 columns as float64, several x columns in order', async () => {
    const r = await readColumns(parquetSource(bytes, { x: ['k', 't32', 'k64'], y: 'signal' }));
    expect(r.x[0]).toEqual(Array.from(d.k));
    expect(r.x[1]).toEqual(Array.from(d.t32));
    expect(r.x[2]).toEqual(Array.from(d.k));
    expect(r.sigma).toEqual([]);
  });

  it('fits like curveFit on the same arrays', async () => {
    const m = model('a*exp(-b*x) + c');
    const streamed = await fit(m, parquetSource(file, { x: 't', y: 'signal', sigma: 'err' }), { p0: [1, 1, 0], workflow: 'streaming' });
    const ref = await curveFit(m, d.t, d.y, { p0: [1, 1, 0], sigma: d.sigma, absoluteSigma: false });
    expect(streamed.popt).toBeAllclose(ref.popt, { rtol: 1e-9 });
    expect(streamed.perr).toBeAllclose(ref.perr, { rtol: 1e-6 });
  });

  it('turns nulls into NaN, which nanPolicy omits or reports', async () => {
    const withNull = Array.from(d.y, (v, i) => (i === 1234 ? null : v));
    const nb = parquetBytes(1000, [{ name: 'gappy', data: withNull, type: 'DOUBLE' }]);
    const chunk = (await readColumns(parquetSource(nb, { x: 't', y: 'gappy' }))).y;
    expect(chunk[1234]).toBeNaN();
    const m = model('a*exp(-b*x) + c');
    const omitted = await fit(m, parquetSource(nb, { x: 't', y: 'gappy' }), { p0: [1, 1, 0], nanPolicy: 'omit', workflow: 'streaming' });
    const keep = Array.from(d.t, (_, i) => i !== 1234);
    const ref = await curveFit(m, d.t.filter((_, i) => keep[i]), d.y.filter((_, i) => keep[i]), { p0: [1, 1, 0] });
    expect(omitted.popt).toBeAllclose(ref.popt, { rtol: 1e-9 });
    await expect(fit(m, parquetSource(nb, { x: 't', y: 'gappy' }), { p0: [1, 1, 0], workflow: 'streaming' })).rejects.toThrow(/chunk 1 has NaN in y at index 234/);
  });

  it('names a missing or non-numeric column and the file', async () => {
    await expect(readColumns(parquetSource(file, { x: 't', y: 'nope' }))).rejects.toThrow(
      new DataSourceError('parquetSource: column "nope" is not in "decay.parquet" (columns: "t", "signal", "err", "k", "t32", "k64", "label")'),
    );
    await expect(readColumns(parquetSource(file, { x: 'label', y: 'signal' }))).rejects.toThrow(/column "label" of "decay.parquet" has Parquet type BYTE_ARRAY; only INT32/);
  });

  it('reports a truncated file at its footer and a corrupt row group with its rows and byte offset', async () => {
    const cut = new File([bytes.subarray(0, bytes.length - 40)], 'cut.parquet');
    await expect(readColumns(parquetSource(cut, { x: 't', y: 'signal' }))).rejects.toThrow(/parquetSource: "cut.parquet" is not a readable Parquet file \(its footer/);
    const bad = bytes.slice();
    const offset = 4 + 20; // inside the first column chunk of row group 0
    for (let i = offset; i < offset + 200; i++) bad[i] ^= 0x5a;
    const err = await readColumns(parquetSource(new File([bad], 'bad.parquet'), { x: 't', y: 'signal' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataSourceError);
    expect((err as Error).message).toMatch(/^parquetSource: cannot read row group 0 \(rows 0–999, byte offset 4\) of "bad.parquet": /);
    await expect(readColumns(parquetSource(new Blob([]), { x: 't', y: 'signal' }))).rejects.toThrow(/"<blob>" is not a readable Parquet file/);
  });

  it('checks its arguments at once', () => {
    expect(() => parquetSource('x.parquet' as never, { x: 't', y: 'y' })).toThrow(NlsqTypeError);
    expect(() => parquetSource(file, undefined as never)).toThrow(/options are required/);
    expect(() => parquetSource(file, { x: 't', y: 'y', rows: 5 } as never)).toThrow(NlsqRangeError);
    expect(() => parquetSource(file, { x: 't', y: 'y', chunkRows: 0 })).toThrow(NlsqRangeError);
    expect(() => parquetSource(file, { x: [], y: 'y' })).toThrow(/x must name at least one column/);
    expect(() => parquetSource(file, { x: 't', y: 3 as never })).toThrow(/y must be a non-empty column name, got 3/);
  });
});

describe('parquetSource chunking (property)', () => {
  // any row-group size, page size and chunkRows: every row read once and in order, each chunk whole
  // pages of at least chunkRows rows unless it ends its row group, and no chunk spans two groups
  test.prop(
    [fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 1, max: 1200 }), fc.integer({ min: 64, max: 4096 }), fc.integer({ min: 1, max: 2000 })],
    { numRuns: 25 },
  )('reads every row once, in chunks of whole pages', async (n, rowGroupSize, pageSize, chunkRows) => {
    const t = Float64Array.from({ length: n }, (_, i) => i * 0.5);
    const y = Float64Array.from({ length: n }, (_, i) => Math.sin(i) * 1e3);
    const buf = new Uint8Array(parquetWriteBuffer({ columnData: [{ name: 't', data: t, type: 'DOUBLE' }, { name: 'y', data: y, type: 'DOUBLE' }], rowGroupSize, pageSize } as never));
    const got: number[][] = [[], []];
    const sizes: number[] = [];
    for await (const c of parquetSource(buf, { x: 't', y: 'y', chunkRows })) {
      sizes.push(c.y.length);
      got[0]!.push(...Array.from(c.x as Float64Array));
      got[1]!.push(...Array.from(c.y));
    }
    expect(got[0]).toEqual(Array.from(t));
    expect(got[1]).toEqual(Array.from(y));
    let start = 0;
    for (const size of sizes) {
      const groupEnd = (Math.floor(start / rowGroupSize) + 1) * rowGroupSize;
      expect(start + size).toBeLessThanOrEqual(groupEnd); // within one row group
      if (start + size < Math.min(groupEnd, n)) expect(size).toBeGreaterThanOrEqual(chunkRows);
      start += size;
    }
  });
});
