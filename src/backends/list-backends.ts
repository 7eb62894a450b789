/**
 * The backend catalogue: which backends exist, how each one is loaded, and whether it is usable
 * in this runtime — `listBackends()` and the loaders the registry uses.
 *
 * Loading is lazy: the WebAssembly and WebGPU backends are reached through `await import(...)`,
 * so a CPU-only user never loads wasm bytes or WGSL. A module that fails to import (it is missing
 * from a custom bundle, or a runtime cannot evaluate it) makes that backend *unavailable* with the
 * import error as the reason; nothing here throws for an unavailable backend.
 *
 * Every load returns an instance no other holder has (the CPU backend owns a scratch buffer; a
 * wasm instance owns its linear memory — a new one, or an idle one from `wasm/wasm-pool.ts`; a
 * WebGPU backend owns a device), so two concurrent fits never share one, and a `release` that
 * hands it back (pooled, or destroyed). The only state kept here is the count of instances handed
 * out and not yet released ({@link outstandingBackendLoads}). Whatever caching of compiled code
 * exists (a compiled `WebAssembly.Module`, a pipeline cache) lives inside the backend modules.
 *
 * @module
 */
import type { Backend, BackendInfo } from './backend.ts';
import { createCpuBackend } from './cpu/cpu-backend.ts';
import { wasmBackendModule, wasmModelKernelModule, wasmPoolModule, webgpuBackendModule } from './backend-factories.ts';

/** Concrete backend names, in the order {@link listBackends} reports them. */
export type BackendName = 'cpu' | 'wasm-simd' | 'wasm-scalar' | 'webgpu';

/**
 * Names a caller may give as `backend`: the concrete names plus `'wasm'`, which means
 * `'wasm-simd'` where the runtime supports WebAssembly SIMD and `'wasm-scalar'` otherwise.
 */
export type BackendRequestName = BackendName | 'wasm';

/** Every concrete backend name. */
export const BACKEND_NAMES: readonly BackendName[] = Object.freeze(['cpu', 'wasm-simd', 'wasm-scalar', 'webgpu']);

/** Every name accepted as `backend` (concrete names and the `'wasm'` alias). */
export const BACKEND_REQUEST_NAMES: readonly BackendRequestName[] = Object.freeze([
  'cpu',
  'wasm',
  'wasm-simd',
  'wasm-scalar',
  'webgpu',
]);

/** Whether one backend can be used here, and why (or why not). */
export interface BackendStatus {
  /** Concrete backend name. */
  readonly name: BackendName;
  /** True when the backend loaded and initialised in this runtime. */
  readonly available: boolean;
  /** One sentence: why it is usable, or why it is not. */
  readonly reason: string;
  /** The backend's capabilities, when it loaded. */
  readonly info?: BackendInfo;
}

/** The outcome of trying to load one backend: a fresh instance, or the reason it is unavailable. */
export type BackendLoad =
  | {
      /** The backend loaded. */
      readonly ok: true;
      /** The fresh instance. */
      readonly backend: Backend;
      /** One sentence: why it is usable. */
      readonly reason: string;
      /**
       * Hand the instance back when done with it: a wasm instance returns to its pool
       * (`wasm/wasm-pool.ts`), a WebGPU device is destroyed. Every load the loaders return has
       * one; calling it again does nothing.
       */
      readonly release?: () => void;
    }
  | {
      /** The backend is unavailable here. */
      readonly ok: false;
      /** One sentence: why it is unavailable. */
      readonly reason: string;
    };

/** True when `name` is a name accepted as `backend`. */
export function isBackendRequestName(name: unknown): name is BackendRequestName {
  return typeof name === 'string' && (BACKEND_REQUEST_NAMES as readonly string[]).includes(name);
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

function unavailable(reason: string): BackendLoad {
  return { ok: false, reason };
}

/** Backends handed out by a load and not yet released (see {@link outstandingBackendLoads}). */
let outstanding = 0;

/**
 * A successful load whose `release` runs `free` once and is counted: a second call does
 * nothing, so a stray release cannot pool an instance another fit has taken since.
 */
function handedOut(backend: Backend, reason: string, free: () => void): BackendLoad {
  outstanding++;
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    outstanding--;
    free();
  };
  return { ok: true, backend, reason, release };
}

/**
 * How many backends the loaders ({@link loadBackend}, {@link loadBackendSync}, and through them
 * the registry and {@link listBackends}) have handed out that were not released yet. A run that
 * releases what it acquires leaves this where it found it; tests read it to prove that every
 * path does (`test/run/lifecycle.test.ts`). Read-only introspection, not part of the public API.
 * @internal
 */
export function outstandingBackendLoads(): number {
  return outstanding;
}

