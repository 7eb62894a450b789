/**
 * `preloadClosureLifting` (issue 13): acorn stays lazy — importing it costs ~25 ms in a fresh
 * process — so `curveFitSync` lifts a closure only once the parser is loaded; the preload is the
 * synchronous program's way to load it. This file runs in its own module registry (vitest isolates
 * test files), so nothing loaded the parser before the first test.
 */
import { describe, expect, it } from 'vitest';
import { curveFitSync, preloadClosureLifting } from '../../../src/index.ts';

const xs = Array.from({ length: 20 }, (_, i) => i / 4);
const ys = xs.map((x) => 2 * Math.exp(-0.7 * x) + 0.3);
const f = (x: number, a: number, b: number, c: number): number => a * Math.exp(-b * x) + c;

describe('preloadClosureLifting', () => {
  it('before it, curveFitSync evaluates the closure per point and names the preload', () => {
    const r = curveFitSync(f, xs, ys, { p0: [1, 1, 0] });
    expect(r.choices.model?.reason).toMatch(/await preloadClosureLifting\(\) once/);
    expect(r.choices.model?.used).toBe('closure');
  });

  it('after it, curveFitSync lifts the closure to an expression with the same fit', async () => {
    const before = curveFitSync(f, xs, ys, { p0: [1, 1, 0] });
    expect(await preloadClosureLifting()).toBe(true);
    expect(await preloadClosureLifting()).toBe(true);
    const r = curveFitSync(f, xs, ys, { p0: [1, 1, 0] });
    expect(r.choices.model?.used).toBe('expression');
    expect(r.choices.model?.reason).toMatch(/lifted/);
    expect(r.popt).toBeAllclose(before.popt, { rtol: 1e-7 });
    expect(r.popt).toBeAllclose([2, 0.7, 0.3], { rtol: 1e-9 });
  });
});
