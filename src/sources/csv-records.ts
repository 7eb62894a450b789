/**
 * Streaming RFC 4180 record splitting: text arrives in blocks of any size (a block may end
 * anywhere — inside a field, a quoted field, a doubled quote or a `\r\n`), and comes out as
 * complete records split into fields.
 *
 * The dialect (RFC 4180, "Common Format and MIME Type for Comma-Separated Values (CSV) Files",
 * §2, with the leniencies data files need):
 *
 * - a record ends at `\n` or `\r\n` outside quotes; the last record may lack it;
 * - a field whose first character other than spaces and tabs is `"` is quoted: it runs to the
 *   next `"` not followed by another `"`, and holds anything — delimiters, `\r`, `\n`; a doubled
 *   quote `""` inside it stands for one `"`. After the closing quote only spaces and tabs may come
 *   before the delimiter or the record's end (anything else is an error naming the line, never a
 *   silent shift of the columns); a quote inside an unquoted field is an ordinary character;
 * - lines that are blank (spaces and tabs only) and lines whose first character other than
 *   spaces and tabs starts the `comment` text are skipped, but only where a record starts (a
 *   quoted field may hold such lines); with the tab as delimiter a tab is a field separator, not
 *   a blank, so a line of tabs is a record of empty fields;
 * - a record is reported with the number of the physical line it starts on, and a pending record
 *   longer than `maxRecordLength` characters is an error, which bounds the memory of a malformed
 *   file (an unclosed quote).
 *
 * Spaces and tabs (a tab is not a blank when it is the delimiter) around a quoted field are
 * dropped; an unquoted field keeps them (the number reader trims them).
 *
 * @module
 */
import { DataSourceError } from '../errors.ts';

const QUOTE = 34;
const NEWLINE = 10;
const CR = 13;

function isBlank(c: number, delimiter: number): boolean {
  return (c === 32 || c === 9) && c !== delimiter;
}

/**
 * Splits a stream of text into complete records. Feed text with {@link CsvRecordReader.push},
 * then call {@link CsvRecordReader.next} until it returns false; after the last block call
 * {@link CsvRecordReader.finish} and drain again. The current record is `text[start, end)`
 * (without its line break), starting on line `line`.
 */
export class CsvRecordReader {
  /** The text that holds the current record. */
  text = '';
  /** First character of the current record. */
  start = 0;
  /** One past the last character of the current record (its `\r\n` excluded). */
  end = 0;
  /** 1-based line on which the current record starts. */
  line = 0;
  /** Whether the current record has a quoted field. */
  quoted = false;

  private buf = '';
  private pos = 0; // start of the pending record
  private lines = 0; // lines before pos
  private finished = false;
  // scan state of the pending record
  private scanAt = 0;
  private inQuote = false;
  private sawQuote = false;
  private quotedLines = 0; // line breaks inside quoted fields so far
  // cache of the next '"' at or after quoteFrom (-1: none to the end of buf)
  private quoteFrom = Infinity;
  private quoteAt = -1;
  private readonly delim: number;

  /**
   * @param delimiter - the field delimiter (one character other than `"`, `\r`, `\n`).
   * @param comment - the comment prefix ('' for none).
   * @param maxRecordLength - longest pending record, in characters.
   * @param caller - function name for messages.
   */
  constructor(
    delimiter: string,
    private readonly comment: string,
    private readonly maxRecordLength: number,
    private readonly caller: string,
  ) {
    this.delim = delimiter.charCodeAt(0);
  }

  /** Append the next block of text. @param text - decoded text of any length. */
  push(text: string): void {
    if (text.length === 0) return;
    const drop = this.pos;
    this.buf = this.buf.slice(drop) + text;
    this.pos = 0;
    this.scanAt -= drop;
    this.quoteFrom = Infinity;
  }

  /** Declare the end of the input: the last record may then end without a line break. */
  finish(): void {
    this.finished = true;
  }

