/**
 * Memoised lazy loading.
 *
 * @module
 */

/**
 * Wrap an asynchronous loader (typically a dynamic `import()`) so it runs once: every call returns
 * the first call's promise, except after a rejection, when the next call tries again. A dynamic
 * `import()` of an already-loaded module still resolves the specifier and waits a turn of the
 * event loop each time (about 0.3 ms per call under a TypeScript loader hook such as tsx); the
 * fits that import their backend and kernel modules lazily pay that once instead of per fit.
 *
 * @param load - the loader.
 * @returns a function returning the (shared) promise of the loaded value.
 * @example
 * ```ts
 * const wasmModule = lazy(() => import('./backends/wasm/wasm-backend.ts'));
 * const { createWasmBackend } = await wasmModule();
 * ```
 */
export function lazy<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    if (pending === undefined) {
      const started = load();
      pending = started;
      started.catch(() => {
        if (pending === started) pending = undefined;
      });
    }
    return pending;
  };
}
