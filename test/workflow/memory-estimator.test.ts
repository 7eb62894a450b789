import { describe, expect, it } from 'vitest';
import { DEFAULT_AVAILABLE_GB, MemoryEstimator, readCgroupLimit } from '../../src/workflow/memory-estimator.ts';
import type { MemoryHost } from '../../src/workflow/memory-estimator.ts';

const GB = 1024 ** 3;

/** A fake Node-like host: os.freemem/totalmem and a virtual file system. */
function nodeHost(free: number, total: number, files: Record<string, string> = {}): MemoryHost {
  const os = { freemem: () => free, totalmem: () => total };
  const fs = {
    readFileSync(path: string): string {
      if (!(path in files)) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
      return files[path]!;
    },
  };
  return { process: { getBuiltinModule: (id: string) => (id === 'node:os' ? os : id === 'node:fs' ? fs : undefined) } };
}

describe('MemoryEstimator', () => {
  it('reads os.freemem() and os.totalmem() through process.getBuiltinModule', () => {
    const r = MemoryEstimator.read(nodeHost(6 * GB, 16 * GB));
    expect(r).toMatchObject({ availableGb: 6, totalGb: 16, source: 'node-os' });
    expect(r.detail).toBe('os.freemem() 6.0 GB of os.totalmem() 16.0 GB');
  });

  it('caps the OS figure by a cgroup v2 limit minus current usage', () => {
    const host = nodeHost(20 * GB, 64 * GB, {
      '/sys/fs/cgroup/memory.max': `${4 * GB}\n`,
      '/sys/fs/cgroup/memory.current': `${1 * GB}\n`,
    });
    expect(MemoryEstimator.read(host)).toMatchObject({ availableGb: 3, totalGb: 4, source: 'cgroup-v2' });
  });

  it('ignores a cgroup v2 limit of "max"', () => {
    const host = nodeHost(20 * GB, 64 * GB, { '/sys/fs/cgroup/memory.max': 'max\n', '/sys/fs/cgroup/memory.current': '100' });
    expect(MemoryEstimator.read(host)).toMatchObject({ availableGb: 20, source: 'node-os' });
  });

  it('falls back to cgroup v1 limit_in_bytes minus usage_in_bytes', () => {
    const host = nodeHost(20 * GB, 64 * GB, {
      '/sys/fs/cgroup/memory/memory.limit_in_bytes': String(8 * GB),
      '/sys/fs/cgroup/memory/memory.usage_in_bytes': String(2 * GB),
    });
    expect(MemoryEstimator.read(host)).toMatchObject({ availableGb: 6, totalGb: 8, source: 'cgroup-v1' });
  });

  it('treats cgroup v1’s huge "unlimited" value as no limit', () => {
    const host = nodeHost(20 * GB, 64 * GB, { '/sys/fs/cgroup/memory/memory.limit_in_bytes': '9223372036854771712' });
    expect(MemoryEstimator.read(host)).toMatchObject({ availableGb: 20, source: 'node-os' });
  });

  it('keeps the OS figure when the cgroup leaves more room than the OS has free', () => {
    const host = nodeHost(2 * GB, 64 * GB, { '/sys/fs/cgroup/memory.max': String(32 * GB), '/sys/fs/cgroup/memory.current': '0' });
    expect(MemoryEstimator.read(host)).toMatchObject({ availableGb: 2, totalGb: 32, source: 'node-os' });
  });

  it('prefers Deno.systemMemoryInfo() in Deno', () => {
    const host: MemoryHost = { Deno: { systemMemoryInfo: () => ({ total: 32 * GB, free: 2 * GB, available: 12 * GB }) } };
    expect(MemoryEstimator.read(host)).toMatchObject({ availableGb: 12, totalGb: 32, source: 'deno' });
  });

  it('moves on when Deno denies the sys permission', () => {
    const denied = () => {
      throw new Error('PermissionDenied: Requires sys access');
    };
    const host: MemoryHost = { Deno: { systemMemoryInfo: denied }, ...nodeHost(5 * GB, 10 * GB) };
    expect(MemoryEstimator.read(host)).toMatchObject({ availableGb: 5, source: 'node-os' });
  });

  it('does not touch Deno’s memory APIs (which would prompt) without the sys permission', () => {
    let asked = false;
    const host: MemoryHost = {
      Deno: {
        permissions: { querySync: () => ({ state: 'prompt' }) },
        systemMemoryInfo: () => {
          asked = true;
          return { total: 8 * GB, available: 4 * GB };
        },
      },
      ...nodeHost(5 * GB, 10 * GB),
    };
    const r = MemoryEstimator.read(host);
    expect(asked).toBe(false);
    expect(r).toMatchObject({ availableGb: DEFAULT_AVAILABLE_GB, source: 'default' });
    expect(r.detail).toContain('--allow-sys');
  });

  it('reads Deno’s memory when the sys permission is granted', () => {
    const host: MemoryHost = {
      Deno: { permissions: { querySync: () => ({ state: 'granted' }) }, systemMemoryInfo: () => ({ total: 8 * GB, available: 3 * GB }) },
    };
    expect(MemoryEstimator.read(host)).toMatchObject({ availableGb: 3, source: 'deno' });
  });

  it('uses half of navigator.deviceMemory in a browser', () => {
    expect(MemoryEstimator.read({ navigator: { deviceMemory: 8 } })).toMatchObject({ availableGb: 4, totalGb: 8, source: 'browser' });
  });

  it('takes the smaller of deviceMemory/2 and the performance.memory heap headroom', () => {
    const host: MemoryHost = { navigator: { deviceMemory: 8 }, performance: { memory: { jsHeapSizeLimit: 3 * GB, usedJSHeapSize: 1 * GB } } };
    expect(MemoryEstimator.read(host)).toMatchObject({ availableGb: 2, source: 'browser' });
  });

  it('falls back to a documented 4 GB default when nothing answers', () => {
    const r = MemoryEstimator.read({});
    expect(r).toMatchObject({ availableGb: DEFAULT_AVAILABLE_GB, source: 'default' });
    expect(DEFAULT_AVAILABLE_GB).toBe(4);
  });

  it('never throws, even when every probe throws', () => {
    const boom = () => {
      throw new Error('boom');
    };
    const host: MemoryHost = {
      Deno: { systemMemoryInfo: boom },
      process: { getBuiltinModule: boom },
      navigator: Object.defineProperty({}, 'deviceMemory', { get: boom }),
    };
    expect(MemoryEstimator.getAvailableMemoryGb(host)).toBe(DEFAULT_AVAILABLE_GB);
  });

  it('ignores nonsense readings (zero, negative, NaN)', () => {
    expect(MemoryEstimator.read(nodeHost(0, 16 * GB)).source).toBe('default');
    expect(MemoryEstimator.read({ navigator: { deviceMemory: Number.NaN } }).source).toBe('default');
  });

  it('measures this runtime with a positive, finite figure no larger than the total', () => {
    const available = MemoryEstimator.getAvailableMemoryGb();
    const total = MemoryEstimator.getTotalMemoryGb();
    expect(Number.isFinite(available) && available > 0).toBe(true);
    expect(available).toBeLessThanOrEqual(total * 1.01);
    expect(MemoryEstimator.read().source).not.toBe('default'); // Node ≥ 20.16 has process.getBuiltinModule
  });
});

describe('readCgroupLimit', () => {
  it('returns null when no cgroup file is readable', () => {
    expect(readCgroupLimit({ readFileSync: () => { throw new Error('ENOENT'); } })).toBeNull();
  });
});
