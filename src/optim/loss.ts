/**
 * Robust loss functions ρ(z) of z = f², as in SciPy's `least_squares`.
 *
 * The cost is C = ½ Σ ρ(f_i²). With a scale C_s (`fScale`) SciPy evaluates
 * ρ_s(z) = C_s² ρ(z / C_s²), so ρ_s' = ρ'(z/C_s²) and ρ_s'' = ρ''(z/C_s²)/C_s². Built-ins:
 *
 * | name      | ρ(z)                         | ρ'(z)            | ρ''(z)               |
 * |-----------|------------------------------|------------------|----------------------|
 * | linear    | z                            | 1                | 0                    |
 * | soft_l1   | 2(√(1+z) − 1)                | (1+z)^−½         | −½(1+z)^−³ᐟ²         |
 * | huber     | z (z ≤ 1), 2√z − 1           | 1, z^−½          | 0, −½ z^−³ᐟ²         |
 * | cauchy    | ln(1+z)                      | 1/(1+z)          | −1/(1+z)²            |
 * | arctan    | arctan(z)                    | 1/(1+z²)         | −2z/(1+z²)²          |
 *
 * The minimizer works on the scaled problem of Triggs et al. ("Bundle adjustment — a modern
 * synthesis", 2000, §4.3), exactly as SciPy's `scale_for_robust_loss_function`:
 * s_i = √max(ρ'_i + 2ρ''_i f_i², ε), J_i ← s_i J_i, f_i ← (ρ'_i / s_i) f_i.
 *
 * @module
 */
import { NlsqRangeError, NlsqTypeError } from '../errors.ts';

/** Names of the built-in losses (SciPy's). */
export type LossName = 'linear' | 'soft_l1' | 'huber' | 'cauchy' | 'arctan';

/** A user loss: returns [ρ(z), ρ'(z), ρ''(z)] at z = f² (unscaled; `fScale` is applied around it). */
export type LossFunction = (z: number) => readonly [number, number, number];

/** A resolved, scaled loss. */
export interface Loss {
  /** The loss name (`'custom'` for a user function). */
  readonly name: string;
  /** Write ρ_s(z), ρ_s'(z), ρ_s''(z) (scale applied) into out[0..2], for z = f². */
  rho(z: number, out: Float64Array): void;
}

/** The built-in loss names, for messages. */
export const LOSS_NAMES: readonly LossName[] = ['linear', 'soft_l1', 'huber', 'cauchy', 'arctan'];

type RawLoss = (z: number, out: Float64Array) => void;

const RAW: Readonly<Record<Exclude<LossName, 'linear'>, RawLoss>> = {
  soft_l1(z, out) {
    const t = 1 + z;
    const s = Math.sqrt(t);
    out[0] = 2 * (s - 1);
    out[1] = 1 / s;
    out[2] = -0.5 / (t * s);
  },
  huber(z, out) {
    if (z <= 1) {
      out[0] = z;
      out[1] = 1;
      out[2] = 0;
    } else {
      const s = Math.sqrt(z);
      out[0] = 2 * s - 1;
      out[1] = 1 / s;
      out[2] = -0.5 / (z * s);
    }
  },
  cauchy(z, out) {
    const t = 1 + z;
    out[0] = Math.log1p(z);
    out[1] = 1 / t;
    out[2] = -1 / (t * t);
  },
  arctan(z, out) {
    const t = 1 + z * z;
    out[0] = Math.atan(z);
    out[1] = 1 / t;
    out[2] = (-2 * z) / (t * t);
  },
};

/**
 * Resolve a loss option into a scaled {@link Loss}, or `null` for the linear loss (the fast path).
 *
 * @param loss - a built-in name or a function returning [ρ, ρ', ρ''].
 * @param fScale - the soft margin C_s > 0 between inlier and outlier residuals.
 * @param caller - function name for error messages.
 * @throws NlsqRangeError for an unknown name or fScale ≤ 0.
 */
