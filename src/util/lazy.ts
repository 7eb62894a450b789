/**
 * Memoised lazy loading.
 *
 * @module
 */

/** A memoised loader (see {@link lazy}). */
export interface Lazy<T> {
  /** The (shared) promise of the loaded value; starts the load on the first call. */
  (): Promise<T>;
  /** The value once the load has succeeded, else undefined — for synchronous code paths that use it only when it is there. */
  readonly loaded: T | undefined;
}

/**
 * Wrap an asynchronous loader (typically a dynamic `import()`) so it runs once: every call returns
 * the first call's promise, except after a rejection, when the next call tries again. A dynamic
 * `import()` of an already-loaded module still resolves the specifier and waits a turn of the
 * event loop each time (about 0.3 ms per call under a TypeScript loader hook such as tsx); the
 * fits that import their backend and kernel modules lazily pay that once instead of per fit.
 *
 * @param load - the loader.
 * @returns the memoised loader, with `loaded` set once the value has arrived.
 * @example
 * ```ts
 * const wasmModule = lazy(() => import('../backends/wasm/wasm-backend.ts'));
 * const { createWasmBackend } = await wasmModule();
 * wasmModule.loaded; // the module, from now on
 * ```
 */
export function lazy<T>(load: () => Promise<T>): Lazy<T> {
  let pending: Promise<T> | undefined;
  let value: { readonly v: T } | undefined;
  const get = (): Promise<T> => {
    if (pending === undefined) {
      const started = load();
      pending = started;
      started.then(
        (v) => {
          if (pending === started) value = { v };
        },
        () => {
          if (pending === started) pending = undefined;
        },
      );
    }
    return pending;
  };
  return Object.defineProperty(get, 'loaded', { get: () => value?.v }) as Lazy<T>;
}
