import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../src/backends/cpu/cpu-backend.ts';
import type { ResolvedBackend } from '../../src/backends/registry.ts';
import { withBackend, withBackendSync, withLease, withLeaseSync, type BackendLease } from '../../src/run/backend-lease.ts';

/** A fake resolved backend whose release is logged (or throws), or a caller's instance without release. */
function fakeBackend(log: string[], name: string, options: { throws?: boolean; owned?: boolean } = {}): ResolvedBackend {
  const base = { backend: createCpuBackend(), given: name, reason: 'test' };
  if (options.owned === true) return base;
  return {
    ...base,
    release: () => {
      log.push(`release ${name}`);
      if (options.throws === true) throw new Error(`release ${name} failed`);
    },
  };
}

function fakeThing(log: string[], name: string, throws = false) {
  return {
    name,
    dispose: () => {
      log.push(`dispose ${name}`);
      if (throws) throw new Error(`dispose ${name} failed`);
    },
  };
}

describe('withLease / withLeaseSync', () => {
  it('disposes what it holds and releases what it acquired, last first, after the run returns', async () => {
    const log: string[] = [];
    const result = await withLease(async (lease) => {
      const backend = await lease.backend(async () => fakeBackend(log, 'a'));
      const kernel = lease.hold(fakeThing(log, 'kernel'));
      lease.hold(fakeThing(log, 'problem'));
      log.push('run');
      return `${backend.given} ${kernel.name}`;
    });
    expect(result).toBe('a kernel');
    expect(log).toEqual(['run', 'dispose problem', 'dispose kernel', 'release a']);
  });

  it('frees everything when the run throws, and rethrows the run’s error', async () => {
    const log: string[] = [];
    const boom = new Error('boom');
    await expect(
      withLease(async (lease) => {
        lease.backendSync(() => fakeBackend(log, 'a'));
        lease.hold(fakeThing(log, 'problem'));
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(log).toEqual(['dispose problem', 'release a']);
  });

  it('releases what was acquired before an acquisition failed', () => {
    const log: string[] = [];
    expect(() =>
      withLeaseSync((lease) => {
        lease.backendSync(() => fakeBackend(log, 'a'));
        lease.backendSync(() => {
          throw new Error('no such backend');
        });
      }),
    ).toThrow('no such backend');
    expect(log).toEqual(['release a']);
  });

  it('leaves a caller’s instance (no release) and things without dispose alone', () => {
    const log: string[] = [];
    const value = withLeaseSync((lease) => {
      lease.backendSync(() => fakeBackend(log, 'mine', { owned: true }));
      lease.hold({});
      return 7;
    });
    expect(value).toBe(7);
    expect(log).toEqual([]);
  });

  it('runs every cleanup even when one throws; its error surfaces only when the run succeeded', async () => {
    const log: string[] = [];
    await expect(
      withLease(async (lease) => {
        await lease.backend(async () => fakeBackend(log, 'a'));
        lease.hold(fakeThing(log, 'kernel', true));
        lease.hold(fakeThing(log, 'problem', true));
        return 1;
      }),
    ).rejects.toThrow('dispose problem failed');
    expect(log).toEqual(['dispose problem', 'dispose kernel', 'release a']);
    const runError = new Error('run failed');
    expect(() =>
      withLeaseSync((lease) => {
        lease.backendSync(() => fakeBackend(log, 'b', { throws: true }));
        throw runError;
      }),
    ).toThrow(runError);
  });

  type Step = { kind: 'backend' | 'hold'; fails: boolean };
  test.prop([fc.array(fc.record({ kind: fc.constantFrom<'backend' | 'hold'>('backend', 'hold'), fails: fc.boolean() }), { maxLength: 12 }), fc.boolean(), fc.boolean()])(
    'frees each acquired thing exactly once, in reverse order, sync and async alike',
    async (steps: Step[], runThrows: boolean, asynchronous: boolean) => {
      const log: string[] = [];
      const run = (lease: BackendLease): string => {
        steps.forEach((s, i) => {
          if (s.kind === 'backend') lease.backendSync(() => fakeBackend(log, String(i), { throws: s.fails }));
          else lease.hold(fakeThing(log, String(i), s.fails));
        });
        if (runThrows) throw new Error('run');
        return 'done';
      };
      let outcome: string;
      try {
        outcome = asynchronous ? await withLease(async (lease) => run(lease)) : withLeaseSync(run);
      } catch (error) {
        outcome = (error as Error).message;
      }
      const expected = steps.map((s, i) => `${s.kind === 'backend' ? 'release' : 'dispose'} ${i}`).reverse();
      expect(log).toEqual(expected);
      const firstFailure = expected.find((entry) => steps[Number(entry.split(' ')[1])]!.fails);
      expect(outcome).toBe(runThrows ? 'run' : firstFailure === undefined ? 'done' : `${firstFailure} failed`);
    },
  );
});

describe('withBackend / withBackendSync', () => {
  it('acquire one backend, hand it to the run with the lease, and release it afterwards', async () => {
    const log: string[] = [];
    const name = await withBackend(async () => fakeBackend(log, 'a'), async (backend, lease) => {
      lease.hold(fakeThing(log, 'problem'));
      return backend.given;
    });
    expect(name).toBe('a');
    expect(withBackendSync(() => fakeBackend(log, 'b'), (backend) => backend.given)).toBe('b');
    expect(log).toEqual(['dispose problem', 'release a', 'release b']);
  });
});
