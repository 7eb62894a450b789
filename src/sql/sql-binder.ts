/**
 * Bound query parameters of a generated statement. Every value — the model parameters θ, the
 * column scales, the caller's `whereParams` — travels as a bound parameter, never as SQL text.
 *
 * Values live in *slots*: slots 0 … w−1 are the caller's `whereParams` (the caller's `where`
 * text names them with the dialect's own placeholders, `$1` … `$w` in DuckDB and PostgreSQL),
 * later slots are the generator's. A numbered or named dialect writes each slot once and reuses
 * it (slots used by the generator get positions w, w+1, … in order of first use, so a statement
 * binds exactly the parameters it names); a positional (`?`) dialect writes a new placeholder at
 * every use, and the caller's `whereParams` follow in order where the `where` text is placed.
 *
 * @module
 */
import type { SqlDialect } from './dialects/sql-dialect.ts';

/** A statement's text and how to build its parameter array from the slot values. */
export interface BoundStatement {
  /** The SQL text. */
  readonly text: string;
  /** The slot read for each position of the parameter array. */
  readonly slots: readonly number[];
}

const SLOT = '\u0001';
const WHERE = '\u0002';

/**
 * Collects the placeholders of one statement (see the module documentation). Generated text
 * holds slot markers until {@link SqlBinder.finish}, which numbers the placeholders in the order
 * they appear in the finished text (what a positional dialect needs, however the text was built).
 */
export class SqlBinder {
  readonly #dialect: SqlDialect;
  readonly #whereCount: number;

  /**
   * @param dialect - the target dialect.
   * @param whereCount - number of `whereParams` (slots 0 … whereCount − 1).
   */
  constructor(dialect: SqlDialect, whereCount: number) {
    this.#dialect = dialect;
    this.#whereCount = whereCount;
  }

  /** A placeholder for a generator slot (≥ whereCount), cast to DOUBLE. */
  double(slot: number): string {
    return `CAST(${SLOT}${slot}${SLOT} AS ${this.#dialect.doubleType})`;
  }

  /** A placeholder for a generator slot, cast to the dialect's text type (group keys). */
  text(slot: number): string {
    return `CAST(${SLOT}${slot}${SLOT} AS ${this.#dialect.stringType})`;
  }

  /**
   * The caller's `where` text (trusted SQL; it must not contain the control characters U+0001 or
   * U+0002, which the caller's validation rejects), marking where its parameters bind.
   */
  where(text: string): string {
    return `${WHERE}${text}`;
  }

  /** The finished statement: markers replaced by placeholders, numbered in order of appearance. */
  finish(text: string): BoundStatement {
    const dialect = this.#dialect;
    const slots: number[] = [];
    const position = new Map<number, number>();
    if (dialect.reusesPlaceholders) {
      for (let s = 0; s < this.#whereCount; s++) {
        position.set(s, s);
        slots.push(s);
      }
    }
    const out = text.replace(/\u0001(\d+)\u0001|\u0002/g, (_, digits: string | undefined) => {
      if (digits === undefined) {
        if (!dialect.reusesPlaceholders) for (let s = 0; s < this.#whereCount; s++) slots.push(s);
        return '';
      }
      const slot = Number(digits);
      if (!dialect.reusesPlaceholders) {
        slots.push(slot);
        return dialect.placeholder(slots.length - 1);
      }
      let at = position.get(slot);
      if (at === undefined) {
        at = slots.length;
        position.set(slot, at);
        slots.push(slot);
      }
      return dialect.placeholder(at);
    });
    return { text: out, slots };
  }
}

/** The parameter array of a statement from the slot values. */
export function bindValues(statement: BoundStatement, values: readonly unknown[]): unknown[] {
  return statement.slots.map((s) => values[s]);
}
