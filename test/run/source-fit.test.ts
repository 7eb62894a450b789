import { describe, expect, it } from 'vitest';
import { DataSourceError } from '../../src/errors.ts';
import { fit } from '../../src/fit.ts';
import { model } from '../../src/model/model.ts';
import { arraySource, type SourceChunk } from '../../src/sources/data-source.ts';

const N = 20_000;
const x = Float64Array.from({ length: N }, (_, i) => (5 * i) / N);
const y = Float64Array.from(x, (t, i) => 3 * Math.exp(-1.2 * t) + 0.5 + 0.02 * Math.sin(977 * i));
const seed = model('a*exp(-b*x) + c');
const options = { p0: [1, 1, 0], backend: 'cpu' as const };

/** A re-readable source whose passes with `bad(pass)` (1-based, counted at their first chunk) yield only the first half of the points. */
function halvingSource(bad: (pass: number) => boolean): { source: Iterable<SourceChunk>; passes: () => number } {
  let pass = 0;
  const source = {
    *[Symbol.iterator]() {
      const m = bad(++pass) ? N / 2 : N;
      yield* arraySource({ x: x.subarray(0, m), y: y.subarray(0, m) }, 2500);
    },
  };
  return { source, passes: () => pass };
}

describe('fit(model, source): every pass sees the same data (issue 21, defect 10)', () => {
  it('a source that yields 20,000 points, then 10,000 on the statistics pass, fails instead of reporting statistics from half the data', async () => {
    const counting = halvingSource(() => false);
    const whole = await fit(seed, counting.source, options);
    expect(whole.success).toBe(true);
    expect(whole.dof).toBe(N - 3);
    const last = counting.passes();
    const err = await fit(seed, halvingSource((p) => p === last).source, options).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataSourceError);
    expect((err as Error).message).toMatch(/^fit: source yielded 10000 points on the statistics pass but 20000 on the first full pass/);
  });

  it('a source that halves in the exact phase fails naming both counts', async () => {
    const counting = halvingSource(() => false);
    await fit(seed, counting.source, options);
    const err = await fit(seed, halvingSource((p) => p === counting.passes() - 2).source, options).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataSourceError);
    expect((err as Error).message).toMatch(/10000 points on .*pass.* but 20000/);
  });
});
