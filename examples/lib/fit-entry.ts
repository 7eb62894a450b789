/**
 * ─── THE ONE PLACE TO SWITCH THE DEMO'S FITTING ENTRY POINT ─────────────────────────────────
 *
 * The demo fits through the workflow's `fit()` (src/workflow/fit.ts: `fit(model, x, y,
 * { p0, workflow: 'auto' })` → popt, perr, strategy, backend, reason). Where that module is not
 * present in this checkout, it falls back to `curveFit` (src/curve-fit.ts), whose result has the
 * same fields. To pin one, change {@link PREFERRED} below.
 */
import { curveFit } from '../../src/curve-fit.ts';

/** The module the demo prefers; set to null to always use curveFit. */
const PREFERRED: string | null = '../../src/workflow/fit.ts';

/** What the demo reads from a fit result. */
export interface DemoFitResult {
  readonly popt: readonly number[];
  readonly perr: readonly number[];
  readonly strategy: string;
  readonly backend: string;
  readonly reason: string;
}

/** A fitting function with the shape the demo calls. */
export type DemoFit = (
  model: (x: number, ...params: number[]) => number,
  x: readonly number[],
  y: readonly number[],
  options: { readonly p0: readonly number[]; readonly workflow: 'auto' },
) => Promise<DemoFitResult>;

/**
 * Resolve the entry point: `fit` from {@link PREFERRED} when it loads and exports one, else `curveFit`.
 * @returns the function and its name for the printout.
 */
export async function fitEntryPoint(): Promise<{ name: string; fit: DemoFit }> {
  let why = 'no preferred entry point set';
  if (PREFERRED !== null) {
    try {
      const mod = (await import(PREFERRED)) as { fit?: unknown };
      if (typeof mod.fit === 'function') return { name: `fit() [${PREFERRED.replace('../../', '')}]`, fit: mod.fit as DemoFit };
      why = `${PREFERRED.replace('../../', '')} exports no fit()`;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      why = code === 'ERR_MODULE_NOT_FOUND' ? `${PREFERRED.replace('../../', '')} not present` : `${PREFERRED.replace('../../', '')} failed to load: ${(error as Error).message}`;
    }
  }
  const viaCurveFit: DemoFit = async (model, x, y, options) => {
    // curveFit has no `workflow` option; its plan is the standard strategy on the resolved backend.
    const r = await curveFit(model, x, y, { p0: [...options.p0] });
    return { popt: r.popt, perr: r.perr, strategy: r.strategy, backend: r.backend, reason: r.reason };
  };
  return { name: `curveFit() [src/curve-fit.ts; ${why}]`, fit: viaCurveFit };
}
