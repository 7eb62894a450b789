/**
 * How much memory this runtime may use: NLSQ's `MemoryEstimator.get_available_memory_gb`,
 * made isomorphic.
 *
 * Probes, first that answers wins (every probe is guarded; the estimator never throws):
 *
 * 1. **Deno**: `Deno.systemMemoryInfo()` (`available`, else `free`). It needs `--allow-sys`;
 *    without it (checked with `Deno.permissions.querySync`, so no prompt appears) Deno skips to
 *    the browser probes and the default.
 * 2. **Node, Bun, Deno's Node compatibility**: `process.getBuiltinModule('node:os')`
 *    (`os.freemem()`, `os.totalmem()`), capped by the cgroup limit when one is readable through
 *    `process.getBuiltinModule('node:fs')`:
 *    v2 `/sys/fs/cgroup/memory.max − memory.current`, v1
 *    `/sys/fs/cgroup/memory/memory.limit_in_bytes − memory.usage_in_bytes`. Nothing here imports
 *    a `node:` module statically, so bundles for the browser stay clean.
 * 3. **Browsers**: `navigator.deviceMemory` (GB of device RAM, rounded down by the browser;
 *    half of it is taken as what one page may use) and Chromium's `performance.memory`
 *    (`jsHeapSizeLimit − usedJSHeapSize`); the smaller of those present.
 * 4. Otherwise {@link DEFAULT_AVAILABLE_GB} (4 GB), a conservative default.
 *
 * All sizes are in GB = 2³⁰ bytes, as NLSQ counts them.
 *
 * @module
 */
import { formatGb } from '../util/format.ts';

/** Bytes in NLSQ's "GB" (a GiB, 2³⁰ bytes): the unit of every memory size in the workflow layer. */
export const BYTES_PER_GB = 1024 ** 3;

/** What the estimator reports when no probe answers: a conservative 4 GB. */
export const DEFAULT_AVAILABLE_GB = 4;

/** cgroup v1 reports "no limit" as a huge number (2⁶³ rounded to a page); anything above 2⁶⁰ is no limit. */
const CGROUP_UNLIMITED = 2 ** 60;

/** Which probe produced a {@link MemoryReading}. */
export type MemorySource = 'deno' | 'node-os' | 'cgroup-v2' | 'cgroup-v1' | 'browser' | 'default';

/** One reading of the runtime's memory. */
export interface MemoryReading {
  /** Memory available to this process now, in GB. */
  readonly availableGb: number;
  /** Total memory this process could have, in GB (the machine's RAM, or the cgroup limit). */
  readonly totalGb: number;
  /** The probe that answered (`cgroup-*` when a cgroup limit capped the OS figure). */
  readonly source: MemorySource;
  /** One sentence saying what was read, e.g. `os.freemem() 23.2 GB of 23.5 GB`. */
  readonly detail: string;
}

/**
 * The parts of `globalThis` the estimator reads; tests pass a fake one.
 * Every member is optional and read defensively.
 */
export interface MemoryHost {
  /** Deno's namespace (`systemMemoryInfo`, `permissions`). */
  readonly Deno?: unknown;
  /** Node/Bun's `process` (`getBuiltinModule`). */
  readonly process?: unknown;
  /** The browser's `navigator` (`deviceMemory`). */
  readonly navigator?: unknown;
  /** `performance` (Chromium's `memory`). */
  readonly performance?: unknown;
}

interface OsLike {
  freemem(): number;
  totalmem(): number;
}
/** The part of Node's `fs` the cgroup probe uses. */
export interface FsLike {
  /** Read a text file (throws when it is absent). */
  readFileSync(path: string, encoding: 'utf8'): string;
}

/** A cgroup memory limit. */
export interface CgroupLimit {
  /** cgroup version whose files answered. */
  readonly version: 'v2' | 'v1';
  /** The limit in bytes. */
  readonly limit: number;
  /** Current usage in bytes (0 when unreadable). */
  readonly usage: number;
}

const positive = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x > 0;

/** Call `process.getBuiltinModule(id)` when the runtime has it. */
function builtin(host: MemoryHost, id: string): unknown {
  const proc = host.process as { getBuiltinModule?: (id: string) => unknown } | undefined;
  if (typeof proc?.getBuiltinModule !== 'function') return undefined;
  return proc.getBuiltinModule(id);
}

