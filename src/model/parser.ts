/**
 * Recursive-descent parser for model expressions.
 *
 * Grammar (whitespace between tokens is ignored):
 *
 * ```
 *   expr    := term (('+' | '-') term)*
 *   term    := unary (('*' | '/') unary)*
 *   unary   := ('-' | '+') unary | power              -x^2 is −(x²)
 *   power   := primary (('^' | '**') unary)?           right-associative: a^b^c = a^(b^c)
 *   primary := number | identifier | identifier '(' expr (',' expr)* ')' | '(' expr ')'
 *   number  := digits ['.' digits] [('e'|'E') ['+'|'-'] digits] | '.' digits [exponent]
 * ```
 *
 * The parser only builds a tree; nothing in the text is ever executed or used as a property
 * name. Every failure is a {@link ModelParseError} whose message shows the expression (around the
 * offending position, for a long one) with a caret under that position.
 *
 * Size limits: parentheses, unary signs and powers nest at most {@link MAX_NESTING} deep (the
 * parser recurses there); an expression holds at most {@link MAX_EXPRESSION_TOKENS} tokens
 * (numbers, names, operators), which keeps a model's kernels within what the backends can
 * compile — a larger one is an NlsqRangeError, raised before the text is read further. Chains of
 * `+ - * /` are read without recursion, and every later pass (resolution, printing,
 * simplification, differentiation, lowering) walks trees without recursion, so a flat sum of
 * tens of thousands of terms is a valid model.
 *
 * @module
 */

import { ModelParseError, NlsqRangeError } from '../errors.ts';
import { bin, call, neg, num, type Node } from './ast.ts';
import { userFunctionArity, userFunctionNames } from './functions.ts';

/** Result of {@link parseExpression}: the tree and the first position of every identifier. */
export interface ParseResult {
  /** The (unresolved) tree: identifiers are `sym` nodes. */
  readonly ast: Node;
  /** Identifier → zero-based position of its first appearance, in order of appearance. */
  readonly symbols: ReadonlyMap<string, number>;
}

type TokenKind = 'num' | 'ident' | 'op' | 'end';
interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly pos: number;
  readonly value: number;
}

/** Deepest nesting of parentheses, unary signs and powers in an expression. */
export const MAX_NESTING = 256;

/** Most tokens (numbers, names, operators, parentheses, commas) in an expression: 65536. */
export const MAX_EXPRESSION_TOKENS = 65536;

/** Characters of the expression shown either side of the caret in a message about a long expression. */
const EXCERPT = 60;
const OPERATORS = ['**', '+', '-', '*', '/', '^', '(', ')', ','];

/**
 * Build a {@link ModelParseError} showing the expression and a caret under `pos`.
 *
 * @param source - the expression.
 * @param pos - zero-based position.
 * @param what - the message body, e.g. `expected ')'`.
 * @returns the error (not thrown).
 */
export function parseError(source: string, pos: number, what: string): ModelParseError {
  let shown = source.replace(/[\r\n\t]/g, ' ');
  let caret = pos;
  if (shown.length > 2 * EXCERPT + 20) {
    const from = Math.max(0, pos - EXCERPT);
    const to = Math.min(shown.length, pos + EXCERPT);
    const head = from > 0 ? '…' : '';
    shown = head + shown.slice(from, to) + (to < shown.length ? '…' : '');
    caret = head.length + pos - from;
  }
  return new ModelParseError(`model: ${what} at position ${pos}\n  ${shown}\n  ${' '.repeat(caret)}^`, pos);
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

function isIdentStart(c: string | undefined): boolean {
  return c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_');
}

function scanNumber(src: string, start: number): Token {
  let i = start;
  while (isDigit(src[i])) i++;
  if (src[i] === '.') {
    i++;
    while (isDigit(src[i])) i++;
  }
  if ((src[i] === 'e' || src[i] === 'E') && (isDigit(src[i + 1]) || ((src[i + 1] === '+' || src[i + 1] === '-') && isDigit(src[i + 2])))) {
    i += 2;
    while (isDigit(src[i])) i++;
  }
  const text = src.slice(start, i);
  const value = Number(text);
  if (!Number.isFinite(value)) throw parseError(src, start, `number ${text} is out of range`);
  return { kind: 'num', text, pos: start, value };
}

/**
 * Split an expression into tokens.
 * @throws ModelParseError on a character that starts no token; NlsqRangeError past {@link MAX_EXPRESSION_TOKENS}.
 */
function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (tokens.length === MAX_EXPRESSION_TOKENS && c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') {
      throw new NlsqRangeError(
        `model: the expression has more than ${MAX_EXPRESSION_TOKENS} tokens (numbers, names, operators; the limit is MAX_EXPRESSION_TOKENS), ` +
          `the first one past it at position ${i} of ${src.length} characters; write a model this large as a function f(x, ...params)`,
        'expression',
      );
    }
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (isDigit(c) || (c === '.' && isDigit(src[i + 1]))) {
      const t = scanNumber(src, i);
      tokens.push(t);
      i += t.text.length;
    } else if (isIdentStart(c)) {
      let j = i + 1;
      while (isIdentStart(src[j]) || isDigit(src[j])) j++;
      tokens.push({ kind: 'ident', text: src.slice(i, j), pos: i, value: 0 });
      i = j;
    } else {
      const op = OPERATORS.find((o) => src.startsWith(o, i));
      if (op === undefined) throw parseError(src, i, `unexpected character ${JSON.stringify(c)}`);
      tokens.push({ kind: 'op', text: op, pos: i, value: 0 });
      i += op.length;
    }
  }
  tokens.push({ kind: 'end', text: '', pos: src.length, value: 0 });
  return tokens;
}