export function resolveLoss(loss: LossName | LossFunction, fScale: number, caller = 'curveFit'): Loss | null {
  if (!(typeof fScale === 'number' && fScale > 0 && Number.isFinite(fScale))) {
    throw new NlsqRangeError(`${caller}: fScale must be a positive finite number, got ${String(fScale)}`, 'fScale');
  }
  if (typeof loss === 'function') return scaled('custom', customRaw(loss, caller), fScale);
  if (typeof loss !== 'string') {
    throw new NlsqTypeError(`${caller}: loss must be one of ${LOSS_NAMES.join(', ')} or a function, got ${typeof loss}`, 'loss');
  }
  if (loss === 'linear') return null;
  const raw = RAW[loss as Exclude<LossName, 'linear'>];
  if (raw === undefined) {
    throw new NlsqRangeError(`${caller}: loss must be one of ${LOSS_NAMES.join(', ')} or a function, got ${JSON.stringify(loss)}`, 'loss');
  }
  return scaled(loss, raw, fScale);
}

function customRaw(fn: LossFunction, caller: string): RawLoss {
  return (z, out) => {
    const r = fn(z);
    if (r === null || typeof r !== 'object' || r.length !== 3) {
      throw new NlsqTypeError(`${caller}: a loss function must return [rho, rho', rho''] (3 numbers), got ${String(r)}`, 'loss');
    }
    out[0] = r[0];
    out[1] = r[1];
    out[2] = r[2];
  };
}

function scaled(name: string, raw: RawLoss, fScale: number): Loss {
  const c2 = fScale * fScale;
  if (c2 === 1) return { name, rho: raw };
  const inv = 1 / c2;
  return {
    name,
    rho(z, out) {
      raw(z * inv, out);
      out[0] = out[0]! * c2;
      out[2] = out[2]! * inv;
    },
  };
}

/** The floor ε of SciPy's row scale: s = √max(ρ' + 2ρ''f², ε). */
const SCALE_FLOOR = 2.220446049250313e-16;

/**
 * Apply a robust loss to a block of rows in place and return its cost ½ Σ ρ(f_i²) — SciPy's
 * `scale_for_robust_loss_function` (Triggs et al. 2000, §4.3), the one home of the row scaling:
 *
 * ```
 *   s_i = √max(ρ'_i + 2ρ''_i f_i², ε),   J_i ← s_i J_i,   f_i ← f_i ρ'_i / s_i
 * ```
 *
 * Residual i is `f[fAt + i·fStride]`; its Jacobian row is `J[i·jStride … i·jStride + p − 1]`
 * (so a row-major block [J | f] of width c is `J = f = A`, `fAt = p`, `fStride = jStride = c`).
 * With `J === null` only the cost is computed and `f` is left as it is (a cost-only pass).
 * ρ is summed in row order, so the cost is the same to the bit wherever the rows come from.
 *
 * @param loss - the scaled loss.
 * @param rows - number of residuals.
 * @param f - the residuals (scaled in place when `J` is given).
 * @param fAt - index of the first residual in `f`.
 * @param fStride - distance between residuals in `f`.
 * @param J - the Jacobian rows to scale in place, or null for the cost alone.
 * @param jStride - distance between Jacobian rows in `J`.
 * @param p - number of parameters (Jacobian columns).
 * @param rho - scratch of length 3 for [ρ, ρ', ρ''].
 * @returns ½ Σ ρ(f_i²) over the rows.
 */
export function applyRobustLoss(
  loss: Loss,
  rows: number,
  f: Float64Array,
  fAt: number,
  fStride: number,
  J: Float64Array | null,
  jStride: number,
  p: number,
  rho: Float64Array,
): number {
  let s = 0;
  if (J === null) {
    for (let i = 0, q = fAt; i < rows; i++, q += fStride) {
      const r = f[q]!;
      loss.rho(r * r, rho);
      s += rho[0]!;
    }
    return 0.5 * s;
  }
  for (let i = 0, q = fAt, row = 0; i < rows; i++, q += fStride, row += jStride) {
    const r = f[q]!;
    loss.rho(r * r, rho);
    s += rho[0]!;
    const t = rho[1]! + 2 * rho[2]! * r * r;
    const scale = Math.sqrt(t < SCALE_FLOOR ? SCALE_FLOOR : t);
    for (let j = row, end = row + p; j < end; j++) J[j] = J[j]! * scale;
    f[q] = (r * rho[1]!) / scale;
  }
  return 0.5 * s;
}