  /**
   * Advance to the next complete record.
   *
   * @returns true with the record in `text`, `start`, `end`, `line`; false when more text is
   *   needed (or, after {@link finish}, at the end of the input).
   * @throws DataSourceError for a record longer than `maxRecordLength` or a quoted field that the
   *   input ends inside.
   */
  next(): boolean {
    const buf = this.buf;
    for (;;) {
      if (this.pos >= buf.length) return false;
      if (this.scanAt === this.pos && !this.inQuote) {
        const skip = this.skipLine();
        if (skip === -1) return this.needMore();
        if (skip === 1) continue;
      }
      let end = this.scan();
      if (end < 0) {
        if (!this.finished) return this.needMore();
        if (this.inQuote) {
          throw new DataSourceError(`${this.caller}: line ${this.lines + 1}: a quoted field is not closed before the end of the data (a quote inside a quoted field is written "")`);
        }
        end = buf.length;
      }
      this.text = buf;
      this.start = this.pos;
      this.end = end > this.pos && buf.charCodeAt(end - 1) === CR ? end - 1 : end;
      this.line = this.lines + 1;
      this.quoted = this.sawQuote;
      this.lines += 1 + this.quotedLines;
      this.pos = Math.min(end + 1, buf.length);
      this.scanAt = this.pos;
      this.sawQuote = false;
      this.quotedLines = 0;
      return true;
    }
  }

  /** At a record start: 1 when a blank or comment line was skipped, 0 for a record, -1 when more text is needed. */
  private skipLine(): -1 | 0 | 1 {
    const buf = this.buf;
    const len = buf.length;
    let t = this.pos;
    let c = 0;
    while (t < len && isBlank((c = buf.charCodeAt(t)), this.delim)) t++;
    if (t === len) return this.finished ? this.skipTo(len) : -1;
    const isComment = this.comment !== '' && buf.startsWith(this.comment, t);
    if (!isComment && !this.finished && len - t < this.comment.length && this.comment.startsWith(buf.slice(t))) return -1;
    if (c === CR && t + 1 === len && !this.finished) return -1;
    if (!isComment && c !== NEWLINE && !(c === CR && (t + 1 === len || buf.charCodeAt(t + 1) === NEWLINE))) return 0;
    const nl = buf.indexOf('\n', t);
    if (nl < 0) return this.finished ? this.skipTo(len) : -1;
    return this.skipTo(nl + 1);
  }

  private skipTo(next: number): 1 {
    this.lines++;
    this.pos = next;
    this.scanAt = next;
    return 1;
  }

  private needMore(): false {
    if (this.buf.length - this.pos > this.maxRecordLength) {
      const hint = this.inQuote ? ' (inside a quoted field: is a closing quote missing?)' : '';
      throw new DataSourceError(`${this.caller}: line ${this.lines + 1} is longer than maxLineLength = ${this.maxRecordLength} characters${hint}`);
    }
    return false;
  }

  /** The next '"' at or after i, or -1. */
  private nextQuote(i: number): number {
    if (i < this.quoteFrom || (this.quoteAt >= 0 && this.quoteAt < i)) {
      this.quoteFrom = i;
      this.quoteAt = this.buf.indexOf('"', i);
    }
    return this.quoteAt;
  }

  /** Whether the '"' at q is the first non-blank character of a field. */
  private opensField(q: number): boolean {
    let j = q - 1;
    while (j >= this.pos && isBlank(this.buf.charCodeAt(j), this.delim)) j--;
    return j < this.pos || this.buf.charCodeAt(j) === this.delim;
  }

  /** Scan the pending record: the index of its line break, or -1 when the text ends first. */
  private scan(): number {
    const buf = this.buf;
    const len = buf.length;
    let i = this.scanAt;
    for (;;) {
      if (this.inQuote) {
        const q = buf.indexOf('"', i);
        const stop = q < 0 ? len : q;
        for (let nl = buf.indexOf('\n', i); nl >= 0 && nl < stop; nl = buf.indexOf('\n', nl + 1)) this.quotedLines++;
        if (q < 0 || (q + 1 === len && !this.finished)) {
          this.scanAt = q < 0 ? len : q; // a final '"' may be the first half of a doubled quote
          return -1;
        }
        if (q + 1 < len && buf.charCodeAt(q + 1) === QUOTE) {
          i = q + 2;
          continue;
        }
        this.inQuote = false;
        i = q + 1;
        continue;
      }
      const nl = buf.indexOf('\n', i);
      const limit = nl < 0 ? len : nl;
      let q = this.nextQuote(i);
      while (q >= 0 && q < limit && !this.opensField(q)) q = this.nextQuote(q + 1);
      if (q >= 0 && q < limit) {
        this.inQuote = true;
        this.sawQuote = true;
        i = q + 1;
        continue;
      }
      this.scanAt = limit;
      return nl;
    }
  }
}

