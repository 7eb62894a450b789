/**
 * The small problems of scripts/fixtures/least-squares.py, defined identically (residuals and
 * analytic Jacobians), with the data arrays read from the fixture so both sides use the same
 * doubles. Also the fixture's types and a helper turning a case into resolved SolverOptions.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SolverOptions } from '../../src/optim/solver-options.ts';
import type { DenseSpec } from './dense-problem.ts';

/** One fixture case (least_squares or leastsq). */
export interface ScipyCase {
  readonly name: string;
  readonly api: 'least_squares' | 'leastsq';
  readonly problem: string;
  readonly method: 'trf' | 'dogbox' | 'lm';
  readonly x0: number[];
  readonly lb?: (number | null)[];
  readonly ub?: (number | null)[];
  readonly ftol: number;
  readonly xtol: number;
  readonly gtol: number;
  readonly max_nfev: number | null;
  readonly x_scale?: 'jac' | number[] | null;
  readonly loss?: 'linear' | 'soft_l1' | 'huber' | 'cauchy' | 'arctan';
  readonly f_scale?: number;
  readonly x: number[];
  readonly cost: number;
  readonly nfev: number;
  readonly njev?: number | null;
  readonly status: number;
  readonly optimality?: number;
  readonly active_mask?: number[];
  readonly grad?: number[];
}

/** The fixture file. */
export interface ScipyFixture {
  readonly scipy: string;
  readonly data: { t_exp: number[]; y_exp: number[]; y_out: number[]; t_box: number[]; y_beale: number[] };
  readonly cases: ScipyCase[];
}

/** Load test/fixtures/scipy/least-squares.json. */
export function loadFixture(): ScipyFixture {
  const path = fileURLToPath(new URL('../fixtures/scipy/least-squares.json', import.meta.url));
  return JSON.parse(readFileSync(path, 'utf8')) as ScipyFixture;
}

function spec(p: number, m: number, fun: DenseSpec['fun'], jac: DenseSpec['jac']): DenseSpec {
  return { p, m, fun, jac };
}

function expfit(t: number[], y: number[]): DenseSpec {
  return spec(
    3,
    t.length,
    (x, out) => {
      for (let i = 0; i < t.length; i++) out[i] = x[0]! * Math.exp(-x[1]! * t[i]!) + x[2]! - y[i]!;
    },
    (x, out) => {
      for (let i = 0; i < t.length; i++) {
        const e = Math.exp(-x[1]! * t[i]!);
        out[i * 3] = e;
        out[i * 3 + 1] = -x[0]! * t[i]! * e;
        out[i * 3 + 2] = 1;
      }
    },
  );
}

/** The named problems of the fixture. */
export function problems(fx: ScipyFixture): Record<string, DenseSpec> {
  const { t_exp, y_exp, y_out, t_box, y_beale } = fx.data;
  return {
    wide: spec(
      3,
      2,
      (x, o) => o.set([x[0]! + x[1]! ** 2 - 2, Math.sin(x[2]!) - 0.5 + 0.1 * x[0]!]),
      (x, o) => o.set([1, 2 * x[1]!, 0, 0.1, 0, Math.cos(x[2]!)]),
    ),
    sqrtnan: spec(
      2,
      2,
      (x, o) => o.set([Math.sqrt(x[0]!) - 0.1, x[1]! - 1 + 0.1 * x[0]!]),
      (x, o) => o.set([0.5 / Math.sqrt(x[0]!), 0, 0.1, 1]),
    ),
    rosenbrock: spec(
      2,
      2,
      (x, o) => {
        o[0] = 10 * (x[1]! - x[0]! ** 2);
        o[1] = 1 - x[0]!;
      },
      (x, o) => o.set([-20 * x[0]!, 10, -1, 0]),
    ),
    expfit: expfit(t_exp, y_exp),
    'expfit-outliers': expfit(t_exp, y_out),
    powell: spec(
      2,
      2,
      (x, o) => {
        o[0] = 1e4 * x[0]! * x[1]! - 1;
        o[1] = Math.exp(-x[0]!) + Math.exp(-x[1]!) - 1.0001;
      },
      (x, o) => o.set([1e4 * x[1]!, 1e4 * x[0]!, -Math.exp(-x[0]!), -Math.exp(-x[1]!)]),
    ),
    brown: spec(
      2,
      3,
      (x, o) => o.set([x[0]! - 1e6, x[1]! - 2e-6, x[0]! * x[1]! - 2]),
      (x, o) => o.set([1, 0, 0, 1, x[1]!, x[0]!]),
    ),
    beale: spec(
      2,
      3,
      (x, o) => {
        for (let i = 1; i <= 3; i++) o[i - 1] = y_beale[i - 1]! - x[0]! * (1 - x[1]! ** i);
      },
      (x, o) => {
        for (let i = 1; i <= 3; i++) {
          o[(i - 1) * 2] = -(1 - x[1]! ** i);
          o[(i - 1) * 2 + 1] = x[0]! * i * x[1]! ** (i - 1);
        }
      },
    ),
    box3d: spec(
      3,
      t_box.length,
      (x, o) => {
        for (let i = 0; i < t_box.length; i++) {
          const t = t_box[i]!;
          o[i] = Math.exp(-t * x[0]!) - Math.exp(-t * x[1]!) - x[2]! * (Math.exp(-t) - Math.exp(-10 * t));
        }
      },
      (x, o) => {
        for (let i = 0; i < t_box.length; i++) {
          const t = t_box[i]!;
          o[i * 3] = -t * Math.exp(-t * x[0]!);
          o[i * 3 + 1] = t * Math.exp(-t * x[1]!);
          o[i * 3 + 2] = -(Math.exp(-t) - Math.exp(-10 * t));
        }
      },
    ),
  };
}

/** Resolve a fixture case into the SolverOptions the public layer would produce. */
export function caseOptions(c: ScipyCase): SolverOptions {
  const p = c.x0.length;
  const lb = Float64Array.from(c.lb ?? c.x0.map(() => null), (v) => (v === null ? -Infinity : v));
  const ub = Float64Array.from(c.ub ?? c.x0.map(() => null), (v) => (v === null ? Infinity : v));
  const xs = c.x_scale ?? null;
  const xScale = xs === 'jac' || (xs === null && c.method === 'lm') ? 'jac' : Float64Array.from(xs ?? c.x0.map(() => 1));
  return {
    method: c.method,
    x0: Float64Array.from(c.x0),
    lb,
    ub,
    ftol: c.ftol,
    xtol: c.xtol,
    gtol: c.gtol,
    maxNfev: c.max_nfev ?? 100 * p,
    xScale,
    jacobianCostsNfev: c.api === 'leastsq' ? p : 0,
  };
}
