import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { AbortError, DataSourceError, NlsqTypeError } from '../../src/errors.ts';
import {
  ChunkNormalizer,
  type SourceChunk,
  arraySource,
  classifySource,
  readPass,
} from '../../src/sources/data-source.ts';

async function collect(source: Parameters<typeof classifySource>[0], k = 1): Promise<{ n: number; ys: number[] }> {
  const ps = await classifySource(source);
  const ys: number[] = [];
  const n = await readPass(await ps.open(), new ChunkNormalizer(k), (c) => {
    ys.push(...c.data.y);
  });
  return { n, ys };
}

describe('classifySource', () => {
  it('treats arrays of chunks and objects with [Symbol.asyncIterator] as re-readable', async () => {
    const chunks: SourceChunk[] = [{ x: [1, 2], y: [3, 4] }];
    expect((await classifySource(chunks)).rereadable).toBe(true);
    const asyncIterable = {
      async *[Symbol.asyncIterator]() {
        yield* chunks;
      },
    };
    const ps = await classifySource(asyncIterable);
    expect(ps.rereadable).toBe(true);
    expect((await collect(asyncIterable)).ys).toEqual([3, 4]);
    expect((await collect(asyncIterable)).ys).toEqual([3, 4]);
  });

  it('treats a generator object as one-pass and refuses a second pass', async () => {
    async function* gen() {
      yield { x: [1], y: [2] };
    }
    const ps = await classifySource(gen());
    expect(ps.rereadable).toBe(false);
    await ps.open();
    await expect(ps.open()).rejects.toThrow(DataSourceError);
  });

  it('treats a function returning fresh iterables as re-readable, calling it once per pass', async () => {
    let calls = 0;
    const fn = () => {
      const c = ++calls;
      return (async function* () {
        yield { x: [c], y: [c] };
      })();
    };
    const ps = await classifySource(fn);
    expect(ps.rereadable).toBe(true);
    const ys: number[] = [];
    const norm = new ChunkNormalizer(1);
    await readPass(await ps.open(), norm, (c) => void ys.push(c.data.y[0]!));
    await readPass(await ps.open(), norm, (c) => void ys.push(c.data.y[0]!));
    expect(ys).toEqual([1, 3]); // the probe call (2) is closed unread
  });

  it('treats a function returning the same iterator twice as one-pass', async () => {
    const it1 = (async function* () {
      yield { x: [1], y: [1] };
    })();
    expect((await classifySource(() => it1)).rereadable).toBe(false);
  });

  it('rejects a value that is neither an iterable nor a function', async () => {
    await expect(classifySource(42 as never)).rejects.toThrow(NlsqTypeError);
    await expect(classifySource(42 as never)).rejects.toThrow(/source must be an \(async\) iterable/);
  });
});

describe('arraySource', () => {
  it('serves Float64Array columns as views on the same buffer (no copies)', () => {
    const x = new Float64Array([0, 1, 2, 3, 4]);
    const y = new Float64Array([5, 6, 7, 8, 9]);
    const chunks = [...arraySource({ x, y }, 2)];
    expect(chunks.map((c) => (c.y as Float64Array).length)).toEqual([2, 2, 1]);
    for (const c of chunks) {
      expect((c.x as Float64Array).buffer).toBe(x.buffer);
      expect((c.y as Float64Array).buffer).toBe(y.buffer);
    }
  });

  it('keeps k columns as k columns', () => {
    const chunks = [...arraySource({ x: [[1, 2, 3], [4, 5, 6]], y: [7, 8, 9], sigma: [1, 1, 1] }, 2)];
    expect((chunks[1]!.x as Float64Array[]).map((c) => Array.from(c))).toEqual([[3], [6]]);
    expect(Array.from(chunks[1]!.sigma as Float64Array)).toEqual([1]);
  });

  it('rejects a chunk size that is not a positive integer', () => {
    expect(() => arraySource({ x: [1], y: [1] }, 0)).toThrow(/arraySource: chunkSize must be a positive integer, got 0/);
  });

  test.prop([fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 70 })], { numRuns: 40 })(
    'a pass over an array source visits every point once, in order, for any chunk size',
    async (n, chunk) => {
      const y = Float64Array.from({ length: n }, (_, i) => i * 1.5);
      const { n: read, ys } = await collect(arraySource({ x: y, y }, chunk));
      expect(read).toBe(n);
      expect(ys).toEqual(Array.from(y));
    },
  );
});

