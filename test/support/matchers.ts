/**
 * Custom vitest matchers of the suite, registered for every test file by `test/setup-matchers.ts`.
 *
 * `toBeAllclose(expected, { rtol, atol, equalNan })` is NumPy's `assert_allclose`-style check
 * (numpy.isclose): element by element |actual − expected| ≤ atol + rtol·|expected|, with NumPy's
 * defaults rtol = 1e-5, atol = 1e-8. Infinities must match exactly (same sign); NaN matches NaN
 * only with `equalNan`. `actual` and `expected` may be numbers, flat or nested arrays, or typed
 * arrays; their shapes must agree, except that a scalar `expected` is compared with every element
 * (NumPy broadcasting of a scalar). The failure message names the worst element, its index and
 * both errors.
 *
 * @module
 */
import { expect } from 'vitest';

/** Options of {@link toBeAllclose}. */
export interface AllcloseOptions {
  /** Relative tolerance (default 1e-5, NumPy's). */
  readonly rtol?: number;
  /** Absolute tolerance (default 1e-8, NumPy's). */
  readonly atol?: number;
  /** Whether NaN equals NaN (default false, NumPy's). */
  readonly equalNan?: boolean;
}

/** A number, or a (possibly nested) array of them. */
export type Numeric = number | ArrayLike<unknown>;

interface Flat {
  readonly values: number[];
  readonly shape: number[];
}

function flatten(value: unknown, what: string): Flat {
  if (typeof value === 'number') return { values: [value], shape: [] };
  if (value === null || typeof value !== 'object' || typeof (value as ArrayLike<unknown>).length !== 'number') {
    throw new TypeError(`toBeAllclose: ${what} must be a number or an array of numbers, got ${String(value)}`);
  }
  const items = Array.from(value as ArrayLike<unknown>);
  const parts = items.map((v, i) => flatten(v, `${what}[${i}]`));
  const inner = parts[0]?.shape ?? [];
  for (const [i, part] of parts.entries()) {
    if (part.shape.join('×') !== inner.join('×')) {
      throw new TypeError(`toBeAllclose: ${what} is ragged: element ${i} has shape [${part.shape.join(', ')}], element 0 [${inner.join(', ')}]`);
    }
  }
  return { values: parts.flatMap((p) => p.values), shape: [items.length, ...inner] };
}

/** Multi-index of flat position `k` in `shape`, as `[i][j]…` text. */
function indexText(k: number, shape: readonly number[]): string {
  const idx: number[] = [];
  let rest = k;
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(rest % shape[d]!);
    rest = Math.floor(rest / shape[d]!);
  }
  return idx.map((i) => `[${i}]`).join('');
}

/** numpy.isclose for one pair. */
export function isClose(a: number, e: number, rtol: number, atol: number, equalNan: boolean): boolean {
  if (Number.isNaN(a) || Number.isNaN(e)) return equalNan && Number.isNaN(a) && Number.isNaN(e);
  if (!Number.isFinite(a) || !Number.isFinite(e)) return a === e;
  return Math.abs(a - e) <= atol + rtol * Math.abs(e);
}

/**
 * The matcher: pass when every element of `received` is close to `expected` (see the module doc).
 *
 * @param received - the actual values.
 * @param expected - the reference values (or one number for all).
 * @param options - tolerances.
 */
export function toBeAllclose(received: unknown, expected: Numeric, options: AllcloseOptions = {}): { pass: boolean; message: () => string } {
  const rtol = options.rtol ?? 1e-5;
  const atol = options.atol ?? 1e-8;
  const equalNan = options.equalNan ?? false;
  const got = flatten(received, 'actual');
  const want = flatten(expected, 'expected');
  const scalar = want.shape.length === 0;
  if (!scalar && got.shape.join('×') !== want.shape.join('×')) {
    return { pass: false, message: () => `expected shape [${want.shape.join(', ')}], got [${got.shape.join(', ')}]` };
  }
  let bad = 0;
  let worst = -1;
  let worstExcess = -Infinity;
  for (let k = 0; k < got.values.length; k++) {
    const a = got.values[k]!;
    const e = scalar ? want.values[0]! : want.values[k]!;
    if (isClose(a, e, rtol, atol, equalNan)) continue;
    bad++;
    const excess = Number.isFinite(a - e) ? Math.abs(a - e) - (atol + rtol * Math.abs(e)) : Infinity;
    if (worst < 0 || excess > worstExcess) {
      worst = k;
      worstExcess = excess;
    }
  }
  const tol = `rtol = ${rtol}, atol = ${atol}`;
  if (bad === 0) return { pass: true, message: () => `expected values not all close (${tol}), but all ${got.values.length} were` };
  const a = got.values[worst]!;
  const e = scalar ? want.values[0]! : want.values[worst]!;
  const rel = Math.abs(a - e) / Math.abs(e);
  return {
    pass: false,
    message: () =>
      `expected all close (${tol}): ${bad} of ${got.values.length} differ; worst at ${indexText(worst, got.shape) || '(scalar)'}: ` +
      `got ${a}, expected ${e} (|Δ| = ${Math.abs(a - e)}, relative ${rel})`,
  };
}

/** Register the suite's matchers with vitest's `expect`. */
export function registerMatchers(): void {
  expect.extend({ toBeAllclose });
}

declare module 'vitest' {
  interface Matchers<T = any> {
    /** Every element close to `expected`: |a − e| ≤ atol + rtol·|e| (numpy.isclose; defaults rtol 1e-5, atol 1e-8). */
    toBeAllclose(expected: Numeric, options?: AllcloseOptions): T;
  }
}
