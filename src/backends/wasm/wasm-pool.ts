/**
 * Idle wasm backends kept for the next fit that asks for one by name or automatically.
 *
 * A fresh wasm backend starts with fresh linear memory, and on a real machine the first touch of
 * every new page is a page fault: copying a fit's data into new memory costs several times what
 * copying it into memory the process already touched costs (measured here: ~6 ms vs ~1.2 ms per
 * 8 MB). So a fit that resolved its backend by name hands it back when it is done, and the next
 * such fit takes it instead of instantiating another.
 *
 * Isolation is kept: a backend is in the pool only while no fit holds it (taking removes it), and
 * it is accepted back only when it is idle — every workspace, model kernel and resident copy
 * released — so the next fit sees it exactly as a fresh one. At most one backend per build is
 * kept, and only while its memory is at most {@link POOL_MEMORY_LIMIT}: wasm memory never shrinks,
 * so an instance grown by a large fit is dropped (garbage-collected) rather than held.
 * Backends passed in by the caller are never pooled.
 *
 * @module
 */
import type { WasmBackend } from './wasm-backend.ts';

/** The most memory (bytes) an idle backend may hold to be kept: 64 MiB. */
export const POOL_MEMORY_LIMIT = 64 * 2 ** 20;

/** One idle backend per build (key: SIMD or not). */
const idle = new Map<boolean, WasmBackend>();

/** What the pool has done since the process started (see {@link wasmPoolStats}). */
export interface WasmPoolStats {
  /** Takes that found an idle backend and handed it out. */
  readonly reused: number;
  /** Takes that found none (the caller instantiates a new backend). */
  readonly missed: number;
  /** Backends handed back and kept. */
  readonly kept: number;
  /** Backends handed back and dropped: one of their build was already kept, or not idle within the limit. */
  readonly dropped: number;
}

const stats = { reused: 0, missed: 0, kept: 0, dropped: 0 };

/**
 * The pool's counters, a copy. Read-only introspection for tests (`test/run/lifecycle.test.ts`
 * proves with it that fits hand their instances back and take them again); not public API.
 * @internal
 */
export function wasmPoolStats(): WasmPoolStats {
  return { ...stats };
}

/**
 * The idle backend of a build without taking it (it stays in the pool), for tests that check
 * which instance the next fit will get and that it is idle. Not public API.
 * @param simd - the SIMD build (true) or the scalar one.
 * @internal
 */
export function peekIdleWasmBackend(simd: boolean): WasmBackend | undefined {
  return idle.get(simd);
}

/**
 * Take the idle backend of a build, if any (it leaves the pool).
 * @param simd - the SIMD build (true) or the scalar one.
 */
export function takeIdleWasmBackend(simd: boolean): WasmBackend | undefined {
  const backend = idle.get(simd);
  idle.delete(simd);
  if (backend === undefined) stats.missed++;
  else stats.reused++;
  return backend;
}

/**
 * Hand a backend back after a fit: kept when the pool has none of its build and it is idle
 * within {@link POOL_MEMORY_LIMIT}, else dropped.
 * @param backend - a backend this module's caller created or took from the pool.
 * @returns whether it was kept.
 */
export function returnWasmBackend(backend: WasmBackend): boolean {
  const simd = backend.info.name === 'wasm-simd';
  if (idle.has(simd) || !backend.isIdle(POOL_MEMORY_LIMIT)) {
    stats.dropped++;
    return false;
  }
  idle.set(simd, backend);
  stats.kept++;
  return true;
}
