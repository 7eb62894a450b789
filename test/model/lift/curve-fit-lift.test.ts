/**
 * Closure lifting through the public entry points: a lifted closure fits as its model() twin
 * does, every closure fit says what happened in `choices.model` and `report({ full: true })`,
 * and the `lift` and `constants` options are checked.
 */
import { describe, expect, it } from 'vitest';
import { curveFit, curveFitSync } from '../../../src/curve-fit.ts';
import { NlsqRangeError, NlsqTypeError } from '../../../src/errors.ts';
import { fit } from '../../../src/fit.ts';
import { model } from '../../../src/model/model.ts';

const x = Array.from({ length: 120 }, (_, i) => i / 12);
const y = x.map((t, i) => 3 * Math.exp(-0.7 * t) + 0.5 + 0.01 * Math.sin(7 * i));
const decay = (t: number, a: number, b: number, c: number): number => a * Math.exp(-b * t) + c;

describe('curveFitSync before any parser load', () => {
  it('does not lift in a synchronous call and says why', () => {
    const r = curveFitSync(decay, x, y, { backend: 'cpu' });
    expect(r.choices.model).toEqual({
      given: 'closure',
      used: 'closure',
      reason: 'closure evaluated per point with forward differences (MINPACK lmdif) — not lifted: parser not loaded in a synchronous call (an async curveFit or fit loads it, or await preloadClosureLifting() once); use curveFit or model()',
    });
  });
});

describe('curveFit lifts a plain closure', () => {
  it('fits as the same expression written with model(), with an exact Jacobian', async () => {
    const lifted = await curveFit(decay, x, y, { backend: 'cpu' });
    const expr = await curveFit(model('a*exp(-b*t) + c', { variables: ['t'] }), x, y, { backend: 'cpu', p0: [1, 1, 1] });
    expect(lifted.popt).toBeAllclose(expr.popt, { rtol: 1e-12 });
    expect(lifted.pcov).toBeAllclose(expr.pcov, { rtol: 1e-10 });
    expect(lifted.nfev).toBe(expr.nfev);
    expect(lifted.choices.jacobian.used).toBe('analytic');
    expect(lifted.choices.model?.used).toBe('expression');
    expect(lifted.choices.model?.reason).toMatch(/^closure lifted to an expression \(exact Jacobian, compiled for cpu\): a\*exp\(-b\*t\) \+ c$/);
    expect(lifted.paramNames).toEqual(['p0', 'p1', 'p2']);
    expect(lifted.report({ full: true })).toMatch(/model\s+closure\s+expression\s+closure lifted to an expression/);
  });

  it('lifts for every backend the registry picks (the lifted model is an expression model)', async () => {
    const r = await curveFit(decay, x, y);
    expect(r.choices.model?.reason).toContain(`compiled for ${r.backend}`);
    expect(r.popt).toBeAllclose([3, 0.7, 0.5], { rtol: 1e-2 });
  });

  it('infers p from f.length, lifted or not, and lifts in later synchronous calls and in fit()', async () => {
    const on = await curveFit(decay, x, y, { backend: 'cpu' });
    const off = await curveFit(decay, x, y, { backend: 'cpu', lift: false });
    expect(on.popt.length).toBe(3);
    expect(off.popt).toBeAllclose(on.popt, { rtol: 1e-6 });
    expect(off.choices.model).toEqual({ given: 'closure', used: 'closure', reason: 'closure evaluated per point with forward differences (MINPACK lmdif) — not lifted: lift: false' });
    expect(curveFitSync(decay, x, y, { backend: 'cpu' }).choices.model?.used).toBe('expression');
    const viaFit = await fit(decay, x, y, { backend: 'cpu' });
    expect(viaFit.choices.model?.used).toBe('expression');
    expect(viaFit.popt).toBeAllclose(on.popt, { rtol: 1e-10 });
  });

  it('lifts several variables read as x[i]', async () => {
    const x1 = x.map((t) => t * t);
    const y2 = x.map((t, i) => 2 * t - 0.3 * x1[i]! + 1);
    const r = await curveFit((v: number[], a: number, b: number, c: number) => a * v[0]! + b * v[1]! + c, [x, x1], y2, { backend: 'cpu' });
    expect(r.choices.model?.reason).toMatch(/: a\*v0 \+ b\*v1 \+ c$/);
    expect(r.popt).toBeAllclose([2, -0.3, 1], { rtol: 1e-9 });
  });

  it('names a free variable, and lifts with constants', async () => {
    const k = 0.7;
    const f = (t: number, a: number, c: number): number => a * Math.exp(-k * t) + c;
    const without = await curveFit(f, x, y, { backend: 'cpu', method: 'trf' });
    expect(without.choices.model?.reason).toMatch(/^closure evaluated per point with 2-point differences — not lifted: free variable `k` at 1:\d+; pass `constants` or use model\(\)$/);
    const withK = await curveFit(f, x, y, { backend: 'cpu', method: 'trf', constants: { k } });
    expect(withK.choices.model?.reason).toContain('exp(-0.7*t)');
    expect(withK.popt).toBeAllclose(without.popt, { rtol: 1e-6 });
  });

  it('keeps a user jac and says so', async () => {
    const jac = (t: number, a: number, b: number, c: number) => [Math.exp(-b * t), -a * t * Math.exp(-b * t), 1 + 0 * c];
    const r = await curveFit(decay, x, y, { backend: 'cpu', jac });
    expect(r.choices.model).toEqual({ given: 'closure', used: 'closure', reason: 'closure evaluated per point with its own jac — not lifted: jac is a function: the closure and its own Jacobian are used' });
  });

  it('checks the lift and constants options', async () => {
    await expect(curveFit(decay, x, y, { lift: 'yes' as unknown as boolean })).rejects.toThrow(new NlsqTypeError("curveFit: lift must be a boolean, got \"yes\"", 'lift'));
    await expect(curveFit(decay, x, y, { constants: 3 as unknown as Record<string, number> })).rejects.toThrow(NlsqTypeError);
    await expect(curveFit(decay, x, y, { constants: { k: Number.NaN } })).rejects.toThrow(NlsqRangeError);
    await expect(curveFit(decay, x, y, { constants: { k: Number.NaN } })).rejects.toThrow('curveFit: constants.k must be a finite number, got NaN');
    await expect(curveFit(model('a*x'), x, y, { constants: { k: 1 } })).rejects.toThrow(/constants is only for plain function models/);
  });

  it('has no model row for a model that is not a closure', async () => {
    expect((await curveFit(model('a*exp(-b*x)'), x, y, { backend: 'cpu', p0: [1, 1] })).choices.model).toBeUndefined();
  });
});

describe('curveFit lifting keeps the argument checks of a closure', () => {
  it('still rejects an invalid jac for a liftable closure', async () => {
    await expect(curveFit(decay, x, y, { jac: 'bogus' as unknown as '2-point' })).rejects.toThrow("curveFit: jac must be one of '2-point', '3-point' or a function, got \"bogus\"");
  });

  it('honours an explicit finite-difference jac on the lifted expression', async () => {
    const r = await curveFit(decay, x, y, { backend: 'cpu', jac: '3-point', method: 'trf' });
    expect(r.choices.model?.reason).toMatch(/^closure lifted to an expression \(3-point differences, compiled for cpu\)/);
  });
});