/** The CPU backend: always available; releasing it frees nothing beyond the count. */
function loadCpu(): BackendLoad {
  const backend = createCpuBackend();
  return handedOut(backend, 'the CPU backend is always available', () => disposeBackend(backend));
}

/**
 * Load the WebAssembly backend in its SIMD or scalar build.
 *
 * Uses `wasmSupport()` (feature detection, cheap) before `createWasmBackend()` so a missing
 * feature is reported as such rather than as an instantiation error.
 */
async function loadWasm(simd: boolean): Promise<BackendLoad> {
  const build = simd ? 'SIMD' : 'scalar';
  if (typeof WebAssembly === 'undefined') return unavailable('WebAssembly is not available in this runtime');
  let mod: typeof import('./wasm/wasm-backend.ts');
  try {
    mod = await wasmBackendModule();
  } catch (error) {
    return unavailable(`the wasm backend module failed to load: ${errorText(error)}`);
  }
  try {
    const support = await mod.wasmSupport();
    const supported = simd ? support.simd : support.scalar;
    if (!supported) {
      const why = support.reason !== undefined ? `: ${support.reason}` : '';
      return unavailable(`this runtime does not support the WebAssembly ${build} build${why}`);
    }
    const [pool] = await Promise.all([wasmPoolModule(), wasmModelKernelModule()]); // the model compiler comes with every wasm backend
    const reused = pool.takeIdleWasmBackend(simd);
    const backend = reused ?? ((await mod.createWasmBackend({ simd })) as InstanceType<typeof mod.WasmBackend>);
    const reason = reused === undefined ? `WebAssembly ${build} build instantiated` : `WebAssembly ${build} build (an idle instance reused)`;
    return handedOut(backend, reason, () => pool.returnWasmBackend(backend));
  } catch (error) {
    return unavailable(`the WebAssembly ${build} build failed to instantiate: ${errorText(error)}`);
  }
}

/** The `navigator.gpu` object, when this runtime exposes WebGPU (browsers, Deno). */
function navigatorGpu(): unknown {
  const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
  return nav?.gpu ?? undefined;
}

/**
 * Load the WebGPU backend on `navigator.gpu`. With `allowSoftware` a software adapter is loaded
 * too (`info.software` says which it is); without it a software adapter is refused after the
 * adapter request, before any device is created — what automatic selection wants.
 */
async function loadWebGPU(allowSoftware: boolean): Promise<BackendLoad> {
  if (navigatorGpu() === undefined) {
    return unavailable(
      'navigator.gpu is absent: this runtime has no WebGPU (in Node, create the backend yourself with ' +
        "createWebGPUBackend({ gpu }) from the optional 'webgpu' package and pass it as backend)",
    );
  }
  let mod: typeof import('./webgpu/webgpu-backend.ts');
  try {
    mod = await webgpuBackendModule();
  } catch (error) {
    return unavailable(`the WebGPU backend module failed to load: ${errorText(error)}`);
  }
  try {
    const backend = await mod.createWebGPUBackend({ allowSoftware });
    const kind = backend.info.software ? 'a software (emulated) adapter' : 'a hardware adapter';
    return handedOut(backend, `WebGPU device created on ${kind}`, () => disposeBackend(backend));
  } catch (error) {
    const text = errorText(error);
    if (!allowSoftware && /software/i.test(text)) {
      return unavailable(`the adapter is a software renderer, never chosen automatically (name 'webgpu' to use it): ${text}`);
    }
    return unavailable(`no usable WebGPU device: ${text}`);
  }
}

/** Options of {@link loadBackend}. */
export interface BackendLoadOptions {
  /** Load WebGPU on a software (emulated) adapter too (default true). */
  readonly allowSoftware?: boolean;
}

/**
 * Load a fresh instance of one concrete backend, asynchronously.
 *
 * @param name - a concrete backend name.
 * @param options - `allowSoftware: false` refuses a software WebGPU adapter before creating a device.
 * @returns the instance, or the reason it is unavailable here (never throws).
 */
export async function loadBackend(name: BackendName, options: BackendLoadOptions = {}): Promise<BackendLoad> {
  switch (name) {
    case 'cpu':
      return loadCpu();
    case 'wasm-simd':
      return loadWasm(true);
    case 'wasm-scalar':
      return loadWasm(false);
    case 'webgpu':
      return loadWebGPU(options.allowSoftware ?? true);
  }
}

/**
 * {@link loadWasm} synchronously: possible once the wasm modules are loaded (by an earlier
 * asynchronous load in this process — `curveFit`, `fit`, `createWasmBackend`, … — since `import()`
 * is asynchronous), and where this thread may compile and instantiate a large module
 * synchronously (Node, Deno, Bun, workers; not a browser's main thread). An idle pooled instance
 * is reused first, as {@link loadWasm} does.
 */
