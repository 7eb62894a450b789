/**
 * Recognizing software WebGPU adapters (SwiftShader, llvmpipe, lavapipe, WARP, …).
 *
 * A software adapter runs compute shaders on the CPU, far slower than the CPU backends: it is
 * useful for correctness tests only and must never be chosen automatically.
 *
 * @module
 */

/** The adapter-info fields this module reads (a subset of `GPUAdapterInfo`). */
export interface AdapterInfoLike {
  /** Vendor name or id (e.g. `'nvidia'`, `'google'`). */
  readonly vendor?: string;
  /** Architecture (e.g. `'ampere'`, `'swiftshader'`). */
  readonly architecture?: string;
  /** Device name or id. */
  readonly device?: string;
  /** Human-readable driver description. */
  readonly description?: string;
  /** True for a fallback (software) adapter, where the runtime reports it. */
  readonly isFallbackAdapter?: boolean;
}

/** Substrings (lower case) that name a CPU implementation of WebGPU or of its native API. */
const SOFTWARE_MARKERS: readonly string[] = [
  'swiftshader',
  'llvmpipe',
  'lavapipe',
  'softpipe',
  'warp',
  'microsoft basic render',
  'software',
];

/**
 * True when the adapter is a software (CPU-emulated) device: `isFallbackAdapter` is set, or its
 * vendor / architecture / device / description names a known software rasterizer.
 *
 * @param info - the adapter's `info` (or `device.adapterInfo`).
 * @returns whether the adapter is software.
 * @example
 * ```ts
 * isSoftwareAdapter({ device: 'llvmpipe-llvm-15-0-6-256-bits-' }); // true
 * ```
 */
export function isSoftwareAdapter(info: AdapterInfoLike | undefined | null): boolean {
  if (info === undefined || info === null) return false;
  if (info.isFallbackAdapter === true) return true;
  const text = [info.vendor, info.architecture, info.device, info.description]
    .filter((s): s is string => typeof s === 'string')
    .join(' ')
    .toLowerCase();
  return SOFTWARE_MARKERS.some((m) => text.includes(m));
}

/**
 * One line describing an adapter, e.g. `llvmpipe-llvm-15 (OpenGL ES 3.2 Mesa 22.3.6)`.
 *
 * @param info - the adapter info.
 */
export function describeAdapter(info: AdapterInfoLike | undefined | null): string {
  if (info === undefined || info === null) return 'unknown adapter';
  const name = [info.vendor, info.architecture, info.device].filter((s) => typeof s === 'string' && s !== '').join(' ');
  const desc = info.description !== undefined && info.description !== '' ? ` (${info.description})` : '';
  return (name === '' ? 'unnamed adapter' : name) + desc;
}
