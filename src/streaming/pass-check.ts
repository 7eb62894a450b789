/**
 * Every completed pass of a streaming fit recorded in its context and checked: a pass that read
 * the whole source must read as many points as the first full pass did (a re-readable source
 * must yield the same data on every pass; a source that changes is an error, never a silently
 * different problem).
 *
 * @module
 */
import { DataSourceError } from '../errors.ts';
import type { StreamingContext } from './streaming-context.ts';

/**
 * Record a completed pass of n points (checking m when the pass was full) and report progress.
 *
 * @param ctx - the fit's context (counters updated).
 * @param n - points read by the pass.
 * @param full - whether the pass read the whole source.
 * @param phase - which phase the pass belongs to.
 * @param cost - the cost reported to `onProgress`.
 * @throws DataSourceError for an empty pass or a full pass whose point count differs from m.
 */
export function completePass(ctx: StreamingContext, n: number, full: boolean, phase: 'warmup' | 'exact', cost: number): void {
  if (n === 0) throw new DataSourceError(`${ctx.caller}: source yielded no data points (no chunks, or only empty ones)`);
  ctx.passes++;
  ctx.pointsSeen += n;
  if (full) {
    if (ctx.m !== null && ctx.m !== n) {
      throw new DataSourceError(
        `${ctx.caller}: source yielded ${n} points on pass ${ctx.passes} but ${ctx.m} before; a re-readable source must yield the same data on every pass`,
      );
    }
    ctx.m = n;
  }
  ctx.onProgress?.({ phase, pass: ctx.passes, pointsSeen: ctx.pointsSeen, cost });
}
