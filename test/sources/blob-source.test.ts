import { describe, expect, it } from 'vitest';
import { NlsqTypeError } from '../../src/errors.ts';
import { blobSource } from '../../src/sources/blob-source.ts';
import { arraySource } from '../../src/sources/data-source.ts';
import { streamingFit } from '../../src/streaming/streaming-fit.ts';
import { cpu, expData, expKernel, maxRelDiff, trfOptions } from '../support/streaming-helpers.ts';

async function ys(source: AsyncIterable<{ y: ArrayLike<number> }>): Promise<number[]> {
  const out: number[] = [];
  for await (const c of source) out.push(...Array.from(c.y));
  return out;
}

describe('blobSource', () => {
  it('streams a CSV Blob, re-readably (each iteration streams the blob again)', async () => {
    const blob = new Blob(['x,y\n', '1,2\n3,', '4\n5,6\n']);
    const source = blobSource(blob, { format: 'csv', x: 'x', y: 'y', chunkRows: 2 });
    expect(await ys(source)).toEqual([2, 4, 6]);
    expect(await ys(source)).toEqual([2, 4, 6]);
  });

  it('streams raw little-endian Float64 records from a Blob', async () => {
    const bytes = new Uint8Array(6 * 8);
    const view = new DataView(bytes.buffer);
    [1, 10, 0.5, 2, 20, 0.25].forEach((v, i) => view.setFloat64(8 * i, v, true));
    const chunks = [];
    for await (const c of blobSource(new Blob([bytes]), { format: 'float64', sigma: true })) chunks.push(c);
    expect(Array.from(chunks[0]!.x as Float64Array)).toEqual([1, 2]);
    expect(Array.from(chunks[0]!.sigma as Float64Array)).toEqual([0.5, 0.25]);
  });

  it('fits a Blob exactly like the same data in memory', async () => {
    const d = expData(3000, 9);
    const csv = ['t,v,s', ...Array.from(d.y, (y, i) => `${d.x[i]},${y},${d.sigma[i]}`)].join('\n');
    const common = { kernel: expKernel(), backend: cpu(), solver: trfOptions([1, 1, 0], 1e-12), loss: null, scheme: { kind: 'analytic' } as const, warmup: false as const };
    const fromBlob = await streamingFit({ ...common, source: blobSource(new Blob([csv]), { format: 'csv', x: 't', y: 'v', sigma: 's', chunkRows: 333 }) });
    const inMemory = await streamingFit({ ...common, source: arraySource(d, 1000) });
    expect(maxRelDiff(fromBlob.outcome.x, inMemory.outcome.x)).toBeLessThan(1e-12);
    expect(fromBlob.m).toBe(3000);
  });

  it('rejects what is not a Blob and unknown formats', () => {
    expect(() => blobSource('data.csv' as never, { format: 'csv', x: 0, y: 1 })).toThrow('blobSource: blob must be a Blob or File, got "data.csv"');
    expect(() => blobSource(new Blob([]), { format: 'json' } as never)).toThrow(NlsqTypeError);
  });
});
