/**
 * NIST StRD nonlinear regression with every model written as an expression: symbolic Jacobians,
 * fused compiled kernels, all 27 problems × both starting points, scored by the log relative
 * error (digits of agreement) of the certified parameters.
 */
import { describe, expect, test } from 'vitest';
import { curveFitSync } from '../../src/curve-fit.ts';
import { model } from '../../src/model/model.ts';
import { minLre, parseStrd, STRD_NAMES } from '../nist/strd.ts';

const GAUSS = 'b1*exp(-b2*x) + b3*exp(-(x - b4)^2/b5^2) + b6*exp(-(x - b7)^2/b8^2)';
const LANCZOS = 'b1*exp(-b2*x) + b3*exp(-b4*x) + b5*exp(-b6*x)';
const RATIONAL33 = '(b1 + b2*x + b3*x^2 + b4*x^3)/(1 + b5*x + b6*x^2 + b7*x^3)';

/** The 27 models as expressions (from each file's "Model:" section). */
const EXPRESSIONS: Record<string, string> = {
  Misra1a: 'b1*(1 - exp(-b2*x))',
  Chwirut1: 'exp(-b1*x)/(b2 + b3*x)',
  Chwirut2: 'exp(-b1*x)/(b2 + b3*x)',
  Lanczos1: LANCZOS,
  Lanczos2: LANCZOS,
  Lanczos3: LANCZOS,
  Gauss1: GAUSS,
  Gauss2: GAUSS,
  Gauss3: GAUSS,
  DanWood: 'b1*x^b2',
  Misra1b: 'b1*(1 - (1 + b2*x/2)^(-2))',
  Kirby2: '(b1 + b2*x + b3*x^2)/(1 + b4*x + b5*x^2)',
  Hahn1: RATIONAL33,
  Thurber: RATIONAL33,
  Nelson: 'b1 - b2*x1*exp(-b3*x2)',
  MGH17: 'b1 + b2*exp(-x*b4) + b3*exp(-x*b5)',
  Misra1c: 'b1*(1 - (1 + 2*b2*x)^(-0.5))',
  Misra1d: 'b1*b2*x/(1 + b2*x)',
  Roszman1: 'b1 - b2*x - atan(b3/(x - b4))/pi',
  ENSO: 'b1 + b2*cos(2*pi*x/12) + b3*sin(2*pi*x/12) + b5*cos(2*pi*x/b4) + b6*sin(2*pi*x/b4) + b8*cos(2*pi*x/b7) + b9*sin(2*pi*x/b7)',
  MGH09: 'b1*(x^2 + x*b2)/(x^2 + x*b3 + b4)',
  BoxBOD: 'b1*(1 - exp(-b2*x))',
  Rat42: 'b1/(1 + exp(b2 - b3*x))',
  MGH10: 'b1*exp(b2/(x + b3))',
  Eckerle4: 'b1/b2*exp(-0.5*((x - b3)/b2)^2)',
  Rat43: 'b1/(1 + exp(b2 - b3*x))^(1/b4)',
  Bennett5: 'b1*(b2 + x)^(-1/b3)',
};

type Method = 'trf' | 'lm';

function scoreAll(method: Method) {
  return STRD_NAMES.flatMap((name) => {
    const problem = parseStrd(name);
    const params = Array.from({ length: problem.params.length }, (_, j) => `b${j + 1}`);
    const m = model(EXPRESSIONS[name]!, { params, variables: problem.x.length === 1 ? ['x'] : ['x1', 'x2'] });
    const x = problem.x.length === 1 ? problem.x[0]! : problem.x;
    return ([1, 2] as const).map((start) => {
      const p0 = start === 1 ? problem.start1 : problem.start2;
      try {
        const r = curveFitSync(m, x, problem.y, { p0, method, ftol: 1e-15, xtol: 1e-15, gtol: 1e-15, maxNfev: 20_000 });
        return { name, start, lre: minLre(r.popt, problem.params), status: r.status, nfev: r.nfev };
      } catch (error) {
        return { name, start, lre: 0, status: `threw: ${(error as Error).message.slice(0, 80)}`, nfev: 0 };
      }
    });
  });
}

describe('NIST StRD with expression models (symbolic Jacobians)', () => {
  const trf = scoreAll('trf');
  const lm = scoreAll('lm');

  test('the LRE table', () => {
    const table = trf.map((s, i) => `${s.name.padEnd(9)} start ${s.start}  trf LRE ${s.lre.toFixed(1).padStart(4)} nfev ${String(s.nfev).padStart(5)} ${s.status.padEnd(9)}  lm LRE ${lm[i]!.lre.toFixed(1).padStart(4)} nfev ${String(lm[i]!.nfev).padStart(5)} ${lm[i]!.status}`);
    console.log(table.join('\n'));
    expect(trf).toHaveLength(54);
  });

  test('with trf, all 54 fits reach the certified parameters to 6 significant digits (LRE ≥ 6)', () => {
    const poor = trf.filter((s) => !(s.lre >= 6)).map((s) => `${s.name}/${s.start}: ${s.lre.toFixed(2)} (${s.status})`);
    expect(poor).toEqual([]);
  });

  test('with lm, all fits but BoxBOD from start 1 reach LRE ≥ 6 (SciPy lm with an analytic Jacobian also stops at b2 ≈ 88 there)', () => {
    const poor = lm.filter((s) => !(s.lre >= 6)).map((s) => `${s.name}/${s.start}`);
    expect(poor).toEqual(['BoxBOD/1']);
  });
});
