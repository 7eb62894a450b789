/**
 * Linear and polynomial models; their starting values are the exact linear least-squares fit.
 *
 * @module
 */

import { NlsqRangeError, describeValue } from '../../errors.ts';
import { Model } from '../model.ts';
import { libraryOptions, type LibraryModelOptions } from './library-options.ts';
import { linearLeastSquares, sortByX } from './estimate.ts';

const UNBOUNDED = (p: number): [number[], number[]] => [new Array<number>(p).fill(-Infinity), new Array<number>(p).fill(Infinity)];

/** Coefficients c_0 … c_d of the least-squares polynomial of degree d. */
function polyFit(x: ArrayLike<number>, y: ArrayLike<number>, degree: number, caller: string): number[] {
  const d = sortByX(x, y, caller, degree + 1);
  // Centre and scale x for conditioning, then expand back to powers of x.
  const lo = d.x[0]!;
  const hi = d.x[d.x.length - 1]!;
  const mid = 0.5 * (lo + hi);
  const half = hi > lo ? 0.5 * (hi - lo) : 1;
  const t = Float64Array.from(d.x, (v) => (v - mid) / half);
  const cols = Array.from({ length: degree + 1 }, (_, k) => Float64Array.from(t, (v) => v ** k));
  const b = linearLeastSquares(cols, d.y);
  // p(x) = Σ b_k ((x − mid)/half)^k: expand with the binomial theorem.
  const c = new Array<number>(degree + 1).fill(0);
  for (let k = 0; k <= degree; k++) {
    let binom = 1;
    for (let i = 0; i <= k; i++) {
      c[i] = c[i]! + b[k]! * binom * (-mid) ** (k - i) / half ** k;
      binom = (binom * (k - i)) / (i + 1);
    }
  }
  return c.map((v) => (Number.isFinite(v) ? v : 0));
}

/**
 * The straight line `a*x + b`.
 *
 * `estimateP0` returns the ordinary least-squares line (the exact solution).
 * @returns the model (params a, b).
 */
export function linear(options: LibraryModelOptions = {}): Model {
  return new Model('a*x + b', {
    ...libraryOptions('models.linear', options),
    name: 'linear',
    params: ['a', 'b'],
    estimateP0: (x, y) => {
      const [c0, c1] = polyFit(x[0]!, y, 1, 'models.linear.estimateP0');
      return [c1!, c0!];
    },
    defaultBounds: UNBOUNDED(2),
  });
}

/**
 * The polynomial `c0 + c1*x + … + cd*x^d`.
 *
 * `estimateP0` returns the least-squares polynomial (exact, computed on centred and scaled x).
 * @param degree - d, an integer from 0 to 20.
 * @returns the model (params c0 … cd).
 * @throws NlsqRangeError when degree is not an integer in [0, 20].
 */
export function polynomial(degree: number, options: LibraryModelOptions = {}): Model {
  if (!Number.isInteger(degree) || degree < 0 || degree > 20) {
    throw new NlsqRangeError(`models.polynomial: degree must be an integer from 0 to 20, got ${describeValue(degree)}`, 'degree');
  }
  const params = Array.from({ length: degree + 1 }, (_, k) => `c${k}`);
  const terms = params.map((p, k) => (k === 0 ? p : k === 1 ? `${p}*x` : `${p}*x^${k}`));
  return new Model(terms.join(' + '), {
    ...libraryOptions('models.polynomial', options),
    name: `polynomial(${degree})`,
    params,
    estimateP0: (x, y) => polyFit(x[0]!, y, degree, 'models.polynomial.estimateP0'),
    defaultBounds: UNBOUNDED(degree + 1),
  });
}