function loadWasmSync(simd: boolean): BackendLoad {
  const name = simd ? 'wasm-simd' : 'wasm-scalar';
  if (typeof WebAssembly === 'undefined') return unavailable('WebAssembly is not available in this runtime');
  const mod = wasmBackendModule.loaded;
  const pool = wasmPoolModule.loaded;
  if (mod === undefined || pool === undefined || wasmModelKernelModule.loaded === undefined) {
    return unavailable(
      `${name} cannot be loaded by a synchronous call before WebAssembly is loaded (import() is asynchronous): an ` +
        'asynchronous call in this process (curveFit, fit, createWasmBackend) loads it; or create the backend first and pass the instance',
    );
  }
  const build = simd ? 'SIMD' : 'scalar';
  const reused = pool.takeIdleWasmBackend(simd);
  try {
    const backend = reused ?? mod.createWasmBackendSync(simd);
    const reason = reused === undefined ? `WebAssembly ${build} build instantiated synchronously` : `WebAssembly ${build} build (an idle instance reused)`;
    return handedOut(backend, reason, () => pool.returnWasmBackend(backend));
  } catch (error) {
    return unavailable(`the WebAssembly ${build} build cannot be instantiated synchronously here: ${errorText(error)}`);
  }
}

/**
 * Load a fresh instance of one concrete backend synchronously: the CPU backend always; a wasm
 * build once the wasm modules are loaded in this process and where synchronous instantiation is
 * allowed ({@link loadWasmSync}); never WebGPU (a device is only ever created asynchronously). A
 * wasm backend created beforehand with `await createWasmBackend()` can always be passed as an
 * instance.
 *
 * @param name - a concrete backend name.
 * @returns the instance, or the reason it cannot be loaded synchronously (never throws).
 */
export function loadBackendSync(name: BackendName): BackendLoad {
  switch (name) {
    case 'cpu':
      return loadCpu();
    case 'wasm-simd':
      return loadWasmSync(true);
    case 'wasm-scalar':
      return loadWasmSync(false);
    case 'webgpu':
      return unavailable('webgpu cannot be loaded by a synchronous call (a WebGPU device is created asynchronously); use the asynchronous API, or create the backend first and pass the instance');
  }
}

/**
 * Let go of a loaded backend that will not be used: hand it back to its pool when it came from
 * one (`release`), else {@link disposeBackend}.
 * @param load - a successful load.
 */
export function releaseLoad(load: BackendLoad & { ok: true }): void {
  if (load.release !== undefined) load.release();
  else disposeBackend(load.backend);
}

/** Release what a probed backend holds, when it offers a way to (WebGPU: its device). */
function disposeBackend(backend: Backend): void {
  const disposable = backend as Backend & { destroy?: () => void; dispose?: () => void };
  try {
    if (typeof disposable.destroy === 'function') disposable.destroy();
    else if (typeof disposable.dispose === 'function') disposable.dispose();
  } catch {
    // Releasing a probe is best effort: a device that is already lost has nothing to free.
  }
}

/**
 * Report every backend and whether it is usable in this runtime, and why.
 *
 * Each backend is loaded (the wasm module instantiated, a WebGPU device requested) to find out,
 * then released: the answer reflects this runtime, not a guess from feature flags. The WebGPU
 * entry is available on a software adapter too; its `info.software` is then true and automatic
 * selection never picks it. Callers that only want candidates for automatic selection pass
 * `{ allowSoftware: false }`: a software adapter is then reported unavailable without creating a
 * device. Never throws.
 *
 * @param options - `allowSoftware` (default true): report a software WebGPU adapter as available.
 * @returns one {@link BackendStatus} per backend: cpu, wasm-simd, wasm-scalar, webgpu, in that order.
 * @example
 * ```ts
 * const table = (await listBackends()).map((b) => [b.name, b.available, b.reason]);
 * // cpu true the CPU backend is always available
 * // wasm-simd true WebAssembly SIMD build instantiated
 * // wasm-scalar true WebAssembly scalar build instantiated
 * // webgpu false navigator.gpu is absent: this runtime has no WebGPU (...)
 * ```
 */
export async function listBackends(options: BackendLoadOptions = {}): Promise<BackendStatus[]> {
  const statuses: BackendStatus[] = [];
  for (const name of BACKEND_NAMES) {
    const load = await loadBackend(name, options);
    if (load.ok) {
      statuses.push({ name, available: true, reason: load.reason, info: load.backend.info });
      releaseLoad(load);
    } else {
      statuses.push({ name, available: false, reason: load.reason });
    }
  }
  return statuses;
}