describe('ChunkNormalizer', () => {
  const norm = new ChunkNormalizer(1, 'fit');
  const ones = (n: number) => new Array<number>(n).fill(1);

  it('names the chunk and index of a NaN', () => {
    const y = ones(20);
    y[17] = NaN;
    expect(() => norm.normalize({ x: ones(20), y }, 3)).toThrow('fit: source chunk 3 has NaN in y at index 17');
  });

  it('names infinite values and the x column', () => {
    const x = ones(5);
    x[2] = -Infinity;
    expect(() => norm.normalize({ x, y: ones(5) }, 0)).toThrow('fit: source chunk 0 has -Infinity in x at index 2');
  });

  test.prop([fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 300 }), fc.nat(), fc.constantFrom(NaN, Infinity, -Infinity), fc.boolean()])(
    'names the first non-finite value wherever it is, in y or x, and passes finite values of any size',
    (values, at, bad, inX) => {
      const n2 = new ChunkNormalizer(2, 'fit');
      const good = Float64Array.from(values);
      const other = Float64Array.from(values, (v) => -v);
      const c = n2.normalize({ x: [other, good], y: good }, 1); // huge values: Σ|v| overflows, no error
      expect(c.n).toBe(values.length);
      const i = at % values.length;
      const broken = good.slice();
      broken[i] = bad;
      if (i + 1 < values.length) broken[values.length - 1] = NaN; // a later one is not the one named
      const what = Number.isNaN(bad) ? 'NaN' : String(bad);
      const chunk = inX ? { x: [other, broken], y: good } : { x: [other, good], y: broken };
      expect(() => n2.normalize(chunk, 2)).toThrow(`fit: source chunk 2 has ${what} in ${inX ? 'x[1]' : 'y'} at index ${i}`);
    },
  );

  it('sums each column with its validation: Σv and Σ|v| per column (y, x, w), unit weights as n', () => {
    const c = norm.normalize({ x: [1, -2, 3], y: [-1, 0.5, 2] }, 0);
    expect(Array.from(c.sums)).toEqual([1.5, 3.5, 2, 6, 3, 3]);
    const w = norm.normalize({ x: [1, 2], y: [1, 1], sigma: [0.5, 0.25] }, 0);
    expect(Array.from(w.sums.subarray(4))).toEqual([6, 6]);
  });

  it('rejects mismatched lengths of x, y and sigma within a chunk', () => {
    expect(() => norm.normalize({ x: ones(4), y: ones(5) }, 1)).toThrow('fit: source chunk 1: x must have length 5 (one per y value), got 4');
    expect(() => norm.normalize({ x: ones(5), y: ones(5), sigma: ones(3) }, 2)).toThrow(
      'fit: source chunk 2: sigma must have length 5 (one per y value), got 3',
    );
  });

  it('rejects k columns of different lengths and the wrong number of columns', () => {
    const n2 = new ChunkNormalizer(2, 'fit');
    expect(() => n2.normalize({ x: [ones(3), ones(2)], y: ones(3) }, 4)).toThrow('fit: source chunk 4: x[1] must have length 3 (one per y value), got 2');
    expect(() => n2.normalize({ x: ones(3), y: ones(3) }, 0)).toThrow('fit: source chunk 0: x must have 2 columns (one per model variable), got 1');
  });

  it('rejects sigma that is zero, negative or NaN', () => {
    expect(() => norm.normalize({ x: ones(3), y: ones(3), sigma: [1, 0, 1] }, 0)).toThrow(/chunk 0 has an invalid sigma 0 .* at index 1/);
    expect(() => norm.normalize({ x: ones(3), y: ones(3), sigma: [1, 1, NaN] }, 0)).toThrow('fit: source chunk 0 has NaN in sigma at index 2');
  });

  it('rejects non-numeric entries and missing columns', () => {
    expect(() => norm.normalize({ x: ['a', 1] as never, y: ones(2) }, 0)).toThrow(/chunk 0: x must hold numbers, got "a" at index 0/);
    expect(() => norm.normalize({ x: ones(2) } as never, 5)).toThrow(/chunk 5: y must be a number array or Float64Array, got undefined/);
    expect(() => norm.normalize(null as never, 6)).toThrow(/chunk 6 must be an object/);
  });

  it('turns sigma into weights 1/σ', () => {
    const c = norm.normalize({ x: [1, 2], y: [3, 4], sigma: [2, 4] }, 0);
    expect(Array.from(c.data.w!)).toEqual([0.5, 0.25]);
    expect(c.n).toBe(2);
  });
});

