/**
 * Every pass of a streaming fit sees the same data, or the fit fails: each completed pass is
 * recorded in the context and checked against the first full pass.
 *
 * A pass that reads the whole source — a warm-up epoch that ran to the end, the guard pass, every
 * exact pass, the statistics pass at popt — takes a fingerprint (`pass-fingerprint.ts`) of what
 * it read: the number of points m and the sums Σy, Σx_j (each variable) and Σw (w = 1/σ, 1
 * without σ), each a Neumaier-compensated sum over the points in source order. The first full
 * pass is the reference (when a fit resumes from a checkpoint, m is checked against the
 * checkpoint's and the sums against the first full pass after the resume). A later full pass with
 * another m, or with a sum that differs from the reference by more than `FINGERPRINT_RTOL`·Σ|v|,
 * is a `DataSourceError` naming the pass and both values.
 *
 * Why sums and not a hash: they cost one compensated addition per value (nothing next to the
 * model evaluation and the fold), and they do not depend on how the points are chunked. The
 * compensated sum of the same values in another order differs by at most about 2ε·Σ|v|, so a
 * source that reorders its points between passes (the same least-squares problem) passes, while a
 * changed value is caught once the change exceeds 10⁻¹³·Σ|v|. A change below that, or two changes
 * that cancel in every sum, is not detected: the check guards against sources that truncate,
 * duplicate, drop or rewrite data between passes, not against adversarial ones.
 *
 * @module
 */
import { DataSourceError } from '../errors.ts';
import { type ChunkNormalizer, type NormalizedChunk, readPass } from '../sources/data-source.ts';
import { PassFingerprint } from './pass-fingerprint.ts';
import type { StreamingContext } from './streaming-context.ts';

/** Which pass read the data (named in the error message). */
export type PassKind = 'warm-up epoch' | 'guard pass' | 'exact pass' | 'statistics pass';

/**
 * Check a full pass against the first full pass (or make it the reference if it is the first).
 *
 * @param ctx - the fit's context (its m and reference fingerprint).
 * @param print - what the pass read.
 * @param kind - which pass it was.
 * @param pass - its 1-based number over the fit, or null for a pass not counted (statistics).
 * @throws DataSourceError naming the pass and both point counts, or the sum that changed.
 */
export function checkFullPass(ctx: StreamingContext, print: PassFingerprint, kind: PassKind, pass: number | null): void {
  const n = print.points;
  const which = `${kind}${pass === null ? '' : ` (pass ${pass})`}`;
  const rule = 'a re-readable source must yield the same data on every pass';
  if (ctx.m !== null && ctx.m !== n) {
    throw new DataSourceError(`${ctx.caller}: source yielded ${n} points on the ${which} but ${ctx.m} on the first full pass; ${rule}`);
  }
  ctx.m = n;
  if (ctx.reference === null) {
    ctx.reference = print;
    return;
  }
  const diff = print.differenceFrom(ctx.reference);
  if (diff !== null) {
    throw new DataSourceError(`${ctx.caller}: source yielded the same ${n} points on the ${which} but other values (${diff}); ${rule}`);
  }
}

/**
 * Record a completed pass (counting it, checking it when it was full) and report progress.
 *
 * @param ctx - the fit's context (counters updated).
 * @param print - what the pass read.
 * @param full - whether the pass read the whole source.
 * @param kind - which pass it was.
 * @param cost - the cost reported to `onProgress`.
 * @throws DataSourceError for an empty pass, or a full pass whose data differ from the first full pass's.
 */
export function completePass(ctx: StreamingContext, print: PassFingerprint, full: boolean, kind: Exclude<PassKind, 'statistics pass'>, cost: number): void {
  const n = print.points;
  if (n === 0) throw new DataSourceError(`${ctx.caller}: source yielded no data points (no chunks, or only empty ones)`);
  ctx.passes++;
  ctx.pointsSeen += n;
  if (full) checkFullPass(ctx, print, kind, ctx.passes);
  ctx.onProgress?.({ phase: kind === 'exact pass' ? 'exact' : 'warmup', pass: ctx.passes, pointsSeen: ctx.pointsSeen, cost });
}

/**
 * Read one pass over the source, fingerprinting every chunk before `visit` sees it — the one
 * reading loop of the warm-up epochs, the guard pass and the statistics pass (the exact passes
 * fingerprint through the streaming problem's chunk hook). Check the fingerprint with
 * {@link checkFullPass} when the pass was read to its end.
 *
 * @param ctx - the fit's context (source, signal, caller, the model's number of variables).
 * @param normalizer - the chunk validator.
 * @param visit - sees each validated chunk; returning false stops the pass early.
 * @returns the fingerprint of what was read.
 * @throws DataSourceError on a bad chunk; AbortError on abort; whatever `visit` throws.
 */
export async function fingerprintedPass(
  ctx: StreamingContext,
  normalizer: ChunkNormalizer,
  visit: (chunk: NormalizedChunk) => void | boolean,
): Promise<PassFingerprint> {
  const print = new PassFingerprint(ctx.kernel.nVariables);
  await readPass(
    await ctx.source.open(),
    normalizer,
    (chunk) => {
      print.add(chunk);
      return visit(chunk);
    },
    ctx.signal,
    ctx.caller,
  );
  return print;
}
