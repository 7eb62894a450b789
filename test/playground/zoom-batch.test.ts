/**
 * The playground's pure helpers behind the zoomable chart and the batch tab: min/max decimation
 * (playground/decimate.js) keeps the extremes of every slice and only points of the range, in x
 * order; the batch CSV (playground/batch-tab.js) reads back, through the library's RFC 4180
 * reader, as fitBatch's own numbers, whatever the curve names and messages hold.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitBatch, models } from '../../src/index.ts';
import { STATUS_CODE } from '../../src/optim/evaluation.ts';
import { CsvFieldCursor, CsvRecordReader } from '../../src/sources/csv-records.ts';
// @ts-expect-error -- plain JS module of the playground, no declaration file
import { decimate, sortedOrder } from '../../playground/decimate.js';
// @ts-expect-error -- plain JS module of the playground, no declaration file
import { batchCSV, matchColumns } from '../../playground/batch-tab.js';

type Triple = [number[], number[], number[]];

function parseCsv(text: string): string[][] {
  const reader = new CsvRecordReader(',', undefined, 1 << 20, 'test');
  const cursor = new CsvFieldCursor(',', 'test');
  reader.push(text);
  reader.finish();
  const rows: string[][] = [];
  while (reader.next()) {
    if (reader.end === reader.start) continue;
    cursor.reset(reader.text, reader.start, reader.end, reader.quoted, reader.line);
    const fields: string[] = [];
    while (cursor.next()) fields.push(cursor.value());
    rows.push(fields);
  }
  return rows;
}

const finite = fc.double({ min: -1e6, max: 1e6, noNaN: true });

describe('decimate', () => {
  it('draws only points of [lo, hi], in x order, at most 2 per bucket, with every bucket extreme and the range extremes', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(finite, finite), { minLength: 1, maxLength: 400 }), fc.integer({ min: 1, max: 30 }), finite, finite, fc.boolean(), (points, buckets, a, b, sort) => {
        const pts = sort ? [...points].sort((p, q) => p[0] - q[0]) : points;
        const x = Float64Array.from(pts, (p) => p[0]);
        const y = Float64Array.from(pts, (p) => p[1]);
        const index = Float64Array.from(pts, (_, i) => i); // ŷ = the point's index: says which point was drawn
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const order = sortedOrder(x);
        const [xs, ys, is] = decimate(x, y, index, order, lo, hi, buckets) as Triple;
        const inRange = [...x.keys()].filter((i) => x[i]! >= lo && x[i]! <= hi);
        expect(xs.length).toBe(ys.length);
        expect(xs.length).toBeLessThanOrEqual(Math.max(2 * buckets, inRange.length > 2 * buckets ? 0 : inRange.length));
        is.forEach((i, k) => {
          expect(x[i]).toBe(xs[k]);
          expect(y[i]).toBe(ys[k]);
          expect(xs[k]).toBeGreaterThanOrEqual(lo);
          expect(xs[k]).toBeLessThanOrEqual(hi);
          if (k > 0) expect(xs[k]).toBeGreaterThanOrEqual(xs[k - 1]!);
        });
        expect(new Set(is).size).toBe(is.length);
        if (inRange.length <= 2 * buckets) expect([...is].sort((p, q) => p - q)).toEqual(inRange);
        else if (inRange.length > 0) {
          const yIn = inRange.map((i) => y[i]!);
          expect(ys).toContain(Math.min(...yIn));
          expect(ys).toContain(Math.max(...yIn));
        }
      }),
    );
  });

  it('sortedOrder is null for sorted x, else the permutation that sorts it', () => {
    fc.assert(
      fc.property(fc.array(finite, { maxLength: 200 }), (values) => {
        const x = Float64Array.from(values);
        const order = sortedOrder(x) as Uint32Array | null;
        const sorted = [...values].sort((p, q) => p - q);
        if (order === null) expect(values).toEqual(sorted);
        else {
          expect([...order].sort((p, q) => p - q)).toEqual([...x.keys()]);
          expect(Array.from(order, (i) => x[i])).toEqual(sorted);
        }
      }),
    );
  });
});

describe('batch tab', () => {
  const x = Array.from({ length: 30 }, (_, i) => i * 0.3);
  const ys = [0, 1, 2].map((c) => x.map((v, i) => (1 + c) * Math.exp(-((v - 4 - c) ** 2) / 2) + 0.01 * Math.sin(3 * i + c)));

  it("writes fitBatch's popt, perr and status, read back exactly whatever the names and messages hold", async () => {
    const r = await fitBatch(models.gaussian(), { x, y: ys }, { p0: 'auto' });
    const statusName = Object.fromEntries(Object.entries(STATUS_CODE).map(([name, code]) => [code, name]));
    const text = fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', ' ', 'é') });
    await fc.assert(
      fc.asyncProperty(fc.tuple(text, text, text), fc.tuple(text, text, text), async (names, messages) => {
        const b = { names, paramNames: [...r.paramNames], popt: r.popt, perr: r.perr, status: Array.from(r.status, (s) => statusName[s]), messages };
        const rows = parseCsv(batchCSV(b));
        expect(rows[0]).toEqual(['name', 'status', 'success', 'a', 'a_stderr', 'mu', 'mu_stderr', 'sigma', 'sigma_stderr', 'message']);
        expect(rows).toHaveLength(4);
        rows.slice(1).forEach((row, i) => {
          expect(row[0]).toBe(names[i]);
          expect(row[1]).toBe(statusName[r.status[i]!]);
          expect(row[2]).toBe(String(r.success(i)));
          expect([3, 5, 7].map((c) => Number(row[c]))).toEqual(Array.from(r.params(i)));
          expect([4, 6, 8].map((c) => Number(row[c]))).toEqual(Array.from(r.perr.subarray(3 * i, 3 * i + 3)));
          expect(row[9]).toBe(messages[i]);
        });
      }),
      { numRuns: 50 },
    );
  });

  it('matches columns by a pattern: * any run, ? one character, the rest literally', () => {
    const names = ['x', 'y1', 'y2', 'y10', 'sigma', 'y.1', 'a+b'];
    expect(matchColumns(names, 'y*')).toEqual(['y1', 'y2', 'y10', 'y.1']);
    expect(matchColumns(names, 'y?')).toEqual(['y1', 'y2']);
    expect(matchColumns(names, 'y.1')).toEqual(['y.1']);
    expect(matchColumns(names, 'a+b')).toEqual(['a+b']);
    expect(matchColumns(names, '*')).toEqual(names);
  });
});