describe('readPass', () => {
  it('wraps an error thrown mid-pass in a DataSourceError naming the chunk, with the cause', async () => {
    const boom = new Error('disk on fire');
    async function* gen() {
      yield { x: [1], y: [1] };
      yield { x: [1], y: [1] };
      throw boom;
    }
    const err = await readPass(gen(), new ChunkNormalizer(1), () => {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataSourceError);
    expect((err as Error).message).toBe('fit: source threw while reading chunk 2: disk on fire');
    expect((err as Error).cause).toBe(boom);
  });

  it('closes the source iterator when the visitor ends the pass early or throws', async () => {
    let closed = 0;
    const make = () =>
      (async function* () {
        try {
          for (let i = 0; ; i++) yield { x: [i], y: [i] };
        } finally {
          closed++;
        }
      })();
    const n = await readPass(make(), new ChunkNormalizer(1), (c) => c.index < 4);
    expect(n).toBe(5);
    await expect(
      readPass(make(), new ChunkNormalizer(1), () => {
        throw new Error('visitor');
      }),
    ).rejects.toThrow('visitor');
    expect(closed).toBe(2);
  });

  it('skips empty chunks but counts them in chunk numbers', async () => {
    const chunks = [{ x: [], y: [] }, { x: [1], y: [NaN] }];
    await expect(readPass(chunks[Symbol.iterator](), new ChunkNormalizer(1), () => {})).rejects.toThrow('fit: source chunk 1 has NaN in y at index 0');
  });

  it('stops with an AbortError between chunks when the signal aborts', async () => {
    const ac = new AbortController();
    const chunks = [{ x: [1], y: [1] }, { x: [2], y: [2] }];
    const err = await readPass(chunks[Symbol.iterator](), new ChunkNormalizer(1), () => ac.abort('user'), ac.signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortError);
    expect((err as Error).cause).toBe('user');
  });
});

describe('readPass and a stalled source', () => {
  it('ends with an AbortError as soon as the signal aborts, even while the source never yields', async () => {
    let closed = false;
    const stalled: AsyncIterator<SourceChunk> = {
      next: () => new Promise<IteratorResult<SourceChunk>>(() => {}),
      return: async () => {
        closed = true;
        return { done: true, value: undefined };
      },
    };
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('user cancelled')), 20);
    const err = await readPass(stalled, new ChunkNormalizer(1), () => {}, controller.signal, 'fit').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortError);
    expect((err as AbortError).message).toBe("fit: the fit was aborted by its AbortSignal");
    expect(((err as AbortError).cause as Error).message).toBe('user cancelled');
    expect(closed).toBe(true);
  });
});
