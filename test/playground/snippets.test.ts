/**
 * The playground's code snippets (playground/snippets.js): the SciPy `curve_fit` snippet, run by
 * `python3` (SciPy from pip; skipped where SciPy is missing), gives the parameters nlsq's curveFit
 * gives on the same data — an independent reference, also recorded so that it runs everywhere —
 * and the nlsq snippet names the same model, data, p0, bounds, method and loss.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { curveFit, model } from '../../src/index.ts';
// @ts-expect-error -- plain JS module of the playground, no declaration file
import { nlsqSnippet, scipySnippet, toNumpy } from '../../playground/snippets.js';

const x = Array.from({ length: 30 }, (_, i) => i * 0.3);
const y = x.map((v, i) => 2.5 * Math.exp(-0.6 * v) * Math.cos(1.7 * v) + 0.2 + 0.01 * Math.sin(7.3 * i));
const expression = 'a*exp(-k*x)*cos(w*x) + c';

describe('toNumpy', () => {
  it('prefixes NumPy functions, renames the ones spelled differently and turns ^ into **', () => {
    expect(toNumpy('a*exp(-k*x)^2 + atan(x) + sqrt(pi)')).toBe('a*np.exp(-k*x)**2 + np.arctan(x) + np.sqrt(np.pi)');
    expect(toNumpy('expo(x) + b')).toBe('expo(x) + b');
  });
});

/** True when `python3` imports SciPy (pip's, in this project's environment; CI does not install it). */
const hasScipy = spawnSync('python3', ['-c', 'import scipy'], { encoding: 'utf8' }).status === 0;

describe('scipySnippet', () => {
  const sigma = x.map((_, i) => 0.01 + 0.002 * (i % 3));
  // `scipy` holds the parameters this test's snippets printed under SciPy 1.17.1 (python3, pip),
  // recorded so that the comparison with nlsq runs where SciPy is not installed.
  const cases = [
    { name: 'plain', options: {}, scipy: [2.506212672633578, 0.6006263734390217, 1.7007513851797949, 0.20001579527772415] },
    { name: 'sigma, method lm', options: { sigma, method: 'lm' as const }, scipy: [2.504370750670811, 0.6003502978878784, 1.7006232818108704, 0.2001018195852144] },
    {
      name: 'bounds with an active side and infinities',
      options: { bounds: [[-Infinity, 0.4, -Infinity, -1], [Infinity, 0.55, 1.6, 1]] as [number[], number[]] },
      scipy: [2.415306918201444, 0.5499999999999999, 1.5999999999999863, 0.20099310312207688],
    },
    { name: 'sigma, trf, soft_l1 loss', options: { sigma, method: 'trf' as const, loss: 'soft_l1' as const }, scipy: [2.504238547086841, 0.6002154044704876, 1.7006751357114411, 0.20012416905548597] },
  ];

  it.each(cases)('curveFit matches the recorded SciPy result of the snippet to 1e-6 relative ($name)', async ({ options, scipy }) => {
    const r = await curveFit(model(expression), x, y, { p0: [2, 0.5, 1.5, 0], ...options });
    expect(r.popt).toBeAllclose(scipy, { rtol: 1e-6 });
  });

  it.skipIf(!hasScipy).each(cases)('runs in python3 and matches curveFit to 1e-6 relative ($name)', async ({ options }) => {
    const p0 = [2, 0.5, 1.5, 0];
    const r = await curveFit(model(expression), x, y, { p0, ...options });
    const code = scipySnippet({ expression, params: r.paramNames, x, y, p0, popt: r.popt, xName: 'x', yName: 'y', ...options }) as string;
    const run = spawnSync('python3', ['-c', code], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const values = [...run.stdout.matchAll(/^(\w+) = (\S+) ±/gm)].map((m) => [m[1], Number(m[2])]);
    expect(values.map((v) => v[0])).toEqual(r.paramNames);
    expect(values.map((v) => v[1] as number)).toBeAllclose(r.popt, { rtol: 1e-6 });
  });
});

describe('nlsqSnippet', () => {
  it('inlines small data, names a library model by its factory, passes p0 and sigma', () => {
    const sigma = x.map(() => 0.01);
    const code = nlsqSnippet({ expression: 'a*exp(-k*x) + c', params: ['a', 'k', 'c'], library: 'exponentialDecay', x, y, sigma, p0: [1, 2, 3], xName: 'x', yName: 'y' }) as string;
    expect(code).toContain('const m = models.exponentialDecay();');
    expect(code).toContain('{ p0: [1, 2, 3], sigma }');
    const robust = nlsqSnippet({ expression, params: ['a'], x, y, method: 'dogbox', loss: 'huber', xName: 'x', yName: 'y' }) as string;
    expect(robust).toContain(`{ method: 'dogbox', loss: 'huber' }`);
    expect(code).toContain(`const x = [${x.join(', ')}];`);
    const typed = nlsqSnippet({ expression, params: ['a'], x: new Float64Array(500), y: new Float64Array(500), xName: 't', yName: 'v' }) as string;
    expect(typed).toContain(`model(${JSON.stringify(expression)})`);
    expect(typed).toContain('columns t, v of your data');
    expect(typed).toContain('await curveFit(m, x, y);');
  });
});
