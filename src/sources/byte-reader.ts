/**
 * Random-access bytes: the one primitive the columnar readers (Parquet, Arrow IPC) need from a
 * file — its size and the bytes of a range, read on demand — so that a reader fetches a footer,
 * a row group or a record batch without ever holding the whole file.
 *
 * Two isomorphic implementations live here: over a `Blob`/`File` (`blob.slice(a, b).arrayBuffer()`,
 * which browsers and Node serve from disk for a `File`), and over bytes already in memory (views,
 * no copies). `nlsq/node` adds one over a file handle (`src/node/file-bytes.ts`).
 *
 * @module
 */
import { DataSourceError, NlsqTypeError, describeValue } from '../errors.ts';

/** A file read by byte ranges. */
export interface RandomAccessBytes {
  /** How the file is named in messages (a path, a `File`'s name, or `"<blob>"`). */
  readonly name: string;
  /** Size in bytes. */
  readonly size: number;
  /**
   * The bytes [position, position + length) — fewer at the end of the file.
   *
   * @param position - first byte (0-based).
   * @param length - number of bytes wanted.
   */
  read(position: number, length: number): Promise<Uint8Array>;
  /** Release what the reader holds open (a file handle); idempotent. */
  close(): Promise<void>;
}

/** Something that opens a fresh {@link RandomAccessBytes} for each pass. */
export type BytesOpener = () => Promise<RandomAccessBytes>;

/** True for a `Blob` or `File` (anything with `size`, `slice` and `arrayBuffer`). */
export function isBlob(v: unknown): v is Blob {
  return typeof v === 'object' && v !== null && typeof (v as Blob).slice === 'function' && typeof (v as Blob).size === 'number' && typeof (v as Blob).arrayBuffer === 'function';
}

/** The name of a `File` in messages, or `"<blob>"` for a plain `Blob`. */
export function blobName(blob: Blob): string {
  const name = (blob as Partial<File>).name;
  return typeof name === 'string' && name.length > 0 ? name : '<blob>';
}

/**
 * Random access over a `Blob`/`File`: each read slices the blob and reads the slice.
 *
 * @param blob - the file.
 * @param caller - function name for messages.
 * @returns the reader (nothing to close).
 */
export function blobBytes(blob: Blob, caller: string): RandomAccessBytes {
  const name = blobName(blob);
  return {
    name,
    size: blob.size,
    async read(position, length) {
      const end = Math.min(blob.size, position + length);
      if (end <= position) return new Uint8Array(0);
      try {
        return new Uint8Array(await blob.slice(position, end).arrayBuffer());
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        throw new DataSourceError(`${caller}: cannot read bytes ${position}–${end - 1} of ${JSON.stringify(name)}: ${msg}`, { cause: e });
      }
    },
    close: async () => {},
  };
}

/**
 * Random access over bytes in memory: reads are `subarray` views (no copies).
 *
 * @param bytes - the file's bytes.
 * @param name - how the bytes are named in messages.
 * @returns the reader (nothing to close).
 */
export function memoryBytes(bytes: Uint8Array, name = '<bytes>'): RandomAccessBytes {
  return {
    name,
    size: bytes.byteLength,
    read: async (position, length) => bytes.subarray(Math.min(position, bytes.byteLength), Math.min(bytes.byteLength, position + length)),
    close: async () => {},
  };
}

/**
 * An opener for a `Blob`/`File` or bytes in memory (`Uint8Array`, `ArrayBuffer`).
 *
 * @param input - the caller's file.
 * @param caller - function name for messages.
 * @param argument - the argument's name for messages.
 * @returns a function giving a reader per pass.
 * @throws NlsqTypeError for anything else.
 */
export function bytesOpener(input: unknown, caller: string, argument: string): BytesOpener {
  if (isBlob(input)) return async () => blobBytes(input, caller);
  if (input instanceof Uint8Array) return async () => memoryBytes(input);
  if (input instanceof ArrayBuffer) return async () => memoryBytes(new Uint8Array(input));
  throw new NlsqTypeError(`${caller}: ${argument} must be a Blob, File, Uint8Array or ArrayBuffer, got ${describeValue(input)}`, argument);
}
