/**
 * NIST StRD nonlinear regression: all 27 problems × both starting points, fitted by `curveFitSync`
 * with plain JS closures and finite differences (SciPy curve_fit's default path, lm), scored by
 * the log relative error (digits of agreement) of the parameters and of their standard errors.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { curveFitSync } from '../../src/curve-fit.ts';
import { lre, minLre, parseStrd, STRD_NAMES, type StrdProblem } from './strd.ts';

interface Score {
  readonly name: string;
  readonly start: 1 | 2;
  readonly params: number;
  readonly stddev: number;
  readonly status: string;
  readonly nfev: number;
  /** Digits of the residual sum of squares (Lanczos1: 11 when RSS < 1e-20, see the README quirk). */
  readonly rss: number;
}

function score(problem: StrdProblem, start: 1 | 2): Score {
  const p0 = start === 1 ? problem.start1 : problem.start2;
  const x = problem.x.length === 1 ? problem.x[0]! : problem.x;
  try {
    const r = curveFitSync(problem.model, x, problem.y, { p0, ftol: 1e-15, xtol: 1e-15, gtol: 1e-15, maxNfev: 20_000 });
    return {
      name: problem.name, start, params: minLre(r.popt, problem.params), stddev: minLre(r.perr, problem.stddev),
      status: r.status, nfev: r.nfev,
      rss: problem.name === 'Lanczos1' ? (r.chiSquare < 1e-20 ? 11 : 0) : lre(r.chiSquare, problem.rss),
    };
  } catch (error) {
    return { name: problem.name, start, params: 0, stddev: 0, status: `threw: ${(error as Error).message.slice(0, 60)}`, nfev: 0, rss: 0 };
  }
}

describe('NIST StRD nonlinear regression (curveFitSync, lm, finite differences)', () => {
  const problems = STRD_NAMES.map((name) => parseStrd(name));
  let scores: Score[] = [];
  beforeAll(() => {
    scores = problems.flatMap((problem) => [score(problem, 1), score(problem, 2)]);
  });

  test('the table of digits of agreement', () => {
    const table = scores.map((s) => `${s.name.padEnd(9)} start ${s.start}  params ${s.params.toFixed(1).padStart(4)}  stddev ${s.stddev.toFixed(1).padStart(4)}  rss ${s.rss.toFixed(1).padStart(4)}  nfev ${String(s.nfev).padStart(5)}  ${s.status}`);
    console.log(table.join('\n'));
    expect(scores).toHaveLength(54);
  });

  test('certified parameters reach 4 digits on at least 52 of 54 fits and 6 digits on at least 47', () => {
    expect(scores.filter((s) => s.params >= 4).length).toBeGreaterThanOrEqual(52);
    expect(scores.filter((s) => s.params >= 6).length).toBeGreaterThanOrEqual(47);
  });

  test('standard errors reach 3 digits wherever the parameters reached 4', () => {
    const poor = scores.filter((s) => s.params >= 4 && s.stddev < 3).map((s) => `${s.name}/${s.start}: ${s.stddev.toFixed(2)}`);
    expect(poor).toEqual([]);
  });

  test('the residual sum of squares reaches 6 digits wherever the parameters reached 6 (Lanczos1: below 1e-20)', () => {
    const poor = scores.filter((s) => s.params >= 6 && s.rss < 6).map((s) => `${s.name}/${s.start}: ${s.rss.toFixed(2)}`);
    expect(poor).toEqual([]);
  });

  test('the parser reads the certified values and the quirks', () => {
    const nelson = problems.find((p) => p.name === 'Nelson')!;
    expect(nelson.x).toHaveLength(2);
    expect(nelson.y).toHaveLength(128);
    const misra = problems.find((p) => p.name === 'Misra1a')!;
    expect(misra.params).toEqual([238.94212918, 0.00055015643181]);
    expect(lre(1.0000001, 1)).toBeCloseTo(7, 5);
    const rat43 = problems.find((p) => p.name === 'Rat43')!;
    expect(rat43.y.length - rat43.params.length).toBe(11); // the file says 9 degrees of freedom
    expect(problems.map((p) => p.difficulty).filter((d) => d === 'higher')).toHaveLength(8);
  });
});