/** Parser state over one expression. */
class Parser {
  private index = 0;
  private depth = 0;
  readonly symbols = new Map<string, number>();

  constructor(
    private readonly src: string,
    private readonly tokens: Token[],
  ) {}

  private peek(): Token {
    return this.tokens[this.index]!;
  }

  private isOp(text: string): boolean {
    const t = this.peek();
    return t.kind === 'op' && t.text === text;
  }

  private expectOp(text: string): void {
    if (!this.isOp(text)) throw this.fail(`expected '${text}'`);
    this.index++;
  }

  private fail(what: string): ModelParseError {
    const t = this.peek();
    const found = t.kind === 'end' ? 'end of expression' : `'${t.text}'`;
    return parseError(this.src, t.pos, `${what}, found ${found}`);
  }

  parseAll(): Node {
    const node = this.expr();
    if (this.peek().kind !== 'end') throw this.fail('expected an operator or the end of the expression');
    return node;
  }

  private expr(): Node {
    if (++this.depth > MAX_NESTING) throw parseError(this.src, this.peek().pos, `expression is nested too deeply (more than ${MAX_NESTING} levels of parentheses, unary signs or powers)`);
    let left = this.term();
    while (this.isOp('+') || this.isOp('-')) {
      const op = this.tokens[this.index++]!.text as '+' | '-';
      left = bin(op, left, this.term());
    }
    this.depth--;
    return left;
  }

  private term(): Node {
    let left = this.unary();
    while (this.isOp('*') || this.isOp('/')) {
      const op = this.tokens[this.index++]!.text as '*' | '/';
      left = bin(op, left, this.unary());
    }
    return left;
  }

  private unary(): Node {
    if (this.isOp('-') || this.isOp('+')) {
      if (++this.depth > MAX_NESTING) throw parseError(this.src, this.peek().pos, `expression is nested too deeply (more than ${MAX_NESTING} levels of parentheses, unary signs or powers)`);
      const minus = this.tokens[this.index++]!.text === '-';
      const arg = this.unary();
      this.depth--;
      return minus ? neg(arg) : arg;
    }
    return this.power();
  }

  private power(): Node {
    const base = this.primary();
    if (this.isOp('^') || this.isOp('**')) {
      this.index++;
      if (++this.depth > MAX_NESTING) throw parseError(this.src, this.peek().pos, `expression is nested too deeply (more than ${MAX_NESTING} levels of parentheses, unary signs or powers)`);
      const exponent = this.unary();
      this.depth--;
      return bin('^', base, exponent);
    }
    return base;
  }

  private primary(): Node {
    const t = this.peek();
    if (t.kind === 'num') {
      this.index++;
      return num(t.value);
    }
    if (t.kind === 'ident') {
      this.index++;
      return this.isOp('(') ? this.callOf(t) : this.symbolOf(t);
    }
    if (this.isOp('(')) {
      this.index++;
      const inner = this.expr();
      this.expectOp(')');
      return inner;
    }
    throw this.fail('expected a number, a name or \'(\'');
  }

  private symbolOf(t: Token): Node {
    if (userFunctionArity(t.text) !== undefined) {
      throw parseError(this.src, this.peek().pos, `'${t.text}' is a function, expected '(' after it`);
    }
    if (!this.symbols.has(t.text)) this.symbols.set(t.text, t.pos);
    return { type: 'sym', name: t.text };
  }

  private callOf(t: Token): Node {
    const arity = userFunctionArity(t.text);
    if (arity === undefined) {
      throw parseError(this.src, t.pos, `unknown function '${t.text}' (known: ${userFunctionNames().join(', ')})`);
    }
    this.index++; // '('
    const args: Node[] = [this.expr()];
    while (this.isOp(',')) {
      this.index++;
      args.push(this.expr());
    }
    if (!this.isOp(')')) throw this.fail(args.length < arity ? "expected ',' or ')'" : "expected ')'");
    if (args.length !== arity) {
      throw parseError(this.src, t.pos, `function '${t.text}' takes ${arity} argument${arity === 1 ? '' : 's'}, got ${args.length}`);
    }
    this.index++;
    return t.text === 'pow' ? bin('^', args[0]!, args[1]!) : call(t.text, ...args);
  }
}

/**
 * Parse a model expression into an (unresolved) tree.
 *
 * @param source - the expression, e.g. `'a*exp(-b*x) + c'`.
 * @returns the tree and the identifiers it uses, in order of first appearance.
 * @throws ModelParseError when the text is not an expression of the grammar (message with caret);
 *   NlsqRangeError when it holds more than {@link MAX_EXPRESSION_TOKENS} tokens.
 * @example
 * ```ts
 * parseExpression('a*(x+1');
 * // ModelParseError: model: expected ')', found end of expression at position 6
 * //   a*(x+1
 * //         ^
 * ```
 */
export function parseExpression(source: string): ParseResult {
  if (typeof source !== 'string') {
    throw new ModelParseError(`model: expression must be a string, got ${typeof source}`, 0);
  }
  const parser = new Parser(source, tokenize(source));
  const ast = parser.parseAll();
  return { ast, symbols: parser.symbols };
}
