import { describe, expect, it } from 'vitest';
import { Float16, Float32, Float64, Int64, RecordBatch, RecordBatchFileWriter, Table, Utf8, makeVector, tableToIPC, vectorFromArray } from 'apache-arrow';
import { curveFit, fit, model } from '../../src/index.ts';
import { DataSourceError } from '../../src/errors.ts';
import { arrowSource } from '../../src/sources/arrow-source.ts';
import { columnarData, readColumns } from '../support/columnar-files.ts';

const N = 2400;
const d = columnarData(N, 5);
const BATCH = 800;

/** The test data as an Arrow table of N / BATCH record batches, with a null in `gappy` at row 1234. */
function table(): Table {
  const batches: RecordBatch[] = [];
  for (let s = 0; s < N; s += BATCH) {
    const e = s + BATCH;
    const vec = {
      t: makeVector(d.t.slice(s, e)),
      signal: makeVector(d.y.slice(s, e)),
      err: makeVector(d.sigma.slice(s, e)),
      k: makeVector(d.k.slice(s, e)),
      t32: vectorFromArray(Array.from(d.t32.slice(s, e)), new Float32()),
      k64: vectorFromArray(Array.from(d.k.slice(s, e), (v) => BigInt(v)), new Int64()),
      gappy: vectorFromArray(Array.from(d.y.slice(s, e), (v, i) => (s + i === 1234 ? null : v)), new Float64()),
      label: vectorFromArray(Array.from(d.k.slice(s, e), (v) => `p${v}`), new Utf8()),
    };
    batches.push(new RecordBatch(Object.fromEntries(Object.entries(vec).map(([k, v]) => [k, v.data[0]!]))));
  }
  return new Table(batches);
}

const fileBytes = tableToIPC(table(), 'file');
const streamBytes = tableToIPC(table(), 'stream');

describe('arrowSource', () => {
  it('reads the IPC file and stream formats, one chunk per record batch, re-readably', async () => {
    for (const bytes of [fileBytes, streamBytes]) {
      const source = arrowSource(new File([bytes], 'decay.arrow'), { x: 't', y: 'signal', sigma: 'err' });
      const r = await readColumns(source);
      expect(r.chunks).toBe(N / BATCH);
      expect(r.y).toEqual(Array.from(d.y));
      expect(r.x[0]).toEqual(Array.from(d.t));
      expect(r.sigma).toEqual(Array.from(d.sigma));
      expect((await readColumns(source)).y).toEqual(r.y);
    }
  });

  it('reads a file written batch by batch by RecordBatchFileWriter, from bytes in memory', async () => {
    const writer = new RecordBatchFileWriter();
    for (const b of table().batches) writer.write(b);
    writer.finish();
    const bytes = await writer.toUint8Array();
    expect((await readColumns(arrowSource(bytes, { x: 't', y: 'signal' }))).y).toEqual(Array.from(d.y));
  });

  it('reads int32, int64 and float32 columns as float64, several x columns in order', async () => {
    const r = await readColumns(arrowSource(fileBytes, { x: ['k', 't32', 'k64'], y: 'signal' }));
    expect(r.x[0]).toEqual(Array.from(d.k));
    expect(r.x[1]).toEqual(Array.from(d.t32));
    expect(r.x[2]).toEqual(Array.from(d.k));
  });

  it('decodes float16 columns (whose toArray holds bit patterns) and their nulls', async () => {
    const half = vectorFromArray([1.5, -2.25, null, 65504, 0.5], new Float16());
    const y = makeVector(Float64Array.from([1, 2, 3, 4, 5]));
    const bytes = tableToIPC(new Table([new RecordBatch({ h: half.data[0]!, y: y.data[0]! })]), 'file');
    const r = await readColumns(arrowSource(bytes, { x: 'h', y: 'y' }));
    expect(r.x[0]!.slice(0, 2)).toEqual([1.5, -2.25]);
    expect(r.x[0]![2]).toBeNaN();
    expect(r.x[0]![3]).toBe(65504);
    expect(r.x[0]![4]).toBe(0.5);
  });

  it('fits like curveFit on the same arrays, and nulls go to nanPolicy', async () => {
    const m = model('a*exp(-b*x) + c');
    const streamed = await fit(m, arrowSource(fileBytes, { x: 't', y: 'signal', sigma: 'err' }), { p0: [1, 1, 0], workflow: 'streaming' });
    const ref = await curveFit(m, d.t, d.y, { p0: [1, 1, 0], sigma: d.sigma });
    expect(streamed.popt).toBeAllclose(ref.popt, { rtol: 1e-9 });
    expect(streamed.perr).toBeAllclose(ref.perr, { rtol: 1e-6 });

    const gappy = (await readColumns(arrowSource(streamBytes, { x: 't', y: 'gappy' }))).y;
    expect(gappy[1234]).toBeNaN();
    expect(gappy[1233]).toBe(d.y[1233]);
    const omitted = await fit(m, arrowSource(streamBytes, { x: 't', y: 'gappy' }), { p0: [1, 1, 0], nanPolicy: 'omit', workflow: 'streaming' });
    const keep = (_: number, i: number): boolean => i !== 1234;
    const refOmit = await curveFit(m, d.t.filter(keep), d.y.filter(keep), { p0: [1, 1, 0] });
    expect(omitted.popt).toBeAllclose(refOmit.popt, { rtol: 1e-9 });
    await expect(fit(m, arrowSource(streamBytes, { x: 't', y: 'gappy' }), { p0: [1, 1, 0], workflow: 'streaming' })).rejects.toThrow(/chunk 1 has NaN in y at index 434/);
  });

  it('names a missing or non-numeric column and the file', async () => {
    const file = new File([fileBytes], 'decay.arrow');
    await expect(readColumns(arrowSource(file, { x: 't', y: 'nope' }))).rejects.toThrow(
      new DataSourceError('arrowSource: column "nope" is not in "decay.arrow" (columns: "t", "signal", "err", "k", "t32", "k64", "gappy", "label")'),
    );
    await expect(readColumns(arrowSource(file, { x: 'label', y: 'signal' }))).rejects.toThrow(/column "label" of "decay.arrow" has Arrow type Utf8; only integer/);
  });

  it('reports truncated and corrupt files with the file and the record batch', async () => {
    const cutFile = new File([fileBytes.subarray(0, fileBytes.length - 50)], 'cut.arrow');
    await expect(readColumns(arrowSource(cutFile, { x: 't', y: 'signal' }))).rejects.toThrow(/^arrowSource: "cut.arrow" is not a readable Arrow IPC file or stream/);
    const cutStream = new File([streamBytes.subarray(0, streamBytes.length - 3000)], 'cut.arrows');
    await expect(readColumns(arrowSource(cutStream, { x: 't', y: 'signal' }))).rejects.toThrow(/^arrowSource: cannot read record batch 2 \(from row 1600\) of "cut.arrows": /);
    const junk = new File([new Uint8Array(4096).fill(7)], 'junk.arrow');
    await expect(readColumns(arrowSource(junk, { x: 't', y: 'signal' }))).rejects.toThrow(/"junk.arrow" is not/);
    await expect(readColumns(arrowSource(new Uint8Array(0), { x: 't', y: 'signal' }))).rejects.toThrow(/"<bytes>" is not an Arrow IPC file or stream: it holds no schema/);
  });
});
