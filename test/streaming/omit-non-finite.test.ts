import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { validateFitData } from '../../src/options/data.ts';
import { type SourceChunk, ChunkNormalizer, classifySource, readPass } from '../../src/sources/data-source.ts';
import { omitNonFinite, omitNonFiniteRows } from '../../src/streaming/omit-non-finite.ts';

const chunk = (x: unknown, y: unknown, sigma?: unknown): SourceChunk => ({ x, y, sigma }) as SourceChunk;

/** Read one pass; the kept rows of every chunk, concatenated. */
async function readAll(source: Parameters<typeof classifySource>[0], k = 1): Promise<{ x: number[][]; y: number[]; w: number[] }> {
  const passes = await classifySource(source);
  const out = { x: Array.from({ length: k }, () => [] as number[]), y: [] as number[], w: [] as number[] };
  await readPass(await passes.open(), new ChunkNormalizer(k), (c) => {
    for (let j = 0; j < k; j++) out.x[j]!.push(...c.data.x[j]!);
    out.y.push(...c.data.y);
    if (c.data.w) out.w.push(...c.data.w);
  });
  return out;
}

describe('omitNonFiniteRows', () => {
  it('drops the rows with a non-finite x (any column) or y, with their sigma, and counts them', () => {
    const r = omitNonFiniteRows(chunk([[1, 2, NaN, 4, 5], [1, 1, 1, Infinity, 1]], [1, NaN, 3, 4, 5], [0.1, 0.2, 0.3, 0.4, 0.5]));
    expect(r.omitted).toBe(3);
    expect(r.chunk.x).toEqual([Float64Array.from([1, 5]), Float64Array.from([1, 1])]);
    expect(r.chunk.y).toEqual(Float64Array.from([1, 5]));
    expect(r.chunk.sigma).toEqual(Float64Array.from([0.1, 0.5]));
  });

  it('keeps a bad sigma on a kept row (the reader still rejects it), as for resident data', () => {
    const r = omitNonFiniteRows(chunk([1, 2, 3], [1, 2, NaN], [NaN, 1, 1]));
    expect(r.chunk.sigma).toEqual(Float64Array.from([NaN, 1]));
    expect(() => new ChunkNormalizer(1).normalize(r.chunk, 0)).toThrow('fit: source chunk 0 has NaN in sigma at index 0');
  });

  it('returns a clean chunk itself (no copy) and leaves a malformed one to the reader', () => {
    const clean = chunk(new Float64Array([1, 2]), new Float64Array([3, 4]));
    expect(omitNonFiniteRows(clean)).toEqual({ chunk: clean, omitted: 0 });
    for (const m of [chunk([1, 2], ['a', NaN]), chunk([1, NaN, 3], [1, 2]), chunk([1, 2], [NaN, 1], [1]), chunk(null, [NaN]), null as unknown as SourceChunk]) {
      expect(omitNonFiniteRows(m).chunk).toBe(m);
    }
  });

  test.prop([fc.array(fc.tuple(fc.constantFrom(0, 1, 2.5, NaN, Infinity, -Infinity), fc.constantFrom(0, -1, 3, NaN, Infinity)), { minLength: 1, maxLength: 60 })])(
    'keeps exactly the rows validateFitData keeps for resident data',
    (rows) => {
      const x = rows.map((r) => r[0]);
      const y = rows.map((r) => r[1]);
      const r = omitNonFiniteRows(chunk(x, y));
      const kept = rows.filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b));
      expect(r.omitted).toBe(rows.length - kept.length);
      expect(Array.from(r.chunk.y as Float64Array)).toEqual(kept.map((k) => k[1]));
      if (kept.length > 0) {
        const resident = validateFitData('fit', x, y, undefined, undefined, 'omit');
        expect(Array.from(resident.y)).toEqual(Array.from(r.chunk.y as Float64Array));
        expect(Array.from(resident.x[0]!)).toEqual(Array.from(r.chunk.x as Float64Array));
        expect(resident.omitted).toBe(r.omitted);
      }
    },
  );
});

describe('omitNonFinite (the source wrapper)', () => {
  const data: SourceChunk[] = [chunk([1, 2, 3], [1, NaN, 3]), chunk([4, 5], [4, 5]), chunk([NaN, 7], [6, 7], [1, 2])];

  it('keeps the kind of the source: iterable and function re-readable, iterator and same-object function one-pass', async () => {
    function* gen() {
      yield* data;
    }
    const it1 = gen();
    const cases: [Parameters<typeof omitNonFinite>[0], boolean][] = [[data, true], [() => data.slice(), true], [gen(), false], [() => it1, false]];
    for (const [source, rereadable] of cases) {
      const wrapped = omitNonFinite(source);
      const passes = await classifySource(wrapped.source);
      expect(passes.rereadable).toBe(rereadable);
      expect(await readAll(wrapped.source)).toEqual({ x: [[1, 3, 4, 5, 7]], y: [1, 3, 4, 5, 7], w: [0.5] });
    }
  });

  it('counts the rows dropped by the last pass that read the whole source, not by a pass stopped early', async () => {
    const wrapped = omitNonFinite(data);
    expect(wrapped.omitted()).toBe(0);
    const passes = await classifySource(wrapped.source);
    await readPass(await passes.open(), new ChunkNormalizer(1), () => {});
    expect(wrapped.omitted()).toBe(2);
    const partial = omitNonFinite(data);
    await readPass(await (await classifySource(partial.source)).open(), new ChunkNormalizer(1), () => false);
    expect(partial.omitted()).toBe(0);
  });

  it('closes the original pass when a pass is stopped early', async () => {
    let closed = false;
    function* gen() {
      try {
        yield* data;
      } finally {
        closed = true;
      }
    }
    const wrapped = omitNonFinite(() => gen());
    await readPass(await (await classifySource(wrapped.source)).open(), new ChunkNormalizer(1), () => false);
    expect(closed).toBe(true);
  });

  it('leaves what is not a source to the classifier', async () => {
    await expect(classifySource(omitNonFinite(42 as never).source)).rejects.toThrow(/source must be an \(async\) iterable/);
  });
});