interface DenoLike {
  systemMemoryInfo?: () => { total?: number; free?: number; available?: number };
  permissions?: { querySync?: (d: { name: string; kind?: string }) => { state: string } };
}

/**
 * In Deno, reading memory needs the `sys` permission, and asking without it would prompt the
 * user in a terminal. True when this is Deno and the permission is not already granted.
 */
function denoWithoutSys(host: MemoryHost): boolean {
  const deno = host.Deno as DenoLike | undefined;
  if (deno === undefined || deno === null) return false;
  try {
    const query = deno.permissions?.querySync;
    if (typeof query !== 'function') return false;
    return query.call(deno.permissions, { name: 'sys', kind: 'systemMemoryInfo' }).state !== 'granted';
  } catch {
    return true;
  }
}

/** Deno.systemMemoryInfo(), when present and permitted. */
function probeDeno(host: MemoryHost): MemoryReading | null {
  const deno = host.Deno as DenoLike | undefined;
  if (typeof deno?.systemMemoryInfo !== 'function') return null;
  const info = deno.systemMemoryInfo();
  const avail = positive(info.available) ? info.available : info.free;
  if (!positive(avail) || !positive(info.total)) return null;
  return {
    availableGb: avail / BYTES_PER_GB,
    totalGb: info.total / BYTES_PER_GB,
    source: 'deno',
    detail: `Deno.systemMemoryInfo(): ${formatGb(avail / BYTES_PER_GB, 1)} available of ${formatGb(info.total / BYTES_PER_GB, 1)}`,
  };
}

/** Read a cgroup file as a number of bytes; null when absent, unreadable or "max". */
function readBytes(fs: FsLike, path: string): number | null {
  try {
    const text = fs.readFileSync(path, 'utf8').trim();
    if (text === '' || text === 'max') return null;
    const value = Number(text);
    return Number.isFinite(value) && value >= 0 ? value : null;
  } catch {
    return null;
  }
}

/**
 * The cgroup memory limit and usage (bytes), v2 first, then v1.
 * @param fs - an object with Node's `readFileSync(path, 'utf8')`.
 * @returns the version, limit and usage, or null when no limit is set or readable.
 */
export function readCgroupLimit(fs: FsLike): CgroupLimit | null {
  const v2 = readBytes(fs, '/sys/fs/cgroup/memory.max');
  if (v2 !== null && v2 > 0 && v2 < CGROUP_UNLIMITED) {
    return { version: 'v2', limit: v2, usage: readBytes(fs, '/sys/fs/cgroup/memory.current') ?? 0 };
  }
  const v1 = readBytes(fs, '/sys/fs/cgroup/memory/memory.limit_in_bytes');
  if (v1 !== null && v1 > 0 && v1 < CGROUP_UNLIMITED) {
    return { version: 'v1', limit: v1, usage: readBytes(fs, '/sys/fs/cgroup/memory/memory.usage_in_bytes') ?? 0 };
  }
  return null;
}

/** os.freemem()/totalmem() through process.getBuiltinModule, capped by the cgroup limit. */
function probeNode(host: MemoryHost): MemoryReading | null {
  const os = builtin(host, 'node:os') as OsLike | undefined;
  if (typeof os?.freemem !== 'function' || typeof os.totalmem !== 'function') return null;
  const free = os.freemem();
  const total = os.totalmem();
  if (!positive(free) || !positive(total)) return null;
  const reading: MemoryReading = {
    availableGb: free / BYTES_PER_GB,
    totalGb: total / BYTES_PER_GB,
    source: 'node-os',
    detail: `os.freemem() ${formatGb(free / BYTES_PER_GB, 1)} of os.totalmem() ${formatGb(total / BYTES_PER_GB, 1)}`,
  };
  let fs: FsLike | undefined;
  try {
    fs = builtin(host, 'node:fs') as FsLike | undefined;
  } catch {
    fs = undefined;
  }
  if (typeof fs?.readFileSync !== 'function') return reading;
  const cg = readCgroupLimit(fs);
  if (cg === null || cg.limit >= total) return reading;
  const remaining = Math.max(0, cg.limit - cg.usage);
  if (remaining >= free) return { ...reading, totalGb: cg.limit / BYTES_PER_GB };
  return {
    availableGb: remaining / BYTES_PER_GB,
    totalGb: cg.limit / BYTES_PER_GB,
    source: cg.version === 'v2' ? 'cgroup-v2' : 'cgroup-v1',
    detail: `cgroup ${cg.version} limit ${formatGb(cg.limit / BYTES_PER_GB, 1)} − usage ${formatGb(cg.usage / BYTES_PER_GB, 1)} (below os.freemem() ${formatGb(free / BYTES_PER_GB, 1)})`,
  };
}

