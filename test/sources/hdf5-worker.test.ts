/**
 * hdf5Source inside a Web Worker: the Blob is mounted with Emscripten's WORKERFS and read by
 * slices through FileReaderSync. Node has neither, so this file (its own module graph: h5wasm's
 * browser build is first loaded here) defines a `WorkerGlobalScope` and a `FileReaderSync` that
 * reads the slices of a test blob synchronously, before h5wasm loads.
 */
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hdf5Source } from '../../src/sources/hdf5-source.ts';
import { columnarData, readColumns } from '../support/columnar-files.ts';

const SYNC = Symbol('bytes');
const reads: number[] = [];
const g = globalThis as { FileReaderSync?: unknown; WorkerGlobalScope?: unknown };
const d = columnarData(3000, 3);
const dir = mkdtempSync(join(tmpdir(), 'nlsq-hdf5w-'));
const path = join(dir, 'worker.h5');

beforeAll(async () => {
  const h5 = await import('h5wasm/node');
  await h5.ready;
  const f = new h5.File(path, 'w');
  f.create_dataset({ name: 't', data: d.t, chunks: [500] });
  f.create_dataset({ name: 'signal', data: d.y, chunks: [500] });
  f.close();
  g.WorkerGlobalScope = class {};
  g.FileReaderSync = class {
    readAsArrayBuffer(b: Record<symbol, Uint8Array>): ArrayBuffer {
      reads.push(b[SYNC]!.length);
      return b[SYNC]!.slice().buffer;
    }
  };
});
afterAll(() => {
  delete g.WorkerGlobalScope;
  delete g.FileReaderSync;
  rmSync(dir, { recursive: true, force: true });
});

/** A blob whose slices the FileReaderSync stand-in reads synchronously, as a worker's does. */
function sliceable(u: Uint8Array): Blob {
  return { size: u.length, [SYNC]: u, name: 'worker.h5', slice: (a = 0, b = u.length) => sliceable(u.subarray(a, b)), arrayBuffer: async () => u.slice().buffer } as unknown as Blob;
}

describe('hdf5Source in a worker', () => {
  it('mounts the Blob with WORKERFS and reads it by slices, never whole', async () => {
    const bytes = new Uint8Array(readFileSync(path));
    const source = hdf5Source(sliceable(bytes), { x: '/t', y: '/signal', chunkRows: 1000 });
    const r = await readColumns(source);
    expect(r.y).toEqual(Array.from(d.y));
    expect(r.chunks).toBe(3);
    expect(reads.length).toBeGreaterThan(3);
    expect(Math.max(...reads)).toBeLessThan(bytes.length / 2);
    expect((await readColumns(source)).x[0]).toEqual(Array.from(d.t)); // unmounted and mounted again
  });
});
