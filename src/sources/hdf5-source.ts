/**
 * HDF5 files as re-readable streaming sources, read with h5wasm (the HDF5 C library compiled to
 * WebAssembly), loaded on first use.
 *
 * Columns are one-dimensional datasets named by path (`'/grp/t'`), all of one length; a pass
 * reads them by hyperslabs of `chunkRows` rows (`Dataset.slice`), so the JavaScript side holds one
 * chunk and HDF5 its own bounded chunk cache. Integer and floating-point datasets are read as
 * float64 (HDF5 has no nulls: NaN values go to the fit's `nanPolicy`). Errors name the file, the
 * dataset and the rows.
 *
 * Where the bytes come from decides the memory: h5wasm's HDF5 reads synchronously from its
 * virtual file system (no Asyncify or JSPI in its build), and a `Blob` can be read synchronously
 * only inside a Web Worker (`FileReaderSync`). So `hdf5Source(blob)`
 *
 * - in a worker, mounts the blob with Emscripten's WORKERFS (`FileReaderSync` reads the slices HDF5
 *   asks for) — bounded memory;
 * - elsewhere (a browser's main thread, Node, Deno, Bun), reads the whole blob once per pass
 *   (`blob.arrayBuffer()`) and hands that buffer to h5wasm's in-memory file system without a
 *   second copy (MEMFS owns it: `canOwn`); HDF5 then reads its hyperslabs from it. Memory holds
 *   the file — one copy, in JavaScript memory, not in the WebAssembly heap — for the pass, and
 *   the buffer is released when the pass ends. No lazy reader can avoid that copy there:
 *   Emscripten's lazy files read by synchronous XHR (URLs, workers only), and nothing else reads
 *   a Blob synchronously. A blob that cannot be copied fails with a DataSourceError saying so and
 *   naming the two bounded ways: `hdf5FileSource(path)` of `nlsq/node` (h5wasm's Node build
 *   reads the real file) and, in a browser, `fit` inside a Web Worker.
 *
 * h5wasm's throwing error handler is switched on when the reader loads (HDF5 errors then throw
 * instead of printing to the console and returning −1); this is process-wide for that h5wasm
 * instance.
 *
 * @module
 */
import { DataSourceError, NlsqTypeError, describeValue } from '../errors.ts';
import { blobName, isBlob } from './byte-reader.ts';
import { type ColumnSelection, type ResolvedColumns, chunkOf, messageOf, resolveColumns, toFloat64 } from './column-options.ts';
import type { SourceChunk } from './data-source.ts';
import { loadOptional } from './optional-package.ts';
import { chunkRowsOption } from './reader-options.ts';

/** Options of the HDF5 sources: dataset paths, and rows per hyperslab. */
export interface Hdf5Options extends ColumnSelection {
  /** Rows per chunk (one hyperslab of each dataset): a positive integer, default 65536. */
  readonly chunkRows?: number | undefined;
}

/** {@link Hdf5Options} checked. */
export interface ResolvedHdf5Options {
  /** Dataset paths. */
  readonly columns: ResolvedColumns;
  /** Rows per chunk. */
  readonly chunkRows: number;
}

/** The h5wasm module (its browser or Node build: the same API). */
export type H5wasm = typeof import('h5wasm');

/** An HDF5 file opened for one pass. */
export interface Hdf5Pass {
  /** The file, open read-only. */
  readonly file: import('h5wasm').File;
  /** The module's Dataset class (to recognise datasets). */
  readonly h5: H5wasm;
  /** How the file is named in messages. */
  readonly name: string;
  /** Close the file and remove what the pass put in the virtual file system. */
  close(): void;
}

const H5T_INTEGER = 0;
const H5T_FLOAT = 1;
const prepared = new WeakSet<object>();
let mounts = 0;

/**
 * Make HDF5 errors throw (once per h5wasm instance) after its module is ready.
 *
 * @param h5 - the loaded h5wasm module.
 * @returns the Emscripten module (with `FS`).
 */
export async function readyH5(h5: H5wasm): Promise<Awaited<H5wasm['ready']>> {
  const module = await h5.ready;
  if (!prepared.has(module)) {
    module.activate_throwing_error_handler();
    prepared.add(module);
  }
  return module;
}

/**
 * The gist of an h5wasm error: the innermost entry of an HDF5 error stack
 * (`#006: …H5Fsuper.c line 388 in H5F__super_read(): file signature not found`), else its first line.
 *
 * @param e - what h5wasm threw.
 * @returns a one-line message.
 */
