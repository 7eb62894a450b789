/**
 * Profile-likelihood intervals against lmfit 1.1's `conf_interval` (F test): the fixtures hold
 * lmfit's own ends (good to its root finder's rtol = 5e-5) and the same crossings found tightly
 * with lmfit's probability function (scripts/fixtures/lmfit-conf-interval.py).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { curveFit } from '../../src/curve-fit.ts';
import { model } from '../../src/model/model.ts';
import type { ParamInput } from '../../src/model/params.ts';

interface Row { readonly prob: number; readonly lmfit: [number, number]; readonly tight: [number, number] }
interface Case {
  readonly name: string;
  readonly expression: string;
  readonly params: Record<string, ParamInput>;
  readonly x: number[];
  readonly y: number[];
  readonly best: Record<string, number>;
  readonly stderr: Record<string, number>;
  readonly chisqr: number;
  readonly nfree: number;
  readonly intervals: Record<string, Row[]>;
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/lmfit/conf-interval.json', import.meta.url), 'utf8')) as { cases: Case[] };

describe('profile intervals match lmfit conf_interval', () => {
  for (const c of fixture.cases) {
    it(c.name, async () => {
      const r = await curveFit(model(c.expression), c.x, c.y, { params: c.params, ftol: 1e-13, xtol: 1e-13 });
      expect(r.chiSquare).toBeCloseTo(c.chisqr, 10);
      expect(r.dof).toBe(c.nfree);
      for (const [name, rows] of Object.entries(c.intervals)) {
        for (const row of rows) {
          const pr = await r.profile(name, { level: row.prob });
          const half = pr.covarianceHalfWidth;
          expect(pr.lowerEnd).toBe('crossed');
          expect(pr.upperEnd).toBe('crossed');
          // The tight reference: the crossing to 1e-8 of the covariance half-width (measured: 1e-13).
          expect(Math.abs(pr.lower - row.tight[0]) / half).toBeLessThan(1e-8);
          expect(Math.abs(pr.upper - row.tight[1]) / half).toBeLessThan(1e-8);
          // lmfit's own numbers, to its root finder's rtol (5e-5 relative).
          expect(Math.abs(pr.lower - row.lmfit[0])).toBeLessThan(5e-5 * Math.abs(row.lmfit[0]));
          expect(Math.abs(pr.upper - row.lmfit[1])).toBeLessThan(5e-5 * Math.abs(row.lmfit[1]));
        }
      }
    });
  }
});