/** navigator.deviceMemory and performance.memory, where the browser exposes them. */
function probeBrowser(host: MemoryHost): MemoryReading | null {
  const deviceGb = (host.navigator as { deviceMemory?: unknown } | undefined)?.deviceMemory;
  const heap = (host.performance as { memory?: { jsHeapSizeLimit?: unknown; usedJSHeapSize?: unknown } } | undefined)?.memory;
  const candidates: { gb: number; text: string }[] = [];
  if (positive(deviceGb)) candidates.push({ gb: deviceGb / 2, text: `half of navigator.deviceMemory ${formatGb(deviceGb, 1)}` });
  if (heap !== undefined && positive(heap.jsHeapSizeLimit)) {
    const used = positive(heap.usedJSHeapSize) ? heap.usedJSHeapSize : 0;
    const headroom = Math.max(0, heap.jsHeapSizeLimit - used) / BYTES_PER_GB;
    if (headroom > 0) candidates.push({ gb: headroom, text: `performance.memory heap headroom ${formatGb(headroom, 1)}` });
  }
  if (candidates.length === 0) return null;
  const best = candidates.reduce((a, b) => (b.gb < a.gb ? b : a));
  return {
    availableGb: best.gb,
    totalGb: positive(deviceGb) ? deviceGb : best.gb,
    source: 'browser',
    detail: best.text,
  };
}

/**
 * Read the memory of the runtime `host` (default `globalThis`). Never throws: a probe that throws
 * or returns nonsense is skipped, and the last resort is {@link DEFAULT_AVAILABLE_GB}.
 *
 * @param host - the global object to probe (tests pass a fake one).
 * @returns the reading, with the probe that answered and what it read.
 */
function read(host: MemoryHost = globalThis as MemoryHost): MemoryReading {
  // Without `--allow-sys`, Deno's own probe and its Node-compatible `os` would both prompt.
  const noSys = denoWithoutSys(host);
  const probes = noSys ? [probeBrowser] : [probeDeno, probeNode, probeBrowser];
  for (const probe of probes) {
    try {
      const reading = probe(host);
      if (reading !== null) return Object.freeze(reading);
    } catch {
      // A denied permission or a missing API: try the next probe.
    }
  }
  return Object.freeze({
    availableGb: DEFAULT_AVAILABLE_GB,
    totalGb: DEFAULT_AVAILABLE_GB,
    source: 'default',
    detail: noSys
      ? `Deno without --allow-sys cannot read memory; assuming ${formatGb(DEFAULT_AVAILABLE_GB, 1)}`
      : `no memory probe answered in this runtime; assuming ${formatGb(DEFAULT_AVAILABLE_GB, 1)}`,
  });
}

/**
 * The memory estimator (NLSQ's `MemoryEstimator`), as a namespace of static functions.
 *
 * @example
 * ```ts
 * MemoryEstimator.getAvailableMemoryGb(); // e.g. 23.2 on a 24 GB Linux machine
 * MemoryEstimator.read().source;          // 'node-os'
 * ```
 */
export const MemoryEstimator = Object.freeze({
  /**
   * Read the runtime's memory: available and total GB, the probe that answered and what it read. Never throws.
   * @param host - the global object to probe (default `globalThis`).
   */
  read,
  /**
   * Memory available to this process now, in GB (2³⁰ bytes). Never throws.
   * @param host - the global object to probe (default `globalThis`).
   */
  getAvailableMemoryGb(host?: MemoryHost): number {
    return read(host).availableGb;
  },
  /**
   * Total memory this process could have, in GB: the machine's RAM or the cgroup limit. Never throws.
   * @param host - the global object to probe (default `globalThis`).
   */
  getTotalMemoryGb(host?: MemoryHost): number {
    return read(host).totalGb;
  },
});
