/**
 * The worker side of a parallel pass, run in-thread (`fold-share.ts` touches no worker API): a
 * share opened with its rows or filled chunk by chunk, sealed, evaluated and closed; and the
 * worker's program interning, which must reuse a compiled model only for an equal program — two
 * programs that differ in one constant (even 0 against −0) stay apart.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import type { Program } from '../../src/model/ir.ts';
import { blockedSum } from '../../src/stats/residual-sums.ts';
import { closeShare, evaluateShare, loadShare, openShare, sealShare, shareResiduals, type ShareSetup } from '../../src/parallel/fold-share.ts';

/** f = θ₀·c + θ₀·x (∂f/∂θ₀ = c + x), with the constant c. */
function program(c: number): Program {
  return {
    params: ['a'],
    variables: ['x'],
    instructions: [
      { op: 'mul', args: [{ kind: 'param', index: 0 }, { kind: 'const', value: c }] },
      { op: 'mul', args: [{ kind: 'param', index: 0 }, { kind: 'var', index: 0 }] },
      { op: 'add', args: [{ kind: 'tmp', index: 0 }, { kind: 'tmp', index: 1 }] },
      { op: 'add', args: [{ kind: 'const', value: c }, { kind: 'var', index: 0 }] },
    ],
    value: { kind: 'tmp', index: 2 },
    gradient: [{ kind: 'tmp', index: 3 }],
  };
}

const setup = (id: string, c: number, rows: number, data: ShareSetup['data']): ShareSetup => ({
  id, program: structuredClone(program(c)), data, rows, weighted: false, loss: null, blockRows: 64, simd: true,
});

describe('a fold share in-thread', () => {
  it('keeps programs that differ in one constant apart (0 and −0, 2 and 3), and equal clones agree', async () => {
    const n = 10;
    const x = new Float64Array(n).fill(-0); // f = θ·c + θ·(−0): the sign of a zero c shows in the residual
    const y = new Float64Array(n);
    const theta = Float64Array.of(1.5);
    const residuals = async (c: number, id: string) => {
      await openShare(setup(id, c, n, { x: [x], y, w: null }));
      sealShare(id);
      const r = shareResiduals(id, theta, null, 0).r!;
      closeShare(id);
      return r;
    };
    const plusZero = await residuals(0, 's0');
    const minusZero = await residuals(-0, 's1');
    const plusZeroAgain = await residuals(0, 's2');
    expect(Object.is(plusZero[3], 0)).toBe(true);
    expect(Object.is(minusZero[3], -0)).toBe(true);
    expect(Object.is(plusZeroAgain[3], 0)).toBe(true);
    expect(Array.from(await residuals(2, 's3'))).toEqual(new Array(n).fill(3));
    expect(Array.from(await residuals(3, 's4'))).toEqual(new Array(n).fill(4.5));
  });

  it('filled chunk by chunk, it evaluates bitwise as one opened with its rows', async () => {
    const n = 1000;
    const x = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
    const y = Float64Array.from(x, (t, i) => 2 * t + 1 + 0.01 * Math.cos(i));
    await openShare(setup('whole', 0.5, n, { x: [x], y, w: null }));
    const whole = sealShare('whole');
    await openShare(setup('chunks', 0.5, n, null));
    expect(() => evaluateShare('chunks', Float64Array.of(1), true)).toThrow(/not sealed/);
    for (let from = 0; from < n; from += 300) {
      const count = Math.min(300, n - from);
      const chunk = new Float64Array(2 * count);
      chunk.set(x.subarray(from, from + count), 0);
      chunk.set(y.subarray(from, from + count), count);
      expect(loadShare('chunks', from, count, chunk)).toBe(chunk);
    }
    const chunks = sealShare('chunks');
    expect(chunks).toEqual(whole);
    expect(() => loadShare('chunks', 0, 1, Float64Array.of(0, 0))).toThrow(/already sealed/);
    const theta = Float64Array.of(1.7);
    expect(evaluateShare('chunks', theta, true)).toEqual(evaluateShare('whole', theta, true));
    expect(shareResiduals('chunks', theta, null, whole.ySum / n)).toEqual(shareResiduals('whole', theta, null, whole.ySum / n));
    expect(closeShare('whole')).toBe(true);
    expect(closeShare('chunks')).toBe(true);
    expect(closeShare('chunks')).toBe(false);
  });

  test.prop([fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 1500 }), fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 8 })], { numRuns: 25 })(
    'Σ y summed chunk by chunk is bitwise blockedSum of the column, whatever the chunk sizes',
    async (values, sizes) => {
      const n = values.length;
      const y = Float64Array.from(values);
      await openShare(setup('sum', 1, n, null));
      for (let from = 0, c = 0; from < n; c++) {
        const count = Math.min(sizes[c % sizes.length]!, n - from);
        const chunk = new Float64Array(2 * count);
        chunk.set(y.subarray(from, from + count), count);
        loadShare('sum', from, count, chunk);
        from += count;
      }
      expect(Object.is(sealShare('sum').ySum, blockedSum(y))).toBe(true);
      closeShare('sum');
    },
  );

  it('refuses a chunk out of row order, and a seal before every row has come', async () => {
    await openShare(setup('order', 1, 10, null));
    loadShare('order', 0, 4, new Float64Array(8));
    expect(() => loadShare('order', 5, 2, new Float64Array(4))).toThrow(/expects rows from 4 on, got a chunk from 5/);
    expect(() => sealShare('order')).toThrow(/has 4 of its 10 rows/);
    loadShare('order', 4, 6, new Float64Array(12));
    expect(sealShare('order').ySum).toBe(0);
    closeShare('order');
  });

  it('a share too big for a worker\'s wasm memory fails its open with the share\'s size and a way out', async () => {
    const rows = 300_000_000; // x and y: 4.8 GB, past the 4 GiB of wasm32
    await expect(openShare(setup('huge', 1, rows, null))).rejects.toThrow(/^fold worker: a share of 300000000 rows \(2 columns, 4800000000 bytes\) does not fit in this worker's wasm memory \(.*4 GiB wasm32 limit\); more workers give smaller shares$/);
    expect(closeShare('huge')).toBe(false); // nothing stays open
  });
});