/**
 * Walks the fields of one complete record. `reset` it with a record, then each `next()` moves to
 * the following field: `text[start, end)` is the field's content (inside the quotes for a quoted
 * field), `escaped` says whether that content holds doubled quotes (read it with `value()`).
 */
export class CsvFieldCursor {
  /** First character of the field's content. */
  start = 0;
  /** One past the last character of the field's content. */
  end = 0;
  /** Whether the field was quoted. */
  quoted = false;
  /** Whether the content holds doubled quotes `""`. */
  escaped = false;
  /** 0-based index of the field within the record. */
  index = -1;

  private text = '';
  private at = 0;
  private recordEnd = 0;
  private line = 0;
  private quotes = false;
  private done = true;
  private readonly delim: number;

  /**
   * @param delimiter - the field delimiter.
   * @param caller - function name for messages.
   */
  constructor(
    private readonly delimiter: string,
    private readonly caller: string,
  ) {
    this.delim = delimiter.charCodeAt(0);
  }

  /**
   * Start on a record.
   *
   * @param text - the text holding it.
   * @param start - its first character.
   * @param end - one past its last character (line break excluded).
   * @param quoted - whether it may hold quoted fields (false takes the fast path).
   * @param line - its line, for messages.
   */
  reset(text: string, start: number, end: number, quoted: boolean, line: number): void {
    this.text = text;
    this.at = start;
    this.recordEnd = end;
    this.quotes = quoted;
    this.line = line;
    this.done = false;
    this.index = -1;
  }

  /**
   * Move to the next field.
   *
   * @returns false after the last field.
   * @throws DataSourceError for text after a closing quote.
   */
  next(): boolean {
    if (this.done) return false;
    const { text, recordEnd: e } = this;
    this.index++;
    let a = this.at;
    if (this.quotes) {
      let t = a;
      while (t < e && isBlank(text.charCodeAt(t), this.delim)) t++;
      if (t < e && text.charCodeAt(t) === QUOTE) return this.quotedField(t + 1);
    }
    let z = text.indexOf(this.delimiter, a);
    if (z < 0 || z >= e) z = e;
    this.start = a;
    this.end = z;
    this.quoted = false;
    this.escaped = false;
    this.finishAt(z);
    return true;
  }

  private quotedField(open: number): true {
    const { text, recordEnd: e } = this;
    let escaped = false;
    let q = open;
    for (;;) {
      q = text.indexOf('"', q);
      if (q < 0 || q >= e) throw new DataSourceError(`${this.caller}: line ${this.line}, field ${this.index}: the quoted field is not closed`);
      if (q + 1 < e && text.charCodeAt(q + 1) === QUOTE) {
        escaped = true;
        q += 2;
        continue;
      }
      break;
    }
    this.start = open;
    this.end = q;
    this.quoted = true;
    this.escaped = escaped;
    let k = q + 1;
    while (k < e && isBlank(text.charCodeAt(k), this.delim)) k++;
    if (k < e && text.charCodeAt(k) !== this.delim) {
      throw new DataSourceError(
        `${this.caller}: line ${this.line}, field ${this.index}: unexpected ${JSON.stringify(text[k])} after the closing quote (a quote inside a quoted field is written "")`,
      );
    }
    this.finishAt(k);
    return true;
  }

  private finishAt(z: number): void {
    if (z >= this.recordEnd) this.done = true;
    else this.at = z + 1;
  }

  /** The current field's text (doubled quotes undone). */
  value(): string {
    const s = this.text.slice(this.start, this.end);
    return this.escaped ? s.replace(/""/g, '"') : s;
  }
}
