/// <reference types="node" />
/**
 * Progress on stderr for the `nlsq` command, drawn with **cli-progress** (a small, dependency-free
 * terminal bar with ETA, throttled redraws and cursor handling — the same job by hand would be a
 * second copy of its redraw logic). Three shapes:
 *
 * - a pass over a file (reading it into memory, or one streaming pass): percentage of the file's
 *   bytes, points/s, ETA — one bar per pass;
 * - an in-memory solve: iteration, cost and points/s (the data walk evaluates n points per
 *   function evaluation; no percentage, the number of iterations is not known in advance);
 * - a batch: fits done of the total, fits/s, ETA.
 *
 * Nothing is drawn when stderr is not a terminal or with `--quiet` ({@link progressEnabled}), so
 * pipes and logs stay clean. cli-progress is imported only when a bar is drawn.
 *
 * @module
 */
import type { SourceChunk } from '../sources/data-source.ts';

/** A bar as this module uses it (the part of cli-progress's `SingleBar` called here). */
interface Bar {
  start(total: number, value: number, payload?: object): void;
  update(value: number, payload?: object): void;
  setTotal(total: number): void;
  stop(): void;
}

/**
 * Whether to draw progress: stderr is a terminal and `--quiet` was not given.
 *
 * @param quiet - the `--quiet` flag.
 * @returns true to draw.
 */
export function progressEnabled(quiet: boolean): boolean {
  return !quiet && process.stderr.isTTY === true;
}

function rate(count: number, since: number): string {
  const s = (performance.now() - since) / 1000;
  if (s <= 0 || count === 0) return '–';
  const r = count / s;
  return r >= 1e6 ? `${(r / 1e6).toFixed(1)}M` : r >= 1e3 ? `${(r / 1e3).toFixed(1)}k` : r.toFixed(1);
}

/** Progress of a command: passes over a file, an in-memory solve, or a batch of fits. */
export class Progress {
  private bar: Bar | null = null;
  private since = 0;
  private points = 0;
  private bytes = 0;
  private passes = 0;

  private constructor(private readonly make: (format: string) => Bar) {}

  /**
   * A progress display, or null when nothing should be drawn.
   *
   * @param enabled - from {@link progressEnabled}.
   * @returns the display, or null.
   */
  static async create(enabled: boolean): Promise<Progress | null> {
    if (!enabled) return null;
    const { SingleBar } = await import('cli-progress');
    return new Progress((format) => new SingleBar({ format, stream: process.stderr, hideCursor: true, clearOnComplete: true, etaBuffer: 20, fps: 8 }) as unknown as Bar);
  }

  private restart(format: string, total: number, payload: object): void {
    this.bar?.stop();
    this.bar = this.make(format);
    this.since = performance.now();
    this.bar.start(total, 0, payload);
  }

  /**
   * Start a pass over a file of `totalBytes` bytes.
   * @param label - e.g. `'reading'` or `'pass 3'`. @param totalBytes - the file's size.
   */
  startPass(label: string, totalBytes: number): void {
    this.points = 0;
    this.bytes = 0;
    this.restart(`${label} |{bar}| {percentage}% | {rate} points/s | ETA {eta_formatted}`, Math.max(1, totalBytes), { rate: '–' });
  }

  /** Count bytes read in the current pass. @param n - bytes. */
  addBytes(n: number): void {
    this.bytes += n;
    this.bar?.update(this.bytes, { rate: rate(this.points, this.since) });
  }

  /** Count points read in the current pass. @param n - points. */
  addPoints(n: number): void {
    this.points += n;
  }

  /**
   * Wrap a re-readable file source so that each pass starts a bar and its chunks count points.
   *
   * @param source - the file's source (its reader reports bytes to {@link addBytes}).
   * @param totalBytes - the file's size.
   * @param label - the bar's label (default `pass N`).
   * @returns the same source, counting.
   */
  trackPasses(source: AsyncIterable<SourceChunk>, totalBytes: number, label?: string): AsyncIterable<SourceChunk> {
    const self = this;
    return {
      async *[Symbol.asyncIterator]() {
        self.startPass(label ?? `pass ${++self.passes}`, totalBytes);
        for await (const chunk of source) {
          self.addPoints(chunk.y.length);
          yield chunk;
        }
      },
    };
  }

  /** Start the in-memory solve display. @param n - points per function evaluation. */
  startSolve(n: number): void {
    this.points = n;
    this.restart('fitting | iteration {value} | cost {cost} | {rate} points/s', 1e9, { cost: '–', rate: '–' });
  }

  /** One solver iteration. @param iteration - its number. @param cost - the cost. @param nfev - evaluations so far. */
  iteration(iteration: number, cost: number, nfev: number): void {
    this.bar?.update(iteration, { cost: cost.toPrecision(6), rate: rate(this.points * nfev, this.since) });
  }

  /** Start a batch display. @param total - the number of fits. */
  startBatch(total: number): void {
    this.restart('fits |{bar}| {value}/{total} | {rate} fits/s | ETA {eta_formatted}', total, { rate: '–' });
  }

  /** A batch fit finished. @param done - fits done so far. */
  fitDone(done: number): void {
    this.bar?.update(done, { rate: rate(done, this.since) });
  }

  /** Remove the bar. */
  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }
}