export function hdf5Message(e: unknown): string {
  const text = messageOf(e);
  const entries = [...text.matchAll(/#\d+: .* in (\w+)\(\): (.*)/g)];
  const last = entries[entries.length - 1];
  return last === undefined ? (text.split('\n')[0] ?? text) : `${last[2]!.trim()} (${last[1]})`;
}

/**
 * Open a file of h5wasm's virtual file system read-only for a pass.
 *
 * @param h5 - the loaded module (its throwing error handler on).
 * @param path - the path in the virtual file system.
 * @param name - how the file is named in messages.
 * @param cleanup - run when the pass closes the file.
 * @param caller - function name for messages.
 * @returns the opened pass.
 * @throws DataSourceError for a missing file or one that is not HDF5 (truncated, corrupt).
 */
export function openHdf5(h5: H5wasm, path: string, name: string, cleanup: () => void, caller: string): Hdf5Pass {
  let file: import('h5wasm').File;
  try {
    file = new h5.File(path, 'r');
  } catch (e) {
    cleanup();
    throw new DataSourceError(`${caller}: cannot open ${JSON.stringify(name)} as an HDF5 file: ${hdf5Message(e)}`, { cause: e });
  }
  if (file.file_id < 0n) {
    cleanup();
    throw new DataSourceError(`${caller}: cannot open ${JSON.stringify(name)} as an HDF5 file: H5Fopen returned an invalid id`);
  }
  return {
    file,
    h5,
    name,
    close() {
      try {
        file.close();
      } finally {
        cleanup();
      }
    },
  };
}

/** The selected datasets, checked: present, numeric, one-dimensional, of one length. */
function datasets(pass: Hdf5Pass, columns: ResolvedColumns, caller: string): { sets: import('h5wasm').Dataset[]; rows: number } {
  const file = JSON.stringify(pass.name);
  let rows = -1;
  let first = '';
  const sets = columns.all.map((path) => {
    let entry: unknown;
    try {
      entry = pass.file.get(path);
    } catch (e) {
      throw new DataSourceError(`${caller}: cannot open dataset ${JSON.stringify(path)} in ${file}: ${hdf5Message(e)}`, { cause: e });
    }
    if (!(entry instanceof pass.h5.Dataset)) {
      throw new DataSourceError(`${caller}: dataset ${JSON.stringify(path)} is not in ${file}${entry ? ` (it is a ${(entry as object).constructor.name.toLowerCase()})` : ''}`);
    }
    const md = entry.metadata;
    if (md.type !== H5T_INTEGER && md.type !== H5T_FLOAT) {
      throw new DataSourceError(`${caller}: dataset ${JSON.stringify(path)} of ${file} has dtype ${JSON.stringify(entry.dtype)}; only integer and floating-point datasets can be read`);
    }
    const shape = entry.shape ?? [];
    if (shape.length !== 1) throw new DataSourceError(`${caller}: dataset ${JSON.stringify(path)} of ${file} must be one-dimensional, got shape [${shape.join(', ')}]`);
    if (rows < 0) {
      rows = shape[0]!;
      first = path;
    } else if (shape[0] !== rows) {
      throw new DataSourceError(`${caller}: datasets of ${file} must have one length: ${JSON.stringify(first)} has ${rows} rows, ${JSON.stringify(path)} has ${shape[0]}`);
    }
    return entry;
  });
  return { sets, rows };
}

/**
 * One pass over an HDF5 file: the selected datasets in hyperslabs of `chunkRows` rows.
 *
 * @param open - opens the file for this pass (closed when the pass ends).
 * @param options - the resolved options.
 * @param caller - function name for messages.
 * @returns an async generator of chunks.
 * @throws DataSourceError for a file that is not HDF5, a missing, non-numeric or
 *   multi-dimensional dataset, datasets of different lengths, and a hyperslab that cannot be read
 *   — naming the file, the dataset and the rows.
 */
export async function* readHdf5(open: () => Promise<Hdf5Pass>, options: ResolvedHdf5Options, caller: string): AsyncGenerator<SourceChunk, void, undefined> {
  const pass = await open();
  try {
    const { sets, rows } = datasets(pass, options.columns, caller);
    const paths = options.columns.all;
    for (let start = 0; start < rows; start += options.chunkRows) {
      const end = Math.min(rows, start + options.chunkRows);
      const out = sets.map((set, j) => {
        const where = `rows ${start}–${end - 1} of dataset ${JSON.stringify(paths[j])} in ${JSON.stringify(pass.name)}`;
        let values: unknown;
        try {
          values = set.slice([[start, end]]);
        } catch (e) {
          throw new DataSourceError(`${caller}: cannot read ${where}: ${hdf5Message(e)}`, { cause: e });
        }
        if (values === null || typeof values !== 'object' || (values as ArrayLike<unknown>).length !== end - start) {
          throw new DataSourceError(`${caller}: cannot read ${where}: got ${describeValue(values)}`);
        }
        return toFloat64(values as ArrayLike<unknown>, `${caller}: dataset ${JSON.stringify(paths[j])} of ${JSON.stringify(pass.name)}`, start);
      });
      yield chunkOf(out, options.columns);
    }
  } finally {
    pass.close();
  }
}

/**
 * Check the HDF5 options.
 *
 * @param options - `{ x, y, sigma?, chunkRows? }`, dataset paths.
 * @param caller - function name for messages.
 * @returns the resolved options.
 * @throws NlsqTypeError / NlsqRangeError for missing, unknown or invalid options.
 */
export function resolveHdf5Options(options: unknown, caller: string): ResolvedHdf5Options {
  const columns = resolveColumns(options, caller, ['chunkRows']);
  return { columns, chunkRows: chunkRowsOption(caller, (options as { chunkRows?: unknown }).chunkRows, columns.all.length) };
}

/** A pass over a Blob: WORKERFS in a worker, else a copy in the in-memory file system. */
async function openBlob(blob: Blob, caller: string): Promise<Hdf5Pass> {
  const h5 = await loadOptional(() => import('h5wasm'), 'h5wasm', caller);
  const { FS } = await readyH5(h5);
  const fs = FS as unknown as {
    mkdir(p: string): void;
    rmdir(p: string): void;
    mount(type: unknown, opts: object, p: string): void;
    unmount(p: string): void;
    writeFile(p: string, data: Uint8Array, opts?: { canOwn?: boolean }): void;
    unlink(p: string): void;
    filesystems: Record<string, unknown>;
  };
  const dir = `/nlsq-hdf5-${++mounts}`;
  const path = `${dir}/file.h5`;
  fs.mkdir(dir);
  // WORKERFS asserts it runs in a worker (Emscripten's test: globalThis.WorkerGlobalScope) and reads with FileReaderSync.
  const g = globalThis as { FileReaderSync?: unknown; WorkerGlobalScope?: unknown };
  const sync = g.WorkerGlobalScope !== undefined && typeof g.FileReaderSync === 'function' && fs.filesystems['WORKERFS'] !== undefined;
  if (sync) {
    fs.mount(fs.filesystems['WORKERFS'], { blobs: [{ name: 'file.h5', data: blob }] }, dir);
    return openHdf5(h5, path, blobName(blob), () => {
      fs.unmount(dir);
      fs.rmdir(dir);
    }, caller);
  }
  try {
    // canOwn: MEMFS keeps this very buffer as the file's contents (no second copy of the file)
    fs.writeFile(path, new Uint8Array(await blob.arrayBuffer()), { canOwn: true });
  } catch (e) {
    fs.rmdir(dir);
    throw new DataSourceError(
      `${caller}: cannot read ${JSON.stringify(blobName(blob))} (${blob.size} bytes) into memory: ${messageOf(e)}. Outside a Web Worker an HDF5 Blob is read whole for each pass (HDF5 reads synchronously, and only a worker can read a Blob synchronously); for bounded memory use hdf5FileSource(path) from nlsq/node, or call fit inside a Web Worker`,
      { cause: e },
    );
  }
  return openHdf5(h5, path, blobName(blob), () => {
    fs.unlink(path);
    fs.rmdir(dir);
  }, caller);
}

/**
 * A re-readable streaming source over an HDF5 `Blob`/`File`: one-dimensional datasets named by
 * path, read by hyperslabs of `chunkRows` rows. Bounded memory inside a Web Worker (WORKERFS);
 * elsewhere each pass holds one copy of the whole file for its duration (see the module notes) —
 * in Node, prefer `hdf5FileSource(path)` from `nlsq/node`; in a browser, fit in a worker.
 *
 * @param file - the HDF5 file: a `Blob` or `File`.
 * @param options - `{ x, y, sigma?, chunkRows? }`: dataset paths (`x` one path or one per model
 *   variable), rows per chunk (default 65536).
 * @returns an async iterable whose every iteration reads the file again.
 * @throws NlsqTypeError / NlsqRangeError (at once) for a bad file argument, missing, unknown or
 *   invalid options; DataSourceError (while iterating) for a missing h5wasm, a file that is not
 *   HDF5, a missing or unreadable dataset.
 * @example
 * ```ts
 * const source = hdf5Source(input.files[0], { x: '/grp/t', y: '/grp/signal' });
 * const result = await fit(model('a*exp(-b*t)+c'), source, { p0: [1, 1, 0] });
 * ```
 */
export function hdf5Source(file: Blob, options: Hdf5Options): AsyncIterable<SourceChunk> {
  const caller = 'hdf5Source';
  if (!isBlob(file)) throw new NlsqTypeError(`${caller}: file must be a Blob or File, got ${describeValue(file)}`, 'file');
  const resolved = resolveHdf5Options(options, caller);
  return { [Symbol.asyncIterator]: () => readHdf5(() => openBlob(file, caller), resolved, caller) };
}
